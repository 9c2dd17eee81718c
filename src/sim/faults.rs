//! Faults: what breaks, and what each break does to the run.
//!
//! ```text
//!   CrashActor     generation++ ─▶ its pending wake-ups are dropped; in-flight work lost
//!   RestartActor   new session, optional new consumer name, Start now
//!   HangActor      wake-ups postponed to now + for_ms (state kept)
//!   RedisCrash     primary down; blocked readers woken (connection lost);
//!                  writes in flight to replicas dropped; sentinel starts timing
//!   RedisShutdown  the same, after a clean stop (AOF fsynced, RDB saved)
//!   SlowDisk       an fsync takes fsync_ms from now on (aof.rs: everysec
//!                  then holds writes in memory for up to 2 s)
//!   RedisRestart   primary loads its AOF or RDB ─▶ ledger: acked messages gone = log_lost;
//!                  back before down-after: no failover. Already replaced: it
//!                  rejoins as a replica of the new primary instead
//!   Partition      replicas get nothing; sentinel starts timing; heal at heal_at_ms
//!   Failover(r)    promote replica r now (failover.rs)
//!   ReplicaCrash   replica down: nothing reaches it, its files stay
//!   ReplicaRestart it loads its own AOF or RDB and resyncs (replica_disk.rs)
//! ```

use super::ctx::{Event, ServerTimer};
use super::queue::EventClass;
use super::simulation::Simulation;
use super::trace::{Note, Who};
use crate::engine::{Db, Session};
use crate::scenario::schema::{CrashMode, FaultKind};
use std::collections::BTreeSet;

/// Applies fault number `i`.
pub fn apply(sim: &mut Simulation, i: usize) {
    let Some(f) = sim.scenario.faults.get(i).cloned() else {
        return;
    };
    apply_kind(sim, &f.kind);
}

/// Applies `kind` now (a scheduled fault, or a fork's action).
pub fn apply_kind(sim: &mut Simulation, kind: &FaultKind) {
    let text = match kind {
        FaultKind::CrashActor(name) => {
            let Some(a) = sim.actor_index(name) else {
                return;
            };
            sim.actors[a].crash(&mut sim.ctx);
            format!("{name} crashes (in-memory work is lost)")
        }
        FaultKind::RestartActor {
            name,
            consumer_name,
            read_history,
        } => {
            let Some(a) = sim.actor_index(name) else {
                return;
            };
            let new_name = consumer_name.as_deref();
            sim.actors[a].restart(a as u32, new_name, *read_history, &mut sim.ctx);
            match consumer_name {
                Some(n) => format!("{name} restarts as consumer {n}"),
                None => format!("{name} restarts with the same consumer name"),
            }
        }
        FaultKind::HangActor { name, for_ms } => {
            let Some(a) = sim.actor_index(name) else {
                return;
            };
            // A hang "for ever" (u64::MAX ms) must not wrap round to the past.
            sim.actors[a].hung_until_ms = sim.ctx.now_ms.saturating_add(*for_ms);
            format!("{name} hangs for {for_ms} ms")
        }
        FaultKind::RedisCrash(_) | FaultKind::RedisShutdown if !sim.ctx.redis.up => return,
        FaultKind::RedisCrash(mode) => {
            let before = primary_messages(sim);
            let unreplicated = unreplicated_text(sim, &before);
            sim.crash_snapshot = Some(before);
            let lost_records = sim.ctx.redis.crash(*mode);
            sim.ctx.replication.drop_in_flight();
            sim.ctx.redis_epoch += 1;
            super::sentinel::primary_unreachable(sim);
            sim.break_blocked_reads();
            match mode {
                CrashMode::Process if lost_records > 0 => format!(
                    "Redis process crashes: {lost_records} AOF record(s) held back in memory are gone{unreplicated}"
                ),
                CrashMode::Process => format!("Redis process crashes{unreplicated}"),
                CrashMode::PowerLoss => {
                    format!("power loss: {lost_records} unsynced AOF record(s) gone{unreplicated}")
                }
            }
        }
        FaultKind::SlowDisk { fsync_ms } => {
            sim.ctx.redis.set_fsync_ms(*fsync_ms);
            format!("the primary's disk slows down: an fsync now takes {fsync_ms} ms")
        }
        FaultKind::RedisShutdown => {
            sim.crash_snapshot = Some(primary_messages(sim));
            let unix = sim.ctx.unix_ms();
            let saved = sim.ctx.redis.shutdown(unix);
            // server.c prepareForShutdown: with replicas attached, writes
            // are paused and the exit waits (up to shutdown-timeout, 10 s)
            // until every replica acknowledged the primary's offset
            // (isReadyToShutdown), so what is in flight still arrives.
            let in_flight: usize = sim
                .ctx
                .replication
                .positions()
                .iter()
                .map(|p| p.in_flight)
                .sum();
            sim.ctx.redis_epoch += 1;
            super::sentinel::primary_unreachable(sim);
            sim.break_blocked_reads();
            if saved {
                sim.ctx.count("redis.rdb_saves", 1);
            }
            let rdb = if saved { ", RDB saved" } else { "" };
            let wait = if in_flight > 0 {
                format!(
                    "; first its replicas receive the {in_flight} replication record(s) in flight"
                )
            } else {
                String::new()
            };
            format!("Redis shuts down cleanly (AOF fsynced{rdb}{wait})")
        }
        // The primary is running: the node to restart is the old primary
        // that was replaced while it was down.
        FaultKind::RedisRestart if sim.ctx.redis.up => {
            if !sim.ctx.replication.old_primary_replaced {
                return;
            }
            super::failover::rejoin_old_primary(sim)
        }
        FaultKind::RedisRestart => {
            let unix = sim.ctx.unix_ms();
            sim.ctx.redis.restart(unix);
            sim.ctx.redis_epoch += 1;
            let lost = super::failover::account_rollback(sim);
            let mut text =
                format!("Redis restarts from disk: {lost} acknowledged message(s) missing");
            if super::sentinel::primary_reachable(sim) {
                text.push_str("; back before down-after, so no failover");
            }
            // Its replicas reconnect; the backlog died with the process, so
            // replication.c masterTryPartialResynchronization answers
            // +FULLRESYNC and they copy what it loaded.
            if !sim.ctx.replication.replicas.is_empty() {
                let now = sim.ctx.now_ms;
                let ms = super::failover::primary_sync_ms(sim);
                let rep = &mut sim.ctx.replication;
                let n = rep.primary_restarted(&sim.ctx.redis.db, ms, now, &mut sim.ctx.queue);
                sim.ctx.count("redis.full_resyncs", n as i64);
                text.push_str("; replicas full-resync from it");
            }
            text
        }
        FaultKind::Partition { heal_at_ms } => {
            let now = sim.ctx.now_ms;
            sim.crash_snapshot = Some(primary_messages(sim));
            sim.ctx.replication.start_partition(now);
            sim.ctx.replication.drop_in_flight();
            super::sentinel::primary_unreachable(sim);
            sim.ctx.queue.push(
                *heal_at_ms,
                EventClass::ServerTimer,
                0,
                Event::Server(ServerTimer::Heal),
            );
            format!("network partition: the primary is cut off until t={heal_at_ms}")
        }
        FaultKind::ReplicaCrash(name) => {
            super::replica_disk::crash(sim, name);
            return;
        }
        FaultKind::ReplicaRestart(name) => {
            super::replica_disk::restart(sim, name);
            return;
        }
        // The Kafka model received these when the run was built.
        FaultKind::CloseKafkaConsumer(_) | FaultKind::KafkaBrokerCrash(_) => return,
        FaultKind::Failover(name) => {
            let idx = sim
                .ctx
                .replication
                .replicas
                .iter()
                .position(|r| &r.name == name);
            if sim.crash_snapshot.is_none() {
                sim.crash_snapshot = Some(primary_messages(sim));
            }
            super::failover::promote(sim, idx);
            return;
        }
    };
    sim.ctx.note(Who::Fault, Note::Text(text));
}

/// Every stream key the scenario mentions.
pub fn stream_keys(sim: &Simulation) -> Vec<String> {
    use crate::scenario::schema::ActorSpec;
    let mut keys: BTreeSet<String> = sim.scenario.streams.iter().map(|s| s.key.clone()).collect();
    for a in &sim.scenario.actors {
        match a {
            ActorSpec::Producer(p) => keys.insert(p.stream.clone()),
            ActorSpec::Consumer(c) => keys.insert(c.stream.clone()),
            ActorSpec::Claimer(c) => keys.insert(c.stream.clone()),
            ActorSpec::Trimmer(t) => keys.insert(t.stream.clone()),
            ActorSpec::Bridge(b) => keys.insert(b.stream.clone()),
            ActorSpec::Admin(_) => false,
        };
    }
    keys.into_iter().collect()
}

/// Message numbers in the current primary's streams.
pub fn primary_messages(sim: &mut Simulation) -> BTreeSet<u64> {
    let keys = stream_keys(sim);
    messages_in(&mut sim.ctx.redis.db, &keys)
}

/// What a crash leaves unreplicated, in messages: those in the primary's
/// streams (`before`) that the replica Sentinel would promote has not
/// applied yet. Empty without replicas. Counted in messages, not in
/// replication records (one delivery alone propagates an XCLAIM).
fn unreplicated_text(sim: &mut Simulation, before: &BTreeSet<u64>) -> String {
    let Some(best) = sim.ctx.replication.best_replica() else {
        return String::new();
    };
    let keys = stream_keys(sim);
    let Some(replica) = sim.ctx.replication.replicas.get_mut(best) else {
        return String::new();
    };
    let on_replica = messages_in(&mut replica.db, &keys);
    let missing = before.difference(&on_replica).count();
    let name = replica.name.clone();
    if sim.ctx.replication.sentinel.is_some() {
        format!("; {missing} message(s) not yet on {name}, the replica Sentinel would promote")
    } else {
        format!("; {missing} message(s) not yet on replica {name}")
    }
}

/// Message numbers (field `m`) of every entry of `keys` in `db`. This
/// has always been asked as `XRANGE key - +` on the node itself, and the
/// node counts those calls (INFO commandstats, keyspace hits), so each key
/// still gets its XRANGE call, with `COUNT 0`: the same lookup, counted the
/// same, without a reply of every entry (built, parsed and dropped at
/// every crash, partition and failover); the numbers are read in place.
pub fn messages_in(db: &mut Db, keys: &[String]) -> BTreeSet<u64> {
    let mut session = Session::default();
    for k in keys {
        let argv = vec![
            b"XRANGE".to_vec(),
            k.clone().into_bytes(),
            b"-".to_vec(),
            b"+".to_vec(),
            b"COUNT".to_vec(),
            b"0".to_vec(),
        ];
        db.execute(&mut session, &argv, &crate::engine::ExecContext::at(0));
    }
    messages_of(db, keys)
}

/// The same numbers as [`messages_in`], read in place: for a dataset whose
/// counters nobody reads (a copy, a what-if), with no copy and no reply.
pub fn messages_of(db: &Db, keys: &[String]) -> BTreeSet<u64> {
    let mut out = Vec::new();
    for k in keys {
        if let Ok(Some(s)) = db.stream(k.as_bytes()) {
            super::deliverable::for_each_entry(s, |_, m| out.push(m));
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ExecContext, Reply};

    fn argv(s: &str) -> Vec<Vec<u8>> {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    fn info(db: &mut Db, section: &str) -> Reply {
        let mut s = Session::default();
        db.execute(
            &mut s,
            &argv(&format!("INFO {section}")),
            &ExecContext::at(0),
        )
        .reply
    }

    #[test]
    fn messages_in_counts_as_the_full_xrange_it_replaced() {
        let mut s = Session::default();
        let mut db = Db::new();
        for i in 1..=5 {
            let line = format!("XADD s {i}-0 m {i}");
            db.execute(&mut s, &argv(&line), &ExecContext::at(0));
        }
        db.execute(&mut s, &argv("SET str x"), &ExecContext::at(0));
        let keys: Vec<String> = ["s", "missing", "str"].map(String::from).into();
        let mut old = db.clone();
        for k in &keys {
            let line = format!("XRANGE {k} - +");
            old.execute(&mut Session::default(), &argv(&line), &ExecContext::at(0));
        }
        let got = messages_in(&mut db, &keys);
        assert_eq!(got, (1..=5).collect());
        for section in ["commandstats", "stats", "errorstats"] {
            assert_eq!(info(&mut db, section), info(&mut old, section), "{section}");
        }
    }
}
