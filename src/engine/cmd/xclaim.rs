//! XCLAIM and XAUTOCLAIM: moving pending entries to another consumer.
//!
//! ```text
//!   XCLAIM key group consumer min-idle id... [IDLE ms] [TIME ms] [RETRYCOUNT n]
//!          [FORCE] [JUSTID] [LASTID id]
//!   XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]
//!          -> [next-cursor, claimed, deleted-ids]
//! ```
//!
//! A claimed record gets the claimer as owner, a new delivery time and
//! (unless JUSTID) one more delivery. A record whose entry left the stream
//! is dropped from the PEL instead. Every change is propagated as the same
//! idempotent XCLAIM that XREADGROUP uses.

use super::super::db::Db;
use super::super::group::Group;
use super::super::id::parse_strict;
use super::super::stream::Stream;
use super::super::{Executed, Reply, StreamId};
use super::xrange::parse_interval;
use super::xread::{setid_effect, xclaim_effect, xclaim_effect_as_given};
use super::{Call, SYNTAX, entry_reply, id_reply, is, parse_i64, parse_i64_or, text};

fn nogroup(call: &Call) -> Reply {
    Reply::err(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        text(call.arg(1)),
        text(call.arg(2))
    ))
}

/// Options of one XCLAIM.
struct ClaimOptions {
    delivery_ms: Option<i64>,
    retry_count: Option<i64>,
    force: bool,
    justid: bool,
    last_id: StreamId,
}

pub fn xclaim(db: &mut Db, call: &Call, out: &mut Executed) {
    out.reply = match claim(db, call, out) {
        Ok(r) | Err(r) => r,
    };
}

fn claim(db: &mut Db, call: &Call, out: &mut Executed) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let group_name = call.arg(2);
    let stream = db.stream_mut(key)?.ok_or_else(|| nogroup(call))?;
    if !stream.groups.contains_key(group_name) {
        return Err(nogroup(call));
    }
    let min_idle_ms =
        parse_i64_or(call.arg(4), "ERR Invalid min-idle-time argument for XCLAIM")?.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < call.argc() {
        match parse_strict(call.arg(j), 0) {
            Some(id) => ids.push(id),
            None => break,
        }
        j += 1;
    }
    let now = call.now_ms() as i64;
    let mut o = ClaimOptions {
        delivery_ms: None,
        retry_count: None,
        force: false,
        justid: false,
        last_id: StreamId::MIN,
    };
    while j < call.argc() {
        let more = call.argc() - 1 - j;
        let opt = call.arg(j);
        if is(opt, "FORCE") {
            o.force = true;
        } else if is(opt, "JUSTID") {
            o.justid = true;
        } else if is(opt, "IDLE") && more > 0 {
            j += 1;
            let idle = parse_i64_or(call.arg(j), "ERR Invalid IDLE option argument for XCLAIM")?;
            o.delivery_ms = Some(now.wrapping_sub(idle));
        } else if is(opt, "TIME") && more > 0 {
            j += 1;
            o.delivery_ms = Some(parse_i64_or(
                call.arg(j),
                "ERR Invalid TIME option argument for XCLAIM",
            )?);
        } else if is(opt, "RETRYCOUNT") && more > 0 {
            j += 1;
            o.retry_count = Some(parse_i64_or(
                call.arg(j),
                "ERR Invalid RETRYCOUNT option argument for XCLAIM",
            )?);
        } else if is(opt, "LASTID") && more > 0 {
            j += 1;
            o.last_id = super::strict_id(call.arg(j), 0)?;
        } else {
            return Err(Reply::err(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                text(opt)
            )));
        }
        j += 1;
    }
    let delivery_ms = match o.delivery_ms {
        Some(t) if t >= 0 && t <= now => t as u64,
        _ => now as u64,
    };
    let consumer_name = call.arg(3);
    let exists: Vec<bool> = ids.iter().map(|id| stream.contains(*id)).collect();
    let entries: Vec<Option<Reply>> = if o.justid {
        vec![None; ids.len()]
    } else {
        ids.iter()
            .zip(&exists)
            .map(|(id, e)| {
                if *e {
                    stream.get(*id).map(|x| entry_reply(x.id, &x.fields))
                } else {
                    None
                }
            })
            .collect()
    };
    let Some(group) = stream.groups.get_mut(group_name) else {
        return Err(nogroup(call));
    };
    let mut propagate_last_id = false;
    if o.last_id > group.last_id {
        group.last_id = o.last_id;
        propagate_last_id = true;
    }
    let mut claimed = Vec::new();
    let mut consumer = None;
    for (k, id) in ids.iter().copied().enumerate() {
        let pending = group.pel().get(id).copied();
        if !exists[k] {
            if let Some(p) = pending {
                let owner = group.consumer_name(p.owner).to_vec();
                call.propagate(out, || {
                    xclaim_effect_as_given(
                        key,
                        group_name,
                        &owner,
                        call.arg(5 + k),
                        p.delivery_ms,
                        p.delivery_count,
                        group.last_id,
                    )
                });
                propagate_last_id = false;
                // t_stream.c xclaimCommand: a PEL record whose entry is
                // gone is dropped, one change.
                out.dirty += 1;
                group.ack(id);
            }
            continue;
        }
        // A FORCE-created record starts at count 1 and has no owner, so
        // it skips the idle check.
        let (base_count, check_idle) = match pending {
            Some(p) => (p.delivery_count, true),
            None if o.force => (1, false),
            None => continue,
        };
        if check_idle && min_idle_ms > 0 {
            let idle = now.wrapping_sub(pending.map(|p| p.delivery_ms as i64).unwrap_or(now));
            if idle < min_idle_ms {
                continue;
            }
        }
        let handle = *consumer
            .get_or_insert_with(|| claimer(group, consumer_name, call.now_ms(), &mut out.dirty));
        let count = match o.retry_count {
            Some(n) if n >= 0 => n as u64,
            _ if o.justid => base_count,
            _ => base_count + 1,
        };
        group.assign(id, handle, delivery_ms, count);
        claimed.push(match &entries[k] {
            Some(reply) => reply.clone(),
            None => id_reply(id),
        });
        call.propagate(out, || {
            xclaim_effect_as_given(
                key,
                group_name,
                consumer_name,
                call.arg(5 + k),
                delivery_ms,
                count,
                group.last_id,
            )
        });
        // t_stream.c xclaimCommand: one change per claimed ID.
        out.dirty += 1;
        propagate_last_id = false;
    }
    if propagate_last_id {
        // t_stream.c xclaimCommand: LASTID moved the group, one change.
        out.dirty += 1;
        call.propagate(out, || setid_effect(key, group_name, group));
    }
    Ok(Reply::Array(claimed))
}

/// Looks the claimer up (refreshing its seen time) or creates it; a
/// creation is one change (t_stream.c streamCreateConsumer, SCC_DEFAULT).
fn claimer(group: &mut Group, name: &[u8], now_ms: u64, dirty: &mut u64) -> u32 {
    if group.lookup(name).is_none() {
        *dirty += 1;
    }
    let h = group.lookup_or_create(name, now_ms);
    if let Some(c) = group.consumer_mut(h) {
        c.seen_ms = now_ms;
    }
    h
}

pub fn xautoclaim(db: &mut Db, call: &Call, out: &mut Executed) {
    out.reply = match autoclaim(db, call, out) {
        Ok(r) | Err(r) => r,
    };
}

fn autoclaim(db: &mut Db, call: &Call, out: &mut Executed) -> Result<Reply, Reply> {
    let min_idle_ms = parse_i64_or(
        call.arg(4),
        "ERR Invalid min-idle-time argument for XAUTOCLAIM",
    )?
    .max(0);
    let (start, _) = parse_interval(call.arg(5), b"+")?;
    let mut count: u64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < call.argc() {
        let more = call.argc() - 1 - j;
        if is(call.arg(j), "COUNT") && more > 0 {
            let max_count = i64::MAX / 16;
            count = match parse_i64(call.arg(j + 1)) {
                Ok(n) if (1..=max_count).contains(&n) => n as u64,
                _ => return Err(Reply::err("ERR COUNT must be > 0")),
            };
            j += 1;
        } else if is(call.arg(j), "JUSTID") {
            justid = true;
        } else {
            return Err(Reply::err(SYNTAX));
        }
        j += 1;
    }
    let key = call.arg(1);
    let group_name = call.arg(2);
    let consumer_name = call.arg(3);
    let stream: &mut Stream = db.stream_mut(key)?.ok_or_else(|| nogroup(call))?;
    if !stream.groups.contains_key(group_name) {
        return Err(nogroup(call));
    }
    let now = call.now_ms();
    let mut attempts = count.saturating_mul(10);
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut consumer = None;
    let mut next = Some(start);
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some(from) = next else { break };
        let group = stream.groups.get(group_name).ok_or_else(|| nogroup(call))?;
        let Some((id, pending)) = group
            .pel()
            .range(from, StreamId::MAX)
            .next()
            .map(|(i, p)| (i, *p))
        else {
            next = None;
            break;
        };
        next = id.incr();
        let entry = if stream.contains(id) {
            Some(stream.get(id))
        } else {
            None
        };
        let group = stream
            .groups
            .get_mut(group_name)
            .ok_or_else(|| nogroup(call))?;
        let Some(entry) = entry else {
            let owner = group.consumer_name(pending.owner).to_vec();
            call.propagate(out, || {
                xclaim_effect(
                    key,
                    group_name,
                    &owner,
                    id,
                    pending.delivery_ms,
                    pending.delivery_count,
                    group.last_id,
                )
            });
            group.ack(id);
            // t_stream.c xautoclaimCommand: a dropped PEL record, one change.
            out.dirty += 1;
            deleted.push(id_reply(id));
            count -= 1;
            continue;
        };
        if min_idle_ms > 0 && (now as i64 - pending.delivery_ms as i64) < min_idle_ms {
            continue;
        }
        let handle =
            *consumer.get_or_insert_with(|| claimer(group, consumer_name, now, &mut out.dirty));
        let delivery_count = if justid {
            pending.delivery_count
        } else {
            pending.delivery_count + 1
        };
        group.assign(id, handle, now, delivery_count);
        claimed.push(match (justid, entry) {
            (false, Some(e)) => entry_reply(e.id, &e.fields),
            _ => id_reply(id),
        });
        count -= 1;
        // t_stream.c xautoclaimCommand: one change per claimed ID.
        out.dirty += 1;
        call.propagate(out, || {
            xclaim_effect(
                key,
                group_name,
                consumer_name,
                id,
                now,
                delivery_count,
                group.last_id,
            )
        });
    }
    let group = stream.groups.get(group_name).ok_or_else(|| nogroup(call))?;
    let cursor = next.and_then(|from| {
        group
            .pel()
            .range(from, StreamId::MAX)
            .next()
            .map(|(id, _)| id)
    });
    Ok(Reply::Array(vec![
        id_reply(cursor.unwrap_or(StreamId::MIN)),
        Reply::Array(claimed),
        Reply::Array(deleted),
    ]))
}
