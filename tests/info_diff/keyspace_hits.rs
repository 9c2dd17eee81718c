//! `keyspace_hits` and `keyspace_misses` against redis-server 7.0.15,
//! compared after every command of a long mixed script, so a divergence
//! names the command that caused it.
//!
//! The script covers every command family with hits, misses, errors
//! raised before the lookup (arity, syntax, bad IDs), WRONGTYPE raised
//! after it, commands that look a key up twice (XREAD) or never (writes,
//! KEYS, DEL), MULTI/EXEC, and a blocked XREAD woken by an XADD.

use std::time::Duration;

use streamlab::engine::Reply;

use super::support::{Client, words};
use super::{both, field};

/// The two counters as INFO stats prints them.
fn counters(client: &mut Client) -> (Option<String>, Option<String>) {
    let info = client.cmd("INFO stats");
    (
        field(&info, "keyspace_hits"),
        field(&info, "keyspace_misses"),
    )
}

/// A client on each server, and an observer on each that reads INFO
/// (the clients may be inside MULTI, where INFO would be queued).
struct Pair {
    r: Client,
    o: Client,
    r_info: Client,
    o_info: Client,
}

impl Pair {
    fn counters(&mut self) -> [(Option<String>, Option<String>); 2] {
        [counters(&mut self.r_info), counters(&mut self.o_info)]
    }

    fn assert_same(&mut self, when: &str) {
        let [want, got] = self.counters();
        assert_eq!(want, got, "keyspace hits/misses {when}");
    }

    /// Runs `line` on both servers and fails naming it when the counters part.
    fn step(&mut self, line: &str) {
        step(&mut self.r, &mut self.o, line);
        self.assert_same(&format!("after {line:?}"));
    }
}

fn step(r: &mut Client, o: &mut Client, line: &str) {
    let (want, got) = (r.cmd(line), o.cmd(line));
    // Only whether and how it failed: values hold times and hash orders.
    let error = |reply: &Reply| match reply {
        Reply::Error(text) => Some(text.clone()),
        _ => None,
    };
    assert_eq!(error(&want), error(&got), "reply of {line:?}");
}

const SCRIPT: &[&str] = &[
    // Setup: writes look keys up for writing and count nothing.
    "XADD s 1-1 f v",
    "XADD s 2-1 f v",
    "XGROUP CREATE s g 0",
    "SET str hello",
    "RPUSH list a b c",
    "HSET hash f v g w",
    "SADD set 1 2 3",
    // Strings and keyspace.
    "GET str",
    "GET nokey",
    "GET list",
    "GET",
    "TYPE s",
    "TYPE nokey",
    "EXISTS s nokey str nokey2",
    "DUMP str",
    "DUMP nokey",
    "OBJECT ENCODING s",
    "OBJECT ENCODING nokey",
    "OBJECT HELP",
    "MEMORY USAGE s",
    "KEYS *",
    "SCAN 0",
    // TYPE looks up every visited key MATCH kept; COUNT 1000 visits all.
    "SCAN 0 COUNT 1000 TYPE stream",
    "SCAN 0 MATCH s* COUNT 1000 TYPE list",
    "SCAN 0 COUNT x TYPE list",
    "DBSIZE",
    "SET str2 v NX",
    "SET str2 v XX",
    "RENAME str2 str3",
    "RENAME nokey x",
    "DEL str3 nokey",
    // Streams.
    "XLEN s",
    "XLEN nokey",
    "XLEN str",
    "XRANGE s - +",
    "XRANGE nokey - +",
    "XRANGE str - +",
    "XRANGE s bad +",
    "XRANGE s - + COUNT x",
    "XRANGE s - + BOGUS",
    "XREVRANGE s + - COUNT 1",
    "XREVRANGE nokey + -",
    "XREAD STREAMS s 0",
    "XREAD COUNT 1 STREAMS s nokey 0 0",
    "XREAD STREAMS s $",
    "XREAD STREAMS str 0",
    "XREAD STREAMS s nokey 0 bad",
    "XREAD STREAMS s str 0 0",
    "XREAD STREAMS s >",
    "XREAD COUNT x STREAMS s 0",
    "XREAD STREAMS s",
    "XREAD BOGUS STREAMS s 0",
    "XREAD GROUP g c STREAMS s 0",
    "XREADGROUP GROUP g c STREAMS s >",
    "XREADGROUP GROUP g c COUNT 1 STREAMS s 0",
    "XREADGROUP GROUP g c STREAMS s $",
    "XREADGROUP GROUP nog c STREAMS s >",
    "XREADGROUP GROUP g c STREAMS nokey >",
    "XREADGROUP GROUP g c STREAMS s str > >",
    "XREADGROUP STREAMS s >",
    "XREADGROUP GROUP g c STREAMS s 0-bad",
    "XREAD BLOCK -1 STREAMS s 0",
    "XREAD BLOCK x STREAMS s 0",
    "XREAD NOACK STREAMS s 0",
    "XCLAIM str g c 0 1-1",
    "XINFO CONSUMERS nokey g",
    "SCAN 0 COUNT 1000 TYPE nosuchtype",
    "XREADGROUP GROUP g c NOACK STREAMS s >",
    "XPENDING s g",
    "XPENDING s g - + 10",
    "XPENDING s g IDLE 0 - + 10 c",
    "XPENDING nokey g",
    "XPENDING s nog",
    "XPENDING str g",
    "XPENDING s g - + x",
    "XPENDING s g - +",
    "XACK s g 1-1",
    "XACK nokey g 1-1",
    "XACK str g 1-1",
    "XCLAIM s g c2 0 1-1",
    "XCLAIM nokey g c2 0 1-1",
    "XCLAIM s g c2 x 1-1",
    "XAUTOCLAIM s g c3 0 0",
    "XAUTOCLAIM nokey g c3 0 0",
    "XAUTOCLAIM s g c3 0 0 COUNT x",
    "XINFO STREAM s",
    "XINFO STREAM s FULL",
    "XINFO STREAM s BOGUS",
    "XINFO STREAM nokey",
    "XINFO GROUPS s",
    "XINFO GROUPS str",
    "XINFO CONSUMERS s g",
    "XINFO CONSUMERS s nog",
    "XINFO HELP",
    "XINFO STREAM",
    "XGROUP CREATECONSUMER s g c9",
    "XGROUP SETID s g 0",
    "XDEL s 1-1",
    "XDEL nokey 1-1",
    "XTRIM s MAXLEN 10",
    "XSETID s 5-0",
    "XADD nokey2 MAXLEN 5 * f v",
    // Lists.
    "LLEN list",
    "LLEN nokey",
    "LLEN s",
    "LRANGE list 0 -1",
    "LRANGE nokey 0 -1",
    "LRANGE list x 1",
    "LRANGE s 0 1",
    "LINDEX list 0",
    "LINDEX nokey 0",
    "LINDEX list x",
    "LPOS list b",
    "LPOS nokey b",
    "LPOS list b RANK 0",
    "LPOS s b",
    "LPUSH list z",
    "LPUSHX nokey z",
    "LPOP list",
    "RPOP nokey",
    "LSET list 0 y",
    "LREM list 0 y",
    "LINSERT list BEFORE b q",
    "LTRIM list 0 10",
    // Hashes.
    "HGET hash f",
    "HGET nokey f",
    "HGET s f",
    "HMGET hash f g x",
    "HMGET nokey f",
    "HLEN hash",
    "HGETALL hash",
    "HGETALL nokey",
    "HEXISTS hash f",
    "HKEYS hash",
    "HVALS nokey",
    "HINCRBY hash n 1",
    "HMSET hash a 1",
    "HDEL hash a",
    "HSET hash odd",
    // Sets.
    "SMEMBERS set",
    "SMEMBERS nokey",
    "SCARD set",
    "SCARD s",
    "SISMEMBER set 1",
    "SISMEMBER nokey 1",
    "SREM set 3",
    // Transactions: queued commands count when EXEC runs them.
    "MULTI",
    "GET str",
    "XLEN s",
    "XREAD BLOCK 0 STREAMS empty $",
    "HGET nokey f",
    "EXEC",
    "MULTI",
    "GET str",
    "GET",
    "EXEC",
    "MULTI",
    "XREADGROUP GROUP g c BLOCK 0 STREAMS s >",
    "EXISTS s s",
    "XPENDING s g - + 10",
    "EXEC",
    "RESTORE restored 0 bad",
    "UNLINK list",
];

#[test]
fn keyspace_hits_and_misses_match_redis_after_every_command() {
    let Some((redis, ours)) = both() else { return };
    let connect = |port| Client::connect(port).expect("connect");
    let mut p = Pair {
        r: connect(redis.port),
        o: connect(ours.port),
        r_info: connect(redis.port),
        o_info: connect(ours.port),
    };
    p.step("CONFIG RESETSTAT");
    assert_eq!(p.counters()[1], (Some("0".into()), Some("0".into())));
    for line in SCRIPT {
        p.step(line);
    }
    // A blocked read counts its lookups when it blocks; being served by
    // the XADD that wakes it is compared too.
    for (what, block, wake) in [
        (
            "XREAD",
            "XREAD BLOCK 5000 STREAMS live other $ $",
            "XADD live 9-1 f v",
        ),
        (
            "XREADGROUP",
            "XREADGROUP GROUP g c BLOCK 5000 STREAMS s >",
            "XADD s 9-1 f v",
        ),
    ] {
        let mut readers = Vec::new();
        for port in [redis.port, ours.port] {
            let mut reader = connect(port);
            reader.send(&words(block)).expect("send blocking read");
            readers.push(reader);
        }
        std::thread::sleep(Duration::from_millis(100));
        p.assert_same(&format!("after {what} blocked"));
        p.step(wake);
        for reader in &mut readers {
            reader.set_read_timeout(Duration::from_secs(5));
            let served = reader.read_reply().expect("served");
            assert!(matches!(served, Reply::Array(_)), "{served:?}");
        }
        p.assert_same(&format!("after {what} was served"));
    }
    // A DUMP of a real value round-trips through RESTORE (a write lookup).
    let Reply::Bulk(payload) = p.r.cmd("DUMP s") else {
        panic!("DUMP")
    };
    p.o.cmd("DUMP s");
    let mut restore = words("RESTORE copy 0");
    restore.push(payload);
    let want = p.r.call(&restore).expect("redis RESTORE");
    let got = p.o.call(&restore).expect("streamlab RESTORE");
    assert_eq!(want, got, "RESTORE");
    p.assert_same("after DUMP and RESTORE");
    // RESETSTAT clears both.
    p.step("CONFIG RESETSTAT");
    assert_eq!(p.counters()[1], (Some("0".into()), Some("0".into())));
}
