//! Encodings checked against bytes a real Redis 7.0.15 produced: each value
//! was pushed alone into a list (`RPUSH`, with `rdbcompression no`) and the
//! listpack read back from `DUMP`; the vectors below are those bytes.

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The one element of a single-element listpack, with its backlen.
fn only_element(lp: &Listpack) -> &[u8] {
    &lp.as_bytes()[HEADER_BYTES..lp.lp_bytes() - 1]
}

/// (value as a client sends it, element bytes Redis wrote for it)
const VECTORS: &[(&str, &str)] = &[
    ("0", "0001"),
    ("127", "7f01"),
    ("128", "c08002"),
    ("-1", "dfff02"),
    ("-4096", "d00002"),
    ("4095", "cfff02"),
    ("4096", "f1001003"),
    ("-4097", "f1ffef03"),
    ("32767", "f1ff7f03"),
    ("32768", "f200800004"),
    ("-32768", "f1008003"),
    ("-32769", "f2ff7fff04"),
    ("8388607", "f2ffff7f04"),
    ("8388608", "f30000800005"),
    ("-8388608", "f200008004"),
    ("-8388609", "f3ffff7fff05"),
    ("2147483647", "f3ffffff7f05"),
    ("2147483648", "f4000000800000000009"),
    ("-2147483648", "f30000008005"),
    ("-2147483649", "f4ffffff7fffffffff09"),
    ("9223372036854775807", "f4ffffffffffffff7f09"),
    ("-9223372036854775808", "f4000000000000008009"),
    ("", "8001"),
    ("a", "816102"),
    ("-0", "822d3003"),
    ("01", "82303103"),
    ("+1", "822b3103"),
    (" 1", "82203103"),
    (
        "9223372036854775808",
        "933932323333373230333638353437373538303814",
    ),
    (
        "-9223372036854775809",
        "942d3932323333373230333638353437373538303915",
    ),
];

#[test]
fn strings_encode_like_redis() {
    for &(value, want) in VECTORS {
        let mut lp = Listpack::new();
        lp.append_str(value.as_bytes());
        assert_eq!(hex(only_element(&lp)), want, "value {value:?}");
        assert_eq!(lp.lp_bytes(), HEADER_BYTES + want.len() / 2 + 1);
        assert_eq!(&lp.as_bytes()[..4], &(lp.lp_bytes() as u32).to_le_bytes());
        assert_eq!(lp.header_count(), 1);
        assert!(lp.get(lp.first().unwrap()).eq_bytes(value.as_bytes()));
        assert_eq!(lp.get(lp.first().unwrap()).to_bytes(), value.as_bytes());
    }
}

#[test]
fn integers_decode_to_themselves() {
    for &(value, want) in VECTORS {
        let Ok(v) = value.parse::<i64>() else {
            continue;
        };
        if v.to_string() != value {
            continue;
        }
        let mut lp = Listpack::new();
        lp.append_int(v);
        assert_eq!(hex(only_element(&lp)), want);
        assert_eq!(lp.get(lp.first().unwrap()), Element::Int(v));
    }
}

#[test]
fn long_strings_and_backlen_boundaries() {
    // (length, first bytes of the element, last bytes, element size incl. backlen)
    let cases: &[(usize, &str, &str, usize)] = &[
        (63, "bf78", "7840", 65),
        (64, "e040", "7842", 67),
        (125, "e07d", "787f", 128),
        (126, "e07e", "0180", 130),
        (4095, "efff", "2081", 4099),
        (4096, "f000100000", "2085", 4103),
        (16377, "f0f93f0000", "7ffe", 16384),
        (16378, "f0fa3f0000", "00ffff", 16386),
    ];
    for &(len, head, tail, size) in cases {
        let mut lp = Listpack::new();
        lp.append_str(&vec![b'x'; len]);
        let e = only_element(&lp);
        assert_eq!(e.len(), size, "length {len}");
        assert_eq!(hex(&e[..head.len() / 2]), head, "length {len}");
        assert_eq!(hex(&e[e.len() - tail.len() / 2..]), tail, "length {len}");
        let p = lp.first().unwrap();
        assert_eq!(lp.get(p), Element::Str(&vec![b'x'; len][..]));
        assert_eq!(lp.last(), Some(p), "backlen walks back to the start");
    }
}

#[test]
fn encodings_are_named() {
    let values: &[(i64, Encoding)] = &[
        (0, Encoding::Uint7),
        (127, Encoding::Uint7),
        (128, Encoding::Int13),
        (-4096, Encoding::Int13),
        (4096, Encoding::Int16),
        (-32769, Encoding::Int24),
        (8_388_608, Encoding::Int32),
        (i64::MIN, Encoding::Int64),
    ];
    let mut lp = Listpack::new();
    for &(v, _) in values {
        lp.append_int(v);
    }
    let got: Vec<_> = lp.iter().map(|(p, _)| lp.encoding(p)).collect();
    let want: Vec<_> = values.iter().map(|&(_, e)| e).collect();
    assert_eq!(got, want);
    let mut strings = Listpack::new();
    for len in [0, 64, 4096] {
        strings.append_str(&vec![b'y'; len]);
    }
    let got: Vec<_> = strings.iter().map(|(p, _)| strings.encoding(p)).collect();
    assert_eq!(got, [Encoding::Str6, Encoding::Str12, Encoding::Str32]);
}

#[test]
fn walks_forward_and_backward() {
    let mut lp = Listpack::new();
    assert!(lp.is_empty());
    assert_eq!(lp.first(), None);
    assert_eq!(lp.last(), None);
    let values: Vec<Vec<u8>> = (0..300)
        .map(|i: i64| match i % 4 {
            0 => (i * 1_000_003 - 77).to_string().into_bytes(),
            1 => vec![b'a' + (i % 26) as u8; (i as usize * 37) % 5000],
            2 => format!("k{i}").into_bytes(),
            _ => (-i).to_string().into_bytes(),
        })
        .collect();
    for v in &values {
        lp.append_str(v);
    }
    assert_eq!(lp.len(), values.len());
    let forward: Vec<Vec<u8>> = lp.iter().map(|(_, e)| e.to_bytes()).collect();
    assert_eq!(forward, values);
    let mut backward = Vec::new();
    let mut p = lp.last();
    while let Some(at) = p {
        backward.push(lp.get(at).to_bytes());
        p = lp.prev(at);
    }
    backward.reverse();
    assert_eq!(backward, values);
}

#[test]
fn replace_changes_sizes_and_keeps_links() {
    let mut lp = Listpack::new();
    for v in [127i64, 5, -3] {
        lp.append_int(v);
    }
    let first = lp.first().unwrap();
    let before = lp.lp_bytes();
    lp.replace_int(first, 128);
    assert_eq!(lp.lp_bytes(), before + 1, "7-bit uint to 13-bit int");
    assert_eq!(hex(&lp.as_bytes()[6..9]), "c08002");
    assert_eq!(lp.header_count(), 3);
    let all: Vec<_> = lp.iter().map(|(_, e)| e).collect();
    assert_eq!(all, [Element::Int(128), Element::Int(5), Element::Int(-3)]);
    let last = lp.last().unwrap();
    assert_eq!(lp.get(last), Element::Int(-3));
    assert_eq!(lp.prev(lp.prev(last).unwrap()), Some(first));

    lp.replace_int(first, 127);
    assert_eq!(lp.lp_bytes(), before);
    lp.replace_str(first, &[b'z'; 200]);
    assert_eq!(lp.entry_size(first), 2 + 200 + 2);
    assert_eq!(lp.get(lp.next(first).unwrap()), Element::Int(5));
    lp.replace_str(first, b"-42");
    assert_eq!(lp.get(first), Element::Int(-42));
    assert_eq!(lp.lp_bytes(), before + 1);
    assert_eq!(&lp.as_bytes()[..4], &(lp.lp_bytes() as u32).to_le_bytes());
}

#[test]
fn header_count_saturates_at_unknown() {
    let mut lp = Listpack::new();
    for _ in 0..65534 {
        lp.append_int(1);
    }
    assert_eq!(lp.header_count(), 65534);
    lp.append_int(1);
    assert_eq!(lp.header_count(), NUMELE_UNKNOWN);
    lp.append_int(1);
    assert_eq!(lp.header_count(), NUMELE_UNKNOWN);
    assert_eq!(lp.len(), 65536);
}

#[test]
fn allocation_follows_jemalloc_classes() {
    let mut lp = Listpack::with_capacity(4096);
    assert_eq!(lp.alloc_bytes(), 4096);
    assert!(lp.heap_bytes() >= 4096);
    lp.append_str(b"hello");
    lp.shrink_to_fit();
    assert_eq!(lp.lp_bytes(), 6 + 7 + 1);
    assert_eq!(lp.alloc_bytes(), 16);
    for _ in 0..100 {
        lp.append_int(1000);
    }
    // 14 + 100 * 3 = 314 bytes: the 320-byte class.
    assert_eq!(lp.alloc_bytes(), 320);
    assert!(lp.heap_bytes() >= lp.lp_bytes());
    let p = lp.last().unwrap();
    lp.replace_int(p, 1);
    assert_eq!(lp.lp_bytes(), 313);
    assert_eq!(lp.alloc_bytes(), 320, "a shrinking write reallocates down");
    assert_eq!(Listpack::new().alloc_bytes(), 8);
}

#[test]
fn a_copy_holds_the_same_allocation_as_the_original() {
    // A growing node's allocation is its capacity: a checkpoint or an RDB
    // snapshot that trimmed it would answer MEMORY USAGE differently.
    let mut lp = Listpack::with_capacity(4096);
    lp.append_str(b"a");
    let copy = lp.clone();
    assert_eq!(copy.alloc_bytes(), lp.alloc_bytes());
    assert_eq!(copy.alloc_bytes(), 4096);
    assert_eq!(copy, lp);
}
