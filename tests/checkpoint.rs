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

#[test]
fn seek_backwards_and_forwards_matches_a_straight_run() {
    let s = scenario("s01_crash_and_reclaim");
    let opts = RunOptions {
        keep_trace: true,
        ..RunOptions::default()
    };
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
fn records_are_kept_once_across_seeks() {
    let s = scenario("s02_kafka_vs_pel");
    let opts = RunOptions {
        keep_trace: true,
        ..RunOptions::default()
    };
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
