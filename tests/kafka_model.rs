//! Scenario S02 (Kafka offsets vs the Redis PEL), Kafka rows, run through
//! the Kafka model with its ledger, plus the stall add-on and a RON round
//! trip of the actor shapes a scenario file embeds.

use streamlab::sim::kafka::{KafkaConfig, KafkaStep, KafkaWorld, MetricValue, MidProcessing};
use streamlab::sim::ledger::Ledger;

/// S02 setup: one partition holding 500–509, committed 500, KA and KB with
/// 10-record polls and 50 ms per record; KA dies halfway through 502.
///
/// Kafka's own timing: the group is empty at t=0, so the coordinator holds
/// the first assignment for group.initial.rebalance.delay.ms (3 000); KA
/// polls at 3 000, dies at 3 125 after its heartbeat of 3 000, and its
/// session ends at 48 000, when KB's heartbeat of the same millisecond tells
/// it of the rebalance.
fn s02(commit: &str, producer: bool) -> KafkaConfig {
    let producers = if producer {
        r#"producers: [(name: "P", topic: "t", acks: One, first_msg_id: 1000,
              schedule: Every(interval_ms: 100, offset_ms: 100, count: None, until_ms: None))],"#
    } else {
        ""
    };
    let text = format!(
        r#"(
          topics: [(name: "t", partitions: 1,
                    preload: {{0: [500, 501, 502, 503, 504, 505, 506, 507, 508, 509]}})],
          {producers}
          groups: [(topic: "t", partitions: 1, group_id: "kg", session_timeout_ms: 45000,
                    heartbeat_interval_ms: 3000, max_poll_interval_ms: 300000, rebalance_ms: 0,
                    auto_offset_reset: Latest, initial_committed: {{0: 500}},
                    consumers: [
                      (name: "KA", max_poll_records: 10, processing: Fixed(50), commit: {commit}),
                      (name: "KB", max_poll_records: 10, processing: Fixed(50), commit: {commit}),
                    ])],
        )"#
    );
    ron::from_str(&text).expect("S02 config parses")
}

struct Run {
    world: KafkaWorld,
    ledger: Ledger,
    steps: Vec<KafkaStep>,
}

fn start(config: KafkaConfig) -> Run {
    let mut world = KafkaWorld::new(config).expect("valid config");
    let mid = MidProcessing {
        partition: 0,
        offset: 502,
        after_ms: None,
    };
    world.crash_mid_processing("KA", mid).expect("KA exists");
    Run {
        world,
        ledger: Ledger::new("kafka"),
        steps: Vec::new(),
    }
}

impl Run {
    fn to(&mut self, t_ms: u64) {
        self.world
            .run_until(t_ms, &mut self.ledger, &mut self.steps);
    }

    fn finish(mut self, t_ms: u64) -> Run {
        self.to(t_ms);
        self.world.finalize_ledger(&mut self.ledger);
        self
    }

    fn has_step(&self, t_ms: u64, actor: &str, action: &str) -> bool {
        self.steps
            .iter()
            .any(|s| s.t_ms == t_ms && s.actor == actor && s.action == action)
    }

    fn completions(&self, msg: u64) -> Vec<(String, u64)> {
        self.ledger
            .history(msg)
            .map(|h| h.completions.clone())
            .unwrap_or_default()
    }
}

#[test]
fn k_after_replays_the_whole_batch() {
    let r = start(s02("AfterBatch", false)).finish(60_000);
    assert!(r.has_step(0, "kg", "initial rebalance delay until 3000"));
    assert!(r.has_step(3_000, "KA", "poll -> [500..509]"));
    assert!(r.has_step(3_125, "KA", "crash (mid-processing 502)"));
    assert!(r.has_step(48_000, "kg", "session timeout: KA removed"));
    assert!(r.has_step(48_000, "KB", "heartbeat -> REBALANCE_IN_PROGRESS"));
    assert!(r.has_step(48_000, "kg", "rebalance: p0 -> KB"));
    assert!(r.has_step(48_000, "KB", "poll -> [500..509]"));
    assert!(r.has_step(48_500, "KB", "commitSync(510)"));
    assert_eq!(
        r.completions(500),
        vec![("KA".into(), 3_050), ("KB".into(), 48_050)]
    );
    assert_eq!(r.completions(502), vec![("KB".into(), 48_150)]);
    assert_eq!(r.completions(509), vec![("KB".into(), 48_500)]);
    let s = r.ledger.summary();
    assert_eq!(s.produced_acked, 10);
    assert_eq!(s.duplicates, 2);
    assert_eq!(s.lost, 0);
    assert_eq!(s.redelivered_msgs, 10);
    assert_eq!(s.completed, 10);
    assert_eq!(r.ledger.stall_ms(502), Some(45_150));
    assert_eq!(r.world.committed("kg", 0), Ok(Some(510)));
}

#[test]
fn owner_changes_exactly_at_session_expiry() {
    let mut r = start(s02("AfterBatch", false));
    r.to(47_999);
    assert_eq!(r.world.owner("kg", 0), Ok(Some("KA".into())));
    assert_eq!(r.world.committed("kg", 0), Ok(Some(500)));
    r.to(48_000);
    assert_eq!(r.world.owner("kg", 0), Ok(Some("KB".into())));
    assert_eq!(
        r.world.metric("kg.owner.0"),
        Ok(MetricValue::Text("KB".into()))
    );
    assert_eq!(r.world.owner_at("kg", 0, 47_999), Ok(Some("KA".into())));
    assert_eq!(r.world.owner_at("kg", 0, 48_000), Ok(Some("KB".into())));
    // KA's last heartbeat was at 3000, just before its crash at 3125.
    let ka_beats: Vec<u64> = r
        .steps
        .iter()
        .filter(|s| s.actor == "KA" && s.action == "heartbeat")
        .map(|s| s.t_ms)
        .collect();
    assert_eq!(ka_beats, vec![3_000]);
    assert!(r.has_step(45_000, "KB", "heartbeat"));
}

#[test]
fn k_auto_sync_is_at_least_once() {
    let r = start(s02("AutoCommit(interval_ms: 5000, handoff: Sync)", false)).finish(60_000);
    assert_eq!(r.ledger.duplicates(), 2);
    assert_eq!(r.ledger.lost(), 0);
    assert_eq!(r.ledger.redelivered_msgs(), 10);
    // The timer was not due at KA's only poll, so nothing moved past 500
    // before the crash.
    assert!(
        !r.steps
            .iter()
            .any(|s| s.actor == "KA" && s.action.starts_with("commit"))
    );
}

#[test]
fn k_auto_sync_commit_at_poll_start_commits_only_earlier_polls() {
    let cfg = s02(
        "AutoCommit(interval_ms: 5000, handoff: Sync, first_due_ms: Some(0))",
        false,
    );
    let r = start(cfg).finish(60_000);
    assert!(r.has_step(3_000, "KA", "commitAsync(500) [auto]"));
    assert_eq!(r.ledger.duplicates(), 2);
    assert_eq!(r.ledger.lost(), 0);
}

#[test]
fn k_before_loses_the_unprocessed_rest() {
    let mut r = start(s02("BeforeProcessing", false));
    r.to(48_000);
    assert_eq!(r.world.owner("kg", 0), Ok(Some("KB".into())));
    assert_eq!(r.world.position("KB", 0), Ok(Some(510)));
    let r = r.finish(60_000);
    assert!(r.has_step(3_000, "KA", "commitSync(510)"));
    let s = r.ledger.summary();
    assert_eq!(s.lost, 8);
    assert_eq!(s.duplicates, 0);
    assert_eq!(s.completed, 2);
    assert_eq!(r.ledger.deliveries(502), 1);
}

#[test]
fn k_auto_async_commits_ahead_of_the_worker() {
    let cfg = s02(
        "AutoCommit(interval_ms: 5000, handoff: Async, first_due_ms: Some(3100))",
        false,
    );
    let mut r = start(cfg);
    // Fetched at 3000 (the group's first assignment); the timer expires at
    // the poll of 3100, while the worker is on 502.
    r.to(3_099);
    assert_eq!(r.world.committed("kg", 0), Ok(Some(500)));
    r.to(3_100);
    assert!(r.has_step(3_100, "KA", "commitAsync(510) [auto]"));
    assert_eq!(r.world.committed("kg", 0), Ok(Some(510)));
    let r = r.finish(60_000);
    let s = r.ledger.summary();
    assert_eq!(s.lost, 8);
    assert_eq!(s.duplicates, 0);
    assert_eq!(r.completions(501), vec![("KA".into(), 3_100)]);
}

#[test]
fn k_per_record_replays_only_the_unfinished() {
    let r = start(s02("PerRecord", false)).finish(60_000);
    assert!(r.has_step(3_100, "KA", "commitSync(502)"));
    let s = r.ledger.summary();
    assert_eq!(s.duplicates, 0);
    assert_eq!(s.lost, 0);
    assert_eq!(s.redelivered_msgs, 8);
    assert_eq!(r.completions(509), vec![("KB".into(), 48_400)]);
}

#[test]
fn stall_add_on_backlog_at_takeover() {
    let mut r = start(s02("AfterBatch", true));
    r.to(47_999);
    // Nobody consumes while KA is dead but still the owner.
    assert_eq!(r.world.log_end_offset("t", 0), Ok(989));
    assert_eq!(r.world.unconsumed_entries("kg", 0), Ok(479));
    r.to(48_000);
    assert_eq!(r.world.log_end_offset("t", 0), Ok(990));
    // 480 new messages wait behind KB's position; 490 behind the committed offset.
    assert_eq!(r.world.unconsumed_entries("kg", 0), Ok(480));
    assert_eq!(r.world.lag_entries("kg", 0), Ok(490));
    let r = r.finish(120_000);
    assert_eq!(r.world.max_lag("kg"), Ok((480, 48_000)));
    assert_eq!(r.world.metric("kg.lag.max"), Ok(MetricValue::Int(480)));
    // Behind the committed offset the backlog peaks later: KB replays
    // 500–509 for 500 ms while 4 more arrive (994 − 500 at 48 400).
    assert_eq!(r.world.max_committed_lag("kg"), Ok((494, 48_400)));
    assert_eq!(
        r.world.metric("kg.lag.committed_max"),
        Ok(MetricValue::Int(494))
    );
    // KB (20 msg/s) drains the 10 msg/s backlog and catches up.
    assert_eq!(r.world.unconsumed_entries("kg", 0), Ok(0));
    let s = r.ledger.summary();
    assert_eq!(s.duplicates, 2);
    assert_eq!(s.lost, 0);
    // The first new message waited the whole stall: produced at 100.
    let first_new = r.completions(1000);
    assert_eq!(first_new.len(), 1);
    assert_eq!(r.ledger.stall_ms(1000), Some(first_new[0].1 - 100));
    assert!(first_new[0].1 > 48_500);
}

#[test]
fn unknown_fields_are_rejected() {
    let bad = r#"(topics: [(name: "t", partitions: 1, colour: "red")])"#;
    let e = ron::from_str::<KafkaConfig>(bad).unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn bad_hooks_and_configs_are_errors_not_panics() {
    let mut r = start(s02("AfterBatch", false));
    assert!(r.world.crash_consumer("nobody", 10).is_err());
    assert!(r.world.crash_broker(7, 10).is_err());
    r.to(1000);
    let e = r.world.crash_consumer("KB", 10).unwrap_err();
    assert!(e.0.contains("before model time"), "{e}");
    let mut cfg = s02("AfterBatch", false);
    cfg.groups[0].partitions = 3;
    assert!(KafkaWorld::new(cfg).is_err());
    let mut cfg = s02("AfterBatch", false);
    cfg.cluster.replication_factor = 2;
    assert!(
        KafkaWorld::new(cfg)
            .unwrap_err()
            .0
            .contains("replication_factor")
    );
}

/// The Kafka actors of the §4 S02 example, verbatim, inside an actor enum
/// the way a scenario file embeds them.
#[derive(serde::Deserialize)]
enum Actor {
    KafkaTopic(streamlab::sim::kafka::KafkaTopic),
    KafkaGroup(streamlab::sim::kafka::KafkaGroup),
}

#[test]
fn section_4_example_parses_and_runs() {
    let text = r#"#![enable(unwrap_variant_newtypes)]
    [
        KafkaTopic(name: "t", partitions: 1, preload: {0: [500, 501, 502, 503, 504, 505, 506, 507, 508, 509]}),
        KafkaGroup(topic: "t", partitions: 1, group_id: "kg", session_timeout_ms: 45000,
                   heartbeat_interval_ms: 3000, max_poll_interval_ms: 300000, rebalance_ms: 0,
                   auto_offset_reset: Latest, initial_committed: {0: 500},
                   consumers: [
                     (name: "KA", max_poll_records: 10, processing: Fixed(50), commit: AfterBatch),
                     (name: "KB", max_poll_records: 10, processing: Fixed(50), commit: AfterBatch),
                   ]),
    ]"#;
    let actors: Vec<Actor> = ron::from_str(text).expect("§4 actors parse");
    let mut config = KafkaConfig::default();
    for a in actors {
        match a {
            Actor::KafkaTopic(t) => config.topics.push(t),
            Actor::KafkaGroup(g) => config.groups.push(g),
        }
    }
    let r = start(config).finish(60_000);
    assert_eq!(r.ledger.metric("duplicates"), Ok(2));
    assert_eq!(r.ledger.metric("lost"), Ok(0));
    assert_eq!(r.world.owner_at("kg", 0, 47_999), Ok(Some("KA".into())));
    assert_eq!(r.world.owner_at("kg", 0, 48_000), Ok(Some("KB".into())));
    // A misspelt field inside the unwrapped newtype is still an error.
    let typo = r#"#![enable(unwrap_variant_newtypes)]
    [KafkaTopic(name: "t", partitions: 1, prelaod: {})]"#;
    assert!(ron::from_str::<Vec<Actor>>(typo).is_err());
}

#[test]
fn same_config_same_trace() {
    let run = || {
        let mut cfg = s02("AutoCommit(interval_ms: 5000, handoff: Async)", true);
        cfg.groups[0].consumers[1].processing = streamlab::sim::kafka::Processing::Uniform(20, 80);
        cfg.seed = 42;
        start(cfg).finish(90_000)
    };
    let (a, b) = (run(), run());
    assert_eq!(a.steps, b.steps);
    assert_eq!(a.ledger, b.ledger);
    assert!(a.steps.len() > 1000);
}
