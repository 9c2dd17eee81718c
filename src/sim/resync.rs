//! How a replica catches up with the primary it follows: partial or full resync.
//!
//! ```text
//!   PSYNC applied+1 ──▶ backlog holds it? ──yes──▶ partial: the tail is re-sent
//!        │ (a replica ahead of its new primary: no)
//!        ▼
//!   +FULLRESYNC ──▶ loading (until now + sync_ms): the replica keeps what it
//!        │          had and serves no newer data; what the primary writes
//!        │          meanwhile waits in its output buffer
//!        ▼
//!   loaded ──▶ dataset = the image, offset = the image's, AOF restarts from
//!              it, RDB file = it; then the buffered tail is applied
//! ```
//!
//! `sync_ms` is the scenario's `full_sync_ms`, or else the dataset's size
//! (MEMORY USAGE of every stream key) at [`FULL_SYNC_BYTES_PER_MS`]. Redis
//! 7.0.15 also waits `repl-diskless-sync-delay` (5 s) for more replicas
//! before it starts a diskless transfer (replication.c
//! replicationStartPendingFork); the derived default leaves that out, a
//! scenario that wants it sets `full_sync_ms`.

use super::backlog::Backlog;
use super::ctx::{Event, ServerTimer};
use super::queue::{EventClass, EventQueue};
use super::replicas::{Loading, Replica, Replication, Resync};
use super::rng::SimRng;
use crate::engine::{Db, ExecContext, Reply, Session};
use crate::scenario::schema::{FULL_SYNC_BYTES_PER_MS, Lag};
use std::collections::VecDeque;

impl Replication {
    /// Replica `i` reconnects to the primary at its applied offset.
    pub fn resync(
        &mut self,
        i: usize,
        primary: &Db,
        sync_ms: u64,
        now_ms: u64,
        queue: &mut EventQueue<Event>,
    ) -> Resync {
        let offset = self.offset;
        self.resync_to(i, primary, offset, sync_ms, now_ms, queue)
    }

    /// Replica `i` asks `target`, whose history ends at `target_offset`, to
    /// continue after its applied offset (PSYNC offset+1): replication.c
    /// masterTryPartialResynchronization continues from the backlog when it
    /// still holds that offset and the replica is not ahead of it (PSYNC2: a
    /// promoted replica answers for its old replication ID up to its
    /// second_replid_offset, shiftReplicationId); else +FULLRESYNC.
    pub fn resync_to(
        &mut self,
        i: usize,
        target: &Db,
        target_offset: u64,
        sync_ms: u64,
        now_ms: u64,
        queue: &mut EventQueue<Event>,
    ) -> Resync {
        let from = self.replicas[i].applied_offset;
        let r = &mut self.replicas[i];
        r.inbox.clear();
        r.loading = None;
        r.apply_scheduled = false;
        r.linked = true;
        // A replica ahead of its primary applied writes the primary never
        // had: its history diverged, and only a full copy can make them
        // agree. One that does not know its offset sends PSYNC ? -1.
        let tail = if from > target_offset || !r.offset_known {
            None
        } else {
            self.backlog.after(from)
        };
        match tail {
            Some(tail) => {
                let tail: Vec<_> = tail.into_iter().filter(|e| e.0 <= target_offset).collect();
                let n = tail.len() as u64;
                for (offset, argv) in tail {
                    self.send(i, argv, offset, now_ms, queue);
                }
                Resync::Partial(n)
            }
            None => {
                self.full_copy(i, target, target_offset, sync_ms, now_ms, queue);
                Resync::Full
            }
        }
    }

    /// Replica `i` receives an RDB of `image` (at `offset`) for `sync_ms`,
    /// then loads it; with 0 ms it is loaded at once.
    pub fn full_copy(
        &mut self,
        i: usize,
        image: &Db,
        offset: u64,
        sync_ms: u64,
        now_ms: u64,
        queue: &mut EventQueue<Event>,
    ) {
        let start = self.start_unix_ms;
        let appendonly = self.disk(i).is_some_and(|p| p.appendonly);
        let r = &mut self.replicas[i];
        r.inbox.clear();
        r.linked = true;
        r.loading = Some(Loading {
            done_at_ms: now_ms + sync_ms,
            image: image.clone(),
            offset,
        });
        if sync_ms == 0 {
            r.apply_scheduled = false;
            finish_loading(r, appendonly, start + now_ms);
            return;
        }
        r.apply_scheduled = true;
        queue.push(
            now_ms + sync_ms,
            EventClass::ServerTimer,
            0,
            Event::Server(ServerTimer::ReplicaApply(i as u32)),
        );
    }

    /// The primary restarted: its backlog lived in memory and is gone, so
    /// every running replica that reconnects copies the dataset it loaded
    /// (a primary that restarts empty empties its replicas too).
    pub fn primary_restarted(
        &mut self,
        primary: &Db,
        sync_ms: u64,
        now_ms: u64,
        queue: &mut EventQueue<Event>,
    ) -> usize {
        self.backlog = Backlog::new(self.backlog.capacity_bytes());
        let offset = self.offset;
        let mut n = 0;
        for i in 0..self.replicas.len() {
            if self.replicas[i].up {
                self.full_copy(i, primary, offset, sync_ms, now_ms, queue);
                n += 1;
            }
        }
        n
    }

    /// A promoted replica takes over at `offset` (PSYNC2 keeps the offset
    /// numbering: replication.c shiftReplicationId). Its history ends there,
    /// so the backlog does too; the remaining replicas resync against it.
    pub fn promoted_at(&mut self, offset: u64) {
        self.offset = offset;
        self.backlog.truncate_after(offset);
    }

    /// A node that rejoins as a replica of the current primary (a demoted
    /// old primary): it copies the dataset (its own writes are divergent
    /// history, so no partial resync is possible) and then follows.
    pub fn add_demoted(
        &mut self,
        name: &str,
        primary: &Db,
        root_seed: u64,
        sync_ms: u64,
        now_ms: u64,
        queue: &mut EventQueue<Event>,
    ) {
        let mut rng = SimRng::from_seed(root_seed).fork(&format!("replica:{name}"));
        let (lag, resample_ms, ack_period_ms) = self.link.unwrap_or((Lag::Constant(0), 1000, 1000));
        // A random lag keeps its first draw: nothing resamples this link.
        let lag_ms = super::replicas::draw_lag(lag, &mut rng);
        self.replicas.push(Replica {
            name: name.to_string(),
            db: Db::new(),
            lag,
            lag_ms,
            resample_ms,
            ack_period_ms,
            inbox: VecDeque::new(),
            applied_offset: 0,
            apply_scheduled: false,
            rng,
            session: Session {
                from_master: true,
                ..Session::default()
            },
            priority: 100,
            run_id: "f".repeat(40),
            aof_base: None,
            aof: Vec::new(),
            persistence: None,
            rdb: None,
            dirty: 0,
            last_save_s: (self.start_unix_ms + now_ms) / 1000,
            up: true,
            linked: true,
            loading: None,
            offset_known: true,
        });
        let i = self.replicas.len() - 1;
        let offset = self.offset;
        self.full_copy(i, primary, offset, sync_ms, now_ms, queue);
    }
}

/// The RDB has arrived and is loaded: the image replaces the dataset, the
/// AOF starts again from it, and it stays on disk as the replica's RDB
/// file (replication.c readSyncBulkPayload renames the transfer file to
/// the rdb filename; rdb-del-sync-files is off by default).
pub fn finish_loading(r: &mut Replica, appendonly: bool, unix_ms: u64) {
    let Some(l) = r.loading.take() else {
        return;
    };
    r.aof.clear();
    r.aof_base = appendonly.then(|| l.image.clone());
    r.rdb = Some((l.image.clone(), l.offset));
    r.db = l.image;
    r.applied_offset = l.offset;
    r.offset_known = true;
    r.dirty = 0;
    r.last_save_s = unix_ms / 1000;
}

/// How long a full resync of `image` takes: the scenario's `full_sync_ms`,
/// or the size MEMORY USAGE reports for `keys` at the assumed bandwidth,
/// rounded to the nearest ms.
pub fn sync_ms(configured: Option<u64>, image: &Db, keys: &[String]) -> u64 {
    if let Some(ms) = configured {
        return ms;
    }
    let ctx = ExecContext::at(0);
    let bytes: u64 = keys
        .iter()
        .map(|k| {
            let argv = vec![
                b"MEMORY".to_vec(),
                b"USAGE".to_vec(),
                k.clone().into_bytes(),
            ];
            match image.query(&argv, &ctx) {
                Reply::Integer(n) => n.max(0) as u64,
                _ => 0,
            }
        })
        .sum();
    (bytes + FULL_SYNC_BYTES_PER_MS / 2) / FULL_SYNC_BYTES_PER_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> crate::engine::Argv {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    fn one_replica() -> Replication {
        crate::sim::replicas::tests::one_replica(Lag::Constant(10))
    }

    fn xlen(db: &Db) -> Reply {
        db.query(&argv("XLEN s"), &ExecContext::at(0))
    }

    #[test]
    fn a_timed_full_copy_keeps_the_old_data_then_applies_the_buffered_tail() {
        let mut rep = one_replica();
        let mut q = EventQueue::new();
        let mut primary = Db::new();
        let mut s = Session::default();
        for id in ["1-0", "2-0"] {
            primary.execute(
                &mut s,
                &argv(&format!("XADD s {id} m 1")),
                &ExecContext::at(0),
            );
        }
        rep.offset = 2;
        rep.full_copy(0, &primary, 2, 500, 100, &mut q);
        // Written during the transfer: waits behind the load.
        rep.ship(vec![argv("XADD s 3-0 m 1")], 200, &mut q);
        assert_eq!(rep.apply_due(0, 599, &mut q), 0);
        assert_eq!(xlen(&rep.replicas[0].db), Reply::Integer(0));
        assert_eq!(rep.replicas[0].applied_offset, 0);
        assert_eq!(rep.apply_due(0, 600, &mut q), 1);
        assert_eq!(xlen(&rep.replicas[0].db), Reply::Integer(3));
        assert_eq!(rep.replicas[0].applied_offset, 3);
        assert_eq!(rep.replicas[0].rdb.as_ref().map(|r| r.1), Some(2));
    }

    #[test]
    fn a_replica_ahead_of_its_target_copies_it_and_one_behind_takes_only_the_tail() {
        let mut rep = one_replica();
        let mut q = EventQueue::new();
        for i in 1..=4 {
            rep.ship(vec![argv(&format!("XADD s {i}-0 m 1"))], 0, &mut q);
        }
        rep.apply_due(0, 10, &mut q);
        assert_eq!(rep.replicas[0].applied_offset, 4);
        // A target whose history ends at 3: the replica is ahead.
        let how = rep.resync_to(0, &Db::new(), 3, 0, 20, &mut q);
        assert_eq!(how, Resync::Full);
        assert_eq!(rep.replicas[0].applied_offset, 3);
        // Behind a target at 4: only offset 4, not what lies past the target.
        rep.replicas[0].applied_offset = 3;
        let how = rep.resync_to(0, &Db::new(), 4, 0, 30, &mut q);
        assert_eq!(how, Resync::Partial(1));
    }

    #[test]
    fn the_derived_duration_rounds_the_dataset_size_at_the_assumed_bandwidth() {
        assert_eq!(sync_ms(Some(7), &Db::new(), &[]), 7);
        assert_eq!(sync_ms(None, &Db::new(), &["s".into()]), 0);
    }
}
