//! Consumer groups, consumers and the pending entries lists.
//!
//! ```text
//!   Group "g"  last_id = 7-0   entries_read = 7 (-1 = unknown)
//!   ├─ pel: 3-0 ─▶ PendingEntry { delivery_ms, delivery_count, owner: #1 }
//!   │       5-0 ─▶ PendingEntry { .., owner: #2 }
//!   │       6-0 ─▶ PendingEntry { .., owner: #1 }
//!   └─ consumers
//!        "alice" #1  pel {3-0, 6-0}   seen_ms
//!        "bob"   #2  pel {5-0}        seen_ms
//! ```
//!
//! As in Redis, the group PEL holds every pending ID and each consumer's
//! PEL holds its own subset of the same records: a record lives once, in
//! the group PEL, and names its owner; the consumer PEL is the index
//! that makes "this consumer's pending entries" cheap. Invariant: the
//! group PEL is the disjoint union of the consumer PELs, and each record's
//! owner holds its ID.

use std::collections::BTreeMap;

use super::StreamId;
use super::pel::{IdSet, Pel, PendingEntry};

/// Stable handle of a consumer inside its group (never reused).
pub type ConsumerHandle = u32;

/// `entries_read` value meaning "unknown" (Redis's SCG_INVALID_ENTRIES_READ).
pub const ENTRIES_READ_INVALID: i64 = -1;

/// One consumer of a group.
#[derive(Clone, Debug, Default)]
pub struct Consumer {
    /// The name clients use.
    pub name: Vec<u8>,
    /// Last time the consumer was seen by a read or claim (Unix ms).
    pub seen_ms: u64,
    /// IDs of the group PEL records this consumer owns (kept equal to the
    /// group's records with this owner by [`Group`]'s methods).
    pel: IdSet,
}

impl Consumer {
    /// IDs of the group PEL records this consumer owns.
    pub fn pel(&self) -> &IdSet {
        &self.pel
    }
}

/// A consumer group.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// Last ID delivered to the group (`last-delivered-id`).
    pub last_id: StreamId,
    /// Logical read counter (`entries-read`), -1 when unknown.
    pub entries_read: i64,
    /// Every pending entry of the group. Private: every record must also
    /// sit in its owner's PEL, which only the methods below keep true.
    pel: Pel,
    consumers: BTreeMap<ConsumerHandle, Consumer>,
    names: BTreeMap<Vec<u8>, ConsumerHandle>,
    next_handle: ConsumerHandle,
}

impl Group {
    /// A group positioned at `last_id`.
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            ..Group::default()
        }
    }

    /// Number of consumers.
    pub fn consumer_count(&self) -> u64 {
        self.names.len() as u64
    }

    /// Consumers in name order (how XINFO lists them).
    pub fn consumers(&self) -> impl Iterator<Item = (ConsumerHandle, &Consumer)> {
        self.names
            .values()
            .filter_map(|h| self.consumers.get(h).map(|c| (*h, c)))
    }

    /// Looks a consumer up by name.
    pub fn lookup(&self, name: &[u8]) -> Option<ConsumerHandle> {
        self.names.get(name).copied()
    }

    /// The consumer behind a handle.
    pub fn consumer(&self, handle: ConsumerHandle) -> Option<&Consumer> {
        self.consumers.get(&handle)
    }

    /// Mutable access to a consumer.
    pub fn consumer_mut(&mut self, handle: ConsumerHandle) -> Option<&mut Consumer> {
        self.consumers.get_mut(&handle)
    }

    /// Name of the consumer behind a handle (empty if unknown).
    pub fn consumer_name(&self, handle: ConsumerHandle) -> &[u8] {
        self.consumers
            .get(&handle)
            .map(|c| c.name.as_slice())
            .unwrap_or(b"")
    }

    /// Every pending entry of the group.
    pub fn pel(&self) -> &Pel {
        &self.pel
    }

    /// The group PEL with no invariant kept: only for tests that break a
    /// record on purpose to see the invariant checker fail.
    #[doc(hidden)]
    pub fn pel_mut_unchecked(&mut self) -> &mut Pel {
        &mut self.pel
    }

    /// A pending `id` was handed out again (a history read): its delivery
    /// time moves to `now_ms` and its count goes up. False if not pending.
    pub fn redelivered(&mut self, id: StreamId, now_ms: u64) -> bool {
        match self.pel.get_mut(id) {
            Some(p) => {
                p.delivery_ms = now_ms;
                p.delivery_count += 1;
                true
            }
            None => false,
        }
    }

    /// Creates a consumer; `None` when the name exists already.
    pub fn create_consumer(&mut self, name: &[u8], now_ms: u64) -> Option<ConsumerHandle> {
        if self.names.contains_key(name) {
            return None;
        }
        let handle = self.next_handle;
        self.next_handle += 1;
        self.names.insert(name.to_vec(), handle);
        self.consumers.insert(
            handle,
            Consumer {
                name: name.to_vec(),
                seen_ms: now_ms,
                pel: IdSet::default(),
            },
        );
        Some(handle)
    }

    /// Looks up or creates a consumer, returning its handle.
    pub fn lookup_or_create(&mut self, name: &[u8], now_ms: u64) -> ConsumerHandle {
        match self.lookup(name) {
            Some(h) => h,
            None => self.create_consumer(name, now_ms).unwrap_or_default(),
        }
    }

    /// Deletes a consumer and drops its pending entries from the group
    /// PEL; returns how many were pending.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<u64> {
        let handle = self.names.remove(name)?;
        let consumer = self.consumers.remove(&handle)?;
        let pending = consumer.pel.len();
        for id in consumer.pel.iter() {
            self.pel.remove(id);
        }
        Some(pending)
    }

    /// Makes `owner` own `id` with these delivery figures, moving the
    /// record from a previous owner if there is one.
    pub fn assign(
        &mut self,
        id: StreamId,
        owner: ConsumerHandle,
        delivery_ms: u64,
        delivery_count: u64,
    ) {
        if let Some(prev) = self.pel.get(id).map(|p| p.owner) {
            if prev != owner {
                if let Some(c) = self.consumers.get_mut(&prev) {
                    c.pel.remove(id);
                }
            }
        }
        self.pel.insert(
            id,
            PendingEntry {
                delivery_ms,
                delivery_count,
                owner,
            },
        );
        if let Some(c) = self.consumers.get_mut(&owner) {
            c.pel.insert(id);
        }
    }

    /// Removes a pending entry from the group and its owner (XACK).
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(id) {
            Some(p) => {
                if let Some(c) = self.consumers.get_mut(&p.owner) {
                    c.pel.remove(id);
                }
                true
            }
            None => false,
        }
    }
}
