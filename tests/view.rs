//! The read-only face of a simulation gives what the `&mut` paths give.
//!
//! ```text
//!   &Simulation ── metrics::read / ledger_view / Outcome::of   ==   clone ── refresh ── metrics::value
//!   Db::query(read command)                                    ==   Db::execute (same reply), writes refused
//!   accessors (consumer batch / in-flight / parked, AOF, replicas, Kafka kinds) agree with the trace
//! ```

use std::sync::Arc;
use streamlab::engine::{Db, ExecContext, Session};
use streamlab::scenario::{Scenario, builtin, parse_scenario};
use streamlab::sim::actors::ActorState;
use streamlab::sim::kafka::KafkaAction;
use streamlab::sim::trace::{Note, Who};
use streamlab::sim::{Outcome, RunOptions, Simulation, metrics};

fn scenario(name: &str) -> Arc<Scenario> {
    let (file, text) = builtin::find(name).expect("bundled");
    Arc::new(parse_scenario(file, text).expect("parses"))
}

fn traced(s: &Arc<Scenario>) -> Simulation {
    // Invariant checks off: they cost most of a long run's time and
    // tests/invariants.rs runs them.
    let opts = RunOptions {
        keep_trace: true,
        invariant_every: Some(0),
        ..RunOptions::default()
    };
    Simulation::new(s.clone(), opts)
}

/// A hash of everything the simulation holds, written as Debug text.
fn fingerprint(sim: &Simulation) -> u64 {
    use std::fmt::Write;
    use std::hash::Hasher;
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

/// Every expectation metric and the ledger summaries, read through `&`,
/// equal what the mutating path reports on a copy.
fn assert_reads_match(sim: &Simulation, label: &str) {
    let mut copy = sim.clone();
    for e in &sim.scenario.expect {
        let shared = metrics::read(sim, &e.metric);
        let owned = metrics::value(&mut copy, &e.metric);
        assert_eq!(shared, owned, "{label}: {}", e.metric);
    }
    copy.refresh_deliverability();
    let view = sim.ledger_view();
    assert_eq!(
        view.redis.summary(),
        copy.ctx.ledger_redis.summary(),
        "{label}"
    );
    assert_eq!(
        view.kafka.summary(),
        copy.ctx.ledger_kafka.summary(),
        "{label}"
    );
}

#[test]
fn reading_through_a_shared_reference_matches_the_mutating_path() {
    for (file, text) in builtin::ALL {
        let s = Arc::new(parse_scenario(file, text).expect("parses"));
        let mut sim = traced(&s);
        let total = s.meta.duration_ms;
        // Mid-run: the ledgers are not settled, so the view settles a copy.
        while sim.now_ms() < total / 2 && sim.step() {}
        sim.ctx.trace.drain_records();
        let before = fingerprint(&sim);
        assert_reads_match(&sim, &format!("{file} mid-run"));
        assert_eq!(
            fingerprint(&sim),
            before,
            "{file}: reading changed the simulation"
        );
        sim.run();
        assert_reads_match(&sim, &format!("{file} at the end"));
    }
}

#[test]
fn the_outcome_of_a_shared_simulation_is_the_one_a_refresh_gives() {
    let s = scenario("s05_trim_vs_pel");
    let mut sim = traced(&s);
    sim.run();
    let shared = Outcome::of(&sim);
    let mut copy = sim.clone();
    copy.refresh_deliverability();
    assert_eq!(shared.redis, copy.ctx.ledger_redis.summary());
    assert!(
        shared.redis.lost > 0,
        "S05 loses messages to trimming: {shared:?}"
    );
    assert_eq!(shared, Outcome::of(&copy));
}

#[test]
fn query_answers_read_commands_like_execute_and_refuses_writes() {
    let mut db = Db::new();
    let ctx = ExecContext::at(1_000);
    let mut session = Session::default();
    let argv = |w: &str| -> Vec<Vec<u8>> { w.split(' ').map(|a| a.as_bytes().to_vec()).collect() };
    for line in [
        "XADD s 1-0 f v",
        "XADD s 2-0 f v",
        "XGROUP CREATE s g 0",
        "XREADGROUP GROUP g alice COUNT 1 STREAMS s >",
    ] {
        db.execute(&mut session, &argv(line), &ctx);
    }
    for line in [
        "XLEN s",
        "XRANGE s - +",
        "XREVRANGE s + - COUNT 1",
        "XPENDING s g",
        "XPENDING s g - + 10",
        "XINFO STREAM s",
        "XINFO GROUPS s",
        "XINFO CONSUMERS s g",
        "XINFO STREAM nosuch",
        "XLEN",
        "TYPE s",
        "EXISTS s t",
    ] {
        let shared = db.query(&argv(line), &ctx);
        let owned = db
            .clone()
            .execute(&mut Session::default(), &argv(line), &ctx);
        assert_eq!(shared, owned.reply, "{line}");
    }
    let refused = db.query(&argv("XADD s 3-0 f v"), &ctx);
    assert!(
        matches!(&refused, streamlab::engine::Reply::Error(e) if e.contains("read-only")),
        "{refused:?}"
    );
    let len = db.query(&argv("XLEN s"), &ctx);
    assert_eq!(
        len,
        streamlab::engine::Reply::Integer(2),
        "the refused XADD wrote nothing"
    );
}

#[test]
fn consumer_accessors_follow_the_trace() {
    let s = scenario("s01_crash_and_reclaim");
    let mut sim = traced(&s);
    let (mut started, mut parked, mut crashed) = (0, 0, 0);
    while sim.step() {
        let r = sim.last_record().expect("traced").clone();
        sim.ctx.trace.drain_records();
        let now = sim.now_ms();
        if sim
            .actors
            .iter()
            .any(|a| a.state(now) == ActorState::Crashed)
        {
            crashed += 1;
        }
        let Who::Actor(i) = r.who else { continue };
        let actor = &sim.actors[i as usize];
        let Some(c) = actor.as_consumer() else {
            continue;
        };
        match &r.note {
            Note::Started(id, _) => {
                started += 1;
                let now = c.processing().expect("processing after a start");
                assert_eq!(&now.entry.id, id);
                assert!(c.parked_read().is_none());
            }
            Note::Parked => {
                parked += 1;
                let p = c.parked_read().expect("parked after a blocking read");
                assert!(p.command[0].eq_ignore_ascii_case(b"XREADGROUP"));
                assert!(p.keys.iter().any(|k| k.as_slice() == b"orders"), "{p:?}");
                assert!(c.processing().is_none() && c.batch().is_empty());
            }
            Note::Got(n) => assert_eq!(c.batch().len() as u64, *n, "batch after a read"),
            _ => {}
        }
    }
    assert!(
        started > 5 && parked > 0 && crashed > 0,
        "{started} {parked} {crashed}"
    );
}

#[test]
fn redis_node_and_replica_accessors() {
    // appendfsync everysec, power loss: records written but not synced exist.
    let s = scenario("s09c_aof_everysec_power_loss");
    let mut sim = traced(&s);
    let mut saw_unsynced = false;
    while sim.step() {
        let r = &sim.ctx.redis;
        assert!(r.aof_synced_len() <= r.aof_len());
        assert_eq!(r.aof().len(), r.aof_len());
        saw_unsynced |= r.aof_synced_len() < r.aof_len();
    }
    assert!(saw_unsynced);
    // RDB save points: an image exists by the end, taken during the run.
    let s = scenario("s09f_rdb_save60");
    let mut sim = traced(&s);
    sim.run();
    let start_s = s.meta.start_unix_ms / 1000;
    let saved = sim.ctx.redis.rdb_saved_unix_s().expect("an RDB image");
    assert!(saved > start_s && sim.ctx.redis.rdb_image().is_some());
    // Replicas: applied positions never pass what the primary shipped.
    let s = scenario("s08_failover_loss");
    let mut sim = traced(&s);
    let mut lagged = false;
    while sim.step() {
        let shipped = sim.ctx.replication.offset;
        for p in sim.ctx.replication.positions() {
            assert!(p.applied_offset <= shipped, "{p:?} > {shipped}");
            lagged |= p.in_flight > 0;
        }
    }
    assert!(lagged, "S08's replica lags");
}

#[test]
fn kafka_steps_carry_their_kind_and_commits_are_named() {
    let s = scenario("s02_kafka_vs_pel");
    let mut sim = traced(&s);
    let mut kinds = Vec::new();
    while sim.step() {
        let r = sim.last_record().expect("traced").clone();
        sim.ctx.trace.drain_records();
        match sim.last_kafka_step() {
            Some(k) => {
                let Note::Text(t) = &r.note else {
                    panic!("a Kafka step is a text note: {r:?}")
                };
                assert!(t.starts_with(&k.action), "{t} / {k:?}");
                kinds.push(k.kind);
            }
            None => assert!(!matches!(r.note, Note::Text(ref t) if t.starts_with("poll ->"))),
        }
    }
    for want in [
        KafkaAction::Join,
        KafkaAction::Poll,
        KafkaAction::Commit,
        KafkaAction::Crash,
    ] {
        assert!(kinds.contains(&want), "{want:?} missing from {kinds:?}");
    }
    let world = sim.ctx.kafka.as_ref().expect("kafka");
    let group = world.group_ids()[0].to_string();
    let commits = world.commit_history(&group).expect("group");
    assert!(!commits.is_empty());
    let last = commits.last().expect("one");
    assert_eq!(
        world.committed(&group, last.partition).expect("p"),
        Some(
            commits
                .iter()
                .rfind(|c| c.partition == last.partition)
                .expect("c")
                .offset
        )
    );
}

#[test]
fn captions_and_faults_come_with_their_times() {
    let s = scenario("s01_crash_and_reclaim");
    let sim = traced(&s);
    let caps = sim.captions();
    assert_eq!(caps.len(), s.captions.len());
    assert!(caps.windows(2).all(|w| w[0].0 <= w[1].0) || caps.len() < 2);
    let marks = sim.fault_marks();
    assert_eq!(marks.len(), s.faults.len());
    assert!(
        marks.iter().any(|m| m.at_ms.is_some()),
        "S01 schedules its crash"
    );
}
