//! Key expiry against a real redis-server 7.0.15: the TTL commands, SET's
//! and GETEX's expiry options, RENAME carrying a TTL, OBJECT, and what a
//! key past its TTL looks like before and after a lookup.
//!
//! ```text
//!   DEBUG SET-ACTIVE-EXPIRE 0 on both ─▶ SCRIPT, line by line, replies compared
//!     (keys expire on lookup only, so DBSIZE, INFO keyspace and
//!      expired_keys are the same on both at every line)
//!   DEBUG SET-ACTIVE-EXPIRE 1 ─▶ keys with PX 50, wait ─▶ both cycles deleted them
//!   XREADGROUP / XREAD BLOCK on a stream that expires ─▶ -UNBLOCKED / timeout on both
//! ```
//!
//! Relative TTLs are read back with TTL (whole seconds, rounded: the
//! milliseconds between the two servers do not show) and absolute ones
//! with EXPIRETIME / PEXPIRETIME; PTTL of a relative TTL would show the
//! clock and is left out. `@stat NAME` compares one INFO stats field.

use std::time::{Duration, Instant};

use streamlab::engine::Reply;

use super::support::Client;
use super::{canonical, show, split_line};

const SCRIPT: &str = r#"SET k v
EXPIRE k 100
TTL k
EXPIRE k 100 NX
EXPIRE k 50 LT
TTL k
EXPIRE k 200 GT
TTL k
EXPIRE k 10 XX GT
PERSIST k
TTL k
PERSIST k
EXPIRE k 10 XX
EXPIRE k 10 GT
EXPIRE k 10 LT
TTL k
EXPIRE nokey 10
TTL nokey
PTTL nokey
PERSIST nokey
EXPIRETIME nokey
PEXPIRETIME nokey
EXPIREAT k 4102444800
EXPIRETIME k
PEXPIRETIME k
PEXPIREAT k 4102444800123
PEXPIRETIME k
EXPIRETIME k
EXPIRE k 1 FOO
EXPIRE k 1 NX XX
EXPIRE k 1 nx gt
EXPIRE k 1 gt lt
EXPIRE k notanumber
EXPIRE k 9223372036854775
EXPIREAT k 9223372036854775
EXPIREAT k 9223372036854776
PEXPIRE k 9223372036854775807
PEXPIREAT k 9223372036854775807
EXPIRETIME k
PEXPIRETIME k
EXPIRE k
TTL
TTL a b
SET s v EX 100
TTL s
SET s v PX 100000 GET
TTL s
SET s w KEEPTTL
TTL s
GET s
SET s x
TTL s
SET s v EX 0
SET s v PX -5
SET s v EXAT 0
SET s v EX 9223372036854775807
SET s v PX 9223372036854775807
SET s v EX abc
SET s v EX 10 PX 10
SET s v KEEPTTL PXAT 10
SET s v PXAT 10 KEEPTTL
SET s v EX
SET s v NX XX
SET s v EX 10 EX 20
TTL s
SET s v EXAT 4102444800
EXPIRETIME s
SET s v PXAT 4102444800000 NX
SET s v XX GET EXAT 4102444801
EXPIRETIME s
SET s v NX GET
GETEX s
GETEX s EX 100
TTL s
GETEX s PERSIST
TTL s
GETEX s EX 10 PERSIST
GETEX s PERSIST EX 10
GETEX s KEEPTTL
GETEX s PX 0
GETEX s EX notanumber
GETEX s EXAT 4102444800
EXPIRETIME s
GETEX nokey EX 10
RPUSH l a
GETEX l EX 10
GETEX s EXAT 1
EXISTS s
@stat expired_keys
SET gone v PXAT 1
GET gone
EXISTS gone
TTL gone
@stat expired_keys
SET gone v EXAT 1
TYPE gone
SET gone v EXAT 1
OBJECT ENCODING gone
SET gone v EXAT 1
SET gone w GET
TTL gone
@stat expired_keys
RPUSH gonel a b
PEXPIREAT gonel 1
EXISTS gonel
HSET h f v
EXPIREAT h -1
HGET h f
SET renamed v EX 100
RENAME renamed r2
TTL r2
TTL renamed
SET r3 v
EXPIRE r3 200
RENAME r2 r3
TTL r3
SET r4 v
RENAMENX r3 r4
TTL r3
SET r5 v EX 300
RENAME r3 r5
TTL r5
DEL r5
SET r5 v
TTL r5
SET ghost v PXAT 1
RENAME ghost elsewhere
@stat expired_keys
SET ghost v PXAT 1
RENAME r4 ghost
TTL ghost
@stat expired_keys
INFO keyspace
SET dead v PXAT 1
DBSIZE
INFO keyspace
KEYS *
MEMORY USAGE dead
EXISTS dead
DBSIZE
INFO keyspace
SET e1 v PXAT 1
SCAN 0 COUNT 100
DBSIZE
SET e2 v PXAT 1
SCAN 0 TYPE none COUNT 100
SCAN 0 TYPE string COUNT 100
DBSIZE
@stat expired_keys
@stat keyspace_hits
@stat keyspace_misses
SET d1 v PXAT 1
SET d2 v PXAT 1
DEL d1 d2 r5
@stat expired_keys
TOUCH ghost nokey l
OBJECT FREQ ghost
OBJECT FREQ nokey
OBJECT IDLETIME nokey
OBJECT REFCOUNT nokey
OBJECT REFCOUNT ghost
SET small 42
OBJECT REFCOUNT small
SET zero 0
OBJECT REFCOUNT zero
SET edge 9999
OBJECT REFCOUNT edge
SET big 10000
OBJECT REFCOUNT big
SET neg -1
OBJECT REFCOUNT neg
SET padded 042
OBJECT REFCOUNT padded
OBJECT REFCOUNT l
OBJECT FOO x
OBJECT IDLETIME
OBJECT IDLETIME a b
OBJECT HELP
@stat keyspace_hits
@stat keyspace_misses
@stat expired_keys
PERSIST ghost
TTL ghost
MULTI
SET m v PXAT 1
GET m
EXPIRE small 100
TTL small
EXEC
@stat expired_keys
DEBUG SET-ACTIVE-EXPIRE
DEBUG NOSUCH"#;

/// The value of `field` in `INFO stats`.
fn stat(c: &mut Client, field: &str) -> String {
    let info = c.call(&split_line("INFO stats")).expect("INFO stats");
    let Reply::Bulk(text) = info else {
        return format!("{info:?}");
    };
    String::from_utf8_lossy(&text)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_string))
        .unwrap_or_else(|| format!("no {field}"))
}

fn both(redis: &mut Client, ours: &mut Client, line: &str) -> (Reply, Reply) {
    let argv = split_line(line);
    (
        redis.call(&argv).expect("redis reply"),
        ours.call(&argv).expect("streamlab reply"),
    )
}

/// Runs SCRIPT on both servers with the active cycle off.
pub fn compare_script(redis: &mut Client, ours: &mut Client) -> Vec<String> {
    let mut problems = Vec::new();
    for line in ["FLUSHALL", "CONFIG RESETSTAT", "DEBUG SET-ACTIVE-EXPIRE 0"] {
        let (want, got) = both(redis, ours, line);
        assert_eq!(want, got, "{line}");
    }
    for (n, line) in SCRIPT.lines().enumerate() {
        let (want, got) = if let Some(field) = line.strip_prefix("@stat ") {
            let pair = (stat(redis, field), stat(ours, field));
            (Reply::Status(pair.0), Reply::Status(pair.1))
        } else {
            let argv = split_line(line);
            let (want, got) = both(redis, ours, line);
            (canonical(&argv, false, want), canonical(&argv, false, got))
        };
        if want != got {
            problems.push(format!(
                "expiry:{}: {}\n  redis-server: {}\n  streamlab:    {}",
                n + 1,
                show(&split_line(line)),
                want.to_cli_text().replace('\n', "\n                "),
                got.to_cli_text().replace('\n', "\n                ")
            ));
        }
    }
    problems
}

/// With the active cycle on, keys nobody reads are deleted within a few
/// cycles (100 ms apart on both servers).
pub fn compare_active_cycle(redis: &mut Client, ours: &mut Client) -> Vec<String> {
    let mut problems = Vec::new();
    for line in ["FLUSHALL", "CONFIG RESETSTAT", "DEBUG SET-ACTIVE-EXPIRE 1"] {
        both(redis, ours, line);
    }
    for i in 0..30 {
        both(redis, ours, &format!("SET short{i} v PX 50"));
    }
    both(redis, ours, "SET long v EX 1000");
    both(redis, ours, "SET forever v");
    std::thread::sleep(Duration::from_millis(600));
    for line in ["DBSIZE", "TTL long"] {
        let (want, got) = both(redis, ours, line);
        if want != got {
            problems.push(format!(
                "active cycle, {line}: redis-server {want:?}, streamlab {got:?}"
            ));
        }
    }
    for field in ["expired_keys", "keyspace_misses"] {
        let (want, got) = (stat(redis, field), stat(ours, field));
        if want != got {
            problems.push(format!(
                "active cycle, {field}: redis-server {want}, streamlab {got}"
            ));
        }
    }
    problems
}

/// A blocked XREADGROUP on a stream whose TTL runs out is answered
/// -UNBLOCKED when the active cycle deletes it; a blocked XREAD keeps
/// waiting for its timeout.
pub fn compare_blocked_reads(redis_port: u16, ours_port: u16) -> Vec<String> {
    let mut problems = Vec::new();
    for (server, port) in [("redis-server", redis_port), ("streamlab", ours_port)] {
        let mut c = Client::connect(port).expect("connect");
        for line in [
            "FLUSHALL",
            "CONFIG RESETSTAT",
            "DEBUG SET-ACTIVE-EXPIRE 1",
            "XADD s 1-1 f v",
            "XGROUP CREATE s g $",
            "XADD s2 1-1 f v",
            "PEXPIRE s 300",
            "PEXPIRE s2 300",
        ] {
            c.cmd(line);
        }
        let mut group_reader = Client::connect(port).expect("connect");
        let mut reader = Client::connect(port).expect("connect");
        let started = Instant::now();
        group_reader
            .send(&split_line("XREADGROUP GROUP g c BLOCK 3000 STREAMS s >"))
            .expect("send");
        reader
            .send(&split_line("XREAD BLOCK 1500 STREAMS s2 $"))
            .expect("send");
        let answer = group_reader.read_reply().expect("XREADGROUP reply");
        let group_ms = started.elapsed().as_millis();
        let timeout = reader.read_reply().expect("XREAD reply");
        let read_ms = started.elapsed().as_millis();
        let unblocked = Reply::err("UNBLOCKED the stream key no longer exists");
        if answer != unblocked || !(250..1500).contains(&group_ms) {
            problems.push(format!(
                "{server}: XREADGROUP on an expiring stream answered {answer:?} after {group_ms} ms"
            ));
        }
        if timeout != Reply::NilArray || read_ms < 1400 {
            problems.push(format!(
                "{server}: XREAD on an expiring stream answered {timeout:?} after {read_ms} ms"
            ));
        }
        // The -UNBLOCKED answer counts as an error reply and a failed call.
        let errors = c.cmd("INFO errorstats");
        let failed = c.cmd("INFO commandstats");
        let text = |r: &Reply| match r {
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            other => format!("{other:?}"),
        };
        if !text(&errors).contains("errorstat_UNBLOCKED:count=1")
            || !text(&failed).contains("cmdstat_xreadgroup:calls=1,")
            || !text(&failed).contains("failed_calls=1\r\n")
        {
            problems.push(format!(
                "{server}: after -UNBLOCKED: {}{}",
                text(&errors),
                text(&failed)
            ));
        }
    }
    problems
}
