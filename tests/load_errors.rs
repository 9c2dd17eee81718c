//! Bad input found when a scenario loads, not at the end of its run.
//!
//! ```text
//!   misspelt metric in expect      ─▶ file:line:col naming the metric and what was expected
//!   kafka section that does not build ─▶ file:line:col of `kafka:`; Simulation::try_new ─▶ Err
//!   HangActor for u64::MAX ms      ─▶ the actor simply never wakes; no overflow
//!   ReplicaCrash / ReplicaRestart of no replica ─▶ file:line:col of the name
//! ```

use std::sync::Arc;
use streamlab::scenario::parse_scenario;
use streamlab::sim::{RunOptions, SimError, Simulation};

const HEAD: &str = r#"Scenario(
  meta: (id: "T", title: "kafka in the title", learning_goal: "g", seed: 1, duration_ms: 1000),
  actors: [
    Producer(name: "p", stream: "s", schedule: (interval_ms: 10, count: 3)),
    Consumer(name: "c", stream: "s", group: "g", consumer_name: "c", processing: Fixed(1)),
  ],
  streams: [(key: "s", groups: [(name: "g", start: "0")])],
"#;

fn with_expect(metric: &str) -> String {
    format!(
        "{HEAD}  expect: [\n    (at: End, metric: \"stream.s.xlen\", op: Eq, value: 3),\n    (at: End, metric: \"{metric}\", op: Eq, value: 0),\n  ],\n)"
    )
}

#[test]
fn a_misspelt_metric_fails_at_load_with_its_position() {
    for (metric, needle) in [
        ("ledger.redis.lsot", "unknown ledger field \"lsot\""),
        ("group.s.g.pell", "unknown group field \"pell\""),
        ("producer.q.acked", "names no actor \"q\""),
        ("stream.s.xlne", "unknown stream field \"xlne\""),
    ] {
        let e = parse_scenario("t.ron", &with_expect(metric)).expect_err(metric);
        assert_eq!((e.line, e.col), (10, 23), "{metric}: {e}");
        assert!(e.message.contains(needle), "{metric}: {e}");
        assert!(e.to_string().starts_with("t.ron:10:23: "), "{e}");
    }
    parse_scenario("t.ron", &with_expect("ledger.redis.lost")).expect("a correct metric loads");
}

fn with_kafka(kafka: &str) -> String {
    format!("{HEAD}  kafka: (\n{kafka}\n  ),\n)")
}

#[test]
fn a_kafka_section_that_does_not_build_is_a_load_error() {
    // A producer to a topic nobody declared.
    let bad = with_kafka(r#"    producers: [(name: "kp", topic: "nowhere", schedule: Manual)],"#);
    let e = parse_scenario("k.ron", &bad).expect_err("unknown topic");
    assert!(e.message.contains("kafka section"), "{e}");
    assert!(e.message.contains("nowhere"), "{e}");
    // At the `kafka:` field, not at the word in the title (line 2).
    assert_eq!((e.line, e.col), (8, 3), "{e}");

    // A scenario built in code never reached the loader: the simulator
    // refuses it instead of running without its Kafka side.
    let good = with_kafka(r#"    topics: [(name: "t", partitions: 1)],"#);
    let mut broken = parse_scenario("k.ron", &good).expect("loads");
    broken
        .kafka
        .as_mut()
        .expect("kafka")
        .cluster
        .min_insync_replicas = 0;
    match Simulation::try_new(Arc::new(broken), RunOptions::default()) {
        Err(SimError::Kafka(m)) => assert!(m.contains("min_insync_replicas"), "{m}"),
        Ok(_) => panic!("a kafka section that does not build was accepted"),
    }
}

#[test]
fn a_hang_for_u64_max_ms_does_not_overflow() {
    let text = format!(
        "{HEAD}  faults: [(when: At(5), kind: HangActor(name: \"c\", for_ms: {}))],\n  expect: [(at: End, metric: \"ledger.redis.completed\", op: Eq, value: 1)],\n)",
        u64::MAX
    );
    let s = parse_scenario("h.ron", &text).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(Arc::new(s), RunOptions::default());
    sim.run();
    let outcome = streamlab::sim::Outcome::of(&mut sim);
    assert_eq!(outcome.final_time_ms, 1000);
    assert!(outcome.passed, "{:?}", outcome.failures());
}

/// Faults that name a part of the Kafka model it does not have.
#[test]
fn kafka_faults_naming_nothing_are_load_errors() {
    for (fault, needle) in [
        ("KafkaBrokerCrash(3)", "no broker 3 (cluster has 1)"),
        ("CloseKafkaConsumer(\"k2\")", "unknown consumer 'k2'"),
    ] {
        let text = format!(
            "{HEAD}  kafka: (\n    topics: [(name: \"t\", partitions: 1)],\n  ),\n  faults: [(when: At(10), kind: {fault})],\n)"
        );
        let e = parse_scenario("f.ron", &text).expect_err(fault);
        assert!(e.message.contains(needle), "{fault}: {e}");
        assert_eq!((e.line, e.col), (8, 3), "{fault}: {e}");
    }
}

#[test]
fn bad_retention_and_failure_settings_are_load_errors() {
    for (kafka, needle) in [
        (
            r#"    topics: [(name: "t", partitions: 1, segment_ms: 0)],"#,
            "segment_ms and retention_ms must be at least 1",
        ),
        (
            r#"    topics: [(name: "t", partitions: 1, retention_ms: 0)],"#,
            "segment_ms and retention_ms must be at least 1",
        ),
        (
            r#"    cluster: (retention_check_interval_ms: 0), topics: [(name: "t", partitions: 1)],"#,
            "retention_check_interval_ms must be at least 1",
        ),
        (
            r#"    topics: [(name: "t", partitions: 1)],
    groups: [(topic: "t", group_id: "kg", consumers: [(name: "K", processing: Fixed(1),
              commit: PerRecord, on_failure: DeadLetter("dlt"))])],"#,
            "kafka consumer 'K': kafka: unknown topic 'dlt'",
        ),
        (
            r#"    topics: [(name: "t", partitions: 1)],
    groups: [(topic: "t", group_id: "kg", consumers: [(name: "K", processing: Fixed(1),
              commit: PerRecord, on_failure: DeadLetter("t"))])],"#,
            "dead-letter topic 't' is the topic it reads",
        ),
        (
            r#"    topics: [(name: "t", partitions: 1)],
    groups: [(topic: "t", group_id: "kg", consumers: [(name: "K", processing: Fixed(1),
              commit: PerRecord, on_failure: Retry)])],"#,
            "Retry",
        ),
    ] {
        let e = parse_scenario("k.ron", &with_kafka(kafka)).expect_err(needle);
        assert!(e.message.contains(needle), "{needle}: {e}");
        assert!(e.line >= 8, "{e}");
    }
}

/// A replica fault that names no replica fails at load, pointing at the name.
#[test]
fn replica_faults_naming_no_replica_are_load_errors() {
    for fault in ["ReplicaCrash(\"r9\")", "ReplicaRestart(\"r9\")"] {
        let text = format!(
            "{HEAD}  redis: (replicas: [(name: \"r1\", lag: Constant(0))]),\n  faults: [(when: At(10), kind: {fault})],\n)"
        );
        let e = parse_scenario("r.ron", &text).expect_err(fault);
        assert!(e.message.contains("no such replica"), "{fault}: {e}");
        assert_eq!(e.line, 9, "{fault}: {e}");
    }
}
