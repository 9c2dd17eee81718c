//! The same scenario and seed always produce the same trace.
//!
//! ```text
//!   for each bundled scenario:
//!     run twice with its own seed (up to FULL_STEPS) ─▶ trace hashes equal (lines compared on a mismatch)
//!     for SIM_SEEDS seeds (default 32) or SIM_SEED:  ─▶ run twice, hashes equal
//!       (every run stops after FULL_STEPS steps: all but the two 70-minute
//!        bridge outages run to their end)
//!   a failure names the scenario, the seed and the first differing step
//! ```

use std::sync::Arc;
use streamlab::scenario::{Scenario, builtin, parse_scenario};
use streamlab::sim::{RunOptions, Simulation};

const SWEEP_STEPS: u64 = FULL_STEPS;
/// Every scenario but the 70-minute bridge outage (S13b) ends before this;
/// tests/scenarios.rs runs S13b to the end against its golden hash.
const FULL_STEPS: u64 = 120_000;

fn trace(s: &Arc<Scenario>, seed: u64, max_steps: u64) -> (Vec<String>, u64) {
    let mut sim = Simulation::new(
        s.clone(),
        RunOptions {
            seed: Some(seed),
            keep_trace: true,
            ..RunOptions::default()
        },
    );
    let names = sim.actor_names().to_vec();
    let mut lines = Vec::new();
    while sim.steps() < max_steps && sim.step() {
        lines.extend(sim.ctx.trace.drain_records().iter().map(|r| r.line(&names)));
    }
    (lines, sim.ctx.trace.hash())
}

fn hash_only(s: &Arc<Scenario>, seed: u64, max_steps: u64) -> u64 {
    // Invariants are checked step by step in tests/invariants.rs; here they
    // would only repeat the same walks 64 times per scenario.
    let mut sim = Simulation::new(
        s.clone(),
        RunOptions {
            seed: Some(seed),
            invariant_every: Some(0),
            ..RunOptions::default()
        },
    );
    while sim.steps() < max_steps && sim.step() {}
    sim.ctx.trace.hash()
}

fn compare(id: &str, seed: u64, a: &[String], b: &[String]) -> Result<(), String> {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            return Err(format!(
                "{id}: runs differ at step {i} with seed {seed}:\n  first:  {x}\n  second: {y}\n  reproduce with SIM_SEED={seed} cargo test --test determinism"
            ));
        }
    }
    if a.len() != b.len() {
        return Err(format!(
            "{id}: seed {seed}: {} steps vs {} steps (reproduce with SIM_SEED={seed})",
            a.len(),
            b.len()
        ));
    }
    Ok(())
}

fn scenarios() -> Vec<Arc<Scenario>> {
    builtin::ALL
        .iter()
        .map(|(f, t)| Arc::new(parse_scenario(f, t).unwrap_or_else(|e| panic!("{e}"))))
        .collect()
}

fn sweep_seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![seed];
    }
    let n: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    (0..n).map(|i| 1000 + i * 7919).collect()
}

#[test]
fn every_scenario_twice_with_its_own_seed_gives_identical_traces() {
    for s in scenarios() {
        let seed = s.meta.seed;
        if hash_only(&s, seed, FULL_STEPS) == hash_only(&s, seed, FULL_STEPS) {
            continue;
        }
        let (a, _) = trace(&s, seed, FULL_STEPS);
        let (b, _) = trace(&s, seed, FULL_STEPS);
        match compare(&s.meta.id, seed, &a, &b) {
            Err(e) => panic!("{e}"),
            Ok(()) => panic!("{}: equal lines but different hashes", s.meta.id),
        }
    }
}

#[test]
fn every_scenario_is_deterministic_across_a_seed_sweep() {
    for s in scenarios() {
        for seed in sweep_seeds() {
            if hash_only(&s, seed, SWEEP_STEPS) != hash_only(&s, seed, SWEEP_STEPS) {
                let (a, _) = trace(&s, seed, SWEEP_STEPS);
                let (b, _) = trace(&s, seed, SWEEP_STEPS);
                match compare(&s.meta.id, seed, &a, &b) {
                    Err(e) => panic!("{e}"),
                    Ok(()) => panic!(
                        "{}: seed {seed}: hashes differ though the lines agree (reproduce with SIM_SEED={seed})",
                        s.meta.id
                    ),
                }
            }
        }
    }
}

#[test]
fn a_different_seed_can_change_a_random_run() {
    // A guard against a seed that is silently ignored: a scenario with a
    // random lag must not give one trace for every seed.
    let text = r#"Scenario(
      meta: (id: "T", title: "t", learning_goal: "g", seed: 1, duration_ms: 3000),
      redis: (replicas: [(name: "r1", lag: Uniform(50, 450), resample_ms: 100)]),
      actors: [Producer(name: "p", stream: "s", schedule: (interval_ms: 10))],
    )"#;
    let s = Arc::new(parse_scenario("t.ron", text).unwrap());
    assert_ne!(hash_only(&s, 1, 10_000), hash_only(&s, 2, 10_000));
}
