//! XACK and XPENDING: reading and clearing a group's pending entries.
//!
//! ```text
//!   XACK     key group id...                       any client may ack any ID
//!   XPENDING key group                             [count, min, max, [[consumer, "n"]...]]
//!   XPENDING key group [IDLE ms] start end count [consumer]
//!                                                  [[id, owner, idle_ms, deliveries]...]
//! ```

use super::super::db::Db;
use super::super::{Executed, Reply};
use super::xrange::parse_interval;
use super::{Call, SYNTAX, id_reply, is, parse_i64, propagate_verbatim, strict_id, text};

pub fn xack(db: &mut Db, call: &Call, out: &mut Executed) {
    let group = match db.stream_mut(call.arg(1)) {
        Err(e) => {
            out.reply = e;
            return;
        }
        Ok(stream) => stream.and_then(|s| s.groups.get_mut(call.arg(2))),
    };
    let Some(group) = group else {
        out.reply = Reply::Integer(0);
        return;
    };
    let mut ids = Vec::with_capacity(call.argc() - 3);
    for arg in &call.argv[3..] {
        match strict_id(arg, 0) {
            Ok(id) => ids.push(id),
            Err(e) => {
                out.reply = e;
                return;
            }
        }
    }
    let acked = ids.into_iter().filter(|id| group.ack(*id)).count();
    // t_stream.c xackCommand: one change per ID removed from the PEL.
    out.dirty += acked as u64;
    if acked > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(acked as i64);
}

pub fn xpending(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match run(db, call) {
        Ok(r) | Err(r) => r,
    };
}

fn run(db: &Db, call: &Call) -> Result<Reply, Reply> {
    let argc = call.argc();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(Reply::err(SYNTAX));
    }
    let mut range = None;
    if argc >= 6 {
        let mut start_idx = 3;
        let mut min_idle_ms: i64 = 0;
        if is(call.arg(3), "IDLE") {
            min_idle_ms = parse_i64(call.arg(4))?;
            if argc < 8 {
                return Err(Reply::err(SYNTAX));
            }
            start_idx += 2;
        }
        let count = parse_i64(call.arg(start_idx + 2))?.max(0) as u64;
        let (start, end) = parse_interval(call.arg(start_idx), call.arg(start_idx + 1))?;
        let consumer = call.argv.get(start_idx + 3).map(Vec::as_slice);
        range = Some((start, end, count, min_idle_ms, consumer));
    }
    let stream = db.stream(call.arg(1))?;
    let Some(group) = stream.and_then(|s| s.groups.get(call.arg(2))) else {
        return Err(Reply::err(format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            text(call.arg(1)),
            text(call.arg(2))
        )));
    };
    let Some((start, end, count, min_idle_ms, consumer)) = range else {
        let Some((first, last)) = group.pel().bounds() else {
            return Ok(Reply::Array(vec![
                Reply::Integer(0),
                Reply::Nil,
                Reply::Nil,
                Reply::NilArray,
            ]));
        };
        let owners = group
            .consumers()
            .filter(|(_, c)| !c.pel().is_empty())
            .map(|(_, c)| {
                Reply::Array(vec![
                    Reply::bulk(&c.name),
                    Reply::bulk(c.pel().len().to_string()),
                ])
            })
            .collect();
        return Ok(Reply::Array(vec![
            Reply::Integer(group.pel().len() as i64),
            id_reply(first),
            id_reply(last),
            Reply::Array(owners),
        ]));
    };
    let now = call.now_ms() as i64;
    let owner_filter = match consumer {
        Some(name) => match group.lookup(name) {
            Some(h) => Some(h),
            None => return Ok(Reply::Array(Vec::new())),
        },
        None => None,
    };
    let mut rows = Vec::new();
    for (id, p) in group.pel().range(start, end) {
        if rows.len() as u64 >= count {
            break;
        }
        if owner_filter.is_some_and(|h| h != p.owner) {
            continue;
        }
        // Wrapping as C does: a restored record may carry any time at all.
        let idle_ms = now.wrapping_sub(p.delivery_ms as i64);
        if min_idle_ms != 0 && idle_ms < min_idle_ms {
            continue;
        }
        rows.push(Reply::Array(vec![
            id_reply(id),
            Reply::bulk(group.consumer_name(p.owner)),
            Reply::Integer(idle_ms.max(0)),
            Reply::Integer(p.delivery_count as i64),
        ]));
    }
    Ok(Reply::Array(rows))
}
