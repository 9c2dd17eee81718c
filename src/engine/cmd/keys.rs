//! Commands over the key space as a whole (`db.c`): RENAME, RENAMENX,
//! KEYS and SCAN.
//!
//! ```text
//!   SCAN cursor: dictScan's reverse-binary walk over the buckets of a table
//!   sized as Redis sizes the key space (a power of two ≥ the key count, ≥ 4)
//!
//!     table of 8:   cursor 0 ─▶ 4 ─▶ 2 ─▶ 6 ─▶ 1 ─▶ 5 ─▶ 3 ─▶ 7 ─▶ 0 (done)
//!     (increment the bit-reversed cursor: a resize between calls neither
//!      skips a bucket nor revisits more than the split ones)
//! ```
//!
//! Keys land in buckets by a fixed hash here, by a per-process random one
//! in Redis, so which keys one SCAN call returns differs from Redis's; the
//! guarantee a client relies on is the same: every key present for the
//! whole iteration is returned at least once.

use super::super::db::{Db, Value};
use super::super::expire;
use super::super::glob;
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, is, parse_i64, propagate_verbatim};

fn rename_generic(db: &mut Db, call: &Call, out: &mut Executed, nx: bool) {
    let (src, dst) = (call.arg(1), call.arg(2));
    if !db.keys.contains_key(src) {
        return out.reply = Reply::err("ERR no such key");
    }
    let done = if nx { Reply::Integer(1) } else { Reply::ok() };
    if src == dst {
        out.reply = if nx { Reply::Integer(0) } else { Reply::ok() };
        return;
    }
    if nx && db.keys.contains_key(dst) {
        return out.reply = Reply::Integer(0);
    }
    let expire_at_ms = db.keys.expire_at_ms(src);
    let value = db.keys.remove(src).expect("checked above");
    let src_was_stream = matches!(value, Value::Stream(_));
    // dbDelete(dst) + dbAdd(dst) + dbDelete(src): readers blocked on the
    // destination are signalled by the add, those on a stream source by
    // its deletion (blocked group readers there are then unblocked). The
    // TTL moves with the value; the destination's own is gone.
    db.keys.insert(dst.to_vec(), value);
    if let Some(when_ms) = expire_at_ms {
        db.keys.set_expire(dst, when_ms);
    }
    out.signaled_keys.push(dst.to_vec());
    if src_was_stream {
        out.signaled_keys.push(src.to_vec());
    }
    propagate_verbatim(call, out);
    out.reply = done;
}

pub fn rename(db: &mut Db, call: &Call, out: &mut Executed) {
    rename_generic(db, call, out, false);
}

pub fn renamenx(db: &mut Db, call: &Call, out: &mut Executed) {
    rename_generic(db, call, out, true);
}

pub fn keys(db: &Db, call: &Call, out: &mut Executed) {
    let pattern = call.arg(1);
    let all = pattern == b"*";
    // keysCommand leaves out a key past its TTL without deleting it.
    let now_ms = call.now_ms();
    out.reply = Reply::Array(
        db.keys
            .keys()
            .filter(|k| all || glob::matches(pattern, k))
            .filter(|k| !expire::is_expired(db, k, now_ms))
            .map(|k| Reply::Bulk(k.clone()))
            .collect(),
    );
}

/// `parseScanCursorOrReply`: `strtoul`, so a sign is accepted (and a
/// negative cursor wraps), but not leading space or trailing bytes.
fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let (negative, digits) = match arg.first() {
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() {
        return arg.is_empty().then_some(0);
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// FNV-1a: a fixed hash, so that SCAN is the same from run to run.
fn bucket_hash(key: &[u8]) -> u64 {
    key.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One `dictScan` step's cursor update for a table of `mask + 1` buckets.
fn next_cursor(v: u64, mask: u64) -> u64 {
    let v = v | !mask;
    v.reverse_bits().wrapping_add(1).reverse_bits()
}

/// What one SCAN call visited: the cursor to return, every key of the
/// buckets walked, and the filters to apply to them.
pub struct ScanPass<'a, 'k> {
    /// The next cursor.
    pub cursor: u64,
    /// The keys of the buckets walked, before filtering.
    pub visited: Vec<&'k Vec<u8>>,
    /// MATCH, unless absent or `*`.
    pub pattern: Option<&'a [u8]>,
    /// TYPE.
    pub type_name: Option<&'a [u8]>,
}

/// Parses SCAN's arguments and walks the buckets (db.c:scanGenericCommand
/// up to its filtering step, which hits.rs needs to count TYPE's lookups).
pub fn scan_pass<'a, 'k>(db: &'k Db, argv: &'a [Vec<u8>]) -> Result<ScanPass<'a, 'k>, Reply> {
    let arg = |i: usize| argv.get(i).map(Vec::as_slice).unwrap_or(b"");
    let Some(mut cursor) = parse_cursor(arg(1)) else {
        return Err(Reply::err("ERR invalid cursor"));
    };
    let (mut count, mut pattern, mut type_name): (i64, Option<&[u8]>, Option<&[u8]>) =
        (10, None, None);
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - i >= 2;
        if is(arg(i), "COUNT") && more {
            count = match parse_i64(arg(i + 1)) {
                Err(e) => return Err(e),
                Ok(n) if n < 1 => return Err(Reply::err(SYNTAX)),
                Ok(n) => n,
            };
        } else if is(arg(i), "MATCH") && more {
            pattern = Some(arg(i + 1)).filter(|p| *p != b"*");
        } else if is(arg(i), "TYPE") && more {
            type_name = Some(arg(i + 1));
        } else {
            return Err(Reply::err(SYNTAX));
        }
        i += 2;
    }
    let buckets = db.keys.len().max(4).next_power_of_two() as u64;
    let mask = buckets - 1;
    let mut by_bucket: std::collections::BTreeMap<u64, Vec<&Vec<u8>>> = Default::default();
    for key in db.keys.keys() {
        by_bucket
            .entry(bucket_hash(key) & mask)
            .or_default()
            .push(key);
    }
    let mut visited: Vec<&Vec<u8>> = Vec::new();
    let mut iterations_left = count.saturating_mul(10);
    loop {
        if let Some(keys) = by_bucket.get(&(cursor & mask)) {
            visited.extend(keys.iter().copied());
        }
        cursor = next_cursor(cursor, mask);
        if cursor == 0 || iterations_left == 0 || visited.len() as i64 >= count {
            break;
        }
        iterations_left -= 1;
    }
    Ok(ScanPass {
        cursor,
        visited,
        pattern,
        type_name,
    })
}

/// SCAN. The keys of the walked buckets are filtered as scanGenericCommand
/// filters them: MATCH first; then TYPE, where a key past its TTL reads
/// as type `none`; then, without TYPE, a key past its TTL is left out.
/// Deleting those keys (and counting TYPE's lookups) happens after the
/// handler, in `expire::after_scan`, so that SCAN stays a read: a shared
/// dataset can run it too (the explorer's console at a run's end).
pub fn scan(db: &Db, call: &Call, out: &mut Executed) {
    let pass = match scan_pass(db, call.argv) {
        Ok(pass) => pass,
        Err(e) => return out.reply = e,
    };
    let (pattern, type_name) = (pass.pattern, pass.type_name);
    let now_ms = call.now_ms();
    let alive = |key: &[u8]| call.from_master || !expire::is_expired(db, key, now_ms);
    let keep = |key: &&Vec<u8>| {
        if !pattern.is_none_or(|p| glob::matches(p, key)) {
            return false;
        }
        match type_name {
            Some(wanted) => {
                let found = db.keys.get(key).filter(|_| alive(key));
                let name = found.map_or("none", Value::type_name);
                name.as_bytes().eq_ignore_ascii_case(wanted)
            }
            None => alive(key),
        }
    };
    let keys = pass
        .visited
        .into_iter()
        .filter(keep)
        .map(|k| Reply::Bulk(k.clone()))
        .collect();
    out.reply = Reply::Array(vec![
        Reply::Bulk(pass.cursor.to_string().into_bytes()),
        Reply::Array(keys),
    ]);
}

#[cfg(test)]
mod tests {
    use super::{next_cursor, parse_cursor};

    #[test]
    fn cursor_walks_buckets_in_reverse_binary_order() {
        let mut seen = Vec::new();
        let mut v = 0;
        loop {
            seen.push(v);
            v = next_cursor(v, 7);
            if v == 0 {
                break;
            }
        }
        assert_eq!(seen, [0, 4, 2, 6, 1, 5, 3, 7]);
    }

    #[test]
    fn cursor_parsing_is_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+12"), Some(12));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b" 1"), None);
        assert_eq!(parse_cursor(b"1x"), None);
        assert_eq!(parse_cursor(b"99999999999999999999"), None);
    }
}
