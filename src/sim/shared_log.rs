//! An append-only list whose old parts are shared between copies.
//!
//! ```text
//!   SharedLog<T>
//!     chunks: [ Arc[0 … 4095] ][ Arc[4096 … 8191] ][ Arc[8192 … 8200]  ]
//!               full, never written again             tail: pushes go here
//!
//!   clone()  copies the chunk pointers, not the items
//!   push()   writes the tail chunk (copied first only if a clone shares it)
//! ```
//!
//! Why: the explorer keeps copies of the whole simulation as checkpoints,
//! and a log that only grows (a producer's acknowledgements: one per
//! message) copied whole into each of them cost more than the log itself.
//! Full chunks are never written again, so every checkpoint shares them.

use std::sync::Arc;

/// Items per chunk.
const CHUNK: usize = 4096;

/// An append-only list of `T` in shared chunks.
#[derive(Clone, Debug)]
pub struct SharedLog<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for SharedLog<T> {
    fn default() -> Self {
        SharedLog {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> SharedLog<T> {
    /// Appends `item`.
    pub fn push(&mut self, item: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        let tail = self.chunks.last_mut().expect("a chunk was just ensured");
        Arc::make_mut(tail).push(item);
        self.len += 1;
    }
}

impl<T> SharedLog<T> {
    /// Items pushed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The newest item.
    pub fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|c| c.last())
    }

    /// Every item, oldest first (reversible: `iter().rev()` for newest first).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The items from position `from` on, oldest first, without walking
    /// the ones before it.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &T> + '_ {
        let first = from / CHUNK;
        let skip = from % CHUNK;
        self.chunks
            .iter()
            .skip(first)
            .enumerate()
            .flat_map(move |(i, c)| c.iter().skip(if i == 0 { skip } else { 0 }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_across_chunks_and_reads_from_any_position() {
        let mut log = SharedLog::default();
        let n = CHUNK * 2 + 17;
        for i in 0..n {
            log.push(i);
        }
        assert_eq!(log.len(), n);
        assert_eq!(log.last(), Some(&(n - 1)));
        assert!(log.iter().copied().eq(0..n));
        assert!(log.iter().rev().copied().eq((0..n).rev()));
        for from in [0, 1, CHUNK - 1, CHUNK, CHUNK + 5, n - 1, n, n + 3] {
            assert!(
                log.iter_from(from).copied().eq(from.min(n)..n),
                "from {from}"
            );
        }
    }

    #[test]
    fn a_copy_shares_full_chunks_and_does_not_see_later_pushes() {
        let mut log = SharedLog::default();
        for i in 0..CHUNK + 3 {
            log.push(i);
        }
        let copy = log.clone();
        log.push(99_999);
        assert!(Arc::ptr_eq(&log.chunks[0], &copy.chunks[0]));
        assert!(!Arc::ptr_eq(&log.chunks[1], &copy.chunks[1]));
        assert_eq!(copy.len(), CHUNK + 3);
        assert_eq!(copy.last(), Some(&(CHUNK + 2)));
        assert_eq!(log.last(), Some(&99_999));
    }
}
