//! Metric paths: how an expectation names a number.
//!
//! ```text
//!   ledger.<redis|kafka>.<lost|duplicates|completed_by.<actor>|stall_ms.<msg>|...>
//!   stream.<key>.<xlen|radix_tree_keys|radix_tree_nodes|first_id|last_id|entries_added>
//!   stream.<key>.<xlen_min_steady|xlen_max_steady>   (XLEN extremes once trimming holds it)
//!   group.<key>.<group>.<pel|last_delivered_id|entries_read|lag|consumers>
//!   consumer.<key>.<group>.<consumer>.<pending|exists>
//!   entry.<key>.<group>.<id>.<delivery_count|owner|idle_ms|pending>
//!   claim.<actor>.<claimed|deleted|dead_lettered|cursor>     xack.<actor>.zero_replies
//!   producer.<actor>.<acked|rejected|in_doubt>               actor.<actor>.<attempts|completed|failed>
//!   errors.<FIRST_WORD>        probe.<index>                 cluster.<slot|node>.<key>
//!   reply.<admin>.<n>          (the n-th scripted command's reply, compact text)
//!   message.<redis|kafka>.<msg>.<attempts|deliveries|completions>
//!   kafka.<group>.<committed|owner|lag>.<p>   kafka.<group>.lag.max   kafka.<topic>.duplicates
//! ```
//!
//! The grammar is checked when a scenario loads (`scenario::metric_names`);
//! this file reads the values. Engine figures are read the way a person would: by sending XLEN, XINFO
//! and XPENDING to the current primary. Counters kept by the simulator
//! (claims, acks, errors) come from the run itself.

use super::simulation::Simulation;
use crate::engine::{ExecContext, Reply};
use crate::scenario::checks::{Expectation, Value};

/// Keys whose XLEN minimum/maximum must be tracked during the run.
pub fn tracked_lengths(expect: &[Expectation]) -> Vec<String> {
    let mut keys: Vec<String> = expect
        .iter()
        .filter_map(|e| {
            let rest = e.metric.strip_prefix("stream.")?;
            let (key, field) = rest.rsplit_once('.')?;
            matches!(field, "xlen_min_steady" | "xlen_max_steady").then(|| key.to_string())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Updates tracked XLEN extremes after a step. Tracking starts at the
/// first step after which the length did not grow (the cap is active), so
/// the extremes describe the steady sawtooth, not the initial fill.
pub fn track_lengths(sim: &mut Simulation) {
    for key in sim.tracked_lengths_keys() {
        let Reply::Integer(n) = query(sim, &["XLEN", &key]) else {
            continue;
        };
        let prev_key = format!("stream.{key}.xlen_prev");
        let steady_key = format!("stream.{key}.xlen_steady");
        let prev = sim.ctx.counters.insert(prev_key, n);
        let steady = sim.ctx.counter(&steady_key) == 1 || prev.is_some_and(|p| n <= p && p > 0);
        if !steady || n == 0 {
            continue;
        }
        sim.ctx.counters.insert(steady_key, 1);
        let min_key = format!("stream.{key}.xlen_min_steady");
        let max_key = format!("stream.{key}.xlen_max_steady");
        let cur_min = sim.ctx.counters.get(&min_key).copied().unwrap_or(i64::MAX);
        let cur_max = sim.ctx.counters.get(&max_key).copied().unwrap_or(i64::MIN);
        sim.ctx.counters.insert(min_key, cur_min.min(n));
        sim.ctx.counters.insert(max_key, cur_max.max(n));
    }
}

/// Runs a read-only command on the current primary without recording it.
fn query(sim: &Simulation, parts: &[&str]) -> Reply {
    let argv: Vec<Vec<u8>> = parts.iter().map(|p| p.as_bytes().to_vec()).collect();
    let unix = sim.ctx.unix_ms();
    if !sim.ctx.redis.up {
        return Reply::err(super::redis::DOWN_ERROR);
    }
    sim.ctx.redis.db.query(&argv, &ExecContext::at(unix))
}

fn field<'a>(flat: &'a Reply, name: &str) -> Option<&'a Reply> {
    let Reply::Array(items) = flat else {
        return None;
    };
    items.chunks(2).find_map(|kv| match kv {
        [Reply::Bulk(k), v] if k.as_slice() == name.as_bytes() => Some(v),
        _ => None,
    })
}

fn to_value(r: &Reply) -> Result<Value, String> {
    match r {
        Reply::Integer(n) => Ok(Value::Int(*n)),
        Reply::Bulk(b) => Ok(Value::Text(String::from_utf8_lossy(b).into_owned())),
        Reply::Status(s) => Ok(Value::Text(s.clone())),
        Reply::Nil | Reply::NilArray => Ok(Value::Text("nil".into())),
        Reply::Error(e) => Err(e.clone()),
        Reply::Array(a) => match a.first() {
            Some(first) => to_value(first),
            None => Ok(Value::Text("nil".into())),
        },
    }
}

fn int(n: i64) -> Result<Value, String> {
    Ok(Value::Int(n))
}

/// The current value of `metric`, as an expectation sees it: a ledger or
/// Kafka metric first records in the ledgers what is still deliverable
/// (see [`Simulation::refresh_deliverability`]).
pub fn value(sim: &mut Simulation, metric: &str) -> Result<Value, String> {
    if metric.starts_with("ledger.") || metric.starts_with("kafka.") {
        sim.refresh_deliverability();
    }
    read(sim, metric)
}

/// The current value of `metric` without changing the simulation: the
/// same number [`value`] gives, for a viewer holding a `&Simulation`
/// (ledger metrics are computed on [`Simulation::ledger_view`]).
pub fn read(sim: &Simulation, metric: &str) -> Result<Value, String> {
    let (head, rest) = metric
        .split_once('.')
        .ok_or_else(|| format!("bad metric {metric:?}"))?;
    match head {
        "ledger" => {
            let (system, path) = rest.split_once('.').ok_or("ledger.<system>.<name>")?;
            let view = sim.ledger_view();
            let ledger = match system {
                "redis" => &*view.redis,
                "kafka" => &*view.kafka,
                other => return Err(format!("unknown ledger {other:?}; expected redis or kafka")),
            };
            ledger
                .metric(path)
                .map(|v| Value::Int(v as i64))
                .map_err(|e| e.to_string())
        }
        "stream" => {
            let (key, f) = rest.rsplit_once('.').ok_or("stream.<key>.<field>")?;
            match f {
                "xlen" => to_value(&query(sim, &["XLEN", key])),
                "xlen_min_steady" | "xlen_max_steady" => sim
                    .ctx
                    .counters
                    .get(metric)
                    .map(|v| Value::Int(*v))
                    .ok_or_else(|| format!("{metric}: the length never stopped growing")),
                _ => {
                    let info = query(sim, &["XINFO", "STREAM", key]);
                    if let Reply::Error(e) = info {
                        return Err(e);
                    }
                    let name = match f {
                        "radix_tree_keys" => "radix-tree-keys",
                        "radix_tree_nodes" => "radix-tree-nodes",
                        "first_id" => "first-entry",
                        "last_id" => "last-generated-id",
                        "entries_added" => "entries-added",
                        "max_deleted_id" => "max-deleted-entry-id",
                        other => return Err(format!("unknown stream field {other:?}")),
                    };
                    field(&info, name).map_or(Err(format!("XINFO STREAM has no {name}")), to_value)
                }
            }
        }
        "group" => {
            let (kg, f) = rest.rsplit_once('.').ok_or("group.<key>.<group>.<field>")?;
            let (key, group) = kg.rsplit_once('.').ok_or("group.<key>.<group>.<field>")?;
            if f == "pel" {
                return to_value(&query(sim, &["XPENDING", key, group]));
            }
            let groups = query(sim, &["XINFO", "GROUPS", key]);
            let Reply::Array(list) = &groups else {
                return to_value(&groups);
            };
            let g = list
                .iter()
                .find(|g| field(g, "name") == Some(&Reply::bulk(group)))
                .ok_or_else(|| format!("no group {group:?} on {key:?}"))?;
            let name = match f {
                "last_delivered_id" => "last-delivered-id",
                "entries_read" => "entries-read",
                "lag" => "lag",
                "consumers" => "consumers",
                "pending" => "pending",
                other => return Err(format!("unknown group field {other:?}")),
            };
            field(g, name).map_or(Err(format!("XINFO GROUPS has no {name}")), to_value)
        }
        "consumer" => {
            let (kgc, f) = rest
                .rsplit_once('.')
                .ok_or("consumer.<key>.<group>.<name>.<field>")?;
            let (kg, c) = kgc
                .rsplit_once('.')
                .ok_or("consumer.<key>.<group>.<name>.<field>")?;
            let (key, group) = kg
                .rsplit_once('.')
                .ok_or("consumer.<key>.<group>.<name>.<field>")?;
            let list = query(sim, &["XINFO", "CONSUMERS", key, group]);
            let Reply::Array(items) = &list else {
                return to_value(&list);
            };
            let found = items
                .iter()
                .find(|x| field(x, "name") == Some(&Reply::bulk(c)));
            match (f, found) {
                ("exists", f) => int(f.is_some() as i64),
                ("pending", Some(x)) => field(x, "pending").map_or(int(0), to_value),
                ("pending", None) => int(0),
                (other, _) => Err(format!("unknown consumer field {other:?}")),
            }
        }
        "entry" => {
            let (kgi, f) = rest
                .rsplit_once('.')
                .ok_or("entry.<key>.<group>.<id>.<field>")?;
            let (kg, id) = kgi
                .rsplit_once('.')
                .ok_or("entry.<key>.<group>.<id>.<field>")?;
            let (key, group) = kg
                .rsplit_once('.')
                .ok_or("entry.<key>.<group>.<id>.<field>")?;
            let rows =
                super::replies::pending_rows(&query(sim, &["XPENDING", key, group, id, id, "1"]));
            let row = rows.first();
            match (f, row) {
                ("pending", r) => int(r.is_some() as i64),
                ("delivery_count", Some(r)) => int(r.deliveries),
                ("owner", Some(r)) => Ok(Value::Text(r.owner.clone())),
                ("idle_ms", Some(r)) => int(r.idle_ms),
                (_, None) => Err(format!("{id} is not pending in {key}/{group}")),
                (other, _) => Err(format!("unknown entry field {other:?}")),
            }
        }
        "xack" | "producer" | "actor"
            if let Some((name, field)) = rest.rsplit_once('.')
                && let Some(t) = super::ctx::Tally::from_metric(head, field) =>
        {
            let i = sim
                .actor_index(name)
                .ok_or_else(|| format!("no actor named {name:?}"))?;
            Ok(Value::Int(sim.ctx.tallied(i, t)))
        }
        "claim" | "xack" | "producer" | "actor" => {
            if let Some(t) = sim.ctx.texts.get(metric) {
                return Ok(Value::Text(t.clone()));
            }
            Ok(Value::Int(sim.ctx.counter(metric)))
        }
        "reply" => sim
            .ctx
            .texts
            .get(metric)
            .map(|t| Value::Text(t.clone()))
            .ok_or_else(|| format!("{metric}: that command has not run")),
        "message" => {
            let (sys_msg, f) = rest
                .rsplit_once('.')
                .ok_or("message.<system>.<msg>.<field>")?;
            let (system, msg) = sys_msg
                .split_once('.')
                .ok_or("message.<system>.<msg>.<field>")?;
            let msg: u64 = msg
                .parse()
                .map_err(|_| format!("{msg:?} is not a message number"))?;
            let ledger = match system {
                "redis" => &sim.ctx.ledger_redis,
                "kafka" => &sim.ctx.ledger_kafka,
                other => return Err(format!("unknown ledger {other:?}")),
            };
            match f {
                "attempts" => int(ledger.attempts(msg) as i64),
                "deliveries" => int(ledger.deliveries(msg) as i64),
                "completions" => int(ledger.completions(msg) as i64),
                other => Err(format!(
                    "unknown message field {other:?}; expected attempts, deliveries or completions"
                )),
            }
        }
        "redis" if rest == "aof_delayed_fsync" => {
            Ok(Value::Int(sim.ctx.redis.aof_delayed_fsync() as i64))
        }
        "redis" => Ok(Value::Int(sim.ctx.counter(&format!("redis.{rest}")))),
        "errors" => Ok(Value::Int(
            sim.ctx
                .errors
                .get(&rest.to_ascii_uppercase())
                .copied()
                .unwrap_or(0),
        )),
        "probe" => {
            let i: usize = rest
                .parse()
                .map_err(|_| format!("probe.<index>, got {rest:?}"))?;
            sim.probe_replies
                .get(i)
                .cloned()
                .flatten()
                .map(Value::Text)
                .ok_or_else(|| format!("probe {i} has not run"))
        }
        "cluster" => super::cluster::metric(sim, rest),
        "replica" => super::replica_disk::metric(sim, rest),
        "kafka" => super::kafka_link::metric(&sim.ctx, rest),
        other => Err(format!("unknown metric family {other:?}")),
    }
}
