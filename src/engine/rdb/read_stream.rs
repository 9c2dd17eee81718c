//! Decoding a stream payload (types 19 and 15) as `rdbLoadObject` does.
//!
//! ```text
//!   nodes ──── each: 16-byte master ID + listpack, checked deeply
//!   length, last ID
//!   ├─ type 19: first ID, max-deleted ID, entries-added
//!   └─ type 15 (6.2): max-deleted 0-0, entries-added = length,
//!                     first ID = first live entry (the max ID if none)
//!   groups ─── name, last ID,
//!   │          ├─ type 19: entries-read
//!   │          └─ type 15: streamEstimateDistanceFromFirstEverEntry
//!   ├─ group PEL: ID, delivery ms, delivery count   (owner still unknown)
//!   └─ consumers: name, seen ms, the PEL IDs it owns ─▶ owners resolved
//! ```
//!
//! Redis skips some of these checks unless `sanitize-dump-payload` is
//! on; the engine always makes them, because its readers rely on what
//! they check. The rebuilt stream then goes through the invariant checker,
//! so a payload the engine keeps is one it can serve.

use std::collections::BTreeMap;

use super::read::Reader;
use super::{RdbError, check};
use crate::engine::StreamId;
use crate::engine::group::{ConsumerHandle, Group};
use crate::engine::invariants;
use crate::engine::lag::Counters;
use crate::engine::listpack::Listpack;
use crate::engine::node::Node;
use crate::engine::stream::Stream;

fn bad(reason: &'static str) -> RdbError {
    RdbError::BadFormat(reason)
}

fn read_id(r: &mut Reader) -> Result<StreamId, RdbError> {
    let ms = r.load_len()?;
    let seq = r.load_len()?;
    Ok(StreamId::new(ms, seq))
}

fn raw_id(r: &mut Reader) -> Result<StreamId, RdbError> {
    StreamId::from_be_bytes(r.bytes(16)?).ok_or(bad("stream ID"))
}

/// One pending record while its owner is not known yet.
struct Nack {
    delivery_ms: u64,
    delivery_count: u64,
    owner: Option<ConsumerHandle>,
}

/// Loads a stream; `v2` for type 19 (7.0), else type 15 (6.2).
pub fn load_stream(r: &mut Reader, v2: bool) -> Result<Stream, RdbError> {
    let node_count = r.load_len()?;
    let mut nodes: Vec<Node> = Vec::new();
    let mut live_total = 0u64;
    for _ in 0..node_count {
        let key = r.string()?;
        if key.len() != 16 {
            return Err(bad("stream node key is not the size of a stream ID"));
        }
        let master = StreamId::from_be_bytes(&key).ok_or(bad("stream ID"))?;
        let lp = r.string()?;
        let facts = check::stream_listpack(&lp).ok_or(bad("stream listpack integrity"))?;
        if nodes.last().is_some_and(|n| n.master_id() >= master) {
            // The rax would refuse a repeated key; nodes come in key order.
            return Err(bad("stream node keys out of order"));
        }
        live_total += facts.live;
        nodes.push(Node::from_checked(
            master,
            Listpack::from_checked_bytes(&lp),
        ));
    }
    let length = r.load_len()?;
    if length != live_total {
        return Err(bad("stream length differs from its nodes' entries"));
    }
    let mut s = Stream::from_nodes(nodes, length);
    s.last_id = read_id(r)?;
    if v2 {
        s.first_id = read_id(r)?;
        s.max_deleted_id = read_id(r)?;
        s.entries_added = r.load_len()?;
    } else {
        s.max_deleted_id = StreamId::MIN;
        s.entries_added = s.length();
        // streamGetEdgeID(first, skip tombstones): the max ID when no
        // live entry is left.
        s.first_id = s.first_entry().map_or(StreamId::MAX, |e| e.id);
    }
    let group_count = r.load_len()?;
    for _ in 0..group_count {
        let name = r.string()?;
        let last_id = read_id(r)?;
        let entries_read = if v2 {
            r.load_len()? as i64
        } else {
            Counters::of(&s).estimate_distance(last_id)
        };
        if s.groups.contains_key(&name) {
            return Err(bad("duplicated consumer group name"));
        }
        let group = load_group(r, last_id, entries_read)?;
        s.groups.insert(name, group);
    }
    invariants::check_one(&s).map_err(|_| bad("stream breaks an invariant"))?;
    Ok(s)
}

/// A group's PEL and consumers.
fn load_group(r: &mut Reader, last_id: StreamId, entries_read: i64) -> Result<Group, RdbError> {
    let mut group = Group::new(last_id, entries_read);
    let mut pel: BTreeMap<StreamId, Nack> = BTreeMap::new();
    let pel_size = r.load_len()?;
    for _ in 0..pel_size {
        let id = raw_id(r)?;
        let delivery_ms = r.millis()?;
        let delivery_count = r.load_len()?;
        let nack = Nack {
            delivery_ms,
            delivery_count,
            owner: None,
        };
        if pel.insert(id, nack).is_some() {
            return Err(bad("duplicated global PEL entry"));
        }
    }
    let consumer_count = r.load_len()?;
    for _ in 0..consumer_count {
        let name = r.string()?;
        let seen_ms = r.millis()?;
        let handle = group
            .create_consumer(&name, seen_ms)
            .ok_or(bad("duplicate stream consumer"))?;
        let owned = r.load_len()?;
        for _ in 0..owned {
            let id = raw_id(r)?;
            let nack = pel
                .get_mut(&id)
                .ok_or(bad("consumer entry not found in group global PEL"))?;
            if nack.owner.is_some() {
                return Err(bad("pending entry owned twice"));
            }
            nack.owner = Some(handle);
        }
    }
    for (id, nack) in pel {
        let owner = nack
            .owner
            .ok_or(bad("stream CG PEL entry without consumer"))?;
        group.assign(id, owner, nack.delivery_ms, nack.delivery_count);
    }
    Ok(group)
}
