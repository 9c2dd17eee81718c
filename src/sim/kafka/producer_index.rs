//! Where each producer's sequence numbers landed in one partition: the
//! broker's idempotence check ("have I stored this sequence already?").
//!
//! ```text
//!   (producer, session) ──▶ [(seq 0, @500) (seq 1, @501) (seq 2, @503) …]   sorted by seq
//!
//!   insert   almost always a new largest seq: pushed at the back
//!   get      binary search
//!   remove   retention takes the front, a leader change the back
//! ```
//!
//! Why not one map keyed by (producer, session, seq): a partition holds an
//! entry per record it stores, and sequence numbers arrive in order (an
//! idempotent producer keeps its order across retries), so one sorted
//! array per producer costs 16 bytes a record where a map cost about 60.

use super::topic::ProducerKey;
use std::collections::{BTreeMap, VecDeque};

/// Offsets of stored records by producer, session and sequence number.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProducerIndex {
    by_session: BTreeMap<(usize, u64), VecDeque<(u64, u64)>>,
}

impl ProducerIndex {
    /// Notes that `key`'s record is stored at `offset`.
    pub fn insert(&mut self, key: ProducerKey, offset: u64) {
        let seqs = self
            .by_session
            .entry((key.producer, key.session))
            .or_default();
        match seqs.back() {
            Some(&(last, _)) if last >= key.seq => {
                match seqs.binary_search_by_key(&key.seq, |e| e.0) {
                    Ok(i) => seqs[i].1 = offset,
                    Err(i) => seqs.insert(i, (key.seq, offset)),
                }
            }
            _ => seqs.push_back((key.seq, offset)),
        }
    }

    /// Where `key`'s record is stored, if it is.
    pub fn get(&self, key: &ProducerKey) -> Option<&u64> {
        let seqs = self.by_session.get(&(key.producer, key.session))?;
        // Every new send asks about a sequence past the newest: answer
        // without a binary search over the whole partition's records.
        if seqs.back().is_none_or(|&(last, _)| key.seq > last) {
            return None;
        }
        let i = seqs.binary_search_by_key(&key.seq, |e| e.0).ok()?;
        seqs.get(i).map(|e| &e.1)
    }

    /// Forgets `key` (its record was deleted or truncated).
    pub fn remove(&mut self, key: &ProducerKey) {
        let session = (key.producer, key.session);
        let Some(seqs) = self.by_session.get_mut(&session) else {
            return;
        };
        // Retention removes the oldest: no search for the front.
        if seqs.front().is_some_and(|&(first, _)| first == key.seq) {
            seqs.pop_front();
        } else if let Ok(i) = seqs.binary_search_by_key(&key.seq, |e| e.0) {
            seqs.remove(i);
        }
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
}
