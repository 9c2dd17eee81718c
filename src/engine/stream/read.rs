//! Reading a stream: entries in ID order, in either direction, from the
//! node that may hold the start.
//!
//! ```text
//!   visit_range(start, end) ── seek the node with master ≤ start ──▶ its entries ≥ start
//!                            └─ next nodes ──▶ entries ≤ end ──▶ visit(node, entry) until false
//! ```
//!
//! Readers that build replies read the fields in place ([`Stream::visit_range`]
//! with `Node::visit_fields`); `range` copies them out for the others.

use super::{Stream, StreamEntry};
use crate::engine::StreamId;
use crate::engine::node::{Node, NodeEntry};
use crate::engine::rax::Seek;

impl Stream {
    /// Entries with `start <= id <= end`, ascending or (with `rev`)
    /// descending, at most `count` of them (0 = all). Tombstones are skipped.
    pub fn range(&self, start: StreamId, end: StreamId, count: u64, rev: bool) -> Vec<StreamEntry> {
        let mut out = Vec::new();
        self.visit_range(start, end, rev, |node, e| {
            out.push(StreamEntry {
                id: e.id,
                fields: node.fields(e),
            });
            count == 0 || (out.len() as u64) < count
        });
        out
    }

    /// IDs of live entries in `[start, end]`, ascending, at most `count` (0 = all).
    pub fn range_ids(&self, start: StreamId, end: StreamId, count: u64) -> Vec<StreamId> {
        let mut out = Vec::new();
        self.visit_range(start, end, false, |_, e| {
            out.push(e.id);
            count == 0 || (out.len() as u64) < count
        });
        out
    }

    /// Calls `visit` for each live entry in range, in order, until it
    /// returns false. Starts at the node that may hold `start` (the one
    /// whose master ID is the greatest ≤ start), as `streamIteratorStart` does.
    /// Readers that turn entries into something else (replies) use it to
    /// read the fields in place instead of copying them out first.
    pub fn visit_range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        mut visit: impl FnMut(&Node, &NodeEntry) -> bool,
    ) {
        if start > end {
            return;
        }
        if !rev {
            // Most reads start in the tail node (new entries, recent IDs):
            // it is known without a search, and nothing follows it.
            let tail = self.tail_master.map(StreamId::to_be_bytes);
            let is_tail = |key: &[u8]| tail.is_some_and(|t| key == t);
            let node_at = |key: &[u8]| match self.tail_slot {
                Some(slot) if is_tail(key) => self.rax.value_at(slot),
                _ => self.rax.get(key),
            };
            let after = |key: &[u8]| match is_tail(key) {
                true => None,
                false => self.rax.seek(Seek::Gt, key).map(|(next, _)| next),
            };
            let first_key = match tail {
                Some(t) if self.tail_master.is_some_and(|m| m <= start) => Some(t.to_vec()),
                _ => self
                    .rax
                    .seek(Seek::Le, &start.to_be_bytes())
                    .map(|(k, _)| k)
                    .or_else(|| self.rax.first().map(|(k, _)| k)),
            };
            let Some(mut key) = first_key else { return };
            let mut first_node = true;
            loop {
                let Some(node) = node_at(&key) else {
                    return;
                };
                if std::mem::take(&mut first_node) && start > node.master_id() {
                    // A read of new entries (XREADGROUP >, XREAD from the
                    // last ID) starts near the node's end: walk back to the
                    // first wanted entry instead of forward over every
                    // older one. Live IDs only grow along a stream (XADD
                    // and XSETID refuse anything at or below the last live
                    // entry), so the first live entry below `start` ends
                    // the walk; tombstones are skipped as the forward scan
                    // skips them.
                    let mut wanted = Vec::new();
                    for e in node.iter_rev() {
                        if e.deleted {
                            continue;
                        }
                        if e.id < start {
                            break;
                        }
                        wanted.push(e);
                    }
                    for e in wanted.iter().rev() {
                        if e.id > end || !visit(node, e) {
                            return;
                        }
                    }
                    match after(&key) {
                        Some(next) => key = next,
                        None => return,
                    }
                    continue;
                }
                // As Redis's iterator: only a live entry inside the start
                // bound can end the scan (a node may hold tombstones with
                // larger IDs after XSETID lowered an emptied stream's top).
                for e in node.iter() {
                    if e.deleted || e.id < start {
                        continue;
                    }
                    if e.id > end {
                        return;
                    }
                    if !visit(node, &e) {
                        return;
                    }
                }
                match after(&key) {
                    Some(next) => key = next,
                    None => return,
                }
            }
        } else {
            let Some((mut key, _)) = self.rax.seek(Seek::Le, &end.to_be_bytes()) else {
                return;
            };
            loop {
                let Some(node) = self.rax.get(&key) else {
                    return;
                };
                for e in node.iter_rev() {
                    if e.deleted || e.id > end {
                        continue;
                    }
                    if e.id < start {
                        return;
                    }
                    if !visit(node, &e) {
                        return;
                    }
                }
                match self.rax.seek(Seek::Lt, &key) {
                    Some((prev, _)) => key = prev,
                    None => return,
                }
            }
        }
    }

    /// The live entry with this ID, if any.
    pub fn get(&self, id: StreamId) -> Option<StreamEntry> {
        self.range(id, id, 1, false).pop()
    }

    /// True when a live entry has this ID (its fields are not read: XCLAIM
    /// asks this of every ID it is given).
    pub fn contains(&self, id: StreamId) -> bool {
        let mut found = false;
        self.visit_range(id, id, false, |_, _| {
            found = true;
            false
        });
        found
    }

    /// First live entry.
    pub fn first_entry(&self) -> Option<StreamEntry> {
        self.range(StreamId::MIN, StreamId::MAX, 1, false).pop()
    }

    /// Last live entry.
    pub fn last_entry(&self) -> Option<StreamEntry> {
        self.range(StreamId::MIN, StreamId::MAX, 1, true).pop()
    }
}
