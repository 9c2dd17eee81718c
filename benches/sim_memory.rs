//! What a simulated message costs in memory (run with
//! `cargo bench --bench sim_memory [-- SCENARIO]`; not a test).
//!
//! ```text
//!   run SCENARIO (default S13b) to its end, no trace kept
//!     ─▶ live bytes at the end, and the process's peak RSS
//!     ─▶ then drop one part at a time and read how many bytes went:
//!        ledgers │ Kafka world │ Redis primary (dataset, AOF, RDB) │ replicas │ queue │ actors
//!     ─▶ each part in bytes per produced message
//! ```
//!
//! Live bytes are what the data structures asked the allocator for
//! (`streamlab::alloc_counter`); RSS adds jemalloc's rounding and pages it
//! has not returned yet.

use std::sync::Arc;
use streamlab::alloc_counter::{CountingAllocator, allocated_bytes};
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::queue::EventQueue;
use streamlab::sim::redis::RedisNode;
use streamlab::sim::trace::Trace;
use streamlab::sim::{RunOptions, Simulation};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Bytes freed by dropping what `take` moves out.
fn freed<T>(take: impl FnOnce() -> T) -> u64 {
    let before = allocated_bytes();
    drop(take());
    before.saturating_sub(allocated_bytes())
}

fn main() {
    let id = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "S13b".to_string());
    let Some((file, text)) = builtin::find_id(&id).or_else(|| builtin::find(&id)) else {
        eprintln!("{id}: no bundled scenario has this id");
        std::process::exit(2);
    };
    let scenario = Arc::new(parse_scenario(file, text).expect("bundled scenario parses"));
    if std::env::args().any(|a| a == "--timeline") {
        timeline(&id, scenario);
        return;
    }
    let base = allocated_bytes();
    let mut sim = Simulation::new(scenario, RunOptions::default());
    let (mut peak, mut peak_step) = (0, 0);
    while sim.step() {
        let now = allocated_bytes() - base;
        if now > peak {
            (peak, peak_step) = (now, sim.steps());
        }
        if std::env::var("MEM_EVERY").is_ok()
            && (sim.steps() % 50_000 == 0 || (sim.steps() > 500_000 && sim.steps() % 2_000 == 0))
        {
            eprintln!(
                "step {} live {:.1} MB rss {:.1} MB",
                sim.steps(),
                now as f64 / 1e6,
                status_kib("VmRSS:") as f64 / 1024.0
            );
        }
    }
    let live = allocated_bytes() - base;
    let msgs = sim.ctx.next_msg.saturating_sub(1).max(1);
    println!(
        "{id}: {} steps, {msgs} messages; live {:.1} MB ({:.0} B/message), peak live {:.1} MB at step {peak_step}, peak RSS {:.1} MB",
        sim.steps(),
        live as f64 / 1e6,
        live as f64 / msgs as f64,
        peak as f64 / 1e6,
        peak_rss_kib() as f64 / 1024.0
    );
    let ctx = &mut sim.ctx;
    let parts: Vec<(&str, u64)> = vec![
        (
            "ledger redis",
            freed(|| std::mem::take(&mut ctx.ledger_redis)),
        ),
        (
            "ledger kafka",
            freed(|| std::mem::take(&mut ctx.ledger_kafka)),
        ),
        ("kafka world", freed(|| ctx.kafka.take())),
        (
            "redis primary",
            freed(|| {
                let empty = RedisNode::new(ctx.redis.persistence().clone(), Vec::new(), 0);
                std::mem::replace(&mut ctx.redis, empty)
            }),
        ),
        (
            "replicas",
            freed(|| std::mem::take(&mut ctx.replication.replicas)),
        ),
        (
            "trace",
            freed(|| std::mem::replace(&mut ctx.trace, Trace::new(false))),
        ),
        (
            "event queue",
            freed(|| std::mem::replace(&mut ctx.queue, EventQueue::new())),
        ),
        ("actors", freed(|| std::mem::take(&mut sim.actors))),
    ];
    let mut accounted = 0;
    for (name, bytes) in parts {
        accounted += bytes;
        println!(
            "  {name:<14} {:>10.1} MB {:>8.1} B/message",
            bytes as f64 / 1e6,
            bytes as f64 / msgs as f64
        );
    }
    let rest = live.saturating_sub(accounted);
    println!(
        "  {:<14} {:>10.1} MB {:>8.1} B/message",
        "the rest",
        rest as f64 / 1e6,
        rest as f64 / msgs as f64
    );
}

/// The explorer's timeline over the whole run (as `view::Player` builds
/// it: a checkpoint every 500 steps at first, at most 16): its memory next
/// to the live simulation's, and how long seeks to spread-out steps take.
fn timeline(id: &str, scenario: Arc<streamlab::scenario::Scenario>) {
    use std::time::Instant;
    use streamlab::sim::checkpoint::Timeline;
    // The run's own state at its end: a plain run, measured alone (a
    // clone would share pages with the original and count too little).
    let live = {
        let before = allocated_bytes();
        let mut sim = Simulation::new(scenario.clone(), RunOptions::default());
        sim.run();
        let bytes = allocated_bytes() - before;
        drop(sim);
        bytes
    };
    let base = allocated_bytes();
    let opts = RunOptions {
        keep_trace: std::env::var("NO_TRACE").is_err(),
        ..RunOptions::default()
    };
    let mut tl = Timeline::with_limit(
        Simulation::new(scenario, opts),
        streamlab::view::player::CHECKPOINT_EVERY_WORK,
        streamlab::view::player::MAX_CHECKPOINTS,
    );
    // The explorer takes each new record's markers and lets it go.
    while tl.step() {
        tl.forget_records();
    }
    let total = allocated_bytes() - base;
    let steps = tl.position();
    let mut seek_ms: Vec<f64> = Vec::new();
    // 41 targets spread over the run, visited out of order.
    for k in 0..41u64 {
        let n = (k * 17 % 41) * steps / 40;
        let t = Instant::now();
        tl.seek(n);
        seek_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(tl.position(), n.min(steps));
        if std::env::var("SEEKS").is_ok() {
            println!("  seek to {n}: {:.0} ms", seek_ms[seek_ms.len() - 1]);
        }
    }
    if std::env::var("SEEKS").is_ok() {
        tl.seek(steps - 1);
        let t = Instant::now();
        tl.seek(steps);
        println!(
            "  last step and the end of the run: {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        tl.seek(steps - 6000);
        let t = Instant::now();
        tl.seek(steps - 1);
        println!(
            "  5999 steps forward: {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        let t = Instant::now();
        tl.seek(steps - 6000);
        println!(
            "  back to a step after the last checkpoint: {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    seek_ms.sort_by(f64::total_cmp);
    println!(
        "{id} timeline: {steps} steps, {} checkpoints (spacing {} work units); live simulation {:.1} MB, timeline in all {:.1} MB ({:.2}x); seek median {:.0} ms, max {:.0} ms",
        tl.checkpoint_steps().len(),
        tl.spacing_work(),
        live as f64 / 1e6,
        total as f64 / 1e6,
        total as f64 / live.max(1) as f64,
        seek_ms[seek_ms.len() / 2],
        seek_ms[seek_ms.len() - 1],
    );
}
