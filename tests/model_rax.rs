//! The radix tree against a `BTreeMap` model, under seeded random operations.
//!
//! ```text
//!   splitmix64(seed) ─▶ op ─┬─▶ Rax<u64>          results and key order
//!                           └─▶ BTreeMap<key,u64>  must agree after every op
//! ```
//!
//! Key shapes: short keys over a three-letter alphabet (keys that are
//! prefixes of each other, keys held by inner nodes), 16-byte keys that
//! share long prefixes (stream IDs), arbitrary bytes including 0x00 and
//! 0xff, and one- or two-byte keys over all 256 bytes (nodes with up to 256
//! edges). A failing run prints its seed; `RAX_SEED=<n>` replays just that one.

use std::collections::BTreeMap;
use std::ops::Bound;

use streamlab::engine::rax::{Rax, Seek};

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

#[derive(Clone, Copy, Debug)]
enum Shape {
    Alphabet,
    StreamIds,
    AnyBytes,
    Wide,
}

fn gen_key(rng: &mut Rng, shape: Shape) -> Vec<u8> {
    match shape {
        Shape::Alphabet => {
            let len = rng.below(7) as usize;
            (0..len).map(|_| b"abc"[rng.below(3) as usize]).collect()
        }
        Shape::StreamIds => {
            let ms = 1_700_000_000_000 + rng.below(4) * (1 << (8 * rng.below(5)));
            let seq = match rng.below(3) {
                0 => rng.below(8),
                1 => rng.below(1 << 12),
                _ => rng.next() >> rng.below(64),
            };
            let mut k = ms.to_be_bytes().to_vec();
            k.extend_from_slice(&seq.to_be_bytes());
            k
        }
        Shape::AnyBytes => {
            let len = rng.below(5) as usize;
            let pool = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
            (0..len).map(|_| pool[rng.below(6) as usize]).collect()
        }
        Shape::Wide => {
            let len = 1 + rng.below(2) as usize;
            (0..len).map(|_| rng.below(256) as u8).collect()
        }
    }
}

fn expect_seek<'a>(
    model: &'a BTreeMap<Vec<u8>, u64>,
    op: Seek,
    target: &[u8],
) -> Option<(&'a Vec<u8>, &'a u64)> {
    let t = target.to_vec();
    match op {
        Seek::Ge => model.range(t..).next(),
        Seek::Gt => model.range((Bound::Excluded(t), Bound::Unbounded)).next(),
        Seek::Le => model.range(..=t).next_back(),
        Seek::Lt => model.range(..t).next_back(),
    }
}

fn owned(found: Option<(Vec<u8>, &u64)>) -> Option<(Vec<u8>, u64)> {
    found.map(|(k, v)| (k, *v))
}

fn same_order(rax: &Rax<u64>, model: &BTreeMap<Vec<u8>, u64>, ctx: &str) {
    let fwd: Vec<(Vec<u8>, u64)> = rax.iter().map(|(k, v)| (k, *v)).collect();
    let want: Vec<(Vec<u8>, u64)> = model.iter().map(|(k, v)| (k.clone(), *v)).collect();
    assert_eq!(fwd, want, "{ctx}: ascending iteration");
    let rev: Vec<(Vec<u8>, u64)> = rax.iter_rev().map(|(k, v)| (k, *v)).collect();
    let want_rev: Vec<(Vec<u8>, u64)> = want.into_iter().rev().collect();
    assert_eq!(rev, want_rev, "{ctx}: descending iteration");
}

fn run_seed(seed: u64, shape: Shape, ops: usize) {
    let mut rng = Rng(seed);
    let mut rax: Rax<u64> = Rax::new();
    let mut model: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for op in 0..ops {
        let ctx = format!("seed {seed} {shape:?} op {op}");
        let key = match model.keys().nth(rng.below(model.len() as u64 + 1) as usize) {
            Some(k) if rng.below(2) == 0 => k.clone(),
            _ => gen_key(&mut rng, shape),
        };
        match rng.below(10) {
            0..=3 => {
                let v = rng.next();
                assert_eq!(
                    rax.insert(&key, v),
                    model.insert(key.clone(), v),
                    "{ctx}: insert {key:?}"
                );
            }
            4..=5 => assert_eq!(
                rax.remove(&key),
                model.remove(&key),
                "{ctx}: remove {key:?}"
            ),
            6 => {
                assert_eq!(rax.get(&key), model.get(&key), "{ctx}: get {key:?}");
                if let Some(v) = rax.get_mut(&key) {
                    *v ^= 1;
                    *model.get_mut(&key).expect("model has the key") ^= 1;
                }
            }
            _ => {
                for op in [Seek::Ge, Seek::Gt, Seek::Le, Seek::Lt] {
                    let want = expect_seek(&model, op, &key).map(|(k, v)| (k.clone(), *v));
                    assert_eq!(
                        owned(rax.seek(op, &key)),
                        want,
                        "{ctx}: seek {op:?} {key:?}"
                    );
                }
            }
        }
        assert_eq!(rax.len(), model.len() as u64, "{ctx}: len");
        let first = model.iter().next().map(|(k, v)| (k.clone(), *v));
        let last = model.iter().next_back().map(|(k, v)| (k.clone(), *v));
        assert_eq!(owned(rax.first()), first, "{ctx}: first");
        assert_eq!(
            rax.first_value().copied(),
            first.as_ref().map(|f| f.1),
            "{ctx}: first_value"
        );
        assert_eq!(owned(rax.last()), last, "{ctx}: last");
        if op % 25 == 0 {
            rax.validate()
                .unwrap_or_else(|e| panic!("{ctx}: {e}\n{}", rax.show()));
            same_order(&rax, &model, &ctx);
        }
    }
    rax.validate().unwrap();
    same_order(&rax, &model, &format!("seed {seed} end"));
    // Emptying the tree in random order must leave the bare root.
    let mut keys: Vec<Vec<u8>> = model.keys().cloned().collect();
    while !keys.is_empty() {
        let k = keys.swap_remove(rng.below(keys.len() as u64) as usize);
        assert_eq!(rax.remove(&k), model.remove(&k), "seed {seed}: drain {k:?}");
    }
    rax.validate().unwrap();
    assert_eq!(
        (rax.len(), rax.node_count()),
        (0, 1),
        "seed {seed}: drained"
    );
}

fn seeds() -> Vec<u64> {
    match std::env::var("RAX_SEED") {
        Ok(s) => vec![s.parse().expect("RAX_SEED must be an integer")],
        Err(_) => (1..=12).collect(),
    }
}

#[test]
fn random_ops_match_btreemap() {
    for seed in seeds() {
        for shape in [
            Shape::Alphabet,
            Shape::StreamIds,
            Shape::AnyBytes,
            Shape::Wide,
        ] {
            let run = std::panic::catch_unwind(|| run_seed(seed, shape, 3000));
            if let Err(e) = run {
                eprintln!("model_rax failed: seed {seed}, shape {shape:?} (RAX_SEED={seed})");
                std::panic::resume_unwind(e);
            }
        }
    }
}

#[test]
fn deep_and_long_keys_need_no_recursion() {
    let mut rax: Rax<usize> = Rax::new();
    let mut model = BTreeMap::new();
    // A chain 3000 nodes deep: every prefix of "aaaa..." is a key.
    for len in 0..3000 {
        let k = vec![b'a'; len];
        rax.insert(&k, len);
        model.insert(k, len);
    }
    // One long run that later splits near its end.
    let long = vec![7u8; 200_000];
    rax.insert(&long, 1);
    let mut other = long.clone();
    other[199_990] = 8;
    rax.insert(&other, 2);
    model.insert(long.clone(), 1);
    model.insert(other.clone(), 2);
    rax.validate().unwrap();
    assert_eq!(rax.iter().count(), model.len());
    assert!(rax.iter().map(|(k, _)| k).eq(model.keys().cloned()));
    assert!(
        rax.iter_rev()
            .map(|(k, _)| k)
            .eq(model.keys().rev().cloned())
    );
    assert_eq!(
        rax.seek(Seek::Lt, &other).map(|(k, _)| k),
        Some(long.clone())
    );
    assert_eq!(rax.dump().nodes.len() as u64, rax.node_count());
    assert!(rax.show().len() > 200_000);
    rax.remove(&other);
    assert_eq!(rax.get(&long), Some(&1));
    rax.validate().unwrap();
}

#[test]
fn full_fanout_node_finds_every_edge() {
    let mut rax: Rax<u64> = Rax::new();
    for b in (0..=255u8).rev() {
        rax.insert(&[b, b], u64::from(b));
    }
    assert_eq!(rax.dump().nodes[0].children.len(), 256);
    for b in 0..=255u8 {
        assert_eq!(rax.get(&[b, b]), Some(&u64::from(b)));
        assert_eq!(rax.get(&[b]), None);
        assert_eq!(rax.get(&[b, b.wrapping_add(1)]), None);
    }
    assert_eq!(rax.remove(&[7, 7]), Some(7));
    assert_eq!(rax.get(&[7, 7]), None);
    assert_eq!(rax.get(&[8, 8]), Some(&8));
    assert_eq!(rax.seek(Seek::Ge, &[7]).map(|(k, _)| k), Some(vec![8, 8]));
    rax.validate().unwrap();
}
