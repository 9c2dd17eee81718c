//! Retention: whole segments leave the log, the log start moves, and a
//! consumer whose offset fell below it is reset by `auto.offset.reset`.
//!
//! ```text
//!   append at t ── t − first record of active segment > segment.ms ─▶ roll a new segment
//!
//!   every log.retention.check.interval.ms:
//!     oldest segments whose newest record is older than now − retention.ms
//!     (and lies below the high watermark) are deleted ─▶ log_start = next base
//!
//!   fetch at position < log_start ─▶ OFFSET_OUT_OF_RANGE ─▶ auto.offset.reset
//!        earliest: log_start  (only the deleted records are gone)
//!        latest:   high watermark (the default: everything still in the log
//!                  before it is skipped too)
//! ```
//!
//! Why segments: Kafka never deletes single records; `retention.ms` applies
//! to a segment by its largest timestamp (topic config doc, "retention.ms";
//! UnifiedLog.deleteRetentionMsBreachedSegments), so the log start jumps by
//! a segment at a time and a log keeps up to one segment more than the
//! retention. Why the reset matters: unlike Redis, where `XREADGROUP >`
//! resumes at the first surviving entry (S13b), a Kafka consumer whose
//! committed offset was deleted follows `auto.offset.reset`, and its
//! default, `latest`, jumps to the end (consumer config doc,
//! "auto.offset.reset"): the retained backlog is skipped as well (S13d).

use super::config::OffsetReset;
use super::event::Ev;
use super::topic::PartitionState;
use super::{KafkaAction, KafkaWorld, Out};

impl PartitionState {
    /// Starts a new segment at `offset` if the active one is older than
    /// `segment_ms` (LogSegment.shouldRoll: strictly more than segment.ms).
    pub(crate) fn roll_if_due(&mut self, offset: u64, t: u64, segment_ms: u64) {
        let due = match self.segments.last() {
            None => true,
            Some(&(_, first_ms)) => t.saturating_sub(first_ms) > segment_ms,
        };
        if due {
            self.segments.push((offset, t));
        }
    }

    /// Deletes the leading segments past `retention_ms` at `now`; returns
    /// (first offset deleted, new log start) if any went.
    fn apply_retention(&mut self, now: u64, retention_ms: u64) -> Option<(u64, u64)> {
        let from = self.log_start;
        let mut cut = 0;
        for i in 0..self.segments.len() {
            let end = self.segments.get(i + 1).map_or(self.leo, |s| s.0);
            let newest = self
                .records
                .range(0, end)
                .next_back()
                .map(|(_, r)| r.append_ms);
            let breached = newest.is_some_and(|ts| now.saturating_sub(ts) > retention_ms);
            if !breached || end > self.hw {
                break;
            }
            cut = i + 1;
        }
        if cut == 0 {
            return None;
        }
        let new_start = self.segments.get(cut).map_or(self.leo, |s| s.0);
        self.segments.drain(..cut);
        for r in self.records.remove_before(new_start) {
            if let Some(k) = r.from {
                self.by_producer.remove(&k);
            }
        }
        self.log_start = new_start;
        Some((from, new_start))
    }
}

impl KafkaWorld {
    pub(crate) fn schedule_retention_check(&mut self, t: u64) {
        if self.topics.iter().any(|tp| tp.retention_ms.is_some()) {
            let every = self.cluster.retention_check_interval_ms;
            self.queue.push(t.saturating_add(every), Ev::RetentionCheck);
        }
    }

    pub(crate) fn on_retention_check(&mut self, t: u64, out: &mut Out) {
        for ti in 0..self.topics.len() {
            let Some(retention_ms) = self.topics[ti].retention_ms else {
                continue;
            };
            for p in 0..self.topics[ti].partitions.len() {
                let part = &mut self.topics[ti].partitions[p];
                let Some(leader) = part.leader else {
                    continue;
                };
                if let Some((from, to)) = part.apply_retention(t, retention_ms) {
                    out.story(
                        t,
                        &format!("broker-{leader}"),
                        KafkaAction::Retention,
                        format!(
                            "retention {}/p{p}: segments [{from}..{to}) deleted, log start {to}",
                            self.topics[ti].name
                        ),
                        format!(
                            "{} record(s) older than retention.ms ({retention_ms} ms) left the log, read or not",
                            to - from
                        ),
                    );
                }
            }
        }
        self.schedule_retention_check(t);
    }

    /// Where `auto.offset.reset` puts a consumer of group `g` on `p`.
    pub(crate) fn reset_point(&self, g: usize, p: u32) -> u64 {
        let gs = &self.groups[g];
        let part = &self.topics[gs.topic].partitions[p as usize];
        match gs.cfg.auto_offset_reset {
            OffsetReset::Earliest => part.log_start,
            OffsetReset::Latest => part.hw,
        }
    }

    /// A fetch at `pos` below the log start: the broker answers
    /// OFFSET_OUT_OF_RANGE and the client resets (Fetcher, "auto.offset.reset").
    pub(crate) fn out_of_range(
        &mut self,
        c: usize,
        p: u32,
        pos: u64,
        t: u64,
        out: &mut Out,
    ) -> u64 {
        let g = self.consumers[c].group;
        let gs = &self.groups[g];
        let part = &self.topics[gs.topic].partitions[p as usize];
        let (log_start, to) = (part.log_start, self.reset_point(g, p));
        let (policy, skipped) = match gs.cfg.auto_offset_reset {
            OffsetReset::Earliest => ("earliest", 0),
            OffsetReset::Latest => ("latest", to.saturating_sub(log_start)),
        };
        let name = self.consumers[c].cfg.name.clone();
        out.story(
            t,
            &name,
            KafkaAction::Poll,
            format!("fetch p{p}@{pos}: OFFSET_OUT_OF_RANGE, auto.offset.reset={policy} -> {to}"),
            format!(
                "offset {pos} is below the log start {log_start}: {} record(s) were deleted unread, and the reset skips {skipped} more still in the log",
                log_start - pos
            ),
        );
        self.consumers[c].positions.insert(p, to);
        to
    }
}
