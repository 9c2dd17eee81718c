//! XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: sets the
//! counters a replica or a restore needs to continue a stream exactly.

use super::super::db::Db;
use super::super::{Executed, Reply, StreamId};
use super::{Call, SYNTAX, is, parse_i64, propagate_verbatim, strict_id};

pub fn xsetid(db: &mut Db, call: &Call, out: &mut Executed) {
    out.reply = match run(db, call) {
        Ok(()) => {
            // t_stream.c xsetidCommand: one change.
            out.dirty += 1;
            propagate_verbatim(call, out);
            Reply::ok()
        }
        Err(e) => e,
    };
}

fn run(db: &mut Db, call: &Call) -> Result<(), Reply> {
    let id = strict_id(call.arg(2), 0)?;
    let mut entries_added: i64 = -1;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < call.argc() {
        let more = call.argc() - 1 - i;
        if is(call.arg(i), "ENTRIESADDED") && more > 0 {
            entries_added = parse_i64(call.arg(i + 1))?;
            if entries_added < 0 {
                return Err(Reply::err("ERR entries_added must be positive"));
            }
        } else if is(call.arg(i), "MAXDELETEDID") && more > 0 {
            max_deleted = strict_id(call.arg(i + 1), 0)?;
            if id < max_deleted {
                return Err(Reply::err(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
        } else {
            return Err(Reply::err(SYNTAX));
        }
        i += 2;
    }
    let stream = db
        .stream_mut(call.arg(1))?
        .ok_or_else(|| Reply::err("ERR no such key"))?;
    if stream.length() > 0 {
        if id < stream.last_live_id() {
            return Err(Reply::err(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added != -1 && stream.length() > entries_added as u64 {
            return Err(Reply::err(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    stream.last_id = id;
    if entries_added != -1 {
        stream.entries_added = entries_added as u64;
    }
    if max_deleted != StreamId::MIN {
        stream.max_deleted_id = max_deleted;
    }
    Ok(())
}
