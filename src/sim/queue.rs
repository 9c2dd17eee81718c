//! The event queue: what happens next, in a total, documented order.
//!
//! ```text
//!   key = (time_ms, class, lane, seq)
//!          │        │      │     └─ insertion counter: FIFO among equal keys
//!          │        │      └─ actor declaration index (0 for faults/timers)
//!          │        └─ Fault(0) < ServerTimer(1) < Actor(2)
//!          └─ virtual milliseconds since the scenario start
//!
//!   pop() always returns the smallest key; time never moves backwards.
//! ```
//!
//! The tie-break at equal times is the one scenarios are written against:
//! faults first (a crash at t happens before anything else at t), then the
//! server's own timers (fsync, replication apply, failover), then actors in
//! the order the scenario declares them.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Which group an event belongs to at equal times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventClass {
    /// Scheduled faults (crash, restart, partition...).
    Fault = 0,
    /// Server-internal timers (fsync, replication, sentinel).
    ServerTimer = 1,
    /// Client actors, in declaration order.
    Actor = 2,
}

/// The total order of events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventKey {
    /// When the event fires, in virtual ms.
    pub time_ms: u64,
    /// Tie-break group.
    pub class: EventClass,
    /// Actor index within the class (declaration order).
    pub lane: u32,
    /// Insertion sequence.
    pub seq: u64,
}

#[derive(Clone, Debug)]
struct Slot<E> {
    key: EventKey,
    event: E,
}

impl<E> PartialEq for Slot<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Slot<E> {}
impl<E> PartialOrd for Slot<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Slot<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// A min-queue of events ordered by [`EventKey`].
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Slot<E>>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time_ms`; returns its key.
    pub fn push(&mut self, time_ms: u64, class: EventClass, lane: u32, event: E) -> EventKey {
        let key = EventKey {
            time_ms,
            class,
            lane,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.heap.push(Reverse(Slot { key, event }));
        key
    }

    /// The key of the next event, if any.
    pub fn peek_key(&self) -> Option<EventKey> {
        self.heap.peek().map(|r| r.0.key)
    }

    /// Removes and returns the next event.
    pub fn pop(&mut self) -> Option<(EventKey, E)> {
        self.heap.pop().map(|r| (r.0.key, r.0.event))
    }

    /// Number of events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_class_then_lane_then_fifo() {
        let mut q = EventQueue::new();
        q.push(10, EventClass::Actor, 1, "actor1@10");
        q.push(10, EventClass::Actor, 0, "actor0@10-a");
        q.push(5, EventClass::Actor, 3, "actor3@5");
        q.push(10, EventClass::ServerTimer, 0, "timer@10");
        q.push(10, EventClass::Fault, 0, "fault@10");
        q.push(10, EventClass::Actor, 0, "actor0@10-b");
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(
            order,
            [
                "actor3@5",
                "fault@10",
                "timer@10",
                "actor0@10-a",
                "actor0@10-b",
                "actor1@10"
            ]
        );
    }

    #[test]
    fn peek_matches_pop_and_len_tracks() {
        let mut q = EventQueue::new();
        assert!(q.is_empty());
        q.push(3, EventClass::Actor, 0, 1);
        q.push(1, EventClass::Actor, 0, 2);
        assert_eq!(q.len(), 2);
        let k = q.peek_key().unwrap();
        let (k2, e) = q.pop().unwrap();
        assert_eq!(k, k2);
        assert_eq!((k.time_ms, e), (1, 2));
    }
}
