//! `cargo bench --bench engine`: the figures quoted in the README.
//!
//! ```text
//!   (a) in-process XADD/s        1M two-field entries, via Db::execute (argv
//!                                in, reply out) and via Stream::append
//!   (b) bytes per entry          1M `amount 50 user 123`, same-ms IDs;
//!                                1M entries of five fields (six-byte names, ten-byte values)
//!   (c) bytes per pending entry  XGROUP CREATE + XREADGROUP of 100k entries
//!   (d) server XADD/s            redis-benchmark -c 50 -P 16 -n 500000
//!                                against streamlab serve and redis-server,
//!                                interleaved
//! ```
//!
//! Every figure is the median of 3 runs. Memory comes from the counting
//! allocator (live *requested* bytes, see `alloc_counter`), which is what
//! the data structures ask for; Redis's `used_memory` counts jemalloc's
//! rounded-up size classes, so it reads slightly higher for the same
//! layout. `BENCH_ENTRIES` scales (a) and (b) down for a quick look;
//! `BENCH_SECTIONS=a` (any of `abcd`) runs only those parts.

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use streamlab::alloc_counter::{CountingAllocator, allocated_bytes};
use streamlab::engine::stream::{NodeLimits, Stream};
use streamlab::engine::{Db, Effects, ExecContext, Reply, Session, StreamId};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

/// The ms part of generated IDs (2023-11-14), as in the reference runs.
const BASE_MS: u64 = 1_700_000_000_000;
const RUNS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn spread(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{}–{}", human(min), human(max))
}

fn human(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.2}")
    }
}

fn argv(words: &[&[u8]]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.to_vec()).collect()
}

fn run(db: &mut Db, session: &mut Session, words: &[&[u8]]) -> Reply {
    db.execute(session, &argv(words), &ExecContext::at(BASE_MS))
        .reply
}

/// (a) XADD through the command path: argv in, reply out. The argvs are
/// prepared before the clock starts (parsing the wire is the server's
/// cost, measured in (d)); they use `*`, so every call also generates its
/// ID from the command time, as a producer's XADD does.
fn xadd_execute_per_sec(entries: u64, values: &[Vec<u8>]) -> f64 {
    let mut db = Db::new();
    let mut session = Session::default();
    // As the server calls it: no replica or AOF consumes the effects.
    let ctx = ExecContext {
        effects: Effects::Skip,
        ..ExecContext::at(BASE_MS)
    };
    let argvs: Vec<Vec<Vec<u8>>> = values
        .iter()
        .map(|v| argv(&[b"XADD", b"s", b"*", b"amount", v, b"user", v]))
        .collect();
    let started = Instant::now();
    for i in 0..entries {
        let argv = &argvs[(i % argvs.len() as u64) as usize];
        black_box(db.execute(&mut session, argv, &ctx));
    }
    let elapsed = started.elapsed().as_secs_f64();
    black_box(&db);
    entries as f64 / elapsed
}

/// (a) The stream's own append, without command parsing or replies.
fn xadd_append_per_sec(entries: u64, values: &[Vec<u8>]) -> f64 {
    let mut stream = Stream::new();
    let limits = NodeLimits::default();
    let started = Instant::now();
    for i in 0..entries {
        let v = values[(i % 1000) as usize].as_slice();
        stream.append(
            StreamId::new(BASE_MS + i / 1000, i % 1000),
            &[(b"amount".as_slice(), v), (b"user".as_slice(), v)],
            limits,
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    black_box(&stream);
    entries as f64 / elapsed
}

/// (b) Live bytes per entry of a whole Db holding one stream of `entries`
/// same-ms entries with the given field/value pairs.
fn bytes_per_entry(entries: u64, fields: &[(&[u8], &[u8])]) -> f64 {
    let before = allocated_bytes();
    let mut db = Db::new();
    let mut session = Session::default();
    for i in 0..entries {
        let id = format!("{BASE_MS}-{i}");
        let mut words: Vec<&[u8]> = vec![b"XADD", b"s", id.as_bytes()];
        for (f, v) in fields {
            words.push(f);
            words.push(v);
        }
        let reply = run(&mut db, &mut session, &words);
        assert!(!reply.is_error(), "XADD failed: {reply:?}");
    }
    let after = allocated_bytes();
    black_box(&db);
    (after as f64 - before as f64) / entries as f64
}

/// (c) Live bytes added per entry by reading `entries` into one consumer's PEL.
fn bytes_per_pending(entries: u64) -> f64 {
    let mut db = Db::new();
    let mut session = Session::default();
    for i in 0..entries {
        let id = format!("{BASE_MS}-{i}");
        run(
            &mut db,
            &mut session,
            &[
                b"XADD",
                b"s",
                id.as_bytes(),
                b"amount",
                b"50",
                b"user",
                b"123",
            ],
        );
    }
    let created = run(
        &mut db,
        &mut session,
        &[b"XGROUP", b"CREATE", b"s", b"g", b"0"],
    );
    assert_eq!(created, Reply::ok());
    let count = entries.to_string();
    let before = allocated_bytes();
    let executed = db.execute(
        &mut session,
        &argv(&[
            b"XREADGROUP",
            b"GROUP",
            b"g",
            b"c1",
            b"COUNT",
            count.as_bytes(),
            b"STREAMS",
            b"s",
            b">",
        ]),
        &ExecContext::at(BASE_MS),
    );
    assert!(
        !executed.reply.is_error(),
        "XREADGROUP failed: {:?}",
        executed.reply
    );
    drop(executed);
    let after = allocated_bytes();
    black_box(&db);
    (after as f64 - before as f64) / entries as f64
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_listening(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn start_streamlab() -> Option<(Killed, u16)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamlab"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    let port = line.trim().rsplit(':').next()?.parse().ok()?;
    Some((Killed(child), port))
}

fn start_redis() -> Option<(Killed, u16)> {
    let port = free_port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let child = Killed(child);
    wait_listening(port).then_some((child, port))
}

/// One redis-benchmark XADD run; requests per second.
fn redis_benchmark_xadd(port: u16) -> Option<f64> {
    let out = Command::new("redis-benchmark")
        .args([
            "-p",
            &port.to_string(),
            "-q",
            "-c",
            "50",
            "-P",
            "16",
            "-n",
            "500000",
        ])
        .args(["XADD", "s", "*", "f", "v"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The last progress segment ends with "XADD s * f v: 123456.78 requests per second, ...".
    let tail = text.rsplit("XADD s * f v: ").next()?;
    tail.split_whitespace().next()?.parse().ok()
}

fn section_server() {
    println!(
        "\n(d) server XADD throughput: redis-benchmark -q -c 50 -P 16 -n 500000 XADD s '*' f v"
    );
    let (Some((_ours, our_port)), Some((_redis, redis_port))) = (start_streamlab(), start_redis())
    else {
        println!(
            "    skipped: could not start streamlab serve and redis-server (is redis-server installed?)"
        );
        return;
    };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..RUNS {
        match (
            redis_benchmark_xadd(our_port),
            redis_benchmark_xadd(redis_port),
        ) {
            (Some(a), Some(b)) => {
                ours.push(a);
                theirs.push(b);
            }
            _ => {
                println!("    skipped: redis-benchmark missing or unparsable output");
                return;
            }
        }
    }
    let (m_ours, m_theirs) = (median(ours.clone()), median(theirs.clone()));
    println!(
        "    {:<28} {:>12} ops/s  ({})",
        "streamlab serve",
        human(m_ours),
        spread(&ours)
    );
    println!(
        "    {:<28} {:>12} ops/s  ({})",
        "redis-server 7.0",
        human(m_theirs),
        spread(&theirs)
    );
    println!(
        "    {:<28} {:>12.2}",
        "ratio streamlab / redis",
        m_ours / m_theirs
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let entries: u64 = std::env::var("BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let pending: u64 = (entries / 10).max(1);
    let values: Vec<Vec<u8>> = (0..1000).map(|i| i.to_string().into_bytes()).collect();
    println!("streamlab engine bench: {entries} entries, median of {RUNS} runs (min–max)");
    let sections = std::env::var("BENCH_SECTIONS").unwrap_or_else(|_| "abcd".into());
    let run = |s: char| sections.contains(s);
    if run('a') {
        section_xadd(entries, &values);
    }
    if run('b') {
        section_bytes(entries);
    }
    if run('c') {
        section_pending(pending);
    }
    if run('d') {
        section_server();
    }
}

fn section_xadd(entries: u64, values: &[Vec<u8>]) {
    println!(
        "\n(a) in-process XADD, two fields (execute: `XADD s *`, prepared argv; append: IDs (BASE + i/1000)-(i%1000))"
    );
    let exec: Vec<f64> = (0..RUNS)
        .map(|_| xadd_execute_per_sec(entries, values))
        .collect();
    let append: Vec<f64> = (0..RUNS)
        .map(|_| xadd_append_per_sec(entries, values))
        .collect();
    println!(
        "    {:<28} {:>12} XADD/s  ({})",
        "Db::execute (argv)",
        human(median(exec.clone())),
        spread(&exec)
    );
    println!(
        "    {:<28} {:>12} XADD/s  ({})",
        "Stream::append",
        human(median(append.clone())),
        spread(&append)
    );
}

fn section_bytes(entries: u64) {
    println!("\n(b) bytes per entry, same-ms IDs, default node limits (live requested bytes)");
    let small: Vec<f64> = (0..RUNS)
        .map(|_| bytes_per_entry(entries, &[(b"amount", b"50"), (b"user", b"123")]))
        .collect();
    let five: [(&[u8], &[u8]); 5] = [
        (b"field1", b"value-0001"),
        (b"field2", b"value-0002"),
        (b"field3", b"value-0003"),
        (b"field4", b"value-0004"),
        (b"field5", b"value-0005"),
    ];
    let wide: Vec<f64> = (0..RUNS).map(|_| bytes_per_entry(entries, &five)).collect();
    println!(
        "    {:<28} {:>12.2} B/entry  (Redis used_memory: 13.13)",
        "amount 50 user 123",
        median(small)
    );
    println!(
        "    {:<28} {:>12.2} B/entry  (Redis used_memory: 69.95)",
        "five ten-byte fields",
        median(wide)
    );
}

fn section_pending(pending: u64) {
    println!("\n(c) bytes per pending entry: XGROUP CREATE + XREADGROUP COUNT {pending}");
    let pel: Vec<f64> = (0..RUNS).map(|_| bytes_per_pending(pending)).collect();
    println!(
        "    {:<28} {:>12.2} B/entry  (Redis used_memory: 84.08)",
        "PEL (group + consumer)",
        median(pel)
    );
}
