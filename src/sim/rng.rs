//! Seeded randomness: one root seed, one independent ChaCha8 stream per actor.
//!
//! ```text
//!   scenario.meta.seed ──┬─ fork("actor:c1")      ─▶ ChaCha8 stream for c1
//!                        ├─ fork("actor:reaper")  ─▶ ChaCha8 stream for reaper
//!                        └─ fork("replica:r1")    ─▶ ChaCha8 stream for r1's lag
//!
//!   child seed = mix(root seed, FNV-1a(label))  ── 32 key bytes by splitmix64
//! ```
//!
//! A child depends only on the root seed and its label, so adding an actor
//! does not change what the others draw. Every helper works on `u64` with
//! integer arithmetic (no floats, no `usize`), so x86-64 and wasm32 draw the
//! same numbers from the same seed.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A deterministic random stream.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
    /// The seed this stream was built from, for reports.
    seed: u64,
}

impl SimRng {
    /// The root stream of a run.
    pub fn from_seed(seed: u64) -> SimRng {
        let mut state = seed;
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        SimRng {
            inner: ChaCha8Rng::from_seed(key),
            seed,
        }
    }

    /// The seed this stream was created from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// An independent stream for `label`, derived from the root seed only
    /// (not from how much of this stream has been drawn).
    pub fn fork(&self, label: &str) -> SimRng {
        SimRng::from_seed(child_seed(self.seed, label))
    }

    /// The next raw 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform value in `0..bound` (0 when `bound` is 0), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Rejection on the widened product (Lemire): identical on every target.
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let wide = (self.next_u64() as u128) * (bound as u128);
            if (wide as u64) >= threshold {
                return (wide >> 64) as u64;
            }
        }
    }

    /// A uniform value in `lo..=hi` (`lo` when `hi < lo`).
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.below(span + 1)
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        den != 0 && self.below(den) < num
    }
}

/// The seed of the child stream named `label`.
pub fn child_seed(root: u64, label: &str) -> u64 {
    let mut state = root ^ fnv1a(label.as_bytes()).rotate_left(17);
    splitmix64(&mut state)
}

/// FNV-1a, 64-bit: a stable hash of a label (unlike std's per-process hasher).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::from_seed(42);
        let mut b = SimRng::from_seed(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn different_seeds_differ() {
        let mut a = SimRng::from_seed(1);
        let mut b = SimRng::from_seed(2);
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn fork_depends_on_label_not_on_draws() {
        let mut root = SimRng::from_seed(7);
        let before = root.fork("actor:c1").next_u64();
        root.next_u64();
        let after = root.fork("actor:c1").next_u64();
        assert_eq!(before, after);
        assert_ne!(before, root.fork("actor:c2").next_u64());
    }

    const PINNED_FIRST_DRAW: u64 = 0xbf94_d133_2d8e_e5e8;

    #[test]
    fn known_first_draw_is_pinned() {
        // Pins the whole derivation (splitmix key, ChaCha8): a change here
        // changes every golden trace that draws randomness.
        let first = SimRng::from_seed(0).next_u64();
        assert_eq!(first, PINNED_FIRST_DRAW, "got {first:#x}");
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn below_stays_in_bounds_and_covers_range() {
        let mut r = SimRng::from_seed(3);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = r.below(7);
            assert!(v < 7);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn range_inclusive_hits_both_ends() {
        let mut r = SimRng::from_seed(4);
        let (mut lo, mut hi) = (false, false);
        for _ in 0..2000 {
            let v = r.range_inclusive(50, 52);
            assert!((50..=52).contains(&v));
            lo |= v == 50;
            hi |= v == 52;
        }
        assert!(lo && hi);
        assert_eq!(r.range_inclusive(9, 3), 9);
    }

    #[test]
    fn chance_extremes() {
        let mut r = SimRng::from_seed(5);
        assert!((0..100).all(|_| r.chance(1, 1)));
        assert!((0..100).all(|_| !r.chance(0, 5)));
        assert!(!r.chance(1, 0));
    }
}
