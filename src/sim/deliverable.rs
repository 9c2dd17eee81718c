//! Which messages can still reach a consumer group, asked of the engine.
//!
//! ```text
//!   for each stream key with groups:
//!     XRANGE key - +            ─▶ entries (id, m)
//!     XINFO GROUPS key          ─▶ last-delivered-id per group
//!     XPENDING key g - + N      ─▶ pending IDs per group
//!   still = { m : id > last-delivered-id }  ∪  { m : id pending and its body exists }
//!         ∪ { every m of a stream without groups }
//! ```
//!
//! A message outside this set that was never completed is lost: trimmed
//! before delivery, trimmed while pending, or skipped by a cursor move. A
//! stream nobody has a group on keeps its entries for whoever creates one
//! (XGROUP CREATE ... 0): they are unconsumed, not lost.

use super::replies;
use super::simulation::Simulation;
use crate::engine::{ExecContext, Reply};
use crate::scenario::schema::{ActorSpec, ClaimThen};
use std::collections::BTreeSet;

fn parse_id(id: &str) -> (u64, u64) {
    let mut it = id.splitn(2, '-');
    let ms = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let seq = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (ms, seq)
}

/// The message numbers still deliverable to some group.
pub fn still_deliverable(sim: &Simulation) -> BTreeSet<u64> {
    let mut still = BTreeSet::new();
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
    let unix = sim.ctx.unix_ms();
    let ctx = ExecContext::at(unix);
    let db = &sim.ctx.redis.db;
    let run = |parts: &[&str]| {
        let argv: Vec<Vec<u8>> = parts.iter().map(|p| p.as_bytes().to_vec()).collect();
        db.query(&argv, &ctx)
    };
    // A message copied to a dead-letter stream waits for a human: not lost.
    for key in &dlqs {
        for_each_entry(&run, key, |_, m| {
            still.insert(m);
        });
    }
    for key in keys {
        let Reply::Array(groups) = run(&["XINFO", "GROUPS", &key]) else {
            continue;
        };
        // Per group: its cursor and the IDs it holds pending.
        let mut cursors: Vec<((u64, u64), BTreeSet<(u64, u64)>)> = Vec::new();
        for g in &groups {
            let Reply::Array(fields) = g else { continue };
            let get = |name: &str| {
                fields.chunks(2).find_map(|kv| match kv {
                    [Reply::Bulk(k), v] if k.as_slice() == name.as_bytes() => Some(v.clone()),
                    _ => None,
                })
            };
            let (Some(Reply::Bulk(name)), Some(Reply::Bulk(last))) =
                (get("name"), get("last-delivered-id"))
            else {
                continue;
            };
            let name = String::from_utf8_lossy(&name).into_owned();
            let last = parse_id(&String::from_utf8_lossy(&last));
            cursors.push((last, pending_ids(&run, &key, &name)));
        }
        let no_groups = groups.is_empty();
        for_each_entry(&run, &key, |id, m| {
            if no_groups
                || cursors
                    .iter()
                    .any(|(last, pending)| id > *last || pending.contains(&id))
            {
                still.insert(m);
            }
        });
    }
    still
}

/// Entries read per XRANGE or XPENDING call: the scan pages through a
/// stream as a client would, so a million entries never sit in one reply.
const PAGE_ENTRIES: usize = 10_000;
const PAGE: &str = "10000";

/// Calls `f(id, message)` for every entry of `key` that carries a message
/// number, paging with exclusive ranges.
fn for_each_entry(run: &impl Fn(&[&str]) -> Reply, key: &str, mut f: impl FnMut((u64, u64), u64)) {
    let mut from = "-".to_string();
    loop {
        let page = replies::entries(&run(&["XRANGE", key, &from, "+", "COUNT", PAGE]));
        let Some(last) = page.last() else { break };
        from = format!("({}", last.id);
        for e in &page {
            if let Some(m) = e.msg {
                f(parse_id(&e.id), m);
            }
        }
        if page.len() < PAGE_ENTRIES {
            break;
        }
    }
}

/// Every ID pending in group `group` of `key`, paged.
fn pending_ids(run: &impl Fn(&[&str]) -> Reply, key: &str, group: &str) -> BTreeSet<(u64, u64)> {
    let mut ids = BTreeSet::new();
    let mut from = "-".to_string();
    loop {
        let rows = replies::pending_rows(&run(&["XPENDING", key, group, &from, "+", PAGE]));
        let Some(last) = rows.last() else { break };
        from = format!("({}", last.id);
        let full = rows.len() == PAGE_ENTRIES;
        ids.extend(rows.iter().map(|r| parse_id(&r.id)));
        if !full {
            break;
        }
    }
    ids
}
