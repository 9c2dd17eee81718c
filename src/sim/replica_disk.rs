//! A replica's own disk: its save points, its crash, its restart.
//!
//! ```text
//!   applied effects ──▶ dirty += Redis's count; appendonly: AOF += effect
//!   save cron       ──▶ a save point reached: RDB = (dataset, applied offset)
//!   ReplicaCrash    ──▶ process gone, nothing arrives; its files stay
//!   ReplicaRestart  ──▶ appendonly: AOF base + records, offset unknown ─▶ full resync
//!                       else the RDB image and its offset ─▶ PSYNC offset+1:
//!                            partial if the backlog still holds it, else full
//!                       no file: empty ─▶ full resync
//! ```
//!
//! server.c loadDataFromDisk restores the replication ID and offset only
//! from an RDB file (rdbLoad fills rdbSaveInfo, then
//! replicationCacheMasterUsingMyself); the AOF path does not, so a replica
//! with `appendonly yes` always comes back with a full resync. A crash is a
//! process crash: the page cache keeps every AOF record it wrote.
//!
//! A restarted replica connects to the current primary (the promoted one
//! after a failover, the one Sentinel would reconfigure it to follow);
//! behind a partition it waits for the heal, with no primary it waits for
//! the primary's restart.

use super::replicas::Replication;
use super::simulation::Simulation;
use super::trace::{Note, Who};
use crate::engine::{Db, Effects, ExecContext, Session};
use crate::scenario::checks::Value;

/// Replica `name`'s process dies.
pub fn crash(sim: &mut Simulation, name: &str) {
    let rep = &mut sim.ctx.replication;
    let Some(r) = rep.replicas.iter_mut().find(|r| r.name == name && r.up) else {
        return;
    };
    r.up = false;
    r.db = Db::new();
    r.linked = false;
    r.inbox.clear();
    r.loading = None;
    r.apply_scheduled = false;
    rep.awaiting_reconf.retain(|n| n != name);
    let text = format!("replica {name} crashes: its dataset is gone, its AOF and RDB files stay");
    sim.ctx.note(Who::Fault, Note::Text(text));
}

/// Replica `name` starts again from its own disk and reconnects.
pub fn restart(sim: &mut Simulation, name: &str) {
    let now = sim.ctx.now_ms;
    let unix = sim.ctx.unix_ms();
    let rep = &mut sim.ctx.replication;
    let Some(i) = rep.replicas.iter().position(|r| r.name == name && !r.up) else {
        return;
    };
    let (loaded, offset) = load(rep, i, unix);
    // Only an RDB file carries a replication ID and offset to PSYNC with;
    // otherwise the replica sends PSYNC ? -1 and gets +FULLRESYNC.
    let can_psync = !rep.disk(i).is_some_and(|p| p.appendonly) && rep.replicas[i].rdb.is_some();
    let r = &mut rep.replicas[i];
    r.db = loaded;
    r.applied_offset = offset;
    r.offset_known = can_psync;
    r.up = true;
    r.dirty = 0;
    r.last_save_s = unix / 1000;
    let from = match (rep.disk(i).is_some_and(|p| p.appendonly), offset) {
        (true, _) => "its AOF (no replication offset survives it)".to_string(),
        (false, 0) => "nothing (no RDB file)".to_string(),
        (false, o) => format!("its RDB file (offset {o})"),
    };
    let mut text = format!("replica {name} restarts from {from}");
    // Behind a partition (with no promotion waiting) or with the primary
    // down, there is nobody to connect to yet.
    let reachable = sim.ctx.redis.up || rep.pending_promotion.is_some();
    if (rep.partitioned && rep.pending_promotion.is_none()) || !reachable {
        text.push_str("; it waits for a primary to connect to");
        sim.ctx.note(Who::Fault, Note::Text(text));
        return;
    }
    let keys = super::faults::stream_keys(sim);
    let rep = &mut sim.ctx.replication;
    let configured = rep.full_sync_ms;
    let pending = rep.pending_promotion.take();
    let (target, target_offset) = match &pending {
        Some(p) => (&p.db, p.applied_offset),
        None => (&sim.ctx.redis.db, rep.offset),
    };
    let ms = super::resync::sync_ms(configured, target, &keys);
    let q = &mut sim.ctx.queue;
    let how = rep.resync_to(i, target, target_offset, ms, now, q);
    rep.pending_promotion = pending;
    text.push_str("; ");
    text.push_str(&super::reconf::count_resync(sim, name, how));
    sim.ctx.note(Who::Fault, Note::Text(text));
}

/// What replica `i` loads and the offset it can offer: its AOF (base image
/// plus records, replayed as a master's stream) with no offset, or its RDB
/// image with the offset saved in it.
fn load(rep: &Replication, i: usize, unix_ms: u64) -> (Db, u64) {
    let r = &rep.replicas[i];
    if rep.disk(i).is_some_and(|p| p.appendonly) {
        let mut db = r.aof_base.clone().unwrap_or_default();
        let mut session = Session {
            from_master: true,
            ..Session::default()
        };
        let ctx = ExecContext {
            effects: Effects::Skip,
            ..ExecContext::at(unix_ms)
        };
        for argv in &r.aof {
            db.execute(&mut session, argv, &ctx);
        }
        return (db, 0);
    }
    match &r.rdb {
        Some((db, offset)) => (db.clone(), *offset),
        None => (Db::new(), 0),
    }
}

/// serverCron's save points on every running replica without AOF (the
/// same rule as the primary's: more than `s` whole seconds since the last
/// save and at least `c` changes). The image keeps the applied offset.
pub fn cron_save(rep: &mut Replication, unix_ms: u64) {
    let now_s = unix_ms / 1000;
    for i in 0..rep.replicas.len() {
        let Some(p) = rep.disk(i) else {
            continue;
        };
        if p.appendonly {
            continue;
        }
        let r = &rep.replicas[i];
        let due = r.up
            && p.save.iter().any(|&(secs, changes)| {
                now_s.saturating_sub(r.last_save_s) > secs && r.dirty >= changes
            });
        if due {
            let r = &mut rep.replicas[i];
            r.rdb = Some((r.db.clone(), r.applied_offset));
            r.dirty = 0;
            r.last_save_s = now_s;
        }
    }
}

/// Whether any replica needs the save-point cron (RDB only, save points).
pub fn needs_save_cron(rep: &Replication) -> bool {
    (0..rep.replicas.len()).any(|i| {
        rep.disk(i)
            .is_some_and(|p| !p.appendonly && !p.save.is_empty())
    })
}

/// `replica.<name>.<field>`: where a replica (or the promoted one waiting
/// for a partition to heal) stands. `applied_offset` counts replication
/// records, `messages` the message numbers in its streams, `up` and
/// `loading` (a full resync under way) are 0 or 1.
pub fn metric(sim: &Simulation, rest: &str) -> Result<Value, String> {
    let (name, field) = rest
        .rsplit_once('.')
        .ok_or("replica.<name>.<applied_offset|messages|up|loading>")?;
    let rep = &sim.ctx.replication;
    let r = rep
        .replicas
        .iter()
        .chain(rep.pending_promotion.iter())
        .find(|r| r.name == name)
        .ok_or_else(|| format!("no replica named {name:?} at this time"))?;
    let n = match field {
        "applied_offset" => r.applied_offset as i64,
        "messages" => {
            let keys = super::faults::stream_keys(sim);
            super::faults::messages_of(&r.db, &keys).len() as i64
        }
        "up" => r.up as i64,
        "loading" => r.loading.is_some() as i64,
        other => return Err(format!("unknown replica field {other:?}")),
    };
    Ok(Value::Int(n))
}
