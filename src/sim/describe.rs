//! One-line meaning of a command's reply, for the narrated transcript.
//!
//! ```text
//!   XREADGROUP ... > ─▶ Got(n) | Parked (blocking, nothing yet) | NothingNew
//!   XAUTOCLAIM       ─▶ Claimed(claimed, deleted)        XCLAIM ─▶ Claimed(n, 0)
//!   XPENDING ... n   ─▶ PendingRows(n)                   XTRIM  ─▶ Trimmed(n)
//!   XACK id...       ─▶ Acked(acked, asked)              error  ─▶ Refused
//! ```
//!
//! Counting only walks the reply arrays (no strings are built), so every
//! step can carry its meaning at almost no cost; the text is made when the
//! transcript is printed.

use super::trace::Note;
use crate::engine::{Executed, Reply};

fn len(r: Option<&Reply>) -> u64 {
    match r {
        Some(Reply::Array(items)) => items.len() as u64,
        _ => 0,
    }
}

/// The note for a step whose caller gave none.
pub fn describe(argv: &[Vec<u8>], ex: &Executed) -> Note {
    if ex.reply.is_error() {
        return Note::Refused;
    }
    let Some(name) = argv.first() else {
        return Note::Plain;
    };
    let is = |n: &[u8]| name.eq_ignore_ascii_case(n);
    if is(b"XREADGROUP") || is(b"XREAD") {
        let n = match &ex.reply {
            Reply::Array(streams) => streams
                .iter()
                .map(|s| match s {
                    Reply::Array(kv) => len(kv.get(1)),
                    _ => 0,
                })
                .sum(),
            _ => 0,
        };
        return match (n, ex.block.is_some()) {
            (0, true) => Note::Parked,
            (0, false) => Note::NothingNew,
            (n, _) => Note::Got(n),
        };
    }
    match &ex.reply {
        Reply::Array(parts) if is(b"XAUTOCLAIM") => {
            Note::Claimed(len(parts.get(1)), len(parts.get(2)))
        }
        Reply::Array(items) if is(b"XCLAIM") => Note::Claimed(items.len() as u64, 0),
        Reply::Array(rows) if is(b"XPENDING") && argv.len() > 3 => {
            Note::PendingRows(rows.len() as u64)
        }
        Reply::Integer(n) if is(b"XTRIM") => Note::Trimmed(*n as u64),
        Reply::Integer(n) if is(b"XACK") => {
            Note::Acked(*n as u64, argv.len().saturating_sub(3) as u64)
        }
        _ => Note::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BlockRequest;

    fn argv(s: &str) -> Vec<Vec<u8>> {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    fn entry(id: &str) -> Reply {
        Reply::Array(vec![
            Reply::bulk(id),
            Reply::Array(vec![Reply::bulk("m"), Reply::bulk("1")]),
        ])
    }

    #[test]
    fn reads_count_entries_or_park() {
        let got = Executed::reply(Reply::Array(vec![Reply::Array(vec![
            Reply::bulk("s"),
            Reply::Array(vec![entry("1-0"), entry("2-0")]),
        ])]));
        let cmd = argv("XREADGROUP GROUP g c COUNT 10 STREAMS s >");
        assert_eq!(describe(&cmd, &got), Note::Got(2));
        let mut blocked = Executed::reply(Reply::NilArray);
        assert_eq!(describe(&cmd, &blocked), Note::NothingNew);
        blocked.block = Some(Box::new(BlockRequest {
            keys: vec![b"s".to_vec()],
            timeout_ms: 0,
            retry_argv: cmd.clone(),
        }));
        assert_eq!(describe(&cmd, &blocked), Note::Parked);
    }

    #[test]
    fn claims_trims_acks_and_errors() {
        let ac = Executed::reply(Reply::Array(vec![
            Reply::bulk("0-0"),
            Reply::Array(vec![entry("4-0")]),
            Reply::Array(vec![Reply::bulk("3-0"), Reply::bulk("5-0")]),
        ]));
        assert_eq!(
            describe(&argv("XAUTOCLAIM s g c 0 0-0"), &ac),
            Note::Claimed(1, 2)
        );
        let trim = Executed::reply(Reply::Integer(50));
        assert_eq!(
            describe(&argv("XTRIM s MAXLEN 1000"), &trim),
            Note::Trimmed(50)
        );
        let ack = Executed::reply(Reply::Integer(0));
        assert_eq!(describe(&argv("XACK s g 1-0"), &ack), Note::Acked(0, 1));
        let err = Executed::reply(Reply::err("NOGROUP x"));
        assert_eq!(describe(&argv("XACK s g 1-0"), &err), Note::Refused);
        let plain = Executed::reply(Reply::Integer(3));
        assert_eq!(describe(&argv("XLEN s"), &plain), Note::Plain);
    }
}
