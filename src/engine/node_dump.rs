//! A node's listpack spelled out element by element, for the visual
//! explorer: where each element sits, its exact bytes, and what it means.
//!
//! ```text
//!   offset  bytes         encoding  value   role
//!   0       35 00 00 00   header    53      total bytes
//!   4       12 00         header    18      element count
//!   6       02 01         7-bit     2       master count           ┐
//!   8       00 01         7-bit     0       master deleted         │ master
//!   10      02 01         7-bit     2       master field count     │ entry
//!   12      86 61 .. 07   6-bit str amount  master field 0         │
//!   ..                                                             ┘
//!   ..      02 01         7-bit     2       flags (SAMEFIELDS)     ┐ entry
//!   ..      00 01         7-bit     0       ms-delta               │ 1700000000000-0
//!   ..
//!   52      ff                              end of listpack
//! ```
//!
//! Plain owned data: the explorer may keep it after the node changes.

use std::fmt;

use super::id::StreamId;
use super::listpack::{Element, Encoding, Listpack};
use super::node::{FLAG_DELETED, FLAG_SAMEFIELDS};

/// A node, every byte accounted for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDump {
    pub master_id: StreamId,
    /// `lpBytes`: header, elements and the end byte.
    pub lp_bytes: usize,
    /// Usable size of Redis's allocation for it (jemalloc class).
    pub alloc_bytes: usize,
    /// The header's element count (65535 = unknown).
    pub header_count: u16,
    pub elements: Vec<ElementDump>,
    /// Offset of the 0xFF end byte.
    pub eof_offset: usize,
}

/// One listpack element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementDump {
    pub offset: usize,
    /// Encoding, data and backlen, as stored.
    pub bytes: Vec<u8>,
    /// How many of `bytes` are the trailing backlen.
    pub backlen_bytes: usize,
    pub encoding: Encoding,
    pub value: DumpValue,
    pub role: Role,
    /// The entry the element belongs to; `None` in the master entry.
    pub entry: Option<StreamId>,
}

/// A decoded element value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DumpValue {
    Int(i64),
    Str(Vec<u8>),
}

/// What an element means in the node layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    MasterCount,
    MasterDeleted,
    MasterFieldCount,
    MasterField(usize),
    MasterTerminator,
    Flags { deleted: bool, samefields: bool },
    MsDelta,
    SeqDelta,
    FieldCount,
    Field(usize),
    Value(usize),
    LpCount,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::MasterCount => write!(f, "master count (live entries)"),
            Role::MasterDeleted => write!(f, "master deleted (tombstones)"),
            Role::MasterFieldCount => write!(f, "master field count"),
            Role::MasterField(i) => write!(f, "master field {i}"),
            Role::MasterTerminator => write!(f, "master terminator (lp-count 0)"),
            Role::Flags {
                deleted,
                samefields,
            } => {
                let mut names = Vec::new();
                if *deleted {
                    names.push("DELETED");
                }
                if *samefields {
                    names.push("SAMEFIELDS");
                }
                if names.is_empty() {
                    names.push("NONE");
                }
                write!(f, "flags {}", names.join("|"))
            }
            Role::MsDelta => write!(f, "ms-delta"),
            Role::SeqDelta => write!(f, "seq-delta"),
            Role::FieldCount => write!(f, "field count"),
            Role::Field(i) => write!(f, "field {i}"),
            Role::Value(i) => write!(f, "value {i}"),
            Role::LpCount => write!(f, "lp-count"),
        }
    }
}

/// Annotates every element of a node's listpack.
pub(crate) fn dump(lp: &Listpack, master_id: StreamId, master_fields: usize) -> NodeDump {
    let raw: Vec<_> = lp.iter().collect();
    let int_at = |i: usize| match raw.get(i) {
        Some((_, Element::Int(v))) => *v,
        _ => 0,
    };
    let mut roles: Vec<(Role, Option<StreamId>)> = Vec::with_capacity(raw.len());
    roles.push((Role::MasterCount, None));
    roles.push((Role::MasterDeleted, None));
    roles.push((Role::MasterFieldCount, None));
    roles.extend((0..master_fields).map(|i| (Role::MasterField(i), None)));
    roles.push((Role::MasterTerminator, None));
    while roles.len() < raw.len() {
        let at = roles.len();
        let flags = int_at(at);
        let id = StreamId::new(
            master_id.ms.wrapping_add(int_at(at + 1) as u64),
            master_id.seq.wrapping_add(int_at(at + 2) as u64),
        );
        let e = Some(id);
        let samefields = flags & FLAG_SAMEFIELDS != 0;
        let deleted = flags & FLAG_DELETED != 0;
        roles.push((
            Role::Flags {
                deleted,
                samefields,
            },
            e,
        ));
        roles.push((Role::MsDelta, e));
        roles.push((Role::SeqDelta, e));
        if samefields {
            roles.extend((0..master_fields).map(|i| (Role::Value(i), e)));
        } else {
            let n = int_at(at + 3).max(0) as usize;
            roles.push((Role::FieldCount, e));
            for i in 0..n {
                roles.push((Role::Field(i), e));
                roles.push((Role::Value(i), e));
            }
        }
        roles.push((Role::LpCount, e));
    }
    let bytes = lp.as_bytes();
    let elements = raw
        .iter()
        .zip(roles)
        .map(|(&(p, value), (role, entry))| {
            let size = lp.entry_size(p);
            let start = p.offset();
            ElementDump {
                offset: start,
                bytes: bytes[start..start + size].to_vec(),
                backlen_bytes: size - lp.encoded_len(p),
                encoding: lp.encoding(p),
                value: match value {
                    Element::Int(v) => DumpValue::Int(v),
                    Element::Str(s) => DumpValue::Str(s.to_vec()),
                },
                role,
                entry,
            }
        })
        .collect();
    NodeDump {
        master_id,
        lp_bytes: lp.lp_bytes(),
        alloc_bytes: lp.alloc_bytes(),
        header_count: lp.header_count(),
        elements,
        eof_offset: lp.lp_bytes() - 1,
    }
}
