//! Replication and persistence at one step, and what a crash *now* would
//! cost, worked out on copies of the nodes exactly as the fault would.
//!
//! ```text
//!   Durability
//!     ├─ primary       up, offset shipped, AOF (records: in memory / written / fsynced),
//!     │                RDB (last save, changes since)
//!     ├─ replicas[]    applied offset, records behind, in flight, lag
//!     ├─ crash_now[]   "process crash, restart from disk" ─▶ N messages gone
//!     │                "power loss, restart from disk"    ─▶ N
//!     │                "fail over to r1 (Sentinel's pick)" ─▶ N
//!     └─ ledger        log lost and phantom so far (after a crash or failover)
//! ```
//!
//! A message counts when its entry (field `m`) is in the primary's
//! streams now and would not be in the node that serves afterwards: the
//! producer got its OK, so losing it loses an acknowledged write.

use crate::scenario::schema::{CrashMode, Fsync};
use crate::sim::Simulation;
use crate::sim::faults::{messages_of, stream_keys};
use crate::sim::ledger::LedgerSummary;

/// One replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaRow {
    pub name: String,
    pub applied_offset: u64,
    /// Records the primary shipped that it has not applied.
    pub behind: u64,
    pub in_flight: usize,
    pub lag_ms: u64,
}

/// What one fault now would lose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhatIfCrash {
    pub label: String,
    /// Acknowledged messages the next serving node would not have.
    pub messages_lost: u64,
}

/// The replication and persistence panel's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durability {
    pub redis_up: bool,
    /// `appendonly yes, appendfsync everysec; save 60 1000`.
    pub persistence: String,
    pub primary_offset: u64,
    pub partitioned: bool,
    pub aof_records: usize,
    pub aof_written: usize,
    pub aof_synced: usize,
    pub rdb_saved_unix_s: Option<u64>,
    pub dirty: u64,
    pub replicas: Vec<ReplicaRow>,
    /// Empty while the primary is down (nothing to crash).
    pub crash_now: Vec<WhatIfCrash>,
    pub messages_on_primary: u64,
    pub log_lost: u64,
    pub phantom: u64,
    /// The first [`LISTED_MESSAGES`] log-lost and phantom message numbers.
    pub log_lost_msgs: Vec<u64>,
    pub phantom_msgs: Vec<u64>,
}

/// Message numbers listed per kind at most.
pub const LISTED_MESSAGES: usize = 20;

impl Durability {
    /// Works it out for `sim` (copies the primary: call it for the panel
    /// on screen only).
    pub fn of(sim: &Simulation, ledger: &LedgerSummary) -> Durability {
        let node = &sim.ctx.redis;
        let p = node.persistence();
        let mut persistence = if p.appendonly {
            let policy = match p.appendfsync {
                Fsync::Always => "always",
                Fsync::EverySec => "everysec",
                Fsync::No => "no",
            };
            format!("appendonly yes, appendfsync {policy}")
        } else {
            "appendonly no".to_string()
        };
        if p.save.is_empty() {
            persistence.push_str("; no save points (no RDB)");
        } else {
            let points: Vec<String> = p.save.iter().map(|(s, c)| format!("{s} {c}")).collect();
            persistence.push_str(&format!("; save {}", points.join(" ")));
        }
        let shipped = sim.ctx.replication.offset;
        let replicas = sim
            .ctx
            .replication
            .positions()
            .iter()
            .map(|r| ReplicaRow {
                name: r.name.to_string(),
                applied_offset: r.applied_offset,
                behind: shipped.saturating_sub(r.applied_offset),
                in_flight: r.in_flight,
                lag_ms: r.lag_ms,
            })
            .collect();
        let keys = stream_keys(sim);
        let on_primary = messages_of(&node.db, &keys);
        let mut crash_now = Vec::new();
        if node.up {
            let unix = sim.ctx.unix_ms();
            for (label, mode) in [
                ("process crash, restart from disk", CrashMode::Process),
                ("power loss, restart from disk", CrashMode::PowerLoss),
            ] {
                let mut copy = node.clone();
                copy.crash(mode);
                copy.restart(unix);
                let after = messages_of(&copy.db, &keys);
                crash_now.push(WhatIfCrash {
                    label: label.to_string(),
                    messages_lost: on_primary.difference(&after).count() as u64,
                });
            }
            if let Some(best) = sim.ctx.replication.best_replica()
                && let Some(r) = sim.ctx.replication.replicas.get(best)
            {
                let after = messages_of(&r.db, &keys);
                crash_now.push(WhatIfCrash {
                    label: format!("primary dies, {} is promoted", r.name),
                    messages_lost: on_primary.difference(&after).count() as u64,
                });
            }
        }
        // Which messages, not only how many: scanned only when some are.
        let (mut log_lost_msgs, mut phantom_msgs) = (Vec::new(), Vec::new());
        if ledger.log_lost > 0 {
            for (m, h) in sim.ctx.ledger_redis.histories() {
                // Counted as the ledger's summary counts them: acknowledged only.
                if h.log_lost_ms.is_none() || h.acked_ms.is_none() {
                    continue;
                }
                if log_lost_msgs.len() < LISTED_MESSAGES {
                    log_lost_msgs.push(m);
                }
                let phantom = !h.completions.is_empty();
                if phantom && phantom_msgs.len() < LISTED_MESSAGES {
                    phantom_msgs.push(m);
                }
            }
        }
        Durability {
            redis_up: node.up,
            persistence,
            primary_offset: shipped,
            partitioned: sim.ctx.replication.partitioned,
            aof_records: node.aof_len(),
            aof_written: node.aof_written_len(),
            aof_synced: node.aof_synced_len(),
            rdb_saved_unix_s: node.rdb_saved_unix_s(),
            dirty: node.dirty_changes(),
            replicas,
            crash_now,
            messages_on_primary: on_primary.len() as u64,
            log_lost: ledger.log_lost,
            phantom: ledger.phantom,
            log_lost_msgs,
            phantom_msgs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, parse_scenario};
    use crate::sim::{RunOptions, Simulation};
    use std::sync::Arc;

    fn sim_at(prefix: &str, until_ms: u64) -> Simulation {
        let (file, text) = builtin::ALL
            .iter()
            .find(|(f, _)| f.starts_with(prefix))
            .unwrap();
        let s = Arc::new(parse_scenario(file, text).unwrap());
        let mut sim = Simulation::new(
            s,
            RunOptions {
                until_ms: Some(until_ms),
                ..RunOptions::default()
            },
        );
        sim.run();
        sim
    }

    /// S09b (AOF everysec): just before its process crash at 89 750 ms a
    /// process crash loses nothing acknowledged, while a power loss loses
    /// what the last second's fsync has not reached, as the run then shows.
    #[test]
    fn everysec_loses_nothing_to_a_process_crash_and_up_to_a_second_to_power_loss() {
        let sim = sim_at("s09b_", 89_749);
        let d = Durability::of(&sim, &sim.ledger_view().redis.summary());
        assert!(d.persistence.contains("everysec"), "{}", d.persistence);
        let lost = |label: &str| {
            d.crash_now
                .iter()
                .find(|c| c.label.starts_with(label))
                .map(|c| c.messages_lost)
                .unwrap()
        };
        assert_eq!(lost("process crash"), 0);
        assert!(lost("power loss") > 0, "{d:?}");
        assert!(d.aof_synced <= d.aof_written && d.aof_written <= d.aof_records);
    }

    /// S08: with a lagging replica, a failover now loses what the
    /// replica has not applied; the run's own crash says the same number.
    #[test]
    fn a_failover_now_loses_what_the_promoted_replica_lacks() {
        let (file, text) = builtin::ALL
            .iter()
            .find(|(f, _)| f.starts_with("s08_"))
            .unwrap();
        let s = parse_scenario(file, text).unwrap();
        let crash_ms = s
            .faults
            .iter()
            .find_map(|f| match f.when {
                crate::scenario::schema::When::At(t) => Some(t),
                _ => None,
            })
            .unwrap();
        let sim = sim_at("s08_", crash_ms - 1);
        let d = Durability::of(&sim, &sim.ledger_view().redis.summary());
        let failover = d
            .crash_now
            .iter()
            .find(|c| c.label.contains("promoted"))
            .unwrap();
        assert!(failover.messages_lost > 0, "{d:?}");
        assert!(d.replicas.iter().any(|r| r.behind > 0), "{d:?}");
        // After the run's failover the lost messages are named, as many as
        // the ledger counts (up to the list's length).
        let end = sim_at("s08_", u64::MAX);
        let summary = end.ledger_view().redis.summary();
        let after = Durability::of(&end, &summary);
        assert!(after.log_lost > 0, "{after:?}");
        assert_eq!(
            after.log_lost_msgs.len() as u64,
            after.log_lost.min(LISTED_MESSAGES as u64)
        );
        assert_eq!(
            after.phantom_msgs.len() as u64,
            after.phantom.min(LISTED_MESSAGES as u64)
        );
    }
}
