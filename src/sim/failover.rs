//! What a promotion, a heal and a rejoin do to the nodes' data.
//!
//! ```text
//!   promote(r)  ── old primary unreachable (down or partitioned away)?
//!       │ down:        r becomes the primary with its own dataset and AOF;
//!       │              the old node, when it restarts, rejoins as a replica
//!       │ partitioned: r waits for the heal (clients still reach the old one)
//!       │ reachable:   (back after the failover started) demoted at once
//!       └─ Sentinel points the other replicas at r, parallel-syncs at a
//!          time, partitioned or not (reconf.rs; PSYNC2: partial or full)
//!
//!   heal        ── a promotion waiting? the old primary is demoted: its
//!       │          writes since the cut are discarded, it copies r's data;
//!       │          the replicas already follow r
//!       └─ else     every replica continues from the backlog (or copies)
//! ```
//!
//! Whatever the path, the ledger marks as log-lost every acknowledged
//! message that the primary held before the fault and no longer holds.

use super::faults::primary_messages;
use super::simulation::Simulation;
use super::trace::{Note, Who};

/// Name of the old primary once it is a replica.
pub const OLD_PRIMARY: &str = "old-primary";

/// Promotes replica `which` (or the one Sentinel selects).
pub fn promote(sim: &mut Simulation, which: Option<usize>) {
    let rep = &mut sim.ctx.replication;
    let chosen = which.or_else(|| rep.best_replica());
    let Some(i) = chosen.filter(|&i| i < rep.replicas.len()) else {
        // sentinel.c sentinelFailoverSelectSlave: no good replica, the
        // failover is aborted (-failover-abort-no-good-slave).
        rep.failover_started = false;
        rep.unreachable_since_ms = None;
        let text = "sentinel: no replica can be promoted (priority 0 or none): failover aborted";
        sim.ctx.note(Who::Server, Note::Text(text.into()));
        return;
    };
    let replica = rep.replicas.remove(i);
    rep.drop_in_flight();
    rep.failover_started = false;
    rep.unreachable_since_ms = None;
    if rep.partitioned && sim.ctx.redis.up {
        let name = replica.name.clone();
        rep.pending_promotion = Some(replica);
        let mut text = format!(
            "sentinel promotes {name}; the old primary, still partitioned, keeps accepting writes"
        );
        text.push_str(&super::reconf::start(sim));
        sim.ctx.note(Who::Server, Note::Text(text));
        return;
    }
    let old_up = sim.ctx.redis.up;
    // A primary that came back after the failover started is demoted now:
    // whatever it accepted meanwhile is discarded too.
    if old_up {
        let now_held = primary_messages(sim);
        sim.crash_snapshot
            .get_or_insert_with(Default::default)
            .extend(now_held);
    }
    let name = replica.name.clone();
    sim.ctx.count("redis.failovers", 1);
    sim.ctx.replication.promoted_at(replica.applied_offset);
    take_over(sim, replica);
    let lost = account_rollback(sim);
    let mut text = format!("{name} promoted to primary: {lost} acknowledged message(s) missing");
    text.push_str(&super::reconf::start(sim));
    if old_up {
        add_old_primary(sim);
        text.push_str("; the old primary is demoted to a replica (full resync)");
    } else {
        sim.ctx.replication.old_primary_replaced = true;
    }
    sim.ctx.note(Who::Server, Note::Text(text));
}

/// The promoted replica becomes the primary node: its dataset, its disk.
fn take_over(sim: &mut Simulation, replica: super::replicas::Replica) {
    let unix = sim.ctx.unix_ms();
    let persistence = replica
        .persistence
        .clone()
        .unwrap_or_else(|| sim.ctx.replication.primary_persistence.clone());
    let rdb = replica.rdb.map(|(db, _)| (db, replica.last_save_s));
    let disk = super::redis::OwnDisk {
        persistence,
        aof_base: replica.aof_base,
        aof: replica.aof,
        rdb,
    };
    sim.ctx.redis.adopt(replica.db, disk, unix);
    sim.ctx.redis_epoch += 1;
    sim.break_blocked_reads();
}

/// The old primary rejoins as a replica of the current one: Sentinel
/// reconfigures it (sentinel.c sentinelRefreshInstanceInfo, "+convert-to-slave"),
/// and as its history diverged it copies the whole dataset.
fn add_old_primary(sim: &mut Simulation) {
    sim.ctx.count("redis.full_resyncs", 1);
    let seed = sim.seed();
    let now = sim.ctx.now_ms;
    let ms = primary_sync_ms(sim);
    let rep = &mut sim.ctx.replication;
    rep.add_demoted(
        OLD_PRIMARY,
        &sim.ctx.redis.db,
        seed,
        ms,
        now,
        &mut sim.ctx.queue,
    );
}

/// How long a full resync from the current primary takes (resync.rs).
pub fn primary_sync_ms(sim: &Simulation) -> u64 {
    let keys = super::faults::stream_keys(sim);
    super::resync::sync_ms(sim.ctx.replication.full_sync_ms, &sim.ctx.redis.db, &keys)
}

/// Every running replica reconnects to the current primary by itself
/// (replication.c replicationCron); returns a summary.
fn resync_all(sim: &mut Simulation) -> String {
    let now = sim.ctx.now_ms;
    let ms = primary_sync_ms(sim);
    let mut parts = Vec::new();
    for i in 0..sim.ctx.replication.replicas.len() {
        if !sim.ctx.replication.replicas[i].up {
            continue;
        }
        let rep = &mut sim.ctx.replication;
        let how = rep.resync(i, &sim.ctx.redis.db, ms, now, &mut sim.ctx.queue);
        let name = rep.replicas[i].name.clone();
        parts.push(super::reconf::count_resync(sim, &name, how));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join(", "))
    }
}

/// The partition heals.
pub fn heal(sim: &mut Simulation) {
    sim.ctx.replication.partitioned = false;
    let Some(replica) = sim.ctx.replication.pending_promotion.take() else {
        let cancelled = super::sentinel::primary_reachable(sim);
        sim.crash_snapshot = None;
        let mut text = String::from("the partition heals");
        if cancelled {
            text.push_str(" before down-after: no failover");
        }
        text.push_str(&resync_all(sim));
        sim.ctx.note(Who::Server, Note::Text(text));
        return;
    };
    sim.crash_snapshot = Some(primary_messages(sim));
    let name = replica.name.clone();
    sim.ctx.count("redis.failovers", 1);
    // The old primary's writes during the partition are not the new
    // primary's history: its backlog ends where the promoted replica was.
    sim.ctx.replication.promoted_at(replica.applied_offset);
    take_over(sim, replica);
    let lost = account_rollback(sim);
    let text = format!(
        "partition heals: {name} is the primary, the old primary is demoted (full resync), {lost} acknowledged message(s) discarded"
    );
    // The replicas on the majority side were pointed at the new primary
    // when it was promoted (reconf.rs): they follow it already.
    add_old_primary(sim);
    sim.ctx.note(Who::Server, Note::Text(text));
}

/// The old primary, replaced while it was down, starts again: it comes back
/// as a replica of the new primary and its own data is discarded.
pub fn rejoin_old_primary(sim: &mut Simulation) -> String {
    sim.ctx.replication.old_primary_replaced = false;
    add_old_primary(sim);
    "the old primary restarts and rejoins as a replica of the new primary (full resync; its own data is discarded)".into()
}

/// Marks acknowledged messages present before the fault and absent now as
/// log-lost; returns how many are missing.
pub fn account_rollback(sim: &mut Simulation) -> usize {
    let Some(before) = sim.crash_snapshot.take() else {
        return 0;
    };
    let after = primary_messages(sim);
    let now = sim.ctx.now_ms;
    let mut n = 0;
    for m in before.difference(&after) {
        if sim
            .ctx
            .ledger_redis
            .history(*m)
            .is_some_and(|h| h.acked_ms.is_some())
        {
            sim.ctx.ledger_redis.log_lost(*m, now);
            n += 1;
        }
    }
    n
}
