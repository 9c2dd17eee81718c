//! Encoding a value as `rdbSaveObjectType` + `rdbSaveObject` write it,
//! with `rdbcompression yes` (Redis's default).
//!
//! ```text
//!   dump(value) ─▶ type byte ─▶ body ─▶ seal: + version + CRC-64
//!   every string goes through save_string (rdbSaveRawString):
//!     ≤ 11 bytes and a canonical integer in i32 ─▶ i8 / i16 / i32 encoding
//!     > 20 bytes and LZF saves ≥ 4 bytes        ─▶ LZF blob
//!     otherwise                                 ─▶ length + bytes
//! ```
//!
//! Hash-table hashes and sets are written in the table's iteration order;
//! Redis's is its seeded hash order, so those payloads hold the same
//! members as redis-server's in another order (RESTORE accepts either).

use super::{lzf, seal, types};
use crate::engine::StreamId;
use crate::engine::db::Value;
use crate::engine::hash::Hash;
use crate::engine::id::string2ll;
use crate::engine::set::Set;
use crate::engine::stream::Stream;

/// `QUICKLIST_NODE_CONTAINER_PACKED`: a node holding a listpack.
pub const CONTAINER_PACKED: u64 = 2;
/// `QUICKLIST_NODE_CONTAINER_PLAIN`: a node holding one large element.
pub const CONTAINER_PLAIN: u64 = 1;

/// The payload being written, and the LZF table its strings share.
#[derive(Default)]
pub struct Out {
    pub bytes: Vec<u8>,
    lzf: lzf::Compressor,
}

impl Out {
    fn push(&mut self, b: u8) {
        self.bytes.push(b);
    }

    fn extend_from_slice(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }
}

/// The DUMP payload of `value`, footer included.
pub fn dump(value: &Value) -> Vec<u8> {
    let mut out = Out::default();
    match value {
        Value::String(s) => {
            out.push(types::STRING);
            save_string(&mut out, s);
        }
        Value::List(list) => {
            out.push(types::LIST_QUICKLIST_2);
            save_len(&mut out, list.nodes().len() as u64);
            for node in list.nodes() {
                save_len(&mut out, CONTAINER_PACKED);
                save_string(&mut out, node.as_bytes());
            }
        }
        Value::Set(Set::Intset(set)) => {
            out.push(types::SET_INTSET);
            let width = set.width_bytes();
            let mut blob = Vec::with_capacity(8 + set.len() * usize::from(width));
            blob.extend_from_slice(&u32::from(width).to_le_bytes());
            blob.extend_from_slice(&(set.len() as u32).to_le_bytes());
            for v in set.values() {
                blob.extend_from_slice(&v.to_le_bytes()[..usize::from(width)]);
            }
            save_string(&mut out, &blob);
        }
        Value::Set(Set::Table(table)) => {
            out.push(types::SET);
            save_len(&mut out, table.len() as u64);
            for (member, ()) in table.iter() {
                save_string(&mut out, member);
            }
        }
        Value::Hash(Hash::Listpack(lp)) => {
            out.push(types::HASH_LISTPACK);
            save_string(&mut out, lp.as_bytes());
        }
        Value::Hash(Hash::Table(table)) => {
            out.push(types::HASH);
            save_len(&mut out, table.len() as u64);
            for (field, value) in table.iter() {
                save_string(&mut out, field);
                save_string(&mut out, value);
            }
        }
        Value::Stream(stream) => {
            out.push(types::STREAM_LISTPACKS_2);
            save_stream(&mut out, stream);
        }
    }
    seal(out.bytes)
}

/// `rdbSaveLen`.
pub fn save_len(out: &mut Out, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// `rdbEncodeInteger`: the i8/i16/i32 string encodings, if `v` fits one.
fn encode_integer(out: &mut Out, v: i64) -> bool {
    if (-(1 << 7)..(1 << 7)).contains(&v) {
        out.extend_from_slice(&[0xC0, v as u8]);
    } else if (-(1 << 15)..(1 << 15)).contains(&v) {
        out.push(0xC1);
        out.extend_from_slice(&(v as i16).to_le_bytes());
    } else if (-(1 << 31)..(1 << 31)).contains(&v) {
        out.push(0xC2);
        out.extend_from_slice(&(v as i32).to_le_bytes());
    } else {
        return false;
    }
    true
}

/// `rdbSaveRawString` with compression on.
pub fn save_string(out: &mut Out, s: &[u8]) {
    if s.len() <= 11 {
        if let Some(v) = string2ll(s) {
            if encode_integer(out, v) {
                return;
            }
        }
    }
    // Under 21 bytes LZF cannot win; it must save at least 4 bytes.
    if s.len() > 20 {
        if let Some(packed) = out.lzf.compress(s, s.len() - 4) {
            out.push(0xC3);
            save_len(out, packed.len() as u64);
            save_len(out, s.len() as u64);
            out.extend_from_slice(&packed);
            return;
        }
    }
    save_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

fn save_id(out: &mut Out, id: StreamId) {
    save_len(out, id.ms);
    save_len(out, id.seq);
}

/// The stream body (type 19), in Redis's field order.
fn save_stream(out: &mut Out, s: &Stream) {
    save_len(out, s.radix_tree_keys());
    for (key, node) in s.rax().iter() {
        save_string(out, &key);
        save_string(out, node.as_bytes());
    }
    save_len(out, s.length());
    save_id(out, s.last_id);
    save_id(out, s.first_id);
    save_id(out, s.max_deleted_id);
    save_len(out, s.entries_added);
    save_len(out, s.groups.len() as u64);
    for (name, group) in &s.groups {
        save_string(out, name);
        save_id(out, group.last_id);
        // -1 ("unknown") goes out as the u64 it casts to, 9 bytes.
        save_len(out, group.entries_read as u64);
        save_len(out, group.pel().len());
        for (id, pending) in group.pel().iter() {
            out.extend_from_slice(&id.to_be_bytes());
            out.extend_from_slice(&pending.delivery_ms.to_le_bytes());
            save_len(out, pending.delivery_count);
        }
        save_len(out, group.consumer_count());
        for (_, consumer) in group.consumers() {
            save_string(out, &consumer.name);
            out.extend_from_slice(&consumer.seen_ms.to_le_bytes());
            save_len(out, consumer.pel().len());
            for id in consumer.pel().iter() {
                out.extend_from_slice(&id.to_be_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Out, save_len, save_string};

    fn len_bytes(n: u64) -> Vec<u8> {
        let mut out = Out::default();
        save_len(&mut out, n);
        out.bytes
    }

    fn string_bytes(s: &[u8]) -> Vec<u8> {
        let mut out = Out::default();
        save_string(&mut out, s);
        out.bytes
    }

    #[test]
    fn lengths_take_rdb_save_len_forms_at_each_boundary() {
        assert_eq!(len_bytes(63), [0x3F]);
        assert_eq!(len_bytes(64), [0x40, 0x40]);
        assert_eq!(len_bytes(16383), [0x7F, 0xFF]);
        assert_eq!(len_bytes(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(
            len_bytes(u64::from(u32::MAX)),
            [0x80, 0xFF, 0xFF, 0xFF, 0xFF]
        );
        assert_eq!(len_bytes(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
        // An unknown entries-read (-1) is written as the u64 it casts to.
        assert_eq!(
            len_bytes(-1i64 as u64),
            [0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        );
    }

    #[test]
    fn canonical_integers_up_to_i32_use_the_integer_encodings() {
        assert_eq!(string_bytes(b"-128"), [0xC0, 0x80]);
        assert_eq!(string_bytes(b"128"), [0xC1, 0x80, 0x00]);
        assert_eq!(string_bytes(b"-2147483648"), [0xC2, 0, 0, 0, 0x80]);
        // Past i32, not canonical, or over 11 bytes: a plain string.
        assert_eq!(
            string_bytes(b"2147483648"),
            [&[10u8][..], b"2147483648"].concat()
        );
        assert_eq!(string_bytes(b"0123"), [&[4u8][..], b"0123"].concat());
        assert_eq!(string_bytes(b"+5"), [&[2u8][..], b"+5"].concat());
        // 20 bytes are never compressed, 21 compressible ones are.
        assert_eq!(string_bytes(&[b'a'; 20])[0], 20);
        assert_eq!(string_bytes(&[b'a'; 21])[0], 0xC3);
    }
}
