//! Actor declarations in a scenario file.
//!
//! ```text
//!   Producer ── XADD (+ MAXLEN/MINID, + WAIT) on a schedule
//!   Consumer ── XREADGROUP > (or history first) ─▶ process ─▶ XACK per policy
//!   Claimer  ── every interval: XAUTOCLAIM (cursor) | XPENDING + XCLAIM ─▶ process / hand / DLQ
//!   Trimmer  ── every interval: XTRIM MAXLEN | MINID <now - age>
//!   Admin    ── scripted commands at given times
//!   Bridge   ── XREADGROUP ─▶ Kafka produce ─▶ XACK
//! ```

use serde::{Deserialize, Serialize};

/// One client of the simulated system.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub enum ActorSpec {
    /// Appends entries.
    Producer(ProducerSpec),
    /// Reads with a consumer group and processes entries.
    Consumer(ConsumerSpec),
    /// Recovers pending entries of others.
    Claimer(ClaimerSpec),
    /// Trims a stream periodically.
    Trimmer(TrimmerSpec),
    /// Runs scripted commands.
    Admin(AdminSpec),
    /// Copies a stream to a Kafka topic.
    Bridge(BridgeSpec),
}

impl ActorSpec {
    /// The actor's unique name.
    pub fn name(&self) -> &str {
        match self {
            ActorSpec::Producer(s) => &s.name,
            ActorSpec::Consumer(s) => &s.name,
            ActorSpec::Claimer(s) => &s.name,
            ActorSpec::Trimmer(s) => &s.name,
            ActorSpec::Admin(s) => &s.name,
            ActorSpec::Bridge(s) => &s.name,
        }
    }
}

/// When a producer sends.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Every {
    /// Gap between sends; 0 sends back to back at the same ms.
    pub interval_ms: u64,
    /// Time of the first send.
    #[serde(default)]
    pub offset_ms: u64,
    /// Stop after this many sends.
    #[serde(default)]
    pub count: Option<u64>,
    /// Stop sending after this time.
    #[serde(default)]
    pub until_ms: Option<u64>,
}

/// How the stream is capped.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub enum Trim {
    /// No trimming.
    #[default]
    Nothing,
    /// `MAXLEN [~] n [LIMIT l]`.
    MaxLen {
        /// Target length.
        n: u64,
        /// `~`.
        #[serde(default)]
        approx: bool,
        /// `LIMIT`.
        #[serde(default)]
        limit: Option<u64>,
    },
    /// `MINID [~] <now - age_ms>`.
    MinIdAge {
        /// Entries older than this go.
        age_ms: u64,
        /// `~`.
        #[serde(default)]
        approx: bool,
    },
}

/// How IDs are chosen.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub enum IdMode {
    /// `*`.
    #[default]
    Auto,
    /// `from-0`, `from+1-0`, ...
    Sequence(u64),
}

/// `WAIT numreplicas timeout` after each XADD.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WaitSpec {
    /// Replicas to wait for.
    pub replicas: u64,
    /// Timeout.
    pub timeout_ms: u64,
}

/// A producer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// Actor name.
    pub name: String,
    /// Target stream.
    pub stream: String,
    /// Send times.
    pub schedule: Every,
    /// Extra payload fields besides `m`.
    #[serde(default)]
    pub extra_fields: u32,
    /// Bytes per extra field value.
    #[serde(default = "one")]
    pub value_bytes: u32,
    /// ID choice.
    #[serde(default)]
    pub id: IdMode,
    /// Trimming option on every XADD.
    #[serde(default)]
    pub trim: Trim,
    /// Wait for replicas after each XADD.
    #[serde(default)]
    pub wait: Option<WaitSpec>,
    /// Retry a failed XADD after this many ms (`None` drops it).
    #[serde(default)]
    pub retry_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

/// Time spent per entry.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub enum Processing {
    /// Always this many ms.
    Fixed(u64),
    /// Uniform in `[a, b]` ms, drawn from the actor's stream.
    Uniform(u64, u64),
}

impl Default for Processing {
    fn default() -> Self {
        Processing::Fixed(0)
    }
}

/// When a consumer acknowledges.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub enum AckPolicy {
    /// XACK after each entry.
    #[default]
    PerEntry,
    /// One XACK for the whole batch after its last entry.
    PerBatch,
    /// Never.
    Never,
    /// Every n-th processed entry is not acknowledged (a bug).
    SkipEvery(u64),
    /// XACK this many ms after processing ends, while the next entry starts.
    Delayed(u64),
}

/// A consumer in a group.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSpec {
    /// Actor name.
    pub name: String,
    /// Stream key.
    pub stream: String,
    /// Group name.
    pub group: String,
    /// Consumer name inside the group (defaults to the actor name).
    #[serde(default)]
    pub consumer_name: Option<String>,
    /// `COUNT`.
    #[serde(default = "one_u64")]
    pub count: u64,
    /// `BLOCK` ms (0 = forever); `None` polls every `poll_ms`.
    #[serde(default)]
    pub block_ms: Option<u64>,
    /// Poll gap when not blocking and nothing came back.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// `NOACK`.
    #[serde(default)]
    pub noack: bool,
    /// Time per entry.
    #[serde(default)]
    pub processing: Processing,
    /// Ack policy.
    #[serde(default)]
    pub ack: AckPolicy,
    /// Read its own pending entries (`XREADGROUP ... 0`) before `>`.
    #[serde(default)]
    pub read_history_on_start: bool,
    /// First read time.
    #[serde(default)]
    pub start_at_ms: u64,
    /// Stream IDs whose processing always fails (no ack).
    #[serde(default)]
    pub poison: Vec<String>,
    /// Stop reading `>` after this many reads (history reads not counted).
    #[serde(default)]
    pub max_reads: Option<u64>,
    /// Retry a failed XACK every this many ms.
    #[serde(default)]
    pub ack_retry_ms: Option<u64>,
}

fn one_u64() -> u64 {
    1
}

fn default_poll_ms() -> u64 {
    100
}

/// How a claimer finds work.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub enum ClaimMode {
    /// `XAUTOCLAIM key group me min_idle cursor COUNT c [JUSTID]`.
    XAutoClaim {
        /// `min-idle-time`.
        min_idle_ms: u64,
        /// `COUNT`.
        #[serde(default = "default_claim_count")]
        count: u64,
        /// `JUSTID` (then the body is fetched with XRANGE).
        #[serde(default)]
        justid: bool,
        /// Keep calling within a tick until the cursor is `0-0`.
        #[serde(default = "yes")]
        follow_cursor: bool,
    },
    /// `XPENDING key group IDLE min - + count`, then `XCLAIM` per entry.
    XPendingXClaim {
        /// Idle threshold.
        min_idle_ms: u64,
        /// `count`.
        #[serde(default = "default_claim_count")]
        count: u64,
    },
}

fn default_claim_count() -> u64 {
    100
}

fn yes() -> bool {
    true
}

/// What a claimer does with what it claimed.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub enum ClaimThen {
    /// Process it itself, then XACK.
    Process(Processing),
    /// Queue it on a Consumer actor (claim with that consumer's name).
    HandTo(String),
    /// Copy to a DLQ stream and XACK once deliveries reach `max_deliveries`;
    /// process (with `processing`) below that.
    DeadLetter {
        /// Threshold on the delivery counter.
        max_deliveries: u64,
        /// DLQ stream key.
        dlq_stream: String,
        /// Work per entry below the threshold.
        #[serde(default)]
        processing: Processing,
    },
}

/// A claiming sidecar.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimerSpec {
    /// Actor name.
    pub name: String,
    /// Stream key.
    pub stream: String,
    /// Group name.
    pub group: String,
    /// Name it claims as (defaults to the actor name).
    #[serde(default)]
    pub consumer_name: Option<String>,
    /// Gap between ticks.
    pub interval_ms: u64,
    /// First tick (defaults to `interval_ms`).
    #[serde(default)]
    pub first_at_ms: Option<u64>,
    /// How it finds work.
    pub mode: ClaimMode,
    /// What it does with it.
    pub then: ClaimThen,
    /// Poison IDs: processing them always fails.
    #[serde(default)]
    pub poison: Vec<String>,
}

/// A periodic trimmer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrimmerSpec {
    /// Actor name.
    pub name: String,
    /// Stream key.
    pub stream: String,
    /// Gap between XTRIMs.
    pub interval_ms: u64,
    /// First XTRIM (defaults to `interval_ms`).
    #[serde(default)]
    pub first_at_ms: Option<u64>,
    /// MAXLEN or MINID.
    pub strategy: Trim,
}

/// Scripted commands.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSpec {
    /// Actor name.
    pub name: String,
    /// `(at_ms, "XGROUP SETID s g 5-0")`; arguments split on spaces, `"..."` quotes.
    pub commands: Vec<(u64, String)>,
}

/// A Redis-to-Kafka bridge.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeSpec {
    /// Actor name.
    pub name: String,
    /// Source stream.
    pub stream: String,
    /// Group.
    pub group: String,
    /// Consumer name (stable across restarts unless a fault renames it).
    #[serde(default)]
    pub consumer_name: Option<String>,
    /// `COUNT` per read.
    pub batch: u64,
    /// Gap between reads.
    pub poll_ms: u64,
    /// Destination topic.
    pub topic: String,
    /// Read own pending entries first after a restart.
    #[serde(default = "yes")]
    pub read_history_on_start: bool,
}
