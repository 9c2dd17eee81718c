//! A real redis-server for differential tests: start one on a private
//! port, talk RESP2 to it, and make generated lines clock-free.
//!
//! ```text
//!   start_redis(args) ─▶ Server (killed on drop) + Conn ── call(argv) ─▶ Reply
//! ```
//!
//! Tests using it skip, saying why, when redis-server is not installed.
//! `ENGINE_REDIS_PORT` picks the first port (one more per server).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use streamlab::engine::Reply;

pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    pub fn call(&mut self, argv: &[Vec<u8>]) -> Reply {
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
        if line.is_empty() {
            // The server went away (crashed or was killed): say so in the
            // reply, so the caller's report shows the command that did it.
            return Reply::Error("<redis-server closed the connection>".into());
        }
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

pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start_redis(extra: &[&str]) -> Option<(Server, Conn)> {
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
    // Tests of one binary run in parallel: each server gets its own port.
    static STARTED: AtomicU16 = AtomicU16::new(0);
    let nth = STARTED.fetch_add(1, Ordering::SeqCst);
    let base: u16 = std::env::var("ENGINE_REDIS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(7900 + (std::process::id() % 30) as u16 * 4);
    let port = base + nth;
    // A name only this server has: proves the port answered is ours, not
    // some other server already listening there.
    let tag = format!("streamlab-{}-{nth}.rdb", std::process::id());
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--dbfilename",
            &tag,
        ])
        .args(extra)
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let server = Server(child);
    for _ in 0..100 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            let reader = BufReader::new(stream.try_clone().ok()?);
            let mut conn = Conn {
                reader,
                writer: stream,
            };
            let asked = ["CONFIG", "GET", "dbfilename"].map(|w| w.as_bytes().to_vec());
            let want = Reply::Array(vec![Reply::bulk("dbfilename"), Reply::bulk(&tag)]);
            if conn.call(&asked) != want {
                eprintln!("skipping: port {port} is held by another server");
                return None;
            }
            return Some((server, conn));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("skipping: redis-server did not accept connections on port {port}");
    None
}

/// Rewrites a generated line so its reply cannot depend on the clock:
/// `*` IDs become `<now_ms>-*`, BLOCK goes, and every min-idle (XCLAIM,
/// XAUTOCLAIM, XPENDING IDLE) becomes 0.
pub fn clock_free(argv: Vec<Vec<u8>>, now_ms: u64) -> Vec<Vec<u8>> {
    rewrite(argv, now_ms, false)
}

/// Idle threshold that splits entries into "fresh" and "ancient" when
/// both clocks are far above it but differ: fresh deliveries are a few
/// ms old on either side, ancient ones (TIME near 0, IDLE of
/// [`ANCIENT_IDLE_MS`]) are older than it on either side.
pub const IDLE_THRESHOLD_MS: u64 = 1_000_000_000;
/// The IDLE given to make a delivery ancient.
pub const ANCIENT_IDLE_MS: u64 = 10_000_000_000;
/// A TIME later than either clock.
const FAR_FUTURE_MS: u64 = 9_000_000_000_000;

/// As [`clock_free`], but min-idle values keep a meaning: odd ones become
/// [`IDLE_THRESHOLD_MS`], even ones 0; an odd XCLAIM IDLE becomes
/// [`ANCIENT_IDLE_MS`] and an odd TIME 0 (ancient), an even TIME a time
/// in the future (fresh). Needs both clocks well above the threshold.
pub fn idle_classes(argv: Vec<Vec<u8>>, now_ms: u64) -> Vec<Vec<u8>> {
    rewrite(argv, now_ms, true)
}

fn class(arg: &[u8], odd: u64) -> Vec<u8> {
    let n = std::str::from_utf8(arg)
        .ok()
        .and_then(|t| t.parse::<u64>().ok());
    match n {
        Some(n) if n % 2 == 1 => odd.to_string().into_bytes(),
        Some(_) => b"0".to_vec(),
        None => arg.to_vec(),
    }
}

fn rewrite(mut argv: Vec<Vec<u8>>, now_ms: u64, idle: bool) -> Vec<Vec<u8>> {
    let min_idle = |arg: &[u8]| {
        if idle {
            class(arg, IDLE_THRESHOLD_MS)
        } else {
            b"0".to_vec()
        }
    };
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
        b"XCLAIM" | b"XAUTOCLAIM" if argv.len() > 4 => {
            argv[4] = min_idle(&argv[4]);
            if idle && name == b"XCLAIM" {
                for i in 5..argv.len() - 1 {
                    if argv[i].eq_ignore_ascii_case(b"IDLE") {
                        argv[i + 1] = class(&argv[i + 1], ANCIENT_IDLE_MS);
                    } else if argv[i].eq_ignore_ascii_case(b"TIME") {
                        // Odd: the epoch (ancient); even: far in the future,
                        // which XCLAIM turns into now (fresh).
                        let t = class(&argv[i + 1], 1);
                        argv[i + 1] = if t == b"1" {
                            b"0".to_vec()
                        } else if t == b"0" {
                            FAR_FUTURE_MS.to_string().into_bytes()
                        } else {
                            t
                        };
                    }
                }
            }
        }
        b"XPENDING" if argv.len() > 4 && argv[3].eq_ignore_ascii_case(b"IDLE") => {
            argv[4] = min_idle(&argv[4]);
        }
        _ => {}
    }
    argv
}
