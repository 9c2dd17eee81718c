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
        let entries = replies::entries(&run(&["XRANGE", key, "-", "+"]));
        still.extend(entries.iter().filter_map(|e| e.msg));
    }
    for key in keys {
        let entries = replies::entries(&run(&["XRANGE", &key, "-", "+"]));
        let Reply::Array(groups) = run(&["XINFO", "GROUPS", &key]) else {
            continue;
        };
        if groups.is_empty() {
            still.extend(entries.iter().filter_map(|e| e.msg));
        }
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
            let pending: BTreeSet<String> =
                replies::pending_rows(&run(&["XPENDING", &key, &name, "-", "+", "1000000000"]))
                    .into_iter()
                    .map(|r| r.id)
                    .collect();
            for e in &entries {
                let Some(m) = e.msg else { continue };
                if parse_id(&e.id) > last || pending.contains(&e.id) {
                    still.insert(m);
                }
            }
        }
    }
    still
}
