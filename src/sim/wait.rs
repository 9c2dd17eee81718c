//! WAIT: a client blocks until enough replicas acknowledged its own writes.
//!
//! ```text
//!   XADD ─▶ the client's offset (woff) = the primary's offset after it
//!   WAIT n t ─┬─ already n replicas at ≥ woff (or n = 0) ─▶ reply now with the count
//!             └─ else blocked ─▶ a replica applies up to woff ─▶ count ≥ n ─▶ reply now
//!                                t ms pass (t > 0)           ─▶ reply the count then
//! ```
//!
//! replication.c waitCommand / processClientsWaitingReplicas: the reply
//! is the number of replicas whose acknowledged offset reaches the
//! client's `woff` at the moment it is sent, which may be fewer than asked:
//! WAIT is best effort and says nothing about a failover that comes later.
//! Acks are modelled as "applied" (the GETACK that WAIT triggers makes
//! replicas report at once).

use super::replicas::Replication;

/// A client blocked in WAIT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// Actor index.
    pub actor: u32,
    /// Its generation (a crash makes the wake-up stale).
    pub generation: u32,
    /// Which of its WAITs this is.
    pub seq: u64,
    /// The offset its writes reached.
    pub woff: u64,
    /// Replicas asked for.
    pub want: u64,
}

/// How a WAIT call went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitCall {
    /// Answered at once with this count.
    Now(u64),
    /// Blocked: the answer comes from [`satisfied`] or at the timeout.
    Blocked,
}

/// Replicas whose applied offset reaches `woff`.
pub fn acked(rep: &Replication, woff: u64) -> u64 {
    if rep.partitioned {
        // Acks cannot cross the partition: only what arrived before counts,
        // and nothing arrives; treat the cut replicas as silent.
        return 0;
    }
    rep.replicas
        .iter()
        // Only replicas connected to this primary ack (a crashed one, or one
        // waiting for Sentinel to point it here, sends nothing).
        .filter(|r| r.up && r.linked && r.applied_offset >= woff)
        .count() as u64
}

/// waitCommand: answer now when `want` replicas (or none) are asked and
/// already there; else block the client.
pub fn call(rep: &mut Replication, waiter: Waiter) -> WaitCall {
    let have = acked(rep, waiter.woff);
    if waiter.want == 0 || have >= waiter.want {
        return WaitCall::Now(have);
    }
    rep.waiters.push(waiter);
    WaitCall::Blocked
}

/// processClientsWaitingReplicas: the blocked clients whose `want` is now
/// reached, taken off the list with their count.
pub fn satisfied(rep: &mut Replication) -> Vec<(Waiter, u64)> {
    let mut done = Vec::new();
    let mut i = 0;
    while i < rep.waiters.len() {
        let have = acked(rep, rep.waiters[i].woff);
        if have >= rep.waiters[i].want {
            done.push((rep.waiters.remove(i), have));
        } else {
            i += 1;
        }
    }
    done
}

/// The timeout of WAIT `seq` of `actor`: if it is still blocked, it is
/// answered with the count at this moment (replication.c
/// replyToBlockedClientTimedOut); `None` when it was answered already.
pub fn timed_out(rep: &mut Replication, actor: u32, seq: u64) -> Option<u64> {
    let i = rep
        .waiters
        .iter()
        .position(|w| w.actor == actor && w.seq == seq)?;
    let w = rep.waiters.remove(i);
    Some(acked(rep, w.woff))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::{Lag, ReplicaSpec};
    use crate::sim::queue::EventQueue;
    use crate::sim::rng::SimRng;

    fn two_replicas() -> Replication {
        let spec = |n: &str, lag| ReplicaSpec {
            name: n.into(),
            lag: Lag::Constant(lag),
            resample_ms: 1000,
            ack_period_ms: 1000,
            priority: 100,
            persistence: None,
        };
        Replication::new(
            &[spec("r1", 100), spec("r2", 300)],
            None,
            None,
            &SimRng::from_seed(1),
            0,
            1 << 20,
        )
    }

    fn waiter(seq: u64, woff: u64, want: u64) -> Waiter {
        Waiter {
            actor: 0,
            generation: 0,
            seq,
            woff,
            want,
        }
    }

    #[test]
    fn wait_returns_when_the_clients_offset_is_acked_or_with_the_count_at_timeout() {
        let mut rep = two_replicas();
        let mut q = EventQueue::new();
        rep.ship(vec![vec![b"XADD".to_vec()]], 0, &mut q);
        assert_eq!(call(&mut rep, waiter(1, 1, 2)), WaitCall::Blocked);
        rep.apply_due(0, 100, &mut q);
        assert!(satisfied(&mut rep).is_empty(), "one of two");
        // The timeout comes before r2 applies: the answer is 1.
        assert_eq!(timed_out(&mut rep, 0, 1), Some(1));
        assert_eq!(timed_out(&mut rep, 0, 1), None, "answered once");
        assert_eq!(call(&mut rep, waiter(2, 1, 2)), WaitCall::Blocked);
        rep.apply_due(1, 300, &mut q);
        let done = satisfied(&mut rep);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].1, 2);
    }

    #[test]
    fn wait_counts_the_clients_own_offset_not_later_writes() {
        let mut rep = two_replicas();
        let mut q = EventQueue::new();
        rep.ship(vec![vec![b"A".to_vec()]], 0, &mut q);
        rep.ship(vec![vec![b"B".to_vec()]], 50, &mut q);
        rep.apply_due(0, 100, &mut q);
        // r1 has A (offset 1) but not B: a client whose last write was A
        // is satisfied by r1 alone.
        assert_eq!(call(&mut rep, waiter(1, 1, 1)), WaitCall::Now(1));
        assert_eq!(call(&mut rep, waiter(2, 2, 1)), WaitCall::Blocked);
        assert_eq!(call(&mut rep, waiter(3, 2, 0)), WaitCall::Now(0));
    }
}
