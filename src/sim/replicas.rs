//! Asynchronous replication, WAIT, min-replicas and Sentinel-style failover.
//!
//! ```text
//!   primary effects (offset 1, 2, 3 ...) ──ship──▶ replica.inbox: [(apply_at_ms, argv, offset)]
//!                                                        │ apply_at = max(prev apply_at, t + lag)
//!                                                        ▼ (never reordered, never backwards)
//!                                                   replica.db  applied_offset
//!
//!   primary crash ─▶ (down_after_ms + failover_ms) ─▶ promote the replica with the
//!                   highest applied offset; its unapplied inbox is gone (the lost window)
//!   partition      ─▶ replicas receive nothing; the old primary keeps accepting writes
//!                   until it is demoted at heal time, when its dataset is discarded
//! ```
//!
//! A write is in the replica's dataset once applied; acks (REPLCONF ACK) are
//! modelled as "applied", which is when WAIT counts it.

use super::ctx::{Event, ServerTimer};
use super::queue::{EventClass, EventQueue};
use super::rng::SimRng;
use crate::engine::{Argv, Db, ExecContext, Reply, Session};
use crate::scenario::schema::{Lag, MinReplicas, ReplicaSpec, SentinelSpec};
use std::collections::VecDeque;

/// One replica.
#[derive(Clone, Debug)]
pub struct Replica {
    /// Node name.
    pub name: String,
    /// Its dataset.
    pub db: Db,
    lag: Lag,
    /// Lag currently applied to new writes.
    pub lag_ms: u64,
    resample_ms: u64,
    ack_period_ms: u64,
    inbox: VecDeque<(u64, Argv, u64)>,
    /// Replication offset applied so far (one unit per effect).
    pub applied_offset: u64,
    apply_scheduled: bool,
    rng: SimRng,
    session: Session,
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
    start_unix_ms: u64,
    /// Extra delay of the last WAIT reply, for the caller.
    pub wait_delay_ms: u64,
    /// Replicas the primary counts for min-replicas-to-write. A promotion
    /// does not change it: the demoted node comes back as a replica.
    known_replicas: u64,
    /// Database promoted while partitioned, installed at heal time.
    pub pending_promotion: Option<Db>,
}

impl Replication {
    /// Builds the replicas of a scenario.
    pub fn new(
        specs: &[ReplicaSpec],
        min_replicas: Option<MinReplicas>,
        sentinel: Option<SentinelSpec>,
        root: &SimRng,
        start_unix_ms: u64,
    ) -> Replication {
        let replicas: Vec<Replica> = specs
            .iter()
            .map(|s| {
                let mut rng = root.fork(&format!("replica:{}", s.name));
                let lag_ms = draw_lag(s.lag, &mut rng);
                Replica {
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
            known_replicas: replicas.len() as u64,
            replicas,
            min_replicas,
            sentinel,
            start_unix_ms,
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
    pub fn ship(&mut self, effects: &[Argv], now_ms: u64, queue: &mut EventQueue<Event>) {
        for argv in effects {
            self.offset += 1;
            if self.partitioned {
                continue;
            }
            for (i, r) in self.replicas.iter_mut().enumerate() {
                let floor = r.inbox.back().map_or(0, |e| e.0);
                let at = (now_ms + r.lag_ms).max(floor);
                r.inbox.push_back((at, argv.clone(), self.offset));
                if !r.apply_scheduled {
                    r.apply_scheduled = true;
                    queue.push(
                        at,
                        EventClass::ServerTimer,
                        0,
                        Event::Server(ServerTimer::ReplicaApply(i as u32)),
                    );
                }
            }
        }
    }

    /// Applies everything due on replica `i`; returns how many effects.
    pub fn apply_due(&mut self, i: usize, now_ms: u64, queue: &mut EventQueue<Event>) -> usize {
        let start = self.start_unix_ms;
        let Some(r) = self.replicas.get_mut(i) else {
            return 0;
        };
        r.apply_scheduled = false;
        let mut n = 0;
        while r.inbox.front().is_some_and(|e| e.0 <= now_ms) {
            if let Some((_, argv, offset)) = r.inbox.pop_front() {
                r.db.execute(&mut r.session, &argv, &ExecContext::at(start + now_ms));
                r.applied_offset = offset;
                n += 1;
            }
        }
        if let Some(&(at, _, _)) = r.inbox.front() {
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

    /// Drops everything in flight (the primary died or was cut off).
    pub fn drop_in_flight(&mut self) -> usize {
        let mut n = 0;
        for r in &mut self.replicas {
            n += r.inbox.len();
            r.inbox.clear();
        }
        n
    }

    /// The replica a sentinel would promote: highest applied offset, then
    /// declaration order.
    pub fn best_replica(&self) -> Option<usize> {
        (0..self.replicas.len()).max_by_key(|&i| (self.replicas[i].applied_offset, usize::MAX - i))
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
        let good = if now_s.saturating_sub(ack_s) <= rule.max_lag_s {
            self.known_replicas
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
        self.partitioned = true;
    }

    /// `WAIT numreplicas timeout`: the reply and, in `wait_delay_ms`, how
    /// long the client waits for it.
    pub fn wait_reply(&mut self, argv: &[Vec<u8>], now_ms: u64) -> Reply {
        let parse = |i: usize| {
            argv.get(i)
                .and_then(|a| std::str::from_utf8(a).ok())
                .and_then(|s| s.parse::<u64>().ok())
        };
        let (Some(want), Some(timeout_ms)) = (parse(1), parse(2)) else {
            return Reply::err("ERR wrong number of arguments for 'wait' command");
        };
        let target = self.offset;
        let mut done_at: Vec<u64> = self
            .replicas
            .iter()
            .filter_map(|r| {
                if r.applied_offset >= target {
                    Some(now_ms)
                } else if self.partitioned {
                    None
                } else {
                    r.inbox.iter().find(|e| e.2 >= target).map(|e| e.0)
                }
            })
            .collect();
        done_at.sort_unstable();
        let deadline = if timeout_ms == 0 {
            u64::MAX
        } else {
            now_ms + timeout_ms
        };
        let (reached, at) = match done_at.get((want.max(1) - 1) as usize) {
            Some(&t) if want > 0 && t <= deadline => (want, t),
            _ if want == 0 => (
                done_at.iter().filter(|&&t| t <= now_ms).count() as u64,
                now_ms,
            ),
            _ => (
                done_at.iter().filter(|&&t| t <= deadline).count() as u64,
                deadline,
            ),
        };
        self.wait_delay_ms = at.saturating_sub(now_ms);
        Reply::Integer(reached as i64)
    }
}

fn draw_lag(lag: Lag, rng: &mut SimRng) -> u64 {
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
mod tests {
    use super::*;

    fn one_replica(lag: Lag) -> Replication {
        let spec = ReplicaSpec {
            name: "r1".into(),
            lag,
            resample_ms: 1000,
            ack_period_ms: 1000,
        };
        Replication::new(&[spec], None, None, &SimRng::from_seed(1), 0)
    }

    fn argv(s: &str) -> Argv {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    #[test]
    fn constant_lag_applies_in_order_at_t_plus_lag() {
        let mut rep = one_replica(Lag::Constant(250));
        let mut q = EventQueue::new();
        rep.ship(&[argv("XADD s 1-0 m 1")], 0, &mut q);
        rep.ship(&[argv("XADD s 2-0 m 2")], 10, &mut q);
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
        rep.ship(&[argv("A")], 0, &mut q);
        rep.replicas[0].lag_ms = 50;
        rep.ship(&[argv("B")], 10, &mut q);
        let times: Vec<u64> = rep.replicas[0].inbox.iter().map(|e| e.0).collect();
        assert_eq!(times, vec![400, 400]);
    }

    #[test]
    fn wait_returns_when_replica_applies_or_times_out() {
        let mut rep = one_replica(Lag::Constant(250));
        let mut q = EventQueue::new();
        rep.ship(&[argv("A")], 100, &mut q);
        assert_eq!(rep.wait_reply(&argv("WAIT 1 1000"), 100), Reply::Integer(1));
        assert_eq!(rep.wait_delay_ms, 250);
        assert_eq!(rep.wait_reply(&argv("WAIT 1 100"), 100), Reply::Integer(0));
        assert_eq!(rep.wait_delay_ms, 100);
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
