//! The keyspace basics a client expects next to streams: PING, ECHO, DEL,
//! EXISTS, TYPE, SET/GET, DBSIZE, FLUSHALL, SELECT, CONFIG, INFO, COMMAND
//! and MEMORY USAGE.

use super::super::db::{Db, Value, WRONGTYPE};
use super::super::glob;
use super::super::memory;
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, is, parse_i64, propagate_verbatim, text};

pub fn unreachable(_: &mut Db, _: &Call, out: &mut Executed) {
    out.reply = Reply::err("ERR this command is handled by the transaction layer");
}

pub fn ping(_: &Db, call: &Call, out: &mut Executed) {
    out.reply = match call.argc() {
        1 => Reply::Status("PONG".into()),
        2 => Reply::bulk(call.arg(1)),
        _ => Reply::err("ERR wrong number of arguments for 'ping' command"),
    };
}

pub fn echo(_: &Db, call: &Call, out: &mut Executed) {
    out.reply = Reply::bulk(call.arg(1));
}

pub fn select(_: &mut Db, call: &Call, out: &mut Executed) {
    out.reply = match parse_i64(call.arg(1)) {
        Ok(0) => Reply::ok(),
        Ok(_) => Reply::err("ERR DB index is out of range"),
        Err(_) => Reply::err("ERR value is not an integer or out of range"),
    };
}

pub fn del(db: &mut Db, call: &Call, out: &mut Executed) {
    let mut removed = 0;
    for key in &call.argv[1..] {
        if let Some(value) = db.keys.remove(key.as_slice()) {
            removed += 1;
            // Readers blocked in XREADGROUP on a deleted stream are woken
            // (and answered -UNBLOCKED), as `dbGenericDelete` signals them.
            if matches!(value, Value::Stream(_)) {
                out.signaled_keys.push(key.clone());
            }
        }
    }
    if removed > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(removed);
}

pub fn exists(db: &Db, call: &Call, out: &mut Executed) {
    let n = call.argv[1..]
        .iter()
        .filter(|k| db.keys.contains_key(k.as_slice()))
        .count();
    out.reply = Reply::Integer(n as i64);
}

pub fn type_(db: &Db, call: &Call, out: &mut Executed) {
    let name = db
        .keys
        .get(call.arg(1))
        .map(Value::type_name)
        .unwrap_or("none");
    out.reply = Reply::Status(name.into());
}

pub fn set(db: &mut Db, call: &Call, out: &mut Executed) {
    let (mut nx, mut xx) = (false, false);
    for arg in &call.argv[3..] {
        if is(arg, "NX") && !xx {
            nx = true;
        } else if is(arg, "XX") && !nx {
            xx = true;
        } else {
            out.reply = Reply::err(SYNTAX);
            return;
        }
    }
    let exists = db.keys.contains_key(call.arg(1));
    if (nx && exists) || (xx && !exists) {
        out.reply = Reply::Nil;
        return;
    }
    let old = db
        .keys
        .insert(call.arg(1).to_vec(), Value::String(call.arg(2).to_vec()));
    // Overwriting a stream wakes its blocked readers (`dbOverwrite`).
    if matches!(old, Some(Value::Stream(_))) {
        out.signaled_keys.push(call.arg(1).to_vec());
    }
    propagate_verbatim(call, out);
    out.reply = Reply::ok();
}

pub fn get(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match db.keys.get(call.arg(1)) {
        None => Reply::Nil,
        Some(Value::String(v)) => Reply::bulk(v),
        Some(_) => Reply::err(WRONGTYPE),
    };
}

pub fn dbsize(db: &Db, _: &Call, out: &mut Executed) {
    out.reply = Reply::Integer(db.keys.len() as i64);
}

pub fn flushall(db: &mut Db, call: &Call, out: &mut Executed) {
    if call.argc() > 2
        || (call.argc() == 2 && !is(call.arg(1), "ASYNC") && !is(call.arg(1), "SYNC"))
    {
        out.reply = Reply::err(SYNTAX);
        return;
    }
    let streams = db
        .keys
        .iter()
        .filter(|(_, v)| matches!(v, Value::Stream(_)));
    out.signaled_keys.extend(streams.map(|(k, _)| k.clone()));
    db.keys.clear();
    propagate_verbatim(call, out);
    out.reply = Reply::ok();
}

/// Configuration parameters CONFIG GET knows, with their current values.
fn config_params(db: &Db) -> Vec<(&'static str, String)> {
    vec![
        (
            "stream-node-max-bytes",
            db.config.node_limits.max_bytes.to_string(),
        ),
        (
            "stream-node-max-entries",
            db.config.node_limits.max_entries.to_string(),
        ),
        ("appendonly", "no".into()),
        ("save", String::new()),
        ("databases", "1".into()),
    ]
}

pub fn config_get(db: &mut Db, call: &Call, out: &mut Executed) {
    let mut items = Vec::new();
    for (name, value) in config_params(db) {
        if call.argv[2..]
            .iter()
            .any(|pattern| glob::matches(&pattern.to_ascii_lowercase(), name.as_bytes()))
        {
            items.push(Reply::bulk(name));
            items.push(Reply::bulk(value));
        }
    }
    out.reply = Reply::Array(items);
}

pub fn config_set(db: &mut Db, call: &Call, out: &mut Executed) {
    if call.argc() % 2 != 0 {
        out.reply = Reply::err(SYNTAX);
        return;
    }
    let failed = |name: &[u8], why: &str| {
        Reply::err(format!(
            "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
            text(name)
        ))
    };
    let mut limits = db.config.node_limits;
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for pair in call.argv[2..].chunks(2) {
        let name = pair[0].to_ascii_lowercase();
        let value = &pair[1];
        let known = name == b"stream-node-max-entries" || name == b"stream-node-max-bytes";
        if !known {
            out.reply = Reply::err(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                text(&pair[0])
            ));
            return;
        }
        if seen.contains(&name) {
            out.reply = failed(&pair[0], "duplicate parameter");
            return;
        }
        seen.push(name.clone());
        if name == b"stream-node-max-entries" {
            match parse_i64(value) {
                Ok(v) if v >= 0 => limits.max_entries = v as u64,
                Ok(_) => {
                    out.reply = failed(
                        &pair[0],
                        "argument must be between 0 and 9223372036854775807 inclusive",
                    );
                    return;
                }
                Err(_) => {
                    out.reply = failed(&pair[0], "argument couldn't be parsed into an integer");
                    return;
                }
            }
        } else {
            match memory::parse_memory_bytes(value) {
                Some(v) if v <= i64::MAX as u64 => limits.max_bytes = v,
                _ => {
                    out.reply = failed(&pair[0], "argument must be a memory value");
                    return;
                }
            }
        }
    }
    db.config.node_limits = limits;
    out.reply = Reply::ok();
}

pub fn config_resetstat(_: &mut Db, _: &Call, out: &mut Executed) {
    out.reply = Reply::ok();
}

/// INFO's sections in Redis 7.0's order; `default` leaves out the two
/// marked false, `all` and `everything` take every one.
const INFO_SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// INFO [section ...]: any number of section names (7.0), in any case;
/// unknown names add nothing. Sections print in Redis's order whatever
/// order they were asked in.
pub fn info(db: &mut Db, call: &Call, out: &mut Executed) {
    let ctx = call.ctx;
    let asked: Vec<Vec<u8>> = call.argv[1..]
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let wants = |name: &str, in_default: bool| {
        if asked.is_empty() {
            return in_default;
        }
        asked.iter().any(|a| {
            a == name.as_bytes()
                || a == b"all"
                || a == b"everything"
                || (a == b"default" && in_default)
        })
    };
    let mut text = String::new();
    for &(name, in_default) in INFO_SECTIONS {
        if !wants(name, in_default) {
            continue;
        }
        let body = match name {
            "server" => "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\narch_bits:64\r\nstreamlab:1\r\n".to_string(),
            "clients" => format!(
                "# Clients\r\nconnected_clients:{}\r\nblocked_clients:{}\r\n",
                ctx.connected_clients, ctx.blocked_clients
            ),
            "memory" => format!(
                "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\n",
                ctx.used_memory_bytes,
                memory::human_bytes(ctx.used_memory_bytes)
            ),
            "persistence" => "# Persistence\r\nloading:0\r\naof_enabled:0\r\n".to_string(),
            "replication" => "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n".to_string(),
            "cluster" => "# Cluster\r\ncluster_enabled:0\r\n".to_string(),
            "keyspace" if !db.keys.is_empty() => format!(
                "# Keyspace\r\ndb0:keys={},expires=0,avg_ttl=0\r\n",
                db.keys.len()
            ),
            other => {
                // Stats, CPU, Modules, Errorstats and the rest: the header.
                let mut title = other.to_string();
                title[..1].make_ascii_uppercase();
                let title = if other == "cpu" { "CPU".to_string() } else { title };
                format!("# {title}\r\n")
            }
        };
        text.push_str(&body);
        text.push_str("\r\n");
    }
    out.reply = Reply::Bulk(text.trim_end_matches("\r\n").as_bytes().to_vec());
}

pub fn command(_: &mut Db, call: &Call, out: &mut Executed) {
    out.reply = if call.argc() == 1 {
        Reply::Array(
            super::command_names()
                .into_iter()
                .map(|(name, arity)| {
                    Reply::Array(vec![Reply::bulk(name), Reply::Integer(i64::from(arity))])
                })
                .collect(),
        )
    } else if is(call.arg(1), "COUNT") {
        Reply::Integer(super::command_names().len() as i64)
    } else {
        // COMMAND DOCS / INFO / LIST: an empty answer is valid and is all
        // redis-cli needs (it only uses the docs for interactive hints).
        Reply::Array(Vec::new())
    };
}

pub fn memory_usage(db: &mut Db, call: &Call, out: &mut Executed) {
    let mut samples: u64 = 5;
    let mut i = 3;
    while i < call.argc() {
        if is(call.arg(i), "SAMPLES") && i + 1 < call.argc() {
            match parse_i64(call.arg(i + 1)) {
                Ok(n) if n >= 0 => samples = if n == 0 { u64::MAX } else { n as u64 },
                Ok(_) => {
                    out.reply = Reply::err(SYNTAX);
                    return;
                }
                Err(e) => {
                    out.reply = e;
                    return;
                }
            }
            i += 2;
        } else {
            out.reply = Reply::err(SYNTAX);
            return;
        }
    }
    let key = call.arg(2);
    out.reply = match db.keys.get(key) {
        None => Reply::Nil,
        Some(value) => Reply::Integer(memory::usage_bytes(key, value, samples) as i64),
    };
}
