//! Looking inside the tree: a `raxShow`-style drawing and a plain-data dump.
//!
//! ```text
//!   show() for "foo", "foobar", "footer":
//!
//!   "foo" -> [bt]=*
//!             `-(b) "ar" -> []=*
//!             `-(t) "er" -> []=*
//!
//!   "abc" compressed node     [abc] normal node, one edge per byte
//!   =*    the node is a key   ->    the only child    `-(x) child on edge x
//! ```
//!
//! Bytes outside printable ASCII are written `\xNN`, so 16-byte stream IDs
//! stay readable. Unlike rax.c's drawing, every level is indented from
//! where its parent's text starts, the root's children included.
//! [`Rax::dump`] gives the same structure as plain structs for the visual
//! explorer, nodes in breadth-first order with the root at index 0.

use std::collections::VecDeque;
use std::fmt::Write as _;

use super::Rax;

/// Every node of a tree, breadth-first; `nodes[0]` is the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaxDump {
    /// Number of keys.
    pub keys: u64,
    /// Number of nodes, equal to `nodes.len()`.
    pub node_count: u64,
    pub nodes: Vec<RaxDumpNode>,
}

/// One node as the explorer draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaxDumpNode {
    /// A compressed node holds a run of bytes and one child.
    pub compressed: bool,
    /// The run of a compressed node, or the edge bytes of a normal one.
    pub bytes: Vec<u8>,
    /// Whether the path to this node is a key.
    pub is_key: bool,
    /// The key bytes spelled by the path from the root to this node.
    pub prefix: Vec<u8>,
    /// Edges from the root (the root is 0).
    pub depth: usize,
    pub children: Vec<RaxDumpEdge>,
}

/// An edge to a child: its bytes (one, or the whole run) and the child's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaxDumpEdge {
    pub edge: Vec<u8>,
    pub child: usize,
}

/// Writes `bytes` with non-printable bytes as `\xNN`; returns the columns used.
fn write_bytes(out: &mut String, bytes: &[u8]) -> usize {
    let mut cols = 0;
    for &b in bytes {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(b as char);
            cols += 1;
        } else {
            let _ = write!(out, "\\x{b:02x}");
            cols += 4;
        }
    }
    cols
}

enum Task {
    Node { n: u32, col: usize },
    Branch { col: usize, edge: u8 },
    Arrow,
}

impl<V> Rax<V> {
    /// The tree drawn as `raxShow` does, keys marked `=*`.
    pub fn show(&self) -> String {
        self.show_with(|_| "*".to_string())
    }

    /// The tree drawn as `raxShow` does, keys marked `=` and `label(value)`.
    pub fn show_with(&self, label: impl Fn(&V) -> String) -> String {
        let a = &self.arena;
        let mut out = String::new();
        let mut tasks = vec![Task::Node {
            n: self.head,
            col: 0,
        }];
        while let Some(task) = tasks.pop() {
            match task {
                Task::Arrow => out.push_str(" -> "),
                Task::Branch { col: pad, edge } => {
                    out.push('\n');
                    out.push_str(&" ".repeat(pad));
                    out.push_str(" `-(");
                    write_bytes(&mut out, &[edge]);
                    out.push_str(") ");
                }
                Task::Node { n, col: start } => {
                    let (open, close) = if a.is_compressed(n) {
                        ('"', '"')
                    } else {
                        ('[', ']')
                    };
                    out.push(open);
                    let mut width = 2 + write_bytes(&mut out, a.bytes(n));
                    out.push(close);
                    if let Some(v) = a.value(n) {
                        let text = format!("={}", label(v));
                        width += text.chars().count();
                        out.push_str(&text);
                    }
                    let count = a.child_count(n);
                    if count == 1 {
                        tasks.push(Task::Node {
                            n: a.child(n, 0),
                            col: start + width + 4,
                        });
                        tasks.push(Task::Arrow);
                    } else {
                        for k in (0..count).rev() {
                            let edge = a.bytes(n)[k];
                            let branch_width = if edge.is_ascii_graphic() || edge == b' ' {
                                7
                            } else {
                                10
                            };
                            tasks.push(Task::Node {
                                n: a.child(n, k),
                                col: start + branch_width,
                            });
                            tasks.push(Task::Branch { col: start, edge });
                        }
                    }
                }
            }
        }
        out.push('\n');
        out
    }

    /// Every node as plain data, breadth-first from the root.
    pub fn dump(&self) -> RaxDump {
        let a = &self.arena;
        let mut nodes = Vec::new();
        let mut queue = VecDeque::new();
        queue.push_back((self.head, Vec::new(), 0usize));
        let mut next_id = 1;
        while let Some((n, prefix, depth)) = queue.pop_front() {
            let mut children = Vec::with_capacity(a.child_count(n));
            for k in 0..a.child_count(n) {
                let mut edge = Vec::new();
                self.push_edge(n, k, &mut edge);
                let mut child_prefix = prefix.clone();
                child_prefix.extend_from_slice(&edge);
                queue.push_back((a.child(n, k), child_prefix, depth + 1));
                children.push(RaxDumpEdge {
                    edge,
                    child: next_id,
                });
                next_id += 1;
            }
            nodes.push(RaxDumpNode {
                compressed: a.is_compressed(n),
                bytes: a.bytes(n).to_vec(),
                is_key: a.is_key(n),
                prefix,
                depth,
                children,
            });
        }
        RaxDump {
            keys: self.keys,
            node_count: self.nodes,
            nodes,
        }
    }
}

impl<V> Rax<V> {
    /// Checks the structural rules rax.c keeps, for tests and debugging:
    /// the counters match what is reachable and allocated, edges are sorted,
    /// compressed runs are at least two bytes, and every leaf but the root is
    /// a key.
    pub fn validate(&self) -> Result<(), String> {
        let a = &self.arena;
        let mut seen = vec![false; a.slots()];
        let mut stack = vec![self.head];
        let (mut nodes, mut keys) = (0u64, 0u64);
        while let Some(n) = stack.pop() {
            nodes += 1;
            keys += u64::from(a.is_key(n));
            let slot = seen
                .get_mut(n as usize)
                .ok_or(format!("node {n} out of range"))?;
            if std::mem::replace(slot, true) {
                return Err(format!("node {n} reached twice"));
            }
            let bytes = a.bytes(n);
            if a.is_compressed(n) && bytes.len() < 2 {
                return Err(format!("compressed node {n} holds {} byte(s)", bytes.len()));
            }
            if !a.is_compressed(n) && bytes.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("node {n} edges not strictly sorted: {bytes:?}"));
            }
            if n != self.head && a.child_count(n) == 0 && !a.is_key(n) {
                return Err(format!("leaf {n} is not a key"));
            }
            stack.extend((0..a.child_count(n)).map(|k| a.child(n, k)));
        }
        if nodes != self.nodes || nodes != a.live_nodes() as u64 {
            return Err(format!(
                "{nodes} nodes reachable, counter says {}, arena holds {}",
                self.nodes,
                a.live_nodes()
            ));
        }
        if keys != self.keys {
            return Err(format!("{keys} keys reachable, counter says {}", self.keys));
        }
        Ok(())
    }
}
