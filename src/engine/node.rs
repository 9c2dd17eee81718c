//! A stream macro node: one listpack holding a run of entries, laid out as
//! `t_stream.c` (`streamAppendItem`, `streamIteratorGetID`,
//! `streamIteratorRemoveEntry`, `streamTrim`) lays it out.
//!
//! ```text
//!   master entry (written once, when the node is created):
//!   ┌───────┬─────────┬──────────┬────────┬───┬────────┬───┐
//!   │ count │ deleted │ nfields  │ field1 │ … │ fieldN │ 0 │  0 = lp-count of "no entry":
//!   └───────┴─────────┴──────────┴────────┴───┴────────┴───┘  a backward walk stops here
//!     live    tombstones
//!
//!   then one run of elements per entry:
//!   SAMEFIELDS (same field names, same order as the master entry):
//!   ┌───────┬──────────┬───────────┬────────┬───┬────────┬──────────────┐
//!   │ flags │ ms-delta │ seq-delta │ value1 │ … │ valueN │ lp-count=N+3 │
//!   └───────┴──────────┴───────────┴────────┴───┴────────┴──────────────┘
//!   otherwise:
//!   ┌───────┬──────────┬───────────┬─────────┬────┬────┬───┬────┬────┬───────────────┐
//!   │ flags │ ms-delta │ seq-delta │ nfields │ f1 │ v1 │ … │ fN │ vN │ lp-count=2N+4 │
//!   └───────┴──────────┴───────────┴─────────┴────┴────┴───┴────┴────┴───────────────┘
//!   flags: DELETED=1, SAMEFIELDS=2.  deltas: entry ID − master ID, each half
//!   as a wrapping u64 subtraction stored as i64 (seq-delta is negative
//!   whenever the ms part moved on and the seq restarted lower).
//! ```
//!
//! The master ID is the first entry's ID (Redis keeps it in the radix-tree
//! key). Deleting never removes bytes: it sets DELETED and moves one unit
//! from `count` to `deleted`, and those rewrites may change element sizes
//! (127 → 128 takes one more byte). `lp_bytes` is what
//! `stream-node-max-bytes` is checked against, so every size here is exact.

use super::id::StreamId;
use super::listpack::{Element, Listpack, Pos};

pub use super::node_dump::{DumpValue, ElementDump, NodeDump, Role};

/// Entry flag: the entry is a tombstone.
pub const FLAG_DELETED: i64 = 1;
/// Entry flag: field names are the master entry's, only values are stored.
pub const FLAG_SAMEFIELDS: i64 = 2;
/// `STREAM_LISTPACK_MAX_SIZE`: the cap on a node and on one entry's payload.
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;
/// `STREAM_LISTPACK_MAX_PRE_ALLOCATE`: bytes reserved for a new node.
pub const MAX_PREALLOC_BYTES: usize = 4096;

/// One macro node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    lp: Listpack,
    master_id: StreamId,
}

/// An entry found in a node. It stays valid for the node's whole life: its
/// position is kept relative to the master field count element. Only the
/// two counters before that element change size; nothing after it moves,
/// as entries are only appended and flag rewrites keep their size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeEntry {
    pub id: StreamId,
    /// Whether the entry was a tombstone when it was read.
    pub deleted: bool,
    /// Offset of the entry's flags element from the master field count.
    rel: usize,
}

impl Node {
    /// The bytes to preallocate for a new node (`lpNew(prealloc)` in
    /// `streamAppendItem`): 4096, or `stream-node-max-bytes` when smaller.
    pub fn prealloc_bytes(node_max_bytes: usize) -> usize {
        if node_max_bytes > 0 && node_max_bytes < MAX_PREALLOC_BYTES {
            node_max_bytes
        } else {
            MAX_PREALLOC_BYTES
        }
    }

    /// Creates a node whose master entry takes the field names of its first
    /// entry, and adds that entry (ID = `master_id`, SAMEFIELDS).
    pub fn new(master_id: StreamId, pairs: &[(&[u8], &[u8])], prealloc_bytes: usize) -> Node {
        let mut lp = Listpack::with_capacity(prealloc_bytes);
        {
            let mut tail = lp.tail();
            tail.int(1); // count: the entry added below
            tail.int(0); // deleted
            tail.int(pairs.len() as i64);
            for (field, _) in pairs {
                tail.str(field);
            }
            tail.int(0); // master terminator
        }
        let mut node = Node { lp, master_id };
        node.push_entry(master_id, pairs, true);
        node
    }

    /// A node from a listpack already checked to hold a well-formed run of
    /// stream entries (a RESTORE payload's), keyed by `master_id`.
    pub fn from_checked(master_id: StreamId, lp: Listpack) -> Node {
        Node { lp, master_id }
    }

    /// Whether `streamAppendItem` would close this node rather than add an
    /// entry whose field and value lengths sum to `payload_bytes`.
    pub fn is_full(
        &self,
        payload_bytes: usize,
        node_max_bytes: usize,
        node_max_entries: u64,
    ) -> bool {
        let max_bytes = if node_max_bytes == 0 || node_max_bytes > LISTPACK_MAX_SIZE {
            LISTPACK_MAX_SIZE
        } else {
            node_max_bytes
        };
        if self.lp_bytes() + payload_bytes >= max_bytes {
            return true;
        }
        node_max_entries != 0 && self.live() + self.deleted() >= node_max_entries
    }

    /// Adds an entry. `id` must be greater than every ID in the node.
    pub fn append(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])]) {
        let count_at = self.count_pos();
        let count = self.lp.get_int(count_at).unwrap_or(0);
        self.set_counter(count_at, count + 1);
        let same = pairs.len() == self.master_fields() && self.same_fields(pairs);
        self.push_entry(id, pairs, same);
    }

    fn same_fields(&self, pairs: &[(&[u8], &[u8])]) -> bool {
        let mut at = self.lp.next(self.base_pos());
        for (field, _) in pairs {
            match at {
                Some(p) if self.lp.get(p).eq_bytes(field) => at = self.lp.next(p),
                _ => return false,
            }
        }
        true
    }

    fn push_entry(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])], same: bool) {
        let mut tail = self.lp.tail();
        tail.int(if same { FLAG_SAMEFIELDS } else { 0 });
        tail.int(id.ms.wrapping_sub(self.master_id.ms) as i64);
        tail.int(id.seq.wrapping_sub(self.master_id.seq) as i64);
        let n = pairs.len() as i64;
        if same {
            for (_, value) in pairs {
                tail.str(value);
            }
            tail.int(n + 3);
        } else {
            tail.int(n);
            for (field, value) in pairs {
                tail.str(field);
                tail.str(value);
            }
            tail.int(2 * n + 4);
        }
    }

    pub fn master_id(&self) -> StreamId {
        self.master_id
    }

    /// `lpBytes`: the figure `stream-node-max-bytes` is compared with.
    pub fn lp_bytes(&self) -> usize {
        self.lp.lp_bytes()
    }

    /// The encoded listpack, byte for byte what Redis holds (and dumps).
    pub fn as_bytes(&self) -> &[u8] {
        self.lp.as_bytes()
    }

    /// Live entries (the master entry's `count`).
    pub fn live(&self) -> u64 {
        self.lp.get_int(self.count_pos()).unwrap_or(0) as u64
    }

    /// Tombstones (the master entry's `deleted`).
    pub fn deleted(&self) -> u64 {
        let at = self.lp.next(self.count_pos());
        at.and_then(|p| self.lp.get_int(p)).unwrap_or(0) as u64
    }

    /// Every entry, tombstones included, in ascending ID order.
    pub fn iter(&self) -> impl Iterator<Item = NodeEntry> + '_ {
        let base = self.base_pos();
        let mut at = self.first_flags_pos();
        std::iter::from_fn(move || {
            let flags_at = at?;
            let (entry, flags) = self.read_head(flags_at, base);
            at = self.lp.next(self.lp_count_pos(flags_at, flags));
            Some(entry)
        })
    }

    /// Every entry, tombstones included, in descending ID order, walking
    /// back from each entry's lp-count as `streamIteratorGetID` does.
    pub fn iter_rev(&self) -> impl Iterator<Item = NodeEntry> + '_ {
        let base = self.base_pos();
        let mut at = self.lp.last();
        std::iter::from_fn(move || {
            let count_at = at?;
            let back = self.lp.get_int(count_at).unwrap_or(0);
            if back <= 0 {
                at = None;
                return None;
            }
            let mut flags_at = count_at;
            for _ in 0..back {
                flags_at = self.lp.prev(flags_at)?;
            }
            at = self.lp.prev(flags_at);
            Some(self.read_head(flags_at, base).0)
        })
    }

    /// An entry's field-value pairs, integers rendered in decimal. `e` must
    /// come from this node's [`Node::iter`] or [`Node::iter_rev`].
    pub fn fields(&self, e: &NodeEntry) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        self.visit_fields(e, |f, v| out.push((f.to_bytes(), v.to_bytes())));
        out
    }

    /// Calls `visit(field, value)` for each pair of an entry, without
    /// copying (what `streamIteratorGetField` hands out).
    pub fn visit_fields<'a>(
        &'a self,
        e: &NodeEntry,
        mut visit: impl FnMut(Element<'a>, Element<'a>),
    ) {
        let flags_at = self.flags_pos(e);
        let flags = self.lp.get_int(flags_at).unwrap_or(0);
        let mut p = self.lp.next(self.skip(flags_at, 2));
        if flags & FLAG_SAMEFIELDS != 0 {
            let mut field = self.lp.next(self.base_pos());
            for _ in 0..self.master_fields() {
                let (Some(f), Some(v)) = (field, p) else {
                    return;
                };
                visit(self.lp.get(f), self.lp.get(v));
                field = self.lp.next(f);
                p = self.lp.next(v);
            }
        } else {
            let n = p.and_then(|c| self.lp.get_int(c)).unwrap_or(0);
            p = p.and_then(|c| self.lp.next(c));
            for _ in 0..n {
                let Some(f) = p else { return };
                let Some(v) = self.lp.next(f) else { return };
                visit(self.lp.get(f), self.lp.get(v));
                p = self.lp.next(v);
            }
        }
    }

    /// Marks the entry `id` deleted. False when it is absent or already a
    /// tombstone. When this leaves no live entry, Redis frees the node
    /// (`streamIteratorRemoveEntry`): the caller drops it.
    pub fn mark_deleted(&mut self, id: StreamId) -> bool {
        // Only a live entry qualifies, as streamDeleteItem finds it with an
        // iterator that skips tombstones: once XSETID has lowered the top,
        // the same ID can sit in a node twice, first deleted, then live.
        let found = self.iter().find(|e| e.id == id && !e.deleted);
        found.is_some_and(|e| self.mark_deleted_at(&e))
    }

    /// [`Node::mark_deleted`] for an entry already found by iteration.
    pub fn mark_deleted_at(&mut self, e: &NodeEntry) -> bool {
        let flags_at = self.flags_pos(e);
        let flags = self.lp.get_int(flags_at).unwrap_or(0);
        if flags & FLAG_DELETED != 0 {
            return false;
        }
        // Same order as Redis: flags, then count, then deleted.
        self.lp.replace_int(flags_at, flags | FLAG_DELETED);
        self.move_to_deleted(1);
        true
    }

    /// `streamTrim` inside one node: walks entries in ascending order, asks
    /// `remove(entry)` for each (tombstones included) until it answers false,
    /// marks every live entry it answered true for, then updates the master
    /// counters once. Returns how many entries it marked. Unlike XDEL, Redis
    /// keeps the node even if no live entry is left.
    pub fn delete_front_while(&mut self, mut remove: impl FnMut(&NodeEntry) -> bool) -> u64 {
        let mut marked = 0u64;
        let base = self.base_pos();
        let mut at = self.first_flags_pos();
        while let Some(flags_at) = at {
            let (entry, flags) = self.read_head(flags_at, base);
            if !remove(&entry) {
                break;
            }
            if !entry.deleted {
                // 0..=3 stay one byte: no later element moves.
                self.lp.replace_int(flags_at, flags | FLAG_DELETED);
                marked += 1;
            }
            at = self.lp.next(self.lp_count_pos(flags_at, flags));
        }
        self.move_to_deleted(marked);
        marked
    }

    fn move_to_deleted(&mut self, n: u64) {
        let count_at = self.count_pos();
        let live = self.lp.get_int(count_at).unwrap_or(0);
        self.set_counter(count_at, live - n as i64);
        if let Some(deleted_at) = self.lp.next(count_at) {
            let deleted = self.lp.get_int(deleted_at).unwrap_or(0);
            self.set_counter(deleted_at, deleted + n as i64);
        }
    }

    /// Rewrites a master counter, following the move of what comes after.
    fn set_counter(&mut self, at: Pos, v: i64) {
        self.lp.replace_int(at, v);
    }

    /// The first entry's ID, tombstone or not (`lpGetEdgeStreamID`).
    pub fn first_id(&self) -> Option<StreamId> {
        self.iter().next().map(|e| e.id)
    }

    /// The last entry's ID, tombstone or not: what `streamTrim` compares
    /// with MINID to drop a whole node.
    pub fn last_id(&self) -> Option<StreamId> {
        self.iter_rev().next().map(|e| e.id)
    }

    /// The first entry that is not a tombstone.
    pub fn first_live(&self) -> Option<StreamId> {
        self.iter().find(|e| !e.deleted).map(|e| e.id)
    }

    /// The last entry that is not a tombstone.
    pub fn last_live(&self) -> Option<StreamId> {
        self.iter_rev().find(|e| !e.deleted).map(|e| e.id)
    }

    /// Gives back preallocated room, as Redis does when it closes a node.
    pub fn shrink_to_fit(&mut self) {
        self.lp.shrink_to_fit();
    }

    /// Bytes this process holds for the listpack.
    pub fn heap_bytes(&self) -> usize {
        self.lp.heap_bytes()
    }

    /// What `zmalloc_size` reports for this node's listpack in Redis.
    pub fn alloc_bytes(&self) -> usize {
        self.lp.alloc_bytes()
    }

    /// Every element annotated, for the visual explorer.
    pub fn dump(&self) -> NodeDump {
        super::node_dump::dump(&self.lp, self.master_id, self.master_fields())
    }

    fn count_pos(&self) -> Pos {
        self.lp.first().expect("a node always has a master entry")
    }

    /// The master field count element: everything after it keeps its
    /// offset from here for good.
    fn base_pos(&self) -> Pos {
        // Derived rather than stored (two one-to-three-byte counters to
        // step over): a node is 40 bytes, which is what keeps the whole
        // stream under Redis's 13.1 bytes per small entry.
        let count_at = self.count_pos();
        let deleted_at = self.lp.next(count_at).unwrap_or(count_at);
        self.lp.next(deleted_at).unwrap_or(deleted_at)
    }

    /// The master entry's field count.
    fn master_fields(&self) -> usize {
        self.lp.get_int(self.base_pos()).unwrap_or(0).max(0) as usize
    }

    /// Flags of the first entry: past the master fields and terminator.
    fn first_flags_pos(&self) -> Option<Pos> {
        self.lp
            .next(self.skip(self.base_pos(), self.master_fields() + 1))
    }

    /// The lp-count element closing the entry whose flags are at `flags_at`.
    fn lp_count_pos(&self, flags_at: Pos, flags: i64) -> Pos {
        let after_ids = self.skip(flags_at, 3);
        if flags & FLAG_SAMEFIELDS != 0 {
            self.skip(after_ids, self.master_fields())
        } else {
            let n = self.lp.get_int(after_ids).unwrap_or(0).max(0) as usize;
            self.skip(after_ids, 1 + 2 * n)
        }
    }

    fn flags_pos(&self, e: &NodeEntry) -> Pos {
        self.lp.pos_at(self.base_pos().offset() + e.rel)
    }

    fn skip(&self, mut p: Pos, n: usize) -> Pos {
        for _ in 0..n {
            match self.lp.next(p) {
                Some(q) => p = q,
                None => break,
            }
        }
        p
    }

    /// Reads flags and ID of the entry whose flags are at `flags_at`.
    fn read_head(&self, flags_at: Pos, base: Pos) -> (NodeEntry, i64) {
        let flags = self.lp.get_int(flags_at).unwrap_or(0);
        let ms_at = self.skip(flags_at, 1);
        let seq_at = self.skip(ms_at, 1);
        let ms = self.lp.get_int(ms_at).unwrap_or(0) as u64;
        let seq = self.lp.get_int(seq_at).unwrap_or(0) as u64;
        let entry = NodeEntry {
            id: StreamId::new(
                self.master_id.ms.wrapping_add(ms),
                self.master_id.seq.wrapping_add(seq),
            ),
            deleted: flags & FLAG_DELETED != 0,
            rel: flags_at.offset() - base.offset(),
        };
        (entry, flags)
    }
}

#[cfg(test)]
#[path = "node_tests.rs"]
mod tests;
