//! The scenario file format: plain data, every field named, nothing unknown accepted.
//!
//! ```text
//!   Scenario
//!   ├─ meta      id, title, learning_goal, seed (required), duration_ms, start_unix_ms
//!   ├─ redis     config (CONFIG SET pairs), persistence, replicas, sentinel, topology
//!   ├─ streams   keys with preloaded entries and consumer groups
//!   ├─ actors    Producer | Consumer | Claimer | Trimmer | Admin | Bridge | Kafka*
//!   ├─ faults    when (At / OnEvent) + kind (crash, restart, hang, power loss...)
//!   ├─ probes    read-only commands recorded at given times
//!   ├─ expect    metric op value, at a time or at the end, with the reason
//!   ├─ captions  narrative lines shown in the transcript at given times
//!   └─ actions   faults and console commands after given steps (explorer forks)
//! ```
//!
//! Everything is `deny_unknown_fields`: a typo in a scenario is an error
//! with a position, never a silently ignored setting.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One scenario file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Identity, seed and duration.
    pub meta: Meta,
    /// The Redis side: configuration, persistence, replication.
    #[serde(default)]
    pub redis: RedisSetup,
    /// Streams and groups that exist before any actor runs.
    #[serde(default)]
    pub streams: Vec<StreamSetup>,
    /// The clients, in declaration order (the tie-break order).
    #[serde(default)]
    pub actors: Vec<ActorSpec>,
    /// Injected failures.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Read-only commands recorded into the trace.
    #[serde(default)]
    pub probes: Vec<ProbeSpec>,
    /// What the run must show.
    #[serde(default)]
    pub expect: Vec<Expectation>,
    /// Narrative lines for the transcript.
    #[serde(default)]
    pub captions: Vec<CaptionSpec>,
    /// The Kafka side (topics, producers, consumer groups), run beside Redis.
    #[serde(default)]
    pub kafka: Option<super::kafka::KafkaConfig>,
    /// Actions taken after given steps (a fork saved from the explorer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionSpec>,
}

/// Identity and global parameters of a run.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short identifier, e.g. `S01` or `S01b`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What the reader should learn.
    pub learning_goal: String,
    /// The root seed; required so that every run is reproducible.
    pub seed: u64,
    /// Virtual time at which the run stops.
    pub duration_ms: u64,
    /// Unix ms of virtual time 0 (stream IDs and idle times use it).
    #[serde(default = "default_start_unix_ms")]
    pub start_unix_ms: u64,
    /// Longer notes: where a number comes from, why it differs from a source.
    #[serde(default)]
    pub notes: Vec<String>,
}

fn default_start_unix_ms() -> u64 {
    1_700_000_000_000
}

/// The Redis deployment.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSetup {
    /// `CONFIG SET` pairs applied at t=0, in key order.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// AOF / RDB settings that decide what a restart recovers.
    #[serde(default)]
    pub persistence: Persistence,
    /// Replicas of the primary.
    #[serde(default)]
    pub replicas: Vec<ReplicaSpec>,
    /// Automatic failover.
    #[serde(default)]
    pub sentinel: Option<SentinelSpec>,
    /// `min-replicas-to-write` / `min-replicas-max-lag` (seconds).
    #[serde(default)]
    pub min_replicas: Option<MinReplicas>,
    /// Standalone or cluster.
    #[serde(default)]
    pub topology: Topology,
    /// `repl-backlog-size` in bytes: how much of its replication stream the
    /// primary keeps so that a replica cut off for a while can continue
    /// from its offset (partial resync) instead of copying everything.
    #[serde(default = "default_repl_backlog_bytes")]
    pub repl_backlog_bytes: u64,
    /// How long a full resync keeps a replica without newer data (the RDB
    /// made, sent and loaded). Unset: the dataset's size at
    /// [`FULL_SYNC_BYTES_PER_MS`], with no `repl-diskless-sync-delay`.
    #[serde(default)]
    pub full_sync_ms: Option<u64>,
}

impl Default for RedisSetup {
    fn default() -> Self {
        RedisSetup {
            config: BTreeMap::new(),
            persistence: Persistence::default(),
            replicas: Vec::new(),
            sentinel: None,
            min_replicas: None,
            topology: Topology::default(),
            repl_backlog_bytes: default_repl_backlog_bytes(),
            full_sync_ms: None,
        }
    }
}

/// Redis's default `repl-backlog-size` (1mb, config.c).
pub fn default_repl_backlog_bytes() -> u64 {
    1024 * 1024
}

/// The bandwidth a full resync is assumed to move its RDB at when the
/// scenario sets no `full_sync_ms`: 125 000 bytes per ms, a 1 Gbit/s link
/// used whole (the dataset's size is what MEMORY USAGE reports).
pub const FULL_SYNC_BYTES_PER_MS: u64 = 125_000;

/// Redis's smallest `repl-backlog-size` (CONFIG_REPL_BACKLOG_MIN_SIZE, server.h).
pub const MIN_REPL_BACKLOG_BYTES: u64 = 16 * 1024;

/// What survives a restart.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Persistence {
    /// AOF on or off.
    #[serde(default)]
    pub appendonly: bool,
    /// When the AOF reaches the disk.
    #[serde(default)]
    pub appendfsync: Fsync,
    /// How often the OS flushes dirty pages under `appendfsync no`.
    #[serde(default = "default_os_flush_ms")]
    pub os_flush_interval_ms: u64,
    /// RDB save points `(seconds, changes)`; empty disables RDB.
    #[serde(default = "default_save_points")]
    pub save: Vec<(u64, u64)>,
}

fn default_os_flush_ms() -> u64 {
    30_000
}

fn default_save_points() -> Vec<(u64, u64)> {
    vec![(3600, 1), (300, 100), (60, 10_000)]
}

impl Default for Persistence {
    fn default() -> Self {
        Persistence {
            appendonly: false,
            appendfsync: Fsync::EverySec,
            os_flush_interval_ms: default_os_flush_ms(),
            save: default_save_points(),
        }
    }
}

/// `appendfsync`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum Fsync {
    /// fsync before every reply.
    Always,
    /// fsync once per second.
    #[default]
    EverySec,
    /// leave it to the OS.
    No,
}

/// One replica of the primary.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaSpec {
    /// Node name (`r1`).
    pub name: String,
    /// How far behind the primary its applied position is.
    pub lag: Lag,
    /// How often a random lag is drawn again.
    #[serde(default = "default_resample_ms")]
    pub resample_ms: u64,
    /// How often it reports its offset (`REPLCONF ACK`).
    #[serde(default = "default_resample_ms")]
    pub ack_period_ms: u64,
    /// `replica-priority`: Sentinel promotes the lowest non-zero value
    /// first; 0 means never promote this replica.
    #[serde(default = "default_replica_priority")]
    pub priority: u64,
    /// Its own `appendonly` / `save` settings (unset: the primary's). A
    /// restarted replica loads its own AOF or RDB file, never the primary's.
    #[serde(default)]
    pub persistence: Option<Persistence>,
}

/// Redis's default `replica-priority` (100).
fn default_replica_priority() -> u64 {
    100
}

fn default_resample_ms() -> u64 {
    1000
}

/// Replication lag model.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
pub enum Lag {
    /// Every write applied exactly this many ms later.
    Constant(u64),
    /// Lag drawn uniformly in `[min, max]` every `resample_ms`.
    Uniform(u64, u64),
}

/// Sentinel-style failover.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SentinelSpec {
    /// `down-after-milliseconds`: how long the primary must stay
    /// unreachable before it is declared down; back sooner, nothing happens.
    pub down_after_ms: u64,
    /// From "objectively down" to the promoted replica taking writes: the
    /// start desync (up to 1 s), the leader election, REPLICAOF NO ONE and
    /// the INFO poll that sees the new role. Once started it is not undone.
    pub failover_ms: u64,
    /// `parallel-syncs`: how many of the other replicas Sentinel points at
    /// the new primary at once (sentinel.c SENTINEL_DEFAULT_PARALLEL_SYNCS,
    /// 1); the next one waits until Sentinel's INFO shows one synced.
    #[serde(default = "default_parallel_syncs")]
    pub parallel_syncs: u64,
}

fn default_parallel_syncs() -> u64 {
    1
}

/// `min-replicas-to-write` and `min-replicas-max-lag`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MinReplicas {
    /// Replicas that must be fresh.
    pub to_write: u64,
    /// Largest ack age, in whole seconds.
    pub max_lag_s: u64,
}

/// Deployment shape.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub enum Topology {
    /// One primary (plus replicas).
    #[default]
    Standalone,
    /// Slot ranges per master: `[("A", [(0, 5460)]), ...]`.
    Cluster(Vec<(String, Vec<(u16, u16)>)>),
}

/// A stream that exists at t=0.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSetup {
    /// The key.
    pub key: String,
    /// Entries added before the run.
    #[serde(default)]
    pub preload: Preload,
    /// Groups created after the preload.
    #[serde(default)]
    pub groups: Vec<GroupSetup>,
}

/// Preloaded entries; each carries a message number in field `m`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub enum Preload {
    /// Nothing (the stream is created by the first group with MKSTREAM).
    #[default]
    Nothing,
    /// `n` entries with IDs `from-0`, `from+1-0`, ...
    Count {
        /// How many.
        n: u64,
        /// The ms part of the first ID.
        from: u64,
    },
    /// These exact IDs.
    Ids(Vec<String>),
}

/// `XGROUP CREATE key name start MKSTREAM`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSetup {
    /// Group name.
    pub name: String,
    /// `0`, `$` or an ID.
    #[serde(default = "default_group_start")]
    pub start: String,
}

fn default_group_start() -> String {
    "0".to_string()
}

pub use super::actors::*;
pub use super::checks::*;
