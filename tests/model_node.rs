//! A stream node against a plain Vec model, under seeded random appends,
//! XDEL-style deletes and XTRIM-style front trims.
//!
//! ```text
//!   xorshift(seed) ──▶ op ──┬──▶ Node (listpack bytes)
//!                           └──▶ Vec<ModelEntry>
//!                    after every op: same entries both ways, same fields,
//!                    same counters, and lp_bytes equal to a size computed
//!                    independently from the model with listpack.c's rules
//! ```
//!
//! `NODE_SEED=<n>` runs one seed; a failure names the seed to rerun.

use std::panic::{AssertUnwindSafe, catch_unwind};

use streamlab::engine::StreamId;
use streamlab::engine::node::{Node, Role};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

struct ModelEntry {
    id: StreamId,
    pairs: Pairs,
    deleted: bool,
    same: bool,
}

struct Model {
    master: StreamId,
    master_fields: Vec<Vec<u8>>,
    entries: Vec<ModelEntry>,
}

fn int_size(v: i64) -> usize {
    match v {
        0..=127 => 2,
        -4096..=4095 => 3,
        -32768..=32767 => 4,
        -8_388_608..=8_388_607 => 5,
        -2_147_483_648..=2_147_483_647 => 6,
        _ => 10,
    }
}

fn canonical_int(s: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(s).ok()?;
    let v: i64 = text.parse().ok()?;
    (v.to_string() == text).then_some(v)
}

fn str_size(s: &[u8]) -> usize {
    if let Some(v) = canonical_int(s) {
        return int_size(v);
    }
    let enc = s.len()
        + match s.len() {
            0..=63 => 1,
            64..=4095 => 2,
            _ => 5,
        };
    let back = match enc {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        _ => 4,
    };
    enc + back
}

impl Model {
    fn expected_bytes(&self) -> usize {
        let live = self.entries.iter().filter(|e| !e.deleted).count() as i64;
        let dead = self.entries.len() as i64 - live;
        let mut n =
            6 + 1 + int_size(live) + int_size(dead) + int_size(self.master_fields.len() as i64) + 2;
        n += self
            .master_fields
            .iter()
            .map(|f| str_size(f))
            .sum::<usize>();
        for e in &self.entries {
            n += 2 + int_size(e.id.ms.wrapping_sub(self.master.ms) as i64);
            n += int_size(e.id.seq.wrapping_sub(self.master.seq) as i64);
            let k = e.pairs.len() as i64;
            n += e.pairs.iter().map(|(_, v)| str_size(v)).sum::<usize>();
            if e.same {
                n += int_size(k + 3);
            } else {
                n += int_size(k) + int_size(2 * k + 4);
                n += e.pairs.iter().map(|(f, _)| str_size(f)).sum::<usize>();
            }
        }
        n
    }
}

fn random_pairs(rng: &mut Rng) -> Pairs {
    let names: [&[u8]; 6] = [b"amount", b"user", b"123", b"-7", b"0123", b""];
    let n = match rng.below(4) {
        0 => 0,
        1 => 1,
        _ => 2,
    } + rng.below(2) as usize;
    (0..n)
        .map(|_| {
            let field = names[rng.below(names.len() as u64) as usize].to_vec();
            let value = match rng.below(8) {
                0 => vec![b'x'; rng.below(5000) as usize],
                1 => (rng.next() as i64).to_string().into_bytes(),
                2 => format!("-{}", rng.below(100_000)).into_bytes(),
                3 => format!("0{}", rng.below(10)).into_bytes(),
                _ => rng.below(300).to_string().into_bytes(),
            };
            (field, value)
        })
        .collect()
}

fn next_id(rng: &mut Rng, last: StreamId) -> Option<StreamId> {
    // Mostly small steps, so nodes grow past 128 entries; now and then a
    // jump that makes the ms-delta 64-bit or wraps it negative.
    let id = match rng.below(100) {
        0..=59 => last.incr()?,
        60..=84 => StreamId::new(last.ms.checked_add(1 + rng.below(5000))?, rng.below(3)),
        85..=95 => StreamId::new(last.ms, last.seq.checked_add(1 + rng.below(1 << 40))?),
        96..=98 => StreamId::new(last.ms.checked_add(1 + (rng.next() >> 6))?, rng.next()),
        _ => StreamId::new(u64::MAX - rng.below(3), u64::MAX - rng.below(1 << 20)),
    };
    (id > last).then_some(id)
}

fn borrowed(pairs: &Pairs) -> Vec<(&[u8], &[u8])> {
    pairs
        .iter()
        .map(|(f, v)| (f.as_slice(), v.as_slice()))
        .collect()
}

fn check(node: &Node, model: &Model) {
    let fwd: Vec<_> = node.iter().collect();
    let want: Vec<_> = model.entries.iter().map(|e| (e.id, e.deleted)).collect();
    let got: Vec<_> = fwd.iter().map(|e| (e.id, e.deleted)).collect();
    assert_eq!(got, want, "forward iteration");
    let mut rev: Vec<_> = node.iter_rev().map(|e| (e.id, e.deleted)).collect();
    rev.reverse();
    assert_eq!(rev, want, "reverse iteration");
    for (e, m) in fwd.iter().zip(&model.entries) {
        assert_eq!(node.fields(e), m.pairs, "fields of {}", m.id);
    }
    let live = model.entries.iter().filter(|e| !e.deleted).count() as u64;
    assert_eq!(node.live(), live);
    assert_eq!(node.deleted(), model.entries.len() as u64 - live);
    let first = model.entries.iter().find(|e| !e.deleted).map(|e| e.id);
    let last = model
        .entries
        .iter()
        .rev()
        .find(|e| !e.deleted)
        .map(|e| e.id);
    assert_eq!((node.first_live(), node.last_live()), (first, last));
    assert_eq!(
        node.lp_bytes(),
        model.expected_bytes(),
        "size from the model"
    );
    let bytes = node.as_bytes();
    assert_eq!(
        u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize,
        bytes.len()
    );
    let dump = node.dump();
    let flags: Vec<bool> = dump
        .elements
        .iter()
        .filter_map(|el| match el.role {
            Role::Flags { samefields, .. } => Some(samefields),
            _ => None,
        })
        .collect();
    let same: Vec<bool> = model.entries.iter().map(|e| e.same).collect();
    assert_eq!(flags, same, "SAMEFIELDS flags");
}

fn run(seed: u64) {
    let mut rng = Rng(seed.max(1));
    let first_pairs = random_pairs(&mut rng);
    let master = StreamId::new(rng.below(1 << 41), rng.below(50));
    let mut node = Node::new(
        master,
        &borrowed(&first_pairs),
        1 + rng.below(5000) as usize,
    );
    let master_fields: Vec<Vec<u8>> = first_pairs.iter().map(|(f, _)| f.clone()).collect();
    let mut model = Model {
        master,
        master_fields,
        entries: vec![ModelEntry {
            id: master,
            pairs: first_pairs,
            deleted: false,
            same: true,
        }],
    };
    check(&node, &model);
    let ops = 50 + rng.below(400);
    for _ in 0..ops {
        match rng.below(20) {
            0..=13 => {
                let last = model.entries.last().unwrap().id;
                let Some(id) = next_id(&mut rng, last) else {
                    continue;
                };
                let pairs = if rng.below(2) == 0 {
                    let old = &model.entries[0].pairs;
                    old.iter()
                        .map(|(f, _)| (f.clone(), rng.below(1000).to_string().into_bytes()))
                        .collect()
                } else {
                    random_pairs(&mut rng)
                };
                let fields: Vec<&Vec<u8>> = pairs.iter().map(|(f, _)| f).collect();
                let same = fields.len() == model.master_fields.len()
                    && fields
                        .iter()
                        .zip(&model.master_fields)
                        .all(|(a, b)| *a == b);
                node.append(id, &borrowed(&pairs));
                model.entries.push(ModelEntry {
                    id,
                    pairs,
                    deleted: false,
                    same,
                });
            }
            14..=18 => {
                let i = rng.below(model.entries.len() as u64 + 1) as usize;
                let id = match model.entries.get(i) {
                    Some(e) => e.id,
                    None => model
                        .entries
                        .last()
                        .unwrap()
                        .id
                        .incr()
                        .unwrap_or(StreamId::MIN),
                };
                let expect = model.entries.get(i).is_some_and(|e| !e.deleted);
                assert_eq!(node.mark_deleted(id), expect, "mark_deleted {id}");
                if expect {
                    model.entries[i].deleted = true;
                }
            }
            _ => {
                let stop = rng.below(model.entries.len() as u64 + 1) as usize;
                let mut seen = 0;
                let marked = node.delete_front_while(|_| {
                    seen += 1;
                    seen <= stop
                });
                let mut expect = 0;
                for e in model.entries.iter_mut().take(stop) {
                    expect += u64::from(!e.deleted);
                    e.deleted = true;
                }
                assert_eq!(marked, expect, "delete_front_while");
            }
        }
        check(&node, &model);
    }
    node.shrink_to_fit();
    assert!(node.heap_bytes() >= node.lp_bytes());
    check(&node, &model);
}

#[test]
fn node_matches_model() {
    let seeds: Vec<u64> = match std::env::var("NODE_SEED") {
        Ok(s) => vec![s.parse().expect("NODE_SEED must be a number")],
        Err(_) => (1..=30u64)
            .map(|i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect(),
    };
    for seed in seeds {
        if catch_unwind(AssertUnwindSafe(|| run(seed))).is_err() {
            panic!("node model diverged for seed {seed}; rerun with NODE_SEED={seed}");
        }
    }
}
