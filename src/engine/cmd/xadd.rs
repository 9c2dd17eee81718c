//! XADD and XTRIM, sharing Redis's option parser (`streamParseAddOrTrimArgsOrReply`).
//!
//! ```text
//!   XADD  key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT n]] <* | id> field value ...
//!   XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n]
//! ```
//!
//! Options come before the ID in any order; the first token that is not an
//! option is the ID. XADD appends first and trims afterwards, and what it
//! propagates is deterministic: the generated ID is written out and a `~`
//! trim is rewritten as an exact one to the length (or first ID) it left.

use super::super::db::{Db, Value};
use super::super::id::{SeqSpec, parse_id};
use super::super::stream::{LISTPACK_MAX_BYTES, Stream, TrimArgs, TrimStrategy};
use super::super::{Effects, Executed, Reply, StreamId};
use super::{Call, INVALID_ID, SYNTAX, id_reply, is, parse_i64};

const INCOMPATIBLE: &str =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";

/// What the option parser found.
struct AddTrimArgs {
    trim: Option<TrimArgs>,
    /// Argument index of the threshold (rewritten for propagation).
    threshold_idx: usize,
    no_mkstream: bool,
    /// The explicit ID and how its sequence was given (XADD only).
    id: Option<(StreamId, SeqSpec)>,
    /// Where the ID is (XADD only).
    id_idx: usize,
}

fn parse_add_trim(db: &Db, call: &Call, xadd: bool) -> Result<AddTrimArgs, Reply> {
    let argc = call.argc();
    let mut args = AddTrimArgs {
        trim: None,
        threshold_idx: 0,
        no_mkstream: false,
        id: None,
        id_idx: 0,
    };
    let mut strategy: Option<TrimStrategy> = None;
    let mut approx = false;
    let mut limit: Option<i64> = None;
    let mut i = 2;
    while i < argc {
        let more = argc - 1 - i;
        let opt = call.arg(i);
        if xadd && opt == b"*" {
            break;
        } else if (is(opt, "MAXLEN") || is(opt, "MINID")) && more > 0 {
            if strategy.is_some() {
                return Err(Reply::err(INCOMPATIBLE));
            }
            approx = false;
            let next = call.arg(i + 1);
            if more >= 2 && next == b"~" {
                approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let threshold = call.arg(i + 1);
            if is(opt, "MAXLEN") {
                let n = parse_i64(threshold)?;
                if n < 0 {
                    return Err(Reply::err("ERR The MAXLEN argument must be >= 0."));
                }
                strategy = Some(TrimStrategy::MaxLen(n as u64));
            } else {
                let id = super::strict_id(threshold, 0)?;
                strategy = Some(TrimStrategy::MinId(id));
            }
            i += 1;
            args.threshold_idx = i;
        } else if is(opt, "LIMIT") && more > 0 {
            let n = parse_i64(call.arg(i + 1))?;
            if n < 0 {
                return Err(Reply::err("ERR The LIMIT argument must be >= 0."));
            }
            limit = Some(n);
            i += 1;
        } else if xadd && is(opt, "NOMKSTREAM") {
            args.no_mkstream = true;
        } else if xadd {
            let parsed = parse_id(opt, 0, true, true).ok_or_else(|| Reply::err(INVALID_ID))?;
            args.id = Some(parsed);
            break;
        } else {
            return Err(Reply::err(SYNTAX));
        }
        i += 1;
    }
    args.id_idx = i;
    if limit.unwrap_or(0) != 0 && strategy.is_none() {
        return Err(Reply::err(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && strategy.is_none() {
        return Err(Reply::err(
            "ERR syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    let limit = match limit {
        // A master already rewrote `~` trims exact and left LIMIT in place;
        // replicas and the AOF loader run them uncapped (mustObeyClient in
        // streamParseAddOrTrimArgsOrReply).
        _ if call.from_master => 0,
        Some(_) if !approx => {
            return Err(Reply::err(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
        Some(n) => n as u64,
        None if approx => {
            let per_node = db.config.node_limits.max_entries.min(i64::MAX as u64 / 100);
            let mut n = 100 * per_node;
            if n == 0 {
                n = 10_000;
            }
            n.min(1_000_000)
        }
        None => 0,
    };
    args.trim = strategy.map(|strategy| TrimArgs {
        strategy,
        approx,
        limit,
    });
    Ok(args)
}

/// Rewrites a `~` trim as `= <result>` so replicas trim exactly the same.
fn rewrite_trim(argv: &mut [Vec<u8>], args: &AddTrimArgs, stream: &Stream) {
    let Some(trim) = args.trim else { return };
    if !trim.approx {
        return;
    }
    argv[args.threshold_idx - 1] = b"=".to_vec();
    argv[args.threshold_idx] = match trim.strategy {
        TrimStrategy::MaxLen(_) => stream.length().to_string().into_bytes(),
        TrimStrategy::MinId(_) => stream.first_id_with_tombstones().to_bytes(),
    };
}

pub fn xadd(db: &mut Db, call: &Call, out: &mut Executed) {
    let args = match parse_add_trim(db, call, true) {
        Ok(a) => a,
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    let field_pos = args.id_idx + 1;
    let argc = call.argc();
    if argc < field_pos + 2 || (argc - field_pos) % 2 == 1 {
        out.reply = Reply::err("ERR wrong number of arguments for 'xadd' command");
        return;
    }
    if let Some((id, SeqSpec::Given)) = args.id {
        if id == StreamId::MIN {
            out.reply = Reply::err("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
    }
    let key = call.arg(1);
    let limits = db.config.node_limits;
    // One map search for an existing stream (this runs for every XADD);
    // a missing key is created and searched again.
    let stream = match db.keys.get_mut(key) {
        Some(Value::Stream(s)) => s,
        Some(_) => {
            out.reply = Reply::err(super::super::db::WRONGTYPE);
            return;
        }
        None if args.no_mkstream => {
            out.reply = Reply::Nil;
            return;
        }
        None => {
            db.keys.insert(key.to_vec(), Value::Stream(Stream::new()));
            let Ok(Some(s)) = db.stream_mut(key) else {
                return;
            };
            s
        }
    };
    if stream.last_id == StreamId::MAX {
        out.reply = Reply::err(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        );
        return;
    }
    let new_id = match args.id {
        None => {
            let now = call.now_ms();
            if now > stream.last_id.ms {
                Some(StreamId::new(now, 0))
            } else {
                stream.last_id.incr()
            }
        }
        Some((id, SeqSpec::Given)) => Some(id),
        Some((id, SeqSpec::Auto)) => {
            if stream.last_id.ms == id.ms {
                if stream.last_id.seq == u64::MAX {
                    out.reply = Reply::err("ERR Elements are too large to be stored");
                    return;
                }
                Some(StreamId::new(id.ms, stream.last_id.seq + 1))
            } else {
                Some(id)
            }
        }
    };
    let new_id = match new_id {
        Some(id) if id > stream.last_id => id,
        _ => {
            out.reply = Reply::err(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            );
            return;
        }
    };
    let fields = &call.argv[field_pos..];
    let total: u64 = fields.iter().map(|f| f.len() as u64).sum();
    if total > LISTPACK_MAX_BYTES {
        out.reply = Reply::err("ERR Elements are too large to be stored");
        return;
    }
    // Most entries have a handful of fields: keep their pairs on the stack.
    let mut inline: [(&[u8], &[u8]); 8] = [(b"", b""); 8];
    let spilled: Vec<(&[u8], &[u8])>;
    let pairs: &[(&[u8], &[u8])] = if fields.len() <= 16 {
        for (slot, p) in inline.iter_mut().zip(fields.chunks(2)) {
            *slot = (p[0].as_slice(), p[1].as_slice());
        }
        &inline[..fields.len() / 2]
    } else {
        spilled = fields
            .chunks(2)
            .map(|p| (p[0].as_slice(), p[1].as_slice()))
            .collect();
        &spilled
    };
    stream.append(new_id, pairs, limits);
    out.reply = id_reply(new_id);
    // t_stream.c xaddCommand: one change for the entry; the trim that
    // follows adds nothing however many entries it removes.
    out.dirty += 1;
    if let Some(trim) = args.trim {
        stream.trim(trim);
    }
    call.propagate(out, || {
        let mut effect = call.argv.to_vec();
        rewrite_trim(&mut effect, &args, stream);
        if !matches!(args.id, Some((_, SeqSpec::Given))) {
            effect[args.id_idx] = new_id.to_bytes();
        }
        effect
    });
    // Nobody to wake when the caller has no replica to feed and no client
    // blocked: skip the key copy on the hottest path.
    if !(call.ctx.effects == Effects::Skip && call.ctx.blocked_clients == 0) {
        out.signaled_keys.push(key.to_vec());
    }
}

pub fn xtrim(db: &mut Db, call: &Call, out: &mut Executed) {
    let args = match parse_add_trim(db, call, false) {
        Ok(a) => a,
        Err(e) => {
            out.reply = e;
            return;
        }
    };
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
    let removed = match args.trim {
        Some(trim) => stream.trim(trim),
        None => 0,
    };
    // t_stream.c xtrimCommand: `server.dirty += deleted`.
    out.dirty += removed as u64;
    if removed > 0 {
        call.propagate(out, || {
            let mut effect = call.argv.to_vec();
            rewrite_trim(&mut effect, &args, stream);
            effect
        });
    }
    out.reply = Reply::Integer(removed as i64);
}
