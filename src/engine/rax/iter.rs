//! Ordered access: first/last, seek to the nearest key, and both-way iteration.
//!
//! ```text
//!   key order is byte order, a prefix before its extensions:
//!
//!          [a b] = ""              ascending  (pre-order):  "", "a", "ab", "b"
//!          /    \                  descending (post-order): "b", "ab", "a", ""
//!      [b] = a   [] = b
//!        |
//!        [] = ab
//! ```
//!
//! A node's own key sorts before every key below it, and edges are sorted,
//! so ascending order is a pre-order walk and descending order a reversed
//! post-order walk. Both keep an explicit stack of frames, never recursing,
//! so key length does not bound anything but memory. `seek` descends along
//! the target once and, when the target leaves the tree, takes the nearest
//! subtree on the right side of it (or climbs back up to find one).

use super::Rax;

/// How [`Rax::seek`] relates the key found to the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seek {
    /// Smallest key `>=` the target.
    Ge,
    /// Smallest key `>` the target.
    Gt,
    /// Largest key `<=` the target.
    Le,
    /// Largest key `<` the target.
    Lt,
}

/// One step of a descent: the node left, which child was taken, and the key
/// length at that node (before its edge bytes).
#[derive(Clone, Copy)]
struct Step {
    node: u32,
    child: usize,
    key_len: usize,
}

impl<V> Rax<V> {
    /// Appends the bytes on the edge to child `k` of `n`.
    pub(super) fn push_edge(&self, n: u32, k: usize, key: &mut Vec<u8>) {
        if self.arena.is_compressed(n) {
            key.extend_from_slice(self.arena.bytes(n));
        } else {
            key.push(self.arena.bytes(n)[k]);
        }
    }

    /// Smallest key at or below `n`, whose key so far is `key`.
    fn min_below(&self, mut n: u32, mut key: Vec<u8>) -> Option<(Vec<u8>, &V)> {
        loop {
            if let Some(v) = self.arena.value(n) {
                return Some((key, v));
            }
            if self.arena.child_count(n) == 0 {
                return None;
            }
            self.push_edge(n, 0, &mut key);
            n = self.arena.child(n, 0);
        }
    }

    /// Largest key at or below `n`, whose key so far is `key`.
    fn max_below(&self, mut n: u32, mut key: Vec<u8>) -> Option<(Vec<u8>, &V)> {
        loop {
            let count = self.arena.child_count(n);
            if count == 0 {
                return self.arena.value(n).map(|v| (key, v));
            }
            self.push_edge(n, count - 1, &mut key);
            n = self.arena.child(n, count - 1);
        }
    }

    /// Smallest key after the subtree the last step of `path` went into.
    fn successor(&self, path: &mut Vec<Step>, key: &mut Vec<u8>) -> Option<(Vec<u8>, &V)> {
        while let Some(step) = path.pop() {
            key.truncate(step.key_len);
            let n = step.node;
            if !self.arena.is_compressed(n) && step.child + 1 < self.arena.size(n) {
                let mut k = std::mem::take(key);
                self.push_edge(n, step.child + 1, &mut k);
                return self.min_below(self.arena.child(n, step.child + 1), k);
            }
        }
        None
    }

    /// Largest key before the subtree the last step of `path` went into.
    fn predecessor(&self, path: &mut Vec<Step>, key: &mut Vec<u8>) -> Option<(Vec<u8>, &V)> {
        while let Some(step) = path.pop() {
            key.truncate(step.key_len);
            let n = step.node;
            if !self.arena.is_compressed(n) && step.child > 0 {
                let mut k = std::mem::take(key);
                self.push_edge(n, step.child - 1, &mut k);
                return self.max_below(self.arena.child(n, step.child - 1), k);
            }
            if let Some(v) = self.arena.value(n) {
                return Some((std::mem::take(key), v));
            }
        }
        None
    }

    /// The value of the smallest key, without building the key (trimming
    /// looks at the head node on every capped XADD).
    pub fn first_value(&self) -> Option<&V> {
        let mut n = self.head;
        loop {
            if let Some(v) = self.arena.value(n) {
                return Some(v);
            }
            if self.arena.child_count(n) == 0 {
                return None;
            }
            n = self.arena.child(n, 0);
        }
    }

    /// The smallest key.
    pub fn first(&self) -> Option<(Vec<u8>, &V)> {
        self.min_below(self.head, Vec::new())
    }

    /// The largest key.
    pub fn last(&self) -> Option<(Vec<u8>, &V)> {
        self.max_below(self.head, Vec::new())
    }

    /// The key nearest to `target` that satisfies `op`, with its value.
    pub fn seek(&self, op: Seek, target: &[u8]) -> Option<(Vec<u8>, &V)> {
        let a = &self.arena;
        let upward = matches!(op, Seek::Ge | Seek::Gt);
        let mut path: Vec<Step> = Vec::with_capacity(16);
        let mut key: Vec<u8> = Vec::with_capacity(target.len());
        let mut h = self.head;
        let mut i = 0;
        loop {
            if i == target.len() {
                // `key == target` here; everything below `h` is greater.
                return match op {
                    Seek::Ge if a.is_key(h) => a.value(h).map(|v| (key, v)),
                    Seek::Ge | Seek::Gt if a.child_count(h) > 0 => {
                        let mut k = key;
                        self.push_edge(h, 0, &mut k);
                        self.min_below(a.child(h, 0), k)
                    }
                    Seek::Ge | Seek::Gt => self.successor(&mut path, &mut key),
                    Seek::Le if a.is_key(h) => a.value(h).map(|v| (key, v)),
                    Seek::Le | Seek::Lt => self.predecessor(&mut path, &mut key),
                };
            }
            if a.child_count(h) == 0 {
                // `key` is a proper prefix of the target: `h` itself is smaller.
                return self.below_or_before(h, upward, &mut path, &mut key);
            }
            if a.is_compressed(h) {
                let run = a.bytes(h);
                let rest = &target[i..];
                let m = run.iter().zip(rest).take_while(|(x, y)| x == y).count();
                if m == run.len() {
                    path.push(Step {
                        node: h,
                        child: 0,
                        key_len: key.len(),
                    });
                    key.extend_from_slice(run);
                    h = a.child(h, 0);
                    i += m;
                    continue;
                }
                // The run leaves the target: the whole subtree under the run
                // is on one side of it, `h`'s own key on the smaller side.
                let subtree_greater = m == rest.len() || run[m] > rest[m];
                return if subtree_greater == upward {
                    let mut k = key;
                    k.extend_from_slice(run);
                    let child = a.child(h, 0);
                    if upward {
                        self.min_below(child, k)
                    } else {
                        self.max_below(child, k)
                    }
                } else if upward {
                    path.push(Step {
                        node: h,
                        child: 0,
                        key_len: key.len(),
                    });
                    self.successor(&mut path, &mut key)
                } else {
                    self.below_or_before(h, false, &mut path, &mut key)
                };
            }
            let c = target[i];
            let edges = a.bytes(h);
            if let Some(k) = edges.iter().position(|&e| e == c) {
                path.push(Step {
                    node: h,
                    child: k,
                    key_len: key.len(),
                });
                key.push(c);
                h = a.child(h, k);
                i += 1;
                continue;
            }
            let smaller = edges.iter().take_while(|&&e| e < c).count();
            if upward {
                if smaller < edges.len() {
                    let mut k = key;
                    k.push(edges[smaller]);
                    return self.min_below(a.child(h, smaller), k);
                }
                // Every edge is smaller: climb as if leaving the last child.
                path.push(Step {
                    node: h,
                    child: edges.len() - 1,
                    key_len: key.len(),
                });
                return self.successor(&mut path, &mut key);
            }
            if smaller > 0 {
                let mut k = key;
                k.push(edges[smaller - 1]);
                return self.max_below(a.child(h, smaller - 1), k);
            }
            return self.below_or_before(h, false, &mut path, &mut key);
        }
    }

    /// For a node whose key is a proper prefix of the target and whose
    /// subtree holds nothing on the wanted side: downward, `h` itself if it
    /// is a key, else whatever precedes it; upward, whatever follows it.
    fn below_or_before(
        &self,
        h: u32,
        upward: bool,
        path: &mut Vec<Step>,
        key: &mut Vec<u8>,
    ) -> Option<(Vec<u8>, &V)> {
        if upward {
            return self.successor(path, key);
        }
        match self.arena.value(h) {
            Some(v) => Some((std::mem::take(key), v)),
            None => self.predecessor(path, key),
        }
    }

    /// Keys in ascending byte order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            rax: self,
            frames: vec![(self.head, 0, 0)],
            key: Vec::new(),
        }
    }

    /// Keys in descending byte order.
    pub fn iter_rev(&self) -> IterRev<'_, V> {
        IterRev {
            rax: self,
            frames: vec![(self.head, self.arena.child_count(self.head), 0)],
            key: Vec::new(),
        }
    }
}

/// Ascending iterator; see [`Rax::iter`].
pub struct Iter<'a, V> {
    rax: &'a Rax<V>,
    /// (node, 0 before its own key else 1 + next child, key length at node).
    frames: Vec<(u32, usize, usize)>,
    key: Vec<u8>,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (Vec<u8>, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        let a = &self.rax.arena;
        while let Some(top) = self.frames.last_mut() {
            let (n, state, key_len) = *top;
            top.1 += 1;
            if state == 0 {
                if let Some(v) = a.value(n) {
                    return Some((self.key.clone(), v));
                }
                continue;
            }
            let k = state - 1;
            if k < a.child_count(n) {
                self.key.truncate(key_len);
                self.rax.push_edge(n, k, &mut self.key);
                self.frames.push((a.child(n, k), 0, self.key.len()));
            } else {
                self.frames.pop();
            }
        }
        None
    }
}

/// Descending iterator; see [`Rax::iter_rev`].
pub struct IterRev<'a, V> {
    rax: &'a Rax<V>,
    /// (node, children not yet visited, key length at node).
    frames: Vec<(u32, usize, usize)>,
    key: Vec<u8>,
}

impl<'a, V> Iterator for IterRev<'a, V> {
    type Item = (Vec<u8>, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        let a = &self.rax.arena;
        while let Some(top) = self.frames.last_mut() {
            let (n, left, key_len) = *top;
            self.key.truncate(key_len);
            if left > 0 {
                top.1 -= 1;
                self.rax.push_edge(n, left - 1, &mut self.key);
                let child = a.child(n, left - 1);
                self.frames
                    .push((child, a.child_count(child), self.key.len()));
                continue;
            }
            self.frames.pop();
            if let Some(v) = a.value(n) {
                return Some((self.key.clone(), v));
            }
        }
        None
    }
}
