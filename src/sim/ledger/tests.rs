//! Each §1.7 definition checked on small hand-built histories taken from
//! the scenario catalogue (S01, S02, S08).

use super::*;
use std::collections::BTreeSet;

/// S01: 100 preloaded entries; c1 and c2 read 10 at t=1000; c1 dies mid-4;
/// c2 takes every later batch; the reaper claims 4–10 at 90 000.
fn s01() -> Ledger {
    let mut l = Ledger::new("redis");
    for m in 1..=100 {
        l.produced_acked(m, 0);
    }
    for m in 1..=10 {
        l.delivered(m, "c1", 1000);
    }
    for (i, m) in (1..=3).enumerate() {
        let t = 1000 + 100 * i as u64;
        l.processing_started(m, "c1", t);
        l.completed(m, "c1", t + 100);
    }
    l.processing_started(4, "c1", 1300);
    // c2: batch b (0-based) of ids 11+10b.. read at 1000+1000b, 100 ms each.
    for b in 0..9u64 {
        let read_ms = 1000 + 1000 * b;
        for j in 0..10u64 {
            let m = 11 + 10 * b + j;
            l.delivered(m, "c2", read_ms);
            l.processing_started(m, "c2", read_ms + 100 * j);
            l.completed(m, "c2", read_ms + 100 * (j + 1));
        }
    }
    for (i, m) in (4..=10).enumerate() {
        l.delivered(m, "reaper", 90_000);
        let t = 90_000 + 100 * i as u64;
        l.processing_started(m, "reaper", t);
        l.completed(m, "reaper", t + 100);
    }
    l
}

#[test]
fn s01_counts_and_stalls() {
    let l = s01();
    let s = l.summary();
    assert_eq!(s.produced_acked, 100);
    assert_eq!(s.completed, 100);
    assert_eq!(s.completed_by.get("c1"), Some(&3));
    assert_eq!(s.completed_by.get("c2"), Some(&90));
    assert_eq!(s.completed_by.get("reaper"), Some(&7));
    assert_eq!(s.duplicates, 0);
    assert_eq!(s.lost, 0);
    assert_eq!(s.redelivered_msgs, 7);
    assert_eq!(s.redeliveries, 7);
    assert_eq!(l.stall_ms(4), Some(89_100));
    assert_eq!(l.stall_ms(10), Some(89_700));
    // Delivered once: counted from production (t=0), not from the read.
    assert_eq!(l.stall_ms(1), Some(1100));
    assert_eq!(l.stall_ms(100), Some(10_000));
}

/// S02 Kafka side: KA polls 500–509 at 0, completes 500 and 501, dies
/// mid-502; KB resumes at 45 000 from `committed`.
fn s02_kafka(committed: u64) -> Ledger {
    let mut l = Ledger::new("kafka");
    for m in 500..510 {
        l.produced_acked(m, 0);
        l.delivered(m, "KA", 0);
    }
    l.processing_started(500, "KA", 0);
    l.completed(500, "KA", 50);
    l.processing_started(501, "KA", 50);
    l.completed(501, "KA", 100);
    l.processing_started(502, "KA", 100);
    for (i, m) in (committed..510).enumerate() {
        let t = 45_000 + 50 * i as u64;
        l.delivered(m, "KB", 45_000);
        l.processing_started(m, "KB", t);
        l.completed(m, "KB", t + 50);
    }
    let skipped: BTreeSet<MsgId> = (500..committed).collect();
    let still: Vec<MsgId> = (500..510).filter(|m| !skipped.contains(m)).collect();
    l.set_still_deliverable(&still, 45_500);
    l
}

#[test]
fn s02_k_after_duplicates_and_stall() {
    let l = s02_kafka(500);
    assert_eq!(l.duplicates(), 2);
    assert_eq!(l.lost(), 0);
    assert_eq!(l.redelivered_msgs(), 10);
    assert_eq!(l.redeliveries(), 10);
    assert_eq!(l.stall_ms(502), Some(45_150));
    assert_eq!(l.completions(500), 2);
    assert_eq!(l.completed_count(), 10);
}

#[test]
fn s02_k_before_loses_skipped_messages() {
    // Committed 510 before processing: KB has nothing to replay.
    let l = s02_kafka(510);
    assert_eq!(l.lost(), 8);
    assert_eq!(l.duplicates(), 0);
    assert_eq!(l.redelivered_msgs(), 0);
    assert_eq!(l.stall_ms(502), None);
    assert_eq!(
        l.history(505).and_then(|h| h.undeliverable).map(|u| u.0),
        Some(Undeliverable::Gone)
    );
}

#[test]
fn s02_k_per_record_redelivers_eight() {
    let l = s02_kafka(502);
    assert_eq!(l.duplicates(), 0);
    assert_eq!(l.lost(), 0);
    assert_eq!(l.redelivered_msgs(), 8);
}

#[test]
fn undelivered_messages_are_not_lost_while_still_reachable() {
    let mut l = Ledger::new("kafka");
    l.produced_acked(1, 0);
    assert_eq!(l.lost(), 0);
    l.undeliverable(1, Undeliverable::SkippedByOffset, 10);
    assert_eq!(l.lost(), 1);
    l.deliverable_again(1);
    assert_eq!(l.lost(), 0);
    // Never acknowledged: the application was never promised it.
    l.produced(2, 0);
    l.undeliverable(2, Undeliverable::Trimmed, 5);
    assert_eq!(l.lost(), 0);
    assert_eq!(l.produced_acked_count(), 1);
}

/// S08 base: 6001 acked writes, the last 25 never reach the replica.
fn s08(consumer_keeps_up: bool) -> Ledger {
    let mut l = Ledger::new("redis");
    for k in 0..=6000u64 {
        let t = 10 * k;
        l.produced_acked(k, t);
        if consumer_keeps_up {
            l.delivered(k, "c", t);
            l.processing_started(k, "c", t);
            l.completed(k, "c", t + 2);
        }
    }
    for k in 5976..=6000u64 {
        l.log_lost(k, 66_005);
    }
    l
}

#[test]
fn s08_rolled_back_writes_are_phantom_or_lost() {
    let l = s08(true);
    assert_eq!(l.produced_acked_count(), 6001);
    assert_eq!(l.log_lost_count(), 25);
    assert_eq!(l.phantom(), 25);
    assert_eq!(l.lost(), 0);
    assert_eq!(l.duplicates(), 0);
    let l = s08(false);
    assert_eq!(l.log_lost_count(), 25);
    assert_eq!(l.phantom(), 0);
    assert_eq!(l.lost(), 25);
}

#[test]
fn retry_puts_a_rolled_back_message_back() {
    let mut l = Ledger::new("kafka");
    l.produced_acked(7, 100);
    l.log_lost(7, 200);
    assert_eq!((l.log_lost_count(), l.lost()), (1, 1));
    l.back_in_log(7, 300);
    assert_eq!((l.log_lost_count(), l.lost()), (0, 0));
    // The snapshot cannot clear a rollback on its own.
    l.log_lost(7, 400);
    l.set_still_deliverable(&[7], 500);
    assert_eq!(l.lost(), 1);
}

#[test]
fn stall_counts_from_production_when_delivered_once() {
    let mut l = Ledger::new("kafka");
    l.produced_acked(9, 100);
    l.delivered(9, "KB", 45_500);
    l.completed(9, "KB", 45_550);
    assert_eq!(l.stall_ms(9), Some(45_450));
    // A delivery after the counting completion does not move its start.
    l.delivered(9, "KB", 50_000);
    l.completed(9, "KB", 50_050);
    assert_eq!(l.stall_ms(9), Some(45_450));
}

#[test]
fn metric_paths() {
    let l = s01();
    assert_eq!(l.metric("completed"), Ok(100));
    assert_eq!(l.metric("completed_by.reaper"), Ok(7));
    assert_eq!(l.metric("completed_by.nobody"), Ok(0));
    assert_eq!(l.metric("stall_ms.4"), Ok(89_100));
    assert_eq!(l.metric("redelivered_msgs"), Ok(7));
    assert!(
        l.metric("stall_ms.x")
            .unwrap_err()
            .0
            .contains("not a message id")
    );
    assert!(
        l.metric("stall_ms.999")
            .unwrap_err()
            .0
            .contains("never completed")
    );
    assert!(l.metric("bogus").unwrap_err().0.contains("unknown metric"));
    assert_eq!(l.system(), "redis");
}

#[test]
fn acknowledged_messages_are_completed_lost_or_unconsumed() {
    let mut l = Ledger::new("kafka");
    for m in 1..=6 {
        l.produced_acked(m, 0);
    }
    l.produced(7, 0); // never acknowledged: in no count
    l.delivered(1, "c", 1);
    l.completed(1, "c", 2);
    l.undeliverable(2, Undeliverable::Trimmed, 3);
    l.log_lost(3, 4);
    l.delivered(6, "c", 5); // delivered, never completed, still pending
    // 4, 5 and 6 are still in the log; 7 too, but it was never acknowledged.
    l.set_still_deliverable(&[1, 4, 5, 6, 7], 10);
    assert_eq!(l.completed_count(), 1);
    assert_eq!(l.lost(), 2, "trimmed and rolled back");
    assert_eq!(l.unconsumed(), 3, "waiting in the log or a PEL");
    assert_eq!(l.metric("unconsumed"), Ok(3));
    let s = l.summary();
    assert_eq!(s.completed + s.lost + s.unconsumed, s.produced_acked);
}

#[test]
fn a_side_without_consumers_says_so_instead_of_zeros() {
    let mut l = Ledger::new("kafka");
    l.produced_acked(1, 0);
    l.set_still_deliverable(&[1], 10);
    let with = serde_json::to_value(l.summary()).expect("json");
    assert_eq!(with["completed"], 0);
    assert_eq!(with["unconsumed"], 1);
    assert!(with.get("consumer").is_none(), "{with}");

    l.mark_no_consumer();
    let without = serde_json::to_value(l.summary()).expect("json");
    assert_eq!(without["consumer"], "none");
    assert_eq!(without["produced_acked"], 1);
    assert_eq!(without["unconsumed"], 1);
    assert_eq!(without["lost"], 0);
    for absent in [
        "completed",
        "completed_by",
        "duplicates",
        "phantom",
        "redeliveries",
    ] {
        assert!(without.get(absent).is_none(), "{absent}: {without}");
    }
}
