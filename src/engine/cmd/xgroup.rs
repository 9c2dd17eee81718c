//! XGROUP CREATE | SETID | DESTROY | CREATECONSUMER | DELCONSUMER | HELP.
//!
//! Shared preamble (as `xgroupCommand`): options after the ID are parsed
//! first, then the key must exist (unless MKSTREAM), then SETID,
//! CREATECONSUMER and DELCONSUMER need the group.

use super::super::db::{Db, Value};
use super::super::group::{ENTRIES_READ_INVALID, Group};
use super::super::id::parse_id;
use super::super::stream::Stream;
use super::super::{Executed, Reply, StreamId};
use super::{Call, INVALID_ID, is, parse_i64, propagate_verbatim, strict_id, text};

const NEEDS_KEY: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

fn subcommand_error(call: &Call) -> Reply {
    Reply::err(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try XGROUP HELP.",
        text(call.arg(1))
    ))
}

/// Parsed options and the checks every subcommand shares.
struct Preamble {
    mkstream: bool,
    entries_read: i64,
    key_exists: bool,
    group_exists: bool,
}

fn preamble(db: &Db, call: &Call) -> Result<Preamble, Reply> {
    let create = is(call.arg(1), "CREATE");
    let setid = is(call.arg(1), "SETID");
    let mut p = Preamble {
        mkstream: false,
        entries_read: ENTRIES_READ_INVALID,
        key_exists: false,
        group_exists: false,
    };
    let mut i = 5;
    while i < call.argc() {
        if create && is(call.arg(i), "MKSTREAM") {
            p.mkstream = true;
            i += 1;
        } else if (create || setid) && is(call.arg(i), "ENTRIESREAD") && i + 1 < call.argc() {
            let n = parse_i64(call.arg(i + 1))?;
            if n < 0 && n != ENTRIES_READ_INVALID {
                return Err(Reply::err(
                    "ERR value for ENTRIESREAD must be positive or -1",
                ));
            }
            p.entries_read = n;
            i += 2;
        } else {
            return Err(subcommand_error(call));
        }
    }
    let stream = db.stream(call.arg(2))?;
    p.key_exists = stream.is_some();
    p.group_exists = stream
        .map(|s| s.groups.contains_key(call.arg(3)))
        .unwrap_or(false);
    if !p.mkstream {
        if !p.key_exists {
            return Err(Reply::err(NEEDS_KEY));
        }
        let needs_group = ["SETID", "CREATECONSUMER", "DELCONSUMER"]
            .iter()
            .any(|s| is(call.arg(1), s));
        if needs_group && !p.group_exists {
            return Err(Reply::err(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                text(call.arg(3)),
                text(call.arg(2))
            )));
        }
    }
    Ok(p)
}

fn stream_of<'a>(db: &'a mut Db, call: &Call) -> Option<&'a mut Stream> {
    db.stream_mut(call.arg(2)).ok().flatten()
}

pub fn create(db: &mut Db, call: &Call, out: &mut Executed) {
    let p = match preamble(db, call) {
        Ok(p) => p,
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    if call.argc() > 8 {
        out.reply = subcommand_error(call);
        return;
    }
    let id = if call.arg(4) == b"$" {
        db.stream(call.arg(2))
            .ok()
            .flatten()
            .map(|s| s.last_id)
            .unwrap_or(StreamId::MIN)
    } else {
        match strict_id(call.arg(4), 0) {
            Ok(id) => id,
            Err(e) => {
                out.reply = e;
                return;
            }
        }
    };
    if !p.key_exists {
        db.keys
            .insert(call.arg(2).to_vec(), Value::Stream(Stream::new()));
    }
    let Some(stream) = stream_of(db, call) else {
        return;
    };
    if stream.groups.contains_key(call.arg(3)) {
        out.reply = Reply::err("BUSYGROUP Consumer Group name already exists");
        return;
    }
    stream
        .groups
        .insert(call.arg(3).to_vec(), Group::new(id, p.entries_read));
    // Replicas must create the group at the same position even for `$`.
    // Propagated as typed, `$` included (a 7.0.15 AOF holds
    // 'XGROUP CREATE t g $'): a replica resolves it to the same last ID.
    // t_stream.c xgroupCommand CREATE: one change (MKSTREAM's new key adds none).
    out.dirty += 1;
    propagate_verbatim(call, out);
    out.reply = Reply::ok();
}

pub fn setid(db: &mut Db, call: &Call, out: &mut Executed) {
    let p = match preamble(db, call) {
        Ok(p) => p,
        Err(e) => {
            out.reply = e;
            return;
        }
    };
    if call.argc() != 5 && call.argc() != 7 {
        out.reply = subcommand_error(call);
        return;
    }
    let Some(stream) = stream_of(db, call) else {
        return;
    };
    let id = if call.arg(4) == b"$" {
        stream.last_id
    } else {
        match parse_id(call.arg(4), 0, false, false) {
            Some((id, _)) => id,
            None => {
                out.reply = Reply::err(INVALID_ID);
                return;
            }
        }
    };
    if let Some(group) = stream.groups.get_mut(call.arg(3)) {
        group.last_id = id;
        group.entries_read = p.entries_read;
    }
    // t_stream.c xgroupCommand SETID: one change.
    out.dirty += 1;
    propagate_verbatim(call, out);
    out.reply = Reply::ok();
}

pub fn destroy(db: &mut Db, call: &Call, out: &mut Executed) {
    if let Err(e) = preamble(db, call) {
        out.reply = e;
        return;
    }
    let Some(stream) = stream_of(db, call) else {
        return;
    };
    if stream.groups.remove(call.arg(3)).is_some() {
        // t_stream.c xgroupCommand DESTROY: one change.
        out.dirty += 1;
        propagate_verbatim(call, out);
        out.signaled_keys.push(call.arg(2).to_vec());
        out.reply = Reply::Integer(1);
    } else {
        out.reply = Reply::Integer(0);
    }
}

pub fn createconsumer(db: &mut Db, call: &Call, out: &mut Executed) {
    if let Err(e) = preamble(db, call) {
        out.reply = e;
        return;
    }
    let now = call.now_ms();
    let Some(group) = stream_of(db, call).and_then(|s| s.groups.get_mut(call.arg(3))) else {
        return;
    };
    let created = group.create_consumer(call.arg(4), now).is_some();
    if created {
        // t_stream.c streamCreateConsumer (SCC_DEFAULT): one change.
        out.dirty += 1;
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(i64::from(created));
}

pub fn delconsumer(db: &mut Db, call: &Call, out: &mut Executed) {
    if let Err(e) = preamble(db, call) {
        out.reply = e;
        return;
    }
    let Some(group) = stream_of(db, call).and_then(|s| s.groups.get_mut(call.arg(3))) else {
        return;
    };
    match group.delete_consumer(call.arg(4)) {
        Some(pending) => {
            // t_stream.c xgroupCommand DELCONSUMER: one change.
            out.dirty += 1;
            propagate_verbatim(call, out);
            out.reply = Reply::Integer(pending as i64);
        }
        None => out.reply = Reply::Integer(0),
    }
}

const HELP: &[&str] = &[
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

/// Help text as status lines, as `addReplyHelp` sends it.
pub fn help_reply(lines: &[&str]) -> Reply {
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Status((*l).to_string()))
            .collect(),
    )
}

pub fn help(_: &mut Db, _: &Call, out: &mut Executed) {
    out.reply = help_reply(HELP);
}
