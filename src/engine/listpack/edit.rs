//! Editing a listpack anywhere, as lists and hashes need: insert before an
//! element, delete one or a range, seek by index, merge two listpacks.
//!
//! ```text
//!   insert_before(p, "x")        delete(p)                 delete_range(i, n)
//!   [a][b][c]EOF                 [a][b][c]EOF              [a][b][c][d]EOF
//!       ▲ p                          ▲ p                       ▲ i=1, n=2
//!   [a][x][b][c]EOF              [a][c]EOF                 [a][d]EOF
//!       ▲ returned                   ▲ returned (None at EOF)
//! ```
//!
//! Each operation leaves the allocation where Redis 7.0.15's leaves it,
//! because `MEMORY USAGE` of a list or hash reads `zmalloc_size` of the
//! listpack:
//!
//! ```text
//!   lpInsert  grows    realloc(new) only when new > usable size of the old block
//!   lpDelete  shrinks  realloc(new) always                  ─▶ usable(new)
//!   lpDeleteRange*     lpShrinkToFit: realloc when smaller  ─▶ usable(new)
//!   lpMerge            realloc(target, merged bytes)         ─▶ usable(merged)
//! ```

use super::codec::{encode_backlen, encode_int, encode_str_header};
use super::{EOF, HEADER_BYTES, Listpack, MAX_BACKLEN, MAX_INT_ENC, NUMELE_UNKNOWN, Pos};
use crate::engine::id::string2ll;
use crate::engine::jemalloc;

impl Listpack {
    /// A copy in a fresh allocation of exactly its length (`zmalloc(lpBytes)`
    /// then `memcpy`, as a quicklist node split copies its listpack).
    pub fn copy_exact(&self) -> Listpack {
        let mut buf = Vec::with_capacity(self.buf.len());
        buf.extend_from_slice(&self.buf);
        Listpack { buf }
    }

    /// Makes the allocation model `realloc(request)`: the usable size of
    /// the block becomes jemalloc's class of `request`.
    fn realloc_to(&mut self, request_bytes: usize) {
        let target = jemalloc::usable_size(request_bytes);
        if self.buf.capacity() < target {
            self.buf.reserve_exact(target - self.buf.len());
        } else if self.buf.capacity() > target {
            self.buf.shrink_to(target);
        }
    }

    /// `lpShrinkToFit`: give back what the length does not use.
    fn shrink_alloc(&mut self) {
        if self.buf.len() < self.alloc_bytes() {
            self.realloc_to(self.buf.len());
        }
    }

    /// The position of the terminator: inserting there appends.
    pub fn end(&self) -> Pos {
        Pos(self.buf.len() - 1)
    }

    /// The position just past the element at `p` (`lpSkip`): the next
    /// element or the terminator.
    pub fn skip(&self, p: Pos) -> Pos {
        Pos(p.0 + self.entry_size(p))
    }

    /// Whether `p` is the terminator rather than an element.
    pub fn is_end(&self, p: Pos) -> bool {
        self.buf[p.0] == EOF
    }

    /// Inserts `s` (as an integer when it is a canonical decimal) before
    /// the element at `p`, or at the end when `p` is [`Listpack::end`].
    /// Returns the position of the new element.
    pub fn insert_before(&mut self, p: Pos, s: &[u8]) -> Pos {
        let mut enc = [0u8; MAX_INT_ENC + 5 + MAX_BACKLEN];
        let (head_len, data): (usize, &[u8]) = match string2ll(s) {
            Some(v) => (encode_int(v, &mut enc), &[]),
            None => (encode_str_header(s.len(), &mut enc), s),
        };
        let mut back = [0u8; MAX_BACKLEN];
        let back_len = encode_backlen(head_len + data.len(), &mut back);
        let added = head_len + data.len() + back_len;
        let old_len = self.buf.len();
        let new_len = old_len + added;
        if new_len > self.alloc_bytes() {
            self.realloc_to(new_len);
        }
        let at = p.0;
        self.buf.resize(new_len, 0);
        self.buf.copy_within(at..old_len, at + added);
        self.buf[at..at + head_len].copy_from_slice(&enc[..head_len]);
        self.buf[at + head_len..at + head_len + data.len()].copy_from_slice(data);
        self.buf[at + head_len + data.len()..at + added].copy_from_slice(&back[..back_len]);
        self.set_total_bytes(new_len);
        let count = self.header_count();
        if count != NUMELE_UNKNOWN {
            self.set_count(usize::from(count) + 1);
        }
        Pos(at)
    }

    /// Inserts `s` as the first element (`lpPrepend`).
    pub fn prepend(&mut self, s: &[u8]) {
        self.insert_before(Pos(HEADER_BYTES), s);
    }

    /// Appends `s` through the general insert path (`lpAppend`).
    pub fn push_back(&mut self, s: &[u8]) {
        self.insert_before(self.end(), s);
    }

    /// Deletes the element at `p` (`lpDelete`); returns the element that
    /// took its place, `None` when it was the last.
    pub fn delete(&mut self, p: Pos) -> Option<Pos> {
        let size = self.entry_size(p);
        let old_len = self.buf.len();
        self.buf.copy_within(p.0 + size..old_len, p.0);
        self.buf.truncate(old_len - size);
        self.realloc_to(self.buf.len());
        self.set_total_bytes(self.buf.len());
        let count = self.header_count();
        if count != NUMELE_UNKNOWN {
            self.set_count(usize::from(count) - 1);
        }
        (!self.is_end(p)).then_some(p)
    }

    /// Deletes up to `num` elements starting at `p` (`lpDeleteRangeWithEntry`).
    pub fn delete_from(&mut self, p: Pos, num: usize) {
        if num == 0 {
            return;
        }
        let mut tail = p.0;
        let mut deleted = 0;
        while deleted < num && self.buf[tail] != EOF {
            tail += self.entry_size(Pos(tail));
            deleted += 1;
        }
        let old_len = self.buf.len();
        self.buf.copy_within(tail..old_len, p.0);
        self.buf.truncate(old_len - (tail - p.0));
        self.set_total_bytes(self.buf.len());
        let count = self.header_count();
        if count != NUMELE_UNKNOWN {
            self.set_count(usize::from(count) - deleted);
        }
        self.shrink_alloc();
    }

    /// Deletes `num` elements from index `index` (negative counts from the
    /// end), as `lpDeleteRange`; an index out of range deletes nothing.
    pub fn delete_range(&mut self, index: i64, num: u64) {
        if num == 0 {
            return;
        }
        let Some(p) = self.seek(index) else {
            return;
        };
        let len = self.len() as i64;
        let from = if index < 0 { len + index } else { index };
        if (len - from) as u64 <= num {
            // Everything from `p` on goes: move the terminator.
            self.buf.truncate(p.0);
            self.buf.push(EOF);
            self.set_total_bytes(self.buf.len());
            self.set_count(from as usize);
            self.shrink_alloc();
        } else {
            self.delete_from(p, num as usize);
        }
    }

    /// The element at `index` (`lpSeek`: negative from the end).
    pub fn seek(&self, index: i64) -> Option<Pos> {
        let len = self.len() as i64;
        let index = if index < 0 { len + index } else { index };
        if index < 0 || index >= len {
            return None;
        }
        if index < len / 2 {
            let mut p = self.first()?;
            for _ in 0..index {
                p = self.next(p)?;
            }
            Some(p)
        } else {
            let mut p = self.last()?;
            for _ in 0..(len - 1 - index) {
                p = self.prev(p)?;
            }
            Some(p)
        }
    }

    /// `lpMerge`: the elements of `first` then `second`, in the larger one's
    /// block reallocated to the merged size.
    pub fn merge(first: Listpack, second: Listpack) -> Listpack {
        let first_count = first.len();
        let second_count = second.len();
        let merged_len = first.buf.len() + second.buf.len() - HEADER_BYTES - 1;
        let mut buf = Vec::with_capacity(merged_len);
        buf.extend_from_slice(&first.buf[..first.buf.len() - 1]);
        buf.extend_from_slice(&second.buf[HEADER_BYTES..]);
        let mut lp = Listpack { buf };
        lp.realloc_to(merged_len);
        lp.set_total_bytes(merged_len);
        lp.set_count((first_count + second_count).min(usize::from(NUMELE_UNKNOWN)));
        lp
    }

    fn set_count(&mut self, n: usize) {
        let n = n.min(usize::from(NUMELE_UNKNOWN)) as u16;
        self.buf[4..6].copy_from_slice(&n.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::Listpack;

    fn items(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|(_, e)| e.to_bytes()).collect()
    }

    #[test]
    fn insert_delete_and_seek_keep_order_and_header() {
        let mut lp = Listpack::new();
        lp.push_back(b"b");
        lp.prepend(b"a");
        lp.push_back(b"123");
        let p = lp.seek(1).unwrap();
        lp.insert_before(p, b"x");
        assert_eq!(items(&lp), [&b"a"[..], b"x", b"b", b"123"]);
        assert_eq!(lp.len(), 4);
        assert_eq!(
            lp.seek(-1).map(|p| lp.get(p).to_bytes()),
            Some(b"123".to_vec())
        );
        let p = lp.seek(0).unwrap();
        let next = lp.delete(p).unwrap();
        assert_eq!(lp.get(next).to_bytes(), b"x");
        lp.delete_range(1, u64::MAX);
        assert_eq!(items(&lp), [b"x"]);
        assert_eq!(lp.lp_bytes(), lp.as_bytes().len());
    }

    #[test]
    fn allocation_follows_redis_reallocs() {
        let mut lp = Listpack::new();
        assert_eq!(lp.alloc_bytes(), 8);
        lp.push_back(b"hello");
        // 7 + 7 = 14 bytes: realloc(14) gives a 16-byte block.
        assert_eq!((lp.lp_bytes(), lp.alloc_bytes()), (14, 16));
        for _ in 0..20 {
            lp.push_back(b"0123456789");
        }
        assert_eq!(lp.lp_bytes(), 14 + 20 * 12);
        assert_eq!(lp.alloc_bytes(), 256);
        let p = lp.seek(0).unwrap();
        lp.delete(p);
        assert_eq!(lp.alloc_bytes(), 256);
        lp.delete_range(0, 10);
        assert_eq!((lp.lp_bytes(), lp.alloc_bytes()), (127, 128));
        let other = lp.copy_exact();
        let merged = Listpack::merge(lp, other);
        assert_eq!(merged.lp_bytes(), 127 * 2 - 7);
        assert_eq!(merged.alloc_bytes(), 256);
        assert_eq!(merged.len(), 20);
    }
}
