//! XRANGE, XREVRANGE, XLEN and XDEL.
//!
//! Range bounds: `-` and `+`, a full or partial ID (a bare `<ms>` means
//! seq 0 as a start and seq 2^64−1 as an end), or `(ID` for an exclusive
//! bound, which moves the parsed ID by one.

use super::super::db::Db;
use super::super::id::parse_range_bound;
use super::super::{Executed, Reply, StreamId};
use super::{
    Call, INVALID_ID, SYNTAX, entry_replies, is, parse_i64, propagate_verbatim, strict_id,
};

/// Parses a range's start and end as `xrangeGenericCommand` does.
pub fn parse_interval(start: &[u8], end: &[u8]) -> Result<(StreamId, StreamId), Reply> {
    let (mut s, s_ex) = parse_range_bound(start, 0).ok_or_else(|| Reply::err(INVALID_ID))?;
    if s_ex {
        s = s
            .incr()
            .ok_or_else(|| Reply::err("ERR invalid start ID for the interval"))?;
    }
    let (mut e, e_ex) = parse_range_bound(end, u64::MAX).ok_or_else(|| Reply::err(INVALID_ID))?;
    if e_ex {
        e = e
            .decr()
            .ok_or_else(|| Reply::err("ERR invalid end ID for the interval"))?;
    }
    Ok((s, e))
}

fn range_command(db: &Db, call: &Call, out: &mut Executed, rev: bool) {
    let (start_arg, end_arg) = if rev {
        (call.arg(3), call.arg(2))
    } else {
        (call.arg(2), call.arg(3))
    };
    let (start, end) = match parse_interval(start_arg, end_arg) {
        Ok(r) => r,
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < call.argc() {
        if is(call.arg(j), "COUNT") && j + 1 < call.argc() {
            match parse_i64(call.arg(j + 1)) {
                Ok(n) => count = n.max(0),
                Err(e) => {
                    out.reply = e;
                    return;
                }
            }
            j += 2;
        } else {
            out.reply = Reply::err(SYNTAX);
            return;
        }
    }
    let stream = match db.stream(call.arg(1)) {
        Ok(Some(s)) => s,
        Ok(None) => {
            out.reply = Reply::Array(Vec::new());
            return;
        }
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    if count == 0 {
        out.reply = Reply::NilArray;
        return;
    }
    let limit = if count < 0 { 0 } else { count as u64 };
    let entries = entry_replies(stream, start, end, limit, rev);
    out.reply = Reply::Array(entries.into_iter().map(|(_, r)| r).collect());
}

pub fn xrange(db: &Db, call: &Call, out: &mut Executed) {
    range_command(db, call, out, false);
}

pub fn xrevrange(db: &Db, call: &Call, out: &mut Executed) {
    range_command(db, call, out, true);
}

pub fn xlen(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match db.stream(call.arg(1)) {
        Ok(Some(s)) => Reply::Integer(s.length() as i64),
        Ok(None) => Reply::Integer(0),
        Err(e) => e,
    };
}

pub fn xdel(db: &mut Db, call: &Call, out: &mut Executed) {
    let stream = match db.stream_mut(call.arg(1)) {
        Ok(Some(s)) => s,
        Ok(None) => {
            out.reply = Reply::Integer(0);
            return;
        }
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    let mut ids = Vec::with_capacity(call.argc() - 2);
    for arg in &call.argv[2..] {
        match strict_id(arg, 0) {
            Ok(id) => ids.push(id),
            Err(e) => {
                out.reply = e;
                return;
            }
        }
    }
    let deleted = stream.xdel(&ids);
    // t_stream.c xdelCommand: `server.dirty += deleted`.
    out.dirty += deleted as u64;
    if deleted > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(deleted as i64);
}
