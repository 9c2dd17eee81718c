//! A real redis-server for differential tests: start one on a private
//! port, talk RESP2 to it, and make generated lines clock-free.
//!
//! ```text
//!   start_redis(args) ─▶ Server (killed on drop) + Conn ── call(argv) ─▶ Reply
//! ```
//!
//! Tests using it skip, saying why, when redis-server is not installed.
//! `ENGINE_REDIS_PORT` picks the port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
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
    let port: u16 = std::env::var("ENGINE_REDIS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(7900 + (std::process::id() % 90) as u16);
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--save", ""])
        .args(extra)
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
pub fn clock_free(mut argv: Vec<Vec<u8>>, now_ms: u64) -> Vec<Vec<u8>> {
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
