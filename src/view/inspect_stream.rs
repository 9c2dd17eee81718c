//! The inspector on a consumer group or a macro node of the radix tree.
//!
//! ```text
//!   Target::Group { key, group } ─▶ its XINFO GROUPS line and XPENDING summary,
//!                                   as the engine answers them to a client;
//!                                   one line per consumer (XINFO CONSUMERS + its client)
//!   Target::Node { key, master_id } ─▶ its rax key bytes (ms | seq), entries and
//!                                   tombstones against stream-node-max-entries,
//!                                   listpack bytes against -max-bytes and the
//!                                   allocation, the master entry's fields;
//!                                   its entries, oldest first
//! ```
//!
//! The group's figures come from read-only commands run on the engine
//! (`Db::query`), so they are exactly what redis-cli would print now.

use crate::engine::db::Value;
use crate::engine::stream::Stream;
use crate::engine::{ExecContext, Reply, StreamId};
use crate::sim::Simulation;

use super::inspect::Inspection;
use super::pel::{ClientState, client_state};

/// Entries a node inspection lists at most.
const MAX_LISTED_ENTRIES: usize = 20;

fn query(sim: &Simulation, line: &[&str]) -> Reply {
    let argv: Vec<Vec<u8>> = line.iter().map(|a| a.as_bytes().to_vec()).collect();
    sim.ctx
        .redis
        .db
        .query(&argv, &ExecContext::at(sim.ctx.unix_ms()))
}

/// A flat map reply (`name`, `g`, `consumers`, 2, …) as `k v · k v`.
fn map_line(map: &[Reply]) -> String {
    map.chunks(2)
        .map(|p| {
            format!(
                "{} {}",
                scalar(&p[0]),
                p.get(1).map_or(String::new(), scalar)
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn scalar(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) | Reply::Error(s) => s.clone(),
        Reply::Integer(n) => n.to_string(),
        Reply::Nil | Reply::NilArray => "(nil)".into(),
        Reply::Array(items) => format!(
            "[{}]",
            items.iter().map(scalar).collect::<Vec<_>>().join(" ")
        ),
    }
}

/// The map of `group` in an XINFO GROUPS / CONSUMERS reply.
fn named<'a>(reply: &'a Reply, name: &str) -> Option<&'a [Reply]> {
    let Reply::Array(items) = reply else {
        return None;
    };
    items.iter().find_map(|m| match m {
        Reply::Array(kv)
            if kv
                .chunks(2)
                .any(|p| p[0] == Reply::bulk("name") && p.get(1) == Some(&Reply::bulk(name))) =>
        {
            Some(kv.as_slice())
        }
        _ => None,
    })
}

pub(super) fn group(sim: &Simulation, key: &str, group: &str) -> Option<Inspection> {
    let groups = query(sim, &["XINFO", "GROUPS", key]);
    let line = named(&groups, group)?;
    let mut facts = vec![("XINFO GROUPS".to_string(), map_line(line))];
    let summary = match query(sim, &["XPENDING", key, group]) {
        Reply::Array(s) if s.first() == Some(&Reply::Integer(0)) => "nothing pending".to_string(),
        Reply::Array(s) if s.len() == 4 => {
            let owners = match &s[3] {
                Reply::Array(rows) => rows
                    .iter()
                    .map(|r| match r {
                        Reply::Array(p) if p.len() == 2 => {
                            format!("{} {}", scalar(&p[0]), scalar(&p[1]))
                        }
                        other => scalar(other),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => scalar(other),
            };
            format!(
                "{} pending, {} .. {}; {owners}",
                scalar(&s[0]),
                scalar(&s[1]),
                scalar(&s[2])
            )
        }
        other => scalar(&other),
    };
    facts.push(("XPENDING (summary)".into(), summary));
    let consumers = query(sim, &["XINFO", "CONSUMERS", key, group]);
    let history = match &consumers {
        Reply::Array(all) => all
            .iter()
            .filter_map(|c| match c {
                Reply::Array(kv) => Some(kv),
                _ => None,
            })
            .map(|kv| {
                let name = kv
                    .chunks(2)
                    .find(|p| p[0] == Reply::bulk("name"))
                    .and_then(|p| p.get(1))
                    .map_or(String::new(), scalar);
                let client = match client_state(sim, &name) {
                    ClientState::Alive => "client running",
                    ClientState::Crashed => "client crashed",
                    ClientState::Hung { .. } => "client hung",
                    ClientState::NoClient => "no client uses this name",
                };
                format!("{} ({client})", map_line(kv))
            })
            .collect(),
        other => vec![scalar(other)],
    };
    Some(Inspection {
        title: format!("Group {group} on {key}"),
        facts,
        history,
    })
}

pub(super) fn node(sim: &Simulation, key: &str, master_id: StreamId) -> Option<Inspection> {
    let s: &Stream = match sim.ctx.redis.db.keys.get(key.as_bytes())? {
        Value::Stream(s) => s,
        _ => return None,
    };
    let n = s.rax().get(&master_id.to_be_bytes())?;
    let limits = sim.ctx.redis.db.config.node_limits;
    let hex = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let key_bytes = master_id.to_be_bytes();
    let mut facts = vec![
        (
            "rax key (16 bytes)".to_string(),
            format!("{} | {}", hex(&key_bytes[..8]), hex(&key_bytes[8..])),
        ),
        (
            "entries".into(),
            format!(
                "{} live + {} deleted (tombstones) of stream-node-max-entries {}",
                n.live(),
                n.deleted(),
                limits.max_entries
            ),
        ),
        (
            "listpack".into(),
            format!(
                "{} bytes of stream-node-max-bytes {}; {} allocated",
                n.lp_bytes(),
                limits.max_bytes,
                n.alloc_bytes()
            ),
        ),
    ];
    let range = match (n.first_live(), n.last_live()) {
        (Some(a), Some(b)) => format!("{a} .. {b}"),
        _ => "no live entry: only tombstones".into(),
    };
    facts.push(("live IDs".into(), range));
    facts.push((
        "role".into(),
        if s.tail_master() == Some(master_id) {
            // Full by entry count: the next XADD opens a node whatever its
            // size. Full by bytes depends on the next entry's size.
            if limits.max_entries != 0 && n.live() + n.deleted() >= limits.max_entries {
                "the tail node, full by entry count: the next XADD opens a new node".into()
            } else {
                "the tail node: XADD appends here until a limit is reached".into()
            }
        } else {
            "closed: XADD never appends here again; XDEL marks, trimming removes it whole".into()
        },
    ));
    let history = n
        .iter()
        .take(MAX_LISTED_ENTRIES)
        .map(|e| {
            let fields: Vec<String> = n
                .fields(&e)
                .iter()
                .map(|(f, v)| {
                    format!(
                        "{} {}",
                        String::from_utf8_lossy(f),
                        String::from_utf8_lossy(v)
                    )
                })
                .collect();
            let mark = if e.deleted { " (deleted)" } else { "" };
            format!("{}{mark}: {}", e.id, fields.join(" "))
        })
        .collect();
    Some(Inspection {
        title: format!("Macro node {master_id} of {key}"),
        facts,
        history,
    })
}
