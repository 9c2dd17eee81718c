//! The `kafka` section of a scenario: configuration of the Kafka model,
//! shaped as the `KafkaCluster`, `KafkaTopic`, `KafkaProducer` and
//! `KafkaGroup` actors of a scenario file. It lives here, beside the schema
//! that embeds it, so the scenario layer needs nothing from the simulator;
//! The Kafka model re-exports it as its `config` module. Its rules are in
//! `kafka_check.rs`.
//!
//! ```text
//!   KafkaConfig
//!     ├─ cluster:   KafkaCluster { brokers, replication_factor, min_insync_replicas,
//!     │                            follower_lag, unclean_leader_election, … }
//!     ├─ topics:    [KafkaTopic { name, partitions, preload: {p: [offsets]} }]
//!     ├─ producers: [KafkaProducer { name, topic, schedule, acks, idempotent, … }]
//!     └─ groups:    [KafkaGroup { topic, group_id, session_timeout_ms, …,
//!                                 consumers: [KafkaConsumer { name, commit, … }] }]
//! ```
//!
//! Every struct rejects unknown fields so that a typo in a RON file is an
//! error, not a silently ignored setting. Omitted fields take Kafka's own
//! defaults (ConsumerConfig / ProducerConfig of the 3.x clients), except
//! where a scenario needs a simpler world (one broker, no follower lag).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn one() -> u32 {
    1
}
fn u32_max() -> u32 {
    u32::MAX
}
fn yes() -> bool {
    true
}
fn ms_100() -> u64 {
    100
}
fn ms_3000() -> u64 {
    3_000
}
fn ms_9000() -> u64 {
    9_000
}
fn ms_30000() -> u64 {
    30_000
}
fn ms_45000() -> u64 {
    45_000
}
fn ms_120000() -> u64 {
    120_000
}
fn ms_300000() -> u64 {
    300_000
}
fn records_500() -> u32 {
    500
}

/// Everything one Kafka world is built from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    #[serde(default)]
    pub cluster: KafkaCluster,
    #[serde(default)]
    pub topics: Vec<KafkaTopic>,
    #[serde(default)]
    pub producers: Vec<KafkaProducer>,
    #[serde(default)]
    pub groups: Vec<KafkaGroup>,
    /// Only `Processing::Uniform` draws numbers; each consumer derives its
    /// own stream from this seed and its name.
    #[serde(default)]
    pub seed: u64,
}

/// How far a follower's copy of the log trails the leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum FollowerLag {
    /// A record appended at `t` is on every live follower at `t + ms`.
    Constant(u64),
}

impl Default for FollowerLag {
    fn default() -> Self {
        FollowerLag::Constant(0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaCluster {
    #[serde(default = "one")]
    pub brokers: u32,
    #[serde(default = "one")]
    pub replication_factor: u32,
    /// Kafka's default is 1, which lets `acks=all` degrade to `acks=1`.
    #[serde(default = "one")]
    pub min_insync_replicas: u32,
    #[serde(default)]
    pub follower_lag: FollowerLag,
    #[serde(default)]
    pub unclean_leader_election: bool,
    /// A crashed follower leaves the ISR this long after its crash, if
    /// the controller has not fenced it sooner (`replica.lag.time.max.ms`,
    /// broker config doc: default 30 000).
    #[serde(default = "ms_30000")]
    pub replica_lag_time_max_ms: u64,
    /// How long the KRaft controller waits for a broker's heartbeat before
    /// it fences the broker, removes it from every ISR and elects new
    /// leaders for what it led (`broker.session.timeout.ms`, KIP-631,
    /// default 9 000). Until then nobody knows the broker is gone.
    #[serde(default = "ms_9000")]
    pub broker_session_timeout_ms: u64,
    /// How often each broker deletes log segments past their retention
    /// (`log.retention.check.interval.ms`, broker config doc: default 300 000).
    #[serde(default = "ms_300000")]
    pub retention_check_interval_ms: u64,
    /// Time from the fencing to the new leader taking over.
    #[serde(default)]
    pub leader_election_ms: u64,
    /// How long the coordinator holds the first rebalance of an empty group
    /// so that more members can join it (`group.initial.rebalance.delay.ms`,
    /// broker config doc: default 3 000; each new joiner restarts the delay,
    /// up to the rebalance timeout).
    #[serde(default = "ms_3000")]
    pub group_initial_rebalance_delay_ms: u64,
}

impl Default for KafkaCluster {
    fn default() -> Self {
        KafkaCluster {
            brokers: 1,
            replication_factor: 1,
            min_insync_replicas: 1,
            follower_lag: FollowerLag::default(),
            unclean_leader_election: false,
            replica_lag_time_max_ms: 30_000,
            broker_session_timeout_ms: 9_000,
            retention_check_interval_ms: 300_000,
            leader_election_ms: 0,
            group_initial_rebalance_delay_ms: 3_000,
        }
    }
}

/// A topic; `preload` lists offsets already in each partition at t=0.
/// A preloaded record's message id is its offset.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaTopic {
    pub name: String,
    pub partitions: u32,
    #[serde(default)]
    pub preload: BTreeMap<u32, Vec<u64>>,
    /// `retention.ms`: a closed segment whose newest record is older than
    /// this is deleted and the log start moves past it. `None` stands for
    /// the default of 7 days (604 800 000), longer than any run, and is
    /// never checked.
    #[serde(default)]
    pub retention_ms: Option<u64>,
    /// `segment.ms`: the active segment rolls at the first append more than
    /// this after its first record (default 7 days). Retention deletes
    /// whole segments only.
    #[serde(default = "ms_7_days")]
    pub segment_ms: u64,
}

fn ms_7_days() -> u64 {
    604_800_000
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Acks {
    Zero,
    One,
    All,
}

/// When a producer sends. Message ids count up from `first_msg_id`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub enum KafkaSchedule {
    /// Sends at `offset_ms + k·interval_ms`, k = 0, 1, … while below `count`
    /// sends and not after `until_ms`.
    Every {
        interval_ms: u64,
        #[serde(default)]
        offset_ms: u64,
        #[serde(default)]
        count: Option<u64>,
        #[serde(default)]
        until_ms: Option<u64>,
    },
    /// Sends at exactly these times.
    At(Vec<u64>),
    /// Sends only through `KafkaWorld::produce` (e.g. a bridge).
    Manual,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaProducer {
    pub name: String,
    pub topic: String,
    pub schedule: KafkaSchedule,
    #[serde(default = "default_acks")]
    pub acks: Acks,
    #[serde(default = "yes")]
    pub idempotent: bool,
    /// Resends after a failed attempt; then the message is dropped.
    #[serde(default = "u32_max")]
    pub retries: u32,
    #[serde(default = "ms_100")]
    pub retry_backoff_ms: u64,
    /// A message not acknowledged this long after its first send is
    /// dropped (`delivery.timeout.ms`).
    #[serde(default = "ms_120000")]
    pub delivery_timeout_ms: u64,
    #[serde(default)]
    pub first_msg_id: u64,
    /// `None`: round robin over the partitions, starting at 0.
    #[serde(default)]
    pub partition: Option<u32>,
}

/// The assumed JoinGroup/SyncGroup sync phase: two request round trips of
/// a few ms each plus one append replicated to the offsets topic's
/// replicas (`offsets.topic.replication.factor` 3), 20 ms on a LAN.
pub const DEFAULT_REBALANCE_MS: u64 = 20;

fn default_rebalance_ms() -> u64 {
    DEFAULT_REBALANCE_MS
}

fn default_acks() -> Acks {
    Acks::All
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum OffsetReset {
    Earliest,
    Latest,
}

fn default_reset() -> OffsetReset {
    OffsetReset::Latest
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaGroup {
    pub topic: String,
    /// Cross-check against the topic's partition count; 0 (the default)
    /// skips it. A plain number so that `partitions: 1` reads as in §4.
    #[serde(default)]
    pub partitions: u32,
    pub group_id: String,
    #[serde(default = "ms_45000")]
    pub session_timeout_ms: u64,
    #[serde(default = "ms_3000")]
    pub heartbeat_interval_ms: u64,
    #[serde(default = "ms_300000")]
    pub max_poll_interval_ms: u64,
    /// The sync phase of a rebalance, from the last member's JoinGroup to
    /// the assignment: the JoinGroup responses, the leader's assignment and
    /// SyncGroup round trip, and the coordinator writing the assignment to
    /// `__consumer_offsets` before it answers SyncGroup (GroupCoordinator
    /// doSyncGroup → GroupMetadataManager.storeGroup, replicated as
    /// `offsets.commit.required.acks=-1`). Kafka has no setting for it; the
    /// default assumes [`DEFAULT_REBALANCE_MS`] on a LAN. Learning of the
    /// rebalance (the next heartbeat) and rejoining (the next poll) are
    /// modelled apart and come before it.
    #[serde(default = "default_rebalance_ms")]
    pub rebalance_ms: u64,
    #[serde(default = "default_reset")]
    pub auto_offset_reset: OffsetReset,
    #[serde(default)]
    pub initial_committed: BTreeMap<u32, u64>,
    pub consumers: Vec<KafkaConsumer>,
}

/// Time one record keeps the consumer busy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Processing {
    Fixed(u64),
    /// Uniform in `[a, b]`, from the consumer's seeded stream.
    Uniform(u64, u64),
}

/// Auto-commit in a synchronous loop, or with records handed to a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Handoff {
    Sync,
    Async,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub enum CommitPolicy {
    /// `enable.auto.commit=true`: inside `poll()`, once `interval_ms` has
    /// passed, commit the positions of everything earlier polls returned.
    /// `first_due_ms` places the first expiry (default: join + interval).
    AutoCommit {
        interval_ms: u64,
        handoff: Handoff,
        #[serde(default)]
        first_due_ms: Option<u64>,
    },
    /// `commitSync()` once the whole batch is processed (at-least-once).
    AfterBatch,
    /// `commitSync()` right after `poll()`, then process (at-most-once).
    BeforeProcessing,
    /// `commitSync(offset + 1)` after each record.
    PerRecord,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConsumer {
    pub name: String,
    #[serde(default = "records_500")]
    pub max_poll_records: u32,
    /// Poll cadence of the `Handoff::Async` loop; the synchronous loop
    /// polls again as soon as its batch is done or data arrives.
    #[serde(default = "ms_100")]
    pub poll_interval_ms: u64,
    pub processing: Processing,
    #[serde(default)]
    pub static_member: bool,
    pub commit: CommitPolicy,
    #[serde(default)]
    pub start_at_ms: u64,
    /// Offsets (on any partition it reads) whose processing always fails.
    #[serde(default)]
    pub poison: Vec<u64>,
    /// What the consumer does when processing a record fails.
    #[serde(default)]
    pub on_failure: OnFailure,
}

/// Kafka keeps no per-record ack or delivery count, so a failed record is
/// the application's problem (S03c): it can only seek back to it, skip it,
/// or hand it to another topic and move on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum OnFailure {
    /// `seek()` back to the failed record and poll again: every later
    /// record of the partition waits behind it, for ever if it always fails.
    #[default]
    SeekBack,
    /// Log it and go on; once the offset is committed past it, it is gone.
    Skip,
    /// Publish it to this topic (a retry or dead-letter topic) and go on.
    DeadLetter(String),
}
