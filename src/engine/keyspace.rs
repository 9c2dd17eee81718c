//! The keyspace: every key's value with its access stamp, and the keys
//! that carry an expiry (Redis's `db->dict` and `db->expires`).
//!
//! ```text
//!   entries: BTreeMap<key, Entry { value, lru }>      every key, byte order
//!   expires: BTreeMap<key, when_ms>                   only keys with a TTL
//!   clock:   the LRU clock of the command running     (stamps new values)
//!   cursor, avg_ttl_ms                                the active cycle's place
//!                                                     and estimate (active_expire.rs)
//! ```
//!
//! The map API mirrors `BTreeMap` (`get`, `insert`, `remove`, ...), so a
//! command handler reads and writes values as before; what Redis does to
//! the expiry on the way is done here: [`Keyspace::insert`] is `setKey`
//! (a new value drops the old TTL), [`Keyspace::remove`] is `dbDelete`
//! (the TTL goes with the key). Nothing here looks at the time: whether a
//! key has expired is decided by `expire.rs` with the command's `now_ms`,
//! so a key past its time stays here until a lookup or the active cycle
//! deletes it, as in Redis (DBSIZE and INFO count it until then).

use std::collections::BTreeMap;

use super::db::Value;

/// A value and when it was last accessed.
#[derive(Clone, Debug)]
struct Entry {
    value: Value,
    /// The LRU clock at the last access (see `lru.rs`).
    lru: u32,
}

/// Every key of the one database the engine keeps.
#[derive(Clone, Debug, Default)]
pub struct Keyspace {
    entries: BTreeMap<Vec<u8>, Entry>,
    /// Unix time in ms after which each key is gone (`db->expires`). It
    /// may be negative or in the past: such a key is already logically
    /// expired, as on a replica or after `SET ... PXAT 1`.
    expires: BTreeMap<Vec<u8>, i64>,
    /// The LRU clock values created now are stamped with.
    clock: u32,
    /// The last key the active cycle sampled (`db->expires_cursor`).
    pub(crate) cursor: Option<Vec<u8>>,
    /// The active cycle's running estimate of the TTL left (`db->avg_ttl`).
    pub(crate) avg_ttl_ms: i64,
}

impl Keyspace {
    /// The value at `key`, whether or not its time has passed.
    pub fn get(&self, key: &[u8]) -> Option<&Value> {
        self.entries.get(key).map(|e| &e.value)
    }

    /// Mutable access to the value at `key`. Only a write lookup wants
    /// it, and every write lookup stamps the access time in Redis
    /// (lookupKeyWrite is never NOTOUCH), so this stamps it too: a
    /// handler that reaches its key this way needs no separate stamp.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Value> {
        let clock = self.clock;
        self.entries.get_mut(key).map(|e| {
            e.lru = clock;
            &mut e.value
        })
    }

    /// True when `key` is stored.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.entries.contains_key(key)
    }

    /// Stores `value` at `key` as `setKey` does: a new value (stamped with
    /// the current clock) and no expiry, whatever the key held before.
    /// Returns the old value.
    pub fn insert(&mut self, key: Vec<u8>, value: Value) -> Option<Value> {
        if !self.expires.is_empty() {
            self.expires.remove(&key);
        }
        self.insert_keep_ttl(key, value)
    }

    /// Stores `value` at `key` and keeps the key's expiry (`SET ... KEEPTTL`).
    pub fn insert_keep_ttl(&mut self, key: Vec<u8>, value: Value) -> Option<Value> {
        let entry = Entry {
            value,
            lru: self.clock,
        };
        self.entries.insert(key, entry).map(|e| e.value)
    }

    /// Deletes `key` and its expiry (`dbDelete`); returns its value.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.entries.remove(key).map(|e| e.value)
    }

    /// Deletes every key (FLUSHALL): the expiries and the active cycle's
    /// place and estimate go too (`emptyDbStructure`).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.expires.clear();
        self.cursor = None;
        self.avg_ttl_ms = 0;
    }

    /// Number of keys stored, expired or not (`dictSize(db->dict)`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every key and value in byte order.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Value)> {
        self.entries.iter().map(|(k, e)| (k, &e.value))
    }

    /// Every key in byte order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Vec<u8>> {
        self.entries.keys()
    }

    /// Sets the clock that values created or touched from now on are
    /// stamped with (the command's `lru::clock_at(now_ms)`).
    pub fn set_clock(&mut self, clock: u32) {
        self.clock = clock;
    }

    /// The clock values are stamped with.
    pub fn clock(&self) -> u32 {
        self.clock
    }

    /// A lookup's access: stamps `key` with the current clock.
    pub fn touch(&mut self, key: &[u8]) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.lru = self.clock;
        }
    }

    /// The stamp of `key`'s last access.
    pub fn lru(&self, key: &[u8]) -> Option<u32> {
        self.entries.get(key).map(|e| e.lru)
    }

    /// Sets `key`'s access stamp (RESTORE ... IDLETIME).
    pub fn set_lru(&mut self, key: &[u8], stamp: u32) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.lru = stamp;
        }
    }

    /// When `key` expires, Unix ms; `None` when it has no expiry
    /// (`getExpire`, which answers -1 for that).
    pub fn expire_at_ms(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Sets `key`'s expiry (`setExpire`); a missing key gets none.
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        if !self.entries.contains_key(key) {
            return;
        }
        match self.expires.get_mut(key) {
            Some(when) => *when = when_ms,
            None => {
                self.expires.insert(key.to_vec(), when_ms);
            }
        }
    }

    /// Drops `key`'s expiry (`removeExpire`); true when it had one.
    pub fn remove_expire(&mut self, key: &[u8]) -> bool {
        !self.expires.is_empty() && self.expires.remove(key).is_some()
    }

    /// True when no key has an expiry: lookups then skip every expiry check.
    pub fn no_expires(&self) -> bool {
        self.expires.is_empty()
    }

    /// Number of keys with an expiry (`dictSize(db->expires)`).
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Keys with an expiry after `after` (from the first when `None`), in
    /// byte order, with when they expire: where the active cycle samples.
    pub fn expires_after(&self, after: Option<&[u8]>) -> impl Iterator<Item = (&Vec<u8>, i64)> {
        use std::ops::Bound::{Excluded, Unbounded};
        let from = match after {
            Some(key) => Excluded(key),
            None => Unbounded,
        };
        self.expires
            .range::<[u8], _>((from, Unbounded))
            .map(|(k, &when)| (k, when))
    }

    /// Every key with an expiry and when, in byte order.
    pub fn expires(&self) -> impl Iterator<Item = (&Vec<u8>, i64)> {
        self.expires.iter().map(|(k, &when)| (k, when))
    }
}

impl<'a> IntoIterator for &'a Keyspace {
    type Item = (&'a Vec<u8>, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a Vec<u8>, &'a Value)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::String(s.as_bytes().to_vec())
    }

    #[test]
    fn a_new_value_drops_the_ttl_unless_asked_to_keep_it() {
        let mut ks = Keyspace::default();
        ks.insert(b"k".to_vec(), text("a"));
        ks.set_expire(b"k", 5_000);
        assert_eq!(ks.expire_at_ms(b"k"), Some(5_000));
        ks.insert_keep_ttl(b"k".to_vec(), text("b"));
        assert_eq!(ks.expire_at_ms(b"k"), Some(5_000));
        ks.insert(b"k".to_vec(), text("c"));
        assert_eq!(ks.expire_at_ms(b"k"), None);
        assert!(ks.no_expires());
    }

    #[test]
    fn the_ttl_goes_with_the_key() {
        let mut ks = Keyspace::default();
        ks.insert(b"k".to_vec(), text("a"));
        ks.set_expire(b"k", 5_000);
        ks.set_expire(b"missing", 5_000);
        assert_eq!(ks.expires_len(), 1, "a missing key gets no expiry");
        ks.remove(b"k");
        assert!(ks.no_expires());
        assert!(!ks.remove_expire(b"k"));
    }

    #[test]
    fn values_are_stamped_with_the_clock_and_touched() {
        let mut ks = Keyspace::default();
        ks.set_clock(7);
        ks.insert(b"k".to_vec(), text("a"));
        assert_eq!(ks.lru(b"k"), Some(7));
        ks.set_clock(9);
        assert_eq!(ks.lru(b"k"), Some(7), "the clock alone touches nothing");
        ks.touch(b"k");
        assert_eq!(ks.lru(b"k"), Some(9));
    }

    #[test]
    fn the_cycle_walks_expiring_keys_after_its_cursor() {
        let mut ks = Keyspace::default();
        for k in ["a", "b", "c"] {
            ks.insert(k.as_bytes().to_vec(), text("v"));
            ks.set_expire(k.as_bytes(), 1);
        }
        let after_a: Vec<&Vec<u8>> = ks.expires_after(Some(b"a")).map(|(k, _)| k).collect();
        assert_eq!(after_a, [&b"b".to_vec(), &b"c".to_vec()]);
        assert_eq!(ks.expires_after(None).count(), 3);
    }
}
