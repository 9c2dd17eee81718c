//! One partition's records, by offset, in chunks shared between copies.
//!
//! ```text
//!   offsets      start                                   end (= leo)
//!                  ▼                                       ▼
//!   chunks   [ - - 7 8 9 … ][ 256 … 511 ][ 512 … 530       ]     each Arc<Vec<Option<Record>>>
//!             chunk 0          chunk 1      chunk 2 (tail: appends go here)
//!
//!   push(end)            appends to the tail chunk (a new chunk every 256)
//!   truncate_from(o)     a new leader's log is shorter: the tail goes
//!   remove_before(o)     retention deletes whole segments at the front
//! ```
//!
//! Why chunks: a log only grows at its end and shrinks at its ends, so
//! offsets map straight to a chunk and a slot. The explorer keeps copies
//! of the whole simulation as checkpoints; a chunk is copied only when a
//! copy writes into it (`Arc::make_mut`), so old records are stored once
//! however many checkpoints hold them. A map of offsets cost twice the
//! bytes per record and was copied whole into every checkpoint.

use super::topic::Record;
use std::collections::VecDeque;
use std::sync::Arc;

/// Records per chunk.
const CHUNK: u64 = 256;

/// A partition's log.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartitionLog {
    /// Chunk `i` holds offsets `(first_chunk + i) * CHUNK ..`.
    chunks: VecDeque<Arc<Vec<Option<Record>>>>,
    first_chunk: u64,
    /// The first offset held (records below it were deleted).
    start: u64,
    /// One past the last offset held.
    end: u64,
}

impl PartitionLog {
    /// The record at `offset`, if held.
    pub fn get(&self, offset: u64) -> Option<&Record> {
        if offset < self.start || offset >= self.end {
            return None;
        }
        let chunk = self
            .chunks
            .get((offset / CHUNK - self.first_chunk) as usize)?;
        chunk.get((offset % CHUNK) as usize)?.as_ref()
    }

    /// The record at `offset`, for writing (its chunk is copied first if a
    /// checkpoint shares it).
    pub fn get_mut(&mut self, offset: u64) -> Option<&mut Record> {
        if offset < self.start || offset >= self.end {
            return None;
        }
        let chunk = self
            .chunks
            .get_mut((offset / CHUNK - self.first_chunk) as usize)?;
        Arc::make_mut(chunk)
            .get_mut((offset % CHUNK) as usize)?
            .as_mut()
    }

    /// Appends `record` at `offset`, at or past the log's end (any offset
    /// when the log holds nothing; a preload may leave gaps).
    pub fn push(&mut self, offset: u64, record: Record) {
        if self.chunks.is_empty() {
            self.first_chunk = offset / CHUNK;
            self.start = offset;
            self.end = offset;
            self.chunks
                .push_back(Arc::new(vec![None; (offset % CHUNK) as usize]));
        }
        debug_assert!(offset >= self.end, "a log only grows at its end");
        while self.end < offset {
            self.push_slot(None);
        }
        self.push_slot(Some(record));
    }

    fn push_slot(&mut self, slot: Option<Record>) {
        let full = self.chunks.back().is_none_or(|c| c.len() as u64 == CHUNK);
        if full {
            self.chunks.push_back(Arc::new(Vec::new()));
        }
        if let Some(tail) = self.chunks.back_mut() {
            Arc::make_mut(tail).push(slot);
        }
        self.end += 1;
    }

    /// The records whose offsets fall in `from..to`, in order.
    pub fn range(&self, from: u64, to: u64) -> impl DoubleEndedIterator<Item = (u64, &Record)> {
        let (from, to) = (from.max(self.start), to.min(self.end));
        (from..to.max(from)).filter_map(move |o| self.get(o).map(|r| (o, r)))
    }

    /// Every record, in offset order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &Record)> {
        self.range(self.start, self.end)
    }

    /// Removes the records at `offset` and after; returns them.
    pub fn truncate_from(&mut self, offset: u64) -> Vec<Record> {
        let offset = offset.clamp(self.start, self.end);
        let gone: Vec<Record> = self
            .range(offset, self.end)
            .map(|(_, r)| r.clone())
            .collect();
        while !self.chunks.is_empty() {
            let chunk_first = (self.first_chunk + self.chunks.len() as u64 - 1) * CHUNK;
            if chunk_first >= offset && chunk_first > self.start {
                self.chunks.pop_back();
                continue;
            }
            if let Some(last) = self.chunks.back_mut() {
                Arc::make_mut(last).truncate((offset - chunk_first) as usize);
            }
            break;
        }
        self.end = offset;
        gone
    }

    /// Removes the records before `offset`; returns them.
    pub fn remove_before(&mut self, offset: u64) -> Vec<Record> {
        let offset = offset.clamp(self.start, self.end);
        let gone: Vec<Record> = self
            .range(self.start, offset)
            .map(|(_, r)| r.clone())
            .collect();
        while self.chunks.len() > 1 && (self.first_chunk + 1) * CHUNK <= offset {
            self.chunks.pop_front();
            self.first_chunk += 1;
        }
        if let Some(first) = self.chunks.front_mut() {
            let below = offset.saturating_sub(self.first_chunk * CHUNK) as usize;
            let slots = Arc::make_mut(first);
            for slot in slots.iter_mut().take(below) {
                *slot = None;
            }
        }
        self.start = offset;
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(msg: u64) -> Record {
        Record {
            msg,
            append_ms: msg * 10,
            from: None,
            acked: false,
        }
    }

    fn msgs(log: &PartitionLog) -> Vec<(u64, u64)> {
        log.iter().map(|(o, r)| (o, r.msg)).collect()
    }

    #[test]
    fn offsets_survive_chunk_edges_truncation_and_retention() {
        let mut log = PartitionLog::default();
        for o in 0..600 {
            log.push(o, rec(o + 1000));
        }
        assert_eq!(log.get(255).map(|r| r.msg), Some(1255));
        assert_eq!(log.get(256).map(|r| r.msg), Some(1256));
        assert_eq!(log.get(600), None);
        let cut = log.truncate_from(512);
        assert_eq!(cut.len(), 88);
        assert_eq!(cut[0].msg, 1512);
        log.push(512, rec(7));
        assert_eq!(log.get(512).map(|r| r.msg), Some(7));
        let gone = log.remove_before(300);
        assert_eq!(gone.len(), 300);
        assert_eq!(log.get(299), None);
        assert_eq!(log.iter().next().map(|(o, _)| o), Some(300));
        assert_eq!(log.range(0, 302).count(), 2);
        assert_eq!(
            log.range(510, u64::MAX).map(|(o, _)| o).collect::<Vec<_>>(),
            vec![510, 511, 512]
        );
        // Everything gone, then the log goes on at its end.
        log.remove_before(513);
        assert_eq!(log.iter().count(), 0);
        log.push(513, rec(8));
        assert_eq!(msgs(&log), vec![(513, 8)]);
    }

    #[test]
    fn a_preload_with_gaps_and_a_late_start() {
        let mut log = PartitionLog::default();
        log.push(1000, rec(1));
        log.push(1003, rec(2));
        assert_eq!(msgs(&log), vec![(1000, 1), (1003, 2)]);
        assert_eq!(log.truncate_from(1000).len(), 2);
        assert_eq!(log.iter().count(), 0);
    }

    #[test]
    fn a_copy_shares_old_chunks_and_keeps_its_own_records() {
        let mut log = PartitionLog::default();
        for o in 0..300 {
            log.push(o, rec(o));
        }
        let copy = log.clone();
        if let Some(r) = log.get_mut(10) {
            r.acked = true;
        }
        // The written chunk was copied; the other one is still shared.
        assert!(!Arc::ptr_eq(&log.chunks[0], &copy.chunks[0]));
        assert!(Arc::ptr_eq(&log.chunks[1], &copy.chunks[1]));
        log.truncate_from(100);
        assert!(!copy.get(10).is_some_and(|r| r.acked));
        assert_eq!(copy.iter().count(), 300);
        assert_eq!(log.iter().count(), 100);
    }
}
