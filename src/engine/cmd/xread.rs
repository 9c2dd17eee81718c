//! XREAD and XREADGROUP (one parser, as in Redis).
//!
//! ```text
//!   XREAD      [COUNT n] [BLOCK ms] STREAMS key... id...          id: ID | $
//!   XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...   id: ID | >
//!
//!   ">"        new entries after the group's last_id; each enters the group
//!              and consumer PEL (count 1) unless NOACK; propagated as
//!              XCLAIM ... FORCE JUSTID LASTID
//!   ID         history: this consumer's own PEL after ID; count +1 per
//!              entry still in the stream, deleted ones come back as [id, nil]
//! ```
//!
//! Nothing ready and BLOCK given: the engine returns a [`BlockRequest`]
//! and the caller (server or simulator) decides when to retry.

use super::super::db::Db;
use super::super::group::Group;
use super::super::lag::Counters;
use super::super::stream::Stream;
use super::super::{Argv, BlockRequest, Executed, Reply, StreamId};
use super::{
    Call, SYNTAX, entry_replies, entry_reply, id_reply, is, parse_i64, parse_i64_or, strict_id,
    text,
};

/// Count used when a blocked read without COUNT is served.
const BLOCKED_DEFAULT_COUNT: u64 = 1000;

/// The parsed form of an XREAD/XREADGROUP call.
struct ReadArgs {
    timeout_ms: Option<u64>,
    count: u64,
    noack: bool,
    group: Option<(Vec<u8>, Vec<u8>)>,
    streams_arg: usize,
    streams_count: usize,
}

fn parse(call: &Call, xreadgroup: bool) -> Result<ReadArgs, Reply> {
    let mut a = ReadArgs {
        timeout_ms: None,
        count: 0,
        noack: false,
        group: None,
        streams_arg: 0,
        streams_count: 0,
    };
    let argc = call.argc();
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        let o = call.arg(i);
        if is(o, "BLOCK") && more > 0 {
            i += 1;
            let t = parse_i64_or(call.arg(i), "ERR timeout is not an integer or out of range")?;
            if t < 0 {
                return Err(Reply::err("ERR timeout is negative"));
            }
            if t > 0 && t > i64::MAX - call.now_ms() as i64 {
                return Err(Reply::err("ERR timeout is out of range"));
            }
            a.timeout_ms = Some(t as u64);
        } else if is(o, "COUNT") && more > 0 {
            i += 1;
            a.count = parse_i64(call.arg(i))?.max(0) as u64;
        } else if is(o, "STREAMS") && more > 0 {
            a.streams_arg = i + 1;
            let n = argc - a.streams_arg;
            if n % 2 != 0 {
                return Err(Reply::err(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            a.streams_count = n / 2;
            break;
        } else if is(o, "GROUP") && more >= 2 {
            if !xreadgroup {
                return Err(Reply::err(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            a.group = Some((call.arg(i + 1).to_vec(), call.arg(i + 2).to_vec()));
            i += 2;
        } else if is(o, "NOACK") {
            if !xreadgroup {
                return Err(Reply::err(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            a.noack = true;
        } else {
            return Err(Reply::err(SYNTAX));
        }
        i += 1;
    }
    if a.streams_arg == 0 {
        return Err(Reply::err(SYNTAX));
    }
    if xreadgroup && a.group.is_none() {
        return Err(Reply::err("ERR Missing GROUP option for XREADGROUP"));
    }
    Ok(a)
}

pub fn xread(db: &mut Db, call: &Call, out: &mut Executed) {
    let xreadgroup = call.arg(0).len() == 10;
    let args = match parse(call, xreadgroup) {
        Ok(a) => a,
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    let n = args.streams_count;
    let keys: Vec<&[u8]> = (0..n).map(|k| call.arg(args.streams_arg + k)).collect();
    // Resolve every ID (and check types and groups) before serving anything.
    let mut ids = Vec::with_capacity(n);
    for (k, key) in keys.iter().enumerate() {
        let arg = call.arg(args.streams_arg + n + k);
        let stream = match db.stream(key) {
            Ok(s) => s,
            Err(e) => {
                out.reply = e;
                return;
            }
        };
        if let Some((group, _)) = &args.group {
            if stream.and_then(|s| s.groups.get(group)).is_none() {
                out.reply = Reply::err(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    text(key),
                    text(group)
                ));
                return;
            }
        }
        let id = if arg == b"$" {
            if xreadgroup {
                out.reply = Reply::err(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                );
                return;
            }
            stream.map(|s| s.last_id).unwrap_or(StreamId::MIN)
        } else if arg == b">" {
            if !xreadgroup {
                out.reply = Reply::err(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                );
                return;
            }
            StreamId::MAX
        } else {
            match strict_id(arg, 0) {
                Ok(id) => id,
                Err(e) => {
                    out.reply = e;
                    return;
                }
            }
        };
        ids.push(id);
    }
    let mut served = Vec::new();
    for (k, key) in keys.iter().enumerate() {
        let Ok(Some(stream)) = db.stream_mut(key) else {
            continue;
        };
        let entries = match &args.group {
            Some((group, consumer)) => read_group(
                stream, key, group, consumer, ids[k], args.count, args.noack, call, out,
            ),
            None => {
                if stream.length() == 0 || stream.last_live_id() <= ids[k] {
                    None
                } else {
                    let start = ids[k].incr().unwrap_or(StreamId::MIN);
                    let got = entry_replies(stream, start, StreamId::MAX, args.count, false);
                    Some(got.into_iter().map(|(_, r)| r).collect())
                }
            }
        };
        if let Some(entries) = entries {
            // t_stream.c xreadCommand: `if (groups) server.dirty++` once per
            // key served synchronously, whatever it delivered; a client
            // served after blocking (blocked.c serveClientsBlockedOnStreamKey)
            // adds nothing for the read.
            if args.group.is_some() && !call.serving_blocked {
                out.dirty += 1;
            }
            served.push(Reply::Array(vec![Reply::bulk(key), Reply::Array(entries)]));
        }
    }
    if !served.is_empty() {
        out.reply = Reply::Array(served);
        return;
    }
    out.reply = Reply::NilArray;
    if let Some(timeout_ms) = args.timeout_ms {
        if !call.in_exec {
            out.block = Some(Box::new(BlockRequest {
                keys: keys.iter().map(|k| k.to_vec()).collect(),
                timeout_ms,
                retry_argv: retry_argv(&args, &keys, &ids),
            }));
        }
    }
}

/// The same read without BLOCK, `$` resolved, COUNT defaulted as Redis
/// does for a served blocked client.
fn retry_argv(args: &ReadArgs, keys: &[&[u8]], ids: &[StreamId]) -> Argv {
    let count = if args.count == 0 {
        BLOCKED_DEFAULT_COUNT
    } else {
        args.count
    };
    let mut argv: Argv = Vec::new();
    match &args.group {
        Some((group, consumer)) => {
            argv.push(b"XREADGROUP".to_vec());
            argv.extend([b"GROUP".to_vec(), group.clone(), consumer.clone()]);
        }
        None => argv.push(b"XREAD".to_vec()),
    }
    argv.extend([b"COUNT".to_vec(), count.to_string().into_bytes()]);
    if args.noack {
        argv.push(b"NOACK".to_vec());
    }
    argv.push(b"STREAMS".to_vec());
    argv.extend(keys.iter().map(|k| k.to_vec()));
    for id in ids {
        argv.push(if *id == StreamId::MAX && args.group.is_some() {
            b">".to_vec()
        } else {
            id.to_bytes()
        });
    }
    argv
}

/// Serves one key of an XREADGROUP, or `None` when there is nothing to
/// serve synchronously (a `>` read with nothing new).
#[allow(clippy::too_many_arguments)]
fn read_group(
    stream: &mut Stream,
    key: &[u8],
    group_name: &[u8],
    consumer_name: &[u8],
    gt: StreamId,
    count: u64,
    noack: bool,
    call: &Call,
    out: &mut Executed,
) -> Option<Vec<Reply>> {
    let now_ms = call.now_ms();
    let history = gt != StreamId::MAX;
    let last_live = stream.last_live_id();
    let counters = Counters::of(stream);
    let group_last = stream.groups.get(group_name)?.last_id;
    let start = if history {
        gt.incr().unwrap_or(StreamId::MIN)
    } else {
        if stream.length() == 0 || last_live <= group_last {
            return None;
        }
        group_last.incr().unwrap_or(StreamId::MIN)
    };
    if history {
        // History reads look entries up one by one.
        let ids: Vec<StreamId> = {
            let group = stream.groups.get_mut(group_name)?;
            // NOACK propagates a consumer's creation whatever the ID: Redis
            // creates and announces it before choosing history or new.
            let handle = touch_consumer(group, consumer_name, call, noack, (key, group_name), out);
            let consumer = group.consumer(handle)?;
            let mut ids: Vec<StreamId> = consumer.pel().from(start).collect();
            if count > 0 {
                ids.truncate(count as usize);
            }
            ids
        };
        let mut replies = Vec::with_capacity(ids.len());
        let found: Vec<Option<_>> = ids.iter().map(|id| stream.get(*id)).collect();
        let group = stream.groups.get_mut(group_name)?;
        for (id, entry) in ids.iter().zip(found) {
            match entry {
                Some(e) => {
                    group.redelivered(*id, now_ms);
                    replies.push(entry_reply(e.id, &e.fields));
                }
                None => replies.push(Reply::Array(vec![id_reply(*id), Reply::NilArray])),
            }
        }
        return Some(replies);
    }
    let entries = entry_replies(stream, start, StreamId::MAX, count, false);
    let group = stream.groups.get_mut(group_name)?;
    let handle = touch_consumer(group, consumer_name, call, noack, (key, group_name), out);
    let mut replies = Vec::with_capacity(entries.len());
    let mut moved = false;
    for (id, reply) in entries {
        if id > group.last_id {
            group.entries_read = counters.advance(group.entries_read, id);
            group.last_id = id;
            moved = true;
        }
        replies.push(reply);
        if !noack {
            group.assign(id, handle, now_ms, 1);
            let last_id = group.last_id;
            call.propagate(out, || {
                xclaim_effect(key, group_name, consumer_name, id, now_ms, 1, last_id)
            });
        }
    }
    if noack && moved {
        call.propagate(out, || setid_effect(key, group_name, group));
    }
    Some(replies)
}

/// Looks the consumer up (refreshing its seen time) or creates it; a
/// consumer created by a NOACK read is propagated explicitly.
fn touch_consumer(
    group: &mut Group,
    name: &[u8],
    call: &Call,
    noack: bool,
    (key, group_name): (&[u8], &[u8]),
    out: &mut Executed,
) -> u32 {
    let now_ms = call.now_ms();
    if let Some(h) = group.lookup(name) {
        if let Some(c) = group.consumer_mut(h) {
            c.seen_ms = now_ms;
        }
        return h;
    }
    let h = group.lookup_or_create(name, now_ms);
    // t_stream.c streamCreateConsumer (SCC_DEFAULT), called by xreadCommand
    // and blocked.c alike: a new consumer is one change.
    out.dirty += 1;
    if noack {
        call.propagate(out, || {
            vec![
                b"XGROUP".to_vec(),
                b"CREATECONSUMER".to_vec(),
                key.to_vec(),
                group_name.to_vec(),
                name.to_vec(),
            ]
        });
    }
    h
}

/// `streamPropagateXCLAIM`: the idempotent command that recreates one
/// PEL record on a replica or from the AOF.
pub fn xclaim_effect(
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    id: StreamId,
    delivery_ms: u64,
    delivery_count: u64,
    last_id: StreamId,
) -> Argv {
    xclaim_effect_as_given(
        key,
        group,
        consumer,
        &id.to_bytes(),
        delivery_ms,
        delivery_count,
        last_id,
    )
}

/// [`xclaim_effect`] with the ID spelled as the client gave it: XCLAIM
/// propagates its own argument (`c->argv[j]`), so `XCLAIM ... 5` is
/// written to the AOF with `5`, not `5-0`.
pub fn xclaim_effect_as_given(
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    id: &[u8],
    delivery_ms: u64,
    delivery_count: u64,
    last_id: StreamId,
) -> Argv {
    vec![
        b"XCLAIM".to_vec(),
        key.to_vec(),
        group.to_vec(),
        consumer.to_vec(),
        b"0".to_vec(),
        id.to_vec(),
        b"TIME".to_vec(),
        delivery_ms.to_string().into_bytes(),
        b"RETRYCOUNT".to_vec(),
        delivery_count.to_string().into_bytes(),
        b"FORCE".to_vec(),
        b"JUSTID".to_vec(),
        b"LASTID".to_vec(),
        last_id.to_bytes(),
    ]
}

/// `streamPropagateGroupID`: `XGROUP SETID key group last-id ENTRIESREAD n`,
/// how a group's position travels when no XCLAIM carries it.
pub fn setid_effect(key: &[u8], group_name: &[u8], group: &Group) -> Argv {
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        group_name.to_vec(),
        group.last_id.to_bytes(),
        b"ENTRIESREAD".to_vec(),
        group.entries_read.to_string().into_bytes(),
    ]
}
