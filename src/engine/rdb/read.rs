//! Decoding a RESTORE payload into a value, as `rdbLoadObject` does,
//! leaving each value in the encoding Redis 7.0.15 would pick for it.
//!
//! ```text
//!   type ─┬─ 0  string ────────────────────────────────▶ String
//!         ├─ 1  list of strings ─ push each ───────────▶ quicklist (new nodes)
//!         ├─ 18 quicklist 2 ─ each listpack checked ───▶ quicklist (nodes kept)
//!         ├─ 14 quicklist ─ ziplists to listpacks ─────▶ quicklist (nodes kept)
//!         ├─ 10 ziplist list ─ push each ──────────────▶ quicklist (new nodes)
//!         ├─ 2  set ─ ≤ 512 and all integers? ─────────▶ intset, else hash table
//!         ├─ 11 intset ─ checked; > 512 members ───────▶ hash table
//!         ├─ 4  hash ─ ≤ 512 pairs, all ≤ 64 bytes? ───▶ listpack, else hash table
//!         ├─ 16 hash listpack ─ checked; > 512 pairs ──▶ hash table
//!         ├─ 13 hash ziplist ─ to a listpack; > 512 ───▶ hash table
//!         ├─ 15, 19 streams ───────────────────────────▶ read_stream
//!         └─ sorted sets, modules, ziplist-era types ──▶ Unsupported
//! ```
//!
//! The reader runs over the whole payload, footer included, as Redis's
//! does; an empty value is refused (`emptykey`), as RESTORE refuses it.

use std::collections::BTreeSet;

use super::{RdbError, check, lzf, read_stream, types, ziplist};
use crate::engine::db::{Config, Value};
use crate::engine::dict::Dict;
use crate::engine::hash::Hash;
use crate::engine::id::string2ll;
use crate::engine::intset::Intset;
use crate::engine::listpack::Listpack;
use crate::engine::quicklist::Quicklist;
use crate::engine::set::Set;

/// `DICT_HT_INITIAL_SIZE`: loaders only presize tables larger than this.
const DICT_INITIAL_SLOTS: u64 = 4;

/// A cursor over the payload.
pub struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

fn bad(reason: &'static str) -> RdbError {
    RdbError::BadFormat(reason)
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, at: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.at
    }

    /// The next `n` raw bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        if n > self.remaining() {
            return Err(bad("short read"));
        }
        let out = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    pub fn byte(&mut self) -> Result<u8, RdbError> {
        Ok(self.bytes(1)?[0])
    }

    /// `rdbLoadLenByRef`: a length, or (flag set) a string encoding number.
    fn len_or_encoding(&mut self) -> Result<(u64, bool), RdbError> {
        let first = self.byte()?;
        match first >> 6 {
            0 => Ok((u64::from(first & 0x3F), false)),
            1 => Ok((
                (u64::from(first & 0x3F) << 8) | u64::from(self.byte()?),
                false,
            )),
            3 => Ok((u64::from(first & 0x3F), true)),
            _ if first == 0x80 => {
                let b = self.bytes(4)?;
                Ok((
                    u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
                    false,
                ))
            }
            _ if first == 0x81 => {
                let b = self.bytes(8)?;
                let mut be = [0u8; 8];
                be.copy_from_slice(b);
                Ok((u64::from_be_bytes(be), false))
            }
            _ => Err(bad("unknown length encoding")),
        }
    }

    /// `rdbLoadLen` with no encoding flag asked for: an encoding byte
    /// reads as its low six bits, as in Redis.
    pub fn load_len(&mut self) -> Result<u64, RdbError> {
        Ok(self.len_or_encoding()?.0)
    }

    /// `rdbLoadMillisecondTime`: 8 bytes little endian.
    pub fn millis(&mut self) -> Result<u64, RdbError> {
        let b = self.bytes(8)?;
        let mut le = [0u8; 8];
        le.copy_from_slice(b);
        Ok(u64::from_le_bytes(le))
    }

    /// `rdbGenericLoadStringObject`: plain, integer-encoded or LZF.
    pub fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        let (len, encoded) = self.len_or_encoding()?;
        if !encoded {
            let len = usize::try_from(len).map_err(|_| bad("string too long"))?;
            return Ok(self.bytes(len)?.to_vec());
        }
        let v: i64 = match len {
            0 => i64::from(self.byte()? as i8),
            1 => {
                let b = self.bytes(2)?;
                i64::from(i16::from_le_bytes([b[0], b[1]]))
            }
            2 => {
                let b = self.bytes(4)?;
                i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            3 => return self.lzf_string(),
            _ => return Err(bad("unknown string encoding")),
        };
        Ok(v.to_string().into_bytes())
    }

    /// `rdbLoadLzfStringObject`: the output must have exactly the length
    /// announced.
    fn lzf_string(&mut self) -> Result<Vec<u8>, RdbError> {
        let packed_len = self.load_len()?;
        let len = self.load_len()?;
        let packed_len = usize::try_from(packed_len).map_err(|_| bad("LZF length"))?;
        let len = usize::try_from(len).map_err(|_| bad("LZF length"))?;
        let packed = self.bytes(packed_len)?;
        match lzf::decompress(packed, len) {
            Ok(out) if out.len() == len => Ok(out),
            _ => Err(bad("invalid LZF compressed string")),
        }
    }
}

/// `rdbLoadObjectType` then `rdbLoadObject`: the value a payload holds
/// (footer already verified).
pub fn restore_value(payload: &[u8], config: &Config) -> Result<Value, RdbError> {
    let mut r = Reader::new(payload);
    let t = r.byte()?;
    if !types::is_object_type(t) {
        return Err(bad("not an object type"));
    }
    load_value(t, &mut r, config)
}

fn load_value(t: u8, r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    match t {
        types::STRING => Ok(Value::String(r.string()?)),
        types::LIST => load_plain_list(r, config),
        types::LIST_QUICKLIST_2 => load_quicklist(r, config),
        types::LIST_QUICKLIST => load_ziplist_quicklist(r, config),
        types::LIST_ZIPLIST => load_ziplist_list(r, config),
        types::HASH_ZIPLIST => load_hash_ziplist(r, config),
        types::SET => load_set(r, config),
        types::SET_INTSET => load_intset(r, config),
        types::HASH => load_hash(r, config),
        types::HASH_LISTPACK => load_hash_listpack(r, config),
        types::STREAM_LISTPACKS | types::STREAM_LISTPACKS_2 => {
            read_stream::load_stream(r, t == types::STREAM_LISTPACKS_2).map(Value::Stream)
        }
        other => Err(RdbError::Unsupported(other)),
    }
}

fn nonzero_len(r: &mut Reader) -> Result<u64, RdbError> {
    match r.load_len()? {
        0 => Err(bad("empty key")),
        n => Ok(n),
    }
}

fn load_plain_list(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let len = nonzero_len(r)?;
    let mut list = Quicklist::new(config.list_fill);
    for _ in 0..len {
        list.push_tail(&r.string()?);
    }
    Ok(Value::List(list))
}

fn load_quicklist(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let len = nonzero_len(r)?;
    let mut nodes = Vec::new();
    for _ in 0..len {
        let container = r.load_len()?;
        if container != super::write::CONTAINER_PACKED {
            // A plain node holds one element of 1 GB or more, which this
            // server does not model; anything else is corrupt.
            return if container == super::write::CONTAINER_PLAIN {
                Err(RdbError::Unsupported(types::LIST_QUICKLIST_2))
            } else {
                Err(bad("quicklist integrity check failed"))
            };
        }
        let data = r.string()?;
        if data.is_empty() {
            return Err(bad("empty quicklist node"));
        }
        let elements = check::listpack_elements(&data).ok_or(bad("listpack integrity"))?;
        // Empty listpacks are skipped silently, as Redis does.
        if !elements.is_empty() {
            nodes.push(Listpack::from_checked_bytes(&data));
        }
    }
    if nodes.is_empty() {
        return Err(bad("empty key"));
    }
    Ok(Value::List(Quicklist::from_nodes(nodes, config.list_fill)))
}

/// A ziplist's elements appended to a new listpack (`lpAppend` for
/// strings, `lpAppendInteger` for integers), then shrunk to fit.
fn ziplist_to_listpack(zl: &[u8]) -> Result<Listpack, RdbError> {
    let elements = ziplist::elements(zl).ok_or(bad("ziplist integrity"))?;
    let mut lp = Listpack::new();
    for e in elements {
        match e {
            check::RawElement::Int(v) => lp.append_int(v),
            check::RawElement::Str(s) => lp.append_str(s),
        }
    }
    Ok(Listpack::from_checked_bytes(lp.as_bytes()))
}

/// Type 14: a quicklist whose nodes are ziplists (Redis 3.2 to 6.2).
fn load_ziplist_quicklist(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let len = nonzero_len(r)?;
    let mut nodes = Vec::new();
    for _ in 0..len {
        let data = r.string()?;
        if data.is_empty() {
            return Err(bad("empty quicklist node"));
        }
        let lp = ziplist_to_listpack(&data)?;
        if !lp.is_empty() {
            nodes.push(lp);
        }
    }
    if nodes.is_empty() {
        return Err(bad("empty key"));
    }
    Ok(Value::List(Quicklist::from_nodes(nodes, config.list_fill)))
}

/// Type 10: one ziplist, its elements pushed into a new quicklist.
fn load_ziplist_list(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let data = r.string()?;
    let elements = ziplist::elements(&data).ok_or(bad("ziplist integrity"))?;
    let mut list = Quicklist::new(config.list_fill);
    for e in elements {
        list.push_tail(&raw_bytes(e));
    }
    if list.is_empty() {
        return Err(bad("empty key"));
    }
    Ok(Value::List(list))
}

/// Type 13: a hash ziplist, converted to a listpack (duplicates refused).
fn load_hash_ziplist(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let data = r.string()?;
    let lp = ziplist_to_listpack(&data)?;
    hash_from_listpack(lp, config)
}

/// A hash listpack's pairs checked (even count, no duplicate field, not
/// empty), kept as a listpack or, over 512 pairs, made a table.
fn hash_from_listpack(lp: Listpack, config: &Config) -> Result<Value, RdbError> {
    let items = check::listpack_elements(lp.as_bytes()).ok_or(bad("hash listpack integrity"))?;
    if items.len() % 2 != 0 {
        return Err(bad("hash listpack with an odd count"));
    }
    let mut fields = BTreeSet::new();
    for pair in items.chunks(2) {
        if !fields.insert(raw_bytes(pair[0])) {
            return Err(bad("hash listpack with duplicate fields"));
        }
    }
    if items.is_empty() {
        return Err(bad("empty key"));
    }
    let pairs = items.len() / 2;
    if pairs > config.hash_limits.max_listpack_entries {
        let mut d = Dict::with_expected(pairs);
        for pair in items.chunks(2) {
            d.add(&raw_bytes(pair[0]), raw_bytes(pair[1]));
        }
        return Ok(Value::Hash(Hash::Table(d)));
    }
    Ok(Value::Hash(Hash::Listpack(lp)))
}

/// `set-max-intset-entries`, capped as `rdbLoadObject` caps it.
fn max_intset_entries(config: &Config) -> u64 {
    (config.set_max_intset_entries as u64).min(1 << 30)
}

fn load_set(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let len = nonzero_len(r)?;
    let presize = |d: &Dict<()>| {
        if len > DICT_INITIAL_SLOTS {
            d.expand(len as usize);
        }
    };
    let mut set = if len > max_intset_entries(config) {
        let d = Dict::new();
        presize(&d);
        Set::Table(d)
    } else {
        Set::Intset(Intset::new())
    };
    for _ in 0..len {
        let member = r.string()?;
        if let Set::Intset(ints) = &mut set {
            match string2ll(&member) {
                Some(v) => {
                    if !ints.insert(v) {
                        return Err(bad("duplicate set members"));
                    }
                    continue;
                }
                None => {
                    // setTypeConvert presizes to the intset's length, then
                    // the loader expands to the announced total.
                    let mut d = Dict::with_expected(ints.len());
                    for v in ints.values() {
                        d.add(v.to_string().as_bytes(), ());
                    }
                    d.expand(len as usize);
                    set = Set::Table(d);
                }
            }
        }
        if let Set::Table(d) = &mut set {
            if !d.add(&member, ()) {
                return Err(bad("duplicate set members"));
            }
        }
    }
    Ok(Value::Set(set))
}

fn load_intset(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let blob = r.string()?;
    let (width, values) = check::intset(&blob).ok_or(bad("intset integrity"))?;
    if values.len() as u64 > config.set_max_intset_entries as u64 {
        let mut d = Dict::with_expected(values.len());
        for v in &values {
            d.add(v.to_string().as_bytes(), ());
        }
        return Ok(Value::Set(Set::Table(d)));
    }
    Ok(Value::Set(Set::Intset(Intset::from_sorted(values, width))))
}

fn load_hash(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let mut len = nonzero_len(r)?;
    let limits = config.hash_limits;
    let mut lp = Listpack::new();
    let mut fields: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut table: Option<Dict<Vec<u8>>> = None;
    if len > limits.max_listpack_entries as u64 {
        table = Some(Dict::new());
    }
    while table.is_none() && len > 0 {
        len -= 1;
        let field = r.string()?;
        let value = r.string()?;
        if !fields.insert(field.clone()) {
            return Err(bad("hash with duplicate fields"));
        }
        if field.len() > limits.max_listpack_value_bytes
            || value.len() > limits.max_listpack_value_bytes
        {
            // hashTypeConvert: a table presized to the pairs so far.
            let items = check::listpack_elements(lp.as_bytes()).unwrap_or_default();
            let mut d = Dict::with_expected(items.len() / 2);
            for pair in items.chunks(2) {
                d.add(&raw_bytes(pair[0]), raw_bytes(pair[1]));
            }
            d.add(&field, value);
            table = Some(d);
            break;
        }
        lp.push_back(&field);
        lp.push_back(&value);
    }
    let Some(mut d) = table else {
        return Ok(Value::Hash(Hash::Listpack(lp)));
    };
    if len > DICT_INITIAL_SLOTS {
        d.expand(len as usize);
    }
    for _ in 0..len {
        let field = r.string()?;
        let value = r.string()?;
        if !d.add(&field, value) {
            return Err(bad("duplicate hash fields"));
        }
    }
    Ok(Value::Hash(Hash::Table(d)))
}

fn raw_bytes(e: check::RawElement) -> Vec<u8> {
    match e {
        check::RawElement::Int(v) => v.to_string().into_bytes(),
        check::RawElement::Str(s) => s.to_vec(),
    }
}

fn load_hash_listpack(r: &mut Reader, config: &Config) -> Result<Value, RdbError> {
    let blob = r.string()?;
    check::listpack_elements(&blob).ok_or(bad("hash listpack integrity"))?;
    hash_from_listpack(Listpack::from_checked_bytes(&blob), config)
}
