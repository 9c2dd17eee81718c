//! The keys both servers build, the consumer streams built on one side,
//! the commands that must answer alike after a round trip, and the
//! hand-built 6.2 stream payloads.

use streamlab::engine::Reply;
use streamlab::engine::rdb::crc64::crc64;

use super::support::{Client, words};
use super::{Pair, argv, call};

/// Runs the same command on both servers; their replies must agree.
fn both(p: &mut Pair, parts: Vec<Vec<u8>>) {
    let theirs = p.redis.call(&parts).expect("redis reply");
    let mine = p.ours.call(&parts).expect("streamlab reply");
    assert_eq!(
        theirs,
        mine,
        "building fixtures: {:?}",
        String::from_utf8_lossy(&parts.join(&b' '))
    );
}

fn both_line(p: &mut Pair, line: &str) {
    both(p, words(line));
}

/// A deterministic byte sequence that LZF cannot shrink much.
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b'!' + (x % 90) as u8
        })
        .collect()
}

/// Builds every fixed-order fixture on both servers; returns the keys.
pub fn build_on_both(p: &mut Pair) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = Vec::new();
    // Strings: integers of each width, short, long compressible, noise.
    let strings: Vec<(&str, Vec<u8>)> = vec![
        ("s:int8", b"-7".to_vec()),
        ("s:int16", b"12345".to_vec()),
        ("s:int32", b"2147483647".to_vec()),
        ("s:int64", b"12345678901234".to_vec()),
        ("s:lead0", b"007".to_vec()),
        ("s:empty", Vec::new()),
        ("s:short", b"hello".to_vec()),
        ("s:20", vec![b'a'; 20]),
        ("s:21", vec![b'a'; 21]),
        (
            "s:text",
            b"the stream holds far more than a list ".repeat(12),
        ),
        ("s:noise", noise(300, 1)),
        (
            "s:runs",
            [vec![b'x'; 300], noise(40, 2), vec![b'y'; 5000]].concat(),
        ),
    ];
    for (key, value) in strings {
        both(p, argv(&[b"SET", key.as_bytes(), &value]));
        keys.push(key.as_bytes().to_vec());
    }
    // Lists: one node, several nodes, big elements, edits in the middle.
    for (key, n, size) in [
        ("l:1", 1, 5),
        ("l:100", 100, 10),
        ("l:3000", 3000, 12),
        ("l:big", 40, 600),
    ] {
        for i in 0..n {
            let mut v = format!("item-{i}-").into_bytes();
            v.resize(size.max(v.len()), b'.');
            both(p, argv(&[b"RPUSH", key.as_bytes(), &v]));
        }
        keys.push(key.as_bytes().to_vec());
    }
    for i in 0..500 {
        both(p, argv(&[b"LPUSH", b"l:ints", i.to_string().as_bytes()]));
    }
    both_line(p, "LINSERT l:3000 BEFORE item-1500-..... pivot-inserted");
    both_line(p, "LREM l:100 0 item-5-....");
    both_line(p, "LTRIM l:ints 3 -3");
    keys.extend([b"l:ints".to_vec()]);
    // Hashes on both sides of 512 entries and 64 bytes.
    for (key, n, size) in [
        ("h:1", 1, 3),
        ("h:512", 512, 8),
        ("h:513", 513, 8),
        ("h:v64", 3, 64),
        ("h:v65", 3, 65),
    ] {
        for i in 0..n {
            let mut v = format!("v{i}").into_bytes();
            v.resize(size.max(v.len()), b'-');
            both(
                p,
                argv(&[b"HSET", key.as_bytes(), format!("f{i}").as_bytes(), &v]),
            );
        }
        keys.push(key.as_bytes().to_vec());
    }
    both_line(p, "HSET h:ints 1 100 2 -200 3 70000 4 5000000000");
    both_line(p, "HDEL h:512 f10");
    keys.push(b"h:ints".to_vec());
    // Sets: intsets of each width, 512 / 513 members, mixed members.
    for (key, n, scale) in [
        ("i:5", 5i64, 1i64),
        ("i:512", 512, 3),
        ("i:513", 513, 3),
        ("i:wide", 9, 1_000_000_007),
    ] {
        for i in 0..n {
            let v = (i - n / 2) * scale;
            both(
                p,
                argv(&[b"SADD", key.as_bytes(), v.to_string().as_bytes()]),
            );
        }
        keys.push(key.as_bytes().to_vec());
    }
    both_line(p, "SADD i:huge 1 9223372036854775807 -9223372036854775808");
    both_line(p, "SADD i:mixed 1 2 3 apple 40000");
    both_line(p, "SREM i:512 0");
    keys.extend([b"i:huge".to_vec(), b"i:mixed".to_vec()]);
    build_streams(p, &mut keys);
    keys
}

/// Streams with no consumer (nothing in them depends on the clock).
fn build_streams(p: &mut Pair, keys: &mut Vec<Vec<u8>>) {
    both_line(p, "XADD x:small 1-1 f v");
    both_line(p, "XADD x:small 1-2 f w");
    // Several nodes (100 entries each), same and different fields,
    // integer and compressible values.
    for i in 1..=450u64 {
        let id = format!("{}-{}", 1000 + i / 7, i % 7);
        let line = match i % 5 {
            0 => format!("XADD x:many {id} sensor temp value {} unit celsius", i * 3),
            1 => format!("XADD x:many {id} other-field {i}"),
            _ => format!(
                "XADD x:many {id} sensor temp value {} unit kelvin-kelvin-kelvin",
                i
            ),
        };
        both_line(p, &line);
    }
    keys.extend([b"x:small".to_vec(), b"x:many".to_vec()]);
    // Tombstones, trims, groups without consumers, XSETID counters.
    for i in 1..=120u64 {
        both_line(
            p,
            &format!("XADD x:del {i}-0 k {}", "v".repeat((i % 30) as usize + 1)),
        );
    }
    both_line(p, "XDEL x:del 1-0 5-0 50-0 101-0 120-0");
    both_line(p, "XTRIM x:del MINID 20-0");
    both_line(p, "XGROUP CREATE x:del g1 0");
    both_line(p, "XGROUP CREATE x:del g2 $ ENTRIESREAD 7");
    both_line(p, "XGROUP CREATE x:del g3 30-0");
    both_line(p, "XGROUP SETID x:del g1 40-0 ENTRIESREAD 33");
    keys.push(b"x:del".to_vec());
    both_line(p, "XADD x:emptied 5-5 a b");
    both_line(p, "XDEL x:emptied 5-5");
    both_line(p, "XGROUP CREATE x:emptied g 0");
    both_line(p, "XADD x:zero MAXLEN 0 7-7 a b");
    both_line(p, "XADD x:setid 1-0 a 1");
    both_line(p, "XADD x:setid 2-0 a 2");
    both_line(p, "XSETID x:setid 90-9 ENTRIESADDED 77 MAXDELETEDID 50-0");
    keys.extend([
        b"x:emptied".to_vec(),
        b"x:zero".to_vec(),
        b"x:setid".to_vec(),
    ]);
    let big = "Z".repeat(3000);
    for i in 1..=6 {
        both_line(p, &format!("XADD x:bignodes {i}-0 payload {big}{i}"));
    }
    keys.push(b"x:bignodes".to_vec());
}

/// Streams with groups, consumers and pending entries, built on `c`.
pub fn build_consumer_streams(c: &mut Client) -> Vec<Vec<u8>> {
    for i in 1..=30 {
        c.cmd(&format!("XADD xc:one {i}-0 field {i} other text-{i}"));
    }
    for line in [
        "XGROUP CREATE xc:one g 0",
        "XGROUP CREATE xc:one h 10-0 ENTRIESREAD 10",
        "XREADGROUP GROUP g alice COUNT 4 STREAMS xc:one >",
        "XREADGROUP GROUP g bob COUNT 3 STREAMS xc:one >",
        "XREADGROUP GROUP h alice COUNT 2 STREAMS xc:one >",
        "XACK xc:one g 2-0",
        "XCLAIM xc:one g bob 0 3-0 RETRYCOUNT 5",
        "XGROUP CREATECONSUMER xc:one g carol",
        "XDEL xc:one 4-0 12-0",
        "XREADGROUP GROUP g alice COUNT 1 STREAMS xc:one 0",
    ] {
        let r = c.cmd(line);
        assert!(!matches!(r, Reply::Error(_)), "{line}: {r:?}");
    }
    vec![b"xc:one".to_vec()]
}

/// Pairs of commands (on the source key, on the restored copy) whose
/// replies must agree; none reads a clock-dependent figure except
/// XINFO STREAM FULL, which runs first, before anything is delivered.
pub fn after_restore(key: &[u8], copy: &[u8]) -> Vec<(Vec<Vec<u8>>, Vec<Vec<u8>>)> {
    let lines: &[&[&[u8]]] = &[
        &[b"XINFO", b"STREAM", b"@", b"FULL"],
        &[b"XPENDING", b"@", b"g"],
        &[b"XINFO", b"GROUPS", b"@"],
        &[
            b"XREADGROUP",
            b"GROUP",
            b"g",
            b"dave",
            b"COUNT",
            b"2",
            b"STREAMS",
            b"@",
            b">",
        ],
        &[
            b"XREADGROUP",
            b"GROUP",
            b"g",
            b"alice",
            b"STREAMS",
            b"@",
            b"0",
        ],
        &[b"XACK", b"@", b"g", b"1-0", b"5-0"],
        &[
            b"XAUTOCLAIM",
            b"@",
            b"g",
            b"erin",
            b"0",
            b"0-0",
            b"COUNT",
            b"3",
        ],
        &[b"XADD", b"@", b"999-0", b"new", b"entry"],
        &[
            b"XREADGROUP",
            b"GROUP",
            b"h",
            b"zed",
            b"STREAMS",
            b"@",
            b">",
        ],
        &[b"XPENDING", b"@", b"h"],
        &[b"XINFO", b"STREAM", b"@"],
        &[b"XINFO", b"GROUPS", b"@"],
    ];
    let with = |k: &[u8], line: &[&[u8]]| -> Vec<Vec<u8>> {
        line.iter()
            .map(|w| if *w == b"@" { k.to_vec() } else { w.to_vec() })
            .collect()
    };
    lines
        .iter()
        .map(|line| (with(key, line), with(copy, line)))
        .collect()
}

/// One listpack element of a hand-built listpack: a 7-bit integer or a
/// string under 64 bytes, each with its one-byte backlen.
enum El<'a> {
    Int(u8),
    Str(&'a [u8]),
}

fn listpack(elements: &[El]) -> Vec<u8> {
    let mut body = Vec::new();
    for e in elements {
        match e {
            El::Int(v) => body.extend_from_slice(&[*v, 1]),
            El::Str(s) => {
                body.push(0x80 | s.len() as u8);
                body.extend_from_slice(s);
                body.push(1 + s.len() as u8);
            }
        }
    }
    let total = (6 + body.len() + 1) as u32;
    let mut lp = total.to_le_bytes().to_vec();
    lp.extend_from_slice(&(elements.len() as u16).to_le_bytes());
    lp.extend_from_slice(&body);
    lp.push(0xFF);
    lp
}

fn id16(ms: u64, seq: u64) -> Vec<u8> {
    [ms.to_be_bytes(), seq.to_be_bytes()].concat()
}

/// An RDB string of under 64 bytes: a 6-bit length and the bytes.
fn short_string(s: &[u8]) -> Vec<u8> {
    assert!(s.len() < 64);
    [vec![s.len() as u8], s.to_vec()].concat()
}

/// Redis 6.2 (RDB 9) stream payloads, type 15: no first ID, max-deleted
/// ID, entries-added or entries-read, which 7.0 derives when it loads.
pub fn stream_6_2_payloads() -> Vec<(String, Vec<u8>)> {
    // Node 1-1: master entry [count 2, deleted 0, 1 field "f", 0], then
    // two SAMEFIELDS (flag 2) entries at deltas 0-0 and 0-1 with their
    // value and lp-count 4 (= 1 value + 3).
    let two_live = listpack(&[
        El::Int(2),
        El::Int(0),
        El::Int(1),
        El::Str(b"f"),
        El::Int(0),
        El::Int(2),
        El::Int(0),
        El::Int(0),
        El::Str(b"v1"),
        El::Int(4),
        El::Int(2),
        El::Int(0),
        El::Int(1),
        El::Str(b"v2"),
        El::Int(4),
    ]);
    // The same node after XDEL 1-2: flags 3 (deleted + samefields),
    // count 1, deleted 1.
    let one_deleted = listpack(&[
        El::Int(1),
        El::Int(1),
        El::Int(1),
        El::Str(b"f"),
        El::Int(0),
        El::Int(2),
        El::Int(0),
        El::Int(0),
        El::Str(b"v1"),
        El::Int(4),
        El::Int(3),
        El::Int(0),
        El::Int(1),
        El::Str(b"v2"),
        El::Int(4),
    ]);
    let delivered_ms: u64 = 1_700_000_000_000;
    let seen_ms: u64 = 1_700_000_000_500;
    // One group "g" at `last`, 1-1 pending for consumer "alice".
    let group = |last: (u8, u8)| -> Vec<u8> {
        let mut g = vec![1u8]; // one group
        g.extend(short_string(b"g"));
        g.extend([last.0, last.1]); // last-delivered ID as two 6-bit lengths
        g.push(1); // group PEL: one record
        g.extend(id16(1, 1));
        g.extend(delivered_ms.to_le_bytes());
        g.push(1); // delivery count
        g.push(1); // one consumer
        g.extend(short_string(b"alice"));
        g.extend(seen_ms.to_le_bytes());
        g.push(1); // its PEL: one ID
        g.extend(id16(1, 1));
        g
    };
    let node = |lp: &[u8]| -> Vec<u8> {
        let mut n = short_string(&id16(1, 1));
        n.push(0x40 | (lp.len() >> 8) as u8); // 14-bit length
        n.push(lp.len() as u8);
        n.extend_from_slice(lp);
        n
    };
    let seal = |mut body: Vec<u8>| -> Vec<u8> {
        body.extend_from_slice(&9u16.to_le_bytes()); // RDB version 9 (6.2)
        let crc = crc64(0, &body);
        body.extend_from_slice(&crc.to_le_bytes());
        body
    };
    let mut out = Vec::new();
    // Two live entries, group at 1-1: entries-read estimated as 1.
    let mut body = vec![15u8, 1];
    body.extend(node(&two_live));
    body.extend([2, 1, 2]); // length 2, last ID 1-2
    body.extend(group((1, 1)));
    out.push(("v62:live".to_string(), seal(body)));
    // A tombstone, group at the last ID: entries-read = entries-added.
    let mut body = vec![15u8, 1];
    body.extend(node(&one_deleted));
    body.extend([1, 1, 2]);
    body.extend(group((1, 2)));
    out.push(("v62:tombstone".to_string(), seal(body)));
    // No node left (6.2 frees a node with its last live entry): the
    // first ID comes out as the max ID, as 7.0 loads it.
    let mut body = vec![15u8, 0];
    body.extend([0, 1, 2]);
    body.extend(group((1, 2)));
    out.push(("v62:empty".to_string(), seal(body)));
    out
}

/// One hand-built ziplist entry: a string under 64 bytes, an immediate
/// integer 0..=12, or a 16-bit integer.
pub enum Zl<'a> {
    Str(&'a [u8]),
    Imm(u8),
    I16(i16),
}

/// A ziplist: header (bytes, tail offset, count), entries each led by
/// the previous entry's size, 0xFF.
fn ziplist(entries: &[Zl]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut prev = 0usize;
    let mut tail = 10usize;
    for e in entries {
        let mut one = vec![prev as u8];
        match e {
            Zl::Str(s) => {
                one.push(s.len() as u8);
                one.extend_from_slice(s);
            }
            Zl::Imm(v) => one.push(0xF1 + v),
            Zl::I16(v) => {
                one.push(0xC0);
                one.extend_from_slice(&v.to_le_bytes());
            }
        }
        tail = 10 + body.len();
        prev = one.len();
        body.extend(one);
    }
    let total = (10 + body.len() + 1) as u32;
    let mut zl = total.to_le_bytes().to_vec();
    zl.extend_from_slice(&(tail as u32).to_le_bytes());
    zl.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    zl.extend(body);
    zl.push(0xFF);
    zl
}

/// Redis 6.2 (RDB 9) list and hash payloads: a quicklist of ziplists
/// (type 14) and a hash ziplist (type 13), which 7.0 turns into listpacks.
pub fn ziplist_payloads_6_2() -> Vec<(String, Vec<u8>)> {
    let seal = |mut body: Vec<u8>| -> Vec<u8> {
        body.extend_from_slice(&9u16.to_le_bytes());
        let crc = crc64(0, &body);
        body.extend_from_slice(&crc.to_le_bytes());
        body
    };
    let node_a = ziplist(&[Zl::Str(b"first"), Zl::Imm(7), Zl::I16(-300), Zl::Str(b"12")]);
    let node_b = ziplist(&[Zl::Str(b"second node"), Zl::I16(4242)]);
    let mut list = vec![14u8, 2];
    for node in [&node_a, &node_b] {
        list.push(node.len() as u8); // each under 64 bytes: a 6-bit length
        list.extend_from_slice(node);
    }
    let pairs = ziplist(&[
        Zl::Str(b"name"),
        Zl::Str(b"streamlab"),
        Zl::Imm(3),
        Zl::I16(1000),
        Zl::Str(b"empty"),
        Zl::Str(b""),
    ]);
    let mut hash = vec![13u8, pairs.len() as u8];
    hash.extend(pairs);
    vec![
        ("zl62:list".to_string(), seal(list)),
        ("zl62:hash".to_string(), seal(hash)),
    ]
}

/// Reads a key's DUMP as bytes.
pub fn dump_of(c: &mut Client, key: &[u8]) -> Vec<u8> {
    match call(c, &[b"DUMP", key]) {
        Reply::Bulk(b) => b,
        other => panic!("DUMP {key:?}: {other:?}"),
    }
}
