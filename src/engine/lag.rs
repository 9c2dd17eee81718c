//! entries-read and lag: how Redis 7.0 counts a group's progress.
//!
//! ```text
//!   entries_added = 10          every XADD ever made
//!   stream:   [3 4 5 6 7 8 9 10]   length 8, first 3, (1, 2 trimmed)
//!   group:    last_id = 5, entries_read = 5
//!   lag = entries_added − entries_read = 5       valid: no tombstone ≥ last_id
//! ```
//!
//! The counter is exact only while nothing was XDEL-ed at or after the
//! group's position; otherwise Redis tries an estimate and, failing that,
//! reports nil. These rules follow `streamEstimateDistanceFromFirstEverEntry`,
//! `streamRangeHasTombstones` and `streamReplyWithCGLag`.

use super::StreamId;
use super::group::ENTRIES_READ_INVALID;
use super::stream::Stream;

/// The stream counters the lag rules read (copied so a group can be
/// updated while they are consulted).
#[derive(Clone, Copy, Debug)]
pub struct Counters {
    /// Live entries.
    pub length: u64,
    /// Last generated ID.
    pub last_id: StreamId,
    /// First live ID.
    pub first_id: StreamId,
    /// Largest XDEL-ed ID.
    pub max_deleted_id: StreamId,
    /// XADDs ever.
    pub entries_added: u64,
}

impl Counters {
    /// Reads the counters of a stream.
    pub fn of(s: &Stream) -> Counters {
        Counters {
            length: s.length(),
            last_id: s.last_id,
            first_id: s.first_id,
            max_deleted_id: s.max_deleted_id,
            entries_added: s.entries_added,
        }
    }

    /// True when a tombstone may lie in `[start, end]`.
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_id == StreamId::MIN {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// The logical read counter of `id`, or −1 when it cannot be known.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        if id == self.last_id {
            return self.entries_added as i64;
        }
        if id > self.last_id {
            return ENTRIES_READ_INVALID;
        }
        if self.max_deleted_id == StreamId::MIN || self.max_deleted_id < self.first_id {
            if id < self.first_id {
                return (self.entries_added - self.length) as i64;
            }
            if id == self.first_id {
                return (self.entries_added - self.length + 1) as i64;
            }
        }
        ENTRIES_READ_INVALID
    }

    /// The new entries-read after a group read moves its last ID to `id`.
    pub fn advance(&self, entries_read: i64, id: StreamId) -> i64 {
        if entries_read != ENTRIES_READ_INVALID && !self.range_has_tombstones(id, StreamId::MAX) {
            entries_read + 1
        } else if self.entries_added > 0 {
            self.estimate_distance(id)
        } else {
            entries_read
        }
    }

    /// The group's lag, or `None` (nil) when unknown.
    pub fn lag(&self, entries_read: i64, last_delivered: StreamId) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if entries_read != ENTRIES_READ_INVALID
            && !self.range_has_tombstones(last_delivered, StreamId::MAX)
        {
            return Some(self.entries_added as i64 - entries_read);
        }
        let estimate = self.estimate_distance(last_delivered);
        if estimate != ENTRIES_READ_INVALID {
            Some(self.entries_added as i64 - estimate)
        } else {
            None
        }
    }
}
