//! Which messages can still reach a consumer group, read off the engine.
//!
//! ```text
//!   for each stream key with groups:
//!     every live entry        ─▶ (id, m)
//!     each group              ─▶ last-delivered-id, pending IDs
//!   still = { m : id > last-delivered-id }  ∪  { m : id pending and its body exists }
//!         ∪ { every m of a stream without groups }
//! ```
//!
//! A message outside this set that was never completed is lost: trimmed
//! before delivery, trimmed while pending, or skipped by a cursor move. A
//! stream nobody has a group on keeps its entries for whoever creates one
//! (XGROUP CREATE ... 0): they are unconsumed, not lost.
//!
//! The scan reads the streams in place (what XRANGE, XINFO GROUPS and
//! XPENDING would answer, without building those replies): at the end of a
//! long run it visits every entry, and paging through replies cost more
//! than the rest of the metrics together. It changes nothing, as the
//! read-only queries it replaces did not.

use super::ledger::sorted_messages;
use super::simulation::Simulation;
use crate::engine::listpack::Element;
use crate::engine::stream::Stream;
use crate::engine::{Db, StreamId};
use crate::scenario::schema::{ActorSpec, ClaimThen};

/// The message numbers still deliverable to some group, ascending, each
/// once.
pub fn still_deliverable(sim: &Simulation) -> Vec<u64> {
    let mut still = Vec::new();
    if !sim.ctx.redis.up {
        return still;
    }
    let keys = super::faults::stream_keys(sim);
    let dlqs: Vec<String> = sim
        .scenario
        .actors
        .iter()
        .filter_map(|a| match a {
            ActorSpec::Claimer(c) => match &c.then {
                ClaimThen::DeadLetter { dlq_stream, .. } => Some(dlq_stream.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let db = &sim.ctx.redis.db;
    // A message copied to a dead-letter stream waits for a human: not lost.
    for key in &dlqs {
        if let Some(s) = stream_at(db, key) {
            for_each_entry(s, |_, m| still.push(m));
        }
    }
    for key in keys {
        let Some(s) = stream_at(db, &key) else {
            continue;
        };
        let no_groups = s.groups.is_empty();
        // Only the entries that qualify are decoded: once the groups have
        // caught up, most of a long stream is neither new nor pending.
        let reachable = |id: StreamId| {
            no_groups
                || s.groups
                    .values()
                    .any(|g| id > g.last_id || g.pel().get(id).is_some())
        };
        for_each_entry_where(s, reachable, |_, m| still.push(m));
    }
    sorted_messages(still)
}

/// The stream at `key`, if there is one (a missing key or another type
/// answers XRANGE with nothing and XINFO GROUPS with an error).
fn stream_at<'a>(db: &'a Db, key: &str) -> Option<&'a Stream> {
    db.stream(key.as_bytes()).ok().flatten()
}

/// Calls `f(id, message)` for every live entry that carries a message
/// number: the first field `m` whose value reads as one, as a client
/// parsing the XRANGE reply would take it.
pub(crate) fn for_each_entry(s: &Stream, f: impl FnMut(StreamId, u64)) {
    for_each_entry_where(s, |_| true, f);
}

/// [`for_each_entry`] over the entries whose ID passes `keep`, decoding
/// only those.
fn for_each_entry_where(
    s: &Stream,
    keep: impl Fn(StreamId) -> bool,
    mut f: impl FnMut(StreamId, u64),
) {
    s.visit_range(StreamId::MIN, StreamId::MAX, false, |node, e| {
        if !keep(e.id) {
            return true;
        }
        let mut msg = None;
        node.visit_fields(e, |field, value| {
            if msg.is_none() && field.eq_bytes(b"m") {
                msg = message_number(value);
            }
        });
        if let Some(m) = msg {
            f(e.id, m);
        }
        true
    });
}

fn message_number(value: Element) -> Option<u64> {
    match value {
        Element::Int(v) => u64::try_from(v).ok(),
        Element::Str(s) => std::str::from_utf8(s).ok()?.parse().ok(),
    }
}
