//! Reading replies the way a client library would.
//!
//! ```text
//!   XREADGROUP  [[key, [[id, [f, v, ...]] | [id, nil], ...]], ...]   ─▶ Vec<Entry>
//!   XRANGE / XCLAIM            [[id, [f, v, ...]], ...]             ─▶ Vec<Entry>
//!   XCLAIM JUSTID              [id, ...]                            ─▶ Vec<Entry> (no body)
//!   XAUTOCLAIM     [cursor, entries | ids, [deleted ids]]           ─▶ AutoClaim
//!   XPENDING ... - + n         [[id, owner, idle, count], ...]      ─▶ Vec<PendingRow>
//! ```
//!
//! Every payload carries its message number in field `m`; that number is
//! how the ledger follows a message across IDs, offsets and systems.

use crate::engine::Reply;

/// One entry as a consumer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Stream ID text.
    pub id: String,
    /// The message number from field `m`, if the body was returned.
    pub msg: Option<u64>,
    /// True when the reply carried no body (deleted or trimmed entry).
    pub deleted: bool,
}

/// An `XAUTOCLAIM` reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoClaim {
    /// Where the next call starts (`0-0` when the scan is complete).
    pub cursor: String,
    /// Claimed entries (bodies absent with JUSTID).
    pub claimed: Vec<Entry>,
    /// IDs removed from the PEL because the entry no longer exists.
    pub deleted: Vec<String>,
}

/// One row of the extended `XPENDING` form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRow {
    /// Entry ID.
    pub id: String,
    /// Owning consumer.
    pub owner: String,
    /// Idle ms.
    pub idle_ms: i64,
    /// Delivery counter.
    pub deliveries: i64,
}

fn text(r: &Reply) -> Option<String> {
    match r {
        Reply::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Reply::Status(s) => Some(s.clone()),
        _ => None,
    }
}

/// Entries of an `[[id, fields], ...]` list; bare IDs become body-less entries.
pub fn entries(list: &Reply) -> Vec<Entry> {
    let Reply::Array(items) = list else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Reply::Array(pair) => {
                let id = text(pair.first()?)?;
                match pair.get(1) {
                    Some(Reply::Array(fields)) => Some(Entry {
                        id,
                        msg: message_number(fields),
                        deleted: false,
                    }),
                    _ => Some(Entry {
                        id,
                        msg: None,
                        deleted: true,
                    }),
                }
            }
            other => text(other).map(|id| Entry {
                id,
                msg: None,
                deleted: false,
            }),
        })
        .collect()
}

fn message_number(fields: &[Reply]) -> Option<u64> {
    fields.chunks(2).find_map(|kv| match kv {
        [Reply::Bulk(k), Reply::Bulk(v)] if k.as_slice() == b"m" => {
            std::str::from_utf8(v).ok()?.parse().ok()
        }
        _ => None,
    })
}

/// Entries of the first stream of an XREAD/XREADGROUP reply (none for nil).
pub fn read_entries(reply: &Reply) -> Vec<Entry> {
    match reply {
        Reply::Array(streams) => streams
            .first()
            .and_then(|s| match s {
                Reply::Array(kv) => kv.get(1).map(entries),
                _ => None,
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Whether [`read_entries`] would find any entry, without building them
/// (a parked reader's retry asks this of every reply, and most find nothing).
pub fn has_entries(reply: &Reply) -> bool {
    let Reply::Array(streams) = reply else {
        return false;
    };
    let Some(Reply::Array(kv)) = streams.first() else {
        return false;
    };
    match kv.get(1) {
        Some(Reply::Array(items)) => items.iter().any(|item| match item {
            Reply::Array(pair) => matches!(pair.first(), Some(Reply::Bulk(_) | Reply::Status(_))),
            other => matches!(other, Reply::Bulk(_) | Reply::Status(_)),
        }),
        _ => false,
    }
}

/// Parses an XAUTOCLAIM reply.
pub fn autoclaim(reply: &Reply) -> Option<AutoClaim> {
    let Reply::Array(parts) = reply else {
        return None;
    };
    let cursor = text(parts.first()?)?;
    let claimed = entries(parts.get(1)?);
    let deleted = match parts.get(2) {
        Some(Reply::Array(ids)) => ids.iter().filter_map(text).collect(),
        _ => Vec::new(),
    };
    Some(AutoClaim {
        cursor,
        claimed,
        deleted,
    })
}

/// Parses the extended XPENDING reply.
pub fn pending_rows(reply: &Reply) -> Vec<PendingRow> {
    let Reply::Array(rows) = reply else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| match row {
            Reply::Array(f) => Some(PendingRow {
                id: text(f.first()?)?,
                owner: text(f.get(1)?)?,
                idle_ms: int(f.get(2)?)?,
                deliveries: int(f.get(3)?)?,
            }),
            _ => None,
        })
        .collect()
}

/// An integer reply's value.
pub fn int(r: &Reply) -> Option<i64> {
    match r {
        Reply::Integer(n) => Some(*n),
        _ => None,
    }
}

/// The ms part of an ID text (`"502-0"` → 502).
pub fn id_ms(id: &str) -> Option<u64> {
    id.split('-').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, m: &str) -> Reply {
        Reply::Array(vec![
            Reply::bulk(id),
            Reply::Array(vec![Reply::bulk("m"), Reply::bulk(m)]),
        ])
    }

    #[test]
    fn xreadgroup_reply_with_deleted_entry() {
        let r = Reply::Array(vec![Reply::Array(vec![
            Reply::bulk("s"),
            Reply::Array(vec![
                entry("1-0", "1"),
                Reply::Array(vec![Reply::bulk("2-0"), Reply::Nil]),
            ]),
        ])]);
        let e = read_entries(&r);
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].id.as_str(), e[0].msg, e[0].deleted),
            ("1-0", Some(1), false)
        );
        assert_eq!(
            (e[1].id.as_str(), e[1].msg, e[1].deleted),
            ("2-0", None, true)
        );
        assert!(read_entries(&Reply::NilArray).is_empty());
        assert!(has_entries(&r));
        assert!(!has_entries(&Reply::NilArray));
        let empty = Reply::Array(vec![Reply::Array(vec![
            Reply::bulk("s"),
            Reply::Array(vec![]),
        ])]);
        assert!(!has_entries(&empty));
    }

    #[test]
    fn autoclaim_reply_three_parts() {
        let r = Reply::Array(vec![
            Reply::bulk("503-0"),
            Reply::Array(vec![entry("502-0", "502")]),
            Reply::Array(vec![Reply::bulk("501-0")]),
        ]);
        let a = autoclaim(&r).unwrap();
        assert_eq!(a.cursor, "503-0");
        assert_eq!(a.claimed[0].msg, Some(502));
        assert_eq!(a.deleted, vec!["501-0".to_string()]);
        let justid = Reply::Array(vec![
            Reply::bulk("0-0"),
            Reply::Array(vec![Reply::bulk("7-0")]),
            Reply::Array(vec![]),
        ]);
        let j = autoclaim(&justid).unwrap();
        assert_eq!((j.claimed[0].id.as_str(), j.claimed[0].msg), ("7-0", None));
        assert!(!j.claimed[0].deleted);
    }

    #[test]
    fn pending_rows_parse() {
        let r = Reply::Array(vec![Reply::Array(vec![
            Reply::bulk("13-0"),
            Reply::bulk("w1"),
            Reply::Integer(19400),
            Reply::Integer(1),
        ])]);
        let rows = pending_rows(&r);
        assert_eq!(rows[0].owner, "w1");
        assert_eq!((rows[0].idle_ms, rows[0].deliveries), (19400, 1));
        assert_eq!(id_ms("502-0"), Some(502));
    }
}
