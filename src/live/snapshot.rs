//! A live server's streams, read with read-only commands and rebuilt in the
//! engine, so the explorer's panels show them as they show a scenario.
//!
//! ```text
//!   PING (NOAUTH? ─▶ "needs a password")   TIME ─▶ the snapshot's clock
//!   SCAN 0 … TYPE stream  (or the one key asked for: TYPE must say stream)
//!   per key: XINFO STREAM ─▶ XRANGE - + COUNT 1000 (paged, up to MAX_ENTRIES)
//!            XINFO GROUPS ─▶ XINFO CONSUMERS, XPENDING - + MAX_PENDING
//!   ─▶ a scenario whose one Admin client replays, its clock starting
//!      `span` ms before the snapshot (span: the longest consumer idle):
//!        t=0                XADD key <id> …          the entries, with their own IDs
//!                           XSETID key <last> ENTRIESADDED n MAXDELETEDID id
//!                           XGROUP CREATE key g <last-delivered> [ENTRIESREAD n]
//!        t=span−idle(c)     XGROUP CREATECONSUMER key g c
//!                           XCLAIM key g c 0 <id> IDLE <idle−idle(c)> RETRYCOUNT <count> FORCE JUSTID
//!        t=span             PING                     (the snapshot's moment)
//! ```
//!
//! A consumer's idle time is the time since its seen-time, which creating
//! it and claiming for it set: so each consumer's commands run `idle` ms
//! before the end, and XINFO CONSUMERS reads the same idle as the server.
//! Values are quoted as redis-cli quotes them (`\xHH` for bytes that are
//! not printable), so binary values arrive byte for byte.
//!
//! Nothing is written to the server. What cannot be carried over is said in
//! the scenario's notes: entries past the caps, pending entries whose
//! entry was deleted (XCLAIM cannot recreate them).

use crate::engine::Reply;
use crate::scenario::Scenario;
use crate::scenario::schema::{ActorSpec, AdminSpec};

use super::resp::Client;

/// Entries read per stream at most.
pub const MAX_ENTRIES: u64 = 20_000;
/// Pending entries read per group at most.
pub const MAX_PENDING: u64 = 10_000;
const PAGE: u64 = 1_000;

/// Reads the streams of `host:port` (all of them, or `key` only) into a
/// scenario that rebuilds them; the error says what stopped it.
pub fn snapshot(host: &str, port: u16, key: Option<&str>) -> Result<Scenario, String> {
    let mut c = Client::connect(host, port)?;
    match c.cmd(&["PING"])? {
        Reply::Error(e) if e.starts_with("NOAUTH") => {
            return Err(format!(
                "{} needs a password (AUTH); this read-only view does not send one",
                c.address
            ));
        }
        Reply::Error(e) => return Err(format!("{}: PING: {e}", c.address)),
        _ => {}
    }
    let now_ms = server_time_ms(&mut c)?;
    let keys = match key {
        Some(k) => {
            match c.cmd(&["TYPE", k])? {
                Reply::Status(t) if t == "stream" => {}
                Reply::Status(t) if t == "none" => {
                    return Err(format!("{}: no key '{k}'", c.address));
                }
                Reply::Status(t) => {
                    return Err(format!("{}: key '{k}' is a {t}, not a stream", c.address));
                }
                other => return Err(format!("{}: TYPE {k}: {}", c.address, other.to_cli_text())),
            }
            vec![k.to_string()]
        }
        None => stream_keys(&mut c)?,
    };
    if keys.is_empty() {
        return Err(format!("{}: no stream keys", c.address));
    }
    let mut commands = Vec::new();
    let mut notes = vec![format!(
        "Read from {} at unix {now_ms} ms with read-only commands.",
        c.address
    )];
    for k in &keys {
        read_stream(&mut c, k, &mut commands, &mut notes)?;
    }
    // Times so far are "ms before the snapshot"; the run starts `span`
    // before it and ends at it.
    let span = commands
        .iter()
        .map(|(ago, _)| *ago)
        .filter(|ago| *ago != u64::MAX)
        .max()
        .unwrap_or(0)
        .min(now_ms);
    let start = now_ms - span;
    let mut commands: Vec<(u64, String)> = commands
        .into_iter()
        .map(|(ago, line)| (span.saturating_sub(ago), line))
        .collect();
    commands.push((span, "PING".into()));
    let text = format!(
        "Scenario(meta: (id: \"LIVE\", title: {title:?}, learning_goal: {goal:?}, seed: 1, duration_ms: {duration}, start_unix_ms: {start}))",
        duration = span + 1,
        title = format!("Live: {}", c.address),
        goal = format!("{} stream(s) as {} holds them now", keys.len(), c.address),
    );
    let mut s = crate::scenario::parse_scenario("live.ron", &text).map_err(|e| e.to_string())?;
    s.meta.notes = notes;
    s.actors.push(ActorSpec::Admin(AdminSpec {
        name: "snapshot".into(),
        commands,
    }));
    Ok(s)
}

fn server_time_ms(c: &mut Client) -> Result<u64, String> {
    match c.cmd(&["TIME"])? {
        Reply::Array(v) if v.len() == 2 => {
            let secs = int_text(&v[0]).unwrap_or(0);
            let micros = int_text(&v[1]).unwrap_or(0);
            Ok(secs * 1000 + micros / 1000)
        }
        other => Err(format!("{}: TIME: {}", c.address, other.to_cli_text())),
    }
}

fn stream_keys(c: &mut Client) -> Result<Vec<String>, String> {
    let mut cursor = "0".to_string();
    let mut keys = Vec::new();
    loop {
        let r = c.cmd(&["SCAN", &cursor, "COUNT", "1000", "TYPE", "stream"])?;
        let Reply::Array(v) = r else {
            return Err(format!("{}: SCAN: {}", c.address, r.to_cli_text()));
        };
        cursor = v.first().and_then(text).unwrap_or_else(|| "0".into());
        if let Some(Reply::Array(found)) = v.get(1) {
            keys.extend(found.iter().filter_map(text));
        }
        if cursor == "0" {
            break;
        }
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

fn read_stream(
    c: &mut Client,
    key: &str,
    commands: &mut Vec<(u64, String)>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let info = c.cmd(&["XINFO", "STREAM", key])?;
    let field = |name: &str| map_get(&info, name);
    let length = field("length").and_then(int_text).unwrap_or(0);
    let last_id = field("last-generated-id")
        .and_then(text)
        .unwrap_or_else(|| "0-0".into());
    let max_deleted = field("max-deleted-entry-id")
        .and_then(text)
        .unwrap_or_else(|| "0-0".into());
    let added = field("entries-added").and_then(int_text).unwrap_or(length);
    let mut start = "-".to_string();
    let mut read = 0;
    while read < MAX_ENTRIES {
        let count = PAGE.min(MAX_ENTRIES - read).to_string();
        let r = c.cmd(&["XRANGE", key, &start, "+", "COUNT", &count])?;
        let Reply::Array(entries) = r else {
            return Err(format!("{}: XRANGE {key}: {}", c.address, r.to_cli_text()));
        };
        if entries.is_empty() {
            break;
        }
        for e in &entries {
            let Reply::Array(parts) = e else { continue };
            let (Some(id), Some(Reply::Array(fields))) =
                (parts.first().and_then(text), parts.get(1))
            else {
                continue;
            };
            let values: Vec<String> = fields.iter().map(quote_reply).collect();
            commands.push(first_instant(format!(
                "XADD {} {id} {}",
                quote(key),
                values.join(" ")
            )));
            start = format!("({id}");
            read += 1;
        }
    }
    if read < length {
        notes.push(format!(
            "{key}: the first {read} of {length} entries were loaded."
        ));
    }
    if read == 0 {
        // An empty stream exists only through its groups or its IDs: make it.
        commands.push(first_instant(format!(
            "XGROUP CREATE {} streamlab-tmp $ MKSTREAM",
            quote(key)
        )));
        commands.push(first_instant(format!(
            "XGROUP DESTROY {} streamlab-tmp",
            quote(key)
        )));
    }
    commands.push(first_instant(format!(
        "XSETID {} {last_id} ENTRIESADDED {added} MAXDELETEDID {max_deleted}",
        quote(key)
    )));
    let Reply::Array(groups) = c.cmd(&["XINFO", "GROUPS", key])? else {
        return Ok(());
    };
    for g in &groups {
        read_group(c, key, g, commands, notes)?;
    }
    Ok(())
}

fn read_group(
    c: &mut Client,
    key: &str,
    g: &Reply,
    commands: &mut Vec<(u64, String)>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let Some(name) = map_get(g, "name").and_then(text) else {
        return Ok(());
    };
    let last = map_get(g, "last-delivered-id")
        .and_then(text)
        .unwrap_or_else(|| "0-0".into());
    let read = map_get(g, "entries-read").and_then(int_text);
    let mut create = format!("XGROUP CREATE {} {} {last}", quote(key), quote(&name));
    if let Some(n) = read {
        create.push_str(&format!(" ENTRIESREAD {n}"));
    }
    commands.push(first_instant(create));
    // Each consumer with its idle time (ms since its seen-time).
    let mut consumers: Vec<(String, u64)> = Vec::new();
    if let Reply::Array(all) = c.cmd(&["XINFO", "CONSUMERS", key, &name])? {
        for cons in &all {
            if let Some(n) = map_get(cons, "name").and_then(text) {
                let idle = map_get(cons, "idle").and_then(int_text).unwrap_or(0);
                commands.push((
                    idle,
                    format!(
                        "XGROUP CREATECONSUMER {} {} {}",
                        quote(key),
                        quote(&name),
                        quote(&n)
                    ),
                ));
                consumers.push((n, idle));
            }
        }
    }
    let max = MAX_PENDING.to_string();
    let Reply::Array(pending) = c.cmd(&["XPENDING", key, &name, "-", "+", &max])? else {
        return Ok(());
    };
    if pending.len() as u64 == MAX_PENDING {
        notes.push(format!(
            "{key} group {name}: the first {MAX_PENDING} pending entries were loaded."
        ));
    }
    for p in &pending {
        let Reply::Array(v) = p else { continue };
        let (Some(id), Some(owner), Some(idle), Some(count)) = (
            v.first().and_then(text),
            v.get(1).and_then(text),
            v.get(2).and_then(int_text),
            v.get(3).and_then(int_text),
        ) else {
            continue;
        };
        // The claim runs when the owner was last seen; the entry's own idle
        // is counted from there.
        let owner_idle = consumers
            .iter()
            .find(|(n, _)| *n == owner)
            .map_or(0, |(_, i)| *i);
        commands.push((
            owner_idle,
            format!(
                "XCLAIM {} {} {} 0 {id} IDLE {} RETRYCOUNT {count} FORCE JUSTID",
                quote(key),
                quote(&name),
                quote(&owner),
                idle.saturating_sub(owner_idle)
            ),
        ));
    }
    Ok(())
}

/// A command of the first instant of the replay (entries, IDs, groups):
/// "ago" as far back as anything.
fn first_instant(line: String) -> (u64, String) {
    (u64::MAX, line)
}

/// A field of a flat `[name, value, …]` reply.
fn map_get<'a>(r: &'a Reply, name: &str) -> Option<&'a Reply> {
    let Reply::Array(v) = r else { return None };
    v.chunks(2)
        .find(|kv| matches!(&kv[0], Reply::Bulk(b) if b.as_slice() == name.as_bytes()))
        .and_then(|kv| kv.get(1))
}

fn text(r: &Reply) -> Option<String> {
    match r {
        Reply::Bulk(b) => String::from_utf8(b.clone()).ok(),
        Reply::Status(s) => Some(s.clone()),
        Reply::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int_text(r: &Reply) -> Option<u64> {
    match r {
        Reply::Integer(n) => u64::try_from(*n).ok(),
        other => text(other)?.parse().ok(),
    }
}

/// Quotes an argument for the scenario's command lines as redis-cli
/// would need it typed: `"…"` with `\"` and `\\`, and `\xHH` for control
/// bytes and bytes that are not UTF-8 (split_args reads them back).
fn quote(s: &str) -> String {
    quote_bytes(s.as_bytes())
}

fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(ch);
                }
                c if c.is_control() && c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u8)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// A bulk reply quoted byte for byte; anything else by its text.
fn quote_reply(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => quote_bytes(b),
        other => quote(&text(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::quote_bytes;
    use crate::engine::split_args::split_args;

    #[test]
    fn quoted_values_split_back_to_the_same_bytes() {
        for value in [
            b"plain".to_vec(),
            b"with space and \"quotes\" and \\".to_vec(),
            vec![0, 1, 0xff, 0xfe, b'\n', b'a', 0x7f],
            "caf\u{e9} \u{1F600}".as_bytes().to_vec(),
        ] {
            let line = format!("XADD s * f {}", quote_bytes(&value));
            let argv = split_args(line.as_bytes()).expect(&line);
            assert_eq!(argv[4], value, "{line}");
        }
    }
}
