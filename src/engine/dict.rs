//! The hash table behind large hashes and sets, sized as Redis 7.0.15's
//! `dict.c` sizes it, with members kept in byte order.
//!
//! ```text
//!   slots: 0 ──first add──▶ 4 ──add when used ≥ slots──▶ next power of 2 ≥ used + 1
//!   created from a listpack or intset of n members: dictExpand(n) first
//!   after a delete: used × 100 / slots < 10 and slots > 4 ──▶ shrink to the
//!                   power of 2 ≥ max(used, 4)                 (htNeedsResize)
//! ```
//!
//! `MEMORY USAGE` charges 8 bytes per slot, so the slot count is the only
//! part of the table's shape that a user can see; that is all this models.
//! Redis hashes members with a per-process random seed and iterates in
//! bucket order, which differs from run to run; here iteration is in byte
//! order, so replies stay deterministic. Redis also rehashes
//! incrementally (one bucket per lookup or write) and counts both tables
//! while it does; here a resize takes effect at once, which is the state
//! Redis reaches after a few hundred more operations on the key.

use std::collections::BTreeMap;

/// `DICT_HT_INITIAL_SIZE`.
const INITIAL_SLOTS: usize = 4;
/// `HASHTABLE_MIN_FILL`, in percent.
const MIN_FILL_PERCENT: usize = 10;

/// A hash table of byte-string keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dict<V> {
    map: BTreeMap<Vec<u8>, V>,
    slots: usize,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict {
            map: BTreeMap::new(),
            slots: 0,
        }
    }
}

/// `_dictNextExp`: the power of two at or above `size`, at least 4.
fn slots_for(size: usize) -> usize {
    size.max(INITIAL_SLOTS).next_power_of_two()
}

impl<V> Dict<V> {
    /// An empty table with no slots (`dictCreate`).
    pub fn new() -> Dict<V> {
        Dict::default()
    }

    /// An empty table presized for `n` members (`dictCreate` + `dictExpand`).
    pub fn with_expected(n: usize) -> Dict<V> {
        let mut d = Dict::new();
        d.expand(n);
        d
    }

    /// `_dictExpand`: refused when it would not hold the members or would
    /// not change the size.
    fn expand(&mut self, size: usize) {
        if self.map.len() <= size {
            self.slots = slots_for(size);
        }
    }

    /// `_dictExpandIfNeeded`, which every add runs before it looks the key up.
    fn expand_if_needed(&mut self) {
        if self.slots == 0 {
            self.expand(INITIAL_SLOTS);
        } else if self.map.len() >= self.slots {
            self.expand(self.map.len() + 1);
        }
    }

    /// `dictAdd`: inserts a new key; false (and no change to the value)
    /// when it exists. The table may grow even then, as in Redis.
    pub fn add(&mut self, key: &[u8], value: V) -> bool {
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
        let value = self.map.remove(key)?;
        let used = self.map.len();
        if self.slots > INITIAL_SLOTS && used * 100 / self.slots < MIN_FILL_PERCENT {
            self.slots = slots_for(used);
        }
        Some(value)
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.map.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `dictSlots`: buckets of the table.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Members in byte order.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &V)> + '_ {
        self.map.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::Dict;

    #[test]
    fn grows_by_powers_of_two_and_shrinks_when_sparse() {
        let mut d: Dict<()> = Dict::new();
        assert_eq!(d.slots(), 0);
        for i in 0..4u8 {
            assert!(d.add(&[i], ()));
        }
        assert_eq!(d.slots(), 4);
        // Adding an existing member still runs the growth check.
        assert!(!d.add(&[0], ()));
        assert_eq!(d.slots(), 8);
        for i in 4..40u8 {
            d.add(&[i], ());
        }
        assert_eq!(d.slots(), 64);
        for i in 0..35u8 {
            d.remove(&[i]);
        }
        // 5 left: 5 × 100 / 64 < 10 shrank the table to 8.
        assert_eq!(d.slots(), 8);
        assert_eq!(Dict::<()>::with_expected(513).slots(), 1024);
    }
}
