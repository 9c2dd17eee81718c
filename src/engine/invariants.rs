//! The structural invariants of every stream, checked from the outside.
//!
//! ```text
//!   check(db) ── for each stream key
//!       ├─ nodes   rax key == master ID == first entry, live/deleted counters match the flags,
//!       │          radix-tree-keys == nodes walked, tail cache == last rax key
//!       ├─ counts  length == Σ live, entries_added ≥ length
//!       ├─ edges   first_id (0-0 when empty), order of IDs, last_id, zero-live nodes
//!       └─ groups  group PEL == disjoint ⋃ consumer PELs, every record's owner holds it,
//!                  the name index and the consumers agree
//!   and every key with a TTL is stored (db->expires ⊆ db->dict)
//! ```
//!
//! Only what Redis 7.0.15 itself guarantees is checked, so a violation is
//! a real bug and not a difference of opinion. Several tempting rules do
//! not hold in Redis and are left out on purpose (each is explained where
//! it would go). The checker is for tests: it walks every entry, so the
//! server never runs it.

use super::StreamId;
use super::db::{Db, Value};
use super::group::Group;
use super::stream::Stream;

/// Checks every stream in `db`; the error names the key (and group,
/// consumer and ID when they are involved) of the first broken rule.
pub fn check(db: &Db) -> Result<(), String> {
    if let Some((key, _)) = db.keys.expires().find(|(k, _)| !db.keys.contains_key(k)) {
        return Err(format!(
            "key '{}' has a TTL but no value",
            String::from_utf8_lossy(key)
        ));
    }
    for (key, value) in &db.keys {
        if let Value::Stream(stream) = value {
            let key = String::from_utf8_lossy(key);
            check_stream(stream).map_err(|e| format!("stream '{key}': {e}"))?;
            for (name, group) in &stream.groups {
                let name = String::from_utf8_lossy(name);
                check_group(group).map_err(|e| format!("stream '{key}' group '{name}': {e}"))?;
            }
        }
    }
    Ok(())
}

/// Checks one stream and its groups, as [`check`] does for each stream
/// key (RESTORE runs it on a stream it rebuilt from a payload).
pub fn check_one(stream: &Stream) -> Result<(), String> {
    check_stream(stream)?;
    for (name, group) in &stream.groups {
        let name = String::from_utf8_lossy(name);
        check_group(group).map_err(|e| format!("group '{name}': {e}"))?;
    }
    Ok(())
}

/// One entry as the walk sees it: where it sits and whether it is live.
struct Seen {
    id: StreamId,
    deleted: bool,
    node: usize,
}

fn check_stream(s: &Stream) -> Result<(), String> {
    let mut seen: Vec<Seen> = Vec::new();
    let mut live_total: u64 = 0;
    let mut nodes: u64 = 0;
    let mut zero_live_nodes: Vec<usize> = Vec::new();
    let mut last_key: Option<Vec<u8>> = None;
    for (index, (key, node)) in s.rax().iter().enumerate() {
        nodes += 1;
        let master = node.master_id();
        // The rax key is the master ID, big-endian, and the master entry is
        // the node's first entry (`streamAppendItem` creates both at once).
        // It stays first: XDEL and trimming only flag entries, 7.0 never
        // compacts a listpack (streamTrim's garbage collection is a TODO).
        if StreamId::from_be_bytes(&key) != Some(master) {
            return Err(format!("node key {key:?} is not its master ID {master}"));
        }
        let mut live = 0;
        let mut deleted = 0;
        let mut first = None;
        for e in node.iter() {
            first.get_or_insert(e.id);
            if e.deleted {
                deleted += 1;
            } else {
                live += 1;
            }
            seen.push(Seen {
                id: e.id,
                deleted: e.deleted,
                node: index,
            });
        }
        if first != Some(master) {
            return Err(format!(
                "node {master}: first entry is {first:?}, not the master ID"
            ));
        }
        // The master entry's counters are what XINFO and trimming read;
        // they must agree with the per-entry flags.
        if node.live() != live || node.deleted() != deleted {
            return Err(format!(
                "node {master}: counters say {} live / {} deleted, flags say {live} / {deleted}",
                node.live(),
                node.deleted()
            ));
        }
        if live == 0 {
            zero_live_nodes.push(index);
        }
        live_total += live;
        last_key = Some(key);
    }
    if nodes != s.radix_tree_keys() {
        return Err(format!(
            "radix-tree-keys is {} but {nodes} nodes were walked",
            s.radix_tree_keys()
        ));
    }
    let last_master = last_key.as_deref().and_then(StreamId::from_be_bytes);
    // XADD appends to the last node of the tree (`raxSeek "$"`); the cache
    // that saves the search must name exactly that node.
    if s.tail_master() != last_master {
        return Err(format!(
            "tail cache {:?} differs from the last node {:?}",
            s.tail_master(),
            last_master
        ));
    }
    if !s.tail_slot_current() {
        return Err("the cached tail slot is not the tail node's".into());
    }
    if s.length() != live_total {
        return Err(format!(
            "length is {} but the nodes hold {live_total} live entries",
            s.length()
        ));
    }
    // Every XADD bumps both; XSETID ENTRIESADDED refuses a value below the
    // length when the stream has entries (xsetidCommand), and trimming and
    // XDEL only lower the length.
    if s.entries_added < s.length() {
        return Err(format!(
            "entries_added {} is below the length {}",
            s.entries_added,
            s.length()
        ));
    }
    // first_id is reset to 0-0 whenever the length drops to 0 (XDEL,
    // streamTrim) and otherwise always names a live entry: XADD sets it when
    // the length becomes 1, XDEL and trimming recompute it when they remove it.
    if s.length() == 0 {
        // The one exception: a stream RESTOREd from a 6.2 payload gets its
        // first ID from streamGetEdgeID, which answers the max ID when no
        // live entry is left (rdb.c, RDB_TYPE_STREAM_LISTPACKS).
        if s.first_id != StreamId::MIN && s.first_id != StreamId::MAX {
            return Err(format!("empty, but first_id is {}", s.first_id));
        }
    } else if !seen.iter().any(|e| !e.deleted && e.id == s.first_id) {
        return Err(format!("first_id {} is not a live entry", s.first_id));
    }
    // max_deleted_id gets no rule against last_id: XSETID without
    // MAXDELETEDID may lower last_id below it once the stream is empty.
    check_order(s, &seen, &zero_live_nodes)
}

/// The ordering rules. Redis keeps IDs strictly increasing in tree order
/// and never above last_id, with one escape: XSETID only compares the new
/// top with the last *live* entry (`streamLastValidID`), so it may lower
/// last_id below tombstones. Appends after that land in the tail node
/// behind those tombstones, and the order is gone for good. A stream out
/// of order must therefore still show the cause: a tombstone above
/// last_id or above an entry that follows it.
fn check_order(s: &Stream, seen: &[Seen], zero_live_nodes: &[usize]) -> Result<(), String> {
    let increasing = seen.windows(2).all(|w| w[0].id < w[1].id);
    let below_top = seen.last().map(|e| e.id <= s.last_id).unwrap_or(true);
    if increasing && below_top {
        // The walk and the counters agree on the edges.
        if s.length() > 0 {
            let first_live = seen.iter().find(|e| !e.deleted).map(|e| e.id);
            if first_live != Some(s.first_id) {
                return Err(format!(
                    "first_id {} but the first live entry is {first_live:?}",
                    s.first_id
                ));
            }
        }
        // XDEL frees a node when its last live entry goes; only exact
        // MINID trimming keeps one, the head node, when its last entry
        // (read tombstones included by streamTrim) is not below the
        // threshold. Nothing can be inserted before the head while IDs
        // are in order, so it stays the head.
        if let Some(&index) = zero_live_nodes.iter().find(|&&i| i != 0) {
            let master = seen.iter().find(|e| e.node == index).map(|e| e.id);
            return Err(format!(
                "node {master:?} has no live entry and is not the head node"
            ));
        }
        return Ok(());
    }
    let mut min_after: Option<StreamId> = None;
    let mut tombstone_above = false;
    for e in seen.iter().rev() {
        // Walking backwards: min_after is the smallest ID after `e`.
        let above_later = min_after.map(|m| e.id >= m).unwrap_or(false);
        if e.deleted && (e.id > s.last_id || above_later) {
            tombstone_above = true;
            break;
        }
        min_after = Some(min_after.map_or(e.id, |m| m.min(e.id)));
    }
    if !tombstone_above {
        let culprit = seen
            .windows(2)
            .find(|w| w[0].id >= w[1].id)
            .map(|w| format!("{} before {}", w[0].id, w[1].id))
            .unwrap_or_else(|| format!("an entry above last_id {}", s.last_id));
        return Err(format!(
            "IDs out of order ({culprit}) with no tombstone left by an XSETID lowering"
        ));
    }
    Ok(())
}

fn check_group(g: &Group) -> Result<(), String> {
    // -1 is SCG_INVALID_ENTRIES_READ; XGROUP CREATE/SETID refuse other
    // negative values and reads only advance a valid counter.
    if g.entries_read < -1 {
        return Err(format!("entries_read {} is below -1", g.entries_read));
    }
    // Pending IDs get no rule against last_id or the stream: XGROUP SETID
    // may move last_id backwards past them, XCLAIM FORCE and LASTID may
    // create records beyond it, and XDEL/XTRIM leave PELs alone.
    // Every name must lead to a consumer (the walk below goes by name).
    let reachable = g.consumers().count() as u64;
    if reachable != g.consumer_count() {
        return Err(format!(
            "{} consumer names but {reachable} consumers behind them",
            g.consumer_count()
        ));
    }
    let mut owned: u64 = 0;
    for (handle, consumer) in g.consumers() {
        let name = String::from_utf8_lossy(&consumer.name);
        if g.lookup(&consumer.name) != Some(handle) {
            return Err(format!("consumer '{name}' is not found by its name"));
        }
        for id in consumer.pel().iter() {
            match g.pel().get(id) {
                None => {
                    return Err(format!(
                        "consumer '{name}' holds {id}, which is not in the group PEL"
                    ));
                }
                Some(p) if p.owner != handle => {
                    let other = String::from_utf8_lossy(g.consumer_name(p.owner));
                    return Err(format!(
                        "consumer '{name}' holds {id}, whose record names '{other}'"
                    ));
                }
                Some(_) => owned += 1,
            }
        }
    }
    // Every record was counted once through its owner above; a record
    // whose owner is gone or does not hold it breaks the union.
    for (id, p) in g.pel().iter() {
        let holds = g
            .consumer(p.owner)
            .map(|c| c.pel().contains(id))
            .unwrap_or(false);
        if !holds {
            return Err(format!(
                "pending {id} names owner #{} ('{}'), which does not hold it",
                p.owner,
                String::from_utf8_lossy(g.consumer_name(p.owner))
            ));
        }
    }
    if owned != g.pel().len() {
        return Err(format!(
            "group PEL has {} records, consumers hold {owned}",
            g.pel().len()
        ));
    }
    Ok(())
}
