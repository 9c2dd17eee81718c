//! XINFO STREAM [FULL [COUNT n]] | GROUPS | CONSUMERS | HELP, with Redis
//! 7.0's field names and order.

use super::super::db::Db;
use super::super::group::{ENTRIES_READ_INVALID, Group};
use super::super::lag::Counters;
use super::super::stream::Stream;
use super::super::{Executed, Reply, StreamId};
use super::xgroup::help_reply;
use super::{Call, entry_reply, id_reply, is, parse_i64, text};

fn syntax(call: &Call) -> Reply {
    Reply::err(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try XINFO HELP.",
        text(call.arg(1))
    ))
}

fn field(name: &str) -> Reply {
    Reply::bulk(name)
}

fn int(n: u64) -> Reply {
    Reply::Integer(n as i64)
}

fn entries_read_reply(group: &Group) -> Reply {
    if group.entries_read != ENTRIES_READ_INVALID {
        Reply::Integer(group.entries_read)
    } else {
        Reply::Nil
    }
}

fn lag_reply(stream: &Stream, group: &Group) -> Reply {
    match Counters::of(stream).lag(group.entries_read, group.last_id) {
        Some(lag) => Reply::Integer(lag),
        None => Reply::Nil,
    }
}

fn lookup<'a>(db: &'a Db, call: &Call) -> Result<&'a Stream, Reply> {
    db.stream(call.arg(2))?
        .ok_or_else(|| Reply::err("ERR no such key"))
}

pub fn stream(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match stream_info(db, call) {
        Ok(r) | Err(r) => r,
    };
}

fn stream_info(db: &Db, call: &Call) -> Result<Reply, Reply> {
    let s = lookup(db, call)?;
    let opts = &call.argv[3..];
    let mut full = false;
    let mut count: u64 = 10;
    if !opts.is_empty() {
        if (opts.len() != 1 && opts.len() != 3) || !is(&opts[0], "FULL") {
            return Err(syntax(call));
        }
        full = true;
        if opts.len() == 3 {
            if !is(&opts[1], "COUNT") {
                return Err(syntax(call));
            }
            let n = parse_i64(&opts[2])?;
            count = if n < 0 { 10 } else { n as u64 };
        }
    }
    let mut r = vec![
        field("length"),
        int(s.length()),
        field("radix-tree-keys"),
        int(s.radix_tree_keys()),
        field("radix-tree-nodes"),
        int(s.radix_tree_nodes()),
        field("last-generated-id"),
        id_reply(s.last_id),
        field("max-deleted-entry-id"),
        id_reply(s.max_deleted_id),
        field("entries-added"),
        int(s.entries_added),
        field("recorded-first-entry-id"),
        id_reply(s.first_id),
    ];
    if !full {
        r.push(field("groups"));
        r.push(int(s.groups.len() as u64));
        r.push(field("first-entry"));
        r.push(
            s.first_entry()
                .map(|e| entry_reply(e.id, &e.fields))
                .unwrap_or(Reply::Nil),
        );
        r.push(field("last-entry"));
        r.push(
            s.last_entry()
                .map(|e| entry_reply(e.id, &e.fields))
                .unwrap_or(Reply::Nil),
        );
        return Ok(Reply::Array(r));
    }
    let take = |n: usize| count == 0 || (n as u64) < count;
    r.push(field("entries"));
    let entries = s.range(StreamId::MIN, StreamId::MAX, count, false);
    r.push(Reply::Array(
        entries
            .iter()
            .map(|e| entry_reply(e.id, &e.fields))
            .collect(),
    ));
    r.push(field("groups"));
    let mut groups = Vec::new();
    for (name, g) in &s.groups {
        let mut pending = Vec::new();
        for (id, p) in g.pel().iter() {
            if !take(pending.len()) {
                break;
            }
            pending.push(Reply::Array(vec![
                id_reply(id),
                Reply::bulk(g.consumer_name(p.owner)),
                int(p.delivery_ms),
                int(p.delivery_count),
            ]));
        }
        let mut consumers = Vec::new();
        for (_, c) in g.consumers() {
            let mut cpel = Vec::new();
            for id in c.pel().iter() {
                if !take(cpel.len()) {
                    break;
                }
                let p = g.pel().get(id);
                cpel.push(Reply::Array(vec![
                    id_reply(id),
                    int(p.map(|p| p.delivery_ms).unwrap_or(0)),
                    int(p.map(|p| p.delivery_count).unwrap_or(0)),
                ]));
            }
            consumers.push(Reply::Array(vec![
                field("name"),
                Reply::bulk(&c.name),
                field("seen-time"),
                int(c.seen_ms),
                field("pel-count"),
                int(c.pel().len()),
                field("pending"),
                Reply::Array(cpel),
            ]));
        }
        groups.push(Reply::Array(vec![
            field("name"),
            Reply::bulk(name),
            field("last-delivered-id"),
            id_reply(g.last_id),
            field("entries-read"),
            entries_read_reply(g),
            field("lag"),
            lag_reply(s, g),
            field("pel-count"),
            int(g.pel().len()),
            field("pending"),
            Reply::Array(pending),
            field("consumers"),
            Reply::Array(consumers),
        ]));
    }
    r.push(Reply::Array(groups));
    Ok(Reply::Array(r))
}

pub fn groups(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match lookup(db, call) {
        Err(e) => e,
        Ok(s) => Reply::Array(
            s.groups
                .iter()
                .map(|(name, g)| {
                    Reply::Array(vec![
                        field("name"),
                        Reply::bulk(name),
                        field("consumers"),
                        int(g.consumer_count()),
                        field("pending"),
                        int(g.pel().len()),
                        field("last-delivered-id"),
                        id_reply(g.last_id),
                        field("entries-read"),
                        entries_read_reply(g),
                        field("lag"),
                        lag_reply(s, g),
                    ])
                })
                .collect(),
        ),
    };
}

pub fn consumers(db: &Db, call: &Call, out: &mut Executed) {
    let now = call.now_ms() as i64;
    out.reply = match lookup(db, call) {
        Err(e) => e,
        Ok(s) => match s.groups.get(call.arg(3)) {
            None => Reply::err(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                text(call.arg(3)),
                text(call.arg(2))
            )),
            Some(g) => Reply::Array(
                g.consumers()
                    .map(|(_, c)| {
                        Reply::Array(vec![
                            field("name"),
                            Reply::bulk(&c.name),
                            field("pending"),
                            int(c.pel().len()),
                            field("idle"),
                            Reply::Integer(now.wrapping_sub(c.seen_ms as i64).max(0)),
                        ])
                    })
                    .collect(),
            ),
        },
    };
}

const HELP: &[&str] = &[
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
];

pub fn help(_: &Db, _: &Call, out: &mut Executed) {
    out.reply = help_reply(HELP);
}
