//! COMMAND DOCS, as redis-server 7.0.15 answers it, for the commands the
//! engine has.
//!
//! ```text
//!   docs/command_docs.resp    the raw RESP2 reply of a real 7.0.15 to
//!                             COMMAND DOCS <every top-level name of the table>
//!                             (scripts/record_command_docs.sh)
//!        │ decoded at each call (COMMAND DOCS is rare; nothing is cached)
//!        ▼
//!   [ "xadd", [ "summary", …, "arguments", [ … ] ],
//!     "xinfo", [ …, "subcommands", [ "xinfo|stream", [ … ], … ] ], … ]
//!        │ subcommands the table lacks are dropped (Redis 7.0 has
//!        │ OBJECT FREQ, MEMORY STATS, …; the engine answers for itself),
//!        │ the rest put in table order
//!        ▼
//!   COMMAND DOCS [name ...]   the pairs asked for, in the order asked,
//!                             unknown names skipped, repeats repeated;
//!                             no name: every command, in table order
//! ```
//!
//! The reply is a map; RESP2 writes a map as a flat array of pairs.
//! Without names, Redis answers in its command dictionary's hash order,
//! which has no meaning; the engine answers in table order.

use super::{Call, Reply};
use crate::engine::Executed;
use crate::engine::db::Db;

/// The recorded reply.
const RECORDED: &[u8] = include_bytes!("docs/command_docs.resp");

/// `COMMAND DOCS [name ...]`.
pub fn command_docs(_: &Db, call: &Call, out: &mut Executed) {
    let all = recorded_pairs();
    let mut flat = Vec::new();
    let mut push = |name: &str| {
        if let Some(doc) = doc_of(&all, name) {
            flat.push(Reply::bulk(name));
            flat.push(doc);
        }
    };
    if call.argc() == 2 {
        for (name, _) in super::command_names() {
            push(name);
        }
    } else {
        for arg in &call.argv[2..] {
            push(&String::from_utf8_lossy(arg).to_ascii_lowercase());
        }
    }
    out.reply = Reply::Array(flat);
}

/// The docs of one command as COMMAND DOCS gives them (a flat map of
/// `summary`, `since`, `group`, `complexity`, `arguments`, …), by its
/// full name (`xadd`, `xinfo|stream`), any case; `None` for a command the
/// engine does not have.
pub fn docs(name: &str) -> Option<Reply> {
    doc_of(&recorded_pairs(), &name.to_ascii_lowercase())
}

/// The recorded map as (lower-case name, docs) pairs.
fn recorded_pairs() -> Vec<(String, Reply)> {
    let mut at = 0;
    let Some(Reply::Array(items)) = decode(RECORDED, &mut at) else {
        return Vec::new();
    };
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(Reply::Bulk(name)), Some(doc)) = (it.next(), it.next()) {
        pairs.push((String::from_utf8_lossy(&name).into_owned(), doc));
    }
    pairs
}

/// The docs of `name` (lower case) if the engine's table has it, its
/// subcommands filtered to the table's.
fn doc_of(all: &[(String, Reply)], name: &str) -> Option<Reply> {
    if !has_command(name) {
        return None;
    }
    match name.split_once('|') {
        None => all
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| keep_own_subcommands(d.clone())),
        Some((base, _)) => {
            let (_, parent) = all.iter().find(|(n, _)| n == base)?;
            match field(parent, "subcommands")? {
                Reply::Array(subs) => subs
                    .chunks(2)
                    .find(|p| matches!(&p[0], Reply::Bulk(n) if n == name.as_bytes()))
                    .map(|p| p[1].clone()),
                _ => None,
            }
        }
    }
}

/// True if the command table has this full name.
fn has_command(name: &str) -> bool {
    super::command_names().iter().any(|(n, _)| *n == name)
        || super::subcommand_names().contains(&name)
}

/// A field of a flat map reply.
pub fn field<'a>(map: &'a Reply, key: &str) -> Option<&'a Reply> {
    let Reply::Array(items) = map else {
        return None;
    };
    items
        .chunks(2)
        .find(|p| matches!(&p[0], Reply::Bulk(k) if k == key.as_bytes()))
        .and_then(|p| p.get(1))
}

/// Keeps the `subcommands` entries the table has, in table order: Redis
/// lists them in its subcommand dictionary's order, which a hash seeded
/// at start decides, so two redis-server processes disagree.
fn keep_own_subcommands(doc: Reply) -> Reply {
    let Reply::Array(mut items) = doc else {
        return doc;
    };
    for pair in items.chunks_mut(2) {
        if !matches!(&pair[0], Reply::Bulk(k) if k == b"subcommands") {
            continue;
        }
        if let Some(Reply::Array(subs)) = pair.get_mut(1) {
            let mut kept = Vec::with_capacity(subs.len());
            for own in super::subcommand_names() {
                if let Some(p) = subs
                    .chunks(2)
                    .find(|p| matches!(&p[0], Reply::Bulk(n) if n == own.as_bytes()))
                {
                    kept.extend(p.iter().cloned());
                }
            }
            *subs = kept;
        }
    }
    Reply::Array(items)
}

/// Decodes one RESP2 value at `at` (the recorded file holds arrays, bulk
/// strings, status lines and integers).
fn decode(bytes: &[u8], at: &mut usize) -> Option<Reply> {
    let kind = *bytes.get(*at)?;
    let end = *at + bytes[*at..].windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&bytes[*at + 1..end]).ok()?;
    *at = end + 2;
    match kind {
        b'+' => Some(Reply::Status(line.to_string())),
        b'-' => Some(Reply::Error(line.to_string())),
        b':' => line.parse().ok().map(Reply::Integer),
        b'$' => {
            let len: usize = line.parse().ok()?;
            let body = bytes.get(*at..*at + len)?.to_vec();
            *at += len + 2;
            Some(Reply::Bulk(body))
        }
        b'*' => {
            let n: usize = line.parse().ok()?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode(bytes, at)?);
            }
            Some(Reply::Array(items))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_of_the_table_has_recorded_docs() {
        let all = recorded_pairs();
        for (name, _) in super::super::command_names() {
            assert!(
                all.iter().any(|(n, _)| n == name),
                "no recorded COMMAND DOCS for {name}: run scripts/record_command_docs.sh"
            );
        }
        for name in super::super::subcommand_names() {
            assert!(
                docs(name).is_some(),
                "no recorded COMMAND DOCS for {name}: run scripts/record_command_docs.sh"
            );
        }
    }

    #[test]
    fn xadd_docs_name_its_options_and_containers_keep_only_own_subcommands() {
        let xadd = docs("XADD").expect("xadd has docs");
        assert!(
            matches!(field(&xadd, "summary"), Some(Reply::Bulk(s)) if s.starts_with(b"Appends"))
        );
        let mut text = Vec::new();
        xadd.write_resp(&mut text);
        for token in ["NOMKSTREAM", "MAXLEN", "MINID", "LIMIT"] {
            assert!(
                text.windows(token.len()).any(|w| w == token.as_bytes()),
                "{token}"
            );
        }
        let memory = docs("memory").expect("memory has docs");
        let Some(Reply::Array(subs)) = field(&memory, "subcommands") else {
            panic!("memory has subcommands");
        };
        let names: Vec<&Reply> = subs.iter().step_by(2).collect();
        assert_eq!(names, vec![&Reply::bulk("memory|usage")]);
        assert!(
            docs("memory|stats").is_none(),
            "the engine has no MEMORY STATS"
        );
        assert!(docs("nosuch").is_none());
    }
}
