//! DUMP payloads: Redis 7.0.15's RDB encoding of one value, with the
//! footer RESTORE checks (`cluster.c` createDumpPayload /
//! verifyDumpPayload, `rdb.c` rdbSaveObject / rdbLoadObject).
//!
//! ```text
//!   ┌──────┬──────────────────────────────┬────────────────┬──────────────┐
//!   │ type │ value (rdbSaveObject)        │ RDB version u16│ CRC-64 u64   │
//!   │ 1 B  │                              │ LE, 10 in 7.0  │ LE, of all   │
//!   └──────┴──────────────────────────────┴────────────────┴──────────────┘
//!
//!   type                     value
//!   0  string                string
//!   18 list (quicklist 2)    len(nodes), per node: len(container = 2 packed) string(listpack)
//!   11 set (intset)          string(intset blob)
//!   2  set (hash table)      len(n), n × string
//!   16 hash (listpack)       string(listpack)
//!   4  hash (hash table)     len(n), n × (string field, string value)
//!   19 stream (7.0)          len(nodes), per node: string(16-byte master ID) string(listpack)
//!                            len(length) len(last ms) len(last seq) len(first ms) len(first seq)
//!                            len(max-deleted ms) len(max-deleted seq) len(entries-added)
//!                            len(groups), per group: string(name) len(last ms) len(last seq)
//!                              len(entries-read) PEL: len(n), n × (16-byte ID, u64 LE
//!                              delivery ms, len(delivery count))
//!                              len(consumers), per consumer: string(name) u64 LE seen ms
//!                                PEL: len(n), n × 16-byte ID
//!   15 stream (6.2)          as 19 without first ID, max-deleted ID, entries-added, entries-read
//!   14 list (≤ 6.2)          len(nodes), per node: string(ziplist)      } RESTORE only: made
//!   13 hash (≤ 6.2)          string(ziplist of field, value, ...)       } listpacks, as 7.0
//!   10 list (≤ 3.0)          string(ziplist)                            } loads them
//!
//!   len     00xxxxxx (6 bits) │ 01xxxxxx xxxxxxxx (14) │ 0x80 u32 BE │ 0x81 u64 BE
//!   string  len + bytes │ 11000000 i8 │ 11000001 i16 LE │ 11000010 i32 LE  (integers ≤ 11 chars)
//!           │ 11000011 len(compressed) len(original) LZF bytes     (over 20 bytes, if ≥ 4 saved)
//! ```
//!
//! [`write`] encodes (what DUMP replies), [`read`] and [`read_stream`]
//! decode (what RESTORE stores), [`check`] makes sure a payload's
//! listpacks and intsets are well formed before the engine reads them,
//! so a corrupt payload is an error reply and never a crash, and
//! [`ziplist`] reads the ziplists of 6.2-era lists and hashes (types 10,
//! 13, 14), which RESTORE turns into listpacks as 7.0 does.

pub mod check;
pub mod crc64;
pub mod lzf;
pub mod read;
pub mod read_stream;
pub mod write;
pub mod ziplist;

/// `RDB_VERSION` of Redis 7.0: what DUMP writes and the newest RESTORE takes.
pub const RDB_VERSION: u16 = 10;

/// RDB object types (`rdb.h`).
pub mod types {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;

    /// `rdbIsObjectType`: the bytes RESTORE takes as a value type.
    pub fn is_object_type(t: u8) -> bool {
        t <= 7 || (9..=19).contains(&t)
    }
}

/// Why a payload was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RdbError {
    /// Shorter than the footer, a newer RDB version, or a CRC mismatch.
    Footer,
    /// The value does not decode (`rdbLoadObject` failed): the reason is
    /// what Redis would log.
    BadFormat(&'static str),
    /// A well-formed value of a type the engine does not hold (sorted
    /// sets, module values, pre-3.2 encodings).
    Unsupported(u8),
}

impl RdbError {
    /// The error reply RESTORE gives.
    pub fn reply_text(&self) -> String {
        match self {
            RdbError::Footer => "ERR DUMP payload version or checksum are wrong".into(),
            RdbError::BadFormat(_) => "ERR Bad data format".into(),
            RdbError::Unsupported(t) => format!(
                "ERR Bad data format (RDB type {t} is a value type this server does not store)"
            ),
        }
    }
}

/// `verifyDumpPayload`: the footer's version is at most ours and the
/// CRC-64 of everything before the checksum matches it.
pub fn verify_footer(payload: &[u8]) -> Result<u16, RdbError> {
    if payload.len() < 10 {
        return Err(RdbError::Footer);
    }
    let footer = &payload[payload.len() - 10..];
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version > RDB_VERSION {
        return Err(RdbError::Footer);
    }
    let crc = crc64::crc64(0, &payload[..payload.len() - 8]);
    if crc.to_le_bytes() != footer[2..] {
        return Err(RdbError::Footer);
    }
    Ok(version)
}

/// Appends the footer to an encoded value (`createDumpPayload`).
pub fn seal(mut body: Vec<u8>) -> Vec<u8> {
    body.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(0, &body);
    body.extend_from_slice(&crc.to_le_bytes());
    body
}
