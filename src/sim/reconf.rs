//! Sentinel points the other replicas at a new primary, `parallel-syncs` at a time.
//!
//! ```text
//!   promotion at t ──▶ every other running replica waits, unlinked (it
//!        │             gets nothing from anyone), in declaration order
//!        ▼
//!   up to parallel-syncs of them: SLAVEOF <new primary> ──▶ PSYNC (resync.rs):
//!        │   behind it: the tail from the backlog, keeping what they applied;
//!        │   ahead of it, or the tail gone: a full resync (sync_ms)
//!        ▼
//!   Sentinel's next INFO of that replica (every 1 000 ms while a failover
//!   runs) after its link is up ──▶ reconf done ──▶ the next one gets SLAVEOF
//! ```
//!
//! sentinel.c sentinelFailoverReconfNextSlave sends SLAVEOF to at most
//! `parallel_syncs` replicas in state RECONF_SENT or RECONF_INPROG;
//! sentinelRefreshInstanceInfo moves one to RECONF_DONE on the first INFO
//! reply that names the new primary with `master_link_status:up` (both
//! steps can happen on one reply), and sentinelSendPeriodicCommands polls a
//! replica's INFO every 1 000 ms while its master is in failover. Sentinel
//! walks its replica dict in hash order; the model uses declaration order.
//!
//! During a partition the promoted replica waits for the heal to take
//! clients (failover.rs), but the replicas on its side are reconfigured at
//! once, against its dataset and offset: they keep what they applied.

use super::ctx::{Event, ServerTimer};
use super::faults::stream_keys;
use super::queue::EventClass;
use super::replicas::Resync;
use super::simulation::Simulation;
use super::trace::{Note, Who};

/// How often Sentinel reads a replica's INFO while a failover runs
/// (sentinel.c sentinelSendPeriodicCommands: `info_period = 1000`).
pub const INFO_PERIOD_MS: u64 = 1000;

/// A promotion just happened: every other running replica waits for its
/// SLAVEOF, the first `parallel-syncs` get it now. Returns what they did.
pub fn start(sim: &mut Simulation) -> String {
    let rep = &mut sim.ctx.replication;
    rep.reconf_in_progress = 0;
    rep.awaiting_reconf.clear();
    for r in &mut rep.replicas {
        r.linked = false;
        if r.up {
            rep.awaiting_reconf.push(r.name.clone());
        }
    }
    let parts = next(sim);
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join(", "))
    }
}

/// Sentinel saw one reconfigured replica done: the next ones get SLAVEOF.
pub fn done(sim: &mut Simulation) {
    let rep = &mut sim.ctx.replication;
    rep.reconf_in_progress = rep.reconf_in_progress.saturating_sub(1);
    let parts = next(sim);
    if !parts.is_empty() {
        let text = format!(
            "sentinel reconfigures the next replica: {}",
            parts.join(", ")
        );
        sim.ctx.note(Who::Server, Note::Text(text));
    }
}

/// Sends SLAVEOF to waiting replicas while fewer than `parallel-syncs` are
/// syncing; each describes itself as "name partial resync (n from the
/// backlog)" or "name full resync".
fn next(sim: &mut Simulation) -> Vec<String> {
    let now = sim.ctx.now_ms;
    let parallel = sim
        .ctx
        .replication
        .sentinel
        .as_ref()
        .map_or(1, |s| s.parallel_syncs.max(1));
    let keys = stream_keys(sim);
    let mut parts = Vec::new();
    while sim.ctx.replication.reconf_in_progress < parallel
        && !sim.ctx.replication.awaiting_reconf.is_empty()
    {
        let name = sim.ctx.replication.awaiting_reconf.remove(0);
        let rep = &mut sim.ctx.replication;
        let Some(i) = rep.replicas.iter().position(|r| r.name == name && r.up) else {
            continue;
        };
        let configured = rep.full_sync_ms;
        // The new primary: the one taking clients, or the one promoted on
        // the far side of a partition, which has not yet.
        let (how, sync_ms) = match rep.pending_promotion.take() {
            Some(p) => {
                let ms = super::resync::sync_ms(configured, &p.db, &keys);
                let how = rep.resync_to(i, &p.db, p.applied_offset, ms, now, &mut sim.ctx.queue);
                rep.pending_promotion = Some(p);
                (how, ms)
            }
            None => {
                let ms = super::resync::sync_ms(configured, &sim.ctx.redis.db, &keys);
                let how = rep.resync(i, &sim.ctx.redis.db, ms, now, &mut sim.ctx.queue);
                (how, ms)
            }
        };
        parts.push(count_resync(sim, &name, how));
        let rep = &mut sim.ctx.replication;
        rep.reconf_in_progress += 1;
        // Only a replica someone waits behind needs Sentinel's verdict.
        if !rep.awaiting_reconf.is_empty() {
            let synced_ms = if how == Resync::Full { sync_ms } else { 0 };
            let polls = synced_ms.div_ceil(INFO_PERIOD_MS).max(1);
            sim.ctx.queue.push(
                now + polls * INFO_PERIOD_MS,
                EventClass::ServerTimer,
                0,
                Event::Server(ServerTimer::ReconfDone),
            );
        }
    }
    let waiting = sim.ctx.replication.awaiting_reconf.len();
    if waiting > 0 && !parts.is_empty() {
        parts.push(format!(
            "{waiting} more wait their turn (parallel-syncs {parallel})"
        ));
    }
    parts
}

/// Counts one resync and words it.
pub fn count_resync(sim: &mut Simulation, name: &str, how: Resync) -> String {
    match how {
        Resync::Partial(n) => {
            sim.ctx.count("redis.partial_resyncs", 1);
            format!("{name} partial resync ({n} from the backlog)")
        }
        Resync::Full => {
            sim.ctx.count("redis.full_resyncs", 1);
            format!("{name} full resync")
        }
    }
}
