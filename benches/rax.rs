//! The radix tree on the XADD hot path: find the last key, sometimes add one.
//!
//! ```text
//!   10,000 keys loaded ─▶ per op: get_mut(last key)    ×99
//!                                 insert(next key)     ×1   (a new stream node)
//! ```
//!
//! Run with `cargo bench --bench rax`; prints nanoseconds per operation and
//! the tree's heap bytes per node.

use std::hint::black_box;
use std::time::Instant;

use streamlab::engine::rax::Rax;

fn key(ms: u64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&ms.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn main() {
    let ms = 1_700_000_000_000;
    let mut rax: Rax<u64> = Rax::new();
    let mut seq = 0;
    while seq < 1_000_000 {
        rax.insert(&key(ms, seq), 0);
        seq += 100;
    }
    let mut last = key(ms, seq - 100);
    let ops: u64 = 10_000_000;
    let start = Instant::now();
    for i in 0..ops {
        if i % 100 == 99 {
            last = key(ms, seq);
            seq += 100;
            rax.insert(&last, 0);
        } else if let Some(v) = rax.get_mut(black_box(&last)) {
            *v += 1;
        }
    }
    let elapsed = start.elapsed();
    println!(
        "xadd-like: {:.1} ns/op over {ops} ops ({} keys, {} nodes, {:.1} heap bytes/node)",
        elapsed.as_nanos() as f64 / ops as f64,
        rax.len(),
        rax.node_count(),
        rax.heap_bytes() as f64 / rax.node_count() as f64
    );
    let start = Instant::now();
    let mut found = 0u64;
    for s in (0..seq).step_by(100) {
        found += u64::from(rax.get(black_box(&key(ms, s))).is_some());
    }
    println!(
        "get (every key once): {:.1} ns/op, {found} found",
        start.elapsed().as_nanos() as f64 / found.max(1) as f64
    );
}
