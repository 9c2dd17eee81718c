//! The quicklist against a plain vector under random edits, and its node
//! boundaries at the 8 KB limit.

use super::{DEFAULT_FILL, Quicklist};

/// A small xorshift generator: the tests must not depend on OS randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn contents(ql: &Quicklist) -> Vec<Vec<u8>> {
    ql.iter().map(|e| e.to_bytes()).collect()
}

fn check_nodes(ql: &Quicklist) {
    let total: usize = ql.nodes().iter().map(|n| n.len()).sum();
    assert_eq!(total, ql.len());
    for node in ql.nodes() {
        assert!(!node.is_empty(), "an empty node survived");
        assert!(node.alloc_bytes() >= node.lp_bytes());
    }
}

#[test]
fn pushes_open_a_node_when_8kb_would_be_passed() {
    let mut ql = Quicklist::new(DEFAULT_FILL);
    let value = [b'v'; 100];
    for _ in 0..200 {
        ql.push_tail(&value);
    }
    // 100-byte strings take 103 bytes each: 7 + 79 × 103 = 8144, and one
    // more would be estimated at 8144 + 100 + 8 > 8192.
    assert_eq!(ql.nodes()[0].len(), 79);
    assert_eq!(ql.nodes().len(), 3);
    check_nodes(&ql);
}

#[test]
fn random_edits_agree_with_a_vector() {
    for seed in 1..40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut ql = Quicklist::new(if seed % 3 == 0 { 5 } else { DEFAULT_FILL });
        let mut model: Vec<Vec<u8>> = Vec::new();
        for _ in 0..600 {
            let len = [1, 3, 10, 70, 300, 2000][rng.below(6) as usize];
            let v: Vec<u8> = if rng.below(3) == 0 {
                (rng.below(400) as i64 - 200).to_string().into_bytes()
            } else {
                vec![b'a' + rng.below(3) as u8; len]
            };
            match rng.below(8) {
                0 => {
                    ql.push_head(&v);
                    model.insert(0, v);
                }
                1 => {
                    ql.push_tail(&v);
                    model.push(v);
                }
                2 => {
                    let head = rng.below(2) == 0;
                    let want = if head {
                        (!model.is_empty()).then(|| model.remove(0))
                    } else {
                        model.pop()
                    };
                    assert_eq!(ql.pop(head), want);
                }
                3 if !model.is_empty() => {
                    let i = rng.below(model.len() as u64) as usize;
                    let pivot = model[i].clone();
                    let after = rng.below(2) == 0;
                    let at = model.iter().position(|x| *x == pivot).unwrap();
                    assert!(ql.insert_at_pivot(&pivot, &v, after));
                    model.insert(if after { at + 1 } else { at }, v);
                }
                4 if !model.is_empty() => {
                    let i = rng.below(model.len() as u64) as i64;
                    assert!(ql.replace(i, &v));
                    model[i as usize] = v;
                }
                5 => {
                    let start = rng.below(model.len() as u64 + 2) as i64 - 1;
                    let count = rng.below(5) as i64;
                    ql.delete_range(start, count);
                    let len = model.len() as i64;
                    let from = if start < 0 { len + start } else { start };
                    if from >= 0 && from < len {
                        let n = count.min(len - from).max(0);
                        model.drain(from as usize..(from + n) as usize);
                    }
                }
                6 if !model.is_empty() => {
                    let target = model[rng.below(model.len() as u64) as usize].clone();
                    let limit = rng.below(3) as usize;
                    let from_tail = rng.below(2) == 0;
                    let removed = ql.remove_matching(&target, limit, from_tail);
                    let mut left = if limit == 0 { usize::MAX } else { limit };
                    let mut n = 0;
                    let mut keep: Vec<bool> = vec![true; model.len()];
                    let order: Vec<usize> = if from_tail {
                        (0..model.len()).rev().collect()
                    } else {
                        (0..model.len()).collect()
                    };
                    for i in order {
                        if left > 0 && model[i] == target {
                            keep[i] = false;
                            left -= 1;
                            n += 1;
                        }
                    }
                    let mut it = keep.iter();
                    model.retain(|_| *it.next().unwrap());
                    assert_eq!(removed, n);
                }
                _ => {
                    let i = rng.below(model.len() as u64 + 1) as i64;
                    assert_eq!(ql.get(i), model.get(i as usize).cloned());
                }
            }
            assert_eq!(contents(&ql), model, "seed {seed}");
            check_nodes(&ql);
        }
        let back = ql.range(model.len().saturating_sub(1), model.len(), true);
        let mut rev = model.clone();
        rev.reverse();
        assert_eq!(back, rev);
    }
}
