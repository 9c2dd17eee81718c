//! Test support: a tiny blocking RESP2 client and helpers that start
//! `streamlab serve` and a real `redis-server` on free ports.
//!
//! ```text
//!   Streamlab::start() ── spawns target/.../streamlab serve --port 0
//!                         and reads the bound port from its first line
//!   RealRedis::start()  ── spawns redis-server --port P --save '' --appendonly no
//!   Client::call(argv)  ── one command, one parsed Reply
//! ```
//!
//! Both processes are killed when their handle drops, so a failing test
//! leaves no server behind.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use streamlab::engine::Reply;

/// A blocking RESP2 connection.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
}

impl Client {
    /// Connects to 127.0.0.1:`port`.
    pub fn connect(port: u16) -> io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Client {
            stream,
            buf: Vec::new(),
            pos: 0,
        })
    }

    /// Sets how long a read waits before failing.
    pub fn set_read_timeout(&self, timeout: Duration) {
        self.stream
            .set_read_timeout(Some(timeout))
            .expect("set timeout");
    }

    /// Sends raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends one command as a multibulk.
    pub fn send(&mut self, argv: &[Vec<u8>]) -> io::Result<()> {
        self.send_raw(&encode(argv))
    }

    /// Sends a command and reads its reply.
    pub fn call(&mut self, argv: &[Vec<u8>]) -> io::Result<Reply> {
        self.send(argv)?;
        self.read_reply()
    }

    /// [`Client::call`] with whitespace-separated words.
    pub fn cmd(&mut self, line: &str) -> Reply {
        self.call(&words(line))
            .unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    /// Reads one full reply.
    pub fn read_reply(&mut self) -> io::Result<Reply> {
        loop {
            let mut at = self.pos;
            if let Some(reply) = parse(&self.buf, &mut at)? {
                self.pos = at;
                if self.pos == self.buf.len() {
                    self.buf.clear();
                    self.pos = 0;
                }
                return Ok(reply);
            }
            let mut chunk = [0u8; 65536];
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// True when the server closed the connection (reads EOF within a second).
    pub fn is_closed_by_server(&mut self) -> bool {
        self.set_read_timeout(Duration::from_secs(2));
        let mut byte = [0u8; 1];
        matches!(self.stream.read(&mut byte), Ok(0))
            || matches!(self.stream.read(&mut byte), Err(e) if e.kind() == io::ErrorKind::ConnectionReset)
    }
}

/// Splits a command line on spaces.
pub fn words(line: &str) -> Vec<Vec<u8>> {
    line.split_whitespace()
        .map(|w| w.as_bytes().to_vec())
        .collect()
}

/// RESP2 multibulk encoding of `argv`.
pub fn encode(argv: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn line(buf: &[u8], at: &mut usize) -> Option<String> {
    let rest = &buf[*at..];
    let end = rest.windows(2).position(|w| w == b"\r\n")?;
    let text = String::from_utf8_lossy(&rest[..end]).into_owned();
    *at += end + 2;
    Some(text)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Parses one reply from `buf[*at..]`; `Ok(None)` when incomplete.
fn parse(buf: &[u8], at: &mut usize) -> io::Result<Option<Reply>> {
    let start = *at;
    if start >= buf.len() {
        return Ok(None);
    }
    let kind = buf[start];
    let mut cursor = start + 1;
    let Some(text) = line(buf, &mut cursor) else {
        return Ok(None);
    };
    let reply = match kind {
        b'+' => Reply::Status(text),
        b'-' => Reply::Error(text),
        b':' => Reply::Integer(text.parse().map_err(|_| bad("integer"))?),
        b'$' => {
            let len: i64 = text.parse().map_err(|_| bad("bulk length"))?;
            if len < 0 {
                Reply::Nil
            } else {
                let len = len as usize;
                if buf.len() < cursor + len + 2 {
                    return Ok(None);
                }
                let bytes = buf[cursor..cursor + len].to_vec();
                cursor += len + 2;
                Reply::Bulk(bytes)
            }
        }
        b'*' => {
            let len: i64 = text.parse().map_err(|_| bad("array length"))?;
            if len < 0 {
                Reply::NilArray
            } else {
                let mut items = Vec::with_capacity(len as usize);
                for _ in 0..len {
                    match parse(buf, &mut cursor)? {
                        Some(item) => items.push(item),
                        None => return Ok(None),
                    }
                }
                Reply::Array(items)
            }
        }
        other => return Err(bad(&format!("unexpected reply type byte {other:#x}"))),
    };
    *at = cursor;
    Ok(Some(reply))
}

/// Waits until something accepts connections on `port`.
fn wait_until_listening(port: u16, child: &mut Child) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Someone answers, but it may be another test's server that
            // took the same free port first; ours then exits at once
            // ("Address already in use"), so make sure it is still up.
            std::thread::sleep(Duration::from_millis(50));
            if let Some(status) = child.try_wait()? {
                return Err(io::Error::other(format!("server exited early: {status}")));
            }
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            return Err(io::Error::other(format!("server exited early: {status}")));
        }
        if Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "nothing listening on port {port} after 10 s"
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// A running `streamlab serve`, killed on drop.
pub struct Streamlab {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Streamlab {
    /// Starts the binary under test on a port of its own choosing.
    pub fn start() -> Streamlab {
        let mut child = Command::new(env!("CARGO_BIN_EXE_streamlab"))
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn streamlab serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the ready line");
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in ready line {first:?}"));
        Streamlab { child, port }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Streamlab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real `redis-server`, killed on drop.
pub struct RealRedis {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl RealRedis {
    /// Starts `redis-server` (or `$REDIS_SERVER`) on a free port, or says why not.
    pub fn start() -> Result<RealRedis, String> {
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        for _ in 0..5 {
            let port = free_port();
            let spawned = Command::new(&binary)
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    // DEBUG SET-ACTIVE-EXPIRE 0: comparisons that need keys
                    // to expire on lookup only.
                    "--enable-debug-command",
                    "yes",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match spawned {
                Ok(child) => child,
                Err(e) => return Err(format!("cannot run {binary}: {e}")),
            };
            if wait_until_listening(port, &mut child).is_ok() {
                return Ok(RealRedis { child, port });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err(format!("{binary} did not start on any of 5 free ports"))
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reference server, or `None` (after saying why) when it can't run
/// here; under `CI=true` a missing reference is a failure, not a skip.
pub fn reference_server(what: &str) -> Option<RealRedis> {
    match RealRedis::start() {
        Ok(redis) => Some(redis),
        Err(reason) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("CI=true but the reference server is unavailable: {reason}");
            }
            eprintln!(
                "SKIPPED {what}: {reason} (install redis-server 7.0.15, or run scripts/test)"
            );
            None
        }
    }
}

/// Sorts replies by their redis-cli text: the canonical order for a reply
/// whose order comes from Redis's per-process hash seed.
pub fn sort_by_text(items: &mut [Reply]) {
    items.sort_by_key(|r| r.to_cli_text());
}

/// HGETALL's field-value pairs in canonical order, each pair kept together.
pub fn sort_field_pairs(items: &mut Vec<Reply>) {
    let mut pairs: Vec<Reply> = items.chunks(2).map(|p| Reply::Array(p.to_vec())).collect();
    sort_by_text(&mut pairs);
    *items = pairs
        .into_iter()
        .flat_map(|p| match p {
            Reply::Array(pair) => pair,
            other => vec![other],
        })
        .collect();
}
