//! The simulated Redis primary: the engine plus what its process and disk do.
//!
//! ```text
//!   client argv ──▶ up? ──no──▶ "-ERR ... connection refused"
//!                    │yes
//!                    ▼
//!               Db::execute ──▶ reply
//!                    │
//!                    └─ effects ─┬─▶ aof: [argv ...........................]
//!                                │          ^ synced      ^ written (page cache)
//!                                ├─▶ dirty += Redis's count (RDB save points)
//!                                └─▶ replicas (see replication.rs)
//!
//!   crash(Process)   keeps the written AOF (the OS still has the page cache)
//!   crash(PowerLoss) keeps only the synced prefix
//!   shutdown         AOF written and fsynced, RDB saved if save points exist
//!   restart          AOF on: its base image (if any) plus the replayed records;
//!                    else load the last RDB image
//!   adopt(replica)   a promoted replica becomes the primary with its own
//!                    dataset and its own AOF (never the old primary's)
//! ```
//!
//! Effects are what Redis writes to its AOF and sends to replicas (XADD
//! with a resolved ID, deliveries as XCLAIM ... FORCE JUSTID), so replaying
//! them rebuilds streams and consumer groups alike.

use super::aof::AofFile;
use crate::engine::stats::Stats;
use crate::engine::{Argv, Db, Effects, ExecContext, Executed, Reply, Session};
use crate::scenario::schema::{CrashMode, Persistence};
use std::rc::Rc;

/// What a promoted replica brings along from its own disk.
#[derive(Clone, Debug)]
pub struct OwnDisk {
    /// Its `appendonly` / `save` settings, which it keeps as the primary.
    pub persistence: Persistence,
    /// Its AOF base image ...
    pub aof_base: Option<Db>,
    /// ... and the records after it.
    pub aof: Vec<Argv>,
    /// Its RDB file and the unix seconds it was written at.
    pub rdb: Option<(Db, u64)>,
}

/// What a client gets from a server that is not running.
pub const DOWN_ERROR: &str = "ERR connection refused (server is down)";

/// The primary node and its persistence.
#[derive(Clone, Debug)]
pub struct RedisNode {
    /// The dataset.
    pub db: Db,
    /// Process running.
    pub up: bool,
    persistence: Persistence,
    /// `CONFIG SET` pairs re-applied on every start.
    config: Vec<Argv>,
    /// The AOF: memory buffer, page cache, disk (aof.rs).
    aof: AofFile,
    /// The last RDB image and the unix seconds it was taken at (a restart
    /// moves `last_save_s`, not the image's time). Shared, as a file on
    /// disk is: copies of the node (the explorer's checkpoints) hold the
    /// same image until the next save replaces it. `Rc`: a `Db` is not
    /// `Sync`, and nothing crosses threads.
    rdb: Option<Rc<(Db, u64)>>,
    /// Changes since the last RDB save.
    dirty: u64,
    /// Unix seconds of the last successful save (or of the start).
    last_save_s: u64,
}

impl RedisNode {
    /// A running node with an empty dataset.
    pub fn new(persistence: Persistence, config: Vec<Argv>, start_unix_ms: u64) -> RedisNode {
        let mut db = Db::new();
        db.host.started_ms = start_unix_ms;
        RedisNode {
            db,
            up: true,
            persistence,
            config,
            aof: AofFile::default(),
            rdb: None,
            dirty: 0,
            last_save_s: start_unix_ms / 1000,
        }
    }

    /// Runs a client command at `unix_ms`. `replicated`: a replica (or the
    /// backlog kept for replicas) reads the command's effects.
    pub fn execute(
        &mut self,
        session: &mut Session,
        argv: &[Vec<u8>],
        unix_ms: u64,
        replicated: bool,
    ) -> Executed {
        if !self.up {
            return Executed::reply(Reply::err(DOWN_ERROR));
        }
        // With no replica and no AOF to replay them, only the number of
        // effects is read (the replication offset counts them).
        let effects = if replicated || self.persistence.appendonly {
            Effects::Build
        } else {
            Effects::Count
        };
        let ctx = ExecContext {
            effects,
            ..ExecContext::at(unix_ms)
        };
        let ex = self.db.execute(session, argv, &ctx);
        // The save points count Redis's own change counter (server.dirty,
        // see `Executed::dirty`), not the records written to the AOF.
        self.dirty += ex.dirty;
        self.persist(&ex.effects, unix_ms);
        ex
    }

    fn persist(&mut self, effects: &[Argv], unix_ms: u64) {
        if effects.is_empty() || !self.persistence.appendonly {
            return;
        }
        self.aof
            .append(effects, self.persistence.appendfsync, unix_ms);
    }

    /// The once-a-second cron: a held-back buffer is written if it may be,
    /// and under everysec a background fsync starts (aof.c flushAppendOnlyFile).
    pub fn cron_flush(&mut self, unix_ms: u64) {
        if self.up && self.persistence.appendonly {
            self.aof.flush(self.persistence.appendfsync, unix_ms);
        }
    }

    /// How long a background fsync takes from now on (a slow disk).
    pub fn set_fsync_ms(&mut self, fsync_ms: u64) {
        self.aof.fsync_ms = fsync_ms;
    }

    /// Writes forced out after two seconds of waiting for a slow fsync
    /// (INFO persistence `aof_delayed_fsync`).
    pub fn aof_delayed_fsync(&self) -> u64 {
        self.aof.delayed_fsync
    }

    /// The persistence settings.
    pub fn persistence(&self) -> &Persistence {
        &self.persistence
    }

    /// Records appended to the AOF so far (memory buffer and page cache
    /// included).
    pub fn aof_len(&self) -> usize {
        self.aof.len()
    }

    /// How many of the first AOF records reached the disk: a power loss
    /// keeps exactly this prefix.
    pub fn aof_synced_len(&self) -> usize {
        self.aof.synced()
    }

    /// How many of the first AOF records left the process (page cache or
    /// disk): a process crash keeps exactly this prefix.
    pub fn aof_written_len(&self) -> usize {
        self.aof.written()
    }

    /// The AOF records, in order (each an effect argv).
    pub fn aof(&self) -> &[Argv] {
        self.aof.records()
    }

    /// Unix seconds of the RDB image on disk, if one was saved; a restart
    /// without AOF comes back to this moment.
    pub fn rdb_saved_unix_s(&self) -> Option<u64> {
        self.rdb.as_ref().map(|r| r.1)
    }

    /// The RDB image on disk, if one was saved.
    pub fn rdb_image(&self) -> Option<&Db> {
        self.rdb.as_ref().map(|r| &r.0)
    }

    /// Changes since the last RDB save (what the save points count).
    pub fn dirty_changes(&self) -> u64 {
        self.dirty
    }

    /// The OS writes its dirty pages back (`appendfsync no`): everything
    /// written is durable. Returns how many records became durable.
    pub fn fsync(&mut self) -> usize {
        self.aof.os_writeback()
    }

    /// The serverCron save-point check; returns true when it saved.
    /// A point `(s, c)` fires when more than `s` whole seconds passed
    /// since the last save and at least `c` changes happened.
    pub fn cron_save(&mut self, unix_ms: u64) -> bool {
        if !self.up {
            return false;
        }
        let now_s = unix_ms / 1000;
        let due = self.persistence.save.iter().any(|&(secs, changes)| {
            now_s.saturating_sub(self.last_save_s) > secs && self.dirty >= changes
        });
        if due {
            self.rdb = Some(Rc::new((self.db.clone(), now_s)));
            self.dirty = 0;
            self.last_save_s = now_s;
        }
        due
    }

    /// Kills the process. Returns the number of AOF records lost.
    pub fn crash(&mut self, mode: CrashMode) -> usize {
        self.up = false;
        match mode {
            CrashMode::Process => self.aof.process_crash(),
            CrashMode::PowerLoss => self.aof.power_loss(),
        }
    }

    /// Stops the process cleanly, as SHUTDOWN or SIGTERM do (server.c
    /// finishShutdown): the AOF buffer is written and fsynced, and with save
    /// points configured an RDB image is saved, AOF or not. Returns whether
    /// an RDB image was saved.
    pub fn shutdown(&mut self, unix_ms: u64) -> bool {
        self.aof.shutdown();
        let save = !self.persistence.save.is_empty();
        if save {
            self.rdb = Some(Rc::new((self.db.clone(), unix_ms / 1000)));
            self.dirty = 0;
            self.last_save_s = unix_ms / 1000;
        }
        self.up = false;
        save
    }

    /// Starts the process again from disk.
    pub fn restart(&mut self, unix_ms: u64) {
        // server.c loadDataFromDisk: with appendonly the AOF is loaded, never
        // the RDB file; without it, the RDB image.
        let mut db = if self.persistence.appendonly {
            self.aof.base.clone().unwrap_or_default()
        } else {
            self.rdb.as_ref().map(|r| r.0.clone()).unwrap_or_default()
        };
        // The AOF loader is obeyed like a master (mustObeyClient), so the
        // rewritten trims it replays run as written.
        let mut session = Session {
            from_master: true,
            ..Session::default()
        };
        // Nothing reads what the loader's commands would propagate.
        let ctx = ExecContext {
            effects: Effects::Skip,
            ..ExecContext::at(unix_ms)
        };
        for argv in &self.config {
            db.execute(&mut session, argv, &ctx);
        }
        if self.persistence.appendonly {
            for argv in self.aof.records() {
                db.execute(&mut session, argv, &ctx);
            }
        }
        self.aof.reloaded();
        // A new process: INFO's counters start again (loading the AOF is
        // not counted, as Redis runs it outside `call`), and so does uptime.
        db.stats = Stats::default();
        db.host.started_ms = unix_ms;
        self.db = db;
        self.dirty = 0;
        self.last_save_s = unix_ms / 1000;
        self.up = true;
    }

    /// Becomes a promoted replica: its dataset, its settings and its disk
    /// (AOF base image and records, all written by now; its RDB file).
    pub fn adopt(&mut self, db: Db, disk: OwnDisk, unix_ms: u64) {
        self.db = db;
        let fsync_ms = self.aof.fsync_ms;
        self.aof = AofFile::from_parts(disk.aof_base, disk.aof, fsync_ms);
        self.persistence = disk.persistence;
        self.rdb = disk.rdb.map(Rc::new);
        self.dirty = 0;
        self.last_save_s = unix_ms / 1000;
        self.up = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::Fsync;

    fn node(appendonly: bool, fsync: Fsync, save: Vec<(u64, u64)>) -> RedisNode {
        RedisNode::new(
            Persistence {
                appendonly,
                appendfsync: fsync,
                os_flush_interval_ms: 30_000,
                save,
            },
            Vec::new(),
            1_700_000_000_000,
        )
    }

    #[test]
    fn down_node_refuses_commands() {
        let mut n = node(false, Fsync::EverySec, vec![]);
        n.crash(CrashMode::Process);
        let ex = n.execute(&mut Session::default(), &[b"PING".to_vec()], 1, false);
        assert_eq!(ex.reply, Reply::err(DOWN_ERROR));
    }

    #[test]
    fn save_point_needs_strictly_more_seconds_and_enough_changes() {
        let mut n = node(false, Fsync::EverySec, vec![(60, 2)]);
        n.dirty = 2;
        assert!(!n.cron_save(1_700_000_060_000));
        assert!(n.cron_save(1_700_000_061_000));
        assert_eq!(n.dirty, 0);
        n.dirty = 1;
        assert!(!n.cron_save(1_700_000_200_000));
    }

    #[test]
    fn power_loss_drops_unsynced_records_process_crash_does_not() {
        let mut n = node(true, Fsync::EverySec, vec![]);
        let t = 1_700_000_000_005;
        // The first write of a second starts a (here instant) fsync.
        n.persist(&[vec![b"A".to_vec()], vec![b"B".to_vec()]], t);
        assert_eq!(n.aof_synced_len(), 2);
        n.persist(&[vec![b"C".to_vec()]], t + 10);
        assert_eq!(n.aof_synced_len(), 2);
        let mut m = n.clone();
        assert_eq!(n.crash(CrashMode::Process), 0);
        assert_eq!(n.aof.len(), 3);
        assert_eq!(m.crash(CrashMode::PowerLoss), 1);
        assert_eq!(m.aof.len(), 2);
    }

    #[test]
    fn aof_restart_replays_rewritten_limit_trims() {
        // XADD ... MAXLEN ~ n LIMIT l is written as MAXLEN = n LIMIT l,
        // which only an obeyed client (the AOF loader) may run.
        let mut n = node(true, Fsync::Always, vec![]);
        let mut s = Session::default();
        let argv =
            |w: &[&str]| -> Vec<Vec<u8>> { w.iter().map(|a| a.as_bytes().to_vec()).collect() };
        for id in ["1-0", "2-0", "3-0"] {
            n.execute(&mut s, &argv(&["XADD", "s", id, "f", "v"]), 1, false);
        }
        let line = argv(&[
            "XADD", "s", "MAXLEN", "~", "1", "LIMIT", "5", "4-0", "f", "v",
        ]);
        assert_eq!(n.execute(&mut s, &line, 1, false).reply, Reply::bulk("4-0"));
        n.crash(CrashMode::Process);
        n.restart(2);
        let len = n.execute(&mut s, &argv(&["XLEN", "s"]), 3, false).reply;
        assert_eq!(len, Reply::Integer(4));
    }

    #[test]
    fn always_syncs_every_write() {
        let mut n = node(true, Fsync::Always, vec![]);
        n.persist(&[vec![b"A".to_vec()]], 1);
        assert_eq!(n.crash(CrashMode::PowerLoss), 0);
        assert_eq!(n.aof.len(), 1);
    }
}
