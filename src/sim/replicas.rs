//! Asynchronous replication, the backlog and min-replicas (WAIT: wait.rs; failover: sentinel.rs, failover.rs).
//!
//! ```text
//!   primary effects (offset 1, 2, 3 ...) ──ship──▶ replica.inbox: [(apply_at_ms, argv, offset)]
//!                                                        │ apply_at = max(prev apply_at, t + lag)
//!                                                        ▼ (never reordered, never backwards)
//!                                                   replica.db  applied_offset
//!
//!   every effect also goes into the backlog (backlog.rs, repl-backlog-size bytes)
//!
//!   link lost (partition) ─▶ replicas receive nothing; on heal each one continues
//!                   from its offset out of the backlog (partial resync) or, when
//!                   the backlog no longer reaches back that far, copies the dataset
//!                   (resync.rs; a copy takes `full_sync_ms`, then the buffered tail)
//!   promotion (sentinel.rs) ─▶ Sentinel points the other replicas at the new
//!                   primary, parallel-syncs at a time (reconf.rs; PSYNC2)
//!   replica crash / restart ─▶ it loads its own AOF or RDB and reconnects
//!                   (replica_disk.rs)
//! ```
//!
//! Each replica keeps its own disk with its own settings (the primary's
//! unless its spec sets `persistence`): an AOF (a base image plus the
//! effects applied since) and an RDB file (the image of its last full
//! resync, or of a save point). A promoted replica restarts from its own
//! disk, never from the old primary's.
//!
//! A write is in the replica's dataset once applied; acks (REPLCONF ACK) are
//! modelled as "applied", which is when WAIT counts it.

use super::backlog::Backlog;
use super::ctx::{Event, ServerTimer};
use super::queue::{EventClass, EventQueue};
use super::rng::SimRng;
use crate::engine::{Argv, Db, Effects, ExecContext, Session};
use crate::scenario::schema::{Lag, MinReplicas, Persistence, ReplicaSpec, SentinelSpec};
use std::collections::VecDeque;

/// One replica.
#[derive(Clone, Debug)]
pub struct Replica {
    /// Node name.
    pub name: String,
    /// Its dataset.
    pub db: Db,
    pub(super) lag: Lag,
    /// Lag currently applied to new writes.
    pub lag_ms: u64,
    pub(super) resample_ms: u64,
    pub(super) ack_period_ms: u64,
    pub(super) inbox: VecDeque<(u64, Argv, u64)>,
    /// Replication offset applied so far (one unit per effect).
    pub applied_offset: u64,
    pub(super) apply_scheduled: bool,
    pub(super) rng: SimRng,
    pub(super) session: Session,
    /// `replica-priority` (0: never promoted).
    pub priority: u64,
    /// The run ID Sentinel compares last (40 hex digits, drawn from the seed
    /// as Redis draws it at start from /dev/urandom).
    pub run_id: String,
    /// Its own AOF: the image of the last full resync (if any) ...
    pub aof_base: Option<Db>,
    /// ... and every effect applied since (kept only with `appendonly`).
    pub aof: Vec<Argv>,
    /// Its own `appendonly` / `save` settings; `None`: the primary's.
    pub persistence: Option<Persistence>,
    /// Its RDB file: the image and the replication offset saved with it
    /// (rdb.c rdbPopulateSaveInfo), from a full resync or a save point.
    pub rdb: Option<(Db, u64)>,
    /// Changes since its last RDB save (what its save points count).
    pub dirty: u64,
    /// Unix seconds of its last RDB save (or of its start).
    pub last_save_s: u64,
    /// The process runs (a `ReplicaCrash` stops it).
    pub up: bool,
    /// Connected to the primary it follows: shipped effects reach it. Off
    /// while it is down or waits for Sentinel to point it at a new primary.
    pub linked: bool,
    /// A full resync under way: the image arrives at `done_at_ms` with its
    /// offset; until then the replica keeps (and serves) what it had.
    pub loading: Option<Loading>,
    /// It knows the replication offset of its dataset and may PSYNC; off
    /// after a restart from an AOF or from nothing, until a full copy.
    pub offset_known: bool,
}

/// A full resync's RDB on its way to a replica.
#[derive(Clone, Debug)]
pub struct Loading {
    /// When the replica has loaded it.
    pub done_at_ms: u64,
    /// The primary's dataset when the RDB was made.
    pub image: Db,
    /// The replication offset of that image.
    pub offset: u64,
}

/// How a replica caught up after losing its link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resync {
    /// Continued from the backlog: this many effects re-sent.
    Partial(u64),
    /// Copied the primary's whole dataset.
    Full,
}

/// Where one replica stands, for a viewer (offsets count effects).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaPosition<'a> {
    /// Node name.
    pub name: &'a str,
    /// Effects applied so far; the primary has shipped `Replication::offset`.
    pub applied_offset: u64,
    /// Effects shipped to it and not applied yet (on the wire, lagging).
    pub in_flight: usize,
    /// Lag applied to new writes now.
    pub lag_ms: u64,
}

/// All replicas and the failover state.
#[derive(Clone, Debug, Default)]
pub struct Replication {
    /// The replicas, in declaration order.
    pub replicas: Vec<Replica>,
    /// Effects shipped so far.
    pub offset: u64,
    /// The primary is cut off from replicas and sentinel.
    pub partitioned: bool,
    /// Virtual ms of the last replica ack the primary received.
    last_ack_ms: u64,
    min_replicas: Option<MinReplicas>,
    /// Sentinel settings.
    pub sentinel: Option<SentinelSpec>,
    pub(super) start_unix_ms: u64,
    /// Clients blocked in WAIT (wait.rs).
    pub waiters: Vec<super::wait::Waiter>,
    /// Replica promoted while the old primary was partitioned: it takes
    /// over at heal time, when the old primary is demoted.
    pub pending_promotion: Option<Replica>,
    /// The primary stopped answering Sentinel at this virtual ms.
    pub unreachable_since_ms: Option<u64>,
    /// The failover started (objectively down): it will promote.
    pub failover_started: bool,
    /// The old primary is down and was replaced: when it restarts it comes
    /// back as a replica of the new one.
    pub old_primary_replaced: bool,
    /// The recent replication stream.
    pub(super) backlog: Backlog,
    /// The primary's persistence: a replica without its own uses it.
    pub primary_persistence: Persistence,
    /// `full_sync_ms` of the scenario (unset: from the dataset's size).
    pub full_sync_ms: Option<u64>,
    /// Replicas Sentinel has still to point at the new primary (reconf.rs),
    /// in the order it will.
    pub awaiting_reconf: Vec<String>,
    /// Replicas pointed at the new primary whose sync Sentinel has not
    /// yet seen done (at most `parallel-syncs`).
    pub reconf_in_progress: u64,
    /// Replicas attached when the partition cut the primary off: it still
    /// counts them until their last ack grows too old (it cannot know that
    /// one of them was promoted on the other side).
    attached_at_cut: u64,
    /// The link of the first declared replica `(lag, resample_ms,
    /// ack_period_ms)`: a demoted old primary replicates over the same kind
    /// of link.
    pub(super) link: Option<(Lag, u64, u64)>,
}

impl Replication {
    /// Builds the replicas of a scenario.
    pub fn new(
        specs: &[ReplicaSpec],
        min_replicas: Option<MinReplicas>,
        sentinel: Option<SentinelSpec>,
        root: &SimRng,
        start_unix_ms: u64,
        backlog_bytes: u64,
    ) -> Replication {
        let replicas: Vec<Replica> = specs
            .iter()
            .map(|s| {
                let mut rng = root.fork(&format!("replica:{}", s.name));
                let lag_ms = draw_lag(s.lag, &mut rng);
                // A separate stream, so that adding run IDs left every lag
                // draw of existing scenarios where it was.
                let mut id_rng = root.fork(&format!("runid:{}", s.name));
                let run_id = (0..5).fold(String::new(), |acc, _| {
                    acc + &format!("{:08x}", id_rng.next_u64() as u32)
                });
                Replica {
                    priority: s.priority,
                    run_id,
                    aof_base: None,
                    aof: Vec::new(),
                    persistence: s.persistence.clone(),
                    rdb: None,
                    dirty: 0,
                    last_save_s: start_unix_ms / 1000,
                    up: true,
                    linked: true,
                    loading: None,
                    offset_known: true,
                    name: s.name.clone(),
                    db: Db::new(),
                    lag: s.lag,
                    lag_ms,
                    resample_ms: s.resample_ms.max(1),
                    ack_period_ms: s.ack_period_ms.max(1),
                    inbox: VecDeque::new(),
                    applied_offset: 0,
                    apply_scheduled: false,
                    rng,
                    // The replication link: Redis obeys what its master
                    // sends (`MAXLEN = n LIMIT l` included).
                    session: Session {
                        from_master: true,
                        ..Session::default()
                    },
                }
            })
            .collect();
        Replication {
            replicas,
            min_replicas,
            sentinel,
            start_unix_ms,
            backlog: Backlog::new(backlog_bytes),
            link: specs
                .first()
                .map(|s| (s.lag, s.resample_ms.max(1), s.ack_period_ms.max(1))),
            ..Replication::default()
        }
    }

    /// Every replica's applied position, in declaration order.
    pub fn positions(&self) -> Vec<ReplicaPosition<'_>> {
        self.replicas
            .iter()
            .map(|r| ReplicaPosition {
                name: &r.name,
                applied_offset: r.applied_offset,
                in_flight: r.inbox.len(),
                lag_ms: r.lag_ms,
            })
            .collect()
    }

    /// Virtual ms of the last replica ack the primary received.
    pub fn last_ack_ms(&self) -> u64 {
        self.last_ack_ms
    }

    /// Timers to start with: lag resampling for random lags.
    pub fn initial_timers(&self, queue: &mut EventQueue<Event>) {
        for (i, r) in self.replicas.iter().enumerate() {
            if matches!(r.lag, Lag::Uniform(..)) {
                queue.push(
                    r.resample_ms,
                    EventClass::ServerTimer,
                    0,
                    Event::Server(ServerTimer::ReplicaResample(i as u32)),
                );
            }
        }
    }

    /// Sends the primary's effects towards every replica.
    pub fn ship(&mut self, effects: Vec<Argv>, now_ms: u64, queue: &mut EventQueue<Event>) {
        // replication.c createReplicationBacklog: a primary makes its
        // backlog when the first replica attaches; with none (a scenario
        // without replicas, or after the only one was promoted) there is
        // nothing to resync and nothing is kept.
        let keep_backlog = !self.replicas.is_empty();
        for argv in effects {
            self.offset += 1;
            if !self.partitioned {
                for i in 0..self.replicas.len() {
                    if self.replicas[i].linked {
                        self.send(i, argv.clone(), self.offset, now_ms, queue);
                    }
                }
            }
            // Last, so it keeps the command itself rather than a copy.
            if keep_backlog {
                self.backlog.push(self.offset, argv);
            }
        }
    }

    /// Puts one effect on replica `i`'s link: applied `lag` ms from now,
    /// never before the one ahead of it.
    pub(super) fn send(
        &mut self,
        i: usize,
        argv: Argv,
        offset: u64,
        now_ms: u64,
        q: &mut EventQueue<Event>,
    ) {
        let r = &mut self.replicas[i];
        // What arrives during a full resync waits in the primary's output
        // buffer for that replica until the RDB is loaded.
        let loaded = r.loading.as_ref().map_or(0, |l| l.done_at_ms);
        let floor = r.inbox.back().map_or(0, |e| e.0).max(loaded);
        let at = (now_ms + r.lag_ms).max(floor);
        r.inbox.push_back((at, argv, offset));
        if !r.apply_scheduled {
            r.apply_scheduled = true;
            q.push(
                at,
                EventClass::ServerTimer,
                0,
                Event::Server(ServerTimer::ReplicaApply(i as u32)),
            );
        }
    }

    /// Applies everything due on replica `i`; returns how many effects.
    pub fn apply_due(&mut self, i: usize, now_ms: u64, queue: &mut EventQueue<Event>) -> usize {
        let start = self.start_unix_ms;
        let Some(appendonly) = self.disk(i).map(|p| p.appendonly) else {
            return 0;
        };
        let r = &mut self.replicas[i];
        r.apply_scheduled = false;
        if r.loading.as_ref().is_some_and(|l| l.done_at_ms <= now_ms) {
            super::resync::finish_loading(r, appendonly, start + now_ms);
        }
        let mut n = 0;
        while r.loading.is_none() && r.inbox.front().is_some_and(|e| e.0 <= now_ms) {
            if let Some((_, argv, offset)) = r.inbox.pop_front() {
                // A replica's own effects go nowhere (its AOF keeps what
                // it received, below), so they are not built.
                let ctx = ExecContext {
                    effects: Effects::Skip,
                    ..ExecContext::at(start + now_ms)
                };
                let ex = r.db.execute(&mut r.session, &argv, &ctx);
                r.dirty += ex.dirty;
                r.applied_offset = offset;
                if appendonly {
                    r.aof.push(argv);
                }
                n += 1;
            }
        }
        let next = r.loading.as_ref().map(|l| l.done_at_ms);
        if let Some(at) = next.or_else(|| r.inbox.front().map(|e| e.0)) {
            r.apply_scheduled = true;
            queue.push(
                at,
                EventClass::ServerTimer,
                0,
                Event::Server(ServerTimer::ReplicaApply(i as u32)),
            );
        }
        n
    }

    /// Draws a new lag for replica `i` and schedules the next draw.
    pub fn resample(&mut self, i: usize, now_ms: u64, queue: &mut EventQueue<Event>) -> u64 {
        let Some(r) = self.replicas.get_mut(i) else {
            return 0;
        };
        r.lag_ms = draw_lag(r.lag, &mut r.rng);
        queue.push(
            now_ms + r.resample_ms,
            EventClass::ServerTimer,
            0,
            Event::Server(ServerTimer::ReplicaResample(i as u32)),
        );
        r.lag_ms
    }

    /// The persistence settings of replica `i`: its own, else the primary's.
    pub fn disk(&self, i: usize) -> Option<&Persistence> {
        let r = self.replicas.get(i)?;
        Some(r.persistence.as_ref().unwrap_or(&self.primary_persistence))
    }

    /// Drops everything in flight (the primary died or was cut off): a full
    /// resync under way is aborted too, the replica keeps what it had.
    pub fn drop_in_flight(&mut self) -> usize {
        let mut n = 0;
        for r in &mut self.replicas {
            n += r.inbox.len();
            r.inbox.clear();
            r.loading = None;
            // Replicas are indexed by position and a promotion removes one:
            // a pending apply timer may now point elsewhere, so the next
            // effect schedules its own (a stray timer finds nothing due).
            r.apply_scheduled = false;
        }
        n
    }

    /// The replica Sentinel would promote (see sentinel.rs).
    pub fn best_replica(&self) -> Option<usize> {
        super::sentinel::select_replica(&self.replicas)
    }

    /// The error a write gets under `min-replicas-to-write`, if refused.
    pub fn refuse_write(&mut self, argv: &[Vec<u8>], now_ms: u64) -> Option<String> {
        let rule = self.min_replicas.as_ref()?;
        if !is_write(argv) || rule.to_write == 0 {
            return None;
        }
        if !self.partitioned {
            self.last_ack_ms = self.last_ack_at(now_ms);
        }
        let now_s = (self.start_unix_ms + now_ms) / 1000;
        let ack_s = (self.start_unix_ms + self.last_ack_ms) / 1000;
        // replication.c refreshGoodSlavesCount counts the replicas attached
        // to this primary right now: a promoted replica whose old primary is
        // gone has none.
        let attached = if self.partitioned {
            self.attached_at_cut
        } else {
            // Online ones only: a crashed replica, one still waiting for
            // Sentinel to point it here, or one still loading a full resync
            // (not yet SLAVE_STATE_ONLINE) does not count.
            self.replicas
                .iter()
                .filter(|r| r.up && r.linked && r.loading.is_none())
                .count() as u64
        };
        let good = if now_s.saturating_sub(ack_s) <= rule.max_lag_s {
            attached
        } else {
            0
        };
        (good < rule.to_write).then(|| "NOREPLICAS Not enough good replicas to write.".to_string())
    }

    fn last_ack_at(&self, now_ms: u64) -> u64 {
        let period = self.replicas.first().map_or(1000, |r| r.ack_period_ms);
        now_ms - now_ms % period
    }

    /// Marks the start of a partition (acks stop arriving).
    pub fn start_partition(&mut self, now_ms: u64) {
        self.last_ack_ms = self.last_ack_at(now_ms);
        self.attached_at_cut = self.replicas.len() as u64;
        self.partitioned = true;
    }
}

pub(super) fn draw_lag(lag: Lag, rng: &mut SimRng) -> u64 {
    match lag {
        Lag::Constant(ms) => ms,
        Lag::Uniform(lo, hi) => rng.range_inclusive(lo, hi),
    }
}

/// Commands Redis flags as writes (refused by min-replicas, lost on rollback).
pub fn is_write(argv: &[Vec<u8>]) -> bool {
    let Some(name) = argv.first() else {
        return false;
    };
    const WRITES: [&[u8]; 9] = [
        b"XADD",
        b"XACK",
        b"XCLAIM",
        b"XAUTOCLAIM",
        b"XGROUP",
        b"XTRIM",
        b"XDEL",
        b"XREADGROUP",
        b"XSETID",
    ];
    WRITES.iter().any(|w| name.eq_ignore_ascii_case(w))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One replica `r1` with `lag` (also used by resync.rs's tests).
    pub(crate) fn one_replica(lag: Lag) -> Replication {
        let spec = ReplicaSpec {
            name: "r1".into(),
            lag,
            resample_ms: 1000,
            ack_period_ms: 1000,
            priority: 100,
            persistence: None,
        };
        Replication::new(&[spec], None, None, &SimRng::from_seed(1), 0, 1 << 20)
    }

    fn argv(s: &str) -> Argv {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    #[test]
    fn constant_lag_applies_in_order_at_t_plus_lag() {
        let mut rep = one_replica(Lag::Constant(250));
        let mut q = EventQueue::new();
        rep.ship(vec![argv("XADD s 1-0 m 1")], 0, &mut q);
        rep.ship(vec![argv("XADD s 2-0 m 2")], 10, &mut q);
        assert_eq!(rep.apply_due(0, 249, &mut q), 0);
        assert_eq!(rep.apply_due(0, 250, &mut q), 1);
        assert_eq!(rep.replicas[0].applied_offset, 1);
        assert_eq!(rep.apply_due(0, 260, &mut q), 1);
        assert_eq!(rep.replicas[0].applied_offset, 2);
    }

    #[test]
    fn lag_drop_never_reorders() {
        let mut rep = one_replica(Lag::Constant(400));
        let mut q = EventQueue::new();
        rep.ship(vec![argv("A")], 0, &mut q);
        rep.replicas[0].lag_ms = 50;
        rep.ship(vec![argv("B")], 10, &mut q);
        let times: Vec<u64> = rep.replicas[0].inbox.iter().map(|e| e.0).collect();
        assert_eq!(times, vec![400, 400]);
    }

    #[test]
    fn min_replicas_refuses_after_max_lag_seconds_without_acks() {
        let mut rep = one_replica(Lag::Constant(250));
        rep.min_replicas = Some(MinReplicas {
            to_write: 1,
            max_lag_s: 10,
        });
        assert!(rep.refuse_write(&argv("XADD s * m 1"), 60_005).is_none());
        rep.start_partition(60_005);
        assert!(rep.refuse_write(&argv("XADD s * m 1"), 70_990).is_none());
        assert!(rep.refuse_write(&argv("XADD s * m 1"), 71_000).is_some());
        assert!(rep.refuse_write(&argv("XLEN s"), 71_000).is_none());
    }
}
