//! Where each producer's sequence numbers landed in one partition: the
//! broker's idempotence check ("have I stored this sequence already?").
//!
//! ```text
//!   (producer, session) ──▶ Seqs: chunks of (seq, offset), sorted by seq
//!                             [Arc(seq 0 @500 … seq 1023 @1523)][Arc(1024 …)][Arc(2048 … tail)]
//!
//!   insert   almost always a new largest seq: pushed on the tail chunk
//!   get      past the newest: no search; otherwise chunk, then slot, by binary search
//!   remove   retention takes the front, a leader change the back
//! ```
//!
//! Why not one map keyed by (producer, session, seq): a partition holds an
//! entry per record it stores, and sequence numbers arrive in order (an
//! idempotent producer keeps its order across retries), so sorted arrays
//! cost 16 bytes a record where a map cost about 60. Why chunks behind
//! `Arc`: the explorer's checkpoints copy the simulation, and a chunk
//! nobody writes any more is shared by all of them instead of copied.

use super::topic::ProducerKey;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Entries per chunk before a new one starts (an out-of-order insert may
/// grow one past it).
const CHUNK: usize = 1024;

/// One session's (seq, offset) pairs, ascending by seq, in shared chunks
/// (none empty).
#[derive(Clone, Debug, Default)]
struct Seqs {
    chunks: VecDeque<Arc<VecDeque<(u64, u64)>>>,
}

impl Seqs {
    fn last_seq(&self) -> Option<u64> {
        self.chunks.back().and_then(|c| c.back()).map(|e| e.0)
    }

    /// The chunk that holds `seq` if any does: the last whose first seq is
    /// at or below it.
    fn chunk_of(&self, seq: u64) -> Option<usize> {
        let i = self
            .chunks
            .partition_point(|c| c.front().is_some_and(|e| e.0 <= seq));
        i.checked_sub(1)
    }

    fn insert(&mut self, seq: u64, offset: u64) {
        if self.last_seq().is_none_or(|last| seq > last) {
            if self.chunks.back().is_none_or(|c| c.len() >= CHUNK) {
                self.chunks
                    .push_back(Arc::new(VecDeque::with_capacity(CHUNK)));
            }
            let tail = self.chunks.back_mut().expect("a tail chunk exists");
            Arc::make_mut(tail).push_back((seq, offset));
            return;
        }
        // Below the newest: into the chunk that covers it (the first one
        // when it is older than everything).
        let ci = self.chunk_of(seq).unwrap_or(0);
        let chunk = Arc::make_mut(&mut self.chunks[ci]);
        match chunk.binary_search_by_key(&seq, |e| e.0) {
            Ok(i) => chunk[i].1 = offset,
            Err(i) => chunk.insert(i, (seq, offset)),
        }
    }

    fn get(&self, seq: u64) -> Option<&u64> {
        // Every new send asks about a sequence past the newest.
        if self.last_seq().is_none_or(|last| seq > last) {
            return None;
        }
        let chunk = &self.chunks[self.chunk_of(seq)?];
        let i = chunk.binary_search_by_key(&seq, |e| e.0).ok()?;
        chunk.get(i).map(|e| &e.1)
    }

    fn remove(&mut self, seq: u64) {
        let Some(ci) = self.chunk_of(seq) else {
            return;
        };
        let found = self.chunks[ci].binary_search_by_key(&seq, |e| e.0);
        if let Ok(i) = found {
            // Retention takes the front, a truncation the back: both are
            // O(1) on the chunk's deque.
            Arc::make_mut(&mut self.chunks[ci]).remove(i);
            if self.chunks[ci].is_empty() {
                self.chunks.remove(ci);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }
}

/// Offsets of stored records by producer, session and sequence number.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProducerIndex {
    by_session: BTreeMap<(usize, u64), Seqs>,
}

impl ProducerIndex {
    /// Notes that `key`'s record is stored at `offset`.
    pub fn insert(&mut self, key: ProducerKey, offset: u64) {
        self.by_session
            .entry((key.producer, key.session))
            .or_default()
            .insert(key.seq, offset);
    }

    /// Where `key`'s record is stored, if it is.
    pub fn get(&self, key: &ProducerKey) -> Option<&u64> {
        self.by_session
            .get(&(key.producer, key.session))?
            .get(key.seq)
    }

    /// Forgets `key` (its record was deleted or truncated).
    pub fn remove(&mut self, key: &ProducerKey) {
        let session = (key.producer, key.session);
        let Some(seqs) = self.by_session.get_mut(&session) else {
            return;
        };
        seqs.remove(key.seq);
        if seqs.is_empty() {
            self.by_session.remove(&session);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(producer: usize, seq: u64) -> ProducerKey {
        ProducerKey {
            producer,
            session: 1,
            seq,
        }
    }

    #[test]
    fn finds_every_stored_sequence_in_or_out_of_order() {
        let mut ix = ProducerIndex::default();
        for s in [0, 1, 2, 5, 3] {
            ix.insert(key(0, s), 100 + s);
        }
        ix.insert(key(1, 0), 7);
        assert_eq!(ix.get(&key(0, 3)), Some(&103));
        assert_eq!(ix.get(&key(0, 5)), Some(&105));
        assert_eq!(ix.get(&key(0, 4)), None);
        assert_eq!(ix.get(&key(1, 0)), Some(&7));
        ix.remove(&key(0, 0));
        ix.remove(&key(0, 5));
        assert_eq!(ix.get(&key(0, 0)), None);
        assert_eq!(ix.get(&key(0, 2)), Some(&102));
        ix.remove(&key(1, 0));
        assert!(!ix.by_session.contains_key(&(1, 1)));
    }

    #[test]
    fn many_chunks_stay_sorted_and_copies_share_the_full_ones() {
        let mut ix = ProducerIndex::default();
        let n = 3 * CHUNK as u64 + 10;
        // Every other sequence first, then the gaps filled out of order.
        for s in (0..n).step_by(2) {
            ix.insert(key(0, s), 1000 + s);
        }
        for s in (1..n).rev().filter(|s| s % 2 == 1) {
            ix.insert(key(0, s), 1000 + s);
        }
        for s in 0..n {
            assert_eq!(ix.get(&key(0, s)), Some(&(1000 + s)), "seq {s}");
        }
        assert_eq!(ix.get(&key(0, n)), None);
        let copy = ix.clone();
        // Retention from the front, a truncation at the back.
        for s in 0..CHUNK as u64 + 5 {
            ix.remove(&key(0, s));
        }
        ix.remove(&key(0, n - 1));
        assert_eq!(ix.get(&key(0, 3)), None);
        assert_eq!(
            ix.get(&key(0, CHUNK as u64 + 5)),
            Some(&(1005 + CHUNK as u64))
        );
        assert_eq!(ix.get(&key(0, n - 1)), None);
        assert_eq!(copy.get(&key(0, 3)), Some(&1003));
        assert_eq!(copy.get(&key(0, n - 1)), Some(&(1000 + n - 1)));
    }

    #[test]
    fn a_copy_shares_the_chunks_nobody_writes() {
        let mut ix = ProducerIndex::default();
        let n = 3 * CHUNK as u64 + 10;
        for s in 0..n {
            ix.insert(key(0, s), s);
        }
        let copy = ix.clone();
        ix.remove(&key(0, 0));
        ix.insert(key(0, n), n);
        let (a, b) = (&ix.by_session[&(0, 1)], &copy.by_session[&(0, 1)]);
        let shared: Vec<bool> = a
            .chunks
            .iter()
            .zip(&b.chunks)
            .map(|(c, d)| Arc::ptr_eq(c, d))
            .collect();
        // The front chunk lost an entry, the tail gained one: the two full
        // chunks between them stay shared.
        assert_eq!(shared, [false, true, true, false]);
        assert_eq!(copy.get(&key(0, 0)), Some(&0));
        assert_eq!(ix.get(&key(0, 0)), None);
    }
}
