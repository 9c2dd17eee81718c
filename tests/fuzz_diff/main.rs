//! Differential fuzz: the same seeded stream commands against a real
//! `redis-server` and `streamlab serve`, reply by reply.
//!
//! ```text
//!   seed ─▶ CommandGen ─▶ argv ─┬─▶ redis-server (reference) ─▶ reply ─▶ mask ─┐
//!                               └─▶ streamlab serve            ─▶ reply ─▶ mask ─┴─ equal?
//! ```
//!
//! Only wall-clock values are masked (idle and seen times, PEL delivery
//! times); every other byte must match. On the first divergence of a seed
//! the test prints the seed, the step, the command and both replies.
//!
//! Needs a real Redis, so it is `#[ignore]`d in plain `cargo test` and run
//! by `scripts/test` as its own stage:
//!
//! ```text
//!   cargo test --test fuzz_diff -- --ignored
//!   FUZZ_SEED=42 FUZZ_STEPS=5000 cargo test --test fuzz_diff -- --ignored
//!   FUZZ_SEEDS=20 cargo test --test fuzz_diff -- --ignored
//!   FUZZ_AGAINST_PORT=7000 ...   compare with a server already running there
//!   FUZZ_TRACE=1 ...             print every command and the reference reply
//! ```
//!
//! Without redis-server it skips with a printed reason, except under
//! `CI=true`, where a skipped comparison would be a silent pass: there it fails.

#[path = "../support/mod.rs"]
mod support;

mod blocking;
mod blocking_keyspace;
mod commands;
mod mask;
mod mixed;

use commands::CommandGen;
use mixed::MixedGen;
use streamlab::engine::Reply;
use support::{Client, Streamlab, reference_server, words};

const DEFAULT_SEEDS: u64 = 8;
const DEFAULT_STEPS: u64 = 2000;

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    match value.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={value:?} is not a non-negative integer"),
    }
}

fn show(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| {
            let s = String::from_utf8_lossy(a);
            if s.is_empty() || s.contains(' ') {
                format!("{s:?}")
            } else {
                s.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one seed; returns a description of the first divergence.
/// The two servers' connections: the one the commands go to, and one
/// that only fetches DUMP payloads, outside any MULTI the first is in.
struct Links<'a> {
    redis: &'a mut Client,
    ours: &'a mut Client,
    redis_dump: &'a mut Client,
    our_dump: &'a mut Client,
}

fn run_seed(seed: u64, steps: u64, links: Links, mixed: bool) -> Result<u64, String> {
    let Links {
        redis,
        ours,
        redis_dump,
        our_dump,
    } = links;
    // A seed that ended inside MULTI would queue the next one's setup and
    // commands, where the mixed generator believes it is outside a
    // transaction (and emits KEYS or SCAN, whose order is only made
    // canonical at the top level): every seed starts outside one.
    for c in [&mut *redis, &mut *ours] {
        c.call(&words("DISCARD"))
            .map_err(|e| format!("seed {seed}: DISCARD: {e}"))?;
    }
    for setup in [
        "FLUSHALL",
        "CONFIG SET stream-node-max-entries 100",
        "CONFIG SET stream-node-max-bytes 4096",
    ] {
        let expected = redis.cmd(setup);
        let actual = ours
            .call(&words(setup))
            .map_err(|e| format!("seed {seed}: setup `{setup}`: {e}"))?;
        if expected != actual {
            return Err(format!(
                "seed {seed}: setup `{setup}`: redis {expected:?}, streamlab {actual:?}"
            ));
        }
    }
    let mut streams = CommandGen::new(seed);
    let mut mixed_gen = MixedGen::new(seed);
    let mut history: Vec<String> = Vec::new();
    let mut errors = 0;
    let trace = std::env::var("FUZZ_TRACE").is_ok_and(|v| !v.is_empty() && v != "0");
    for step in 0..steps {
        let argv = if mixed {
            mixed_gen.next()
        } else {
            streams.next()
        };
        history.push(show(&argv));
        let (redis_argv, our_argv) = (
            with_payload(redis_dump, &argv)
                .map_err(|e| format!("seed {seed}: DUMP on redis: {e}"))?,
            with_payload(our_dump, &argv)
                .map_err(|e| format!("seed {seed}: DUMP on streamlab: {e}"))?,
        );
        let expected = redis.call(&redis_argv).map_err(|e| {
            format!(
                "seed {seed} step {step}: redis-server failed on `{}`: {e}",
                show(&argv)
            )
        })?;
        let actual = match ours.call(&our_argv) {
            Ok(reply) => reply,
            Err(e) => {
                return Err(divergence(
                    seed,
                    step,
                    &history,
                    &expected,
                    Err(format!("<connection failed: {e}>")),
                ));
            }
        };
        let (expected, actual) = if mixed {
            (
                mixed::canonical(&argv, expected),
                mixed::canonical(&argv, actual),
            )
        } else {
            (expected, actual)
        };
        if mask::mask(&expected) != mask::mask(&actual) {
            return Err(divergence(seed, step, &history, &expected, Ok(&actual)));
        }
        errors += u64::from(expected.is_error());
        if trace {
            eprintln!(
                "[{seed}:{step}] {}\n{}",
                show(&argv),
                indent(&expected.to_cli_text())
            );
        }
    }
    Ok(errors)
}

/// Replaces a [`mixed::PAYLOAD_OF`] argument with this server's DUMP of
/// the key it names, fetched on the side connection `c` (inside MULTI,
/// the state before the queued commands, on both servers alike).
fn with_payload(c: &mut Client, argv: &[Vec<u8>]) -> std::io::Result<Vec<Vec<u8>>> {
    let mut out = argv.to_vec();
    for arg in &mut out {
        if let Some(key) = arg.strip_prefix(mixed::PAYLOAD_OF.as_bytes()) {
            let dump = vec![b"DUMP".to_vec(), key.to_vec()];
            *arg = match c.call(&dump)? {
                Reply::Bulk(payload) => payload,
                _ => b"no such key".to_vec(),
            };
        }
    }
    Ok(out)
}

fn divergence(
    seed: u64,
    step: u64,
    history: &[String],
    expected: &Reply,
    actual: Result<&Reply, String>,
) -> String {
    let first = history.len().saturating_sub(15);
    let recent: Vec<String> = history[first..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("    [{}] {c}", first + i))
        .collect();
    let expected_text = mask::mask(expected).to_cli_text();
    let (actual_text, first_difference) = match actual {
        Ok(reply) => {
            let text = mask::mask(reply).to_cli_text();
            let difference = first_difference(&expected_text, &text);
            (text, difference)
        }
        Err(failure) => (failure, String::new()),
    };
    format!(
        "DIVERGENCE seed {seed} step {step}\n  command: {}\n  recent commands:\n{}\n{first_difference}  redis-server (masked):\n{}\n  streamlab (masked):\n{}\n  reproduce: FUZZ_SEED={seed} FUZZ_STEPS={} cargo test --test fuzz_diff -- --ignored --nocapture",
        history.last().map(String::as_str).unwrap_or(""),
        recent.join("\n"),
        indent(&expected_text),
        indent(&actual_text),
        step + 1
    )
}

/// The first line where two reply texts differ, both versions.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    format!(
        "  first difference, reply line {}:\n    redis-server: {}\n    streamlab:    {}\n",
        at + 1,
        e.get(at).unwrap_or(&"<no line>").trim(),
        a.get(at).unwrap_or(&"<no line>").trim()
    )
}

/// Long replies are cut so a divergence report stays readable.
fn indent(text: &str) -> String {
    const MAX_LINES: usize = 80;
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(MAX_LINES)
        .map(|l| format!("    {l}"))
        .collect();
    if lines.len() > MAX_LINES {
        out.push(format!("    ... {} more lines", lines.len() - MAX_LINES));
    }
    out.join("\n")
}

#[test]
#[ignore = "needs redis-server; run by scripts/test (cargo test --test fuzz_diff -- --ignored)"]
fn blocking_reads_are_served_like_redis() {
    let Some(redis) = reference_server("blocking-read comparison") else {
        return;
    };
    let ours = Streamlab::start();
    let mut failures = Vec::new();
    for (name, steps) in blocking::SCENARIOS
        .iter()
        .chain(blocking_keyspace::SCENARIOS)
    {
        let expected = blocking::run(redis.port, steps);
        let actual = blocking::run(ours.port, steps);
        if expected == actual {
            eprintln!("blocking scenario ok: {name}");
            continue;
        }
        eprintln!("BLOCKING SCENARIO DIFFERS: {name}");
        for (i, line) in expected.iter().enumerate() {
            let other = actual.get(i).map(String::as_str).unwrap_or("<missing>");
            let mark = if line == other { " " } else { "!" };
            eprintln!("  {mark} redis-server: {line}");
            if mark == "!" {
                eprintln!("  {mark} streamlab:    {other}");
            }
        }
        failures.push(*name);
    }
    assert!(
        failures.is_empty(),
        "blocking scenarios differ: {failures:?}"
    );
}

#[test]
#[ignore = "needs redis-server; run by scripts/test (cargo test --test fuzz_diff -- --ignored)"]
fn streamlab_replies_like_redis_to_random_stream_commands() {
    differential_fuzz("differential fuzz", false);
}

#[test]
#[ignore = "needs redis-server; run by scripts/test (cargo test --test fuzz_diff -- --ignored)"]
fn streamlab_replies_like_redis_to_random_mixed_type_commands() {
    differential_fuzz("mixed-type differential fuzz", true);
}

/// Seeds of generated commands on both servers (`mixed`: lists, hashes,
/// sets and keyspace commands among the stream ones).
fn differential_fuzz(what: &str, mixed: bool) {
    let Some(redis) = reference_server(what) else {
        return;
    };
    // FUZZ_AGAINST_PORT points the fuzz at a server that is already running
    // (another redis-server, to check that the masking hides every
    // wall-clock difference, or a streamlab under a debugger).
    let (_ours, our_port) = match env_u64("FUZZ_AGAINST_PORT") {
        Some(port) => (None, port as u16),
        None => {
            let ours = Streamlab::start();
            let port = ours.port;
            (Some(ours), port)
        }
    };
    let mut redis_client = Client::connect(redis.port).expect("connect to redis-server");
    let mut our_client = Client::connect(our_port).expect("connect to the server under test");
    let mut redis_dump = Client::connect(redis.port).expect("connect to redis-server");
    let mut our_dump = Client::connect(our_port).expect("connect to the server under test");

    let steps = env_u64("FUZZ_STEPS").unwrap_or(DEFAULT_STEPS);
    let seeds: Vec<u64> = match env_u64("FUZZ_SEED") {
        Some(seed) => vec![seed],
        None => (1..=env_u64("FUZZ_SEEDS").unwrap_or(DEFAULT_SEEDS)).collect(),
    };
    let mut failures = Vec::new();
    for &seed in &seeds {
        let links = Links {
            redis: &mut redis_client,
            ours: &mut our_client,
            redis_dump: &mut redis_dump,
            our_dump: &mut our_dump,
        };
        match run_seed(seed, steps, links, mixed) {
            Ok(errors) => eprintln!(
                "{what} seed {seed}: {steps} commands ({errors} error replies), replies identical"
            ),
            Err(report) => {
                eprintln!("{report}");
                failures.push(seed);
                // A failed connection can't carry the next seed.
                if let Ok(fresh) = Client::connect(our_port) {
                    our_client = fresh;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "differential fuzz diverged for seeds {failures:?} (details above)"
    );
}
