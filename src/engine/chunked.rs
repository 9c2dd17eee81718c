//! A compact ordered map for pending entries: sorted runs of at most
//! [`CHUNK_LEN`] pairs, indexed by each run's first key.
//!
//! ```text
//!   index: BTreeMap<first key, run>
//!     3-0 ─▶ [3-0 4-0 5-0 ... 66-0]     64 pairs, full
//!    67-0 ─▶ [67-0 68-0 70-0]           the tail run: appends land here
//! ```
//!
//! Why not a plain `BTreeMap<StreamId, PendingEntry>`: its nodes are left
//! about half full by ascending inserts — and PEL inserts are ascending,
//! since XREADGROUP delivers IDs in order — which costs ~70 bytes per
//! record. Here an append fills the tail run completely, so a record
//! costs its own size plus a few bytes of index. A run splits in half
//! only when something is inserted into its middle (XCLAIM FORCE of an
//! old ID, a SETID rewind), which keeps every operation O(log n + 64).
//!
//! A run's index key is a lower bound of its keys, not always its first
//! key: acknowledgements remove the oldest record of a run, and re-keying
//! the run each time (an index removal and insertion per XACK'd ID) cost
//! more than the rest of the removal. Every key of a run still lies
//! between its index key and the next run's, which is all lookups need.

use std::collections::BTreeMap;
use std::ops::Bound::{Included, Unbounded};

/// Maximum pairs per run.
pub const CHUNK_LEN: usize = 64;

/// An ordered map stored as sorted runs.
#[derive(Clone, Debug)]
pub struct ChunkedMap<K: Ord + Copy, V> {
    runs: BTreeMap<K, Vec<(K, V)>>,
    len: usize,
}

impl<K: Ord + Copy, V> Default for ChunkedMap<K, V> {
    fn default() -> Self {
        ChunkedMap {
            runs: BTreeMap::new(),
            len: 0,
        }
    }
}

impl<K: Ord + Copy, V> ChunkedMap<K, V> {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The run that would hold `key`: the last run starting at or before it.
    fn run_key_for(&self, key: &K) -> Option<K> {
        self.runs
            .range((Unbounded, Included(key)))
            .next_back()
            .map(|(k, _)| *k)
    }

    /// The run that would hold `key`, with its index key.
    fn run_for_mut(&mut self, key: &K) -> Option<(K, &mut Vec<(K, V)>)> {
        self.runs
            .range_mut((Unbounded, Included(key)))
            .next_back()
            .map(|(k, run)| (*k, run))
    }

    /// Looks a key up.
    pub fn get(&self, key: &K) -> Option<&V> {
        let (_, run) = self.runs.range((Unbounded, Included(key))).next_back()?;
        let pos = run.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        run.get(pos).map(|(_, v)| v)
    }

    /// Mutable lookup.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let (_, run) = self.run_for_mut(key)?;
        let pos = run.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        run.get_mut(pos).map(|(_, v)| v)
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        // The common case first: XREADGROUP delivers in ID order, so a new
        // record usually goes after everything (the tail run, no search).
        if let Some(mut tail) = self.runs.last_entry()
            && tail.get().last().is_some_and(|(k, _)| *k < key)
        {
            self.len += 1;
            let run = tail.get_mut();
            if run.len() < CHUNK_LEN {
                run.push((key, value));
            } else {
                let mut fresh = Vec::with_capacity(CHUNK_LEN);
                fresh.push((key, value));
                self.runs.insert(key, fresh);
            }
            return None;
        }
        match self.runs.keys().next().copied() {
            None => {
                let mut run = Vec::with_capacity(CHUNK_LEN);
                run.push((key, value));
                self.runs.insert(key, run);
                self.len += 1;
                return None;
            }
            // Smaller than everything: it joins (and re-keys) the first run.
            Some(first) if key < first => {
                let mut run = self.runs.remove(&first).unwrap_or_default();
                run.insert(0, (key, value));
                self.len += 1;
                self.store(run);
                return None;
            }
            Some(_) => {}
        }
        let last_key = self.runs.last_key_value().map(|(k, _)| *k);
        let (run_key, run) = self
            .runs
            .range_mut((Unbounded, Included(&key)))
            .next_back()?;
        let is_last = last_key == Some(*run_key);
        match run.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(pos) => Some(std::mem::replace(&mut run[pos].1, value)),
            Err(pos) => {
                self.len += 1;
                if run.len() < CHUNK_LEN {
                    run.insert(pos, (key, value));
                } else if pos == run.len() && is_last {
                    let mut fresh = Vec::with_capacity(CHUNK_LEN);
                    fresh.push((key, value));
                    self.runs.insert(key, fresh);
                } else {
                    let mut upper = Vec::with_capacity(CHUNK_LEN);
                    upper.extend(run.drain(CHUNK_LEN / 2..));
                    if pos <= run.len() {
                        run.insert(pos, (key, value));
                    } else {
                        upper.insert(pos - CHUNK_LEN / 2, (key, value));
                    }
                    self.store(upper);
                }
                None
            }
        }
    }

    /// Stores a non-empty run under its first key.
    fn store(&mut self, run: Vec<(K, V)>) {
        if let Some((first, _)) = run.first() {
            self.runs.insert(*first, run);
        }
    }

    /// Removes a key; returns its value. The run keeps its index key (a
    /// lower bound still) unless it is left empty.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let (run_key, run) = self.run_for_mut(key)?;
        let pos = run.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        let (_, value) = run.remove(pos);
        let emptied = run.is_empty();
        self.len -= 1;
        if emptied {
            self.runs.remove(&run_key);
        }
        Some(value)
    }

    /// Smallest pair.
    pub fn first(&self) -> Option<&(K, V)> {
        self.runs.values().next().and_then(|r| r.first())
    }

    /// Largest pair.
    pub fn last(&self) -> Option<&(K, V)> {
        self.runs.values().next_back().and_then(|r| r.last())
    }

    /// Pairs with keys `>= start`, ascending.
    pub fn iter_from(&self, start: K) -> impl Iterator<Item = &(K, V)> + '_ {
        let from = self.run_key_for(&start);
        let runs = match from {
            Some(k) => self
                .runs
                .range::<K, (std::ops::Bound<K>, std::ops::Bound<K>)>((Included(k), Unbounded)),
            None => self
                .runs
                .range::<K, (std::ops::Bound<K>, std::ops::Bound<K>)>((Unbounded, Unbounded)),
        };
        runs.flat_map(|(_, run)| run.iter())
            .skip_while(move |(k, _)| *k < start)
    }

    /// All pairs, ascending.
    pub fn iter(&self) -> impl Iterator<Item = &(K, V)> + '_ {
        self.runs.values().flat_map(|run| run.iter())
    }

    /// Heap bytes held by the runs (capacity), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.runs
            .values()
            .map(|r| r.capacity() * std::mem::size_of::<(K, V)>())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic xorshift for the model test.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn behaves_like_a_btreemap_under_random_operations() {
        for seed in 1..=20u64 {
            let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut map = ChunkedMap::default();
            let mut model = BTreeMap::new();
            for step in 0..4000 {
                let key = next(&mut rng) % 600;
                match next(&mut rng) % 4 {
                    0 | 1 => assert_eq!(
                        map.insert(key, step),
                        model.insert(key, step),
                        "seed {seed} step {step}"
                    ),
                    2 => assert_eq!(
                        map.remove(&key),
                        model.remove(&key),
                        "seed {seed} step {step}"
                    ),
                    _ => assert_eq!(map.get(&key), model.get(&key), "seed {seed} step {step}"),
                }
                assert_eq!(map.len(), model.len());
                if step % 97 == 0 {
                    let from = next(&mut rng) % 600;
                    let got: Vec<_> = map.iter_from(from).map(|(k, v)| (*k, *v)).collect();
                    let want: Vec<_> = model.range(from..).map(|(k, v)| (*k, *v)).collect();
                    assert_eq!(got, want, "seed {seed} step {step}");
                }
            }
            let got: Vec<_> = map.iter().map(|(k, v)| (*k, *v)).collect();
            let want: Vec<_> = model.into_iter().collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn ascending_inserts_fill_runs_completely() {
        let mut map = ChunkedMap::default();
        for k in 0..(CHUNK_LEN as u64 * 10) {
            map.insert(k, ());
        }
        assert_eq!(map.runs.len(), 10);
        assert!(
            map.runs
                .values()
                .all(|r| r.len() == CHUNK_LEN && r.capacity() == CHUNK_LEN)
        );
    }
}
