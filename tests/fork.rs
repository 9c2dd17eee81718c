//! A branch of a run is data: the scenario plus (step, action) pairs. The
//! branch made live in the explorer's player and the same scenario saved
//! as RON and run straight must be the same run, step for step.
//!
//! ```text
//!   Player: explore ─ seek(n) ─ fork(action) ─ explore to the end ══ hash H
//!   to_ron(player.scenario()) ─ parse ─ Simulation::run             ══ hash H
//! ```

use std::sync::Arc;

use streamlab::scenario::schema::{Action, FaultKind};
use streamlab::scenario::{Scenario, builtin, parse_scenario, save};
use streamlab::sim::{Outcome, RunOptions, Simulation};
use streamlab::view::Player;

fn bundled(prefix: &str) -> Arc<Scenario> {
    let (file, text) = builtin::ALL
        .iter()
        .find(|(f, _)| f.starts_with(prefix))
        .unwrap_or_else(|| panic!("no bundled {prefix}"));
    Arc::new(parse_scenario(file, text).unwrap())
}

fn straight(s: Arc<Scenario>) -> Outcome {
    let mut sim = Simulation::new(s, RunOptions::default());
    sim.run();
    Outcome::of(&sim)
}

fn hex(h: Option<u64>) -> String {
    format!("{:016x}", h.expect("explored to the end"))
}

/// Forks `prefix` at `step` with `actions` (one after the other), and
/// checks the saved file replays the branch exactly. Returns the branch's
/// outcome and the original's.
fn fork_and_replay(prefix: &str, step: u64, actions: Vec<Action>) -> (Outcome, Outcome) {
    let original = bundled(prefix);
    let mut p = Player::load(original.clone(), None);
    p.explore_all();
    p.seek(step);
    for a in actions {
        p.fork(a).expect("the run is not over here");
    }
    p.explore_all();
    let live = hex(p.trace_hash());
    let text = save::to_ron(p.scenario(), "a branch").expect("serializes");
    let reloaded = parse_scenario("branch.ron", &text)
        .unwrap_or_else(|e| panic!("the saved branch does not load: {e}\n{text}"));
    let replayed = straight(Arc::new(reloaded));
    assert_eq!(
        live, replayed.trace_hash,
        "{prefix}: the branch made live and its saved file replayed differ"
    );
    assert_eq!(p.total_steps(), Some(replayed.steps));
    // The timeline keeps the finished run for jumps to the end: after
    // the fork that must be the branch's end, not the original's.
    p.seek(0);
    p.seek(replayed.steps);
    assert!(
        p.sim().is_finished(),
        "{prefix}: the end shows a finished run"
    );
    assert_eq!(
        format!("{:016x}", p.sim().ctx.trace.hash()),
        replayed.trace_hash,
        "{prefix}: a jump back to the end of the branch"
    );
    (replayed, straight(original))
}

#[test]
fn crashing_a_consumer_in_s01_replays_from_its_file_and_changes_the_run() {
    let (branch, original) = fork_and_replay(
        "s01_",
        40,
        vec![Action::Fault(FaultKind::CrashActor("c2".into()))],
    );
    assert_ne!(branch.trace_hash, original.trace_hash);
}

#[test]
fn console_commands_become_steps_of_the_branch() {
    let (branch, original) = fork_and_replay(
        "s01_",
        25,
        vec![
            Action::Command("XPENDING orders g".into()),
            Action::Command("XACK orders g 1700000000000-0 1700000000000-1".into()),
        ],
    );
    // The two commands are steps of their own.
    assert!(
        branch.steps >= original.steps,
        "{} < {}",
        branch.steps,
        original.steps
    );
    assert_ne!(branch.trace_hash, original.trace_hash);
}

#[test]
fn a_kafka_fault_from_the_explorer_reaches_the_kafka_model() {
    let s = bundled("s08_");
    let kafka = s.kafka.as_ref().expect("S08 has a Kafka side");
    let broker = FaultKind::KafkaBrokerCrash(kafka.cluster.brokers.saturating_sub(1));
    let (branch, original) = fork_and_replay("s08_", 2_000, vec![Action::Fault(broker)]);
    assert_ne!(branch.trace_hash, original.trace_hash);
}

#[test]
fn a_fork_at_the_end_of_the_run_is_refused() {
    let mut p = Player::load(bundled("s01_"), None);
    p.explore_all();
    p.seek(u64::MAX);
    let err = p
        .fork(Action::Fault(FaultKind::CrashActor("c1".into())))
        .unwrap_err();
    assert!(err.contains("run is over"), "{err}");
}

#[test]
fn a_blocking_read_is_refused_with_the_reason() {
    let mut p = Player::load(bundled("s01_"), None);
    p.explore_all();
    p.seek(10);
    let err = p
        .fork(Action::Command("XREAD BLOCK 0 STREAMS orders $".into()))
        .unwrap_err();
    assert!(err.contains("cannot wait"), "{err}");
    assert_eq!(
        p.position(),
        10,
        "a refused action leaves the run as it was"
    );
}

#[test]
fn forking_again_earlier_drops_the_later_actions_of_the_old_branch() {
    let mut p = Player::load(bundled("s01_"), None);
    p.explore_all();
    p.seek(60);
    p.fork(Action::Command("XLEN orders".into())).unwrap();
    p.seek(30);
    p.fork(Action::Command("XINFO GROUPS orders".into()))
        .unwrap();
    let steps: Vec<u64> = p.scenario().actions.iter().map(|a| a.after_step).collect();
    assert_eq!(steps, vec![30]);
}

#[test]
fn every_bundled_scenario_survives_a_save_and_load_unchanged() {
    for (file, text) in builtin::ALL {
        let s = parse_scenario(file, text).unwrap();
        let saved = save::to_ron(&s, "round trip").unwrap();
        let back = parse_scenario(file, &saved)
            .unwrap_or_else(|e| panic!("{file}: the saved text does not load: {e}"));
        assert_eq!(format!("{s:?}"), format!("{back:?}"), "{file}");
    }
}
