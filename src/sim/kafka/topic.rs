//! Partition logs with leader/follower replication, the ISR and the high
//! watermark.
//!
//! ```text
//!   partition p, replicas [b0, b1, b2] (leader first)
//!
//!   leader  b0: [500 501 502 … 959 960 961]            leo = 962
//!   follower b1: [500 501 502 … 959]                    replica_leo = 960 (appended + lag)
//!   follower b2: [500 501 502 … 959]                    replica_leo = 960
//!                                   ▲
//!                         hw = min(leo over ISR) = 960 — consumers read below it,
//!                         acks=all completes below it
//! ```
//!
//! Why model followers at all: a record is *committed* in Kafka's sense only
//! once every ISR member has it (design.html). `acks=1` acknowledges before
//! that, so a leader crash can truncate acknowledged records (log_lost);
//! `acks=all` with `min.insync.replicas ≥ 2` cannot. Consumers never see
//! records above the high watermark, which is why a Kafka consumer does not
//! produce phantom side effects the way a Redis consumer reading a master
//! that later loses its writes does.
//!
//! Replication is a constant per-record lag: an append at `t` reaches each
//! live follower at `t + lag` (one `Replicate` event per append; a fetch is
//! cumulative, so a follower holds everything up to the offset it fetched).
//! Crashes, restarts, ISR changes and leader elections are in broker.rs.

use super::config::{FollowerLag, KafkaCluster, KafkaTopic};
use super::event::Ev;
use super::log::PartitionLog;
use super::producer_index::ProducerIndex;
use super::{KafkaWorld, Out};
use crate::sim::ledger::MsgId;
use std::collections::{BTreeMap, BTreeSet};

/// Who appended a record, for idempotent de-duplication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ProducerKey {
    pub producer: usize,
    pub session: u64,
    pub seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub msg: MsgId,
    pub append_ms: u64,
    pub from: Option<ProducerKey>,
    /// The producer has been told it is stored.
    pub acked: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct PartitionState {
    pub records: PartitionLog,
    pub log_start: u64,
    pub leo: u64,
    pub replicas: Vec<u32>,
    pub leader: Option<u32>,
    pub leader_epoch: u64,
    pub isr: BTreeSet<u32>,
    /// Log end offset of each follower's copy.
    pub replica_leo: BTreeMap<u32, u64>,
    pub hw: u64,
    /// Log segments as (base offset, time of their first record), oldest
    /// first; the last one is the active segment (retention.rs).
    pub segments: Vec<(u64, u64)>,
    /// acks=all sends waiting for the high watermark: offset → (producer, msg).
    pub waiting_acks: BTreeMap<u64, (usize, MsgId)>,
    pub by_producer: ProducerIndex,
}

#[derive(Clone, Debug)]
pub(crate) struct TopicState {
    pub name: String,
    pub partitions: Vec<PartitionState>,
    pub retention_ms: Option<u64>,
    pub segment_ms: u64,
}

impl TopicState {
    pub(crate) fn new(cfg: &KafkaTopic, ti: usize, cluster: &KafkaCluster) -> TopicState {
        // check_config (scenario::kafka_check) ruled out 0 partitions and
        // unordered preloads before the world was built.
        let mut partitions = Vec::new();
        for p in 0..cfg.partitions {
            let replicas: Vec<u32> = (0..cluster.replication_factor)
                .map(|i| (p + ti as u32 + i) % cluster.brokers)
                .collect();
            let mut records = PartitionLog::default();
            if let Some(offsets) = cfg.preload.get(&p) {
                for &o in offsets {
                    records.push(
                        o,
                        Record {
                            msg: o,
                            append_ms: 0,
                            from: None,
                            acked: true,
                        },
                    );
                }
            }
            let log_start = records.iter().next().map_or(0, |(o, _)| o);
            let leo = records.iter().next_back().map_or(0, |(o, _)| o + 1);
            partitions.push(PartitionState {
                records,
                log_start,
                leo,
                leader: Some(replicas[0]),
                leader_epoch: 0,
                isr: replicas.iter().copied().collect(),
                replica_leo: replicas[1..].iter().map(|&b| (b, leo)).collect(),
                replicas,
                hw: leo,
                segments: if leo > log_start {
                    vec![(log_start, 0)]
                } else {
                    Vec::new()
                },
                waiting_acks: BTreeMap::new(),
                by_producer: ProducerIndex::default(),
            });
        }
        TopicState {
            name: cfg.name.clone(),
            partitions,
            retention_ms: cfg.retention_ms,
            segment_ms: cfg.segment_ms,
        }
    }
}

impl PartitionState {
    /// High watermark from the leader's and the ISR followers' log ends.
    fn compute_hw(&self) -> u64 {
        let mut hw = self.leo;
        for b in &self.isr {
            if Some(*b) != self.leader {
                hw = hw.min(self.replica_leo.get(b).copied().unwrap_or(0));
            }
        }
        hw.max(self.hw.min(self.leo))
    }

    /// Records a consumer may read from `from`, below the high watermark.
    pub(crate) fn readable(&self, from: u64, max: usize) -> Vec<(u64, MsgId)> {
        if self.leader.is_none() {
            return Vec::new();
        }
        self.records
            .range(from, self.hw)
            .take(max)
            .map(|(o, r)| (o, r.msg))
            .collect()
    }
}

impl KafkaWorld {
    pub(crate) fn lag_ms(&self) -> u64 {
        Self::lag_ms_of(&self.cluster)
    }

    fn lag_ms_of(cluster: &KafkaCluster) -> u64 {
        match cluster.follower_lag {
            FollowerLag::Constant(ms) => ms,
        }
    }

    /// Appends at the leader; returns the offset. Replication to followers
    /// is scheduled here.
    pub(crate) fn append(
        &mut self,
        ti: usize,
        p: u32,
        msg: MsgId,
        from: Option<ProducerKey>,
        t: u64,
    ) -> u64 {
        let lag = self.lag_ms();
        let segment_ms = self.topics[ti].segment_ms;
        let part = &mut self.topics[ti].partitions[p as usize];
        let offset = part.leo;
        part.roll_if_due(offset, t, segment_ms);
        part.records.push(
            offset,
            Record {
                msg,
                append_ms: t,
                from,
                acked: false,
            },
        );
        if let Some(k) = from {
            part.by_producer.insert(k, offset);
        }
        part.leo += 1;
        let epoch = part.leader_epoch;
        if part.replicas.len() > 1 {
            self.queue.push(
                t.saturating_add(lag),
                Ev::Replicate {
                    t: ti,
                    p,
                    epoch,
                    upto: offset + 1,
                },
            );
        }
        offset
    }

    /// Recomputes the high watermark; on progress acknowledges waiting
    /// acks=all sends and wakes the consumers that own the partition.
    pub(crate) fn advance_hw(&mut self, ti: usize, p: u32, t: u64, out: &mut Out) {
        let part = &mut self.topics[ti].partitions[p as usize];
        let hw = part.compute_hw();
        if hw == part.hw {
            return;
        }
        part.hw = hw;
        let isr_ok = part.isr.len() as u32 >= self.cluster.min_insync_replicas;
        // Oldest first, one at a time (acknowledging touches nothing here).
        loop {
            let waiting = &mut self.topics[ti].partitions[p as usize].waiting_acks;
            let Some(first) = waiting.first_entry().filter(|e| *e.key() < hw) else {
                break;
            };
            let (offset, (pi, msg)) = first.remove_entry();
            if isr_ok {
                self.ack_send(pi, ti, p, offset, msg, t, out);
            } else {
                self.send_failed(pi, msg, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", t, out);
            }
        }
        self.wake_owners(ti, p, t);
    }

    pub(crate) fn on_replicate(
        &mut self,
        ti: usize,
        p: u32,
        epoch: u64,
        upto: u64,
        t: u64,
        out: &mut Out,
    ) {
        let part = &mut self.topics[ti].partitions[p as usize];
        if part.leader_epoch != epoch || part.leader.is_none() {
            return;
        }
        for b in part.replicas.clone() {
            if Some(b) != part.leader && self.brokers_alive[b as usize] {
                let leo = part.replica_leo.entry(b).or_insert(0);
                *leo = (*leo).max(upto.min(part.leo));
            }
        }
        self.advance_hw(ti, p, t, out);
    }
}
