//! Throughput of the XADD storage path: appending two-field entries to
//! stream nodes, closing a node every 100 entries as Redis does by default.
//!
//! ```text
//!   1M × append(id, [amount 50, user 123]) ──▶ nodes of 100 entries (1229 B each)
//! ```
//!
//! Run with `cargo bench --bench node_append`. Prints ns per append and
//! the node bytes, which must stay 1229 per full node.

use std::hint::black_box;
use std::time::Instant;

use streamlab::engine::StreamId;
use streamlab::engine::node::Node;

const ENTRIES: u64 = 1_000_000;

fn fill(pairs: &[(&[u8], &[u8])]) -> Vec<Node> {
    let payload: usize = pairs.iter().map(|(f, v)| f.len() + v.len()).sum();
    let mut nodes: Vec<Node> = Vec::with_capacity(ENTRIES as usize / 50);
    for seq in 0..ENTRIES {
        let id = StreamId::new(1_700_000_000_000, seq);
        match nodes.last_mut() {
            Some(n) if !n.is_full(payload, 4096, 100) => n.append(id, pairs),
            last => {
                if let Some(n) = last {
                    n.shrink_to_fit();
                }
                nodes.push(Node::new(id, pairs, Node::prealloc_bytes(4096)));
            }
        }
    }
    nodes
}

fn main() {
    let pairs: [(&[u8], &[u8]); 2] = [(b"amount", b"50"), (b"user", b"123")];
    let mut best_ns = f64::MAX;
    let mut nodes = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        nodes = black_box(fill(black_box(&pairs)));
        let ns = start.elapsed().as_nanos() as f64 / ENTRIES as f64;
        best_ns = best_ns.min(ns);
    }
    let lp_bytes: usize = nodes.iter().map(Node::lp_bytes).sum();
    let alloc: usize = nodes.iter().map(Node::alloc_bytes).sum();
    println!(
        "append, two fields, 100 per node: {best_ns:.1} ns/entry ({:.2} M/s)",
        1000.0 / best_ns
    );
    println!(
        "{} nodes, lp_bytes {} ({:.2} B/entry), modelled jemalloc bytes {:.2} B/entry",
        nodes.len(),
        lp_bytes,
        lp_bytes as f64 / ENTRIES as f64,
        alloc as f64 / ENTRIES as f64
    );
    println!("first node {} bytes", nodes[0].lp_bytes());

    let values: Vec<String> = (1..=5).map(|i| format!("value-{i:04}")).collect();
    let names: Vec<String> = (1..=5).map(|i| format!("field{i}")).collect();
    let five: Vec<(&[u8], &[u8])> = names
        .iter()
        .zip(&values)
        .map(|(f, v)| (f.as_bytes(), v.as_bytes()))
        .collect();
    let start = Instant::now();
    let nodes = black_box(fill(&five));
    let ns = start.elapsed().as_nanos() as f64 / ENTRIES as f64;
    println!(
        "append, five 10-byte values: {ns:.1} ns/entry, {:.1} entries/node",
        ENTRIES as f64 / nodes.len() as f64
    );
}
