//! The hash table behind large hashes and sets, sized as Redis 7.0.15's
//! `dict.c` sizes it, with members kept in byte order.
//!
//! ```text
//!   slots: 0 ──first add──▶ 4 ──add when used ≥ slots──▶ next power of 2 ≥ used + 1
//!   created from a listpack or intset of n members: dictExpand(n) first
//!   after a delete: used × 100 / slots < 10 and slots > 4 ──▶ shrink to the
//!                   power of 2 ≥ max(used, 4)                 (htNeedsResize)
//!
//!   a resize of a non-empty table is incremental:
//!     old table ──┐ every find, add and delete moves one bucket (rehash step)
//!     new table ◀─┘ both are counted by dictSlots until the old one is empty;
//!                   no further resize starts meanwhile
//! ```
//!
//! `MEMORY USAGE` charges 8 bytes per slot, so the slot count, rehash
//! included, is the part of the table's shape that a user can see; that
//! is all this models. Redis hashes members with a per-process random
//! seed, so which buckets hold members, and how many steps a rehash
//! takes, differ from run to run: here a rehash takes as many steps as
//! the old table is expected to have non-empty buckets (plus one per ten
//! empty buckets a step may skip), the figure real runs scatter around.
//! Iteration is in byte order, so replies stay deterministic.
//!
//! Lookups step the rehash too, so the state sits in a `Cell`: a read
//! through `&self` advances it as `dictFind` does.

use std::cell::Cell;
use std::collections::BTreeMap;

/// `DICT_HT_INITIAL_SIZE`.
const INITIAL_SLOTS: usize = 4;
/// `HASHTABLE_MIN_FILL`, in percent.
const MIN_FILL_PERCENT: usize = 10;
/// Empty buckets one rehash step may pass before it gives up (`empty_visits`).
const EMPTY_VISITS_PER_STEP: usize = 10;

/// The table sizes: the main table, and the one a rehash moves into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tables {
    slots: usize,
    /// Slots of the table being filled; 0 when not rehashing.
    rehash_to_slots: usize,
    /// Rehash steps until the old table is empty.
    steps_left: usize,
}

/// A hash table of byte-string keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dict<V> {
    map: BTreeMap<Vec<u8>, V>,
    tables: Cell<Tables>,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict {
            map: BTreeMap::new(),
            tables: Cell::new(Tables::default()),
        }
    }
}

/// `_dictNextExp`: the power of two at or above `size`, at least 4.
fn slots_for(size: usize) -> usize {
    size.max(INITIAL_SLOTS).next_power_of_two()
}

/// Steps a rehash of `slots` buckets holding `used` members takes under a
/// uniform hash: one per non-empty bucket (expected
/// `slots × (1 − (1 − 1/slots)^used)`), plus one for every run of ten
/// empty buckets a step passes without moving anything. With a bucket
/// empty at probability q, a gap holds ≥ 10k empties with probability
/// q^10k, so a gap costs q^10 / (1 − q^10) such steps on average.
fn rehash_steps(slots: usize, used: usize) -> usize {
    if used == 0 {
        return 1;
    }
    let s = slots as f64;
    let filled = (s * (1.0 - (1.0 - 1.0 / s).powi(used.min(i32::MAX as usize) as i32))).max(1.0);
    let empty = 1.0 - filled / s;
    let run = empty.powi(EMPTY_VISITS_PER_STEP as i32);
    (filled * (1.0 + run / (1.0 - run))).round() as usize
}

impl<V> Dict<V> {
    /// An empty table with no slots (`dictCreate`).
    pub fn new() -> Dict<V> {
        Dict::default()
    }

    /// An empty table presized for `n` members (`dictCreate` + `dictExpand`).
    pub fn with_expected(n: usize) -> Dict<V> {
        let d = Dict::new();
        d.expand(n);
        d
    }

    fn is_rehashing(&self) -> bool {
        self.tables.get().rehash_to_slots != 0
    }

    /// `_dictExpand`: refused while rehashing, when it would not hold the
    /// members, or would not change the size. A table with no slots gets
    /// the new size at once; otherwise a rehash starts.
    pub fn expand(&self, size: usize) {
        let mut t = self.tables.get();
        if t.rehash_to_slots != 0 || self.map.len() > size {
            return;
        }
        let new_slots = slots_for(size);
        if new_slots == t.slots {
            return;
        }
        if t.slots == 0 {
            t.slots = new_slots;
        } else {
            t.rehash_to_slots = new_slots;
            t.steps_left = rehash_steps(t.slots, self.map.len());
        }
        self.tables.set(t);
    }

    /// `_dictRehashStep`: one bucket moves; the last one ends the rehash.
    fn rehash_step(&self) {
        let mut t = self.tables.get();
        if t.rehash_to_slots == 0 {
            return;
        }
        t.steps_left = t.steps_left.saturating_sub(1);
        if t.steps_left == 0 {
            t.slots = t.rehash_to_slots;
            t.rehash_to_slots = 0;
        }
        self.tables.set(t);
    }

    /// The step `dictFind` and `dictDelete` take, which skip an empty table.
    fn lookup_step(&self) {
        if !self.map.is_empty() {
            self.rehash_step();
        }
    }

    /// `_dictExpandIfNeeded`, which every add runs before it looks the key up.
    fn expand_if_needed(&self) {
        let slots = self.tables.get().slots;
        if self.is_rehashing() {
            return;
        }
        if slots == 0 {
            self.expand(INITIAL_SLOTS);
        } else if self.map.len() >= slots {
            self.expand(self.map.len() + 1);
        }
    }

    /// `dictAdd`: inserts a new key; false (and no change to the value)
    /// when it exists. The table may grow even then, as in Redis.
    pub fn add(&mut self, key: &[u8], value: V) -> bool {
        self.rehash_step();
        self.expand_if_needed();
        if self.map.contains_key(key) {
            return false;
        }
        self.map.insert(key.to_vec(), value);
        true
    }

    /// Deletes `key` and shrinks a table left under 10 % full (what
    /// `hashTypeDelete` and `setTypeRemove` do after `dictDelete`).
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        self.lookup_step();
        let value = self.map.remove(key)?;
        let used = self.map.len();
        let slots = self.slots();
        if slots > INITIAL_SLOTS && used * 100 / slots < MIN_FILL_PERCENT {
            self.expand(used.max(INITIAL_SLOTS));
        }
        Some(value)
    }

    /// `dictFind` and the value.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.lookup_step();
        self.map.get(key)
    }

    /// `dictFind` and the value, to change it.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.lookup_step();
        self.map.get_mut(key)
    }

    /// `dictFind`: is `key` there?
    pub fn contains(&self, key: &[u8]) -> bool {
        self.lookup_step();
        self.map.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `dictSlots`: buckets of both tables while rehashing.
    pub fn slots(&self) -> usize {
        let t = self.tables.get();
        t.slots + t.rehash_to_slots
    }

    /// Members in byte order (an iterator does not step a rehash).
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &V)> + '_ {
        self.map.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::{Dict, rehash_steps};

    #[test]
    fn grows_by_powers_of_two_counting_both_tables_while_rehashing() {
        let mut d: Dict<()> = Dict::new();
        assert_eq!(d.slots(), 0);
        for i in 0..4u8 {
            assert!(d.add(&[i], ()));
        }
        assert_eq!(d.slots(), 4);
        // Adding an existing member still runs the growth check; the old
        // table of 4 stays until a rehash step empties it.
        assert!(!d.add(&[0], ()));
        assert_eq!(d.slots(), 4 + 8);
        for _ in 0..rehash_steps(4, 4) {
            assert!(d.contains(&[1]));
        }
        assert_eq!(d.slots(), 8);
        // An empty table takes its first size at once.
        assert_eq!(Dict::<()>::with_expected(513).slots(), 1024);
    }

    #[test]
    fn a_sparse_table_shrinks_through_a_rehash() {
        let mut d: Dict<()> = Dict::with_expected(64);
        for i in 0..40u8 {
            d.add(&[i], ());
        }
        assert_eq!(d.slots(), 64);
        for i in 0..34u8 {
            d.remove(&[i]);
        }
        // 6 left of 64 slots: under 10 % full, shrinking to 8 begins.
        assert_eq!(d.slots(), 64 + 8);
        while d.slots() != 8 {
            d.contains(&[39]);
        }
        assert_eq!(d.len(), 6);
    }

    #[test]
    fn rehash_steps_follow_the_filled_buckets() {
        // 4 members in 4 buckets fill about 2.7 of them.
        assert_eq!(rehash_steps(4, 4), 3);
        // 102 members in 1024 buckets: ~97 filled, and a third of the
        // gaps between them are ten empty buckets or longer.
        assert_eq!(rehash_steps(1024, 102), 154);
    }
}
