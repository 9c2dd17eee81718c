//! Node counts checked against a real redis-server.
//!
//! ```text
//!   seeded ops ──▶ Rax<()>              node_count()
//!        │                                   ║ must match after every op
//!        └──────▶ redis-server ── XINFO STREAM s ─▶ radix-tree-nodes
//!                 stream-node-max-entries 1: one rax key per entry ID
//! ```
//!
//! With one entry per stream node, every XADD inserts the entry's 16-byte
//! big-endian ID into the stream's rax and every XDEL removes it, so
//! `radix-tree-nodes` is rax.c's `numnodes` for an arbitrary sequence of
//! ascending inserts and arbitrary removals. The test starts its own server
//! on a private port and skips (saying why) when redis-server is missing.
//! `RAX_SEED` pins the seed, `RAX_REDIS_PORT` the port.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use streamlab::engine::rax::Rax;

enum Resp {
    Simple,
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Resp>>),
}

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn call(&mut self, args: &[&[u8]]) -> Resp {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out).expect("write to redis");
        self.read()
    }

    fn line(&mut self) -> String {
        let mut s = String::new();
        self.reader.read_line(&mut s).expect("read from redis");
        s.trim_end().to_string()
    }

    fn read(&mut self) -> Resp {
        let line = self.line();
        let (tag, rest) = line.split_at(1);
        match tag {
            "+" => Resp::Simple,
            "-" => Resp::Error(rest.to_string()),
            ":" => Resp::Int(rest.parse().expect("integer reply")),
            "$" => {
                let n: i64 = rest.parse().expect("bulk length");
                if n < 0 {
                    return Resp::Bulk(None);
                }
                let mut buf = vec![0u8; n as usize + 2];
                std::io::Read::read_exact(&mut self.reader, &mut buf).expect("bulk body");
                buf.truncate(n as usize);
                Resp::Bulk(Some(buf))
            }
            "*" => {
                let n: i64 = rest.parse().expect("array length");
                if n < 0 {
                    return Resp::Array(None);
                }
                Resp::Array(Some((0..n).map(|_| self.read()).collect()))
            }
            other => panic!("unexpected reply tag {other:?}"),
        }
    }

    fn ok(&mut self, args: &[&[u8]]) {
        if let Resp::Error(e) = self.call(args) {
            panic!("{:?} failed: {e}", String::from_utf8_lossy(&args.concat()));
        }
    }

    fn radix_nodes(&mut self) -> u64 {
        let Resp::Array(Some(items)) = self.call(&[b"XINFO", b"STREAM", b"s"]) else {
            panic!("XINFO STREAM did not return an array");
        };
        for pair in items.chunks(2) {
            if let [Resp::Bulk(Some(name)), Resp::Int(n)] = pair
                && name == b"radix-tree-nodes"
            {
                return *n as u64;
            }
        }
        panic!("no radix-tree-nodes in XINFO STREAM");
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
    let port: u16 = std::env::var("RAX_REDIS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(7300 + (std::process::id() % 600) as u16);
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
            let mut conn = Conn {
                reader,
                writer: stream,
            };
            conn.ok(&[b"CONFIG", b"SET", b"stream-node-max-entries", b"1"]);
            return Some((server, conn));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("skipping: redis-server did not accept connections on port {port}");
    None
}

/// splitmix64: a tiny deterministic generator for the workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The next ID after `ms-seq`, with gaps that change every byte position.
fn next_id(rng: &mut Rng, ms: u64, seq: u64) -> (u64, u64) {
    match rng.below(8) {
        0 | 1 => (ms, seq + 1),
        2 => (ms, seq + 1 + rng.below(300)),
        3 => (ms, seq + 1 + rng.below(1 << 20)),
        4 => (ms + 1, rng.below(3)),
        5 => (ms + 1 + rng.below(300), 0),
        6 => (ms + 1 + rng.below(1 << 24), rng.below(2)),
        _ => (ms + 1 + rng.below(1 << 40), 0),
    }
}

fn key(ms: u64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&ms.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn run_seed(conn: &mut Conn, seed: u64, ops: usize) {
    conn.ok(&[b"DEL", b"s"]);
    let mut rng = Rng(seed);
    let mut rax: Rax<()> = Rax::new();
    let mut live: Vec<(u64, u64)> = Vec::new();
    let (mut ms, mut seq) = (rng.below(1 << 41), 0);
    for op in 0..ops {
        let add = live.is_empty() || rng.below(100) < 60;
        let what = if add {
            (ms, seq) = next_id(&mut rng, ms, seq);
            let id = format!("{ms}-{seq}");
            conn.ok(&[b"XADD", b"s", id.as_bytes(), b"f", b"v"]);
            rax.insert(&key(ms, seq), ());
            live.push((ms, seq));
            format!("XADD {id}")
        } else {
            let (dms, dseq) = live.swap_remove(rng.below(live.len() as u64) as usize);
            let id = format!("{dms}-{dseq}");
            conn.ok(&[b"XDEL", b"s", id.as_bytes()]);
            assert!(rax.remove(&key(dms, dseq)).is_some());
            format!("XDEL {id}")
        };
        let redis = conn.radix_nodes();
        assert_eq!(
            rax.node_count(),
            redis,
            "seed {seed}: op {op} ({what}): node count differs from redis\n{}",
            rax.show()
        );
    }
    rax.validate().unwrap();
}

#[test]
fn node_counts_match_redis() {
    let Some((_server, mut conn)) = start_redis() else {
        return;
    };
    let seeds: Vec<u64> = match std::env::var("RAX_SEED") {
        Ok(s) => vec![s.parse().expect("RAX_SEED must be an integer")],
        Err(_) => vec![1, 2, 3, 0x5eed, 0xdead_beef],
    };
    for seed in seeds {
        eprintln!("rax vs redis: seed {seed}");
        run_seed(&mut conn, seed, 1500);
    }
}
