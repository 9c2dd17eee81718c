//! DUMP and RESTORE against a real redis-server 7.0.15.
//!
//! ```text
//!   same commands ─▶ redis-server ─▶ DUMP ──┬─ byte-equal? (fixed-order encodings)
//!                └─▶ streamlab    ─▶ DUMP ──┘
//!   redis DUMP ─▶ streamlab RESTORE ─▶ reads (XINFO STREAM FULL, LRANGE, ...) and
//!                                      DUMP again == redis's bytes
//!   streamlab DUMP ─▶ redis RESTORE ─▶ the same, the other way
//!   hand-built 6.2 payloads (stream type 15, ziplist list 14 and hash 13)
//!                                 ─▶ both RESTORE them ─▶ same value, same DUMP
//!   corrupt payloads ─▶ the same error on both
//!   RESTORE with TTL / ABSTTL / IDLETIME / FREQ ─▶ what each reads back (ttl.rs)
//! ```
//!
//! Hash-table hashes and sets are written in hash order, which Redis
//! seeds per process: their payloads are compared by size and by what
//! they restore to. Stream PELs and consumers carry the time they were
//! made, which differs between two servers, so those streams are built
//! on one server and checked through the round trip.

#[path = "../support/mod.rs"]
mod support;

mod corrupt;
mod fixtures;
mod ttl;

use streamlab::engine::Reply;
use support::{Client, RealRedis, Streamlab, reference_server, sort_by_text, sort_field_pairs};

/// Both servers and a client to each.
pub struct Pair {
    _redis_server: RealRedis,
    _ours_server: Streamlab,
    pub redis: Client,
    pub ours: Client,
}

pub fn start(what: &str) -> Option<Pair> {
    let redis_server = reference_server(what)?;
    let ours_server = Streamlab::start();
    let redis = Client::connect(redis_server.port).expect("connect to redis-server");
    let ours = Client::connect(ours_server.port).expect("connect to streamlab");
    Some(Pair {
        _redis_server: redis_server,
        _ours_server: ours_server,
        redis,
        ours,
    })
}

pub fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

pub fn call(c: &mut Client, parts: &[&[u8]]) -> Reply {
    c.call(&argv(parts)).expect("reply")
}

fn bulk(reply: Reply) -> Vec<u8> {
    match reply {
        Reply::Bulk(b) => b,
        other => panic!("expected a bulk reply, got {other:?}"),
    }
}

/// What a user reads back from a key, in a canonical order where the
/// order comes from Redis's hash seed, plus its type and encoding.
pub fn observe(c: &mut Client, key: &[u8]) -> Vec<Reply> {
    let kind = call(c, &[b"TYPE", key]);
    let encoding = call(c, &[b"OBJECT", b"ENCODING", key]);
    let hashed = encoding == Reply::bulk("hashtable");
    let content = match &kind {
        Reply::Status(t) if t == "string" => call(c, &[b"GET", key]),
        Reply::Status(t) if t == "list" => call(c, &[b"LRANGE", key, b"0", b"-1"]),
        Reply::Status(t) if t == "set" => {
            let mut r = call(c, &[b"SMEMBERS", key]);
            if let (true, Reply::Array(items)) = (hashed, &mut r) {
                sort_by_text(items);
            }
            r
        }
        Reply::Status(t) if t == "hash" => {
            let mut r = call(c, &[b"HGETALL", key]);
            if let (true, Reply::Array(items)) = (hashed, &mut r) {
                sort_field_pairs(items);
            }
            r
        }
        Reply::Status(t) if t == "stream" => call(c, &[b"XINFO", b"STREAM", key, b"FULL"]),
        other => panic!("unexpected type {other:?}"),
    };
    vec![kind, encoding, content]
}

/// Compares one key built the same way on both servers: DUMP bytes (or
/// sizes, for hash order), then each payload restored on the other side.
fn compare_key(p: &mut Pair, key: &[u8], problems: &mut Vec<String>) {
    let name = String::from_utf8_lossy(key).into_owned();
    let theirs = bulk(call(&mut p.redis, &[b"DUMP", key]));
    let mine = bulk(call(&mut p.ours, &[b"DUMP", key]));
    let hashed = call(&mut p.redis, &[b"OBJECT", b"ENCODING", key]) == Reply::bulk("hashtable");
    if hashed {
        if theirs.len() != mine.len() || theirs[0] != mine[0] {
            problems.push(format!(
                "{name}: hash-order payloads differ in size or type"
            ));
        }
    } else if theirs != mine {
        problems.push(format!(
            "{name}: DUMP differs\n  redis-server: {theirs:02x?}\n  streamlab:    {mine:02x?}"
        ));
    }
    round_trip(p, key, &theirs, &mine, problems);
}

/// Restores redis's payload in streamlab and streamlab's in redis, under
/// `r:` / `o:` prefixed keys, and compares what each side reads back
/// with the original on the other side; fixed-order payloads must also
/// come back out of DUMP unchanged.
fn round_trip(p: &mut Pair, key: &[u8], theirs: &[u8], mine: &[u8], problems: &mut Vec<String>) {
    let name = String::from_utf8_lossy(key).into_owned();
    let into_ours = [b"r:".as_slice(), key].concat();
    let into_redis = [b"o:".as_slice(), key].concat();
    let ok_ours = call(&mut p.ours, &[b"RESTORE", &into_ours, b"0", theirs]);
    let ok_redis = call(&mut p.redis, &[b"RESTORE", &into_redis, b"0", mine]);
    if ok_ours != Reply::ok() || ok_redis != Reply::ok() {
        problems.push(format!(
            "{name}: RESTORE answered streamlab {ok_ours:?}, redis-server {ok_redis:?}"
        ));
        return;
    }
    let original = observe(&mut p.redis, key);
    let restored = observe(&mut p.ours, &into_ours);
    if original != restored {
        problems.push(format!(
            "{name}: redis's payload restored in streamlab reads\n  {restored:?}\n  instead of\n  {original:?}"
        ));
    }
    let original = observe(&mut p.ours, key);
    let restored = observe(&mut p.redis, &into_redis);
    if original != restored {
        problems.push(format!(
            "{name}: streamlab's payload restored in redis-server reads\n  {restored:?}\n  instead of\n  {original:?}"
        ));
    }
    let hashed = original[1] == Reply::bulk("hashtable");
    if !hashed {
        // The same bytes restored on each side under keys of the same
        // length: the same allocations, so the same MEMORY USAGE.
        let usage_ours = call(
            &mut p.ours,
            &[b"MEMORY", b"USAGE", &into_ours, b"SAMPLES", b"0"],
        );
        let usage_redis = call(
            &mut p.redis,
            &[b"MEMORY", b"USAGE", &into_redis, b"SAMPLES", b"0"],
        );
        if usage_ours != usage_redis {
            problems.push(format!(
                "{name}: MEMORY USAGE once restored: redis-server {usage_redis:?}, streamlab {usage_ours:?}"
            ));
        }
        let again = bulk(call(&mut p.ours, &[b"DUMP", &into_ours]));
        if again != theirs {
            problems.push(format!(
                "{name}: streamlab's DUMP of redis's payload changed it"
            ));
        }
        let again = bulk(call(&mut p.redis, &[b"DUMP", &into_redis]));
        if again != mine {
            problems.push(format!(
                "{name}: redis's DUMP of streamlab's payload changed it"
            ));
        }
    }
}

#[test]
fn dump_payloads_equal_redis_and_restore_both_ways() {
    let Some(mut p) = start("DUMP/RESTORE comparison") else {
        return;
    };
    let mut problems = Vec::new();
    for key in fixtures::build_on_both(&mut p) {
        compare_key(&mut p, &key, &mut problems);
    }
    eprintln!("{} divergences", problems.len());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Streams with consumers and pending entries carry their server's clock,
/// so they are built on one server; the other restores the payload, must
/// read the same stream (XINFO STREAM FULL, XPENDING), dump the same
/// bytes, and serve the next XREADGROUP, XACK and XCLAIM the same way.
#[test]
fn streams_with_consumers_survive_the_round_trip_both_ways() {
    let Some(mut p) = start("DUMP/RESTORE stream round trip") else {
        return;
    };
    let mut problems = Vec::new();
    for from_redis in [true, false] {
        let (src, dst) = if from_redis {
            (&mut p.redis, &mut p.ours)
        } else {
            (&mut p.ours, &mut p.redis)
        };
        let side = if from_redis {
            "redis → streamlab"
        } else {
            "streamlab → redis"
        };
        // Same key name on both sides: replies name the key.
        src.cmd("FLUSHALL");
        dst.cmd("FLUSHALL");
        for key in fixtures::build_consumer_streams(src) {
            let payload = bulk(call(src, &[b"DUMP", &key]));
            let copy = key.clone();
            let ok = call(dst, &[b"RESTORE", &copy, b"0", &payload]);
            if ok != Reply::ok() {
                problems.push(format!("{side} {key:?}: RESTORE answered {ok:?}"));
                continue;
            }
            let again = bulk(call(dst, &[b"DUMP", &copy]));
            if again != payload {
                problems.push(format!(
                    "{side} {key:?}: DUMP after RESTORE changed the payload"
                ));
            }
            for (src_cmd, dst_cmd) in fixtures::after_restore(&key, &copy) {
                let shown = String::from_utf8_lossy(&dst_cmd.join(&b' ')).into_owned();
                let want = src.call(&src_cmd).expect("source reply");
                let got = dst.call(&dst_cmd).expect("copy reply");
                if want != got {
                    problems.push(format!(
                        "{side} {shown}:\n  source: {}\n  copy:   {}",
                        want.to_cli_text(),
                        got.to_cli_text()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn redis_6_2_payloads_restore_as_redis_7_0_restores_them() {
    let Some(mut p) = start("6.2 payloads") else {
        return;
    };
    let mut problems = Vec::new();
    let payloads = fixtures::stream_6_2_payloads()
        .into_iter()
        .chain(fixtures::ziplist_payloads_6_2());
    for (name, payload) in payloads {
        let key = name.as_bytes();
        let theirs = call(&mut p.redis, &[b"RESTORE", key, b"0", &payload]);
        let mine = call(&mut p.ours, &[b"RESTORE", key, b"0", &payload]);
        assert_eq!(
            theirs,
            Reply::ok(),
            "{name}: redis-server refused the fixture"
        );
        if mine != theirs {
            problems.push(format!("{name}: RESTORE answered {mine:?}"));
            continue;
        }
        let want = observe(&mut p.redis, key);
        let got = observe(&mut p.ours, key);
        if want != got {
            problems.push(format!(
                "{name}: reads\n  {got:?}\n  instead of\n  {want:?}"
            ));
        }
        // Both write it back in 7.0's types (19, 18, 16), byte for byte.
        let theirs = call(&mut p.redis, &[b"DUMP", key]);
        let mine = call(&mut p.ours, &[b"DUMP", key]);
        if theirs != mine {
            problems.push(format!("{name}: DUMP after RESTORE differs"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
