//! Compact node storage for the radix tree: one 24-byte record per node.
//!
//! ```text
//!   nodes: Vec<Node>                     values: Vec<Option<V>>
//!   ┌────────┬────────┬──────────────────┐      ▲
//!   │ value  │ meta   │ payload [u8; 16] │──────┘ value = slot + 1 (0: no key)
//!   │ u32    │ u32    │                  │
//!   └────────┴────────┴──────────────────┘
//!            │ bit 31: compressed
//!            │ bits 0..29: size (edge count, or compressed string length)
//!            ▼
//!   payload, when it fits in 16 bytes:      otherwise payload[0..4] = spill slot:
//!   [b0 b1 .. b(size-1)][c0 u32][c1 u32]..  spill: Vec<Box<[u8]>> holding the same
//!    edge bytes or        child indices     layout, exactly sized
//!    compressed string    (one if compressed)
//! ```
//!
//! Why this shape: a stream's radix tree is mostly leaves (one per
//! listpack), and its inner nodes are short compressed strings or split
//! nodes with a handful of edges. All of those fit the 16 inline bytes, so
//! the common node costs 24 bytes and no allocation; the rare wide split node
//! (up to 256 edges) spills to an exactly sized heap slice. Values live in a
//! separate slab so a node does not grow with `V`. Indices are stable when a
//! node is rewritten, so callers never fix parent links the way rax.c must
//! after a `realloc`. The arena vectors grow by an eighth at a time, not by
//! doubling, so spare capacity stays small in big trees.

/// Largest compressed string a node holds, as `RAX_NODE_MAX_SIZE` in rax.h.
pub(super) const MAX_NODE_SIZE: usize = (1 << 29) - 1;

const INLINE_BYTES: usize = 16;
const COMPRESSED_BIT: u32 = 1 << 31;
const SIZE_MASK: u32 = (1 << 29) - 1;
const CHILD_BYTES: usize = 4;

/// One radix tree node. See the module drawing for the layout.
#[derive(Clone, Debug)]
pub(super) struct Node {
    value: u32,
    meta: u32,
    payload: [u8; INLINE_BYTES],
}

/// Bytes of payload a node with this shape needs.
fn payload_len(compressed: bool, size: usize) -> usize {
    if compressed {
        size + CHILD_BYTES
    } else {
        size * (1 + CHILD_BYTES)
    }
}

/// All nodes and values of one tree, with free lists so removed slots are reused.
#[derive(Clone, Debug)]
pub(super) struct Arena<V> {
    nodes: Vec<Node>,
    free_nodes: Vec<u32>,
    spill: Vec<Box<[u8]>>,
    free_spill: Vec<u32>,
    values: Vec<Option<V>>,
    free_values: Vec<u32>,
}

impl<V> Arena<V> {
    pub(super) fn new() -> Self {
        Arena {
            nodes: Vec::new(),
            free_nodes: Vec::new(),
            spill: Vec::new(),
            free_spill: Vec::new(),
            values: Vec::new(),
            free_values: Vec::new(),
        }
    }

    /// Bytes held by the arena's vectors and spilled payloads (capacity, not length).
    pub(super) fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.free_nodes.capacity() * 4
            + self.spill.capacity() * std::mem::size_of::<Box<[u8]>>()
            + self.spill.iter().map(|b| b.len()).sum::<usize>()
            + self.free_spill.capacity() * 4
            + self.values.capacity() * std::mem::size_of::<Option<V>>()
            + self.free_values.capacity() * 4
    }

    #[inline]
    pub(super) fn is_compressed(&self, n: u32) -> bool {
        self.nodes[n as usize].meta & COMPRESSED_BIT != 0
    }

    /// Edge count of a normal node, or string length of a compressed one.
    #[inline]
    pub(super) fn size(&self, n: u32) -> usize {
        (self.nodes[n as usize].meta & SIZE_MASK) as usize
    }

    #[inline]
    pub(super) fn child_count(&self, n: u32) -> usize {
        if self.is_compressed(n) {
            1
        } else {
            self.size(n)
        }
    }

    #[inline]
    fn storage(&self, n: u32) -> &[u8] {
        let node = &self.nodes[n as usize];
        let len = payload_len(
            node.meta & COMPRESSED_BIT != 0,
            (node.meta & SIZE_MASK) as usize,
        );
        if len <= INLINE_BYTES {
            &node.payload[..len]
        } else {
            &self.spill[spill_slot(&node.payload)]
        }
    }

    /// A node's shape read with one lookup, for the lookup loop: whether it
    /// is compressed, its bytes, and the packed child indices after them.
    #[inline]
    pub(super) fn parts(&self, n: u32) -> (bool, &[u8], &[u8]) {
        let node = &self.nodes[n as usize];
        let compressed = node.meta & COMPRESSED_BIT != 0;
        let size = (node.meta & SIZE_MASK) as usize;
        let len = payload_len(compressed, size);
        let data: &[u8] = if len <= INLINE_BYTES {
            &node.payload[..len]
        } else {
            &self.spill[spill_slot(&node.payload)]
        };
        let (bytes, children) = data.split_at(size);
        (compressed, bytes, children)
    }

    /// Edge bytes of a normal node, or the string of a compressed one.
    #[inline]
    pub(super) fn bytes(&self, n: u32) -> &[u8] {
        let size = self.size(n);
        &self.storage(n)[..size]
    }

    #[inline]
    pub(super) fn child(&self, n: u32, k: usize) -> u32 {
        let at = self.size(n) + k * CHILD_BYTES;
        let s = self.storage(n);
        u32::from_le_bytes([s[at], s[at + 1], s[at + 2], s[at + 3]])
    }

    /// The only child of a compressed node, or the last edge's child.
    #[inline]
    pub(super) fn last_child(&self, n: u32) -> u32 {
        self.child(n, self.child_count(n) - 1)
    }

    #[inline]
    pub(super) fn is_key(&self, n: u32) -> bool {
        self.nodes[n as usize].value != 0
    }

    #[inline]
    pub(super) fn value(&self, n: u32) -> Option<&V> {
        match self.nodes[n as usize].value {
            0 => None,
            slot => self.values[slot as usize - 1].as_ref(),
        }
    }

    #[inline]
    pub(super) fn value_mut(&mut self, n: u32) -> Option<&mut V> {
        match self.nodes[n as usize].value {
            0 => None,
            slot => self.values[slot as usize - 1].as_mut(),
        }
    }

    /// The value slot of key node `n` (see [`Arena::slot_value_mut`]).
    pub(super) fn value_slot(&self, n: u32) -> Option<u32> {
        self.nodes[n as usize].value.checked_sub(1)
    }

    #[inline]
    pub(super) fn slot_value(&self, slot: u32) -> Option<&V> {
        self.values.get(slot as usize)?.as_ref()
    }

    #[inline]
    pub(super) fn slot_value_mut(&mut self, slot: u32) -> Option<&mut V> {
        self.values.get_mut(slot as usize)?.as_mut()
    }

    /// Makes `n` a key holding `v`; returns the value it held before, if any.
    pub(super) fn set_value(&mut self, n: u32, v: V) -> Option<V> {
        match self.nodes[n as usize].value {
            0 => {
                let slot = match self.free_values.pop() {
                    Some(s) => {
                        self.values[s as usize] = Some(v);
                        s
                    }
                    None => {
                        push_tight(&mut self.values, Some(v));
                        (self.values.len() - 1) as u32
                    }
                };
                self.nodes[n as usize].value = slot + 1;
                None
            }
            slot => self.values[slot as usize - 1].replace(v),
        }
    }

    /// Unmarks `n` as a key and returns its value.
    pub(super) fn take_value(&mut self, n: u32) -> Option<V> {
        match std::mem::replace(&mut self.nodes[n as usize].value, 0) {
            0 => None,
            slot => {
                self.free_values.push(slot - 1);
                self.values[slot as usize - 1].take()
            }
        }
    }

    /// Allocates a non-key node with the given shape.
    pub(super) fn alloc(&mut self, compressed: bool, bytes: &[u8], children: &[u32]) -> u32 {
        let node = Node {
            value: 0,
            meta: 0,
            payload: [0; INLINE_BYTES],
        };
        let n = match self.free_nodes.pop() {
            Some(n) => {
                self.nodes[n as usize] = node;
                n
            }
            None => {
                push_tight(&mut self.nodes, node);
                (self.nodes.len() - 1) as u32
            }
        };
        self.rewrite(n, compressed, bytes, children);
        n
    }

    /// An empty, childless, non-key node: what `raxNewNode(0,0)` returns.
    pub(super) fn alloc_leaf(&mut self) -> u32 {
        self.alloc(false, &[], &[])
    }

    /// Releases a node (which must no longer be a key) and its spilled payload.
    pub(super) fn free(&mut self, n: u32) {
        debug_assert!(!self.is_key(n), "freeing a node that still holds a value");
        self.release_spill(n);
        self.nodes[n as usize].meta = 0;
        self.free_nodes.push(n);
    }

    fn release_spill(&mut self, n: u32) {
        let node = &self.nodes[n as usize];
        let len = payload_len(
            node.meta & COMPRESSED_BIT != 0,
            (node.meta & SIZE_MASK) as usize,
        );
        if len > INLINE_BYTES {
            let slot = spill_slot(&node.payload);
            self.spill[slot] = Box::new([]);
            self.free_spill.push(slot as u32);
        }
    }

    /// Gives node `n` a new shape, keeping its key and value.
    pub(super) fn rewrite(&mut self, n: u32, compressed: bool, bytes: &[u8], children: &[u32]) {
        debug_assert_eq!(children.len(), if compressed { 1 } else { bytes.len() });
        self.release_spill(n);
        let size = bytes.len();
        let len = payload_len(compressed, size);
        let meta = (size as u32 & SIZE_MASK) | if compressed { COMPRESSED_BIT } else { 0 };
        self.nodes[n as usize].meta = meta;
        if len <= INLINE_BYTES {
            let payload = &mut self.nodes[n as usize].payload;
            payload[..size].copy_from_slice(bytes);
            write_children(&mut payload[size..len], children);
        } else {
            let mut data = vec![0u8; len].into_boxed_slice();
            data[..size].copy_from_slice(bytes);
            write_children(&mut data[size..], children);
            let slot = match self.free_spill.pop() {
                Some(s) => {
                    self.spill[s as usize] = data;
                    s
                }
                None => {
                    push_tight(&mut self.spill, data);
                    (self.spill.len() - 1) as u32
                }
            };
            self.nodes[n as usize].payload[..4].copy_from_slice(&slot.to_le_bytes());
        }
    }

    /// Adds edge `c` to normal node `n`, keeping edges sorted, pointing at `child`.
    pub(super) fn add_edge(&mut self, n: u32, c: u8, child: u32) {
        debug_assert!(!self.is_compressed(n));
        let size = self.size(n);
        let pos = self.bytes(n).iter().position(|&e| e > c).unwrap_or(size);
        let mut bytes = Vec::with_capacity(size + 1);
        bytes.extend_from_slice(self.bytes(n));
        bytes.insert(pos, c);
        let mut children: Vec<u32> = (0..size).map(|k| self.child(n, k)).collect();
        children.insert(pos, child);
        self.rewrite(n, false, &bytes, &children);
    }

    /// Unlinks `child` from `n` as `raxRemoveChild` does: a compressed node
    /// becomes an empty normal node, a normal node loses that edge.
    pub(super) fn remove_child(&mut self, n: u32, child: u32) {
        if self.is_compressed(n) {
            self.rewrite(n, false, &[], &[]);
            return;
        }
        let size = self.size(n);
        let Some(pos) = (0..size).position(|k| self.child(n, k) == child) else {
            debug_assert!(false, "child {child} not linked from node {n}");
            return;
        };
        let mut bytes = self.bytes(n).to_vec();
        bytes.remove(pos);
        let mut children: Vec<u32> = (0..size).map(|k| self.child(n, k)).collect();
        children.remove(pos);
        self.rewrite(n, false, &bytes, &children);
    }

    /// Node slots ever allocated, freed ones included.
    pub(super) fn slots(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes allocated and not freed.
    pub(super) fn live_nodes(&self) -> usize {
        self.nodes.len() - self.free_nodes.len()
    }
}

/// Pushes with growth of about an eighth instead of doubling, so a big
/// tree wastes at most ~12% of its arena on spare capacity.
fn push_tight<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.capacity() / 8 + 4);
    }
    v.push(item);
}

/// Index of edge `c` among sorted `edges`. The last edge is tried first:
/// a stream appends at its largest key, whose path takes the last edge of
/// every node. Wide nodes (a stream's low ID bytes fan out to 256) then use
/// a binary search where rax.c scans; the edge found is the same.
#[inline]
pub(super) fn find_edge(edges: &[u8], c: u8) -> Option<usize> {
    match edges.last() {
        Some(&e) if e == c => Some(edges.len() - 1),
        Some(&e) if e < c => None,
        _ if edges.len() <= 8 => edges.iter().position(|&e| e == c),
        // All 256 bytes present: the edge for `c` is at index `c`.
        _ if edges.len() == 256 => Some(c as usize),
        _ => edges.binary_search(&c).ok(),
    }
}

/// Child `k` from the packed child indices returned by [`Arena::parts`].
#[inline]
pub(super) fn child_at(children: &[u8], k: usize) -> u32 {
    let at = k * CHILD_BYTES;
    u32::from_le_bytes([
        children[at],
        children[at + 1],
        children[at + 2],
        children[at + 3],
    ])
}

#[inline]
fn spill_slot(payload: &[u8; INLINE_BYTES]) -> usize {
    u32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]) as usize
}

fn write_children(out: &mut [u8], children: &[u32]) {
    for (k, c) in children.iter().enumerate() {
        out[k * CHILD_BYTES..(k + 1) * CHILD_BYTES].copy_from_slice(&c.to_le_bytes());
    }
}

/// Size of one node record; the figure the module doc promises.
pub(super) const NODE_BYTES: usize = std::mem::size_of::<Node>();
