//! The Kafka side at one step: each group's partitions with their log,
//! committed offset, owner and the consumers' positions.
//!
//! ```text
//!   orders-p0  log [0 1 2 … 509 510 … 999]   leo 1000  hw 1000
//!                       ▲ committed 510   ▲ KB's position 520   owner KB
//! ```
//!
//! One committed offset per partition is all Kafka remembers of a group's
//! progress: everything from it on is read again after a takeover. That is
//! the contrast the explorer draws against the PEL.

use crate::sim::Simulation;
use crate::sim::kafka::KafkaWorld;

/// Records drawn around the committed offset at most.
pub const MAX_LOG_RECORDS: usize = 48;

/// One partition of a group's topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionView {
    pub partition: u32,
    /// First offset still in the log (0 unless retention moved it).
    pub log_start: u64,
    pub log_end: u64,
    pub high_watermark: u64,
    /// The group's committed offset (the next record it would read).
    pub committed: Option<u64>,
    /// The consumer that owns the partition; `None` during a rebalance.
    pub owner: Option<String>,
    pub leader: Option<u32>,
    pub isr: Vec<u32>,
    /// (offset, message number) of the records drawn.
    pub records: Vec<(u64, u64)>,
}

/// One consumer of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaConsumerView {
    pub name: String,
    pub alive: bool,
    /// (partition, next offset its poll returns).
    pub positions: Vec<(u32, u64)>,
}

/// One consumer group and its topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaGroupView {
    pub group_id: String,
    pub topic: String,
    pub partitions: Vec<PartitionView>,
    pub consumers: Vec<KafkaConsumerView>,
    /// Commits accepted so far.
    pub commits: usize,
}

/// The Kafka side of the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaView {
    pub groups: Vec<KafkaGroupView>,
    /// Topics no group reads (a bridge's target, say): name and partitions.
    pub topics: Vec<(String, Vec<PartitionView>)>,
}

impl KafkaView {
    /// The Kafka side of `sim`, if the scenario has one.
    pub fn of(sim: &Simulation) -> Option<KafkaView> {
        let world = sim.ctx.kafka.as_ref()?;
        let cfg = sim.scenario.kafka.as_ref()?;
        let groups: Vec<KafkaGroupView> = cfg
            .groups
            .iter()
            .map(|g| {
                let partitions = partitions(world, &g.topic, Some(&g.group_id));
                let consumers = g
                    .consumers
                    .iter()
                    .map(|c| KafkaConsumerView {
                        alive: world.consumer_alive(&c.name).unwrap_or(false),
                        positions: partitions
                            .iter()
                            .filter_map(|p| {
                                let pos = world.position(&c.name, p.partition).ok().flatten()?;
                                Some((p.partition, pos))
                            })
                            .collect(),
                        name: c.name.clone(),
                    })
                    .collect();
                KafkaGroupView {
                    commits: world.commit_history(&g.group_id).map_or(0, |h| h.len()),
                    group_id: g.group_id.clone(),
                    topic: g.topic.clone(),
                    partitions,
                    consumers,
                }
            })
            .collect();
        let topics = world
            .topic_names()
            .into_iter()
            .filter(|t| !cfg.groups.iter().any(|g| g.topic == *t))
            .map(|t| (t.to_string(), partitions(world, t, None)))
            .collect();
        Some(KafkaView { groups, topics })
    }
}

fn partitions(world: &KafkaWorld, topic: &str, group: Option<&str>) -> Vec<PartitionView> {
    let count = world.partition_count(topic).unwrap_or(0);
    (0..count)
        .map(|p| {
            let committed = group.and_then(|g| world.committed(g, p).ok().flatten());
            let log = world.log(topic, p).unwrap_or_default();
            // Draw the records around where the group stands.
            let anchor = committed.unwrap_or(0) as usize;
            let first = log.partition_point(|(o, _)| (*o as usize) < anchor.saturating_sub(8));
            let first = first.min(log.len().saturating_sub(MAX_LOG_RECORDS));
            PartitionView {
                partition: p,
                log_start: log.first().map_or(0, |(o, _)| *o),
                log_end: world.log_end_offset(topic, p).unwrap_or(0),
                high_watermark: world.high_watermark(topic, p).unwrap_or(0),
                committed,
                owner: group.and_then(|g| world.owner(g, p).ok().flatten()),
                leader: world.leader(topic, p).ok().flatten(),
                isr: world.isr(topic, p).unwrap_or_default(),
                records: log
                    .iter()
                    .skip(first)
                    .take(MAX_LOG_RECORDS)
                    .map(|(o, m)| (*o, *m))
                    .collect(),
            }
        })
        .collect()
}
