//! Node counts checked against a real redis-server.
//!
//! ```text
//!   seeded ops ──▶ Rax<()>              node_count()
//!        │                                   ║ must match after every op
//!        └──────▶ redis-server ── XINFO STREAM s ─▶ radix-tree-nodes
//!                 stream-node-max-entries 1: one rax key per entry ID
//! ```
//!
//! With one entry per stream node, every XADD inserts the entry's 16-byte
//! big-endian ID into the stream's rax and every XDEL removes it, so
//! `radix-tree-nodes` is rax.c's `numnodes` for an arbitrary sequence of
//! ascending inserts and arbitrary removals. The test starts its own server
//! on a private port and skips (saying why) when redis-server is missing.
//! `RAX_SEED` pins the seed, `ENGINE_REDIS_PORT` the port (tests/common/redis.rs).

mod common;

use common::redis::{Conn, start_redis};
use streamlab::engine::Reply;
use streamlab::engine::rax::Rax;

fn ok(conn: &mut Conn, words: &[&[u8]]) {
    let argv: Vec<Vec<u8>> = words.iter().map(|w| w.to_vec()).collect();
    if let Reply::Error(e) = conn.call(&argv) {
        panic!("{:?} failed: {e}", String::from_utf8_lossy(&words.concat()));
    }
}

fn radix_nodes(conn: &mut Conn) -> u64 {
    let argv = [b"XINFO".to_vec(), b"STREAM".to_vec(), b"s".to_vec()];
    let Reply::Array(items) = conn.call(&argv) else {
        panic!("XINFO STREAM did not return an array");
    };
    for pair in items.chunks(2) {
        if let [Reply::Bulk(name), Reply::Integer(n)] = pair
            && name == b"radix-tree-nodes"
        {
            return *n as u64;
        }
    }
    panic!("no radix-tree-nodes in XINFO STREAM");
}

/// splitmix64: a tiny deterministic generator for the workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The next ID after `ms-seq`, with gaps that change every byte position.
fn next_id(rng: &mut Rng, ms: u64, seq: u64) -> (u64, u64) {
    match rng.below(8) {
        0 | 1 => (ms, seq + 1),
        2 => (ms, seq + 1 + rng.below(300)),
        3 => (ms, seq + 1 + rng.below(1 << 20)),
        4 => (ms + 1, rng.below(3)),
        5 => (ms + 1 + rng.below(300), 0),
        6 => (ms + 1 + rng.below(1 << 24), rng.below(2)),
        _ => (ms + 1 + rng.below(1 << 40), 0),
    }
}

fn key(ms: u64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&ms.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn run_seed(conn: &mut Conn, seed: u64, ops: usize) {
    ok(conn, &[b"DEL", b"s"]);
    let mut rng = Rng(seed);
    let mut rax: Rax<()> = Rax::new();
    let mut live: Vec<(u64, u64)> = Vec::new();
    let (mut ms, mut seq) = (rng.below(1 << 41), 0);
    for op in 0..ops {
        let add = live.is_empty() || rng.below(100) < 60;
        let what = if add {
            (ms, seq) = next_id(&mut rng, ms, seq);
            let id = format!("{ms}-{seq}");
            ok(conn, &[b"XADD", b"s", id.as_bytes(), b"f", b"v"]);
            rax.insert(&key(ms, seq), ());
            live.push((ms, seq));
            format!("XADD {id}")
        } else {
            let (dms, dseq) = live.swap_remove(rng.below(live.len() as u64) as usize);
            let id = format!("{dms}-{dseq}");
            ok(conn, &[b"XDEL", b"s", id.as_bytes()]);
            assert!(rax.remove(&key(dms, dseq)).is_some());
            format!("XDEL {id}")
        };
        let redis = radix_nodes(conn);
        assert_eq!(
            rax.node_count(),
            redis,
            "seed {seed}: op {op} ({what}): node count differs from redis\n{}",
            rax.show()
        );
    }
    rax.validate().unwrap();
}

#[test]
fn node_counts_match_redis() {
    let Some((_server, mut conn)) = start_redis(&[]) else {
        return;
    };
    ok(
        &mut conn,
        &[b"CONFIG", b"SET", b"stream-node-max-entries", b"1"],
    );
    let seeds: Vec<u64> = match std::env::var("RAX_SEED") {
        Ok(s) => vec![s.parse().expect("RAX_SEED must be an integer")],
        Err(_) => vec![1, 2, 3, 0x5eed, 0xdead_beef],
    };
    for seed in seeds {
        eprintln!("rax vs redis: seed {seed}");
        run_seed(&mut conn, seed, 1500);
    }
}
