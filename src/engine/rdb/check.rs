//! Checks a payload's listpacks and intsets before the engine reads
//! them, as Redis's deep sanitization does (`lpValidateIntegrity`,
//! `streamValidateListpackIntegrity`, `intsetValidateIntegrity`): the
//! engine's readers trust these layouts, so a corrupt one must stop here.
//!
//! ```text
//!   listpack  header total == size, last byte 0xFF, every element's
//!             encoding inside the buffer, its backlen == its size,
//!             header count (unless 65535) == elements walked
//!   stream    the listpack check, then: master entry (ints, N fields, 0),
//!             count + deleted entries, each flags/ms/seq, N or own fields,
//!             values, lp-count == what the entry spans; nothing after
//!   intset    width 2/4/8, 8 + n × width == size, n > 0, strictly ascending
//! ```

use crate::engine::id::string2ll;

/// One element read off raw bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawElement<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl RawElement<'_> {
    /// The element as an integer (`lpGetIntegerIfValid`).
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            RawElement::Int(v) => Some(v),
            RawElement::Str(s) => string2ll(s),
        }
    }
}

/// Size of the encoding + data of the element starting at `at`, when the
/// whole of it lies inside `lp`.
fn encoded_len(lp: &[u8], at: usize) -> Option<usize> {
    let first = *lp.get(at)?;
    let byte = |i: usize| lp.get(at + i).copied().map(usize::from);
    let len = match first {
        x if x & 0x80 == 0 => 1,
        x if x & 0xC0 == 0x80 => 1 + usize::from(x & 0x3F),
        x if x & 0xE0 == 0xC0 => 2,
        0xF1 => 3,
        0xF2 => 4,
        0xF3 => 5,
        0xF4 => 9,
        x if x & 0xF0 == 0xE0 => 2 + ((usize::from(x & 0x0F) << 8) | byte(1)?),
        0xF0 => {
            let n = u32::from_le_bytes([
                byte(1)? as u8,
                byte(2)? as u8,
                byte(3)? as u8,
                byte(4)? as u8,
            ]);
            5usize.checked_add(n as usize)?
        }
        _ => return None, // 0xF5..0xFE are no encoding; 0xFF ends the list
    };
    (at.checked_add(len)? <= lp.len()).then_some(len)
}

fn backlen_size(l: usize) -> usize {
    crate::engine::listpack::backlen_size(l)
}

/// The backlen written for an element of `l` bytes, checked byte by byte.
fn backlen_matches(lp: &[u8], end: usize, l: usize) -> bool {
    let n = backlen_size(l);
    if end + n > lp.len() {
        return false;
    }
    let mut value = 0usize;
    for (k, &b) in lp[end..end + n].iter().rev().enumerate() {
        value |= usize::from(b & 127) << (7 * k);
        let more = b & 128 != 0;
        if more != (k + 1 < n) {
            return false;
        }
    }
    value == l
}

/// Decodes the element at `at` (already checked to lie inside).
fn decode(lp: &[u8], at: usize, len: usize) -> RawElement<'_> {
    let b = &lp[at..at + len];
    let v = match b[0] {
        x if x & 0x80 == 0 => i64::from(x),
        x if x & 0xC0 == 0x80 => return RawElement::Str(&b[1..]),
        x if x & 0xE0 == 0xC0 => {
            let u = (i64::from(x & 0x1F) << 8) | i64::from(b[1]);
            if u >= 1 << 12 { u - (1 << 13) } else { u }
        }
        0xF1 => i64::from(i16::from_le_bytes([b[1], b[2]])),
        0xF2 => i64::from(i32::from_le_bytes([0, b[1], b[2], b[3]]) >> 8),
        0xF3 => i64::from(i32::from_le_bytes([b[1], b[2], b[3], b[4]])),
        0xF4 => i64::from_le_bytes([b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]]),
        x if x & 0xF0 == 0xE0 => return RawElement::Str(&b[2..]),
        _ => return RawElement::Str(&b[5..]),
    };
    RawElement::Int(v)
}

/// Walks a listpack: every element, checked; `None` when malformed.
pub fn listpack_elements(lp: &[u8]) -> Option<Vec<RawElement<'_>>> {
    const HEADER: usize = 6;
    if lp.len() < HEADER + 1 {
        return None;
    }
    let total = u32::from_le_bytes([lp[0], lp[1], lp[2], lp[3]]) as usize;
    let count = u16::from_le_bytes([lp[4], lp[5]]);
    if total != lp.len() || lp[lp.len() - 1] != 0xFF {
        return None;
    }
    let mut out = Vec::new();
    let mut at = HEADER;
    while lp[at] != 0xFF {
        let len = encoded_len(lp, at)?;
        if !backlen_matches(lp, at + len, len) {
            return None;
        }
        out.push(decode(lp, at, len));
        at += len + backlen_size(len);
        if at >= lp.len() {
            return None;
        }
    }
    if at != lp.len() - 1 || (count != u16::MAX && usize::from(count) != out.len()) {
        return None;
    }
    Some(out)
}

/// A stream node's facts once its layout checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamNodeFacts {
    /// The master entry's live count (checked against the flags).
    pub live: u64,
    /// Entry IDs relative to the master ID, as stored (ms, seq deltas),
    /// with their deleted flag.
    pub entries: Vec<(i64, i64, bool)>,
}

/// `streamValidateListpackIntegrity` in its deep form, plus what the
/// engine relies on: the master counters agree with the entry flags.
pub fn stream_listpack(lp: &[u8]) -> Option<StreamNodeFacts> {
    let elements = listpack_elements(lp)?;
    let mut it = elements.iter();
    let mut int = || it.next().and_then(RawElement::as_int);
    let live = int()?;
    let deleted = int()?;
    let master_fields = int()?;
    if live < 0 || deleted < 0 || master_fields < 0 {
        return None;
    }
    let mut at = 3usize;
    let need = |n: i64, at: &mut usize| -> Option<()> {
        let n = usize::try_from(n).ok()?;
        *at = at.checked_add(n)?;
        (*at <= elements.len()).then_some(())
    };
    need(master_fields, &mut at)?;
    let int_at = |i: usize| elements.get(i).and_then(RawElement::as_int);
    if int_at(at)? != 0 {
        return None;
    }
    at += 1;
    let mut entries = Vec::new();
    let mut live_seen = 0u64;
    for _ in 0..live.checked_add(deleted)? {
        let flags = int_at(at)?;
        let ms = int_at(at + 1)?;
        let seq = int_at(at + 2)?;
        at += 3;
        let (fields, extra) = if flags & 2 == 0 {
            let own = int_at(at)?;
            if own < 0 {
                return None;
            }
            at += 1;
            need(own, &mut at)?; // field names, then values below
            (own, 3 + own + 1)
        } else {
            (master_fields, 3)
        };
        need(fields, &mut at)?;
        if int_at(at)? != fields + extra {
            return None;
        }
        at += 1;
        let deleted_flag = flags & 1 != 0;
        live_seen += u64::from(!deleted_flag);
        entries.push((ms, seq, deleted_flag));
    }
    if at != elements.len() || live_seen != live as u64 || entries.is_empty() {
        return None;
    }
    Some(StreamNodeFacts {
        live: live as u64,
        entries,
    })
}

/// `intsetValidateIntegrity` in its deep form: the width and the values.
pub fn intset(blob: &[u8]) -> Option<(u8, Vec<i64>)> {
    if blob.len() < 8 {
        return None;
    }
    let width = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    let count = u32::from_le_bytes([blob[4], blob[5], blob[6], blob[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) || 8 + count.checked_mul(width)? != blob.len() || count == 0 {
        return None;
    }
    let values: Vec<i64> = blob[8..]
        .chunks(width)
        .map(|c| match width {
            2 => i64::from(i16::from_le_bytes([c[0], c[1]])),
            4 => i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            _ => i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        })
        .collect();
    values
        .windows(2)
        .all(|w| w[0] < w[1])
        .then_some((width as u8, values))
}

#[cfg(test)]
mod tests {
    use super::{RawElement, intset, listpack_elements};
    use crate::engine::listpack::Listpack;

    fn sample() -> Vec<u8> {
        let mut lp = Listpack::new();
        lp.append_str(b"field");
        lp.append_int(-70_000);
        lp.append_str(&[b'x'; 200]);
        lp.as_bytes().to_vec()
    }

    #[test]
    fn a_well_formed_listpack_reads_back() {
        let bytes = sample();
        let elements = listpack_elements(&bytes).unwrap();
        assert_eq!(elements.len(), 3);
        assert_eq!(elements[0], RawElement::Str(b"field"));
        assert_eq!(elements[1], RawElement::Int(-70_000));
    }

    #[test]
    fn every_broken_header_size_backlen_or_count_is_refused() {
        let good = sample();
        let mut total = good.clone();
        total[0] ^= 1;
        let mut count = good.clone();
        count[4] = 2;
        let mut backlen = good.clone();
        backlen[6 + 6] ^= 1; // the first element's backlen (1 + 5 bytes in)
        let mut encoding = good.clone();
        encoding[6] = 0xF7; // no such encoding
        let mut end = good.clone();
        *end.last_mut().unwrap() = 0;
        for bad in [
            total,
            count,
            backlen,
            encoding,
            end,
            good[..good.len() - 1].to_vec(),
        ] {
            assert_eq!(listpack_elements(&bad), None);
        }
    }

    #[test]
    fn intsets_must_be_sorted_sized_and_not_empty() {
        let blob = |width: u32, values: &[i16]| {
            let mut b = width.to_le_bytes().to_vec();
            b.extend((values.len() as u32).to_le_bytes());
            for v in values {
                b.extend(v.to_le_bytes());
            }
            b
        };
        assert_eq!(intset(&blob(2, &[-1, 5])), Some((2, vec![-1, 5])));
        assert_eq!(intset(&blob(2, &[5, -1])), None);
        assert_eq!(intset(&blob(2, &[5, 5])), None);
        assert_eq!(intset(&blob(2, &[])), None);
        assert_eq!(intset(&blob(3, &[1])), None);
        assert_eq!(intset(&blob(4, &[1])), None); // 2 bytes of data for width 4
    }
}
