//! Read-only questions for assertions, probes and the GUI.
//!
//! ```text
//!   kafka.<group>.committed.<p>   committed(group, p)
//!   kafka.<group>.owner.<p>       owner(group, p), owner_at(group, p, t)
//!   kafka.<group>.lag.<p>         lag_entries(group, p)   = hw − committed
//!   kafka.<group>.lag.max         max_lag(group)          peak of hw − position at fetches
//!   kafka.<group>.lag.committed_max                       peak of hw − committed
//!   kafka.<group>.unconsumed.<p>  unconsumed_entries      hw − owner's position
//!   kafka.<topic>.duplicates      topic_duplicates(topic) extra copies of a message id
//! ```
//!
//! Two lags, because they answer different questions: `lag_entries` is
//! what `kafka-consumer-groups.sh` prints (everything after the committed
//! offset, including records a consumer holds but has not committed);
//! `unconsumed_entries` counts what no consumer has fetched yet, the
//! backlog a dead owner leaves behind. Peaks: `max_lag` is sampled at each
//! fetch like the consumer's `records-lag-max`; `max_committed_lag` over
//! settled states, after every event of a millisecond has run.

use super::{KafkaError, KafkaWorld, err};
use crate::sim::ledger::{Ledger, MsgId};
use crate::sim::shared_log::SharedLog;

/// One offset commit the group accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// When it was accepted.
    pub t_ms: u64,
    /// The partition.
    pub partition: u32,
    /// The committed offset: the next record the group resumes from.
    pub offset: u64,
    /// The consumer that committed.
    pub consumer: String,
}

/// The value of a dotted `kafka.…` metric.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetricValue {
    Int(u64),
    Text(String),
    /// Defined but empty: no committed offset, no owner.
    Nothing,
}

impl KafkaWorld {
    fn group_index(&self, group: &str) -> Result<usize, KafkaError> {
        match self.groups.iter().position(|g| g.cfg.group_id == group) {
            Some(i) => Ok(i),
            None => err(format!("kafka: unknown group '{group}'")),
        }
    }

    fn partition_of(&self, ti: usize, p: u32) -> Result<&super::topic::PartitionState, KafkaError> {
        match self.topics[ti].partitions.get(p as usize) {
            Some(part) => Ok(part),
            None => err(format!(
                "kafka: topic '{}' has no partition {p}",
                self.topics[ti].name
            )),
        }
    }

    pub fn group_ids(&self) -> Vec<&str> {
        self.groups
            .iter()
            .map(|g| g.cfg.group_id.as_str())
            .collect()
    }

    pub fn topic_names(&self) -> Vec<&str> {
        self.topics.iter().map(|t| t.name.as_str()).collect()
    }

    /// Partitions of `topic`.
    pub fn partition_count(&self, topic: &str) -> Result<u32, KafkaError> {
        Ok(self.topics[self.topic_index(topic)?].partitions.len() as u32)
    }

    /// Whether the consumer process is running (not crashed, closed or unstarted).
    pub fn consumer_alive(&self, consumer: &str) -> Result<bool, KafkaError> {
        match self.consumers.iter().find(|c| c.cfg.name == consumer) {
            Some(c) => Ok(c.alive),
            None => err(format!("kafka: unknown consumer '{consumer}'")),
        }
    }

    pub fn committed(&self, group: &str, p: u32) -> Result<Option<u64>, KafkaError> {
        let g = self.group_index(group)?;
        self.partition_of(self.groups[g].topic, p)?;
        Ok(self.groups[g].committed.get(&p).copied())
    }

    /// Every accepted commit, oldest first.
    pub fn commit_history(&self, group: &str) -> Result<&[Commit], KafkaError> {
        Ok(&self.groups[self.group_index(group)?].commits)
    }

    /// The consumer that owns `p` now (also while it is dead but not yet
    /// detected); `None` during a rebalance.
    pub fn owner(&self, group: &str, p: u32) -> Result<Option<String>, KafkaError> {
        let g = self.group_index(group)?;
        self.partition_of(self.groups[g].topic, p)?;
        let gs = &self.groups[g];
        Ok(gs
            .owners
            .get(&p)
            .and_then(|m| gs.members.get(m))
            .map(|m| self.consumers[m.consumer].cfg.name.clone()))
    }

    /// The owner of `p` after all events at or before `t_ms` (history).
    pub fn owner_at(&self, group: &str, p: u32, t_ms: u64) -> Result<Option<String>, KafkaError> {
        let g = self.group_index(group)?;
        self.partition_of(self.groups[g].topic, p)?;
        let history = &self.groups[g].owner_history;
        let last = history.iter().rfind(|h| h.1 == p && h.0 <= t_ms);
        Ok(last.and_then(|h| h.2.clone()))
    }

    pub fn log_end_offset(&self, topic: &str, p: u32) -> Result<u64, KafkaError> {
        Ok(self.partition_of(self.topic_index(topic)?, p)?.leo)
    }

    pub fn high_watermark(&self, topic: &str, p: u32) -> Result<u64, KafkaError> {
        Ok(self.partition_of(self.topic_index(topic)?, p)?.hw)
    }

    pub fn leader(&self, topic: &str, p: u32) -> Result<Option<u32>, KafkaError> {
        Ok(self.partition_of(self.topic_index(topic)?, p)?.leader)
    }

    pub fn isr(&self, topic: &str, p: u32) -> Result<Vec<u32>, KafkaError> {
        Ok(self
            .partition_of(self.topic_index(topic)?, p)?
            .isr
            .iter()
            .copied()
            .collect())
    }

    /// Message ids in partition order, as a reader from the start would see them.
    pub fn log(&self, topic: &str, p: u32) -> Result<Vec<(u64, MsgId)>, KafkaError> {
        let part = self.partition_of(self.topic_index(topic)?, p)?;
        Ok(part.records.iter().map(|(o, r)| (o, r.msg)).collect())
    }

    /// A consumer's position (next offset its poll returns) on `p`.
    pub fn position(&self, consumer: &str, p: u32) -> Result<Option<u64>, KafkaError> {
        match self.consumers.iter().find(|c| c.cfg.name == consumer) {
            Some(c) => Ok(c.positions.get(&p).copied()),
            None => err(format!("kafka: unknown consumer '{consumer}'")),
        }
    }

    /// High watermark − committed offset (0 with nothing committed yet).
    pub fn lag_entries(&self, group: &str, p: u32) -> Result<u64, KafkaError> {
        let g = self.group_index(group)?;
        let hw = self.partition_of(self.groups[g].topic, p)?.hw;
        Ok(self.groups[g]
            .committed
            .get(&p)
            .map_or(0, |c| hw.saturating_sub(*c)))
    }

    /// High watermark − position of the owner (committed offset if none).
    pub fn unconsumed_entries(&self, group: &str, p: u32) -> Result<u64, KafkaError> {
        let g = self.group_index(group)?;
        self.partition_of(self.groups[g].topic, p)?;
        Ok(self.unconsumed(g, p))
    }

    fn unconsumed(&self, g: usize, p: u32) -> u64 {
        let gs = &self.groups[g];
        let part = &self.topics[gs.topic].partitions[p as usize];
        let owner_pos = gs
            .owners
            .get(&p)
            .and_then(|m| gs.members.get(m))
            .and_then(|m| self.consumers[m.consumer].positions.get(&p).copied());
        let from = owner_pos
            .or_else(|| gs.committed.get(&p).copied())
            .unwrap_or(part.log_start);
        part.hw.saturating_sub(from)
    }

    /// Peak of high watermark − position right after a fetch, over all
    /// fetches of the group's consumers, and when: Kafka's consumer metric
    /// `records-lag-max`. A stalled partition shows its backlog at the
    /// first fetch after the stall.
    pub fn max_lag(&self, group: &str) -> Result<(u64, u64), KafkaError> {
        Ok(self.groups[self.group_index(group)?].max_lag)
    }

    /// Peak over the run of `lag_entries` (any partition) and when.
    pub fn max_committed_lag(&self, group: &str) -> Result<(u64, u64), KafkaError> {
        Ok(self.groups[self.group_index(group)?].max_committed_lag)
    }

    pub(crate) fn sample_lag(&mut self, t: u64) {
        for g in 0..self.groups.len() {
            let parts = self.topics[self.groups[g].topic].partitions.len() as u32;
            for p in 0..parts {
                let hw = self.topics[self.groups[g].topic].partitions[p as usize].hw;
                let committed_lag = self.groups[g]
                    .committed
                    .get(&p)
                    .map_or(0, |c| hw.saturating_sub(*c));
                let gs = &mut self.groups[g];
                if committed_lag > gs.max_committed_lag.0 {
                    gs.max_committed_lag = (committed_lag, t);
                }
            }
        }
    }

    /// Σ over message ids of (copies in the topic's logs − 1).
    pub fn topic_duplicates(&self, topic: &str) -> Result<u64, KafkaError> {
        let ti = self.topic_index(topic)?;
        // Records beyond the first copy of each message: a sort and a
        // count of distinct values (a map of counts per message cost a
        // tree insertion per record of a long log).
        let mut msgs: Vec<MsgId> = self.topics[ti]
            .partitions
            .iter()
            .flat_map(|part| part.records.iter().map(|(_, r)| r.msg))
            .collect();
        msgs.sort_unstable();
        let total = msgs.len() as u64;
        msgs.dedup();
        Ok(total - msgs.len() as u64)
    }

    /// (acknowledged, given up) sends of a producer.
    pub fn producer_counts(&self, name: &str) -> Result<(u64, u64), KafkaError> {
        match self.producers.iter().find(|p| p.cfg.name == name) {
            Some(p) => Ok((p.acked, p.failed)),
            None => err(format!("kafka: unknown producer '{name}'")),
        }
    }

    /// Every (message, ack time) a producer received, in order.
    pub fn acked_messages(&self, name: &str) -> Result<&SharedLog<(MsgId, u64)>, KafkaError> {
        match self.producers.iter().find(|p| p.cfg.name == name) {
            Some(p) => Ok(&p.acked_log),
            None => err(format!("kafka: unknown producer '{name}'")),
        }
    }

    /// Messages a group can still get: in the log at or after the offset it
    /// would resume from, or held by a live consumer. Any group counts. A
    /// topic no group reads keeps every record for a group yet to come.
    /// Ascending, each once.
    pub fn still_deliverable(&self) -> Vec<MsgId> {
        let mut set = Vec::new();
        for (ti, topic) in self.topics.iter().enumerate() {
            if self.groups.iter().all(|g| g.topic != ti) {
                for part in &topic.partitions {
                    set.extend(part.records.iter().map(|(_, r)| r.msg));
                }
            }
        }
        for (g, gs) in self.groups.iter().enumerate() {
            let ti = gs.topic;
            for (p, part) in self.topics[ti].partitions.iter().enumerate() {
                // A committed offset the log no longer holds resumes at the
                // auto.offset.reset point (retention.rs).
                let committed = self.start_offset(g, p as u32);
                let from = if committed < part.log_start {
                    self.reset_point(g, p as u32)
                } else {
                    committed
                };
                set.extend(part.records.range(from, u64::MAX).map(|(_, r)| r.msg));
            }
        }
        for c in self.consumers.iter().filter(|c| c.alive) {
            set.extend(c.queue.iter().map(|f| f.msg));
            set.extend(c.current.iter().map(|f| f.msg));
        }
        crate::sim::ledger::sorted_messages(set)
    }

    /// End of run: tell the ledger which messages are out of reach.
    pub fn finalize_ledger(&self, ledger: &mut Ledger) {
        ledger.set_still_deliverable(&self.still_deliverable(), self.now_ms);
    }

    /// Looks up the part after `kafka.`: `<group>.committed.<p>`,
    /// `<group>.owner.<p>`, `<group>.lag.<p>`, `<group>.lag.max`,
    /// `<group>.lag.committed_max`, `<group>.unconsumed.<p>`,
    /// `<topic>.duplicates`.
    pub fn metric(&self, path: &str) -> Result<MetricValue, KafkaError> {
        let parts: Vec<&str> = path.split('.').collect();
        let part_no = |s: &str| -> Result<u32, KafkaError> {
            s.parse()
                .map_err(|_| KafkaError(format!("kafka.{path}: '{s}' is not a partition")))
        };
        let opt = |v: Option<u64>| v.map_or(MetricValue::Nothing, MetricValue::Int);
        match parts.as_slice() {
            [topic, "duplicates"] => Ok(MetricValue::Int(self.topic_duplicates(topic)?)),
            [group, "committed", p] => Ok(opt(self.committed(group, part_no(p)?)?)),
            [group, "owner", p] => Ok(self
                .owner(group, part_no(p)?)?
                .map_or(MetricValue::Nothing, MetricValue::Text)),
            [group, "lag", "max"] => Ok(MetricValue::Int(self.max_lag(group)?.0)),
            [group, "lag", "committed_max"] => {
                Ok(MetricValue::Int(self.max_committed_lag(group)?.0))
            }
            [group, "unconsumed", p] => Ok(MetricValue::Int(
                self.unconsumed_entries(group, part_no(p)?)?,
            )),
            [group, "lag", p] => Ok(MetricValue::Int(self.lag_entries(group, part_no(p)?)?)),
            _ => err(format!("kafka: unknown metric '{path}'")),
        }
    }
}
