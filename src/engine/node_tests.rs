//! Node layouts checked against real Redis 7.0.15: the same XADD / XDEL /
//! XTRIM sequence was run on a server with `rdbcompression no`, and the
//! node listpacks read back from `DUMP` are the hex strings below.

use super::*;
use crate::engine::listpack::Encoding;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn id(ms: u64, seq: u64) -> StreamId {
    StreamId::new(ms, seq)
}

fn fv<'a>(pairs: &'a [(&'a str, &'a str)]) -> Vec<(&'a [u8], &'a [u8])> {
    pairs
        .iter()
        .map(|(f, v)| (f.as_bytes(), v.as_bytes()))
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    pairs
        .iter()
        .map(|(f, v)| (f.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn same_fields_entries_match_redis() {
    let mut node = Node::new(
        id(1_700_000_000_000, 0),
        &fv(&[("amount", "50"), ("user", "123")]),
        4096,
    );
    node.append(
        id(1_700_000_000_000, 1),
        &fv(&[("amount", "51"), ("user", "124")]),
    );
    assert_eq!(
        hex(node.as_bytes()),
        "35000000120002010001020186616d6f756e7407847573657205000102010001000132017b0105\
         0102010001010133017c010501ff"
    );
    assert_eq!(node.lp_bytes(), 53);
    assert_eq!((node.live(), node.deleted()), (2, 0));
}

#[test]
fn mixed_fields_negative_seq_delta_and_xdel_match_redis() {
    let mut node = Node::new(id(5, 3), &fv(&[("a", "1"), ("b", "2")]), 4096);
    node.append(id(5, 4), &fv(&[("a", "1"), ("c", "hello")]));
    node.append(id(6, 0), &fv(&[("a", "1"), ("b", "2")]));
    node.append(id(7, 0), &fv(&[("f1", "v")]));
    let before = "5900000022000401000102018161028162020001020100010001010102010501000100010101020181\
                  610201018163028568656c6c6f06080102010101dffd0201010201050100010201dffd020101826631\
                  038176020601ff";
    assert_eq!(hex(node.as_bytes()), before);
    let ids: Vec<_> = node.iter().map(|e| e.id).collect();
    assert_eq!(ids, [id(5, 3), id(5, 4), id(6, 0), id(7, 0)]);

    assert!(node.mark_deleted(id(5, 4)));
    let after = "5900000022000301010102018161028162020001020100010001010102010501010100010101020181\
                 610201018163028568656c6c6f06080102010101dffd0201010201050100010201dffd020101826631\
                 038176020601ff";
    assert_eq!(hex(node.as_bytes()), after);
    assert!(!node.mark_deleted(id(5, 4)), "already a tombstone");
    assert!(!node.mark_deleted(id(5, 5)), "absent");
    assert_eq!((node.live(), node.deleted()), (3, 1));
}

#[test]
fn wrapping_ms_delta_matches_redis() {
    let mut node = Node::new(id(1, 0), &fv(&[("f", "v")]), 4096);
    node.append(id(u64::MAX, 0), &fv(&[("f", "v")]));
    assert_eq!(
        hex(node.as_bytes()),
        "290000000f00020100010101816602000102010001000181760204010201dffe0200018176020401ff"
    );
    assert_eq!(node.iter_rev().next().map(|e| e.id), Some(id(u64::MAX, 0)));
    assert_eq!(node.last_live(), Some(id(u64::MAX, 0)));
}

#[test]
fn integer_field_names_compare_as_strings() {
    let mut node = Node::new(id(1, 0), &fv(&[("123", "x"), ("-5", "y")]), 4096);
    node.append(id(1, 1), &fv(&[("123", "a"), ("-5", "b")]));
    node.append(id(1, 2), &fv(&[("0123", "a"), ("-5", "b")]));
    assert_eq!(
        hex(node.as_bytes()),
        "490000001b000301000102017b01dffb020001020100010001817802817902050102010001010181610281\
         620205010001000102010201843031323305816102dffb028162020801ff"
    );
    let last = node.iter_rev().next().unwrap();
    assert_eq!(node.fields(&last), owned(&[("0123", "a"), ("-5", "b")]));
    let second = node.iter().nth(1).unwrap();
    assert_eq!(node.fields(&second), owned(&[("123", "a"), ("-5", "b")]));
}

#[test]
fn trim_inside_a_node_matches_redis() {
    let mut node = Node::new(id(1, 0), &fv(&[("f", "v")]), 4096);
    for ms in 2..=5 {
        node.append(id(ms, 0), &fv(&[("f", "v")]));
    }
    assert!(node.mark_deleted(id(2, 0)));
    // XTRIM MAXLEN 2 on a 4-entry stream: keep removing while length > 2.
    let mut length = 4u64;
    let removed = node.delete_front_while(|e| {
        if length <= 2 {
            return false;
        }
        if !e.deleted {
            length -= 1;
        }
        true
    });
    assert_eq!(removed, 2);
    assert_eq!(
        hex(node.as_bytes()),
        "490000001e00020103010101816602000103010001000181760204010301010100018176020401030102\
         010001817602040102010301000181760204010201040100018176020401ff"
    );
    assert_eq!(node.first_live(), Some(id(4, 0)));
    assert_eq!(node.first_id(), Some(id(1, 0)), "tombstones still count");
    assert_eq!(node.last_id(), Some(id(5, 0)));
}

#[test]
fn master_count_changes_size_at_128() {
    let mut node = Node::new(id(1, 0), &fv(&[("f", "v")]), 4096);
    for ms in 2..=130 {
        node.append(id(ms, 0), &fv(&[("f", "v")]));
    }
    assert_eq!(node.lp_bytes(), 1451);
    assert_eq!(hex(&node.as_bytes()[..12]), "ab0500008f02c08202000101");
    for ms in 1..=3 {
        assert!(node.mark_deleted(id(ms, 0)));
    }
    assert_eq!(node.lp_bytes(), 1450);
    assert_eq!(hex(&node.as_bytes()[..12]), "aa0500008f027f0103010101");
    // Entries found before the shrink still resolve to the same entry.
    let entries: Vec<_> = node.iter().collect();
    assert_eq!(node.fields(&entries[129]), owned(&[("f", "v")]));
    assert_eq!(node.iter_rev().count(), 130);
    assert_eq!(node.first_live(), Some(id(4, 0)));
}

#[test]
fn full_node_of_small_entries_is_1229_bytes() {
    let pairs = fv(&[("amount", "50"), ("user", "123")]);
    let mut node = Node::new(id(1_700_000_000_000, 0), &pairs, Node::prealloc_bytes(4096));
    for seq in 1..100 {
        assert!(!node.is_full(15, 4096, 100));
        node.append(id(1_700_000_000_000, seq), &pairs);
    }
    assert!(node.is_full(15, 4096, 100), "100 entries close the node");
    // header 6 + master entry 22 + 100 entries of 12 + end byte 1
    assert_eq!(node.lp_bytes(), 6 + 22 + 100 * 12 + 1);
    assert_eq!(node.alloc_bytes(), 4096);
    node.shrink_to_fit();
    assert_eq!(node.alloc_bytes(), 1280, "jemalloc class of 1229");
    assert!(node.heap_bytes() >= node.lp_bytes());
}

#[test]
fn five_ten_byte_values_close_on_bytes_at_59() {
    let values: Vec<String> = (1..=5).map(|i| format!("value-{i:04}")).collect();
    let names: Vec<String> = (1..=5).map(|i| format!("field{i}")).collect();
    let pairs: Vec<(&[u8], &[u8])> = names
        .iter()
        .zip(&values)
        .map(|(f, v)| (f.as_bytes(), v.as_bytes()))
        .collect();
    let payload: usize = pairs.iter().map(|(f, v)| f.len() + v.len()).sum();
    let mut node = Node::new(id(1_700_000_000_000, 0), &pairs, 4096);
    let mut seq = 1;
    while !node.is_full(payload, 4096, 100) {
        node.append(id(1_700_000_000_000, seq), &pairs);
        seq += 1;
    }
    assert_eq!(node.live(), 59);
    assert_eq!(node.lp_bytes(), 6 + 48 + 59 * 68 + 1);
    node.shrink_to_fit();
    assert_eq!(node.alloc_bytes(), 4096);
}

#[test]
fn is_full_follows_redis_limits() {
    let node = Node::new(id(1, 0), &fv(&[("f", "v")]), 100);
    let bytes = node.lp_bytes();
    assert!(!node.is_full(99 - bytes, 100, 0));
    assert!(node.is_full(100 - bytes, 100, 0), "reaching the cap closes");
    assert!(!node.is_full(1000, 0, 0), "0 means the 1 GiB ceiling");
    assert!(node.is_full(LISTPACK_MAX_SIZE, usize::MAX, 0));
    assert!(node.is_full(0, 4096, 1));
    assert_eq!(Node::prealloc_bytes(100), 100);
    assert_eq!(Node::prealloc_bytes(0), 4096);
    assert_eq!(Node::prealloc_bytes(1 << 20), 4096);
    assert_eq!(
        node.alloc_bytes(),
        112,
        "lpNew(100) gets the 112-byte class"
    );
}

#[test]
fn dump_names_every_element() {
    let mut node = Node::new(id(10, 5), &fv(&[("a", "1")]), 4096);
    node.append(id(11, 0), &fv(&[("b", "xyz")]));
    node.mark_deleted(id(10, 5));
    let d = node.dump();
    assert_eq!(d.lp_bytes, node.lp_bytes());
    assert_eq!(d.eof_offset, node.lp_bytes() - 1);
    assert_eq!(d.header_count as usize, d.elements.len());
    let roles: Vec<String> = d.elements.iter().map(|e| e.role.to_string()).collect();
    assert_eq!(
        roles,
        [
            "master count (live entries)",
            "master deleted (tombstones)",
            "master field count",
            "master field 0",
            "master terminator (lp-count 0)",
            "flags DELETED|SAMEFIELDS",
            "ms-delta",
            "seq-delta",
            "value 0",
            "lp-count",
            "flags NONE",
            "ms-delta",
            "seq-delta",
            "field count",
            "field 0",
            "value 0",
            "lp-count",
        ]
    );
    let seq_delta = &d.elements[12];
    assert_eq!(seq_delta.value, DumpValue::Int(-5));
    assert_eq!(seq_delta.encoding, Encoding::Int13);
    assert_eq!(seq_delta.entry, Some(id(11, 0)));
    assert_eq!(d.elements[4].entry, None);
    let mut rebuilt = node.as_bytes()[..6].to_vec();
    for e in &d.elements {
        assert_eq!(e.offset, rebuilt.len());
        rebuilt.extend_from_slice(&e.bytes);
    }
    rebuilt.push(0xFF);
    assert_eq!(rebuilt, node.as_bytes());
    assert_eq!(d.elements[15].value, DumpValue::Str(b"xyz".to_vec()));
    assert_eq!(d.elements[15].backlen_bytes, 1);
}

/// Entries per node after XADDs of `<field> <value>` with IDs 1-0, 2-0,
/// ..., splitting the way `streamAppendItem` does.
fn split(field: &[u8], values: &[Vec<u8>], max_bytes: usize, max_entries: u64) -> Vec<u64> {
    let mut nodes: Vec<Node> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let pairs: [(&[u8], &[u8]); 1] = [(field, v)];
        let id = id(i as u64 + 1, 0);
        match nodes.last_mut() {
            Some(n) if !n.is_full(field.len() + v.len(), max_bytes, max_entries) => {
                n.append(id, &pairs)
            }
            _ => nodes.push(Node::new(id, &pairs, Node::prealloc_bytes(max_bytes))),
        }
    }
    nodes.iter().map(Node::live).collect()
}

#[test]
fn node_splits_match_the_oracle_transcripts() {
    // xinfo-node-bytes: stream-node-max-bytes 100, 20-byte values: 3 radix keys.
    let twenty: Vec<Vec<u8>> = (b'a'..=b'e').map(|c| vec![c; 20]).collect();
    assert_eq!(split(b"field", &twenty, 100, 100), [2, 2, 1]);
    // A one-byte field name leaves room for a third entry in 100 bytes.
    assert_eq!(split(b"f", &twenty, 100, 100), [3, 2]);
    // xinfo-default-node-limits: 101 tiny entries make 2 nodes ...
    assert_eq!(split(b"f", &vec![b"v".to_vec(); 101], 4096, 100), [100, 1]);
    // ... a 5000-byte first entry fills its node on its own ...
    let big = [vec![b'x'; 5000], b"y".to_vec(), b"z".to_vec()];
    assert_eq!(split(b"f", &big, 4096, 100), [1, 2]);
    // ... and 3000 + 1200 bytes cross 4096 with the node overhead.
    let small = [vec![b'w'; 3000], vec![b'w'; 1200], b"q".to_vec()];
    assert_eq!(split(b"f", &small, 4096, 100), [1, 2]);
}
