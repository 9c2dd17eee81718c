//! Ziplists: how Redis up to 6.2 packed small lists, hashes and sorted
//! sets, read here only to convert RESTORE payloads of those types into
//! listpacks, as Redis 7.0 converts them (`ziplistValidateIntegrity`
//! with deep checks, then `lpAppend` / `lpAppendInteger` per element).
//!
//! ```text
//!   ┌─────────┬─────────┬────────┬─────────────────────────┬──────┐
//!   │ zlbytes │ zltail  │ zllen  │ entry entry ...         │ 0xFF │
//!   │ u32 LE  │ u32 LE  │ u16 LE │                         │      │
//!   └─────────┴─────────┴────────┴─────────────────────────┴──────┘
//!   entry = prevlen (1 byte < 254, or 0xFE + u32 LE) │ encoding │ data
//!   encoding  00LLLLLL             string, 6-bit length
//!             01LLLLLL LLLLLLLL    string, 14-bit length (big endian)
//!             10000000 + u32 BE    string, 32-bit length
//!             C0 i16 │ D0 i32 │ E0 i64 │ F0 i24 │ FE i8      (little endian)
//!             F1..FD               the integer 0..12 itself
//! ```

use super::check::RawElement;

const HEADER_BYTES: usize = 10;
const END: u8 = 0xFF;

/// Encoding byte(s) and data size of the entry whose encoding starts at
/// `at`: `(header bytes, data bytes)`, or `None` for no valid encoding.
fn encoding(zl: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = *zl.get(at)?;
    let byte = |i: usize| zl.get(at + i).copied();
    Some(match first >> 6 {
        0 => (1, usize::from(first & 0x3F)),
        1 => (2, (usize::from(first & 0x3F) << 8) | usize::from(byte(1)?)),
        2 if first == 0x80 => {
            let n = u32::from_be_bytes([byte(1)?, byte(2)?, byte(3)?, byte(4)?]);
            (5, n as usize)
        }
        2 => return None,
        _ => match first {
            0xC0 => (1, 2),
            0xD0 => (1, 4),
            0xE0 => (1, 8),
            0xF0 => (1, 3),
            0xFE => (1, 1),
            0xF1..=0xFD => (1, 0),
            _ => return None,
        },
    })
}

/// Decodes the data of an entry (`ziplistGet`).
fn decode(first: u8, data: &[u8]) -> RawElement<'_> {
    let le = |n: usize| {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&data[..n]);
        // Sign-extend from n bytes.
        (i64::from_le_bytes(b) << (64 - 8 * n)) >> (64 - 8 * n)
    };
    match first {
        0xC0 => RawElement::Int(le(2)),
        0xD0 => RawElement::Int(le(4)),
        0xE0 => RawElement::Int(le(8)),
        0xF0 => RawElement::Int(le(3)),
        0xFE => RawElement::Int(le(1)),
        0xF1..=0xFD => RawElement::Int(i64::from(first & 0x0F) - 1),
        _ => RawElement::Str(data),
    }
}

/// Every element of a ziplist, checked as the deep validation checks
/// it; `None` when malformed.
pub fn elements(zl: &[u8]) -> Option<Vec<RawElement<'_>>> {
    if zl.len() < HEADER_BYTES + 1 {
        return None;
    }
    let bytes = u32::from_le_bytes([zl[0], zl[1], zl[2], zl[3]]) as usize;
    let tail = u32::from_le_bytes([zl[4], zl[5], zl[6], zl[7]]) as usize;
    let count = u16::from_le_bytes([zl[8], zl[9]]);
    let last = zl.len() - 1;
    if bytes != zl.len() || zl[last] != END || tail > last {
        return None;
    }
    let mut out = Vec::new();
    let mut at = HEADER_BYTES;
    let mut prev_size = 0usize;
    let mut prev_at = None;
    while zl[at] != END {
        let (prevlen_bytes, prevlen) = if zl[at] < 0xFE {
            (1, usize::from(zl[at]))
        } else {
            let b = zl.get(at + 1..at + 5)?;
            (5, u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        if prevlen != prev_size {
            return None;
        }
        let enc_at = at + prevlen_bytes;
        let (head, len) = encoding(zl, enc_at)?;
        let data_at = enc_at + head;
        let end = data_at.checked_add(len)?;
        if end > last {
            return None;
        }
        out.push(decode(zl[enc_at], &zl[data_at..end]));
        prev_size = end - at;
        prev_at = Some(at);
        at = end;
    }
    if at != last || prev_at.is_some_and(|p| p != tail) {
        return None;
    }
    if count != u16::MAX && usize::from(count) != out.len() {
        return None;
    }
    Some(out)
}
