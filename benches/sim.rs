//! Simulator throughput (run with `cargo bench --bench sim`; not a test).
//!
//! ```text
//!   long run : one hour of virtual time, a producer at 1 000 msg/s (XADD every ms),
//!              two blocking consumers acking every entry, no trace kept
//!              ─▶ events/s and steps/s (target: ≥ 2 M events/s)
//!   catalog  : every bundled scenario once, no trace kept
//!              ─▶ total wall time (target: < 2 s)
//! ```
//!
//! `BENCH_VIRTUAL_MS` shortens the long run (`0` skips it); `BENCH_CATALOG=0`
//! skips the catalog; `BENCH_ONLY=S13b,S08` runs only those catalog ids
//! (what a what-if re-run of one scenario costs, and what to profile).
//! Wall-clock time is read here, in the bench harness only: the simulator
//! itself never sees it.

use std::sync::Arc;
use std::time::Instant;
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::{RunOptions, Simulation};

use streamlab::alloc_counter::CountingAllocator;

/// The allocator the `streamlab` binary runs the simulator with.
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const LONG_RUN: &str = r#"Scenario(
  meta: (id: "BENCH", title: "one hour at 1000 msg/s", learning_goal: "throughput",
         seed: 1, duration_ms: 3600000),
  streams: [(key: "s", groups: [(name: "g", start: "$")])],
  actors: [
    Producer(name: "p", stream: "s", schedule: (interval_ms: 1), trim: MaxLen(n: 10000, approx: true)),
    Consumer(name: "c1", stream: "s", group: "g", count: 10, block_ms: 0, processing: Fixed(0)),
    Consumer(name: "c2", stream: "s", group: "g", count: 10, block_ms: 0, processing: Fixed(0)),
  ],
)"#;

fn main() {
    let virtual_ms: u64 = std::env::var("BENCH_VIRTUAL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_600_000);
    if virtual_ms > 0 {
        long_run(virtual_ms);
    }
    if std::env::var("BENCH_CATALOG").is_ok_and(|v| v == "0") {
        return;
    }
    catalog();
}

fn long_run(virtual_ms: u64) {
    let scenario = Arc::new(parse_scenario("bench.ron", LONG_RUN).expect("bench scenario parses"));
    let mut sim = Simulation::new(
        scenario,
        RunOptions {
            until_ms: Some(virtual_ms),
            ..RunOptions::default()
        },
    );
    let t0 = Instant::now();
    sim.run();
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "long run: {} virtual ms, {} events, {} steps in {:.2} s: {:.0} events/s, {:.0} steps/s",
        sim.now_ms(),
        sim.events,
        sim.steps(),
        secs,
        sim.events as f64 / secs,
        sim.steps() as f64 / secs
    );
}

fn catalog() {
    let only: Option<Vec<(&str, &str)>> = std::env::var("BENCH_ONLY").ok().map(|ids| {
        ids.split(',')
            .map(|id| builtin::find_id(id.trim()).expect("BENCH_ONLY names a bundled id"))
            .collect()
    });
    let list = only.as_deref().unwrap_or(builtin::ALL);
    let t1 = Instant::now();
    let mut total_steps = 0;
    for (file, text) in list {
        let s = Arc::new(parse_scenario(file, text).expect("bundled scenario parses"));
        let t = Instant::now();
        let mut sim = Simulation::new(s, RunOptions::default());
        sim.run();
        total_steps += sim.steps();
        println!(
            "  {file:<40} {:>8} steps {:>8.3} s",
            sim.steps(),
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "catalog: {} scenarios, {total_steps} steps in {:.2} s",
        list.len(),
        t1.elapsed().as_secs_f64()
    );
}
