//! Seeking with checkpoints lands exactly where a straight run was.
//!
//! ```text
//!   straight run:  hash after step 0, 1, 2, ... n      (the trace hash covers every step)
//!   timeline:      run to the end, then seek(k) backwards and forwards
//!                  ─▶ steps == k, hash == straight[k], same engine state (XPENDING)
//! ```

use std::sync::Arc;
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::checkpoint::Timeline;
use streamlab::sim::{RunOptions, Simulation};

fn scenario(name: &str) -> Arc<streamlab::scenario::Scenario> {
    let (file, text) = builtin::find(name).expect("bundled");
    Arc::new(parse_scenario(file, text).expect("parses"))
}

fn pel(sim: &mut Simulation) -> String {
    let argv: Vec<Vec<u8>> = ["XPENDING", "orders", "g"]
        .iter()
        .map(|a| a.as_bytes().to_vec())
        .collect();
    let mut session = streamlab::engine::Session::default();
    let unix = sim.ctx.unix_ms();
    let reply = sim
        .ctx
        .redis
        .db
        .execute(
            &mut session,
            &argv,
            &streamlab::engine::ExecContext::at(unix),
        )
        .reply;
    streamlab::sim::trace::compact_reply(&reply)
}

/// Options of a run that keeps every step's record.
fn traced() -> RunOptions {
    RunOptions {
        keep_trace: true,
        ..RunOptions::default()
    }
}

#[test]
fn seek_backwards_and_forwards_matches_a_straight_run() {
    let s = scenario("s01_crash_and_reclaim");
    let opts = traced();
    let mut straight = Simulation::new(s.clone(), opts);
    let mut hashes = vec![straight.ctx.trace.hash()];
    let mut pels = vec![pel(&mut straight)];
    while straight.step() {
        hashes.push(straight.ctx.trace.hash());
        pels.push(pel(&mut straight));
    }
    let total = straight.steps();
    assert!(
        total > 200,
        "S01 should have a few hundred steps, has {total}"
    );

    let mut tl = Timeline::new(Simulation::new(s, opts), 37);
    tl.seek(total);
    assert_eq!(tl.position(), total);
    assert_eq!(tl.records().len() as u64, total);
    for k in [total - 1, 5, 150, 0, 299, 37, 74, 73, total] {
        tl.seek(k);
        assert_eq!(tl.position(), k, "seek({k})");
        let mut cur = tl.current().clone();
        assert_eq!(
            cur.ctx.trace.hash(),
            hashes[k as usize],
            "hash after seek({k})"
        );
        assert_eq!(pel(&mut cur), pels[k as usize], "PEL after seek({k})");
    }
    tl.seek(120);
    tl.step_back();
    assert_eq!(tl.position(), 119);
    assert_eq!(tl.current().ctx.trace.hash(), hashes[119]);
}

#[test]
fn after_any_seek_the_last_step_shows_its_own_record() {
    // A seek replays known steps without rebuilding their records; the
    // step just before the position must still carry its own.
    let s = scenario("s01_crash_and_reclaim");
    let opts = traced();
    let mut straight = Simulation::new(s.clone(), opts);
    let mut records = Vec::new();
    while straight.step() {
        records.extend(straight.ctx.trace.drain_records());
    }
    let total = records.len() as u64;
    let mut tl = Timeline::new(Simulation::new(s, opts), 37);
    tl.seek(150);
    for k in [100, 149, 151, total, 40, 38, 37, 1, total + 10, 250, 0] {
        tl.seek(k);
        tl.forget_records();
        let want = k.min(total).checked_sub(1).map(|i| &records[i as usize]);
        assert_eq!(tl.last_record(), want, "seek({k})");
    }
}

#[test]
fn records_are_kept_once_across_seeks() {
    let s = scenario("s02_kafka_vs_pel");
    let opts = traced();
    let mut tl = Timeline::new(Simulation::new(s.clone(), opts), 10);
    tl.seek(60);
    tl.seek(20);
    tl.seek(80);
    let steps: Vec<u64> = tl.records().iter().map(|r| r.step).collect();
    assert_eq!(steps, (0..80).collect::<Vec<u64>>());
    let mut straight = Simulation::new(s, opts);
    let mut lines = Vec::new();
    while straight.steps() < 80 && straight.step() {
        lines.extend(straight.ctx.trace.drain_records());
    }
    assert_eq!(lines, tl.records());
}

/// A fingerprint of everything a simulation holds (engine, actors, queue,
/// Kafka model, ledgers, counters): two runs at the same step must agree.
fn fingerprint(sim: &Simulation) -> u64 {
    use std::fmt::Write;
    use std::hash::Hasher;
    /// Hashes the Debug text as it is written (no big string).
    struct HashWriter(std::collections::hash_map::DefaultHasher);
    impl Write for HashWriter {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut h = HashWriter(Default::default());
    write!(h, "{sim:?}").expect("hashing");
    h.0.finish()
}

/// A cheaper fingerprint for the half-million-step runs, whose full Debug
/// text (every message's history, every log record) takes seconds: time,
/// event count, ledger summaries, actors and the Kafka step in hand.
fn light_fingerprint(sim: &Simulation) -> String {
    format!(
        "{} {} {:?} {:?} {:?} {:?}",
        sim.now_ms(),
        sim.events,
        sim.ctx.ledger_redis.summary(),
        sim.ctx.ledger_kafka.summary(),
        sim.actors,
        sim.last_kafka_step()
    )
}

/// The full fingerprint, or the light one past this many steps.
const FULL_FINGERPRINT_STEPS: u64 = 100_000;

fn state_print(sim: &Simulation, total: u64) -> String {
    if total > FULL_FINGERPRINT_STEPS {
        light_fingerprint(sim)
    } else {
        fingerprint(sim).to_string()
    }
}

/// A plain run with its records drained after every step, as a timeline
/// does. The engine's invariant checks are off: they cost most of a long
/// run's time and tests/invariants.rs runs them.
fn plain(s: &Arc<streamlab::scenario::Scenario>) -> Simulation {
    Simulation::new(
        s.clone(),
        RunOptions {
            keep_trace: true,
            invariant_every: Some(0),
            ..RunOptions::default()
        },
    )
}

/// Steps worth landing on: ends, fractions of the run, and steps that
/// share their millisecond with the step before (inside a Kafka batch or
/// a burst of Redis commands), spread over the run.
fn samples(times: &[u64]) -> Vec<u64> {
    let total = times.len() as u64;
    // Each seek on the longest runs replays tens of thousands of steps.
    let long = total > FULL_FINGERPRINT_STEPS;
    let mut at: Vec<u64> = if long {
        vec![0, 1, total / 3, total - 1, total]
    } else {
        vec![0, 1, 2, total / 7, total / 3, total / 2, total - 1, total]
    };
    let same_ms_samples = if long { 2 } else { 7 };
    let same_ms: Vec<u64> = (1..times.len())
        .filter(|&i| times[i] == times[i - 1])
        .map(|i| i as u64)
        .collect();
    let stride = (same_ms.len() / same_ms_samples).max(1);
    at.extend(same_ms.iter().step_by(stride).take(same_ms_samples));
    // Backwards and forwards: the order the seeks run in matters.
    at.sort_unstable();
    at.dedup();
    let (early, late) = at.split_at(at.len() / 2);
    late.iter().rev().chain(early.iter()).copied().collect()
}

#[test]
fn every_bundled_scenario_seeks_to_exactly_the_step_asked() {
    for (file, text) in builtin::ALL {
        let s = Arc::new(parse_scenario(file, text).expect("parses"));
        // The timeline runs to the end first; its records give each step's
        // time, from which the steps to land on are picked. At most eight
        // checkpoints: each clones the whole run, and the long bridge
        // scenarios hold half a million messages; so long runs get thinned.
        let mut tl = Timeline::with_limit(plain(&s), 3, 8);
        let mut times = Vec::new();
        while tl.step() {
            let made = tl.position() - times.len() as u64;
            assert_eq!(made, 1, "{file}: one step per step() call");
            assert_eq!(
                tl.records().len() as u64,
                tl.position(),
                "{file}: one record per step"
            );
            times.push(tl.records()[times.len()].time_ms);
        }
        let total = tl.position();
        let wanted = samples(&times);
        // The straight run: the hash after every step, the state at the samples.
        let mut sorted = wanted.clone();
        sorted.sort_unstable();
        let mut sim = plain(&s);
        let mut hashes = vec![sim.ctx.trace.hash()];
        let mut prints = std::collections::BTreeMap::new();
        for &k in &sorted {
            while sim.steps() < k && sim.step() {
                sim.ctx.trace.drain_records();
                hashes.push(sim.ctx.trace.hash());
            }
            if k == total {
                // The timeline shows the end as the finished run.
                assert!(!sim.step(), "{file}: nothing after the last step");
            }
            prints.insert(k, state_print(&sim, total));
        }
        assert_eq!(
            sim.steps(),
            total,
            "{file}: the straight run has as many steps"
        );
        for &k in &wanted {
            tl.seek(k);
            assert_eq!(tl.position(), k, "{file}: seek({k})");
            let cur = tl.current();
            assert_eq!(
                cur.ctx.trace.hash(),
                hashes[k as usize],
                "{file}: hash at {k}"
            );
            assert_eq!(state_print(cur, total), prints[&k], "{file}: state at {k}");
            if k > 0 {
                tl.step_back();
                assert_eq!(tl.position(), k - 1, "{file}: step_back from {k}");
                assert_eq!(
                    cur_hash(&tl),
                    hashes[k as usize - 1],
                    "{file}: hash at {k}-1"
                );
                assert!(tl.step());
                assert_eq!(cur_hash(&tl), hashes[k as usize], "{file}: re-step to {k}");
            }
        }
        let at = tl.checkpoint_steps();
        assert!(
            at.len() <= 8 && at[0] == 0,
            "{file}: {} checkpoints",
            at.len()
        );
        let work = tl.checkpoint_work();
        assert!(
            work.windows(2).all(|w| w[1] >= w[0] + tl.spacing_work()),
            "{file}: checkpoints closer than the spacing {}: {work:?}",
            tl.spacing_work()
        );
    }
}

fn cur_hash(tl: &Timeline) -> u64 {
    tl.current().ctx.trace.hash()
}

#[test]
fn checkpoints_stay_bounded_and_seeks_stay_exact_on_a_long_run() {
    let s = scenario("s01_crash_and_reclaim");
    let mut straight = plain(&s);
    let mut hashes = vec![straight.ctx.trace.hash()];
    while straight.step() {
        hashes.push(straight.ctx.trace.hash());
    }
    let total = straight.steps();
    // Spacing 1: a checkpoint per step at first, so thinning must happen.
    let mut tl = Timeline::new(plain(&s), 1);
    tl.seek(total);
    let at = tl.checkpoint_steps();
    assert!(at.len() <= streamlab::sim::checkpoint::MAX_CHECKPOINTS);
    assert!(
        at.len() > streamlab::sim::checkpoint::MAX_CHECKPOINTS / 4,
        "{at:?}"
    );
    assert_eq!(at[0], 0);
    assert!(tl.spacing_work() > 1);
    let work = tl.checkpoint_work();
    let end_work = streamlab::sim::checkpoint::work(tl.current());
    assert!(
        end_work - work[work.len() - 1] < 2 * tl.spacing_work(),
        "the newest checkpoint is recent: {work:?}, end at {end_work}"
    );
    for k in (0..=total).rev().step_by(7) {
        tl.seek(k);
        assert_eq!(tl.position(), k);
        assert_eq!(cur_hash(&tl), hashes[k as usize]);
    }
}
