//! A set of integers as Redis 7.0.15's `intset.c` keeps it: one sorted
//! array whose element width is the widest member's.
//!
//! ```text
//!   ┌──────────────┬────────────┬──────────────────────────────┐
//!   │ encoding u32 │ length u32 │ v0 < v1 < ... (2, 4 or 8 B)  │
//!   └──────────────┴────────────┴──────────────────────────────┘
//!   add 40000 to an int16 set ─▶ every element widens to int32 (never narrows)
//!   every add or remove reallocs to 8 + length × width exactly
//! ```
//!
//! Values live here as `i64`; the width is kept for the allocation size,
//! which is what `MEMORY USAGE` reports.

use super::jemalloc;

/// An intset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Intset {
    values: Vec<i64>,
    width_bytes: u8,
}

/// The width an integer needs (`_intsetValueEncoding`).
fn width_of(v: i64) -> u8 {
    if i64::from(v as i16) == v {
        2
    } else if i64::from(v as i32) == v {
        4
    } else {
        8
    }
}

impl Intset {
    /// An empty intset (int16).
    pub fn new() -> Intset {
        Intset {
            values: Vec::new(),
            width_bytes: 2,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Adds `v`; false if it was present.
    pub fn insert(&mut self, v: i64) -> bool {
        match self.values.binary_search(&v) {
            Ok(_) => false,
            Err(at) => {
                self.values.insert(at, v);
                self.width_bytes = self.width_bytes.max(width_of(v));
                true
            }
        }
    }

    /// Removes `v`; false if it was absent.
    pub fn remove(&mut self, v: i64) -> bool {
        match self.values.binary_search(&v) {
            Ok(at) => {
                self.values.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    pub fn contains(&self, v: i64) -> bool {
        self.values.binary_search(&v).is_ok()
    }

    /// Members in ascending order, as Redis iterates them.
    pub fn values(&self) -> &[i64] {
        &self.values
    }

    /// The width of every element in bytes (2, 4 or 8): the intset's
    /// `encoding`, which DUMP writes.
    pub fn width_bytes(&self) -> u8 {
        self.width_bytes
    }

    /// An intset as a DUMP payload holds it: strictly ascending values at
    /// a width of 2, 4 or 8 bytes that fits them all (the caller checked).
    pub fn from_sorted(values: Vec<i64>, width_bytes: u8) -> Intset {
        debug_assert!(values.windows(2).all(|w| w[0] < w[1]));
        Intset {
            values,
            width_bytes,
        }
    }

    /// `zmalloc_size` of the intset: header and array, jemalloc's class.
    pub fn alloc_bytes(&self) -> usize {
        jemalloc::usable_size(8 + self.values.len() * usize::from(self.width_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::Intset;

    #[test]
    fn widens_once_and_sizes_by_width() {
        let mut s = Intset::new();
        assert!(s.insert(5));
        assert!(!s.insert(5));
        assert!(s.insert(-3));
        assert_eq!(s.values(), [-3, 5]);
        assert_eq!(s.alloc_bytes(), 16); // 8 + 2 × 2 = 12
        s.insert(1 << 40);
        assert_eq!(s.alloc_bytes(), 32); // 8 + 3 × 8 = 32
        assert!(s.remove(1 << 40));
        assert_eq!(s.alloc_bytes(), 32); // still 8 bytes wide: 8 + 16 = 24, class 32
    }
}
