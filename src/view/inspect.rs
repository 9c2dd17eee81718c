//! The inspector: everything about one entry or one consumer at the
//! current step, read from the engine (as XRANGE, XPENDING and XINFO
//! CONSUMERS would answer) and from the run's ledger.
//!
//! ```text
//!   Target::Entry { key, id } ─▶ its fields and message number,
//!                                per group: the XPENDING line, or delivered and acked, or not yet
//!                                the ledger: produced, acked, deliveries, completions, lost…
//!   Target::Consumer { key, group, name } ─▶ the XINFO CONSUMERS line, its client, its PEL
//!   Target::Group / Target::Node ─▶ inspect_stream.rs
//! ```

use crate::engine::StreamId;
use crate::engine::db::Value;
use crate::engine::stream::Stream;
use crate::sim::Simulation;

use super::pel::{ClientState, client_state};

/// What the inspector looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Entry {
        key: String,
        id: StreamId,
    },
    Consumer {
        key: String,
        group: String,
        name: String,
    },
    Group {
        key: String,
        group: String,
    },
    /// A macro node of the radix tree, by its master ID (its rax key).
    Node {
        key: String,
        master_id: StreamId,
    },
    /// A record of a Kafka partition (the message it carries).
    KafkaRecord {
        topic: String,
        partition: u32,
        offset: u64,
        msg: u64,
    },
}

/// What it says: a title, facts (label, value) and the history in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub title: String,
    pub facts: Vec<(String, String)>,
    pub history: Vec<String>,
}

/// Pending IDs a consumer inspection lists at most.
const MAX_LISTED_IDS: usize = 20;

fn stream<'a>(sim: &'a Simulation, key: &str) -> Option<&'a Stream> {
    match sim.ctx.redis.db.keys.get(key.as_bytes())? {
        Value::Stream(s) => Some(s),
        _ => None,
    }
}

impl Inspection {
    /// Inspects `target` in `sim`; `None` when its key is no stream.
    pub fn of(sim: &Simulation, target: &Target) -> Option<Inspection> {
        match target {
            Target::Entry { key, id } => Some(entry(sim, key, *id, stream(sim, key)?)),
            Target::Consumer { key, group, name } => {
                consumer(sim, key, group, name, stream(sim, key)?)
            }
            Target::KafkaRecord {
                topic,
                partition,
                offset,
                msg,
            } => Some(kafka_record(sim, topic, *partition, *offset, *msg)),
            Target::Group { key, group } => super::inspect_stream::group(sim, key, group),
            Target::Node { key, master_id } => super::inspect_stream::node(sim, key, *master_id),
        }
    }
}

fn entry(sim: &Simulation, key: &str, id: StreamId, s: &Stream) -> Inspection {
    let now = sim.ctx.unix_ms();
    let mut facts = Vec::new();
    let found = s.get(id);
    let msg = found.as_ref().and_then(|e| {
        e.fields
            .iter()
            .find(|(f, _)| f.as_slice() == b"m")
            .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse::<u64>().ok())
    });
    match &found {
        Some(e) => {
            let pairs: Vec<String> = e
                .fields
                .iter()
                .map(|(f, v)| {
                    format!(
                        "{} {}",
                        String::from_utf8_lossy(f),
                        String::from_utf8_lossy(v)
                    )
                })
                .collect();
            facts.push(("fields (XRANGE)".into(), pairs.join(" · ")));
        }
        None => facts.push((
            "in the stream".into(),
            "no: deleted or trimmed (a pending entry may still name it)".into(),
        )),
    }
    if let Some(m) = msg {
        facts.push(("message".into(), format!("m {m}")));
    }
    for (gname, g) in &s.groups {
        let gname = String::from_utf8_lossy(gname);
        let line = match g.pel().get(id) {
            Some(p) => {
                let owner = g.consumer(p.owner).map_or("?".into(), |c| {
                    String::from_utf8_lossy(&c.name).into_owned()
                });
                format!(
                    "pending: 1) \"{id}\" 2) \"{owner}\" 3) (integer) {} 4) (integer) {}",
                    now.saturating_sub(p.delivery_ms),
                    p.delivery_count
                )
            }
            None if id <= g.last_id => {
                "delivered and acknowledged (or read with NOACK, or claimed away and gone)".into()
            }
            None => format!("not delivered yet (last-delivered-id {})", g.last_id),
        };
        facts.push((format!("group {gname} (XPENDING)"), line));
    }
    let history = msg.map_or_else(Vec::new, |m| ledger_history(&sim.ctx.ledger_redis, m));
    let key_note = format!("{key} {id}");
    Inspection {
        title: format!("Entry {key_note}"),
        facts,
        history,
    }
}

fn ledger_history(ledger: &crate::sim::ledger::Ledger, msg: u64) -> Vec<String> {
    let Some(h) = ledger.history(msg) else {
        return Vec::new();
    };
    let at = |ms: u64| super::format::duration(ms);
    let mut out = Vec::new();
    if let Some(t) = h.produced_ms {
        out.push(format!("t={} produced", at(t)));
    }
    if let Some(t) = h.acked_ms {
        out.push(format!("t={} the producer got its acknowledgement", at(t)));
    }
    let mut events: Vec<(u64, String)> = Vec::new();
    events.extend(
        h.deliveries
            .iter()
            .map(|(w, t)| (*t, format!("delivered to {w}"))),
    );
    events.extend(
        h.starts
            .iter()
            .map(|(w, t)| (*t, format!("{w} starts processing"))),
    );
    events.extend(
        h.completions
            .iter()
            .map(|(w, t)| (*t, format!("{w} completes it"))),
    );
    if let Some(t) = h.log_lost_ms {
        events.push((t, "gone from the log (crash or failover)".into()));
    }
    if let Some((why, t)) = h.undeliverable {
        events.push((t, format!("no longer deliverable: {why:?}")));
    }
    events.sort();
    out.extend(events.into_iter().map(|(t, e)| format!("t={} {e}", at(t))));
    out
}

fn kafka_record(
    sim: &Simulation,
    topic: &str,
    partition: u32,
    offset: u64,
    msg: u64,
) -> Inspection {
    let mut facts = vec![("message".to_string(), format!("m {msg}"))];
    if let Some(k) = super::kafka::KafkaView::of(sim) {
        let part = k
            .groups
            .iter()
            .filter(|g| g.topic == topic)
            .flat_map(|g| g.partitions.iter().map(move |p| (g, p)))
            .find(|(_, p)| p.partition == partition);
        if let Some((g, p)) = part {
            let place = match p.committed {
                Some(c) if offset < c => format!(
                    "below the committed offset {c}: group {} will not read it again unless it seeks back",
                    g.group_id
                ),
                Some(c) => format!(
                    "at or past the committed offset {c}: group {} reads it (again) after a rebalance",
                    g.group_id
                ),
                None => format!(
                    "group {} has committed nothing on this partition",
                    g.group_id
                ),
            };
            facts.push(("committed".into(), place));
            facts.push((
                "partition".into(),
                format!(
                    "owner {} · log {}..{} · high watermark {}",
                    p.owner.as_deref().unwrap_or("none (rebalancing)"),
                    p.log_start,
                    p.log_end,
                    p.high_watermark
                ),
            ));
        }
    }
    Inspection {
        title: format!("Kafka record {topic}-{partition} offset {offset}"),
        facts,
        history: ledger_history(&sim.ctx.ledger_kafka, msg),
    }
}

fn consumer(
    sim: &Simulation,
    key: &str,
    group: &str,
    name: &str,
    s: &Stream,
) -> Option<Inspection> {
    let g = s
        .groups
        .iter()
        .find(|(n, _)| n.as_slice() == group.as_bytes())
        .map(|(_, g)| g)?;
    let c = g.consumer(g.lookup(name.as_bytes())?)?;
    let now = sim.ctx.unix_ms();
    let mut facts = vec![(
        "XINFO CONSUMERS".into(),
        format!(
            "name \"{name}\" · pending {} · idle {}",
            c.pel().len(),
            now.saturating_sub(c.seen_ms)
        ),
    )];
    let client = match client_state(sim, name) {
        ClientState::Alive => "a running client uses this name".to_string(),
        ClientState::Crashed => "its client crashed: nothing will read its PEL but a claimer or the same name's history read".to_string(),
        ClientState::Hung { until_ms } => {
            format!("its client hangs until t={}", super::format::duration(until_ms))
        }
        ClientState::NoClient => "no client of the scenario uses this name".to_string(),
    };
    facts.push(("client".into(), client));
    let history = c
        .pel()
        .iter()
        .take(MAX_LISTED_IDS)
        .map(|id| match g.pel().get(id) {
            Some(p) => format!(
                "{id}: delivered {} time(s), idle {} ms",
                p.delivery_count,
                now.saturating_sub(p.delivery_ms)
            ),
            None => format!("{id}"),
        })
        .collect();
    Some(Inspection {
        title: format!("Consumer {name} of group {group} on {key}"),
        facts,
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, parse_scenario};
    use crate::sim::RunOptions;
    use std::sync::Arc;

    /// S01 at 89 s: c1 crashed holding 4..10; entry 4 is pending on c1
    /// with one delivery, its history says it was delivered to c1.
    #[test]
    fn an_entry_of_a_dead_consumer_shows_its_xpending_line_and_history() {
        let (file, text) = builtin::ALL
            .iter()
            .find(|(f, _)| f.starts_with("s01_"))
            .unwrap();
        let s = Arc::new(parse_scenario(file, text).unwrap());
        let mut sim = Simulation::new(
            s,
            RunOptions {
                until_ms: Some(89_000),
                ..RunOptions::default()
            },
        );
        sim.run();
        let id = StreamId { ms: 4, seq: 0 };
        let i = Inspection::of(
            &sim,
            &Target::Entry {
                key: "orders".into(),
                id,
            },
        )
        .unwrap();
        let pending = &i
            .facts
            .iter()
            .find(|(l, _)| l.starts_with("group g"))
            .unwrap()
            .1;
        assert!(pending.contains("\"c1\""), "{pending}");
        assert!(pending.ends_with("(integer) 1"), "{pending}");
        assert!(
            i.history.iter().any(|h| h.contains("delivered to c1")),
            "{:?}",
            i.history
        );
        let c = Inspection::of(
            &sim,
            &Target::Consumer {
                key: "orders".into(),
                group: "g".into(),
                name: "c1".into(),
            },
        )
        .unwrap();
        assert!(c.facts[0].1.contains("pending 7"), "{:?}", c.facts);
        assert!(c.facts[1].1.contains("crashed"), "{:?}", c.facts);
        let g = Inspection::of(
            &sim,
            &Target::Group {
                key: "orders".into(),
                group: "g".into(),
            },
        )
        .unwrap();
        assert!(
            g.facts[0].1.starts_with("name g · consumers "),
            "{:?}",
            g.facts
        );
        let summary = &g.facts[1].1;
        assert!(summary.contains("c1 7"), "{summary}");
        assert!(
            g.history
                .iter()
                .any(|h| h.starts_with("name c1 · pending 7") && h.ends_with("(client crashed)")),
            "{:?}",
            g.history
        );
        let node = Inspection::of(
            &sim,
            &Target::Node {
                key: "orders".into(),
                master_id: StreamId { ms: 1, seq: 0 },
            },
        )
        .unwrap();
        assert!(
            node.facts[0].1.starts_with("00 00 00 00 00 00 00 01 | 00"),
            "{:?}",
            node.facts
        );
        assert!(node.history[0].starts_with("1-0: "), "{:?}", node.history);
    }
}
