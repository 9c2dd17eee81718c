//! Node counts and shapes checked against rax.c's own drawings and against
//! `radix-tree-nodes` from a real Redis 7.0.15.

use super::*;

fn build(keys: &[&[u8]]) -> Rax<u32> {
    let mut r = Rax::new();
    for (n, k) in keys.iter().enumerate() {
        assert_eq!(r.insert(k, n as u32), None, "fresh insert of {k:?}");
        r.validate().unwrap();
    }
    r
}

/// The 16-byte big-endian key a stream uses for ID `ms-seq`.
fn id(ms: u64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&ms.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

#[test]
fn empty_tree_has_only_the_root() {
    let r: Rax<u32> = Rax::new();
    assert_eq!((r.len(), r.node_count()), (0, 1));
    assert_eq!(r.show(), "[]\n");
    r.validate().unwrap();
}

#[test]
fn rax_h_drawing_foo_foobar_footer_first() {
    let mut r = Rax::new();
    let steps: [(&[u8], u64); 4] = [(b"foo", 2), (b"foobar", 3), (b"footer", 6), (b"first", 10)];
    for (k, nodes) in steps {
        r.insert(k, ());
        r.validate().unwrap();
        assert_eq!(r.node_count(), nodes, "after inserting {:?}", k);
    }
    let expected = concat!(
        "[f] -> [io]\n",
        "        `-(i) \"rst\" -> []=*\n",
        "        `-(o) [o] -> [bt]=*\n",
        "                      `-(b) \"ar\" -> []=*\n",
        "                      `-(t) \"er\" -> []=*\n",
    );
    assert_eq!(r.show(), expected);
}

#[test]
fn show_indents_children_under_their_parent() {
    let r = build(&[b"foo", b"foobar", b"footer"]);
    let expected = concat!(
        "\"foo\" -> [bt]=*\n",
        "          `-(b) \"ar\" -> []=*\n",
        "          `-(t) \"er\" -> []=*\n",
    );
    assert_eq!(r.show(), expected);
    let r = build(&[&[0u8, 1], &[0, 0xff]]);
    assert_eq!(
        r.show(),
        "[\\x00] -> [\\x01\\xff]\n           `-(\\x01) []=*\n           `-(\\xff) []=*\n"
    );
}

#[test]
fn split_cases_from_rax_c_comment() {
    // "ANNIBALE" -> "SCO" -> [] : 3 nodes.
    let base = build(&[b"ANNIBALE", b"ANNIBALESCO"]);
    assert_eq!(base.node_count(), 3);

    // 1) "ANNIENTARE": trimmed "ANNI", split [BE], postfix "ALE", new "NTARE" + leaf.
    let mut r = base.clone();
    r.insert(b"ANNIENTARE", 9);
    r.validate().unwrap();
    assert_eq!(r.node_count(), 7);
    // 2) "ANNIBALI": trimmed "ANNIBAL", split [EI], no postfix, new leaf.
    let mut r = base.clone();
    r.insert(b"ANNIBALI", 9);
    r.validate().unwrap();
    assert_eq!(r.node_count(), 5);
    // 3) "AGO": trimmed [A] (one byte: a normal node), split [GN], postfix "NIBALE", [O], leaf.
    let mut r = base.clone();
    r.insert(b"AGO", 9);
    r.validate().unwrap();
    assert_eq!(r.node_count(), 7);
    assert!(r.show().starts_with("[A] -> [GN]"), "{}", r.show());
    // 4) "CIAO": the split node replaces the run, postfix "NNIBALE", "IAO" + leaf.
    let mut r = base.clone();
    r.insert(b"CIAO", 9);
    r.validate().unwrap();
    assert_eq!(r.node_count(), 6);
    assert!(r.show().starts_with("[AC]"), "{}", r.show());
    // 5) "ANNI": the run is cut, the second half is the new key.
    let mut r = base.clone();
    r.insert(b"ANNI", 9);
    r.validate().unwrap();
    assert_eq!(r.node_count(), 4);
    assert!(
        r.show()
            .starts_with("\"ANNI\" -> \"BALE\"=* -> \"SCO\"=* -> []=*")
    );
}

#[test]
fn removal_recompresses_a_freed_branch() {
    // rax.c's second recompression example: "FOOBAR", "FOOTER", drop "FOOTER".
    let mut r = build(&[b"FOOBAR", b"FOOTER"]);
    assert_eq!(r.node_count(), 6);
    assert_eq!(r.remove(b"FOOTER"), Some(1));
    r.validate().unwrap();
    assert_eq!(r.node_count(), 2);
    assert_eq!(r.show(), "\"FOOBAR\" -> []=*\n");
}

#[test]
fn removing_a_key_in_a_compressed_node_keeps_the_split() {
    // rax.c only recompresses when the unkeyed node has exactly one byte, so
    // "FOO" -> "BAR" -> [] stays three nodes after "FOO" goes.
    let mut r = build(&[b"FOO", b"FOOBAR"]);
    assert_eq!(r.node_count(), 3);
    assert_eq!(r.remove(b"FOO"), Some(0));
    r.validate().unwrap();
    assert_eq!(r.node_count(), 3);
    assert_eq!(r.show(), "\"FOO\" -> \"BAR\" -> []=*\n");
    // A one-byte normal node that stops being a key is merged away.
    let mut r = build(&[b"FOOB", b"FOOBA"]);
    assert_eq!(r.node_count(), 3);
    r.remove(b"FOOB");
    assert_eq!(r.node_count(), 2);
    assert_eq!(r.show(), "\"FOOBA\" -> []=*\n");
}

#[test]
fn removal_stops_at_keys_and_branches() {
    let mut r = build(&[b"foo", b"foobar", b"footer"]);
    r.remove(b"footer");
    r.validate().unwrap();
    assert_eq!(r.node_count(), 4);
    assert_eq!(r.show(), "\"foo\" -> [b]=* -> \"ar\" -> []=*\n");
    r.remove(b"foobar");
    r.validate().unwrap();
    assert_eq!(r.node_count(), 2);
    r.remove(b"foo");
    r.validate().unwrap();
    assert_eq!((r.node_count(), r.len()), (1, 0));
    assert_eq!(r.show(), "[]\n");
}

#[test]
fn empty_key_lives_in_the_root() {
    let mut r = build(&[b"", b"a"]);
    assert_eq!(r.node_count(), 2);
    assert_eq!(r.get(b""), Some(&0));
    assert_eq!(r.remove(b""), Some(0));
    assert_eq!(r.node_count(), 2);
    assert_eq!(r.remove(b"a"), Some(1));
    assert_eq!(r.node_count(), 1);
    r.validate().unwrap();
}

#[test]
fn overwrite_returns_old_value_and_keeps_shape() {
    let mut r = build(&[b"abc", b"abd"]);
    let nodes = r.node_count();
    assert_eq!(r.insert(b"abc", 7), Some(0));
    assert_eq!((r.len(), r.node_count()), (2, nodes));
    *r.get_mut(b"abd").unwrap() += 10;
    assert_eq!(r.get(b"abd"), Some(&11));
    assert_eq!(r.get(b"ab"), None);
    assert_eq!(r.remove(b"ab"), None);
    assert_eq!(r.remove(b"abcd"), None);
}

#[test]
fn node_record_is_24_bytes() {
    assert_eq!(NODE_BYTES, 24);
}

// ---- cases checked against redis-server 7.0.15 (XINFO STREAM radix-tree-nodes) ----

/// The oracle transcript xinfo-radix-nodes: node keys 1-1, 1-5, then 256-0.
#[test]
fn redis_case_xinfo_radix_nodes() {
    let mut r = Rax::new();
    r.insert(&id(1, 1), ());
    assert_eq!(r.node_count(), 2);
    r.insert(&id(1, 5), ());
    assert_eq!(r.node_count(), 4);
    r.insert(&id(256, 0), ());
    assert_eq!(r.node_count(), 8);
}

/// The oracle transcript xdel-radix: node keys 1-0 and 5-0, the first node
/// emptied and removed, then node 9-0 added.
#[test]
fn redis_case_xdel_radix() {
    let mut r = Rax::new();
    r.insert(&id(1, 0), ());
    r.insert(&id(5, 0), ());
    assert_eq!(r.node_count(), 6);
    r.remove(&id(1, 0));
    assert_eq!(r.node_count(), 2);
    r.insert(&id(9, 0), ());
    assert_eq!(r.node_count(), 6);
    r.validate().unwrap();
}

// ---- figures from /work/shared/reference/redis-measurements.md (1M entries) ----

/// Master IDs of a stream loaded with `count` entries, `per_node` per node,
/// entry `i` having ID `ms_of(i)-seq_of(i)`.
fn stream_keys(count: u64, per_node: u64, id_of: impl Fn(u64) -> (u64, u64)) -> Rax<()> {
    let mut r = Rax::new();
    for i in (0..count).step_by(per_node as usize) {
        let (ms, seq) = id_of(i);
        r.insert(&id(ms, seq), ());
    }
    r
}

#[test]
fn redis_measured_same_ms_ids() {
    let r = stream_keys(1_000_000, 100, |i| (1_700_000_000_000, i));
    assert_eq!((r.len(), r.node_count()), (10_000, 13_924));
    let r = stream_keys(1_000_000, 10, |i| (1_700_000_000_000, i));
    assert_eq!((r.len(), r.node_count()), (100_000, 103_925));
    r.validate().unwrap();
}

#[test]
fn redis_measured_spread_ids() {
    let r = stream_keys(1_000_000, 100, |i| (1_700_000_000_000 + 1000 * i, 0));
    assert_eq!((r.len(), r.node_count()), (10_000, 20_065));
    let r = stream_keys(1_000_000, 10, |i| (1_700_000_000_000 + 1000 * i, 0));
    assert_eq!((r.len(), r.node_count()), (100_000, 215_324));
    r.validate().unwrap();
}

#[test]
fn memory_per_node_stays_compact() {
    for (name, r) in [
        (
            "same",
            stream_keys(1_000_000, 100, |i| (1_700_000_000_000, i)),
        ),
        (
            "spread",
            stream_keys(1_000_000, 100, |i| (1_700_000_000_000 + 1000 * i, 0)),
        ),
    ] {
        let per_node = r.heap_bytes() as f64 / r.node_count() as f64;
        eprintln!(
            "{name}: {} nodes, {:.1} heap bytes per node",
            r.node_count(),
            per_node
        );
        assert!(per_node <= 40.0, "{name}: {per_node:.1} bytes per node");
    }
}

/// A hand-made sequence run against redis-server 7.0.15 with
/// stream-node-max-entries 1; the counts are its `radix-tree-nodes`.
#[test]
fn redis_case_split_and_merge_at_every_byte() {
    let mut r = Rax::new();
    let adds = [
        ((1, 0), 2),
        ((1, 1), 4),
        ((1, 2), 5),
        ((1, 256), 8),
        ((1, 65536), 11),
        ((256, 0), 15),
        ((65536, 5), 18),
        ((1 << 40, 0), 22),
    ];
    for ((ms, seq), nodes) in adds {
        r.insert(&id(ms, seq), ());
        assert_eq!(r.node_count(), nodes, "after adding {ms}-{seq}");
    }
    let dels = [
        ((1, 1), 21),
        ((1, 256), 19),
        ((256, 0), 16),
        ((1, 0), 14),
        ((65536, 5), 10),
        ((1, 2), 6),
        ((1, 65536), 2),
    ];
    for ((ms, seq), nodes) in dels {
        assert_eq!(r.remove(&id(ms, seq)), Some(()));
        assert_eq!(r.node_count(), nodes, "after deleting {ms}-{seq}");
        r.validate().unwrap();
    }
}
