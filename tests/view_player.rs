//! The explorer's model of a run: the player lands exactly where asked,
//! reports the same trace hash as `streamlab run --json`, and the view
//! shows what the engine would answer.
//!
//! ```text
//!   Player (explored, then seek / step back)  ══ same World ══  fresh Player stepped straight
//!   Player::trace_hash                         ══ same hash  ══  Outcome::of(straight run)
//!   World's XINFO numbers                      ══ same       ══  XINFO STREAM executed on the engine
//! ```

use std::sync::Arc;

use streamlab::engine::{Reply, Session};
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::{Outcome, RunOptions, Simulation};
use streamlab::view::{MarkerKind, Player, World};

fn scenario(prefix: &str) -> Arc<streamlab::scenario::Scenario> {
    let (file, text) = builtin::ALL
        .iter()
        .find(|(f, _)| f.starts_with(prefix))
        .unwrap_or_else(|| panic!("no bundled {prefix}"));
    Arc::new(parse_scenario(file, text).unwrap())
}

fn straight_outcome(prefix: &str, seed: Option<u64>) -> Outcome {
    let mut sim = Simulation::new(
        scenario(prefix),
        RunOptions {
            seed,
            ..RunOptions::default()
        },
    );
    sim.run();
    Outcome::of(&sim)
}

#[test]
fn the_explored_run_has_the_trace_hash_of_a_straight_run() {
    for (prefix, seed) in [
        ("s01_", None),
        ("s02_", None),
        ("s02_", Some(7)),
        ("s08_", None),
        // The longest bundled run (518k steps): explored to its real end,
        // not cut off at the exploring bound.
        ("s13b_", None),
    ] {
        let mut p = Player::load(scenario(prefix), seed);
        p.explore_all();
        let want = straight_outcome(prefix, seed);
        assert_eq!(
            p.total_steps(),
            Some(want.steps),
            "{prefix} seed {seed:?}: steps"
        );
        assert_eq!(
            format!("{:016x}", p.trace_hash().expect("explored to the end")),
            want.trace_hash,
            "{prefix} seed {seed:?}"
        );
        assert_eq!(p.position(), 0, "exploring does not move the position");
    }
}

#[test]
fn seeking_and_stepping_back_land_on_the_world_of_a_straight_walk() {
    let mut explored = Player::load(scenario("s01_"), None);
    explored.explore_all();
    let total = explored.total_steps().unwrap();
    let mut straight = Player::load(scenario("s01_"), None);
    let samples = [total, 1, total / 2, 3, total - 1, 0, total / 3];
    for &n in &samples {
        explored.seek(n);
        straight.seek(0);
        for _ in 0..n {
            assert!(straight.step());
        }
        assert_eq!(explored.position(), n);
        assert_eq!(
            World::of(&explored, None, None, true),
            World::of(&straight, None, None, true),
            "at step {n}"
        );
    }
    explored.seek(total / 2);
    explored.step_back();
    assert_eq!(explored.position(), total / 2 - 1);
}

#[test]
fn markers_are_the_scenarios_captions_and_faults() {
    let mut p = Player::load(scenario("s01_"), None);
    p.explore_all();
    let captions = p
        .markers()
        .iter()
        .filter(|m| m.kind == MarkerKind::Caption)
        .count();
    let faults = p
        .markers()
        .iter()
        .filter(|m| m.kind == MarkerKind::Fault)
        .count();
    assert_eq!(captions, p.scenario().captions.len());
    assert_eq!(faults, p.scenario().faults.len());
    // The caption in force follows the position.
    let second = p
        .markers()
        .iter()
        .filter(|m| m.kind == MarkerKind::Caption)
        .nth(1)
        .unwrap()
        .clone();
    p.seek(second.step + 1);
    assert_eq!(
        p.caption_in_force().map(|(i, m)| (i, m.text.clone())),
        Some((1, second.text.clone()))
    );
    p.seek(second.step);
    assert_eq!(p.caption_in_force().map(|(i, _)| i), Some(0));
}

#[test]
fn the_stream_panel_numbers_are_what_xinfo_stream_answers() {
    let mut p = Player::load(scenario("s06_"), None);
    p.explore_all();
    for n in [p.total_steps().unwrap() / 4, p.total_steps().unwrap()] {
        p.seek(n);
        let world = World::of(&p, None, None, false);
        for s in &world.streams {
            let mut db = p.sim().ctx.redis.db.clone();
            let argv = vec![
                b"XINFO".to_vec(),
                b"STREAM".to_vec(),
                s.key.as_bytes().to_vec(),
            ];
            let reply = db
                .execute(
                    &mut Session::default(),
                    &argv,
                    &streamlab::engine::ExecContext::at(p.sim().ctx.unix_ms()),
                )
                .reply;
            let field = |name: &str| -> i64 {
                let Reply::Array(items) = &reply else {
                    panic!("{reply:?}")
                };
                let i = items
                    .iter()
                    .position(|r| matches!(r, Reply::Bulk(b) if b == name.as_bytes()))
                    .unwrap_or_else(|| panic!("no {name}"));
                match &items[i + 1] {
                    Reply::Integer(v) => *v,
                    other => panic!("{name}: {other:?}"),
                }
            };
            assert_eq!(s.length as i64, field("length"), "step {n}");
            assert_eq!(s.radix_tree_keys as i64, field("radix-tree-keys"));
            assert_eq!(s.radix_tree_nodes as i64, field("radix-tree-nodes"));
            assert_eq!(s.entries_added as i64, field("entries-added"));
            assert_eq!(s.tree.node_count as i64, field("radix-tree-nodes"));
        }
    }
}

#[test]
fn a_crashed_consumer_keeps_its_lane_until_claimed() {
    // S01: c1 crashes at 1 350 ms with 7 entries unprocessed; the reaper
    // claims them at 90 000 ms.
    let mut p = Player::load(scenario("s01_"), None);
    p.explore_all();
    let at = |p: &mut Player, ms: u64| {
        let step = (0..p.total_steps().unwrap())
            .find(|&i| p.step_time_ms(i).unwrap() > ms)
            .unwrap();
        p.seek(step);
        World::of(p, None, None, false)
    };
    let w = at(&mut p, 60_000);
    let g = &w.stream("orders").unwrap().groups[0];
    let c1 = g.lanes.iter().find(|l| l.name == "c1").unwrap();
    assert_eq!(c1.pending_count, 7);
    assert_eq!(c1.state, streamlab::view::pel::ClientState::Crashed);
    assert!(c1.pending.iter().all(|e| e.delivery_count == 1));
    let w = at(&mut p, 90_000);
    let g = &w.stream("orders").unwrap().groups[0];
    assert_eq!(
        g.lanes
            .iter()
            .find(|l| l.name == "c1")
            .unwrap()
            .pending_count,
        0
    );
    let reaper = g
        .lanes
        .iter()
        .find(|l| l.name == "reaper")
        .expect("the claimer's lane");
    assert!(
        reaper.pending.iter().all(|e| e.delivery_count == 2),
        "XAUTOCLAIM counts a delivery"
    );
}
