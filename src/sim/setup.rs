//! What a run starts with and Redis's own clockwork.
//!
//! ```text
//!   setup_commands   CONFIG SET pairs, preloaded XADDs (field m = message number),
//!                    XGROUP CREATE ... MKSTREAM   ─▶ replayed as Setup events at t=0
//!   schedule_timers  appendfsync everysec: tick every 1 000 ms; no: OS flush every
//!                    os_flush_interval_ms; RDB only: save-point cron every 100 ms
//!   server_timer     fsync, save point (primary and replicas), replica apply /
//!                    lag draw, sentinel check, promotion, heal, replica reconf
//!   mark_consumerless_sides  a ledger whose side nobody reads says "no consumer"
//! ```

use super::ctx::{Ctx, Event, ServerTimer, Wake};
use super::failover;
use super::queue::EventClass;
use super::simulation::Simulation;
use super::trace::{Note, Who};
use crate::engine::Argv;
use crate::scenario::Scenario;
use crate::scenario::schema::{ActorSpec, Fsync, Preload};
use std::collections::VecDeque;

/// Runs one of Redis's own timers.
pub fn server_timer(sim: &mut Simulation, t: ServerTimer) {
    let ctx = &mut sim.ctx;
    let now = ctx.now_ms;
    match t {
        ServerTimer::FsyncTick => {
            let interval = match ctx.redis.persistence().appendfsync {
                Fsync::EverySec => 1000,
                _ => ctx.redis.persistence().os_flush_interval_ms.max(1),
            };
            ctx.queue
                .push(now + interval, EventClass::ServerTimer, 0, Event::Server(t));
            if ctx.redis.up {
                match ctx.redis.persistence().appendfsync {
                    Fsync::EverySec => {
                        let unix = ctx.unix_ms();
                        ctx.redis.cron_flush(unix);
                    }
                    _ => {
                        ctx.redis.fsync();
                    }
                }
            }
        }
        ServerTimer::OsFlush => {}
        ServerTimer::SaveCron => {
            ctx.queue
                .push(now + 100, EventClass::ServerTimer, 0, Event::Server(t));
            let unix = ctx.unix_ms();
            super::replica_disk::cron_save(&mut ctx.replication, unix);
            // The cron may run for a replica's sake: a primary with AOF
            // keeps to its AOF here as everywhere in the model.
            if !ctx.redis.persistence().appendonly && ctx.redis.cron_save(unix) {
                ctx.count("redis.rdb_saves", 1);
                ctx.note(
                    Who::Server,
                    Note::Text("RDB snapshot saved (save point reached)".into()),
                );
            }
        }
        ServerTimer::ReplicaApply(i) => {
            let n = ctx.replication.apply_due(i as usize, now, &mut ctx.queue);
            // A structured note: the same step (and hash) whether or not
            // records are kept, and no string built on the hot path.
            if n > 0 {
                ctx.note(Who::Server, Note::Applied(i as u64, n as u64));
            }
            // Blocked WAITs whose count is now reached get their reply.
            for (w, count) in super::wait::satisfied(&mut ctx.replication) {
                let wake = Wake::Ack(vec![w.seq.to_string(), count.to_string()]);
                ctx.wake(now, w.actor, w.generation, wake);
            }
        }
        ServerTimer::ReplicaResample(i) => {
            ctx.replication.resample(i as usize, now, &mut ctx.queue);
        }
        ServerTimer::SentinelCheck => super::sentinel::check(sim),
        ServerTimer::Promote => failover::promote(sim, None),
        ServerTimer::Heal => failover::heal(sim),
        ServerTimer::ReconfDone => super::reconf::done(sim),
    }
}

/// Setup commands (CONFIG SET, preloads, groups) and the preloaded message numbers.
pub fn setup_commands(s: &Scenario, config: &[Argv]) -> (VecDeque<Argv>, Vec<u64>) {
    let mut out: VecDeque<Argv> = config.iter().cloned().collect();
    let mut msgs = Vec::new();
    for st in &s.streams {
        let ids: Vec<(String, u64)> = match &st.preload {
            Preload::Nothing => Vec::new(),
            Preload::Count { n, from } => (0..*n)
                .map(|i| (format!("{}-0", from + i), from + i))
                .collect(),
            Preload::Ids(ids) => ids
                .iter()
                .map(|id| (id.clone(), super::replies::id_ms(id).unwrap_or(0)))
                .collect(),
        };
        for (id, msg) in ids {
            msgs.push(msg);
            out.push_back(
                ["XADD", &st.key, &id, "m", &msg.to_string()]
                    .iter()
                    .map(|p| p.as_bytes().to_vec())
                    .collect(),
            );
        }
        for g in &st.groups {
            out.push_back(
                ["XGROUP", "CREATE", &st.key, &g.name, &g.start, "MKSTREAM"]
                    .iter()
                    .map(|p| p.as_bytes().to_vec())
                    .collect(),
            );
        }
    }
    (out, msgs)
}

/// Persistence timers: fsync ticks (AOF) or the RDB save-point cron.
pub fn schedule_timers(s: &Scenario, ctx: &mut Ctx) {
    let p = &s.redis.persistence;
    if p.appendonly && p.appendfsync != Fsync::Always {
        let first = match p.appendfsync {
            Fsync::EverySec => 1000,
            _ => p.os_flush_interval_ms.max(1),
        };
        ctx.queue.push(
            first,
            EventClass::ServerTimer,
            0,
            Event::Server(ServerTimer::FsyncTick),
        );
    }
    // Replicas with their own RDB save points need the cron too.
    let replica_saves = super::replica_disk::needs_save_cron(&ctx.replication);
    if (!p.appendonly && !p.save.is_empty()) || replica_saves {
        ctx.queue.push(
            100,
            EventClass::ServerTimer,
            0,
            Event::Server(ServerTimer::SaveCron),
        );
    }
}

/// Tells each ledger whether its side has a consumer at all: Redis needs a
/// consumer, claimer or bridge; Kafka a group with a member.
pub fn mark_consumerless_sides(scenario: &Scenario, ctx: &mut Ctx) {
    let redis_reader = scenario.actors.iter().any(|a| {
        matches!(
            a,
            ActorSpec::Consumer(_) | ActorSpec::Claimer(_) | ActorSpec::Bridge(_)
        )
    });
    if !redis_reader {
        ctx.ledger_redis.mark_no_consumer();
    }
    let kafka_reader = scenario
        .kafka
        .as_ref()
        .is_some_and(|k| k.groups.iter().any(|g| !g.consumers.is_empty()));
    if !kafka_reader {
        ctx.ledger_kafka.mark_no_consumer();
    }
}
