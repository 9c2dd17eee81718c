//! The model's own event queue, keyed so that replays are identical.
//!
//! ```text
//!   BTreeMap<(t_ms, class, seq), Ev>
//!              │     │      └─ insertion order: FIFO among equal (t, class)
//!              │     └─ Fault < Timer < Actor < Settle
//!              └─ virtual time
//! ```
//!
//! The order inside one millisecond follows the scenario convention:
//! faults, then internal timers (heartbeats, session expiry, replication,
//! leader election), then actors (producers, consumer polls and processing).
//! `Settle` comes last: a rebalance that completes in the same millisecond
//! it is due waits for every member joining in that millisecond, so
//! simultaneous joins share one generation.

use std::collections::BTreeMap;

/// Tie-break class inside one millisecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    Fault = 0,
    Timer = 1,
    Actor = 2,
    Settle = 3,
}

/// One scheduled happening. Consumer events carry the consumer's
/// incarnation so that events from before a crash are recognised and dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ev {
    CrashConsumer {
        c: usize,
    },
    RestartConsumer {
        c: usize,
    },
    HangConsumer {
        c: usize,
        for_ms: u64,
    },
    HangEnd {
        c: usize,
        inc: u64,
    },
    CloseConsumer {
        c: usize,
    },
    CrashMid {
        c: usize,
        inc: u64,
    },
    CrashBroker {
        broker: u32,
    },
    RestartBroker {
        broker: u32,
    },
    CatchUp {
        t: usize,
        p: u32,
        epoch: u64,
        broker: u32,
        upto: u64,
    },
    RestartProducer {
        pi: usize,
    },
    Heartbeat {
        c: usize,
        member: u64,
        inc: u64,
    },
    SessionCheck {
        g: usize,
        member: u64,
        hb_ms: u64,
    },
    MaxPollCheck {
        c: usize,
        inc: u64,
        poll_seq: u64,
    },
    Replicate {
        t: usize,
        p: u32,
        epoch: u64,
        upto: u64,
    },
    Election {
        t: usize,
        p: u32,
        epoch: u64,
    },
    IsrShrink {
        broker: u32,
    },
    Join {
        c: usize,
    },
    Poll {
        c: usize,
        inc: u64,
        token: u64,
    },
    Done {
        c: usize,
        inc: u64,
    },
    ProducerTick {
        pi: usize,
    },
    ProducerRetry {
        pi: usize,
        session: u64,
        partition: u32,
    },
    RebalanceDone {
        g: usize,
        round: u64,
    },
    RetentionCheck,
}

impl Ev {
    pub(crate) fn class(&self) -> Class {
        match self {
            Ev::CrashConsumer { .. }
            | Ev::RestartConsumer { .. }
            | Ev::HangConsumer { .. }
            | Ev::HangEnd { .. }
            | Ev::CloseConsumer { .. }
            | Ev::CrashMid { .. }
            | Ev::CrashBroker { .. }
            | Ev::RestartBroker { .. }
            | Ev::RestartProducer { .. } => Class::Fault,
            Ev::Heartbeat { .. }
            | Ev::SessionCheck { .. }
            | Ev::MaxPollCheck { .. }
            | Ev::Replicate { .. }
            | Ev::Election { .. }
            | Ev::IsrShrink { .. }
            | Ev::RetentionCheck
            | Ev::CatchUp { .. } => Class::Timer,
            Ev::Join { .. }
            | Ev::Poll { .. }
            | Ev::Done { .. }
            | Ev::ProducerTick { .. }
            | Ev::ProducerRetry { .. } => Class::Actor,
            Ev::RebalanceDone { .. } => Class::Settle,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Queue {
    items: BTreeMap<(u64, Class, u64), Ev>,
    next_seq: u64,
}

impl Queue {
    pub(crate) fn push(&mut self, t_ms: u64, ev: Ev) {
        let key = (t_ms, ev.class(), self.next_seq);
        self.next_seq += 1;
        self.items.insert(key, ev);
    }

    pub(crate) fn peek_ms(&self) -> Option<u64> {
        self.items.keys().next().map(|k| k.0)
    }

    /// Removes and returns the first event due at or before `t_ms`.
    pub(crate) fn pop_due(&mut self, t_ms: u64) -> Option<(u64, Ev)> {
        let key = *self.items.keys().next()?;
        if key.0 > t_ms {
            return None;
        }
        self.items.remove(&key).map(|ev| (key.0, ev))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_millisecond_orders_by_class_then_insertion() {
        let mut q = Queue::default();
        q.push(5, Ev::RebalanceDone { g: 0, round: 1 });
        q.push(5, Ev::Join { c: 1 });
        q.push(5, Ev::Join { c: 2 });
        q.push(5, Ev::CrashConsumer { c: 0 });
        q.push(4, Ev::IsrShrink { broker: 1 });
        assert_eq!(q.peek_ms(), Some(4));
        let order: Vec<Ev> = std::iter::from_fn(|| q.pop_due(5).map(|e| e.1)).collect();
        assert_eq!(
            order,
            vec![
                Ev::IsrShrink { broker: 1 },
                Ev::CrashConsumer { c: 0 },
                Ev::Join { c: 1 },
                Ev::Join { c: 2 },
                Ev::RebalanceDone { g: 0, round: 1 },
            ]
        );
        assert_eq!(q.pop_due(100), None);
    }
}
