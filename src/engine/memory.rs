//! Memory figures as Redis 7.0 reports them.
//!
//! `MEMORY USAGE` for a stream is an estimate Redis computes from its
//! structures, not a measurement:
//!
//! ```text
//!   robj 16 + stream 80
//! + radix tree   16 × keys + (4 + 8·30) × rax nodes      (streamRadixTreeMemoryUsage)
//! + listpacks    allocator size of the first SAMPLES nodes, averaged over
//!                all but the last, plus the real last one
//! + groups       per group 40 + its PEL tree + 24 per NACK,
//!                per consumer 24 + name + its PEL tree
//! + key          the key's sds allocation + 24 (dictEntry)
//! ```
//!
//! Lists, hashes and sets follow `objectComputeSize` too:
//!
//! ```text
//!   list      robj 16 + quicklist 40 + (40 + listpack alloc) averaged over the
//!             first SAMPLES nodes × nodes
//!   hash/set  listpack or intset: robj 16 + its allocation
//!             table: robj 16 + dict 56 + 8 × slots + (entry 24 + member sds
//!             [+ value sds]) averaged over the first SAMPLES members × members
//! ```
//!
//! The rax term charges 244 bytes per node where real nodes take ~25, so
//! MEMORY USAGE reads about 25 % above `used_memory` for small entries:
//! streamlab reproduces the estimate, quirk included, because it is what a
//! user sees.

use super::db::Value;
use super::dict::Dict;
use super::hash::Hash;
use super::jemalloc::usable_size;
use super::rax::Rax;
use super::set::Set;
use super::stream::Stream;

/// `streamRadixTreeMemoryUsage`: 16 bytes per key, 244 per rax node.
fn rax_estimate(keys: u64, nodes: u64) -> u64 {
    keys * 16 + nodes * (4 + 8 * 30)
}

/// Rax node count of a set of 16-byte IDs (for PEL trees, which streamlab
/// stores as ordered maps rather than raxes).
fn pel_rax_nodes(ids: impl Iterator<Item = super::StreamId>) -> u64 {
    let mut rax = Rax::new();
    for id in ids {
        rax.insert(&id.to_be_bytes(), ());
    }
    rax.node_count()
}

/// Allocation size of the sds that holds a key.
fn sds_alloc_bytes(len: u64) -> u64 {
    let header = match len {
        0..32 => 1,
        32..256 => 3,
        256..65536 => 5,
        _ => 9,
    };
    usable_size((header + len + 1) as usize) as u64
}

/// `MEMORY USAGE key SAMPLES n` (`u64::MAX` samples = all).
pub fn usage_bytes(key: &[u8], value: &Value, samples: u64) -> u64 {
    let body = match value {
        Value::String(v) => string_usage(value.encoding_name(), v.len() as u64),
        Value::Stream(s) => stream_usage(s, samples),
        Value::List(l) => list_usage(l, samples),
        Value::Hash(h) => hash_usage(h, samples),
        Value::Set(s) => set_usage(s, samples),
    };
    body + sds_alloc_bytes(key.len() as u64) + 24
}

/// A string by its encoding: `int` is the robj alone (the number sits in
/// its pointer), `embstr` one allocation of robj + sdshdr8 (3) + bytes +
/// NUL, `raw` the robj and a separate sds.
fn string_usage(encoding: &str, len: u64) -> u64 {
    match encoding {
        "int" => ROBJ_BYTES,
        "embstr" => usable_size((ROBJ_BYTES + 3 + len + 1) as usize) as u64,
        _ => ROBJ_BYTES + sds_alloc_bytes(len),
    }
}

fn stream_usage(s: &Stream, samples: u64) -> u64 {
    let mut size = 16 + 80 + rax_estimate(s.radix_tree_keys(), s.radix_tree_nodes());
    let nodes: Vec<u64> = s
        .rax()
        .iter()
        .map(|(_, n)| n.alloc_bytes() as u64)
        .collect();
    let sampled = nodes.len().min(samples.min(usize::MAX as u64) as usize);
    let lp_sum: u64 = nodes[..sampled].iter().sum();
    if nodes.len() <= sampled {
        size += lp_sum;
    } else {
        let average = if sampled > 0 {
            lp_sum / sampled as u64
        } else {
            0
        };
        size += average * (nodes.len() as u64 - 1);
        size += nodes.last().copied().unwrap_or(0);
    }
    for group in s.groups.values() {
        size += 40;
        let pel_nodes = pel_rax_nodes(group.pel().iter().map(|(id, _)| id));
        size += rax_estimate(group.pel().len(), pel_nodes) + 24 * group.pel().len();
        for (_, consumer) in group.consumers() {
            size += 24 + consumer.name.len() as u64;
            size += rax_estimate(consumer.pel().len(), pel_rax_nodes(consumer.pel().iter()));
        }
    }
    size
}

/// `sizeof(robj)`.
const ROBJ_BYTES: u64 = 16;
/// `sizeof(quicklist)` and `sizeof(quicklistNode)`: the node is four
/// pointers and a 32-bit bitfield word, padded to 8.
const QUICKLIST_BYTES: u64 = 40;
const QUICKLIST_NODE_BYTES: u64 = 40;
/// `sizeof(dict)` and `sizeof(dictEntry)` in 7.0.
const DICT_BYTES: u64 = 56;
const DICT_ENTRY_BYTES: u64 = 24;

/// `asize += (double)elesize/samples*len` with `asize` a `size_t`: the sum
/// is done in floating point and truncated.
fn add_sampled(base: u64, sampled_bytes: u64, samples: u64, len: u64) -> u64 {
    if samples == 0 {
        return base;
    }
    (base as f64 + sampled_bytes as f64 / samples as f64 * len as f64) as u64
}

/// A list: the first SAMPLES nodes (at least one) stand for all of them.
fn list_usage(list: &super::quicklist::Quicklist, samples: u64) -> u64 {
    let nodes = list.nodes();
    let take = (samples.max(1)).min(nodes.len() as u64) as usize;
    let sampled: u64 = nodes[..take]
        .iter()
        .map(|n| QUICKLIST_NODE_BYTES + n.alloc_bytes() as u64)
        .sum();
    add_sampled(
        ROBJ_BYTES + QUICKLIST_BYTES,
        sampled,
        take as u64,
        nodes.len() as u64,
    )
}

/// Header of a table-encoded hash or set: the dict and its bucket array.
fn dict_base<V>(d: &Dict<V>) -> u64 {
    ROBJ_BYTES + DICT_BYTES + 8 * d.slots() as u64
}

fn hash_usage(hash: &Hash, samples: u64) -> u64 {
    match hash {
        Hash::Listpack(lp) => ROBJ_BYTES + lp.alloc_bytes() as u64,
        Hash::Table(d) => {
            let mut sampled = 0;
            let mut n = 0;
            for (f, v) in d.iter().take(samples.min(usize::MAX as u64) as usize) {
                sampled += sds_alloc_bytes(f.len() as u64)
                    + sds_alloc_bytes(v.len() as u64)
                    + DICT_ENTRY_BYTES;
                n += 1;
            }
            add_sampled(dict_base(d), sampled, n, d.len() as u64)
        }
    }
}

fn set_usage(set: &Set, samples: u64) -> u64 {
    match set {
        Set::Intset(s) => ROBJ_BYTES + s.alloc_bytes() as u64,
        Set::Table(d) => {
            let mut sampled = 0;
            let mut n = 0;
            for (m, _) in d.iter().take(samples.min(usize::MAX as u64) as usize) {
                sampled += sds_alloc_bytes(m.len() as u64) + DICT_ENTRY_BYTES;
                n += 1;
            }
            add_sampled(dict_base(d), sampled, n, d.len() as u64)
        }
    }
}

/// `used_memory_human`: 1.23M style.
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes}B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.2}K", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2}M", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2}G", b / (1024.0 * 1024.0 * 1024.0))
    }
}
