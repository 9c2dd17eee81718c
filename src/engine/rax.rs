//! A radix tree with the exact node structure of Redis 7.0's rax.
//!
//! Keys are byte strings. Edges carry the bytes; a node is either *normal*
//! (one byte and one child per edge, edges sorted) or *compressed* (a run of
//! bytes leading to a single child). Any node can also be a key. The tree
//! holding "foo", "foobar" and "footer":
//!
//! ```text
//!                  "foo"            compressed: one child after the run "foo"
//!                    |
//!                  [t b] = foo      normal: two edges; the node is the key "foo"
//!                  /     \
//!              "er"       "ar"
//!               |           |
//!               [] = footer []  = foobar
//! ```
//!
//! Adding "first" splits the run "foo" at its second byte: a one-byte normal
//! node [o] is cut off, and a split node [i o] takes the diverging byte:
//!
//! ```text
//!            [f] ──▶ [i o]
//!                    /    \
//!               "rst"      [o] ──▶ [t b] = foo ...
//!                 |
//!                 [] = first
//! ```
//!
//! Why reproduce Redis's structure and not just any ordered map: `XINFO
//! STREAM` reports `radix-tree-nodes`, and `MEMORY USAGE` charges per node.
//! So the splits on insert (`raxGenericInsert`'s two algorithms) and the
//! cleanup and re-compression on delete (`raxRemove`) follow rax.c step by
//! step, including its quirks: removing a key held by a compressed node does
//! not merge that node with its neighbours, and the root always exists (an
//! empty tree has one node). [`Rax::node_count`] is rax.c's `numnodes`.
//!
//! Storage is an arena of 24-byte nodes ([`node`]); lookups walk it without
//! allocating. Ordered access is in [`iter`], the ASCII drawing and the
//! plain-data dump in [`show`].

mod iter;
mod node;
mod show;
#[cfg(test)]
mod tests;

pub use iter::{Iter, IterRev, Seek};
pub use show::{RaxDump, RaxDumpEdge, RaxDumpNode};

use node::{Arena, MAX_NODE_SIZE};

/// Bytes of one node record (heap payload aside), for memory accounting.
pub const NODE_BYTES: usize = node::NODE_BYTES;

/// A radix tree mapping byte strings to `V`, shaped exactly as Redis's rax.
#[derive(Clone, Debug)]
pub struct Rax<V> {
    arena: Arena<V>,
    head: u32,
    keys: u64,
    nodes: u64,
}

/// Where [`Rax::walk`] stopped: bytes of the key consumed, the node reached,
/// and for a compressed node how many of its bytes matched.
struct Walk {
    consumed: usize,
    node: u32,
    split_at: usize,
}

impl<V> Default for Rax<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Rax<V> {
    /// An empty tree: just the root, an empty normal node.
    pub fn new() -> Self {
        let mut arena = Arena::new();
        let head = arena.alloc_leaf();
        Rax {
            arena,
            head,
            keys: 0,
            nodes: 1,
        }
    }

    /// Number of keys (`raxSize`).
    pub fn len(&self) -> u64 {
        self.keys
    }

    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Number of nodes, root included: Redis's `rax->numnodes`.
    pub fn node_count(&self) -> u64 {
        self.nodes
    }

    /// Heap bytes the tree holds (arena capacity and spilled payloads, values
    /// counted at `size_of::<Option<V>>()` each, not what they own).
    pub fn heap_bytes(&self) -> usize {
        self.arena.heap_bytes()
    }

    /// Follows `key` from the root as `raxLowWalk` does, optionally recording
    /// the nodes passed through (the parents of the stop node).
    fn walk(&self, key: &[u8], mut parents: Option<&mut Vec<u32>>) -> Walk {
        let mut h = self.head;
        let mut i = 0;
        let mut j = 0;
        loop {
            let (compressed, bytes, children) = self.arena.parts(h);
            if bytes.is_empty() || i == key.len() {
                break;
            }
            let rest = &key[i..];
            let next = if compressed {
                if rest.len() < bytes.len() || rest[..bytes.len()] != *bytes {
                    // Stopped inside the run: `j` bytes of it matched.
                    j = bytes.iter().zip(rest).take_while(|(a, b)| a == b).count();
                    i += j;
                    break;
                }
                i += bytes.len();
                node::child_at(children, 0)
            } else {
                let Some(k) = node::find_edge(bytes, rest[0]) else {
                    break;
                };
                i += 1;
                node::child_at(children, k)
            };
            if let Some(p) = parents.as_deref_mut() {
                p.push(h);
            }
            h = next;
        }
        Walk {
            consumed: i,
            node: h,
            split_at: j,
        }
    }

    /// The node holding exactly `key`, if it is a key.
    #[inline]
    fn find(&self, key: &[u8]) -> Option<u32> {
        let w = self.walk(key, None);
        let mid_run = self.arena.is_compressed(w.node) && w.split_at != 0;
        if w.consumed != key.len() || mid_run || !self.arena.is_key(w.node) {
            return None;
        }
        Some(w.node)
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).and_then(|n| self.arena.value(n))
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let n = self.find(key)?;
        self.arena.value_mut(n)
    }

    /// Where `key`'s value is stored, for [`Rax::value_at`] and
    /// [`Rax::value_at_mut`]. Valid only until the next insert or remove:
    /// the caller forgets it then (a stream caches its tail node's, which
    /// every XADD and every read of new entries looks up).
    pub fn value_slot(&self, key: &[u8]) -> Option<u32> {
        self.find(key).and_then(|n| self.arena.value_slot(n))
    }

    /// The value at a slot from [`Rax::value_slot`].
    pub fn value_at(&self, slot: u32) -> Option<&V> {
        self.arena.slot_value(slot)
    }

    /// The value at a slot from [`Rax::value_slot`], for writing.
    pub fn value_at_mut(&mut self, slot: u32) -> Option<&mut V> {
        self.arena.slot_value_mut(slot)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// Inserts or overwrites `key` (`raxInsert`); returns the previous value.
    pub fn insert(&mut self, key: &[u8], value: V) -> Option<V> {
        let w = self.walk(key, None);
        let len = key.len();
        let mut i = w.consumed;
        let mut h = w.node;
        let j = w.split_at;
        let compressed = self.arena.is_compressed(h);

        if i == len && (!compressed || j == 0) {
            let old = self.arena.set_value(h, value);
            if old.is_none() {
                self.keys += 1;
            }
            return old;
        }

        if compressed && i != len {
            h = self.split_on_mismatch(h, j);
        } else if compressed {
            self.split_at_key_end(h, j, value);
            self.keys += 1;
            return None;
        }

        // What is left of the key hangs below `h`: one compressed run when
        // `h` is childless and two or more bytes remain, else one edge.
        while i < len {
            let child = self.arena.alloc_leaf();
            if self.arena.size(h) == 0 && len - i > 1 {
                let run = (len - i).min(MAX_NODE_SIZE);
                self.arena.rewrite(h, true, &key[i..i + run], &[child]);
                i += run;
            } else {
                self.arena.add_edge(h, key[i], child);
                i += 1;
            }
            self.nodes += 1;
            h = child;
        }
        self.arena.set_value(h, value);
        self.keys += 1;
        None
    }

    /// rax.c's "ALGO 1": the key diverges from compressed node `h` at run
    /// byte `j`. `h` keeps the first `j` bytes (or becomes the split node
    /// when `j == 0`), a one-edge split node takes run byte `j`, and the rest
    /// of the run becomes a postfix node. Returns the split node, which the
    /// caller gives the key's diverging byte.
    fn split_on_mismatch(&mut self, h: u32, j: usize) -> u32 {
        let run = self.arena.bytes(h).to_vec();
        let next = self.arena.child(h, 0);
        let postfix_len = run.len() - j - 1;
        let postfix = if postfix_len > 0 {
            self.nodes += 1;
            self.arena.alloc(postfix_len > 1, &run[j + 1..], &[next])
        } else {
            next
        };
        if j == 0 {
            // The split node takes over `h`'s place, key and value included.
            self.arena.rewrite(h, false, &run[..1], &[postfix]);
            h
        } else {
            let split = self.arena.alloc(false, &run[j..j + 1], &[postfix]);
            self.arena.rewrite(h, j > 1, &run[..j], &[split]);
            self.nodes += 1;
            split
        }
    }

    /// rax.c's "ALGO 2": the key ends `j > 0` bytes into compressed node `h`.
    /// `h` keeps the first `j` bytes; the rest becomes a new node that is the
    /// inserted key.
    fn split_at_key_end(&mut self, h: u32, j: usize, value: V) {
        let run = self.arena.bytes(h).to_vec();
        let next = self.arena.child(h, 0);
        let postfix = self.arena.alloc(run.len() - j > 1, &run[j..], &[next]);
        self.arena.set_value(postfix, value);
        self.nodes += 1;
        self.arena.rewrite(h, j > 1, &run[..j], &[postfix]);
    }

    /// True for a node that stops cleanup and re-compression: a key, or a
    /// normal node without exactly one child.
    fn is_anchor(&self, n: u32) -> bool {
        self.arena.is_key(n) || (!self.arena.is_compressed(n) && self.arena.size(n) != 1)
    }

    /// Removes `key` (`raxRemove`); returns its value.
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let mut parents = Vec::with_capacity(16);
        let w = self.walk(key, Some(&mut parents));
        let mut h = w.node;
        let mid_run = self.arena.is_compressed(h) && w.split_at != 0;
        if w.consumed != key.len() || mid_run || !self.arena.is_key(h) {
            return None;
        }
        let old = self.arena.take_value(h);
        self.keys -= 1;

        let mut try_compress = false;
        if self.arena.size(h) == 0 {
            // Free the now useless chain up to the first node that has other
            // children or is a key, then unlink it there.
            let mut child = None;
            while h != self.head {
                child = Some(h);
                self.arena.free(h);
                self.nodes -= 1;
                h = parents.pop().expect("walk recorded every parent");
                if self.is_anchor(h) {
                    break;
                }
            }
            if let Some(c) = child {
                self.arena.remove_child(h, c);
                if self.arena.size(h) == 1 && !self.arena.is_key(h) {
                    try_compress = true;
                }
            }
        } else if self.arena.size(h) == 1 {
            // Note: a compressed node of two or more bytes never gets here,
            // exactly as in rax.c, so it is not merged with its neighbours.
            try_compress = true;
        }
        if try_compress {
            self.recompress(h, &mut parents);
        }
        old
    }

    /// Merges the chain of single-child non-key nodes around `h` into one
    /// compressed node, as the tail of `raxRemove` does.
    fn recompress(&mut self, mut h: u32, parents: &mut Vec<u32>) {
        while let Some(&p) = parents.last() {
            if self.is_anchor(p) {
                break;
            }
            parents.pop();
            h = p;
        }
        let start = h;
        let mut run_len = self.arena.size(h);
        let mut count = 1;
        let mut n = h;
        while self.arena.size(n) != 0 {
            n = self.arena.last_child(n);
            if self.is_anchor(n) || run_len + self.arena.size(n) > MAX_NODE_SIZE {
                break;
            }
            count += 1;
            run_len += self.arena.size(n);
        }
        if count == 1 {
            return;
        }
        let mut run = Vec::with_capacity(run_len);
        let mut n = start;
        for k in 0..count {
            run.extend_from_slice(self.arena.bytes(n));
            let next = self.arena.last_child(n);
            if k > 0 {
                self.arena.free(n);
            }
            n = next;
        }
        // `start` is reused as the new compressed node: +1 node, -count.
        self.arena.rewrite(start, true, &run, &[n]);
        self.nodes = self.nodes + 1 - count as u64;
    }
}
