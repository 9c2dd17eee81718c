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
//!                                ├─▶ dirty += n   (RDB save points)
//!                                └─▶ replicas (see replication.rs)
//!
//!   crash(Process)   keeps the written AOF (the OS still has the page cache)
//!   crash(PowerLoss) keeps only the synced prefix
//!   restart          AOF on: replay it into an empty Db; else load the last RDB image
//! ```
//!
//! Effects are what Redis writes to its AOF and sends to replicas (XADD
//! with a resolved ID, deliveries as XCLAIM ... FORCE JUSTID), so replaying
//! them rebuilds streams and consumer groups alike.

use crate::engine::{Argv, Db, ExecContext, Executed, Reply, Session};
use crate::scenario::schema::{CrashMode, Fsync, Persistence};

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
    /// Every effect written to the AOF, in order.
    aof: Vec<Argv>,
    /// How many AOF records reached the disk.
    aof_synced: usize,
    /// The last RDB image and the unix seconds it was taken at (a restart
    /// moves `last_save_s`, not the image's time).
    rdb: Option<(Db, u64)>,
    /// Changes since the last RDB save.
    dirty: u64,
    /// Unix seconds of the last successful save (or of the start).
    last_save_s: u64,
}

impl RedisNode {
    /// A running node with an empty dataset.
    pub fn new(persistence: Persistence, config: Vec<Argv>, start_unix_ms: u64) -> RedisNode {
        RedisNode {
            db: Db::new(),
            up: true,
            persistence,
            config,
            aof: Vec::new(),
            aof_synced: 0,
            rdb: None,
            dirty: 0,
            last_save_s: start_unix_ms / 1000,
        }
    }

    /// Runs a client command at `unix_ms`.
    pub fn execute(&mut self, session: &mut Session, argv: &[Vec<u8>], unix_ms: u64) -> Executed {
        if !self.up {
            return Executed::reply(Reply::err(DOWN_ERROR));
        }
        let ex = self.db.execute(session, argv, &ExecContext::at(unix_ms));
        self.persist(&ex.effects);
        ex
    }

    fn persist(&mut self, effects: &[Argv]) {
        if effects.is_empty() {
            return;
        }
        self.dirty += effects.len() as u64;
        if self.persistence.appendonly {
            self.aof.extend(effects.iter().cloned());
            if self.persistence.appendfsync == Fsync::Always {
                self.aof_synced = self.aof.len();
            }
        }
    }

    /// The persistence settings.
    pub fn persistence(&self) -> &Persistence {
        &self.persistence
    }

    /// Records written to the AOF so far (page cache included).
    pub fn aof_len(&self) -> usize {
        self.aof.len()
    }

    /// How many of the first AOF records reached the disk: a power loss
    /// keeps exactly this prefix.
    pub fn aof_synced_len(&self) -> usize {
        self.aof_synced
    }

    /// The AOF records, in order (each an effect argv).
    pub fn aof(&self) -> &[Argv] {
        &self.aof
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

    /// fsync (everysec tick or OS flush): everything written is durable.
    /// Returns how many records became durable.
    pub fn fsync(&mut self) -> usize {
        let n = self.aof.len() - self.aof_synced;
        self.aof_synced = self.aof.len();
        n
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
            self.rdb = Some((self.db.clone(), now_s));
            self.dirty = 0;
            self.last_save_s = now_s;
        }
        due
    }

    /// Kills the process. Returns the number of AOF records lost.
    pub fn crash(&mut self, mode: CrashMode) -> usize {
        self.up = false;
        match mode {
            CrashMode::Process => 0,
            CrashMode::PowerLoss => {
                let lost = self.aof.len() - self.aof_synced;
                self.aof.truncate(self.aof_synced);
                lost
            }
        }
    }

    /// Starts the process again from disk.
    pub fn restart(&mut self, unix_ms: u64) {
        let mut db = if self.persistence.appendonly {
            Db::new()
        } else {
            self.rdb.as_ref().map(|r| r.0.clone()).unwrap_or_default()
        };
        // The AOF loader is obeyed like a master (mustObeyClient), so the
        // rewritten trims it replays run as written.
        let mut session = Session {
            from_master: true,
            ..Session::default()
        };
        let ctx = ExecContext::at(unix_ms);
        for argv in &self.config {
            db.execute(&mut session, argv, &ctx);
        }
        if self.persistence.appendonly {
            for argv in &self.aof {
                db.execute(&mut session, argv, &ctx);
            }
        }
        self.aof_synced = self.aof.len();
        self.db = db;
        self.dirty = 0;
        self.last_save_s = unix_ms / 1000;
        self.up = true;
    }

    /// Takes the dataset of another node (a promoted replica).
    pub fn replace_db(&mut self, db: Db) {
        self.db = db;
        self.up = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let ex = n.execute(&mut Session::default(), &[b"PING".to_vec()], 1);
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
        n.persist(&[vec![b"A".to_vec()], vec![b"B".to_vec()]]);
        assert_eq!(n.fsync(), 2);
        n.persist(&[vec![b"C".to_vec()]]);
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
            n.execute(&mut s, &argv(&["XADD", "s", id, "f", "v"]), 1);
        }
        let line = argv(&[
            "XADD", "s", "MAXLEN", "~", "1", "LIMIT", "5", "4-0", "f", "v",
        ]);
        assert_eq!(n.execute(&mut s, &line, 1).reply, Reply::bulk("4-0"));
        n.crash(CrashMode::Process);
        n.restart(2);
        let len = n.execute(&mut s, &argv(&["XLEN", "s"]), 3).reply;
        assert_eq!(len, Reply::Integer(4));
    }

    #[test]
    fn always_syncs_every_write() {
        let mut n = node(true, Fsync::Always, vec![]);
        n.persist(&[vec![b"A".to_vec()]]);
        assert_eq!(n.crash(CrashMode::PowerLoss), 0);
        assert_eq!(n.aof.len(), 1);
    }
}
