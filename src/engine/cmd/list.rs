//! List commands (`t_list.c`): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN
//! LRANGE LINDEX LSET LREM LTRIM LINSERT LPOS.
//!
//! ```text
//!   each command:  parse what Redis parses first ─▶ look the key up
//!                  (missing: the command's empty answer; other type: WRONGTYPE)
//!                  ─▶ edit the quicklist ─▶ a list left empty is deleted
//! ```
//!
//! The order of the checks differs per command (LRANGE parses its indexes
//! before the lookup, LINDEX after it) and decides which error a client
//! sees, so each handler follows its Redis counterpart's order.

use super::super::db::{Db, Value, WRONGTYPE};
use super::super::quicklist::Quicklist;
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, is, parse_i64, parse_i64_or, propagate_verbatim};

/// `getPositiveLongFromObjectOrReply` without a custom message.
const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";

fn list<'a>(db: &'a Db, key: &[u8]) -> Result<Option<&'a Quicklist>, Reply> {
    match db.keys.get(key) {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => Err(Reply::err(WRONGTYPE)),
    }
}

fn list_mut<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Quicklist>, Reply> {
    match db.keys.get_mut(key) {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => Err(Reply::err(WRONGTYPE)),
    }
}

/// Deletes the key when its list is empty (`listElementsRemoved`).
fn drop_if_empty(db: &mut Db, key: &[u8]) {
    if matches!(db.keys.get(key), Some(Value::List(l)) if l.is_empty()) {
        db.keys.remove(key);
    }
}

/// A positive count argument as `getPositiveLongFromObjectOrReply`.
pub(super) fn parse_positive(arg: &[u8], message: &str) -> Result<i64, Reply> {
    match parse_i64_or(arg, message)? {
        n if n < 0 => Err(Reply::err(message)),
        n => Ok(n),
    }
}

fn bulk_array(items: Vec<Vec<u8>>) -> Reply {
    Reply::Array(items.into_iter().map(Reply::Bulk).collect())
}

fn push(db: &mut Db, call: &Call, out: &mut Executed, head: bool, only_existing: bool) {
    let key = call.arg(1);
    let fill = db.config.list_fill;
    let created = match list_mut(db, key) {
        Err(e) => return out.reply = e,
        Ok(None) if only_existing => return out.reply = Reply::Integer(0),
        Ok(None) => {
            db.keys
                .insert(key.to_vec(), Value::List(Quicklist::new(fill)));
            true
        }
        Ok(Some(_)) => false,
    };
    let Ok(Some(l)) = list_mut(db, key) else {
        unreachable!("the list exists")
    };
    for value in &call.argv[2..] {
        if head {
            l.push_head(value);
        } else {
            l.push_tail(value);
        }
    }
    out.reply = Reply::Integer(l.len() as i64);
    if created {
        out.signaled_keys.push(key.to_vec());
    }
    propagate_verbatim(call, out);
}

pub fn lpush(db: &mut Db, call: &Call, out: &mut Executed) {
    push(db, call, out, true, false);
}

pub fn rpush(db: &mut Db, call: &Call, out: &mut Executed) {
    push(db, call, out, false, false);
}

pub fn lpushx(db: &mut Db, call: &Call, out: &mut Executed) {
    push(db, call, out, true, true);
}

pub fn rpushx(db: &mut Db, call: &Call, out: &mut Executed) {
    push(db, call, out, false, true);
}

fn pop(db: &mut Db, call: &Call, out: &mut Executed, head: bool) {
    if call.argc() > 3 {
        out.reply = Reply::err(format!(
            "ERR wrong number of arguments for '{}' command",
            if head { "lpop" } else { "rpop" }
        ));
        return;
    }
    let count = if call.argc() == 3 {
        match parse_positive(call.arg(2), NOT_POSITIVE) {
            Ok(n) => Some(n as usize),
            Err(e) => return out.reply = e,
        }
    } else {
        None
    };
    let key = call.arg(1);
    let l = match list_mut(db, key) {
        Err(e) => return out.reply = e,
        Ok(None) => {
            out.reply = if count.is_some() {
                Reply::NilArray
            } else {
                Reply::Nil
            };
            return;
        }
        Ok(Some(l)) => l,
    };
    match count {
        Some(0) => return out.reply = Reply::Array(Vec::new()),
        None => {
            out.reply = l.pop(head).map(Reply::Bulk).unwrap_or(Reply::Nil);
        }
        Some(n) => {
            let n = n.min(l.len());
            let start = if head { 0 } else { l.len() - 1 };
            out.reply = bulk_array(l.range(start, n, !head));
            let from = if head { 0 } else { -(n as i64) };
            l.delete_range(from, n as i64);
        }
    }
    drop_if_empty(db, key);
    propagate_verbatim(call, out);
}

pub fn lpop(db: &mut Db, call: &Call, out: &mut Executed) {
    pop(db, call, out, true);
}

pub fn rpop(db: &mut Db, call: &Call, out: &mut Executed) {
    pop(db, call, out, false);
}

pub fn llen(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match list(db, call.arg(1)) {
        Err(e) => e,
        Ok(l) => Reply::Integer(l.map_or(0, |l| l.len() as i64)),
    };
}

/// Resolves `start..=end` as `addListRangeReply`: `None` when empty.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, (end - start + 1) as usize))
}

pub fn lrange(db: &Db, call: &Call, out: &mut Executed) {
    let (start, end) = match (parse_i64(call.arg(2)), parse_i64(call.arg(3))) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return out.reply = e,
    };
    out.reply = match list(db, call.arg(1)) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(l)) => match clamp_range(start, end, l.len()) {
            None => Reply::Array(Vec::new()),
            Some((from, n)) => bulk_array(l.range(from, n, false)),
        },
    };
}

pub fn lindex(db: &Db, call: &Call, out: &mut Executed) {
    let l = match list(db, call.arg(1)) {
        Err(e) => return out.reply = e,
        Ok(None) => return out.reply = Reply::Nil,
        Ok(Some(l)) => l,
    };
    out.reply = match parse_i64(call.arg(2)) {
        Err(e) => e,
        Ok(i) => l.get(i).map(Reply::Bulk).unwrap_or(Reply::Nil),
    };
}

pub fn lset(db: &mut Db, call: &Call, out: &mut Executed) {
    let l = match list_mut(db, call.arg(1)) {
        Err(e) => return out.reply = e,
        Ok(None) => return out.reply = Reply::err("ERR no such key"),
        Ok(Some(l)) => l,
    };
    let index = match parse_i64(call.arg(2)) {
        Err(e) => return out.reply = e,
        Ok(i) => i,
    };
    if l.replace(index, call.arg(3)) {
        out.reply = Reply::ok();
        propagate_verbatim(call, out);
    } else {
        out.reply = Reply::err("ERR index out of range");
    }
}

pub fn ltrim(db: &mut Db, call: &Call, out: &mut Executed) {
    let (start, end) = match (parse_i64(call.arg(2)), parse_i64(call.arg(3))) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return out.reply = e,
    };
    let key = call.arg(1);
    let l = match list_mut(db, key) {
        Err(e) => return out.reply = e,
        Ok(None) => return out.reply = Reply::ok(),
        Ok(Some(l)) => l,
    };
    let len = l.len();
    let (ltrim, rtrim) = match clamp_range(start, end, len) {
        None => (len, 0),
        Some((from, n)) => (from, len - from - n),
    };
    l.delete_range(0, ltrim as i64);
    l.delete_range(-(rtrim as i64), rtrim as i64);
    drop_if_empty(db, key);
    if ltrim + rtrim > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::ok();
}

pub fn lrem(db: &mut Db, call: &Call, out: &mut Executed) {
    let count = match parse_i64(call.arg(2)) {
        Err(e) => return out.reply = e,
        Ok(n) => n,
    };
    let key = call.arg(1);
    let l = match list_mut(db, key) {
        Err(e) => return out.reply = e,
        Ok(None) => return out.reply = Reply::Integer(0),
        Ok(Some(l)) => l,
    };
    let removed = l.remove_matching(call.arg(3), count.unsigned_abs() as usize, count < 0);
    drop_if_empty(db, key);
    if removed > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(removed as i64);
}

pub fn linsert(db: &mut Db, call: &Call, out: &mut Executed) {
    let after = if is(call.arg(2), "AFTER") {
        true
    } else if is(call.arg(2), "BEFORE") {
        false
    } else {
        return out.reply = Reply::err(SYNTAX);
    };
    let l = match list_mut(db, call.arg(1)) {
        Err(e) => return out.reply = e,
        Ok(None) => return out.reply = Reply::Integer(0),
        Ok(Some(l)) => l,
    };
    if l.insert_at_pivot(call.arg(3), call.arg(4), after) {
        out.reply = Reply::Integer(l.len() as i64);
        propagate_verbatim(call, out);
    } else {
        out.reply = Reply::Integer(-1);
    }
}

pub fn lpos(db: &Db, call: &Call, out: &mut Executed) {
    let (mut rank, mut count, mut maxlen): (i64, Option<i64>, i64) = (1, None, 0);
    let mut j = 3;
    while j < call.argc() {
        let more = j + 1 < call.argc();
        let opt = call.arg(j);
        if is(opt, "RANK") && more {
            j += 1;
            rank = match parse_i64(call.arg(j)) {
                Err(e) => return out.reply = e,
                Ok(0) => {
                    return out.reply = Reply::err(
                        "ERR RANK can't be zero: use 1 to start from the first match, \
                         2 from the second ... or use negative to start from the end of the list",
                    );
                }
                Ok(r) => r,
            };
        } else if is(opt, "COUNT") && more {
            j += 1;
            match parse_positive(call.arg(j), "ERR COUNT can't be negative") {
                Err(e) => return out.reply = e,
                Ok(n) => count = Some(n),
            }
        } else if is(opt, "MAXLEN") && more {
            j += 1;
            match parse_positive(call.arg(j), "ERR MAXLEN can't be negative") {
                Err(e) => return out.reply = e,
                Ok(n) => maxlen = n,
            }
        } else {
            return out.reply = Reply::err(SYNTAX);
        }
        j += 1;
    }
    // Redis negates a negative rank in a C `long`: RANK -9223372036854775808
    // stays negative, so every match qualifies (`matches >= rank`) and the
    // scan runs from the tail. Wrapping arithmetic keeps that behaviour.
    let backwards = rank < 0;
    let rank = if backwards { rank.wrapping_neg() } else { rank };
    let l = match list(db, call.arg(1)) {
        Err(e) => return out.reply = e,
        Ok(None) => {
            out.reply = if count.is_some() {
                Reply::Array(Vec::new())
            } else {
                Reply::Nil
            };
            return;
        }
        Ok(Some(l)) => l,
    };
    let len = l.len();
    let items: Vec<_> = if backwards {
        l.range(len - 1, len, true)
    } else {
        l.range(0, len, false)
    };
    let ele = call.arg(2);
    let mut matches = 0i64;
    let mut found = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if maxlen != 0 && index as i64 >= maxlen {
            break;
        }
        if item.as_slice() == ele {
            matches += 1;
            if matches >= rank {
                let at = if backwards { len - index - 1 } else { index };
                found.push(Reply::Integer(at as i64));
                match count {
                    None => break,
                    Some(c) if c != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= c => break,
                    _ => {}
                }
            }
        }
    }
    out.reply = match count {
        Some(_) => Reply::Array(found),
        None => found.pop().unwrap_or(Reply::Nil),
    };
}
