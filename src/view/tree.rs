//! The stream's radix tree laid out as rax.h draws it, with a level of
//! detail that keeps a million-entry stream drawable.
//!
//! ```text
//!   level 0            [00 00 01 8b cf e4 8b|..]          compressed run
//!                               │
//!   level 1                 [0a 0b 0c]                    normal node: one byte per edge
//!                      0a ╱     │0b    ╲ 0c
//!   level 2   = 1700000000000-0  = …-100   … 98 nodes, 9,800 entries   (collapsed)
//! ```
//!
//! Keys are the 16-byte big-endian master IDs (8 bytes of ms, 8 of seq);
//! the ms/seq split is marked `|` inside a run. Boxes are placed on a grid
//! (`column`, `level`): leaves and collapsed subtrees take the next column
//! left to right, a parent sits over the middle of its children.
//!
//! Level of detail: nodes on the path to the focus key (the tail, or what
//! the user opened) are always expanded; other nodes are expanded breadth
//! first while fewer than `budget` boxes are shown; a node with more than
//! [`MAX_FANOUT`] children shows the ones nearest the focus and groups
//! the rest into "+N" boxes. What is hidden is summarised, never dropped:
//! every collapsed box carries its node, key and entry counts.

use crate::engine::StreamId;
use crate::engine::node::Node;
use crate::engine::rax::{Rax, RaxDump};

/// Children drawn per node at most; the rest are grouped.
pub const MAX_FANOUT: usize = 7;

/// Boxes drawn at most, beyond the focus path (kept small enough to read).
pub const DEFAULT_BUDGET: usize = 40;

/// What a box stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoxKind {
    /// A rax node drawn in full.
    Node {
        /// Index in the breadth-first dump.
        index: usize,
        compressed: bool,
        /// The node's bytes in hex (`|` where the ms part ends).
        label: String,
        /// The master ID when the node is a key (a macro node hangs here).
        key: Option<StreamId>,
    },
    /// A subtree drawn as one box.
    Collapsed { nodes: u64, keys: u64, entries: u64 },
    /// Siblings grouped together.
    MoreSiblings { count: u64, keys: u64, entries: u64 },
}

/// One box of the drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeBox {
    pub kind: BoxKind,
    /// Horizontal slot (leaves are 0, 1, 2…; parents in between).
    pub column: f32,
    pub level: usize,
    /// On the path from the root to the focus key.
    pub on_focus_path: bool,
    /// The key did not exist at the previous step (a new macro node).
    pub fresh: bool,
}

/// A drawn edge: parent box, child box, the byte(s) on the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEdge {
    pub from: usize,
    pub to: usize,
    /// Hex of the branching byte for a normal node's edge, else empty.
    pub label: String,
}

/// The laid-out tree.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TreeLayout {
    pub boxes: Vec<TreeBox>,
    pub edges: Vec<TreeEdge>,
    /// Columns used (width of the grid).
    pub columns: f32,
    /// Levels used (height of the grid).
    pub levels: usize,
    /// `radix-tree-nodes` (all of them, drawn or not).
    pub node_count: u64,
    /// `radix-tree-keys`.
    pub key_count: u64,
}

/// Per-node totals of the subtree rooted there.
#[derive(Clone, Copy, Default)]
struct Sub {
    nodes: u64,
    keys: u64,
    entries: u64,
}

impl TreeLayout {
    /// Lays out `rax` keeping the path to `focus` open. `known_keys` are
    /// the master IDs of the previous step (for `fresh`), if any.
    pub fn of(
        rax: &Rax<Node>,
        focus: Option<StreamId>,
        budget: usize,
        known_keys: Option<&[StreamId]>,
    ) -> TreeLayout {
        let dump = rax.dump();
        let entries_of = |prefix: &[u8]| rax.get(prefix).map_or(0, |n| n.live());
        let subs = subtree_totals(&dump, entries_of);
        let focus_bytes = focus.map(|f| f.to_be_bytes().to_vec());
        let on_path = |i: usize| {
            focus_bytes
                .as_ref()
                .is_some_and(|f| f.starts_with(&dump.nodes[i].prefix))
        };
        let mut b = Builder {
            dump: &dump,
            subs: &subs,
            layout: TreeLayout {
                node_count: dump.node_count,
                key_count: dump.keys,
                ..TreeLayout::default()
            },
            next_column: 0.0,
            known_keys,
        };
        // Decide which nodes open: breadth first, the focus path always.
        // Parents precede children in the breadth-first dump, so one pass
        // knows whether a node's parent opened.
        let mut parent = vec![usize::MAX; dump.nodes.len()];
        for (p, n) in dump.nodes.iter().enumerate() {
            for e in &n.children {
                parent[e.child] = p;
            }
        }
        let mut open = vec![false; dump.nodes.len()];
        let mut shown = 1usize;
        for i in 0..dump.nodes.len() {
            let kids = dump.nodes[i].children.len();
            if kids == 0 || (i > 0 && !open[parent[i]]) {
                continue;
            }
            let cost = kids.min(MAX_FANOUT + 2);
            if on_path(i) || shown + cost <= budget {
                open[i] = true;
                shown += cost;
            }
        }
        b.place(0, 0, &open, &on_path);
        b.layout.levels = b
            .layout
            .boxes
            .iter()
            .map(|x| x.level + 1)
            .max()
            .unwrap_or(0);
        b.layout.columns = b.next_column;
        b.layout
    }

    /// Index of the box drawing the key `id`, if it is drawn.
    pub fn box_of_key(&self, id: StreamId) -> Option<usize> {
        self.boxes
            .iter()
            .position(|b| matches!(b.kind, BoxKind::Node { key: Some(k), .. } if k == id))
    }
}

fn subtree_totals(dump: &RaxDump, entries_of: impl Fn(&[u8]) -> u64) -> Vec<Sub> {
    let mut subs = vec![Sub::default(); dump.nodes.len()];
    for i in (0..dump.nodes.len()).rev() {
        let n = &dump.nodes[i];
        let mut s = Sub {
            nodes: 1,
            keys: u64::from(n.is_key),
            entries: if n.is_key { entries_of(&n.prefix) } else { 0 },
        };
        for e in &n.children {
            let c = subs[e.child];
            s.nodes += c.nodes;
            s.keys += c.keys;
            s.entries += c.entries;
        }
        subs[i] = s;
    }
    subs
}

struct Builder<'a> {
    dump: &'a RaxDump,
    subs: &'a [Sub],
    layout: TreeLayout,
    next_column: f32,
    known_keys: Option<&'a [StreamId]>,
}

impl Builder<'_> {
    /// Places node `i` at `level` and what opens below it; returns its box.
    fn place(
        &mut self,
        i: usize,
        level: usize,
        open: &[bool],
        on_path: &dyn Fn(usize) -> bool,
    ) -> usize {
        let n = &self.dump.nodes[i];
        let key = n
            .is_key
            .then(|| StreamId::from_be_bytes(&n.prefix))
            .flatten();
        let fresh = key.is_some_and(|k| self.known_keys.is_some_and(|known| !known.contains(&k)));
        let me = self.push(
            BoxKind::Node {
                index: i,
                compressed: n.compressed,
                label: hex_label(&n.bytes, n.prefix.len(), n.compressed),
                key,
            },
            level,
            on_path(i),
            fresh,
        );
        if n.children.is_empty() || !open[i] {
            let column = self.take_column();
            self.layout.boxes[me].column = column;
            if !n.children.is_empty() {
                // The hidden subtree hangs under the node, in its column.
                let s = self.subs[i];
                let own_entries = if n.is_key {
                    s.entries - self.subs_entries_of_children(i)
                } else {
                    0
                };
                let c = self.push(
                    BoxKind::Collapsed {
                        nodes: s.nodes - 1,
                        keys: s.keys - u64::from(n.is_key),
                        entries: s.entries - own_entries,
                    },
                    level + 1,
                    false,
                    false,
                );
                self.layout.boxes[c].column = column;
                self.edge(me, c, String::new());
            }
            return me;
        }
        let (lo, hi) = window(
            n.children.len(),
            n.children.iter().position(|e| on_path(e.child)),
        );
        let mut kids = Vec::new();
        if lo > 0 {
            kids.push(self.more(&n.children[..lo], level + 1));
        }
        for e in &n.children[lo..hi] {
            let c = self.place(e.child, level + 1, open, on_path);
            let label = if n.compressed {
                String::new()
            } else {
                hex(&e.edge)
            };
            self.edge(me, c, label);
            kids.push(c);
        }
        if hi < n.children.len() {
            kids.push(self.more(&n.children[hi..], level + 1));
        }
        let grouped: Vec<usize> = kids
            .iter()
            .copied()
            .filter(|k| matches!(self.layout.boxes[*k].kind, BoxKind::MoreSiblings { .. }))
            .collect();
        for k in grouped {
            self.edge(me, k, String::new());
        }
        let first = self.layout.boxes[kids[0]].column;
        let last = self.layout.boxes[*kids.last().unwrap_or(&kids[0])].column;
        self.layout.boxes[me].column = (first + last) / 2.0;
        me
    }

    fn more(&mut self, edges: &[crate::engine::rax::RaxDumpEdge], level: usize) -> usize {
        let mut total = Sub::default();
        for e in edges {
            let s = self.subs[e.child];
            total.keys += s.keys;
            total.entries += s.entries;
        }
        let b = self.push(
            BoxKind::MoreSiblings {
                count: edges.len() as u64,
                keys: total.keys,
                entries: total.entries,
            },
            level,
            false,
            false,
        );
        self.layout.boxes[b].column = self.take_column();
        b
    }

    fn subs_entries_of_children(&self, i: usize) -> u64 {
        self.dump.nodes[i]
            .children
            .iter()
            .map(|e| self.subs[e.child].entries)
            .sum()
    }

    fn take_column(&mut self) -> f32 {
        let c = self.next_column;
        self.next_column += 1.0;
        c
    }

    fn push(&mut self, kind: BoxKind, level: usize, on_focus_path: bool, fresh: bool) -> usize {
        self.layout.boxes.push(TreeBox {
            kind,
            column: -1.0,
            level,
            on_focus_path,
            fresh,
        });
        self.layout.boxes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, label: String) {
        self.layout.edges.push(TreeEdge { from, to, label });
    }
}

/// The children to draw: all when few, else a window around `focus`.
fn window(count: usize, focus: Option<usize>) -> (usize, usize) {
    if count <= MAX_FANOUT {
        return (0, count);
    }
    let center = focus.unwrap_or(count - 1);
    let lo = center
        .saturating_sub(MAX_FANOUT / 2)
        .min(count - MAX_FANOUT);
    (lo, lo + MAX_FANOUT)
}

/// Hex bytes of a node; `|` marks the end of the 8 ms bytes inside a run
/// starting at key offset `offset`.
pub fn hex_label(bytes: &[u8], offset: usize, compressed: bool) -> String {
    let mut s = String::new();
    for (k, b) in bytes.iter().enumerate() {
        if k > 0 {
            let boundary = compressed && offset + k == 8;
            s.push(if boundary { '|' } else { ' ' });
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream::{NodeLimits, Stream};

    fn stream_of(n: u64, per_ms: u64) -> Stream {
        let mut s = Stream::new();
        let limits = NodeLimits::default();
        for i in 0..n {
            let id = StreamId {
                ms: 1_700_000_000_000 + i / per_ms,
                seq: i % per_ms,
            };
            s.append(id, &[(b"f".as_slice(), b"v".as_slice())], limits);
        }
        s
    }

    fn drawn_keys(t: &TreeLayout) -> u64 {
        let mut keys = 0;
        for b in &t.boxes {
            keys += match b.kind {
                BoxKind::Node { key: Some(_), .. } => 1,
                BoxKind::Collapsed { keys, .. } | BoxKind::MoreSiblings { keys, .. } => keys,
                BoxKind::Node { .. } => 0,
            };
        }
        keys
    }

    #[test]
    fn a_small_tree_is_drawn_whole_with_one_box_per_rax_node() {
        let s = stream_of(250, 1000);
        let t = TreeLayout::of(s.rax(), s.tail_master(), DEFAULT_BUDGET, None);
        assert_eq!(t.node_count, s.radix_tree_nodes());
        assert_eq!(t.key_count, 3, "250 entries close two nodes of 100");
        let nodes = t
            .boxes
            .iter()
            .filter(|b| matches!(b.kind, BoxKind::Node { .. }))
            .count();
        assert_eq!(nodes as u64, s.radix_tree_nodes());
        assert_eq!(drawn_keys(&t), 3);
        assert_eq!(
            t.edges.len(),
            t.boxes.len() - 1,
            "a tree: one edge per non-root box"
        );
    }

    #[test]
    fn a_large_tree_collapses_but_accounts_for_every_key_and_entry() {
        let s = stream_of(100_000, 7);
        let focus = s.tail_master();
        let t = TreeLayout::of(s.rax(), focus, DEFAULT_BUDGET, None);
        assert!(t.boxes.len() < 80, "{} boxes", t.boxes.len());
        assert_eq!(drawn_keys(&t), s.radix_tree_keys());
        let tail = t.box_of_key(focus.unwrap()).expect("the tail stays drawn");
        assert!(t.boxes[tail].on_focus_path);
        let entries: u64 = t
            .boxes
            .iter()
            .map(|b| match (&b.kind, b.kind.clone()) {
                (BoxKind::Node { key: Some(k), .. }, _) => {
                    s.rax().get(&k.to_be_bytes()).unwrap().live()
                }
                (_, BoxKind::Collapsed { entries, .. } | BoxKind::MoreSiblings { entries, .. }) => {
                    entries
                }
                _ => 0,
            })
            .sum();
        assert_eq!(entries, s.length());
    }

    #[test]
    fn new_macro_nodes_are_marked_fresh() {
        let s = stream_of(150, 1000);
        let before = TreeLayout::of(s.rax(), s.tail_master(), DEFAULT_BUDGET, None);
        let known: Vec<StreamId> = before
            .boxes
            .iter()
            .filter_map(|b| match b.kind {
                BoxKind::Node { key, .. } => key,
                _ => None,
            })
            .collect();
        let s2 = stream_of(201, 1000);
        let after = TreeLayout::of(s2.rax(), s2.tail_master(), DEFAULT_BUDGET, Some(&known));
        let fresh: Vec<_> = after.boxes.iter().filter(|b| b.fresh).collect();
        assert_eq!(fresh.len(), 1);
        assert!(
            matches!(fresh[0].kind, BoxKind::Node { key: Some(k), .. } if k == s2.tail_master().unwrap())
        );
    }

    #[test]
    fn the_ms_seq_split_is_marked_inside_a_run() {
        assert_eq!(hex_label(&[1, 2, 3], 7, true), "01|02 03");
        assert_eq!(hex_label(&[1, 2, 3], 7, false), "01 02 03");
    }
}
