//! Faults, probes, expectations and captions of a scenario file.
//!
//! ```text
//!   faults   (when: At(1350), kind: CrashActor("c1"))
//!   probes   (at_ms: 89999, command: "XPENDING orders g")
//!   expect   (at: At(90000), metric: "claim.reaper.claimed", op: Eq, value: 7, why: "...")
//!   captions (at_ms: 1000, text: "c1 and c2 each take a batch of ten")
//! ```

use serde::{Deserialize, Serialize};

/// A fault and its trigger.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Trigger.
    pub when: When,
    /// What breaks.
    pub kind: FaultKind,
}

/// When a fault fires.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub enum When {
    /// At this virtual time.
    At(u64),
    /// Right after Kafka acknowledged a bridge batch read at or after `read_at_ms`
    /// (before the bridge's XACK).
    AfterKafkaAck {
        /// Bridge actor name.
        actor: String,
        /// Earliest read time of the batch.
        read_at_ms: u64,
    },
    /// Half-way through the named actor's processing of this stream ID.
    MidProcessing {
        /// Actor name.
        actor: String,
        /// Stream ID being processed.
        id: String,
    },
}

/// Crash modes of a Redis process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum CrashMode {
    /// The process dies; the OS keeps its page cache.
    Process,
    /// The machine loses power: unsynced AOF writes are gone.
    PowerLoss,
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum FaultKind {
    /// Stop an actor now; in-flight work is abandoned.
    CrashActor(String),
    /// Start a crashed actor again, optionally under a new consumer name.
    RestartActor {
        /// Actor name.
        name: String,
        /// New consumer name (`None` keeps the old one).
        #[serde(default)]
        consumer_name: Option<String>,
        /// Read own pending entries first (`None`: as the actor's spec says).
        #[serde(default)]
        read_history: Option<bool>,
    },
    /// Freeze an actor for a while (it keeps its state).
    HangActor {
        /// Actor name.
        name: String,
        /// How long.
        for_ms: u64,
    },
    /// Kill the Redis primary.
    RedisCrash(CrashMode),
    /// Start the Redis primary again from what it persisted.
    RedisRestart,
    /// The primary's disk becomes slow: from now on a background fsync
    /// takes `fsync_ms` (0 restores a fast disk).
    SlowDisk {
        /// Duration of one fsync.
        fsync_ms: u64,
    },
    /// Stop the Redis primary cleanly (SHUTDOWN or SIGTERM): the AOF is
    /// flushed and fsynced and, with save points, an RDB image is saved.
    RedisShutdown,
    /// Cut the primary (and its clients) off from its replicas and sentinel.
    Partition {
        /// When the network heals.
        heal_at_ms: u64,
    },
    /// Promote the named replica now.
    Failover(String),
    /// The named replica's process dies (its page cache survives, as in a
    /// `RedisCrash(Process)`): it receives nothing until `ReplicaRestart`.
    ReplicaCrash(String),
    /// The named replica starts again from its own disk and reconnects.
    ReplicaRestart(String),
    /// A Kafka consumer closes cleanly (LeaveGroup, immediate rebalance).
    CloseKafkaConsumer(String),
    /// Kafka broker `n` stops.
    KafkaBrokerCrash(u32),
}

/// A read-only command recorded into the trace.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// After all events at this time.
    pub at_ms: u64,
    /// The command line.
    pub command: String,
}

/// When an expectation is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum At {
    /// After the last event.
    End,
    /// After all events with time ≤ this.
    At(u64),
}

/// Comparison of a metric with the expected value.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub enum Op {
    /// Equal.
    Eq,
    /// At most.
    AtMost,
    /// At least.
    AtLeast,
    /// Within `[lo, hi]`.
    Range(i64, i64),
}

/// An expected value: a number or a text.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A number.
    Int(i64),
    /// A text (IDs, names, `nil`).
    Text(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// One assertion.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// When.
    pub at: At,
    /// Dotted metric path (see scenarios/README.md).
    pub metric: String,
    /// Comparison.
    pub op: Op,
    /// Expected value (not needed for `Range`).
    #[serde(default)]
    pub value: Option<Value>,
    /// Why this number is right.
    #[serde(default)]
    pub why: String,
}

/// A narrative line.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaptionSpec {
    /// Shown before the first event after this time.
    pub at_ms: u64,
    /// The text.
    pub text: String,
}

/// Something done to the run right after a given step: what a fork made in
/// the explorer records, so that `streamlab run` replays the fork exactly.
///
/// ```text
///   actions: [
///     (after_step: 1200, action: Fault(CrashActor("c2"))),
///     (after_step: 1200, action: Command("XPENDING orders g")),
///   ]
/// ```
///
/// Steps count from the run's start; an action is itself one step, so the
/// second action above runs after step 1 201. The list is in step order.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// Steps done before the action runs.
    pub after_step: u64,
    /// What is done.
    pub action: Action,
}

/// What an action does.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub enum Action {
    /// A fault, exactly as in `faults` (a Kafka fault is handed to the
    /// Kafka model for the current millisecond).
    Fault(FaultKind),
    /// A command typed into the console, run as its own client.
    Command(String),
}
