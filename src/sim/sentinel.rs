//! Sentinel: when an unreachable primary is failed over, and which replica wins.
//!
//! ```text
//!   primary unreachable (crash, shutdown, partition) at t0
//!        │  back before t0 + down_after_ms ──▶ nothing happens (the outage is forgotten)
//!        ▼
//!   t0 + down_after_ms: still unreachable ──▶ objectively down, failover starts
//!        │  (not undone: a primary back now is demoted when the promotion lands)
//!        ▼
//!   + failover_ms ──▶ promote: replica-priority (lowest non-zero), then the
//!                     largest replication offset, then the smallest run ID
//! ```
//!
//! Sentinel's own chatter (PINGs every second, the quorum vote, the start
//! desync, the INFO poll that sees the new role) is folded into the two
//! documented delays `down_after_ms` and `failover_ms`.

use super::ctx::{Event, ServerTimer};
use super::queue::EventClass;
use super::replicas::Replica;
use super::simulation::Simulation;
use super::trace::{Note, Who};

/// The primary stopped answering Sentinel now (crash, shutdown, partition):
/// arm the down-after check unless an outage is already being timed.
pub fn primary_unreachable(sim: &mut Simulation) {
    let now = sim.ctx.now_ms;
    let rep = &mut sim.ctx.replication;
    let Some(s) = &rep.sentinel else {
        return;
    };
    if rep.replicas.is_empty() || rep.unreachable_since_ms.is_some() {
        return;
    }
    rep.unreachable_since_ms = Some(now);
    let at = now + s.down_after_ms;
    sim.ctx.queue.push(
        at,
        EventClass::ServerTimer,
        0,
        Event::Server(ServerTimer::SentinelCheck),
    );
}

/// The primary answers again (restart, heal). Before the failover started
/// this cancels it: sentinel.c sentinelCheckSubjectivelyDown clears SDOWN
/// as soon as a PING is answered, and a master that is not ODOWN is never
/// failed over (sentinelStartFailoverIfNeeded). Returns true if an outage
/// was being timed and is now forgotten.
pub fn primary_reachable(sim: &mut Simulation) -> bool {
    let rep = &mut sim.ctx.replication;
    if rep.failover_started {
        return false;
    }
    rep.unreachable_since_ms.take().is_some()
}

/// The down-after check: still unreachable for `down_after_ms`, the master
/// is objectively down and the failover starts (sentinelCheckSubjectivelyDown:
/// `elapsed > down_after_period`; with one voter the quorum is reached at
/// once). Once started it runs to the end: sentinelFailoverStateMachine
/// never looks at the master's health again.
pub fn check(sim: &mut Simulation) {
    let now = sim.ctx.now_ms;
    let rep = &mut sim.ctx.replication;
    let (Some(since), Some(s)) = (rep.unreachable_since_ms, rep.sentinel.clone()) else {
        return;
    };
    // A timer left from an earlier outage that was cancelled.
    if rep.failover_started || now < since + s.down_after_ms {
        return;
    }
    rep.failover_started = true;
    sim.ctx.queue.push(
        now + s.failover_ms,
        EventClass::ServerTimer,
        0,
        Event::Server(ServerTimer::Promote),
    );
    let text = format!(
        "sentinel: primary unreachable for {} ms, objectively down; failover starts (promotion in {} ms)",
        s.down_after_ms, s.failover_ms
    );
    sim.ctx.note(Who::Server, Note::Text(text));
}

/// The replica Sentinel promotes, as sentinel.c sentinelSelectSlave and
/// compareSlavesForPromotion choose: priority 0 is never chosen, nor a
/// replica that is down (S_DOWN); then the lowest priority, the largest
/// replication offset, the smallest run ID.
pub fn select_replica(replicas: &[Replica]) -> Option<usize> {
    (0..replicas.len())
        .filter(|&i| replicas[i].priority > 0 && replicas[i].up)
        .min_by(|&a, &b| {
            let (ra, rb) = (&replicas[a], &replicas[b]);
            ra.priority
                .cmp(&rb.priority)
                .then(rb.applied_offset.cmp(&ra.applied_offset))
                .then(ra.run_id.cmp(&rb.run_id))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::{Lag, ReplicaSpec};
    use crate::sim::replicas::Replication;
    use crate::sim::rng::SimRng;

    fn replicas(prio: &[u64]) -> Vec<Replica> {
        let specs: Vec<ReplicaSpec> = prio
            .iter()
            .enumerate()
            .map(|(i, &p)| ReplicaSpec {
                name: format!("r{}", i + 1),
                lag: Lag::Constant(0),
                resample_ms: 1000,
                ack_period_ms: 1000,
                priority: p,
                persistence: None,
            })
            .collect();
        Replication::new(&specs, None, None, &SimRng::from_seed(1), 0, 1 << 20).replicas
    }

    #[test]
    fn priority_zero_is_never_promoted_even_when_ahead() {
        let mut r = replicas(&[0, 100]);
        r[0].applied_offset = 10;
        r[1].applied_offset = 5;
        assert_eq!(select_replica(&r), Some(1));
        assert_eq!(select_replica(&replicas(&[0, 0])), None);
    }

    #[test]
    fn lower_priority_beats_a_larger_offset() {
        let mut r = replicas(&[100, 10]);
        r[0].applied_offset = 10;
        r[1].applied_offset = 5;
        assert_eq!(select_replica(&r), Some(1));
    }

    #[test]
    fn equal_priority_takes_the_largest_offset_then_the_smallest_run_id() {
        let mut r = replicas(&[100, 100]);
        r[0].applied_offset = 5;
        r[1].applied_offset = 10;
        assert_eq!(select_replica(&r), Some(1));
        r[0].applied_offset = 10;
        let smaller = if r[0].run_id < r[1].run_id { 0 } else { 1 };
        assert_eq!(select_replica(&r), Some(smaller));
    }
}
