//! Bad payloads and bad arguments: the same error as redis-server for
//! everything Redis itself refuses, and, in-process, no crash for any
//! single-byte corruption or truncation of a payload whose checksum was
//! recomputed to let it through (Redis 7.0 does not sanitize those by
//! default; the engine must still never panic on one).

use streamlab::engine::rdb::crc64::crc64;
use streamlab::engine::{Db, ExecContext, Reply, Session, invariants};

use super::support::words;
use super::{argv, call, start};

/// Rewrites the footer (version, CRC) of a payload whose body changed.
fn reseal(body: &[u8], version: u16) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[test]
fn bad_payloads_and_arguments_get_redis_errors() {
    let Some(mut p) = start("RESTORE errors") else {
        return;
    };
    for c in [&mut p.redis, &mut p.ours] {
        for line in [
            "SET s hello-world",
            "RPUSH l a b c",
            "XADD x 1-1 f v",
            "SET taken 1",
        ] {
            c.cmd(line);
        }
    }
    let good = super::fixtures::dump_of(&mut p.redis, b"x");
    let body = &good[..good.len() - 10];
    let mut flipped = good.clone();
    flipped[3] ^= 0x20;
    let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("flipped byte", argv(&[b"RESTORE", b"k", b"0", &flipped])),
        (
            "truncated",
            argv(&[b"RESTORE", b"k", b"0", &good[..good.len() - 1]]),
        ),
        (
            "too short",
            argv(&[b"RESTORE", b"k", b"0", b"\x00\x01\x02"]),
        ),
        (
            "version 11",
            argv(&[b"RESTORE", b"k", b"0", &reseal(body, 11)]),
        ),
        (
            "version 1 is taken",
            argv(&[b"RESTORE", b"k1", b"0", &reseal(body, 1)]),
        ),
        (
            "not a type",
            argv(&[b"RESTORE", b"k", b"0", &reseal(b"\xc8\x01a", 10)]),
        ),
        (
            "type 8 is no type",
            argv(&[b"RESTORE", b"k", b"0", &reseal(b"\x08\x01a", 10)]),
        ),
        (
            "short string",
            argv(&[b"RESTORE", b"k", b"0", &reseal(b"\x00\x3fabc", 10)]),
        ),
        (
            "empty list",
            argv(&[b"RESTORE", b"k", b"0", &reseal(b"\x12\x00", 10)]),
        ),
        (
            "empty set",
            argv(&[b"RESTORE", b"k", b"0", &reseal(b"\x02\x00", 10)]),
        ),
        (
            "bad LZF",
            argv(&[
                b"RESTORE",
                b"k",
                b"0",
                &reseal(b"\x00\xc3\x02\x10\x3f\x00", 10),
            ]),
        ),
        ("busy key", argv(&[b"RESTORE", b"taken", b"0", &good])),
        ("negative ttl", argv(&[b"RESTORE", b"k", b"-1", &good])),
        (
            "ttl not a number",
            argv(&[b"RESTORE", b"k", b"soon", &good]),
        ),
        (
            "busy before ttl",
            argv(&[b"RESTORE", b"taken", b"-1", &good]),
        ),
        (
            "freq too high",
            argv(&[b"RESTORE", b"k", b"0", &good, b"FREQ", b"256"]),
        ),
        (
            "idletime negative",
            argv(&[b"RESTORE", b"k", b"0", &good, b"IDLETIME", b"-1"]),
        ),
        (
            "idletime and freq",
            argv(&[
                b"RESTORE",
                b"k",
                b"0",
                &good,
                b"IDLETIME",
                b"1",
                b"FREQ",
                b"1",
            ]),
        ),
        (
            "unknown option",
            argv(&[b"RESTORE", b"k", b"0", &good, b"NOW"]),
        ),
        (
            "freq without value",
            argv(&[b"RESTORE", b"k", b"0", &good, b"FREQ"]),
        ),
        (
            "options then bad payload",
            argv(&[b"RESTORE", b"k", b"0", b"junk", b"REPLACE", b"FREQ", b"3"]),
        ),
        (
            "replace",
            argv(&[
                b"RESTORE",
                b"taken",
                b"0",
                &good,
                b"REPLACE",
                b"IDLETIME",
                b"10",
            ]),
        ),
        (
            "expired absttl replaces",
            argv(&[b"RESTORE", b"s", b"1", &good, b"ABSTTL", b"REPLACE"]),
        ),
        ("arity", words("RESTORE k 0")),
        ("dump arity", words("DUMP a b")),
        ("dump missing", words("DUMP nothing")),
    ];
    let mut problems = Vec::new();
    for (name, args) in cases {
        let theirs = p.redis.call(&args).expect("redis reply");
        let mine = p.ours.call(&args).expect("streamlab reply");
        if theirs != mine {
            problems.push(format!(
                "{name}: redis-server {theirs:?}, streamlab {mine:?}"
            ));
        }
    }
    for key in [b"taken".as_slice(), b"s", b"k", b"k1"] {
        let theirs = call(&mut p.redis, &[b"TYPE", key]);
        let mine = call(&mut p.ours, &[b"TYPE", key]);
        if theirs != mine {
            problems.push(format!("TYPE {key:?} afterwards: {theirs:?} vs {mine:?}"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

fn run(db: &mut Db, line: &[&[u8]]) -> Reply {
    let mut session = Session::default();
    db.execute(
        &mut session,
        &argv(line),
        &ExecContext::at(1_800_000_000_000),
    )
    .reply
}

/// A stream with several nodes, tombstones, two groups, consumers and
/// pending entries, plus a list, hash and set, all built in-process.
fn sample_payloads() -> Vec<Vec<u8>> {
    let mut db = Db::new();
    let mut session = Session::default();
    let ctx = ExecContext::at(1_700_000_000_000);
    let mut lines: Vec<String> = (1..=130)
        .map(|i| format!("XADD x {i}-0 f{} value-{i} g {}", i % 3, i * 7))
        .collect();
    lines.extend(
        [
            "XDEL x 3-0 77-0",
            "XGROUP CREATE x g 0",
            "XGROUP CREATE x h 50-0",
            "XREADGROUP GROUP g a COUNT 5 STREAMS x >",
            "XREADGROUP GROUP g b COUNT 3 STREAMS x >",
            "XREADGROUP GROUP h a COUNT 2 STREAMS x >",
            "RPUSH l one two 3 four",
            "HSET h f v n 12",
            "SADD s 1 2 300000",
            "SADD t a b",
        ]
        .map(String::from),
    );
    for line in &lines {
        db.execute(&mut session, &words(line), &ctx);
    }
    [b"x".as_slice(), b"l", b"h", b"s", b"t"]
        .iter()
        .map(|k| match run(&mut db, &[b"DUMP", k]) {
            Reply::Bulk(b) => b,
            other => panic!("DUMP: {other:?}"),
        })
        .collect()
}

/// After a RESTORE that succeeded, everything that reads the value.
fn exercise(db: &mut Db) {
    invariants::check(db).expect("a restored value keeps the invariants");
    for line in [
        "XINFO STREAM k FULL",
        "XRANGE k - +",
        "XREVRANGE k + -",
        "XPENDING k g - + 100",
        "XREADGROUP GROUP g c STREAMS k 0",
        "XREADGROUP GROUP g c STREAMS k >",
        "XAUTOCLAIM k g d 0 0-0",
        "XDEL k 5-0",
        "XTRIM k MAXLEN 10",
        "XADD k * f v",
        "LRANGE k 0 -1",
        "LPUSH k x",
        "HGETALL k",
        "HSET k f2 v2",
        "SMEMBERS k",
        "SADD k 42",
        "MEMORY USAGE k",
        "DUMP k",
    ] {
        run(
            db,
            &words(line).iter().map(Vec::as_slice).collect::<Vec<_>>(),
        );
    }
    invariants::check(db).expect("still consistent after commands");
}

#[test]
fn no_single_byte_corruption_or_truncation_crashes_the_engine() {
    let mut accepted = 0;
    let mut refused = 0;
    // Also the hand-built 6.2 payloads: types 15, 14 and 13.
    let older = super::fixtures::stream_6_2_payloads()
        .into_iter()
        .chain(super::fixtures::ziplist_payloads_6_2())
        .map(|(_, payload)| payload);
    for payload in sample_payloads().into_iter().chain(older) {
        let body = &payload[..payload.len() - 10];
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for i in 0..body.len() {
            for flip in [0x01u8, 0x10, 0x80, 0xFF] {
                let mut b = body.to_vec();
                b[i] ^= flip;
                variants.push(b);
            }
        }
        for cut in 0..body.len() {
            variants.push(body[..cut].to_vec());
        }
        for b in variants {
            let mut db = Db::new();
            let sealed = reseal(&b, 10);
            match run(&mut db, &[b"RESTORE", b"k", b"0", &sealed]) {
                Reply::Status(_) => {
                    accepted += 1;
                    exercise(&mut db);
                }
                Reply::Error(e) => {
                    assert!(e.starts_with("ERR Bad data format"), "{e}");
                    refused += 1;
                }
                other => panic!("RESTORE answered {other:?}"),
            }
        }
    }
    eprintln!("{accepted} corrupted payloads restored, {refused} refused, none crashed");
    assert!(refused > 0 && accepted > 0);
}

/// What RESTORE propagates and stores: a relative TTL becomes an absolute
/// time (with ABSTTL appended), IDLETIME sets the access stamp back, a
/// TTL already past stores nothing.
#[test]
fn restore_propagates_its_ttl_as_an_absolute_time() {
    let mut db = Db::new();
    let mut session = Session::default();
    let ctx = ExecContext::at(1_000_000);
    db.execute(&mut session, &words("XADD x 1-1 f v"), &ctx);
    // Reads at the same time as the writes.
    let read =
        |db: &mut Db, line: &[&[u8]]| db.execute(&mut Session::default(), &argv(line), &ctx).reply;
    let payload = match read(&mut db, &[b"DUMP", b"x"]) {
        Reply::Bulk(b) => b,
        other => panic!("DUMP: {other:?}"),
    };
    let restore = argv(&[b"RESTORE", b"y", b"0", &payload]);
    let done = db.execute(&mut session, &restore, &ctx);
    assert_eq!(done.reply, Reply::ok());
    assert_eq!(done.effects, vec![restore]);
    assert_eq!(done.dirty, 1);
    let future = argv(&[
        b"RESTORE",
        b"x",
        b"5000",
        &payload,
        b"REPLACE",
        b"IDLETIME",
        b"30",
    ]);
    let done = db.execute(&mut session, &future, &ctx);
    assert_eq!(done.reply, Reply::ok());
    assert_eq!(
        done.effects,
        vec![argv(&[
            b"RESTORE",
            b"x",
            b"1005000",
            &payload,
            b"REPLACE",
            b"IDLETIME",
            b"30",
            b"ABSTTL"
        ])]
    );
    assert_eq!(read(&mut db, &[b"PTTL", b"x"]), Reply::Integer(5000));
    assert_eq!(
        read(&mut db, &[b"OBJECT", b"IDLETIME", b"x"]),
        Reply::Integer(30)
    );
    // An absolute TTL is propagated as given.
    let absolute = argv(&[b"RESTORE", b"z", b"2000000", &payload, b"ABSTTL"]);
    let done = db.execute(&mut session, &absolute, &ctx);
    assert_eq!(done.effects, vec![absolute]);
    assert_eq!(
        read(&mut db, &[b"PEXPIRETIME", b"z"]),
        Reply::Integer(2_000_000)
    );
    // A TTL already past drops the value; REPLACE deleted the old one,
    // which goes out as a DEL.
    let past = argv(&[b"RESTORE", b"x", b"999999", &payload, b"ABSTTL", b"REPLACE"]);
    let done = db.execute(&mut session, &past, &ctx);
    assert_eq!(done.reply, Reply::ok());
    assert_eq!(done.effects, vec![argv(&[b"DEL", b"x"])]);
    assert_eq!(read(&mut db, &[b"EXISTS", b"x"]), Reply::Integer(0));
    // A TTL that overflows when now is added wraps into the past, as the
    // C addition does: nothing is stored.
    let wraps = argv(&[b"RESTORE", b"w", b"9223372036854775807", &payload]);
    assert_eq!(db.execute(&mut session, &wraps, &ctx).reply, Reply::ok());
    assert_eq!(read(&mut db, &[b"EXISTS", b"w"]), Reply::Integer(0));
}
