//! Faults: what breaks, and what each break does to the run.
//!
//! ```text
//!   CrashActor     generation++ ─▶ its pending wake-ups are dropped; in-flight work lost
//!   RestartActor   new session, optional new consumer name, Start now
//!   HangActor      wake-ups postponed to now + for_ms (state kept)
//!   RedisCrash     primary down; blocked readers woken (connection lost);
//!                  writes in flight to replicas dropped; sentinel timer armed
//!   RedisRestart   primary loads its AOF or RDB ─▶ ledger: acked messages gone = log_lost
//!   Partition      replicas get nothing; sentinel timer armed; heal at heal_at_ms
//!   Failover(r)    promote replica r now
//! ```

use super::ctx::{Event, ServerTimer};
use super::queue::EventClass;
use super::simulation::Simulation;
use super::trace::{Note, Who};
use crate::engine::{Db, Reply, Session};
use crate::scenario::schema::{CrashMode, FaultKind};
use std::collections::BTreeSet;

/// Applies fault number `i`.
pub fn apply(sim: &mut Simulation, i: usize) {
    let Some(f) = sim.scenario.faults.get(i).cloned() else {
        return;
    };
    let text = match &f.kind {
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
        FaultKind::RedisCrash(mode) => {
            let before = primary_messages(sim);
            sim.crash_snapshot = Some(before);
            let lost_records = sim.ctx.redis.crash(*mode);
            let dropped = sim.ctx.replication.drop_in_flight();
            sim.ctx.redis_epoch += 1;
            arm_sentinel(sim);
            sim.break_blocked_reads();
            match mode {
                CrashMode::Process => {
                    format!("Redis process crashes ({dropped} write(s) never reached a replica)")
                }
                CrashMode::PowerLoss => format!(
                    "power loss: {lost_records} unsynced AOF record(s) gone, {dropped} write(s) never reached a replica"
                ),
            }
        }
        FaultKind::RedisRestart => {
            let unix = sim.ctx.unix_ms();
            sim.ctx.redis.restart(unix);
            sim.ctx.redis_epoch += 1;
            let lost = account_rollback(sim);
            format!("Redis restarts from disk: {lost} acknowledged message(s) missing")
        }
        FaultKind::Partition { heal_at_ms } => {
            let now = sim.ctx.now_ms;
            sim.crash_snapshot = Some(primary_messages(sim));
            sim.ctx.replication.start_partition(now);
            sim.ctx.replication.drop_in_flight();
            arm_sentinel(sim);
            sim.ctx.queue.push(
                *heal_at_ms,
                EventClass::ServerTimer,
                0,
                Event::Server(ServerTimer::Heal),
            );
            format!("network partition: the primary is cut off until t={heal_at_ms}")
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
            promote(sim, idx);
            return;
        }
    };
    sim.ctx.note(Who::Fault, Note::Text(text));
}

fn arm_sentinel(sim: &mut Simulation) {
    if let Some(s) = &sim.ctx.replication.sentinel
        && !sim.ctx.replication.replicas.is_empty()
    {
        let at = sim.ctx.now_ms + s.down_after_ms + s.failover_ms;
        sim.ctx.queue.push(
            at,
            EventClass::ServerTimer,
            0,
            Event::Server(ServerTimer::Promote),
        );
    }
}

/// Promotes replica `which` (or the best one): it becomes the primary now,
/// or at heal time if the old primary is still up behind a partition.
pub fn promote(sim: &mut Simulation, which: Option<usize>) {
    let rep = &mut sim.ctx.replication;
    let Some(i) = which.or_else(|| rep.best_replica()) else {
        return;
    };
    if i >= rep.replicas.len() {
        return;
    }
    let replica = rep.replicas.remove(i);
    rep.drop_in_flight();
    if rep.partitioned && sim.ctx.redis.up {
        let name = replica.name.clone();
        rep.pending_promotion = Some(replica.db);
        let text = format!(
            "sentinel promotes {name}; the old primary, still partitioned, keeps accepting writes"
        );
        sim.ctx.note(Who::Server, Note::Text(text));
        return;
    }
    sim.ctx.redis.replace_db(replica.db);
    sim.ctx.redis_epoch += 1;
    sim.break_blocked_reads();
    let lost = account_rollback(sim);
    let text = format!(
        "{} promoted to primary: {lost} acknowledged message(s) missing",
        replica.name
    );
    sim.ctx.note(Who::Server, Note::Text(text));
}

/// The partition heals: a demoted old primary's dataset is replaced.
pub fn heal(sim: &mut Simulation) {
    sim.ctx.replication.partitioned = false;
    let Some(db) = sim.ctx.replication.pending_promotion.take() else {
        sim.ctx
            .note(Who::Server, Note::Text("the partition heals".into()));
        return;
    };
    sim.crash_snapshot = Some(primary_messages(sim));
    sim.ctx.redis.replace_db(db);
    sim.ctx.redis_epoch += 1;
    sim.break_blocked_reads();
    let lost = account_rollback(sim);
    let text = format!(
        "partition heals: the old primary is demoted, {lost} acknowledged message(s) discarded"
    );
    sim.ctx.note(Who::Server, Note::Text(text));
}

/// Marks acknowledged messages present before the fault and absent now as
/// log-lost; returns how many are missing.
fn account_rollback(sim: &mut Simulation) -> usize {
    let Some(before) = sim.crash_snapshot.take() else {
        return 0;
    };
    let after = primary_messages(sim);
    let now = sim.ctx.now_ms;
    let mut n = 0;
    for m in before.difference(&after) {
        if sim.ctx.ledger_redis.is_acked(*m) {
            sim.ctx.ledger_redis.log_lost(*m, now);
            n += 1;
        }
    }
    n
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

/// Message numbers (field `m`) of every entry of `keys` in `db`.
pub fn messages_in(db: &mut Db, keys: &[String]) -> BTreeSet<u64> {
    let mut session = Session::default();
    let mut out = BTreeSet::new();
    for k in keys {
        let argv = vec![
            b"XRANGE".to_vec(),
            k.clone().into_bytes(),
            b"-".to_vec(),
            b"+".to_vec(),
        ];
        let ex = db.execute(&mut session, &argv, &crate::engine::ExecContext::at(0));
        if let Reply::Array(_) = ex.reply {
            out.extend(
                super::replies::entries(&ex.reply)
                    .iter()
                    .filter_map(|e| e.msg),
            );
        }
    }
    out
}
