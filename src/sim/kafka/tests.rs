//! Unit tests of the model's pieces: replication and producers here,
//! group membership in `tests_group.rs`. The S02 rows live in
//! tests/kafka_model.rs.

use super::*;
use crate::sim::ledger::{Ledger, MsgId};

pub(super) fn topic(name: &str, partitions: u32, preload: &[(u32, Vec<u64>)]) -> KafkaTopic {
    KafkaTopic {
        name: name.into(),
        partitions,
        preload: preload.iter().cloned().collect(),
        retention_ms: None,
        segment_ms: 604_800_000,
    }
}

pub(super) fn producer(name: &str, acks: Acks, schedule: KafkaSchedule) -> KafkaProducer {
    KafkaProducer {
        name: name.into(),
        topic: "t".into(),
        schedule,
        acks,
        idempotent: true,
        retries: u32::MAX,
        retry_backoff_ms: 100,
        delivery_timeout_ms: 120_000,
        first_msg_id: 0,
        partition: None,
    }
}

fn every_10ms_until(until_ms: u64) -> KafkaSchedule {
    KafkaSchedule::Every {
        interval_ms: 10,
        offset_ms: 0,
        count: None,
        until_ms: Some(until_ms),
    }
}

fn rf3(min_insync: u32) -> KafkaCluster {
    KafkaCluster {
        brokers: 3,
        replication_factor: 3,
        min_insync_replicas: min_insync,
        follower_lag: FollowerLag::Constant(250),
        ..KafkaCluster::default()
    }
}

pub(super) struct Run {
    pub world: KafkaWorld,
    pub ledger: Ledger,
    pub steps: Vec<KafkaStep>,
}

impl Run {
    pub(super) fn new(config: KafkaConfig) -> Run {
        Run {
            world: KafkaWorld::new(config).expect("valid config"),
            ledger: Ledger::new("kafka"),
            steps: Vec::new(),
        }
    }

    pub(super) fn to(&mut self, t_ms: u64) {
        self.world
            .run_until(t_ms, &mut self.ledger, &mut self.steps);
    }

    pub(super) fn has(&self, t_ms: u64, actor: &str, action: &str) -> bool {
        self.steps
            .iter()
            .any(|s| s.t_ms == t_ms && s.actor == actor && s.action == action)
    }
}

/// S08, Kafka comparison: 100 msg/s from t=0 to 60 000, RF=3, follower
/// lag 250 ms, leader crash at 60 005.
fn s08(acks: Acks, min_insync: u32) -> Run {
    let config = KafkaConfig {
        cluster: rf3(min_insync),
        topics: vec![topic("t", 1, &[])],
        producers: vec![producer("P", acks, every_10ms_until(60_000))],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(0, 60_005).unwrap();
    r.to(70_000);
    r
}

#[test]
fn s08_acks_1_loses_the_unreplicated_tail() {
    let r = s08(Acks::One, 1);
    assert_eq!(r.ledger.produced_acked_count(), 6001);
    assert_eq!(r.ledger.log_lost_count(), 25);
    // t = 59 760 … 60 000 were acknowledged on broker 0 only.
    let lost: Vec<u64> = r
        .ledger
        .histories()
        .filter(|(_, h)| h.log_lost_ms.is_some())
        .map(|(m, _)| m)
        .collect();
    assert_eq!(lost, (5976..=6000).collect::<Vec<u64>>());
    assert_eq!(r.world.leader("t", 0), Ok(Some(1)));
    assert_eq!(r.world.log_end_offset("t", 0), Ok(5976));
    assert_eq!(r.world.isr("t", 0), Ok(vec![1, 2]));
    // The controller fences broker 0 after broker.session.timeout.ms (9 s).
    assert!(r.has(
        69_005,
        "kafka-controller",
        "leader t/p0 -> broker-1, truncated 25"
    ));
}

#[test]
fn s08_acks_all_min_insync_2_loses_nothing() {
    let r = s08(Acks::All, 2);
    assert_eq!(r.ledger.log_lost_count(), 0);
    assert_eq!(r.world.producer_counts("P"), Ok((6001, 0)));
    assert_eq!(r.ledger.produced_acked_count(), 6001);
    assert_eq!(r.world.topic_duplicates("t"), Ok(0));
    assert_eq!(r.world.log_end_offset("t", 0), Ok(6001));
    // Acks trail the appends by the follower lag.
    let acked = r.world.acked_messages("P").unwrap();
    assert_eq!(acked.iter().next(), Some(&(0, 250)));
    // The 25 unacknowledged at the crash are retried every 100 ms until the
    // controller fences broker 0 (9 s) and elects broker 1.
    assert!(r.has(
        60_005,
        "P",
        "send m5976 -> p0: NOT_LEADER_OR_FOLLOWER, retry at 60105"
    ));
    // (The retry round of 69 005 runs right after the election.)
    assert!(r.has(69_005, "P", "send m5976 -> p0@5976"));
    assert!(acked.iter().any(|a| *a == (6000, 69_255)));
}

/// A follower dies, so the high watermark stalls (it is still in the ISR);
/// the leader then dies with 10 records replicated to broker 1 but never
/// acknowledged. Their re-sends are duplicates unless idempotent.
fn lost_acks(idempotent: bool) -> Run {
    let mut p = producer(
        "P",
        Acks::All,
        KafkaSchedule::Every {
            interval_ms: 10,
            offset_ms: 2000,
            count: Some(10),
            until_ms: None,
        },
    );
    p.idempotent = idempotent;
    let config = KafkaConfig {
        cluster: rf3(1),
        topics: vec![topic("t", 1, &[])],
        producers: vec![p],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(2, 1000).unwrap();
    r.world.crash_broker(0, 5000).unwrap();
    r.to(4999);
    assert_eq!(r.world.high_watermark("t", 0), Ok(0));
    assert_eq!(r.world.producer_counts("P"), Ok((0, 0)));
    // Broker 1 is elected when the controller fences broker 0 at 14 000.
    r.to(20_000);
    r
}

#[test]
fn retries_after_a_lost_ack_duplicate_without_idempotence() {
    let r = lost_acks(false);
    assert_eq!(r.world.topic_duplicates("t"), Ok(10));
    assert_eq!(r.world.producer_counts("P"), Ok((10, 0)));
    assert_eq!(r.ledger.log_lost_count(), 0);
}

#[test]
fn idempotent_retries_are_stored_once() {
    let r = lost_acks(true);
    assert_eq!(r.world.topic_duplicates("t"), Ok(0));
    assert_eq!(r.world.producer_counts("P"), Ok((10, 0)));
    assert_eq!(r.world.log_end_offset("t", 0), Ok(10));
    // The first retry round after broker 1 is elected at 14 000 (fencing).
    assert!(r.has(14_000, "P", "send m0 -> p0: duplicate of @0, not stored"));
}

#[test]
fn acks_all_below_min_insync_is_refused_then_dropped() {
    let config = KafkaConfig {
        cluster: KafkaCluster {
            brokers: 2,
            replication_factor: 2,
            min_insync_replicas: 2,
            ..KafkaCluster::default()
        },
        topics: vec![topic("t", 1, &[])],
        producers: vec![producer("P", Acks::All, KafkaSchedule::At(vec![40_000]))],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(1, 0).unwrap();
    r.to(30_000);
    assert_eq!(r.world.isr("t", 0), Ok(vec![0]));
    r.to(200_000);
    assert!(r.has(
        40_000,
        "P",
        "send m0 -> p0: NOT_ENOUGH_REPLICAS, retry at 40100"
    ));
    assert_eq!(r.world.producer_counts("P"), Ok((0, 1)));
    assert_eq!(r.ledger.produced_acked_count(), 0);
    assert_eq!(r.world.log_end_offset("t", 0), Ok(0));
}

#[test]
fn acks_0_into_an_offline_partition_is_acknowledged_and_lost() {
    let config = KafkaConfig {
        cluster: KafkaCluster {
            leader_election_ms: 1000,
            ..KafkaCluster::default()
        },
        topics: vec![topic("t", 1, &[])],
        producers: vec![producer("P", Acks::Zero, KafkaSchedule::At(vec![10, 20]))],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(0, 15).unwrap();
    r.to(11_000);
    assert_eq!(r.ledger.produced_acked_count(), 2);
    assert_eq!(r.ledger.log_lost_count(), 1);
    // One broker, RF=1: no replica left to elect.
    assert_eq!(r.world.leader("t", 0), Ok(None));
    // Fenced after broker.session.timeout.ms (9 s), then leader_election_ms.
    assert!(r.has(10_015, "kafka-controller", "t/p0 offline"));
}

#[test]
fn restarted_producer_is_not_deduplicated() {
    // S13 in miniature: a bridge re-sends after a restart.
    let config = KafkaConfig {
        topics: vec![topic("t", 1, &[])],
        producers: vec![producer("bridge", Acks::All, KafkaSchedule::Manual)],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    for m in 0..10 {
        let got = r
            .world
            .produce("bridge", m, 300_000, &mut r.ledger, Some(&mut r.steps));
        assert_eq!(
            got,
            Ok(ProduceOutcome::Acked {
                partition: 0,
                offset: Some(m)
            })
        );
    }
    r.world.restart_producer("bridge", 305_000).unwrap();
    for m in 0..10 {
        r.world
            .produce("bridge", m, 305_000, &mut r.ledger, Some(&mut r.steps))
            .unwrap();
    }
    assert_eq!(r.world.topic_duplicates("t"), Ok(10));
    assert_eq!(r.world.metric("t.duplicates"), Ok(MetricValue::Int(10)));
    assert!(
        r.world
            .produce("nobody", 1, 305_000, &mut r.ledger, Some(&mut r.steps))
            .is_err()
    );
}

#[test]
fn round_robin_spreads_over_partitions() {
    let config = KafkaConfig {
        topics: vec![topic("t", 3, &[])],
        producers: vec![producer(
            "P",
            Acks::One,
            KafkaSchedule::Every {
                interval_ms: 1,
                offset_ms: 0,
                count: Some(7),
                until_ms: None,
            },
        )],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.to(100);
    assert_eq!(r.world.log("t", 0), Ok(vec![(0, 0), (1, 3), (2, 6)]));
    assert_eq!(r.world.log("t", 1), Ok(vec![(0, 1), (1, 4)]));
    assert_eq!(r.world.log("t", 2), Ok(vec![(0, 2), (1, 5)]));
    assert_eq!(r.world.next_event_ms(), None);
}

#[test]
fn invalid_configs_are_errors() {
    let bad_preload = KafkaConfig {
        topics: vec![topic("t", 1, &[(0, vec![5, 3])])],
        ..KafkaConfig::default()
    };
    assert!(
        KafkaWorld::new(bad_preload)
            .unwrap_err()
            .0
            .contains("strictly increasing")
    );
    let bad_partition = KafkaConfig {
        topics: vec![topic("t", 1, &[(4, vec![1])])],
        ..KafkaConfig::default()
    };
    assert!(KafkaWorld::new(bad_partition).unwrap_err().0.contains("p4"));
    let unknown_topic = KafkaConfig {
        producers: vec![producer("P", Acks::One, KafkaSchedule::Manual)],
        ..KafkaConfig::default()
    };
    assert!(
        KafkaWorld::new(unknown_topic)
            .unwrap_err()
            .0
            .contains("unknown topic")
    );
}

/// RF=2, the follower dies at 1000 and leaves the ISR at 10 000 (fenced after
/// broker.session.timeout.ms); the
/// leader dies at 40 005; the follower comes back at 50 000.
fn shrunken_isr(min_insync: u32, unclean: bool) -> Run {
    let config = KafkaConfig {
        cluster: KafkaCluster {
            brokers: 2,
            replication_factor: 2,
            min_insync_replicas: min_insync,
            follower_lag: FollowerLag::Constant(250),
            unclean_leader_election: unclean,
            ..KafkaCluster::default()
        },
        topics: vec![topic("t", 1, &[])],
        producers: vec![producer("P", Acks::All, every_10ms_until(60_000))],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(1, 1000).unwrap();
    r.world.crash_broker(0, 40_005).unwrap();
    r.world.restart_broker(1, 50_000).unwrap();
    r.to(31_000);
    assert_eq!(r.world.isr("t", 0), Ok(vec![0]));
    r.to(200_000);
    r
}

#[test]
fn acks_all_with_min_insync_1_degrades_to_acks_1() {
    let r = shrunken_isr(1, true);
    // Everything up to 40 000 was acknowledged by the leader alone; the
    // returning follower only has t <= 740.
    // (The record of t=750 reaches broker 1 at 1000, after its crash.)
    assert!(r.has(
        50_000,
        "kafka-controller",
        "leader t/p0 -> broker-1, truncated 3926"
    ));
    assert_eq!(r.ledger.log_lost_count(), 4001 - 75);
    assert_eq!(r.world.leader("t", 0), Ok(Some(1)));
}

#[test]
fn without_unclean_election_the_partition_stays_offline() {
    let r = shrunken_isr(1, false);
    assert!(r.has(50_000, "kafka-controller", "t/p0 offline"));
    assert_eq!(r.ledger.log_lost_count(), 0);
    assert_eq!(r.world.leader("t", 0), Ok(None));
    // Sends after the leader's crash time out instead.
    assert_eq!(r.world.producer_counts("P"), Ok((4001, 2000)));
}

#[test]
fn min_insync_2_refuses_rather_than_risking_acknowledged_data() {
    let r = shrunken_isr(2, true);
    assert_eq!(r.ledger.log_lost_count(), 0);
    // Only t <= 740 reached both replicas in time to be acknowledged; the
    // rest are refused (NOT_ENOUGH_REPLICAS) until they time out.
    assert_eq!(r.world.producer_counts("P"), Ok((75, 6001 - 75)));
    assert_eq!(
        r.world.acked_messages("P").unwrap().last(),
        Some(&(74, 990))
    );
}

#[test]
fn a_restarted_follower_catches_up_and_rejoins_the_isr() {
    let config = KafkaConfig {
        cluster: rf3(2),
        topics: vec![topic("t", 1, &[])],
        producers: vec![producer("P", Acks::All, every_10ms_until(60_000))],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(2, 1000).unwrap();
    r.world.restart_broker(2, 40_000).unwrap();
    r.to(40_249);
    assert_eq!(r.world.isr("t", 0), Ok(vec![0, 1]));
    r.to(40_250);
    assert_eq!(r.world.isr("t", 0), Ok(vec![0, 1, 2]));
    assert!(r.has(40_250, "broker-2", "isr t/p0 -> [0,1,2]"));
    r.to(70_000);
    assert_eq!(r.world.producer_counts("P"), Ok((6001, 0)));
    assert!(r.world.restart_broker(9, 70_000).is_err());
}

/// acks=1, RF=3; the leader dies at 1000 and broker 1 takes over at 10 000
/// (fencing); retries every 70 ms, so the first round after the election
/// is at 10 030, after the new sends of 10 000, 10 010 and 10 020.
fn outage_order(idempotent: bool) -> Vec<MsgId> {
    let mut p = producer("P", Acks::One, every_10ms_until(12_000));
    p.idempotent = idempotent;
    p.retry_backoff_ms = 70;
    let config = KafkaConfig {
        cluster: rf3(1),
        topics: vec![topic("t", 1, &[])],
        producers: vec![p],
        ..KafkaConfig::default()
    };
    let mut r = Run::new(config);
    r.world.crash_broker(0, 1000).unwrap();
    r.to(20_000);
    r.world
        .log("t", 0)
        .unwrap()
        .into_iter()
        .map(|(_, m)| m)
        .collect()
}

#[test]
fn an_idempotent_producer_keeps_the_partition_order_across_retries() {
    let log = outage_order(true);
    assert!(log.windows(2).all(|w| w[0] < w[1]), "{log:?}");
    // m0..m74 reached the followers and survived the truncation; m100
    // (sent at 1000) onwards were retried or queued behind the retries.
    assert_eq!(log[75], 100);
    assert_eq!(log.last(), Some(&1200));
}

#[test]
fn without_idempotence_a_new_record_overtakes_the_retries() {
    let log = outage_order(false);
    let at = |m: MsgId| log.iter().position(|x| *x == m).unwrap();
    assert!(at(1001) < at(100), "{log:?}");
    // The sends of 10 000, 10 010 and 10 020 land before the retry round.
    assert_eq!(log[75..79], [1000, 1001, 1002, 100]);
}
