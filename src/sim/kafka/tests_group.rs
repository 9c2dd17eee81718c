//! Group membership under faults: max.poll.interval.ms, static membership,
//! a restart that must wait for its own dead member, clean close, range
//! assignment, seeded processing times.

use super::tests::{Run, topic};
use super::*;

fn consumer(name: &str, static_member: bool) -> KafkaConsumer {
    KafkaConsumer {
        name: name.into(),
        max_poll_records: 5,
        poll_interval_ms: 100,
        processing: Processing::Fixed(100),
        static_member,
        commit: CommitPolicy::AfterBatch,
        start_at_ms: 0,
        poison: Vec::new(),
        on_failure: OnFailure::SeekBack,
    }
}

/// Offsets 0–9 in one partition, committed 0, session 45 s, no rebalance
/// delay: the broker runs with `group.initial.rebalance.delay.ms=0` (as
/// Kafka's shipped config/server.properties does), so a test starts with
/// the group assigned at t=0; the delay has its own test below.
fn group(consumers: Vec<KafkaConsumer>, max_poll_interval_ms: u64, partitions: u32) -> KafkaConfig {
    KafkaConfig {
        cluster: KafkaCluster {
            group_initial_rebalance_delay_ms: 0,
            ..KafkaCluster::default()
        },
        topics: vec![topic("t", partitions, &[(0, (0..10).collect())])],
        groups: vec![KafkaGroup {
            topic: "t".into(),
            partitions: 0,
            group_id: "kg".into(),
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms,
            rebalance_ms: 0,
            auto_offset_reset: OffsetReset::Earliest,
            initial_committed: [(0, 0)].into_iter().collect(),
            consumers,
        }],
        ..KafkaConfig::default()
    }
}

fn done_by(r: &Run, msg: u64) -> Vec<(String, u64)> {
    r.ledger
        .history(msg)
        .map(|h| h.completions.clone())
        .unwrap_or_default()
}

#[test]
fn a_hung_consumer_is_evicted_by_max_poll_interval_not_by_session() {
    let mut r = Run::new(group(
        vec![consumer("A", false), consumer("B", false)],
        10_000,
        1,
    ));
    r.world.hang_consumer("A", 150, 20_000).unwrap();
    r.to(9_999);
    assert_eq!(r.world.owner("kg", 0), Ok(Some("A".into())));
    // The heartbeat thread keeps going while processing is stuck.
    assert!(r.has(9_000, "A", "heartbeat"));
    r.to(60_000);
    assert!(r.has(10_000, "kg", "max.poll.interval.ms exceeded: A leaves"));
    // B, blocked in poll, learns of the rebalance at its next heartbeat.
    assert_eq!(r.world.owner_at("kg", 0, 11_999), Ok(None));
    assert!(r.has(12_000, "B", "heartbeat -> REBALANCE_IN_PROGRESS"));
    assert_eq!(r.world.owner_at("kg", 0, 12_000), Ok(Some("B".into())));
    // A wakes up, finishes its stale batch, and its commit is refused.
    assert_eq!(
        done_by(&r, 1),
        vec![("B".into(), 12_200), ("A".into(), 20_150)]
    );
    assert!(r.has(20_450, "A", "commitSync(5) failed"));
    assert!(r.has(20_450, "A", "join kg"));
    assert_eq!(r.world.owner("kg", 0), Ok(Some("A".into())));
    assert_eq!(r.world.committed("kg", 0), Ok(Some(10)));
    assert_eq!(r.ledger.duplicates(), 5);
}

#[test]
fn a_static_member_restarting_in_time_keeps_its_partition() {
    let mut r = Run::new(group(
        vec![consumer("A", true), consumer("B", false)],
        300_000,
        1,
    ));
    let mid = MidProcessing {
        partition: 0,
        offset: 2,
        after_ms: None,
    };
    r.world.crash_mid_processing("A", mid).unwrap();
    r.world.restart_consumer("A", 5_000).unwrap();
    r.to(60_000);
    assert!(r.has(250, "A", "crash (mid-processing 2)"));
    assert!(r.has(
        5_000,
        "A",
        "restart: rejoin as static member (1 partition(s) kept)"
    ));
    assert!(r.has(5_000, "A", "poll -> [0..4]"));
    let rebalances = r
        .steps
        .iter()
        .filter(|s| s.action.starts_with("rebalance start"))
        .count();
    assert_eq!(rebalances, 1, "only the initial join rebalances");
    assert_eq!(r.world.owner_at("kg", 0, 4_999), Ok(Some("A".into())));
    assert_eq!(r.ledger.completed_by().get("B"), None);
    assert_eq!(r.ledger.duplicates(), 2);
    assert_eq!(r.world.committed("kg", 0), Ok(Some(10)));
}

#[test]
fn a_dynamic_member_restarting_waits_for_its_old_self_to_expire() {
    let mut r = Run::new(group(
        vec![consumer("A", false), consumer("B", false)],
        300_000,
        1,
    ));
    let mid = MidProcessing {
        partition: 0,
        offset: 2,
        after_ms: None,
    };
    r.world.crash_mid_processing("A", mid).unwrap();
    r.world.restart_consumer("A", 5_000).unwrap();
    r.to(60_000);
    assert!(r.has(5_000, "kg", "rebalance waits for A"));
    assert_eq!(r.world.owner_at("kg", 0, 4_999), Ok(Some("A".into())));
    // The dead incarnation still owns p0 until its session expires; the new
    // one and B have rejoined and wait; nobody reads p0 in between.
    assert_eq!(r.world.owner_at("kg", 0, 44_999), Ok(Some("A".into())));
    let times = |m: u64| -> Vec<u64> {
        r.ledger
            .history(m)
            .map(|h| h.deliveries.iter().map(|d| d.1).collect())
            .unwrap_or_default()
    };
    assert_eq!(times(2), vec![0, 45_000]);
    assert!(r.has(45_000, "kg", "session timeout: A removed"));
    assert_eq!(r.world.owner_at("kg", 0, 45_000), Ok(Some("A".into())));
    assert!(r.has(45_000, "A", "poll -> [0..4]"));
}

#[test]
fn clean_close_rebalances_at_once() {
    let mut r = Run::new(group(
        vec![consumer("A", false), consumer("B", false)],
        300_000,
        1,
    ));
    r.world.close_consumer("A", 150).unwrap();
    r.to(10_000);
    assert!(r.has(150, "kg", "A left"));
    // The LeaveGroup starts the rebalance at once; B hears of it from its
    // heartbeat at 3 000 (heartbeat.interval.ms) and takes p0 then.
    assert_eq!(r.world.owner_at("kg", 0, 2_999), Ok(None));
    assert_eq!(r.world.owner_at("kg", 0, 3_000), Ok(Some("B".into())));
    assert_eq!(done_by(&r, 0), vec![("A".into(), 100), ("B".into(), 3_100)]);
    assert_eq!(r.ledger.duplicates(), 1);
    assert_eq!(r.world.committed("kg", 0), Ok(Some(10)));
}

#[test]
fn range_assignment_by_member_name() {
    let mut r = Run::new(group(
        vec![consumer("B", false), consumer("A", false)],
        300_000,
        3,
    ));
    r.to(0);
    assert_eq!(r.world.owner("kg", 0), Ok(Some("A".into())));
    assert_eq!(r.world.owner("kg", 1), Ok(Some("A".into())));
    assert_eq!(r.world.owner("kg", 2), Ok(Some("B".into())));
    assert!(r.has(0, "kg", "rebalance: p0 -> A, p1 -> A, p2 -> B"));
    assert!(r.world.owner("kg", 3).is_err());
    assert!(r.world.metric("kg.owner.x").is_err());
    assert_eq!(r.world.metric("kg.committed.1"), Ok(MetricValue::Nothing));
}

#[test]
fn uniform_processing_is_seeded_and_bounded() {
    let run = |seed: u64| {
        let mut c = consumer("A", false);
        c.processing = Processing::Uniform(10, 20);
        let mut cfg = group(vec![c], 300_000, 1);
        cfg.seed = seed;
        let mut r = Run::new(cfg);
        r.to(1_000);
        let done: Vec<u64> = (0..10).map(|m| done_by(&r, m)[0].1).collect();
        done
    };
    let a = run(7);
    assert_eq!(a, run(7));
    assert_ne!(a, run(8));
    let mut prev = 0;
    for t in &a {
        assert!((10..=20).contains(&(t - prev)), "{a:?}");
        prev = *t;
    }
}

#[test]
fn a_member_busy_with_a_batch_finishes_and_commits_before_the_rebalance() {
    let mut late = consumer("C", false);
    late.start_at_ms = 250;
    let mut r = Run::new(group(vec![consumer("A", false), late], 300_000, 1));
    r.to(10_000);
    assert!(r.has(250, "kg", "rebalance start (C joined)"));
    // A does not know of the rebalance before its heartbeat at 3 000: it
    // keeps p0, works through 0–4 and 5–9, and both commits count.
    assert_eq!(r.world.owner_at("kg", 0, 2_999), Ok(Some("A".into())));
    assert!(r.has(500, "A", "commitSync(5)"));
    assert!(r.has(500, "A", "poll -> [5..9]"));
    assert!(r.has(1_000, "A", "commitSync(10)"));
    assert!(r.has(3_000, "A", "heartbeat -> REBALANCE_IN_PROGRESS"));
    assert!(r.has(3_000, "kg", "rebalance: p0 -> A"));
    assert_eq!(r.ledger.duplicates(), 0);
    assert_eq!(r.ledger.redelivered_msgs(), 0);
}

#[test]
fn rebalance_ms_runs_from_the_last_rejoin() {
    let mut late = consumer("C", false);
    late.start_at_ms = 1_250;
    let mut cfg = group(vec![consumer("A", false), late], 300_000, 1);
    cfg.groups[0].rebalance_ms = 1_000;
    cfg.groups[0].consumers[0].commit = CommitPolicy::PerRecord;
    let mut r = Run::new(cfg);
    r.to(10_000);
    // The first assignment also takes rebalance_ms.
    assert!(r.has(1_000, "kg", "rebalance: p0 -> A"));
    assert!(r.has(1_250, "kg", "rebalance start (C joined)"));
    // While preparing, A still owns p0 and its commits count.
    assert!(r.has(1_300, "A", "commitSync(3)"));
    assert!(r.has(1_500, "A", "commitSync(5)"));
    // A learns of the rebalance at its heartbeat (3000), blocked in poll
    // after 5–9, and rejoins; the sync phase then lasts 1000 ms.
    assert!(r.has(1_500, "A", "poll -> [5..9]"));
    assert_eq!(r.world.owner_at("kg", 0, 2_999), Ok(Some("A".into())));
    assert_eq!(r.world.owner_at("kg", 0, 3_000), Ok(None));
    assert_eq!(r.world.owner_at("kg", 0, 3_999), Ok(None));
    assert!(r.has(4_000, "kg", "rebalance: p0 -> A"));
    assert_eq!(r.world.committed("kg", 0), Ok(Some(10)));
    assert_eq!(r.ledger.duplicates(), 0);
}

#[test]
fn a_static_member_that_closes_holds_its_partition_until_the_session_expires() {
    let mut r = Run::new(group(
        vec![consumer("A", true), consumer("B", false)],
        300_000,
        1,
    ));
    r.world.close_consumer("A", 150).unwrap();
    r.to(60_000);
    // KIP-345: no LeaveGroup. A's last heartbeat was at 0.
    assert!(r.has(150, "A", "close (static member: no LeaveGroup)"));
    assert_eq!(r.world.owner_at("kg", 0, 44_999), Ok(Some("A".into())));
    assert!(r.has(45_000, "kg", "session timeout: A removed"));
    // B's heartbeat of the same millisecond brings the news.
    assert_eq!(r.world.owner_at("kg", 0, 45_000), Ok(Some("B".into())));
    assert_eq!(done_by(&r, 1), vec![("B".into(), 45_200)]);
}

#[test]
fn a_static_member_past_max_poll_stops_heartbeating_but_does_not_leave() {
    let mut r = Run::new(group(
        vec![consumer("A", true), consumer("B", false)],
        10_000,
        1,
    ));
    r.world.hang_consumer("A", 150, 20_000).unwrap();
    r.to(60_000);
    assert!(r.has(
        10_000,
        "A",
        "max.poll.interval.ms exceeded: A stops heartbeating (static: no LeaveGroup)"
    ));
    // No heartbeat after the poll timeout; last one at 9 000, so the session
    // would end at 54 000. A polls again at 20 450 and takes its place back.
    assert!(!r.has(12_000, "A", "heartbeat"));
    assert!(r.has(20_450, "A", "commitSync(5) failed"));
    assert!(r.has(
        20_450,
        "A",
        "poll() again: rejoin as static member (1 partition(s) kept)"
    ));
    assert_eq!(r.world.owner_at("kg", 0, 59_999), Ok(Some("A".into())));
    let rebalances = r
        .steps
        .iter()
        .filter(|s| s.action.starts_with("rebalance start"))
        .count();
    assert_eq!(rebalances, 1, "only the initial join rebalances");
    assert_eq!(r.ledger.completed_by().get("B"), None);
    // Its batch 0–4 was never committed, so it reads it again.
    assert_eq!(r.ledger.duplicates(), 5);
    assert_eq!(r.world.committed("kg", 0), Ok(Some(10)));
}

#[test]
fn a_new_group_waits_the_initial_rebalance_delay_and_each_joiner_restarts_it() {
    let mut late = consumer("B", false);
    late.start_at_ms = 1_000;
    let mut cfg = group(vec![consumer("A", false), late], 300_000, 1);
    cfg.cluster.group_initial_rebalance_delay_ms = 3_000;
    let mut r = Run::new(cfg);
    r.to(10_000);
    assert!(r.has(0, "kg", "initial rebalance delay until 3000"));
    assert_eq!(r.world.owner_at("kg", 0, 3_999), Ok(None));
    assert!(r.has(4_000, "kg", "rebalance: p0 -> A"));
    assert!(r.has(4_000, "A", "poll -> [0..4]"));
}

/// S13d in miniature: 10 msg/s, retention 60 s in 10 s segments, the only
/// consumer dead from 30 050 to 150 000.
fn retention_outage(reset: OffsetReset) -> Run {
    let mut topic_cfg = topic("t", 1, &[]);
    topic_cfg.retention_ms = Some(60_000);
    topic_cfg.segment_ms = 10_000;
    let mut c = consumer("A", false);
    c.max_poll_records = 500;
    c.processing = Processing::Fixed(1);
    let mut cfg = group(vec![c], 300_000, 1);
    cfg.topics = vec![topic_cfg];
    cfg.cluster.retention_check_interval_ms = 5_000;
    cfg.groups[0].auto_offset_reset = reset;
    cfg.producers = vec![super::tests::producer(
        "P",
        Acks::One,
        KafkaSchedule::Every {
            interval_ms: 100,
            offset_ms: 100,
            count: None,
            until_ms: Some(200_000),
        },
    )];
    let mut r = Run::new(cfg);
    r.world.crash_consumer("A", 30_050).unwrap();
    r.world.restart_consumer("A", 150_000).unwrap();
    r.to(210_000);
    r.world.finalize_ledger(&mut r.ledger);
    r
}

#[test]
fn out_of_range_with_earliest_loses_only_what_retention_deleted() {
    let r = retention_outage(OffsetReset::Earliest);
    // Segments of 101 records; the check of 150 000 left the log at 808.
    assert!(r.has(
        150_000,
        "A",
        "fetch p0@300: OFFSET_OUT_OF_RANGE, auto.offset.reset=earliest -> 808"
    ));
    assert_eq!(r.ledger.lost(), 808 - 300);
    assert_eq!(r.world.committed("kg", 0), Ok(Some(2000)));
}

#[test]
fn out_of_range_with_latest_skips_the_retained_records_too() {
    let r = retention_outage(OffsetReset::Latest);
    assert!(r.has(
        150_000,
        "A",
        "fetch p0@300: OFFSET_OUT_OF_RANGE, auto.offset.reset=latest -> 1500"
    ));
    assert_eq!(r.ledger.lost(), 1500 - 300);
}
