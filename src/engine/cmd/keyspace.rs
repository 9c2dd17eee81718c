//! The keyspace basics a client expects next to streams: PING, ECHO, DEL,
//! EXISTS, TYPE, DBSIZE, FLUSHALL, SELECT, COMMAND, MEMORY USAGE and
//! DEBUG SET-ACTIVE-EXPIRE (strings, expiry, OBJECT, CONFIG and INFO have
//! their own files).
//!
//! Keys past their TTL never reach these handlers: the lookups before
//! the command (expire.rs) deleted them. MEMORY USAGE makes no lookup,
//! so it measures such a key as Redis does (it reads the dict directly).

use super::super::db::{Db, Value};
use super::super::memory;
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, is, parse_i64, propagate_verbatim};

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

/// DEBUG, of which only SET-ACTIVE-EXPIRE is kept: tests that compare
/// servers turn the active cycle off so that keys expire only on lookup.
pub fn debug(db: &mut Db, call: &Call, out: &mut Executed) {
    if call.argc() == 3 && is(call.arg(1), "SET-ACTIVE-EXPIRE") {
        // atoi: blanks, a sign, digits; anything else reads as 0.
        let arg = call.arg(2);
        let start = arg.iter().position(|b| !b.is_ascii_whitespace());
        let rest = start.map_or(&[][..], |i| &arg[i..]);
        let rest = rest
            .strip_prefix(b"-")
            .or(rest.strip_prefix(b"+"))
            .unwrap_or(rest);
        db.config.active_expire = rest
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .any(|&d| d != b'0');
        out.reply = Reply::ok();
        return;
    }
    out.reply = Reply::err(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
        super::text(&call.arg(1)[..call.arg(1).len().min(128)])
    ));
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

pub fn command(db: &mut Db, call: &Call, out: &mut Executed) {
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
    } else if is(call.arg(1), "DOCS") {
        super::docs::command_docs(db, call, out);
        return;
    } else {
        // COMMAND INFO / LIST: an empty answer is valid for a client.
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
