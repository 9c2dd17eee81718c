//! A list as Redis 7.0.15 stores every list: a quicklist, a doubly linked
//! list of listpack nodes (`quicklist.c`), here a vector of nodes.
//!
//! ```text
//!   Quicklist { count, fill = list-max-listpack-size (-2) }
//!     │
//!     ├─ node 0: listpack [e0 e1 e2 ... ]   lpBytes ≤ 8 KB (fill -2)
//!     ├─ node 1: listpack [ ... ]
//!     └─ node n: listpack [ ... e(count-1)]
//!
//!   may a node take an element of sz bytes?   (_quicklistNodeAllowInsert)
//!     new = lpBytes + sz + 8 (an overestimate of the entry)
//!     fill < 0:  new ≤ 4096 << (-fill - 1)       -1: 4 KB, -2: 8 KB ... -5: 64 KB
//!     fill ≥ 0:  new ≤ 8192 and count < fill
//!   may two nodes merge?                      (_quicklistNodeAllowMerge)
//!     a + b - 11 under the same limit (count a + b ≤ fill when fill ≥ 0)
//! ```
//!
//! Pushes go into the end node or a new one; inserting into a full node in
//! the middle splits it and then merges around the split, exactly as
//! `_quicklistInsert` and `_quicklistMergeNodes` do, so node boundaries,
//! and with them `MEMORY USAGE`, match Redis's. Compression
//! (`list-compress-depth`) stays off, its default; plain nodes for
//! elements of 1 GB or more are not modelled (a request cannot carry one).

use super::listpack::{Element, Listpack, Pos};

/// `list-max-listpack-size`'s default: nodes up to 8 KB.
pub const DEFAULT_FILL: i32 = -2;
/// Node size limits for negative fills (`optimization_level`).
const SIZE_LEVELS_BYTES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// The byte limit for positive fills (`SIZE_SAFETY_LIMIT`).
const SAFETY_LIMIT_BYTES: usize = 8192;
/// What `_quicklistNodeAllowInsert` adds for an entry's own overhead.
const ENTRY_OVERHEAD_BYTES: usize = 8;

/// A list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quicklist {
    nodes: Vec<Listpack>,
    count: usize,
    fill: i32,
}

fn size_within_level(sz: usize, fill: i32) -> bool {
    if fill >= 0 {
        return false;
    }
    let level = (-(fill as i64) - 1) as usize;
    level < SIZE_LEVELS_BYTES.len() && sz <= SIZE_LEVELS_BYTES[level]
}

/// `_quicklistNodeAllowInsert`.
fn allow_insert(node: Option<&Listpack>, fill: i32, sz: usize) -> bool {
    let Some(node) = node else {
        return false;
    };
    let new_sz = node.lp_bytes() + sz + ENTRY_OVERHEAD_BYTES;
    if size_within_level(new_sz, fill) {
        true
    } else if new_sz > SAFETY_LIMIT_BYTES {
        false
    } else {
        (node.len() as i64) < i64::from(fill)
    }
}

/// `_quicklistNodeAllowMerge`.
fn allow_merge(a: &Listpack, b: &Listpack, fill: i32) -> bool {
    let merge_sz = a.lp_bytes() + b.lp_bytes() - 11;
    if size_within_level(merge_sz, fill) {
        true
    } else if merge_sz > SAFETY_LIMIT_BYTES {
        false
    } else {
        (a.len() + b.len()) as i64 <= i64::from(fill)
    }
}

impl Quicklist {
    /// An empty list with the given `list-max-listpack-size`.
    pub fn new(fill: i32) -> Quicklist {
        Quicklist {
            nodes: Vec::new(),
            count: 0,
            // quicklistSetFill: at most FILL_MAX (2^15 - 1), at least -5.
            fill: fill.clamp(-5, (1 << 15) - 1),
        }
    }

    /// A list made of these nodes as they are, none empty (what RDB
    /// loading does with a quicklist's listpacks: `quicklistAppendListpack`).
    pub fn from_nodes(nodes: Vec<Listpack>, fill: i32) -> Quicklist {
        let count = nodes.iter().map(Listpack::len).sum();
        Quicklist { nodes, count, fill }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The nodes, head first.
    pub fn nodes(&self) -> &[Listpack] {
        &self.nodes
    }

    /// `quicklistPushHead`.
    pub fn push_head(&mut self, s: &[u8]) {
        if allow_insert(self.nodes.first(), self.fill, s.len()) {
            self.nodes[0].prepend(s);
        } else {
            let mut node = Listpack::new();
            node.prepend(s);
            self.nodes.insert(0, node);
        }
        self.count += 1;
    }

    /// `quicklistPushTail`.
    pub fn push_tail(&mut self, s: &[u8]) {
        if allow_insert(self.nodes.last(), self.fill, s.len()) {
            self.nodes.last_mut().expect("checked").push_back(s);
        } else {
            let mut node = Listpack::new();
            node.push_back(s);
            self.nodes.push(node);
        }
        self.count += 1;
    }

    /// The node and offset in it of element `index` (negative from the end).
    pub fn locate(&self, index: i64) -> Option<(usize, usize)> {
        let index = if index < 0 {
            self.count as i64 + index
        } else {
            index
        };
        if index < 0 || index >= self.count as i64 {
            return None;
        }
        let mut before = 0usize;
        for (i, node) in self.nodes.iter().enumerate() {
            let n = node.len();
            if before + n > index as usize {
                return Some((i, index as usize - before));
            }
            before += n;
        }
        None
    }

    fn pos(&self, node: usize, offset: usize) -> Pos {
        self.nodes[node]
            .seek(offset as i64)
            .expect("offset within node")
    }

    /// Element `index` (negative from the end).
    pub fn get(&self, index: i64) -> Option<Vec<u8>> {
        let (n, off) = self.locate(index)?;
        Some(self.nodes[n].get(self.pos(n, off)).to_bytes())
    }

    /// `n` elements from `start` towards the tail, or towards the head when
    /// `backwards` is set; `start` must be a valid index.
    pub fn range(&self, start: usize, n: usize, backwards: bool) -> Vec<Vec<u8>> {
        let mut out = Vec::with_capacity(n);
        let Some((mut ni, off)) = self.locate(start as i64) else {
            return out;
        };
        let mut p = Some(self.pos(ni, off));
        while out.len() < n {
            let Some(at) = p else {
                if backwards {
                    if ni == 0 {
                        break;
                    }
                    ni -= 1;
                    p = self.nodes[ni].last();
                } else {
                    ni += 1;
                    if ni == self.nodes.len() {
                        break;
                    }
                    p = self.nodes[ni].first();
                }
                continue;
            };
            let lp = &self.nodes[ni];
            out.push(lp.get(at).to_bytes());
            p = if backwards { lp.prev(at) } else { lp.next(at) };
        }
        out
    }

    /// Every element, head to tail.
    pub fn iter(&self) -> impl Iterator<Item = Element<'_>> + '_ {
        self.nodes.iter().flat_map(|lp| lp.iter().map(|(_, e)| e))
    }

    /// Removes and returns the head or tail element (`quicklistPopCustom`).
    pub fn pop(&mut self, from_head: bool) -> Option<Vec<u8>> {
        let ni = if from_head {
            0
        } else {
            self.nodes.len().checked_sub(1)?
        };
        if self.nodes.is_empty() {
            return None;
        }
        let lp = &self.nodes[ni];
        let p = if from_head { lp.first() } else { lp.last() }?;
        let value = lp.get(p).to_bytes();
        self.delete_at(ni, p);
        Some(value)
    }

    /// `quicklistDelIndex`: deletes one element; a node left empty goes.
    /// Returns the element now at `p`, `None` if none is (or the node went).
    fn delete_at(&mut self, ni: usize, p: Pos) -> Option<Pos> {
        let next = self.nodes[ni].delete(p);
        self.count -= 1;
        if self.nodes[ni].is_empty() {
            self.nodes.remove(ni);
            return None;
        }
        next
    }

    /// `quicklistReplaceAtIndex`: LSET. False when the index is out of range.
    pub fn replace(&mut self, index: i64, s: &[u8]) -> bool {
        let Some((ni, off)) = self.locate(index) else {
            return false;
        };
        let p = self.pos(ni, off);
        self.nodes[ni].replace_str(p, s);
        true
    }

    /// LINSERT: puts `s` before or after the first element equal to
    /// `pivot`; false when there is none.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], s: &[u8], after: bool) -> bool {
        for ni in 0..self.nodes.len() {
            let found = self.nodes[ni]
                .iter()
                .enumerate()
                .find(|(_, (_, e))| e.eq_bytes(pivot))
                .map(|(i, _)| i);
            if let Some(offset) = found {
                self.insert(ni, offset, after, s);
                return true;
            }
        }
        false
    }

    /// `_quicklistInsert` next to element `offset` of node `ni`.
    fn insert(&mut self, ni: usize, offset: usize, after: bool, s: &[u8]) {
        let (fill, sz) = (self.fill, s.len());
        let node_len = self.nodes[ni].len();
        let full = !allow_insert(Some(&self.nodes[ni]), fill, sz);
        let at_tail = after && offset == node_len - 1;
        let at_head = !after && offset == 0;
        let avail_next = at_tail && allow_insert(self.nodes.get(ni + 1), fill, sz);
        let avail_prev = at_head && ni > 0 && allow_insert(self.nodes.get(ni - 1), fill, sz);
        if !full {
            let p = self.pos(ni, offset);
            let lp = &mut self.nodes[ni];
            let at = if after { lp.skip(p) } else { p };
            lp.insert_before(at, s);
        } else if avail_next {
            self.nodes[ni + 1].prepend(s);
        } else if avail_prev {
            self.nodes[ni - 1].push_back(s);
        } else if at_tail || at_head {
            let mut node = Listpack::new();
            node.prepend(s);
            self.nodes.insert(if after { ni + 1 } else { ni }, node);
        } else {
            let mut new_node = self.split(ni, offset, after);
            if after {
                new_node.prepend(s);
                self.nodes.insert(ni + 1, new_node);
                self.merge_around(ni);
            } else {
                new_node.push_back(s);
                self.nodes.insert(ni, new_node);
                self.merge_around(ni + 1);
            }
        }
        self.count += 1;
    }

    /// `_quicklistSplitNode`: node `ni` keeps one side of `offset`, the
    /// returned copy the other (the element at `offset` stays with the
    /// original when `after`, goes to the copy otherwise).
    fn split(&mut self, ni: usize, offset: usize, after: bool) -> Listpack {
        let mut copy = self.nodes[ni].copy_exact();
        let offset = offset as i64;
        if after {
            self.nodes[ni].delete_range(offset + 1, u64::MAX);
            copy.delete_range(0, offset as u64 + 1);
        } else {
            self.nodes[ni].delete_range(0, offset as u64);
            copy.delete_range(offset, u64::MAX);
        }
        copy
    }

    /// `_quicklistMergeNodes` around node `center`.
    fn merge_around(&mut self, center: usize) {
        let fill = self.fill;
        let mut c = center;
        if c >= 2 && allow_merge(&self.nodes[c - 1], &self.nodes[c - 2], fill) {
            self.merge_pair(c - 2);
            c -= 1;
        }
        if c + 2 < self.nodes.len() && allow_merge(&self.nodes[c + 1], &self.nodes[c + 2], fill) {
            self.merge_pair(c + 1);
        }
        let target = if c >= 1 && allow_merge(&self.nodes[c], &self.nodes[c - 1], fill) {
            self.merge_pair(c - 1);
            c - 1
        } else {
            c
        };
        if target + 1 < self.nodes.len()
            && allow_merge(&self.nodes[target], &self.nodes[target + 1], fill)
        {
            self.merge_pair(target);
        }
    }

    /// Merges node `i + 1` into node `i` (`_quicklistListpackMerge`).
    fn merge_pair(&mut self, i: usize) {
        let second = self.nodes.remove(i + 1);
        let first = std::mem::take(&mut self.nodes[i]);
        self.nodes[i] = Listpack::merge(first, second);
    }

    /// `quicklistDelRange`: deletes `count` elements from `start`
    /// (negative from the end), clamped to the list.
    pub fn delete_range(&mut self, start: i64, count: i64) {
        if count <= 0 {
            return;
        }
        let total = self.count as i64;
        let mut extent = count;
        if start >= 0 && extent > total - start {
            extent = total - start;
        } else if start < 0 && extent > -start {
            extent = -start;
        }
        let Some((mut ni, mut offset)) = self.locate(start) else {
            return;
        };
        while extent > 0 && ni < self.nodes.len() {
            let node_len = self.nodes[ni].len();
            let del = (node_len - offset).min(extent as usize);
            if offset == 0 && del == node_len {
                self.nodes.remove(ni);
            } else {
                self.nodes[ni].delete_range(offset as i64, del as u64);
                if self.nodes[ni].is_empty() {
                    self.nodes.remove(ni);
                } else {
                    ni += 1;
                }
            }
            self.count -= del;
            extent -= del as i64;
            offset = 0;
        }
    }

    /// LREM: deletes up to `limit` elements equal to `value` (0: all),
    /// scanning from the head, or from the tail when `from_tail`.
    pub fn remove_matching(&mut self, value: &[u8], limit: usize, from_tail: bool) -> usize {
        let mut removed = 0;
        if from_tail {
            let mut ni = self.nodes.len();
            while ni > 0 {
                ni -= 1;
                let mut p = self.nodes[ni].last();
                while let Some(at) = p {
                    let prev = self.nodes[ni].prev(at);
                    if self.nodes[ni].get(at).eq_bytes(value) {
                        self.delete_at(ni, at);
                        removed += 1;
                        if removed == limit {
                            return removed;
                        }
                    }
                    p = prev;
                }
            }
        } else {
            let mut ni = 0;
            while ni < self.nodes.len() {
                let before = self.nodes.len();
                let mut p = self.nodes[ni].first();
                while let Some(at) = p {
                    if self.nodes[ni].get(at).eq_bytes(value) {
                        p = self.delete_at(ni, at);
                        removed += 1;
                        if removed == limit {
                            return removed;
                        }
                    } else {
                        p = self.nodes[ni].next(at);
                    }
                }
                if self.nodes.len() == before {
                    ni += 1;
                }
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests;
