//! Differential test of propagation: the engine's `Executed.effects` must
//! be exactly what a real redis-server appends to its AOF for the same
//! command lines.
//!
//! ```text
//!   seed ─▶ Gen ─▶ clock-free argv ─┬─▶ redis-server --appendonly yes ─▶ appendonlydir/*.incr.aof
//!                                   │                                      └─ new commands since
//!                                   │                                         the last line
//!                                   └─▶ Db::execute ─▶ effects
//!           compare after every line (SELECT dropped, XCLAIM's TIME blanked)
//! ```
//!
//! Redis writes the AOF before it sends the reply (flushAppendOnlyFile runs
//! in beforeSleep ahead of the client writes), so once a reply is in, the
//! line's propagation is in the file. Key expiry has a script of its own
//! (`EXPIRY_SCRIPT`): only absolute times, or times long past, so that
//! the two clocks never show, and the active cycle off on redis-server
//! (DEBUG SET-ACTIVE-EXPIRE 0) so that keys expire on lookup only. The only clock-bound part left is
//! the delivery time XCLAIM carries, which is blanked on both sides.
//! Skips, saying why, when redis-server is missing; `ENGINE_SEED` pins
//! the seed.

mod common;

use std::path::{Path, PathBuf};

use common::redis::{Conn, clock_free, start_redis};
use common::{Gen, argv, show};
use streamlab::engine::{Db, ExecContext, Session};

/// Follows the AOF as Redis appends to it and cuts it into command lines.
struct AofTail {
    file: PathBuf,
    offset: usize,
}

impl AofTail {
    /// Command lines appended since the last call (SELECT dropped).
    fn lines(&mut self) -> Vec<Vec<Vec<u8>>> {
        let bytes = std::fs::read(&self.file).expect("read the AOF");
        let mut out = Vec::new();
        let mut at = self.offset;
        while let Some((line, next)) = parse_command(&bytes, at) {
            if !line[0].eq_ignore_ascii_case(b"SELECT") {
                out.push(line);
            }
            at = next;
        }
        self.offset = at;
        out
    }
}

/// One `*N\r\n$len\r\narg\r\n...` command starting at `at`, if complete.
fn parse_command(bytes: &[u8], at: usize) -> Option<(Vec<Vec<u8>>, usize)> {
    fn number(bytes: &[u8], at: usize, tag: u8) -> Option<(usize, usize)> {
        if bytes.get(at) != Some(&tag) {
            return None;
        }
        let end = at + bytes[at..].windows(2).position(|w| w == b"\r\n")?;
        let n = std::str::from_utf8(&bytes[at + 1..end])
            .ok()?
            .parse()
            .ok()?;
        Some((n, end + 2))
    }
    let (count, mut at) = number(bytes, at, b'*')?;
    let mut line = Vec::with_capacity(count);
    for _ in 0..count {
        let (len, start) = number(bytes, at, b'$')?;
        if bytes.len() < start + len + 2 {
            return None;
        }
        line.push(bytes[start..start + len].to_vec());
        at = start + len + 2;
    }
    Some((line, at))
}

fn find_incr_aof(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir.join("appendonlydir")).ok()?;
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with(".incr.aof"))
}

/// XCLAIM's TIME is the one wall-clock value a propagated line holds.
fn blank_time(lines: &mut [Vec<Vec<u8>>]) {
    for line in lines {
        if line.len() == 14 && line[0] == b"XCLAIM" && line[6] == b"TIME" {
            line[7] = b"<time>".to_vec();
        }
    }
}

fn run_seed(conn: &mut Conn, aof: &mut AofTail, seed: u64) {
    conn.call(&argv(&["FLUSHALL"]));
    conn.call(&argv(&[
        "CONFIG",
        "SET",
        "stream-node-max-entries",
        "100",
        "stream-node-max-bytes",
        "4096",
    ]));
    aof.lines();
    let mut db = Db::new();
    let mut session = Session::default();
    let mut g = Gen::new(seed);
    let mut now_ms = 1;
    let mut log: Vec<String> = Vec::new();
    for step in 0..250 {
        now_ms += g.rng.below(3);
        let line = clock_free(g.command(now_ms), now_ms);
        let reply = conn.call(&line);
        g.observe(&reply);
        let mut want = aof.lines();
        let mut got = db
            .execute(&mut session, &line, &ExecContext::at(now_ms))
            .effects;
        blank_time(&mut want);
        blank_time(&mut got);
        log.push(format!("[{step}] {}", show(&line)));
        if got != want {
            let text = |ls: &[Vec<Vec<u8>>]| -> String {
                ls.iter()
                    .map(|l| format!("  {}", show(l)))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let from = log.len().saturating_sub(30);
            panic!(
                "seed {seed} step {step}: {}\nredis AOF:\n{}\nengine effects:\n{}\nlast commands:\n{}",
                show(&line),
                text(&want),
                text(&got),
                log[from..].join("\n")
            );
        }
    }
    if session.multi.is_some() {
        conn.call(&argv(&["DISCARD"]));
    }
}

/// Expiry commands whose propagation holds no clock value. `PAYLOAD` is
/// replaced by redis-server's DUMP of the string "v".
const EXPIRY_SCRIPT: &[&str] = &[
    "SET k v EXAT 4102444800",
    "EXPIREAT k 4102444801 NX",
    "PEXPIREAT k 4102444802000 XX",
    "EXPIREAT k 4102444803 GT",
    "expireat k 4102444700 lt",
    "PERSIST k",
    "PERSIST k",
    "SET gone v PXAT 1",
    "GET gone",
    "RPUSH l a b",
    "PEXPIREAT l 1",
    "SET s v",
    "GETEX s EXAT 4102444800",
    "GETEX s PERSIST",
    "GETEX s",
    "GETEX s PXAT 1",
    "SET x v PXAT 1",
    "RPUSH x a",
    "SET d v PXAT 1",
    "DEL d",
    "SET e v PXAT 1",
    "EXISTS e",
    "SET y v PXAT 1",
    "SET y w GET",
    "SET z v PXAT 1",
    "SET z w KEEPTTL",
    "SET r1 v PXAT 4102444800000",
    "RENAME r1 r2",
    "SET r3 v PXAT 1",
    "RENAME r2 r3",
    "MULTI",
    "SET m v PXAT 1",
    "GET m",
    "EXEC",
    "XADD st 1-1 f v",
    "PEXPIREAT st 4102444800000",
    "XADD st 2-1 f v",
    "XADD gst 1-1 f v",
    "PEXPIREAT gst 1",
    "RESTORE k2 4102444800000 PAYLOAD ABSTTL",
    "RESTORE k3 1 PAYLOAD ABSTTL",
    "RESTORE k2 1 PAYLOAD ABSTTL REPLACE",
    "RESTORE k4 0 PAYLOAD IDLETIME 100",
    "SET sc v PXAT 1",
    "SCAN 0 COUNT 1000",
    "TTL k",
    "TOUCH k nokey",
];

#[test]
fn expiry_effects_match_the_redis_aof() {
    let dir = std::env::temp_dir().join(format!("streamlab-aof-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    let dir_arg = dir.to_string_lossy().into_owned();
    let started = start_redis(&[
        "--dir",
        &dir_arg,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--auto-aof-rewrite-percentage",
        "0",
        "--enable-debug-command",
        "yes",
    ]);
    let Some((server, mut conn)) = started else {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    conn.call(&argv(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]));
    let file = (0..100)
        .find_map(|_| {
            let found = find_incr_aof(&dir);
            if found.is_none() {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            found
        })
        .expect("redis-server created no incremental AOF");
    let mut aof = AofTail { file, offset: 0 };
    conn.call(&argv(&["SET", "v", "v"]));
    let streamlab::engine::Reply::Bulk(payload) = conn.call(&argv(&["DUMP", "v"])) else {
        panic!("DUMP v");
    };
    conn.call(&argv(&["DEL", "v"]));
    aof.lines();
    let mut db = Db::new();
    let mut session = Session::default();
    let now_ms = 1_700_000_000_000;
    let mut problems = Vec::new();
    for line in EXPIRY_SCRIPT {
        let mut line: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        for arg in &mut line {
            if arg == b"PAYLOAD" {
                *arg = payload.clone();
            }
        }
        let reply = conn.call(&line);
        let want = aof.lines();
        let done = db.execute(&mut session, &line, &ExecContext::at(now_ms));
        // SCAN answers in each server's own hash order.
        if done.reply != reply && line[0] != b"SCAN" {
            problems.push(format!(
                "{}: replies {:?} vs {:?}",
                show(&line),
                reply,
                done.reply
            ));
        }
        if done.effects != want {
            let text =
                |ls: &[Vec<Vec<u8>>]| ls.iter().map(|l| show(l)).collect::<Vec<_>>().join(" | ");
            problems.push(format!(
                "{}\n  redis AOF: {}\n  engine:    {}",
                show(&line),
                text(&want),
                text(&done.effects)
            ));
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn effects_match_the_redis_aof() {
    let dir = std::env::temp_dir().join(format!("streamlab-aof-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    let dir_arg = dir.to_string_lossy().into_owned();
    let started = start_redis(&[
        "--dir",
        &dir_arg,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--auto-aof-rewrite-percentage",
        "0",
    ]);
    let Some((server, mut conn)) = started else {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    // The server answers before it has necessarily created the file.
    conn.call(&argv(&["PING"]));
    let file = (0..100)
        .find_map(|_| {
            let found = find_incr_aof(&dir);
            if found.is_none() {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            found
        })
        .expect("redis-server created no incremental AOF");
    let mut aof = AofTail { file, offset: 0 };
    for seed in common::seeds(0xa0f_0001, 12) {
        run_seed(&mut conn, &mut aof, seed);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
