//! Masking the wall-clock parts of a reply, and nothing else.
//!
//! ```text
//!   [.., "idle", 1234, ..]            ─▶ [.., "idle", <time>, ..]    (also seen-time,
//!                                                                     active-time, inactive)
//!   [ID, "consumer", 98765, 2]        ─▶ [ID, "consumer", <time>, 2] XPENDING extended,
//!                                                                     XINFO FULL group PEL
//!   [ID, 1700000000000, 2]            ─▶ [ID, <time>, 2]             XINFO FULL consumer PEL
//! ```
//!
//! The same rules as the oracle's normaliser (R1, R2), applied to parsed
//! replies instead of redis-cli text. Delivery counts are still compared.

use streamlab::engine::Reply;

const TIME_KEYS: &[&[u8]] = &[b"idle", b"seen-time", b"active-time", b"inactive"];

/// The placeholder for a masked integer (an error can never equal a real
/// integer reply, so masked and unmasked values can't be confused).
fn masked() -> Reply {
    Reply::Status("<time>".into())
}

fn is_stream_id(reply: &Reply) -> bool {
    match reply {
        Reply::Bulk(b) => match b.iter().position(|&c| c == b'-') {
            Some(dash) => {
                dash > 0
                    && dash + 1 < b.len()
                    && b[..dash].iter().all(u8::is_ascii_digit)
                    && b[dash + 1..].iter().all(u8::is_ascii_digit)
            }
            None => false,
        },
        _ => false,
    }
}

/// A copy of `reply` with the clock-derived integers replaced.
pub fn mask(reply: &Reply) -> Reply {
    let Reply::Array(items) = reply else {
        return reply.clone();
    };
    let mut items: Vec<Reply> = items.iter().map(mask).collect();
    for i in 0..items.len().saturating_sub(1) {
        if let (Reply::Bulk(key), Reply::Integer(_)) = (&items[i], &items[i + 1])
            && TIME_KEYS.contains(&key.as_slice())
        {
            items[i + 1] = masked();
        }
    }
    match items.as_slice() {
        [id, Reply::Bulk(_), Reply::Integer(_), Reply::Integer(_)] if is_stream_id(id) => {
            items[2] = masked()
        }
        [id, Reply::Integer(_), Reply::Integer(_)] if is_stream_id(id) => items[1] = masked(),
        _ => {}
    }
    Reply::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_only_clock_values() {
        let b = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
        let pel = Reply::Array(vec![
            b("1-1"),
            b("c1"),
            Reply::Integer(123),
            Reply::Integer(2),
        ]);
        let info = Reply::Array(vec![
            b("name"),
            b("c1"),
            b("idle"),
            Reply::Integer(5),
            b("pending"),
            Reply::Integer(3),
        ]);
        let other_pel = Reply::Array(vec![
            b("1-1"),
            b("c1"),
            Reply::Integer(999),
            Reply::Integer(2),
        ]);
        assert_eq!(mask(&pel), mask(&other_pel));
        let recount = Reply::Array(vec![
            b("1-1"),
            b("c1"),
            Reply::Integer(123),
            Reply::Integer(3),
        ]);
        assert_ne!(mask(&pel), mask(&recount));
        let Reply::Array(masked_info) = mask(&info) else {
            panic!()
        };
        assert_eq!(masked_info[3], masked());
        assert_eq!(masked_info[5], Reply::Integer(3));
        // XPENDING summary: [count, min, max, consumers] is untouched.
        let summary = Reply::Array(vec![
            Reply::Integer(2),
            b("1-1"),
            b("2-0"),
            Reply::Array(vec![]),
        ]);
        assert_eq!(mask(&summary), summary);
    }
}
