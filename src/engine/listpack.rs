//! A listpack, byte for byte as Redis 7.0.15's `listpack.c` lays it out.
//!
//! ```text
//!   ┌──────────────┬──────────┬─────────────────────────┬───┬──────┐
//!   │ total-bytes  │ num-elem │ element element ...     │   │ 0xFF │
//!   │ u32 LE       │ u16 LE   │                         │   │ EOF  │
//!   └──────────────┴──────────┴─────────────────────────┴───┴──────┘
//!        num-elem 65535 = "too many, count them"
//!
//!   element = encoding+data │ backlen
//!             ──────────────┘  the length of encoding+data, 1..5 bytes,
//!                              7 bits each, read right to left:
//!                              last byte = lowest bits, bit 7 = "more to the left"
//!
//!   first byte   encoding          encoding+data
//!   0xxxxxxx     7-bit uint        1
//!   10LLLLLL     6-bit-len string  1 + L
//!   110xxxxx     13-bit int        2
//!   1110LLLL     12-bit-len string 2 + L
//!   0xF0         32-bit-len string 5 + L
//!   0xF1..0xF4   16/24/32/64-bit int, little endian   3 / 4 / 5 / 9
//! ```
//!
//! A string that is a canonical 64-bit decimal (`lpStringToInt64`) is stored
//! as an integer, exactly as Redis does: node sizes, and therefore when a
//! stream node closes on `stream-node-max-bytes`, depend on it.
//!
//! The allocation is modelled on jemalloc, as `lp_malloc_size` sees it: the
//! buffer grows only when a write no longer fits the usable size, and
//! shrinking writes reallocate down, so [`Listpack::alloc_bytes`] is the
//! figure `MEMORY USAGE` would count.

mod codec;
mod edit;

use super::id::string2ll;
use super::jemalloc;
pub use codec::backlen_size;
use codec::{decode_backlen, encode_backlen, encode_int, encode_str_header};

/// Bytes of the header: total bytes (u32) and element count (u16).
pub const HEADER_BYTES: usize = 6;
/// The element count stored when it does not fit in the header.
pub const NUMELE_UNKNOWN: u16 = u16::MAX;
const EOF: u8 = 0xFF;
const MAX_INT_ENC: usize = 9;
const MAX_BACKLEN: usize = 5;

/// One decoded element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Element<'_> {
    /// The element as the string a client sees (integers in decimal).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Element::Int(v) => {
                // Every integer-encoded value read (message numbers, most
                // IDs) comes through here: no formatting machinery.
                let mut out = Vec::with_capacity(20);
                if *v < 0 {
                    out.push(b'-');
                }
                super::id::push_decimal(&mut out, v.unsigned_abs());
                out
            }
            Element::Str(s) => s.to_vec(),
        }
    }

    /// Whether the element reads back as `s`. Storage is canonical, so an
    /// integer element can only equal a canonical decimal string.
    pub fn eq_bytes(&self, s: &[u8]) -> bool {
        match self {
            Element::Str(own) => *own == s,
            Element::Int(v) => string2ll(s) == Some(*v),
        }
    }
}

/// How an element is encoded, for explorers and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Uint7,
    Int13,
    Int16,
    Int24,
    Int32,
    Int64,
    Str6,
    Str12,
    Str32,
}

/// The byte offset of an element inside its listpack. Offsets of later
/// elements move when an earlier element is replaced by one of another size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos(usize);

impl Pos {
    /// Byte offset from the start of the listpack.
    pub fn offset(self) -> usize {
        self.0
    }
}

/// A listpack owning its bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Listpack {
    /// The encoded bytes. Its capacity doubles as Redis's allocation size
    /// while the listpack can grow (it is reserved to exactly that), and is
    /// the exact length once closed, when Redis's size is the length's
    /// allocator size class: see [`Listpack::alloc_bytes`]. Not storing
    /// the figure keeps a node at 40 bytes.
    buf: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

/// A copy keeps the capacity, which is the allocation Redis would hold
/// (`Vec::clone` trims it to the length): a copied dataset (an RDB
/// snapshot, a timeline checkpoint) must answer MEMORY USAGE as the
/// original does.
impl Clone for Listpack {
    fn clone(&self) -> Self {
        let mut buf = Vec::with_capacity(self.buf.capacity());
        buf.extend_from_slice(&self.buf);
        Listpack { buf }
    }
}

impl Listpack {
    /// An empty listpack (`lpNew(0)`).
    pub fn new() -> Listpack {
        Listpack::with_capacity(0)
    }

    /// An empty listpack preallocating `capacity_bytes` (`lpNew(capacity)`).
    pub fn with_capacity(capacity_bytes: usize) -> Listpack {
        let alloc_bytes = jemalloc::usable_size(capacity_bytes.max(HEADER_BYTES + 1));
        let mut buf = Vec::with_capacity(alloc_bytes);
        buf.extend_from_slice(&[(HEADER_BYTES + 1) as u8, 0, 0, 0, 0, 0, EOF]);
        Listpack { buf }
    }

    /// A listpack from bytes already checked to be a well-formed listpack
    /// (a RESTORE payload's): allocated at exactly their length, as Redis
    /// allocates a listpack it loads.
    pub fn from_checked_bytes(bytes: &[u8]) -> Listpack {
        let mut buf = Vec::with_capacity(bytes.len());
        buf.extend_from_slice(bytes);
        Listpack { buf }
    }

    /// Total encoded size (`lpBytes`), header and terminator included.
    pub fn lp_bytes(&self) -> usize {
        self.buf.len()
    }

    /// The encoded listpack.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Usable size of the allocation Redis would hold (jemalloc classes).
    pub fn alloc_bytes(&self) -> usize {
        if self.buf.capacity() == self.buf.len() {
            jemalloc::usable_size(self.buf.len())
        } else {
            self.buf.capacity()
        }
    }

    /// Bytes this process really holds for the buffer.
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// The element count field of the header (65535 = unknown).
    pub fn header_count(&self) -> u16 {
        u16::from_le_bytes([self.buf[4], self.buf[5]])
    }

    /// Number of elements, counting them when the header cannot hold it.
    pub fn len(&self) -> usize {
        match self.header_count() {
            NUMELE_UNKNOWN => self.iter().count(),
            n => n as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buf[HEADER_BYTES] == EOF
    }

    pub fn first(&self) -> Option<Pos> {
        (self.buf[HEADER_BYTES] != EOF).then_some(Pos(HEADER_BYTES))
    }

    pub fn last(&self) -> Option<Pos> {
        self.prev(Pos(self.buf.len() - 1))
    }

    pub fn next(&self, p: Pos) -> Option<Pos> {
        let n = p.0 + self.entry_size(p);
        (n < self.buf.len() && self.buf[n] != EOF).then_some(Pos(n))
    }

    pub fn prev(&self, p: Pos) -> Option<Pos> {
        if p.0 <= HEADER_BYTES {
            return None;
        }
        let enc_len = decode_backlen(&self.buf[HEADER_BYTES..p.0])?;
        let start = p.0.checked_sub(enc_len + backlen_size(enc_len))?;
        (start >= HEADER_BYTES).then_some(Pos(start))
    }

    /// A position from a byte offset the caller knows to start an element.
    pub(crate) fn pos_at(&self, offset: usize) -> Pos {
        debug_assert!(offset >= HEADER_BYTES && offset < self.buf.len());
        Pos(offset)
    }

    /// Every element with its position, first to last.
    pub fn iter(&self) -> impl Iterator<Item = (Pos, Element<'_>)> + '_ {
        std::iter::successors(self.first(), move |&p| self.next(p)).map(move |p| (p, self.get(p)))
    }

    /// Decodes the element at `p`.
    pub fn get(&self, p: Pos) -> Element<'_> {
        let b = &self.buf[p.0..];
        let v = match b[0] {
            x if x & 0x80 == 0 => i64::from(x),
            x if x & 0xC0 == 0x80 => return Element::Str(&b[1..1 + (x & 0x3F) as usize]),
            x if x & 0xE0 == 0xC0 => {
                let u = (i64::from(x & 0x1F) << 8) | i64::from(b[1]);
                if u >= 1 << 12 { u - (1 << 13) } else { u }
            }
            0xF1 => i64::from(i16::from_le_bytes([b[1], b[2]])),
            0xF2 => i64::from(i32::from_le_bytes([0, b[1], b[2], b[3]]) >> 8),
            0xF3 => i64::from(i32::from_le_bytes([b[1], b[2], b[3], b[4]])),
            0xF4 => i64::from_le_bytes([b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]]),
            x if x & 0xF0 == 0xE0 => {
                let len = (usize::from(x & 0x0F) << 8) | usize::from(b[1]);
                return Element::Str(&b[2..2 + len]);
            }
            0xF0 => {
                let len = u32::from_le_bytes([b[1], b[2], b[3], b[4]]) as usize;
                return Element::Str(&b[5..5 + len]);
            }
            // Only EOF is left; Redis reads garbage bytes as this marker value.
            x => 12_345_678_900_000_000 + i64::from(x),
        };
        Element::Int(v)
    }

    /// The element as an integer (`lpGetInteger`): integers directly,
    /// strings only when they are canonical decimals.
    pub fn get_int(&self, p: Pos) -> Option<i64> {
        match self.get(p) {
            Element::Int(v) => Some(v),
            Element::Str(s) => string2ll(s),
        }
    }

    /// Encoding of the element at `p`.
    pub fn encoding(&self, p: Pos) -> Encoding {
        match self.buf[p.0] {
            x if x & 0x80 == 0 => Encoding::Uint7,
            x if x & 0xC0 == 0x80 => Encoding::Str6,
            x if x & 0xE0 == 0xC0 => Encoding::Int13,
            0xF1 => Encoding::Int16,
            0xF2 => Encoding::Int24,
            0xF3 => Encoding::Int32,
            0xF4 => Encoding::Int64,
            x if x & 0xF0 == 0xE0 => Encoding::Str12,
            _ => Encoding::Str32,
        }
    }

    /// Bytes of the element at `p`: encoding, data and backlen.
    pub fn entry_size(&self, p: Pos) -> usize {
        let n = self.encoded_len(p);
        n + backlen_size(n)
    }

    /// Encoding plus data of the element at `p`: what its backlen stores.
    pub fn encoded_len(&self, p: Pos) -> usize {
        let b = &self.buf[p.0..];
        match b[0] {
            x if x & 0x80 == 0 => 1,
            x if x & 0xC0 == 0x80 => 1 + (x & 0x3F) as usize,
            x if x & 0xE0 == 0xC0 => 2,
            0xF1 => 3,
            0xF2 => 4,
            0xF3 => 5,
            0xF4 => 9,
            x if x & 0xF0 == 0xE0 => 2 + ((usize::from(x & 0x0F) << 8) | usize::from(b[1])),
            0xF0 => 5 + u32::from_le_bytes([b[1], b[2], b[3], b[4]]) as usize,
            _ => 1,
        }
    }

    /// Appends an integer (`lpAppendInteger`).
    pub fn append_int(&mut self, v: i64) {
        self.tail().int(v);
    }

    /// Appends a string (`lpAppend`), stored as an integer when canonical.
    pub fn append_str(&mut self, s: &[u8]) {
        self.tail().str(s);
    }

    /// Opens the end of the listpack for several appends with a single
    /// header update. The result is identical to appending one by one,
    /// allocation model included: jemalloc classes are monotonic, so growing
    /// once to the class of the final size lands where a realloc per element
    /// would have ended.
    pub fn tail(&mut self) -> Tail<'_> {
        self.buf.pop();
        Tail { lp: self, added: 0 }
    }

    /// Replaces the element at `p` with an integer (`lpReplaceInteger`).
    /// `p` still points at the replaced element afterwards.
    pub fn replace_int(&mut self, p: Pos, v: i64) {
        // Counters in stream master entries mostly stay small: a 7-bit
        // value over a 7-bit value is one byte, its backlen (1) unchanged.
        if (0..=127).contains(&v) && self.buf[p.0] & 0x80 == 0 {
            self.buf[p.0] = v as u8;
            return;
        }
        let mut tmp = [0u8; MAX_INT_ENC + MAX_BACKLEN];
        let n = encode_int(v, &mut tmp);
        let b = encode_backlen(n, &mut tmp[n..]);
        self.splice_element(p, &tmp[..n + b], &[], &[]);
    }

    /// Replaces the element at `p` with a string (`lpReplace`).
    pub fn replace_str(&mut self, p: Pos, s: &[u8]) {
        if let Some(v) = string2ll(s) {
            return self.replace_int(p, v);
        }
        let mut head = [0u8; 5];
        let h = encode_str_header(s.len(), &mut head);
        let mut back = [0u8; MAX_BACKLEN];
        let b = encode_backlen(h + s.len(), &mut back);
        self.splice_element(p, &head[..h], s, &back[..b]);
    }

    /// Gives back preallocated room (`lpShrinkToFit`).
    pub fn shrink_to_fit(&mut self) {
        // Redis's allocator keeps the size class; this process keeps only
        // the bytes (a closed node never grows again, bar a flag or count
        // element changing size, which `grow_to` handles).
        self.buf.shrink_to_fit();
    }

    /// `lpInsert` with LP_REPLACE: grow first, or move then shrink.
    fn splice_element(&mut self, p: Pos, head: &[u8], data: &[u8], back: &[u8]) {
        let at = p.0;
        let old_size = self.entry_size(p);
        let new_size = head.len() + data.len() + back.len();
        let old_len = self.buf.len();
        let new_len = old_len - old_size + new_size;
        if new_size > old_size {
            self.grow_to(new_len);
            self.buf.resize(new_len, 0);
            self.buf.copy_within(at + old_size..old_len, at + new_size);
        } else if new_size < old_size {
            self.buf.copy_within(at + old_size..old_len, at + new_size);
            self.buf.truncate(new_len);
            // Redis reallocates down whenever the listpack shrinks.
            self.buf.shrink_to(jemalloc::usable_size(new_len));
        }
        self.buf[at..at + head.len()].copy_from_slice(head);
        let at = at + head.len();
        self.buf[at..at + data.len()].copy_from_slice(data);
        let at = at + data.len();
        self.buf[at..at + back.len()].copy_from_slice(back);
        self.set_total_bytes(new_len);
    }

    fn grow_to(&mut self, new_len: usize) {
        let alloc_bytes = self.alloc_bytes();
        if new_len > alloc_bytes {
            let target = jemalloc::usable_size(new_len);
            self.buf.reserve_exact(target - self.buf.len());
        } else if new_len > self.buf.capacity() {
            self.buf.reserve_exact(new_len - self.buf.len());
        }
    }

    fn set_total_bytes(&mut self, total: usize) {
        debug_assert!(total <= u32::MAX as usize, "listpack over 4 GiB");
        self.buf[..4].copy_from_slice(&(total as u32).to_le_bytes());
    }
}

/// Appends in progress at the end of a listpack (see [`Listpack::tail`]).
/// The terminator and header are written back when it is dropped.
pub struct Tail<'a> {
    lp: &'a mut Listpack,
    added: usize,
}

impl Tail<'_> {
    /// Makes room for `extra` more bytes plus the terminator, growing to
    /// the allocator class of the new size as Redis's realloc would: the
    /// buffer's capacity is the allocation model.
    #[inline]
    fn ensure(&mut self, extra: usize) {
        let need = self.lp.buf.len() + extra + 1;
        if need > self.lp.buf.capacity() {
            let target = jemalloc::usable_size(need);
            self.lp.buf.reserve_exact(target - self.lp.buf.len());
        }
    }

    /// Appends an integer element.
    #[inline]
    pub fn int(&mut self, v: i64) {
        if (0..=127).contains(&v) {
            // The common case in stream nodes: flags, deltas, counts.
            self.ensure(2);
            // Two pushes, not a two-byte copy: this runs several times per
            // XADD and a slice copy costs a memcpy call.
            self.lp.buf.push(v as u8);
            self.lp.buf.push(1);
        } else {
            let mut tmp = [0u8; MAX_INT_ENC + MAX_BACKLEN];
            let n = encode_int(v, &mut tmp);
            let b = encode_backlen(n, &mut tmp[n..]);
            self.ensure(n + b);
            for &byte in &tmp[..n + b] {
                self.lp.buf.push(byte);
            }
        }
        self.added += 1;
    }

    /// Appends a string element, as an integer when canonical.
    #[inline]
    pub fn str(&mut self, s: &[u8]) {
        if let Some(v) = string2ll(s) {
            return self.int(v);
        }
        let mut head = [0u8; 5];
        let h = encode_str_header(s.len(), &mut head);
        let mut back = [0u8; MAX_BACKLEN];
        let b = encode_backlen(h + s.len(), &mut back);
        self.ensure(h + s.len() + b);
        let buf = &mut self.lp.buf;
        buf.extend_from_slice(&head[..h]);
        buf.extend_from_slice(s);
        buf.extend_from_slice(&back[..b]);
        self.added += 1;
    }
}

impl Drop for Tail<'_> {
    fn drop(&mut self) {
        let lp = &mut *self.lp;
        let total = lp.buf.len() + 1;
        lp.grow_to(total);
        lp.buf.push(EOF);
        lp.set_total_bytes(total);
        let count = lp.header_count();
        if count != NUMELE_UNKNOWN {
            // Per-element increments stop at the "unknown" marker.
            let n = (usize::from(count) + self.added).min(usize::from(NUMELE_UNKNOWN));
            lp.buf[4..6].copy_from_slice(&(n as u16).to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests;
