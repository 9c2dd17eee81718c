//! The append-only file of one node: what is in process memory, what the
//! OS holds, what reached the disk.
//!
//! ```text
//!   records  [ .............. synced | ......... written | ....... buffered ]
//!             on disk (survives      in the page cache    aof_buf: in the
//!             a power loss)          (survives a process  process only
//!                                    crash)               (lost with it)
//!
//!   a write command ─▶ buffered ─▶ flush: written, unless everysec and a
//!                      background fsync is still running (postponed, up to 2 s)
//!   every second    ─▶ start a background fsync of what is written; it ends
//!                      fsync_ms later (a slow disk makes that long)
//! ```
//!
//! aof.c flushAppendOnlyFile is the model: Redis replies to the client
//! whether or not the buffer was written, so under everysec a slow fsync
//! leaves acknowledged writes in process memory for up to two seconds.

use crate::engine::{Argv, Db};
use crate::scenario::schema::Fsync;

/// One node's AOF (Redis 7's multi-part AOF: a base image, then records).
#[derive(Clone, Debug, Default)]
pub struct AofFile {
    /// The base image (a full resync's copy), if any.
    pub base: Option<Db>,
    records: Vec<Argv>,
    written: usize,
    synced: usize,
    /// How long a background fsync takes (`SlowDisk` changes it).
    pub fsync_ms: u64,
    /// A background fsync in progress: `(ends at unix ms, records it covers)`.
    running: Option<(u64, usize)>,
    /// Unix second the first postponed write was held back (aof_flush_postponed_start).
    postponed_since_s: Option<u64>,
    /// Unix second of the last fsync start (aof_last_fsync).
    last_fsync_s: u64,
    /// Writes forced through after two seconds of waiting (INFO `aof_delayed_fsync`).
    pub delayed_fsync: u64,
}

impl AofFile {
    /// Records of the file as a restart replays them (everything written).
    pub fn records(&self) -> &[Argv] {
        &self.records
    }

    /// Records in the file or its buffer.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing was ever appended.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records that reached the disk.
    pub fn synced(&self) -> usize {
        self.synced
    }

    /// Records that reached at least the page cache.
    pub fn written(&self) -> usize {
        self.written
    }

    /// A new file made of `base` and `records`, all on disk.
    pub fn from_parts(base: Option<Db>, records: Vec<Argv>, fsync_ms: u64) -> AofFile {
        let n = records.len();
        AofFile {
            base,
            records,
            written: n,
            synced: n,
            fsync_ms,
            ..AofFile::default()
        }
    }

    /// Appends a command's effects and flushes as `policy` says.
    pub fn append(&mut self, effects: &[Argv], policy: Fsync, unix_ms: u64) {
        self.records.extend(effects.iter().cloned());
        match policy {
            // aof.c flushAppendOnlyFile: `always` writes and fsyncs in the
            // same call, before the reply goes out.
            Fsync::Always => {
                self.written = self.records.len();
                self.synced = self.written;
            }
            _ => self.flush(policy, unix_ms),
        }
    }

    /// aof.c flushAppendOnlyFile(force = 0), run after every command and by
    /// the once-a-second cron: write the buffer unless everysec finds a
    /// background fsync still running (then hold it back, but for no more
    /// than two whole seconds), then start a background fsync once per
    /// second when something written is not on disk yet.
    pub fn flush(&mut self, policy: Fsync, unix_ms: u64) {
        self.finish_fsync(unix_ms);
        let now_s = unix_ms / 1000;
        if self.written < self.records.len() {
            if policy == Fsync::EverySec && self.running.is_some() {
                match self.postponed_since_s {
                    None => {
                        self.postponed_since_s = Some(now_s);
                        return;
                    }
                    Some(since) if now_s.saturating_sub(since) < 2 => return,
                    Some(_) => self.delayed_fsync += 1,
                }
            }
            self.written = self.records.len();
            self.postponed_since_s = None;
        }
        if policy == Fsync::EverySec && self.synced < self.written && now_s > self.last_fsync_s {
            if self.running.is_none() {
                self.running = Some((unix_ms + self.fsync_ms, self.written));
                self.finish_fsync(unix_ms);
            }
            self.last_fsync_s = now_s;
        }
    }

    /// A background fsync whose time is over has made its records durable.
    fn finish_fsync(&mut self, unix_ms: u64) {
        if let Some((ends, target)) = self.running
            && ends <= unix_ms
        {
            self.synced = self.synced.max(target);
            self.running = None;
        }
    }

    /// The OS writes its dirty pages back (`appendfsync no`); returns how
    /// many records became durable.
    pub fn os_writeback(&mut self) -> usize {
        let n = self.written - self.synced;
        self.synced = self.written;
        n
    }

    /// A clean stop (server.c finishShutdown): flushAppendOnlyFile(1) writes
    /// the buffer whatever runs, then an fsync waits for the disk.
    pub fn shutdown(&mut self) {
        self.written = self.records.len();
        self.synced = self.written;
        self.running = None;
        self.postponed_since_s = None;
    }

    /// The process dies: its buffer goes with it; returns records lost.
    pub fn process_crash(&mut self) -> usize {
        let lost = self.records.len() - self.written;
        self.records.truncate(self.written);
        self.running = None;
        self.postponed_since_s = None;
        lost
    }

    /// The machine loses power: only what reached the disk stays.
    pub fn power_loss(&mut self) -> usize {
        let lost = self.records.len() - self.synced;
        self.records.truncate(self.synced);
        self.written = self.synced;
        self.running = None;
        self.postponed_since_s = None;
        lost
    }

    /// After a restart everything in the file is on disk.
    pub fn reloaded(&mut self) {
        self.written = self.records.len();
        self.synced = self.written;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    fn rec(n: u64) -> Vec<Argv> {
        vec![vec![n.to_string().into_bytes()]]
    }

    #[test]
    fn a_fast_disk_writes_every_record_before_the_reply() {
        let mut f = AofFile::default();
        for t in 0..30u64 {
            f.append(&rec(t), Fsync::EverySec, T0 + 5 + t * 100);
        }
        assert_eq!(f.written(), 30);
        assert_eq!(f.process_crash(), 0);
    }

    #[test]
    fn a_slow_fsync_holds_writes_back_for_two_whole_seconds_then_forces_them() {
        let mut f = AofFile {
            fsync_ms: 3000,
            ..AofFile::default()
        };
        f.append(&rec(0), Fsync::EverySec, T0 + 5);
        // The fsync of record 0 started at T0+5 and runs until T0+3005.
        assert_eq!(f.written(), 1);
        f.append(&rec(1), Fsync::EverySec, T0 + 15);
        assert_eq!(f.written(), 1, "held back while the fsync runs");
        f.append(&rec(2), Fsync::EverySec, T0 + 1_995);
        assert_eq!(f.written(), 1, "less than two whole seconds");
        f.append(&rec(3), Fsync::EverySec, T0 + 2_005);
        assert_eq!(f.written(), 4, "two seconds: written anyway");
        assert_eq!(f.delayed_fsync, 1);
        f.append(&rec(4), Fsync::EverySec, T0 + 2_500);
        assert_eq!(f.process_crash(), 1, "record 4 was only in memory");
        assert_eq!(f.synced(), 0, "the first fsync never completed");
    }

    #[test]
    fn power_loss_keeps_the_synced_prefix() {
        let mut f = AofFile::default();
        f.append(&rec(0), Fsync::EverySec, T0 + 5);
        f.append(&rec(1), Fsync::EverySec, T0 + 15);
        // A zero-length fsync started at the first write of second 0.
        assert_eq!(f.synced(), 1);
        assert_eq!(f.power_loss(), 1);
        assert_eq!(f.len(), 1);
    }
}
