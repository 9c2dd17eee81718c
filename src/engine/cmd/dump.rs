//! DUMP and RESTORE (`cluster.c` dumpCommand / restoreCommand).
//!
//! ```text
//!   DUMP key ──▶ rdb::write::dump(value): type + RDB body + version 10 + CRC-64
//!
//!   RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]
//!     options ─ bad ─▶ syntax / IDLETIME / FREQ error
//!     key exists, no REPLACE ─▶ BUSYKEY
//!     ttl ─ not an integer / < 0 ─▶ error
//!     footer ─ version > 10 or CRC wrong ─▶ "DUMP payload version or checksum are wrong"
//!     body ─ does not decode ─▶ "Bad data format"
//!     REPLACE deletes the old value; a TTL already past stores nothing
//!       (a replaced key is then propagated as DEL)
//!     otherwise the value is stored with its TTL and IDLETIME;
//!       propagated as received, a relative TTL made absolute (+ ABSTTL)
//! ```
//!
//! FREQ is checked as Redis checks it and then ignored, as Redis ignores
//! it under an LRU-family `maxmemory-policy` (the engine runs the default,
//! `noeviction`).

use super::super::db::{Db, Value};
use super::super::lru;
use super::super::rdb;
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, is, parse_i64, propagate_verbatim};

pub fn dump(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match db.keys.get(call.arg(1)) {
        None => Reply::Nil,
        Some(value) => Reply::Bulk(rdb::write::dump(value)),
    };
}

/// The options after the payload.
struct Options {
    replace: bool,
    absttl: bool,
    /// IDLETIME's seconds.
    idle_s: Option<i64>,
}

/// Parses the options as restoreCommand does: IDLETIME and FREQ exclude
/// each other (the second one is a syntax error), each takes a value.
fn parse_options(call: &Call) -> Result<Options, Reply> {
    let mut options = Options {
        replace: false,
        absttl: false,
        idle_s: None,
    };
    let mut freq = false;
    let mut j = 4;
    while j < call.argc() {
        let arg = call.arg(j);
        let more = j + 1 < call.argc();
        if is(arg, "REPLACE") {
            options.replace = true;
        } else if is(arg, "ABSTTL") {
            options.absttl = true;
        } else if is(arg, "IDLETIME") && more && !freq {
            let idle_s = parse_i64(call.arg(j + 1))?;
            if idle_s < 0 {
                return Err(Reply::err("ERR Invalid IDLETIME value, must be >= 0"));
            }
            options.idle_s = Some(idle_s);
            j += 1;
        } else if is(arg, "FREQ") && more && options.idle_s.is_none() {
            let f = parse_i64(call.arg(j + 1))?;
            if !(0..=255).contains(&f) {
                return Err(Reply::err(
                    "ERR Invalid FREQ value, must be >= 0 and <= 255",
                ));
            }
            freq = true;
            j += 1;
        } else {
            return Err(Reply::err(SYNTAX));
        }
        j += 1;
    }
    Ok(options)
}

pub fn restore(db: &mut Db, call: &Call, out: &mut Executed) {
    let options = match parse_options(call) {
        Ok(o) => o,
        Err(reply) => {
            out.reply = reply;
            return;
        }
    };
    let key = call.arg(1);
    if !options.replace && db.keys.contains_key(key) {
        out.reply = Reply::err("BUSYKEY Target key name already exists.");
        return;
    }
    let ttl = match parse_i64(call.arg(2)) {
        Ok(t) if t < 0 => {
            out.reply = Reply::err("ERR Invalid TTL value, must be >= 0");
            return;
        }
        Ok(t) => t,
        Err(reply) => {
            out.reply = reply;
            return;
        }
    };
    let payload = call.arg(3);
    let value =
        rdb::verify_footer(payload).and_then(|_| rdb::read::restore_value(payload, &db.config));
    let value = match value {
        Ok(v) => v,
        Err(e) => {
            out.reply = Reply::err(e.reply_text());
            return;
        }
    };
    let now_ms = call.now_ms() as i64;
    // C adds without an overflow check: a TTL that wraps below zero reads
    // as a time long past, so the value is dropped.
    let expire_at_ms = if ttl != 0 && !options.absttl {
        ttl.wrapping_add(now_ms)
    } else {
        ttl
    };
    // checkAlreadyExpired; a replica applies what its master sends.
    let expired = expire_at_ms != 0 && expire_at_ms <= now_ms && !call.from_master;
    let old = if options.replace {
        db.keys.remove(key)
    } else {
        None
    };
    if matches!(old, Some(Value::Stream(_))) {
        out.signaled_keys.push(key.to_vec());
    }
    if expired {
        // The value is dropped at once; a replaced key is gone, which
        // Redis propagates as a DEL.
        if old.is_some() {
            call.propagate(out, || vec![b"DEL".to_vec(), key.to_vec()]);
            out.dirty += 1;
        }
        out.reply = Reply::ok();
        return;
    }
    // dbAdd signals readers blocked on a stream key that now exists.
    if matches!(value, Value::Stream(_)) && !out.signaled_keys.iter().any(|k| k == key) {
        out.signaled_keys.push(key.to_vec());
    }
    db.keys.insert(key.to_vec(), value);
    if let Some(idle_s) = options.idle_s {
        let stamp = lru::stamp_for_idle(db.keys.clock(), idle_s);
        db.keys.set_lru(key, stamp);
    }
    if expire_at_ms != 0 {
        db.keys.set_expire(key, expire_at_ms);
    }
    if expire_at_ms != 0 && !options.absttl {
        // Propagated with the TTL as an absolute time, ABSTTL appended.
        let mut argv = call.argv.to_vec();
        argv[2] = expire_at_ms.to_string().into_bytes();
        argv.push(b"ABSTTL".to_vec());
        out.effects.push(argv);
    } else {
        propagate_verbatim(call, out);
    }
    out.dirty += 1;
    out.reply = Reply::ok();
}
