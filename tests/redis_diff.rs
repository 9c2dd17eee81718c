//! Differential test: the same random command lines sent to a real
//! redis-server and to the engine must get the same replies.
//!
//! ```text
//!   seed ─▶ Gen ─▶ argv ─▶ make it clock-free ─┬─▶ redis-server (private port) ─▶ RESP
//!                                               └─▶ Db::execute ─────────────────▶ Reply
//!                     mask what depends on the wall clock, then compare exactly
//! ```
//!
//! Redis reads its own clock, so commands are made clock-free first: `*`
//! IDs become `<now>-*`, BLOCK is dropped, every min-idle (XCLAIM,
//! XAUTOCLAIM, XPENDING IDLE) is 0. What still carries a time — delivery
//! times, idle times, seen times in XPENDING and XINFO — is blanked on
//! both sides. Everything else, error strings included, must be equal.
//! The test starts its own server and skips (saying why) when
//! redis-server is missing; `ENGINE_SEED` pins the seed,
//! `ENGINE_REDIS_PORT` the port.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Gen, show};
use streamlab::engine::{Db, ExecContext, Reply, Session};

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn call(&mut self, argv: &[Vec<u8>]) -> Reply {
        let mut out = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out).expect("write to redis");
        self.read()
    }

    fn read(&mut self) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read from redis");
        let line = line.trim_end_matches("\r\n");
        let (tag, rest) = line.split_at(1);
        match tag {
            "+" => Reply::Status(rest.to_string()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Integer(rest.parse().expect("integer reply")),
            "$" => {
                let n: i64 = rest.parse().expect("bulk length");
                if n < 0 {
                    return Reply::Nil;
                }
                let mut buf = vec![0u8; n as usize + 2];
                self.reader.read_exact(&mut buf).expect("bulk body");
                buf.truncate(n as usize);
                Reply::Bulk(buf)
            }
            "*" => {
                let n: i64 = rest.parse().expect("array length");
                if n < 0 {
                    return Reply::NilArray;
                }
                Reply::Array((0..n).map(|_| self.read()).collect())
            }
            other => panic!("unexpected reply tag {other:?}"),
        }
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> Option<(Server, Conn)> {
    let present = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !present {
        eprintln!("skipping: redis-server not found on PATH");
        return None;
    }
    let port: u16 = std::env::var("ENGINE_REDIS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(7900 + (std::process::id() % 90) as u16);
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let server = Server(child);
    for _ in 0..100 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            let reader = BufReader::new(stream.try_clone().ok()?);
            return Some((
                server,
                Conn {
                    reader,
                    writer: stream,
                },
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("skipping: redis-server did not accept connections on port {port}");
    None
}

/// Rewrites a generated line so its reply cannot depend on the clock.
fn clock_free(mut argv: Vec<Vec<u8>>, now_ms: u64) -> Vec<Vec<u8>> {
    let name = argv[0].to_ascii_uppercase();
    match name.as_slice() {
        b"XADD" => {
            for a in argv.iter_mut().skip(2) {
                if a == b"*" {
                    *a = format!("{now_ms}-*").into_bytes();
                }
            }
        }
        b"XREAD" | b"XREADGROUP" => {
            if let Some(i) = argv.iter().position(|a| a.eq_ignore_ascii_case(b"BLOCK"))
                && i + 1 < argv.len()
                && !argv[i + 1].eq_ignore_ascii_case(b"STREAMS")
            {
                argv.drain(i..i + 2);
            }
        }
        b"XCLAIM" | b"XAUTOCLAIM" if argv.len() > 4 => argv[4] = b"0".to_vec(),
        b"XPENDING" if argv.len() > 4 && argv[3].eq_ignore_ascii_case(b"IDLE") => {
            argv[4] = b"0".to_vec();
        }
        _ => {}
    }
    argv
}

fn blank(r: &mut Reply) {
    *r = Reply::Integer(-7);
}

/// Blanks every value that carries a wall-clock time.
fn mask(argv: &[Vec<u8>], reply: &mut Reply) {
    let name = argv[0].to_ascii_uppercase();
    let sub = argv
        .get(1)
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_default();
    match (name.as_slice(), sub.as_slice()) {
        (b"XPENDING", _) if argv.len() > 3 => {
            // Extended form: [id, consumer, idle, count] rows.
            if let Reply::Array(rows) = reply {
                for row in rows {
                    if let Reply::Array(cells) = row
                        && cells.len() == 4
                    {
                        blank(&mut cells[2]);
                    }
                }
            }
        }
        (b"XINFO", _) => mask_info(reply),
        (b"EXEC", _) => {
            // Replies of queued commands: mask what each would mask; the
            // lines are not known here, so mask the XINFO-like shapes.
            if let Reply::Array(items) = reply {
                for item in items {
                    mask_info(item);
                    mask_pending_rows(item);
                }
            }
        }
        _ => {}
    }
}

fn mask_pending_rows(reply: &mut Reply) {
    if let Reply::Array(rows) = reply {
        for row in rows {
            if let Reply::Array(cells) = row {
                let looks_pending = cells.len() == 4
                    && matches!(cells[2], Reply::Integer(_))
                    && matches!(cells[3], Reply::Integer(_))
                    && matches!(cells[1], Reply::Bulk(_));
                if looks_pending {
                    blank(&mut cells[2]);
                }
            }
        }
    }
}

/// XINFO replies: `seen-time` and `idle` values, and the delivery time in
/// FULL's pending rows (group rows [id, consumer, time, count], consumer
/// rows [id, time, count]).
fn mask_info(reply: &mut Reply) {
    let Reply::Array(items) = reply else { return };
    for i in 0..items.len() {
        let key = match &items[i] {
            Reply::Bulk(b) => b.clone(),
            _ => Vec::new(),
        };
        if i + 1 >= items.len() {
            break;
        }
        match key.as_slice() {
            b"seen-time" | b"idle" => blank(&mut items[i + 1]),
            b"pending" => {
                if let Reply::Array(rows) = &mut items[i + 1] {
                    for row in rows {
                        if let Reply::Array(cells) = row {
                            let at = cells.len() - 2;
                            blank(&mut cells[at]);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for item in items.iter_mut() {
        mask_info(item);
    }
}

fn run_seed(conn: &mut Conn, seed: u64) {
    let reset: Vec<Vec<u8>> = common::argv(&["CONFIG", "SET", "stream-node-max-entries", "100"]);
    conn.call(&common::argv(&["FLUSHALL"]));
    conn.call(&reset);
    let mut db = Db::new();
    let mut session = Session::default();
    let mut g = Gen::new(seed);
    let mut now_ms = 1;
    let mut log: Vec<String> = Vec::new();
    for step in 0..300 {
        now_ms += g.rng.below(3);
        let argv = clock_free(g.command(now_ms), now_ms);
        let mut want = conn.call(&argv);
        let mut got = db
            .execute(&mut session, &argv, &ExecContext::at(now_ms))
            .reply;
        g.observe(&want);
        mask(&argv, &mut want);
        mask(&argv, &mut got);
        log.push(format!("[{step}] {}", show(&argv)));
        if got != want {
            let from = log.len().saturating_sub(30);
            panic!(
                "seed {seed} step {step}: {}\nredis:\n{}\nengine:\n{}\nlast commands:\n{}",
                show(&argv),
                want.to_cli_text(),
                got.to_cli_text(),
                log[from..].join("\n")
            );
        }
    }
    // Leave no transaction open for the next seed.
    if session.multi.is_some() {
        conn.call(&common::argv(&["DISCARD"]));
    }
}

#[test]
fn engine_replies_match_redis() {
    let Some((_server, mut conn)) = start_redis() else {
        return;
    };
    for seed in common::seeds(0xd1ff_0001, 60) {
        run_seed(&mut conn, seed);
    }
}
