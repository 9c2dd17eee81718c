//! A stream: a radix tree of macro nodes plus the counters Redis keeps.
//!
//! ```text
//!   rax (16-byte big-endian master ID ─▶ Node)
//!     00..01|00..00 ─▶ [1-0 1-1 1-2 ... 1-99]      ◀─ head: trimming frees whole nodes here
//!     00..01|00..64 ─▶ [1-100 (1-101 deleted) ...]    XDEL only flags entries
//!     00..02|00..00 ─▶ [2-0 2-1]                    ◀─ tail: XADD appends here, or opens a
//!                                                       new node when this one is full
//!   length          live entries (tombstones excluded)
//!   last_id         last ID ever generated (XSETID may raise it); never goes down by itself
//!   first_id        first live ID (0-0 when empty), "recorded-first-entry-id"
//!   max_deleted_id  largest ID removed by XDEL (trimming never changes it)
//!   entries_added   count of every XADD ever made
//! ```
//!
//! Node boundaries follow `streamAppendItem` exactly: a new node opens when
//! the tail's `lp_bytes + field/value bytes >= stream-node-max-bytes` or its
//! live + deleted entries reach `stream-node-max-entries`, so
//! `radix-tree-keys` and `radix-tree-nodes` match Redis.

use std::collections::BTreeMap;

use super::StreamId;
use super::group::Group;
use super::node::Node;
use super::rax::{Rax, Seek};

mod read;

/// Redis's hard cap on one listpack (and on one entry's total size).
pub const LISTPACK_MAX_BYTES: u64 = 1 << 30;
/// A new node's listpack is preallocated to at most this many bytes.
const NODE_PREALLOC_MAX_BYTES: u64 = 4096;

/// Node-size settings (`CONFIG SET stream-node-max-*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeLimits {
    /// `stream-node-max-entries`; 0 means no entry limit.
    pub max_entries: u64,
    /// `stream-node-max-bytes`; 0 means the 1 GB hard cap.
    pub max_bytes: u64,
}

impl Default for NodeLimits {
    fn default() -> NodeLimits {
        NodeLimits {
            max_entries: 100,
            max_bytes: 4096,
        }
    }
}

/// One entry as read back: its ID and field/value pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamEntry {
    /// The entry ID.
    pub id: StreamId,
    /// Field/value pairs in insertion order.
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// How a trim decides what goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimStrategy {
    /// Keep at most this many live entries.
    MaxLen(u64),
    /// Drop entries with IDs below this one.
    MinId(StreamId),
}

/// A trim request, as parsed from XADD/XTRIM options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrimArgs {
    /// What to trim by.
    pub strategy: TrimStrategy,
    /// `~`: remove whole nodes only.
    pub approx: bool,
    /// Maximum entries to remove (whole nodes); 0 means unlimited.
    pub limit: u64,
}

/// The stream value stored under a key.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    /// Macro nodes keyed by their master ID in big-endian bytes.
    rax: Rax<Node>,
    /// Live entries. Invariant: equals the sum of the nodes' live counts,
    /// which is why only this file changes it (read it with `length()`).
    length: u64,
    /// Last generated ID (`last-generated-id`).
    pub last_id: StreamId,
    /// First live ID, or 0-0 when empty (`recorded-first-entry-id`).
    pub first_id: StreamId,
    /// Largest ID deleted by XDEL (`max-deleted-entry-id`).
    pub max_deleted_id: StreamId,
    /// XADDs ever made (`entries-added`).
    pub entries_added: u64,
    /// Consumer groups by name.
    pub groups: BTreeMap<Vec<u8>, Group>,
    /// Master ID of the last node in the tree (where XADD appends), cached
    /// so appends skip a search. Invariant: equals the rax's last key.
    tail_master: Option<StreamId>,
    /// Where the tail node sits in the rax ([`Rax::value_slot`]), so an
    /// append or a read of new entries does not walk the tree for it (a
    /// quarter of an XADD). Valid until the rax changes shape: every insert
    /// and remove below forgets it, and the next append finds it again.
    tail_slot: Option<u32>,
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Stream {
        Stream::default()
    }

    /// A stream rebuilt from a DUMP payload: nodes inserted in ID order
    /// as RDB loading inserts them. The caller checked that `length` is
    /// the nodes' live total; the other counters are public fields.
    pub fn from_nodes(nodes: Vec<Node>, length: u64) -> Stream {
        let mut s = Stream::new();
        for node in nodes {
            s.rax.insert(&node.master_id().to_be_bytes(), node);
        }
        s.tail_master = s.rax.last().and_then(|(k, _)| StreamId::from_be_bytes(&k));
        s.length = length;
        s
    }

    /// Number of macro nodes (`radix-tree-keys`).
    pub fn radix_tree_keys(&self) -> u64 {
        self.rax.len()
    }

    /// Number of rax nodes (`radix-tree-nodes`).
    pub fn radix_tree_nodes(&self) -> u64 {
        self.rax.node_count()
    }

    /// The radix tree, read-only, for introspection.
    pub fn rax(&self) -> &Rax<Node> {
        &self.rax
    }

    /// The cached master ID of the node XADD appends to (read-only, for
    /// the invariant checker).
    pub fn tail_master(&self) -> Option<StreamId> {
        self.tail_master
    }

    /// True when the cached tail slot (if any) is where the tail node is
    /// (for the invariant checker).
    pub fn tail_slot_current(&self) -> bool {
        self.tail_slot.is_none()
            || self.tail_slot
                == self
                    .tail_master
                    .and_then(|m| self.rax.value_slot(&m.to_be_bytes()))
    }

    /// Appends an entry whose ID the caller already validated
    /// (`id > last_id`). Mirrors the node-selection rules of `streamAppendItem`.
    pub fn append(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])], limits: NodeLimits) {
        let payload_bytes: u64 = pairs.iter().map(|(f, v)| (f.len() + v.len()) as u64).sum();
        let mut max_bytes = limits.max_bytes;
        if max_bytes == 0 || max_bytes > LISTPACK_MAX_BYTES {
            max_bytes = LISTPACK_MAX_BYTES;
        }
        if self.tail_slot.is_none() {
            self.tail_slot = self
                .tail_master
                .and_then(|m| self.rax.value_slot(&m.to_be_bytes()));
        }
        let tail_node = self.tail_slot.and_then(|slot| self.rax.value_at_mut(slot));
        let appended = match tail_node {
            Some(node) => {
                let too_big = node.lp_bytes() as u64 + payload_bytes >= max_bytes;
                let too_many =
                    limits.max_entries != 0 && node.live() + node.deleted() >= limits.max_entries;
                if too_big || too_many {
                    // The old tail is closed: give its spare capacity back, as
                    // Redis shrinks a listpack when it stops growing.
                    node.shrink_to_fit();
                    false
                } else {
                    node.append(id, pairs);
                    true
                }
            }
            None => false,
        };
        if !appended {
            let mut prealloc = NODE_PREALLOC_MAX_BYTES;
            if limits.max_bytes > 0 && limits.max_bytes < prealloc {
                prealloc = limits.max_bytes;
            }
            let node = Node::new(id, pairs, prealloc as usize);
            self.rax.insert(&id.to_be_bytes(), node);
            self.tail_slot = None;
            // Redis always appends to the last node of the tree. The new
            // node is usually it, but not when XSETID lowered the top of
            // a stream whose tombstoned nodes are still there.
            self.tail_master = self
                .rax
                .last()
                .and_then(|(k, _)| StreamId::from_be_bytes(&k));
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
    }

    /// Live entries (XLEN).
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Overwrites the live-entry count with no check: only for tests that
    /// break the invariant on purpose to see the checker fail.
    #[doc(hidden)]
    pub fn set_length_unchecked(&mut self, length: u64) {
        self.length = length;
    }

    /// ID of the last live entry (`streamLastValidID`), 0-0 when empty.
    pub fn last_live_id(&self) -> StreamId {
        // Almost always the tail node holds it: look there first, without
        // an iterator over the tree (every XREADGROUP > asks).
        let tail = match self.tail_slot {
            Some(slot) => self.rax.value_at(slot),
            None => self
                .tail_master
                .and_then(|m| self.rax.get(&m.to_be_bytes())),
        };
        if let Some(id) = tail.and_then(Node::last_live) {
            return id;
        }
        for (_, node) in self.rax.iter_rev() {
            if let Some(id) = node.last_live() {
                return id;
            }
        }
        StreamId::MIN
    }

    /// First entry ID including tombstones, or MAX when there are no nodes
    /// (`streamGetEdgeID(first, skip_tombstones = 0)`).
    pub fn first_id_with_tombstones(&self) -> StreamId {
        self.rax
            .first()
            .and_then(|(_, node)| node.iter().next().map(|e| e.id))
            .unwrap_or(StreamId::MAX)
    }

    fn first_live_id(&self) -> StreamId {
        for (_, node) in self.rax.iter() {
            if let Some(id) = node.first_live() {
                return id;
            }
        }
        StreamId::MAX
    }

    /// Flags one entry deleted (`streamDeleteItem`); frees its node when no
    /// live entry remains. Does not touch `first_id`/`max_deleted_id`:
    /// XDEL maintains those itself.
    pub fn delete_entry(&mut self, id: StreamId) -> bool {
        let Some((key, _)) = self.rax.seek(Seek::Le, &id.to_be_bytes()) else {
            return false;
        };
        let Some(node) = self.rax.get_mut(&key) else {
            return false;
        };
        if !node.mark_deleted(id) {
            return false;
        }
        if node.live() == 0 {
            self.rax.remove(&key);
            self.tail_slot = None;
            if StreamId::from_be_bytes(&key) == self.tail_master {
                self.tail_master = self
                    .rax
                    .last()
                    .and_then(|(k, _)| StreamId::from_be_bytes(&k));
            }
        }
        self.length -= 1;
        true
    }

    /// XDEL of several IDs with Redis's bookkeeping; returns how many went.
    pub fn xdel(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_entry = false;
        for &id in ids {
            if self.delete_entry(id) {
                if id == self.first_id {
                    first_entry = true;
                }
                if id > self.max_deleted_id {
                    self.max_deleted_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first_entry {
                self.first_id = self.first_live_id();
            }
        }
        deleted
    }

    /// Trims from the head (`streamTrim`); returns the entries removed.
    pub fn trim(&mut self, args: TrimArgs) -> u64 {
        let mut removed: u64 = 0;
        while let Some(node) = self.rax.first_value() {
            // A node's key is its master ID: no need to build it from the tree.
            let key = node.master_id().to_be_bytes();
            if let TrimStrategy::MaxLen(max_len) = args.strategy {
                if self.length <= max_len {
                    break;
                }
            }
            let live = node.live();
            if args.limit != 0 && removed + live > args.limit {
                break;
            }
            let remove_node = match args.strategy {
                TrimStrategy::MaxLen(max_len) => self.length - live >= max_len,
                TrimStrategy::MinId(min_id) => {
                    // Redis reads the node's last entry, tombstone or not.
                    node.iter_rev()
                        .next()
                        .map(|e| e.id < min_id)
                        .unwrap_or(true)
                }
            };
            if remove_node {
                self.rax.remove(&key);
                self.tail_slot = None;
                if self.rax.is_empty() {
                    self.tail_master = None;
                }
                self.length -= live;
                removed += live;
                continue;
            }
            if args.approx {
                break;
            }
            // Exact trimming flags entries inside the first node that stays.
            let to_flag: Vec<StreamId> = {
                let mut ids = Vec::new();
                let mut length = self.length;
                for e in node.iter() {
                    let stop = match args.strategy {
                        TrimStrategy::MaxLen(max_len) => length <= max_len,
                        TrimStrategy::MinId(min_id) => e.id >= min_id,
                    };
                    if stop {
                        break;
                    }
                    if !e.deleted {
                        ids.push(e.id);
                        length -= 1;
                    }
                }
                ids
            };
            if let Some(node) = self.rax.get_mut(&key) {
                for id in &to_flag {
                    node.mark_deleted(*id);
                }
            }
            self.length -= to_flag.len() as u64;
            removed += to_flag.len() as u64;
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if removed > 0 {
            self.first_id = self.first_live_id();
        }
        removed
    }

    /// Sum of the nodes' listpack sizes, for MEMORY USAGE.
    pub fn nodes_lp_bytes(&self) -> Vec<usize> {
        self.rax.iter().map(|(_, node)| node.lp_bytes()).collect()
    }
}
