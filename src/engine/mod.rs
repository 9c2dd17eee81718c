//! The stream engine: Redis 7.0.15's stream type, byte for byte.
//!
//! ```text
//!   Db ── keyspace: BTreeMap<key, Value>
//!    │
//!    └─ Value::Stream ─┬─ rax: Rax<Node>          16-byte big-endian master ID ─▶ macro node
//!                      │      │
//!                      │      └─ Node = one listpack:
//!                      │           [master entry: count deleted nfields f1..fn 0]
//!                      │           [entry: flags ms-delta seq-delta v1..vn lp-count] ...
//!                      │
//!                      ├─ length, last_id, first_id, max_deleted_id, entries_added
//!                      │
//!                      └─ groups: BTreeMap<name, Group>
//!                              ├─ last_delivered_id, entries_read
//!                              ├─ pel: ID ─▶ PendingEntry { delivery_ms, delivery_count, owner }
//!                              └─ consumers: BTreeMap<name, Consumer>
//!                                      └─ pel: the IDs of the group PEL it owns
//! ```
//!
//! The one entry point is [`Db::execute`]: a command as a client sends it
//! (an argv of byte strings), the time it runs at (`now_ms`), and the
//! calling client's [`Session`]. It returns the reply, the commands Redis
//! would propagate to the AOF and replicas, and whether the client should
//! block. Nothing here reads a clock, draws a random number, sleeps or
//! spawns a thread: time is an argument, as `commandTimeSnapshot` is in
//! Redis, so the simulator and the server drive the same code.

pub mod active_expire;
pub mod chunked;
pub mod cmd;
pub mod db;
pub mod dict;
pub mod expire;
pub mod glob;
pub mod group;
pub mod hash;
pub mod hits;
pub mod id;
pub mod intset;
pub mod invariants;
pub mod jemalloc;
pub mod keyspace;
pub mod lag;
pub mod latency;
pub mod listpack;
pub mod lru;
pub mod memory;
pub mod node;
pub mod node_dump;
pub mod pel;
pub mod quicklist;
pub mod rax;
pub mod rdb;
pub mod reply;
pub mod session;
pub mod set;
pub mod split_args;
pub mod stats;
pub mod stream;

pub use db::Db;
pub use id::StreamId;
pub use reply::Reply;
pub use session::Session;

/// A command line as a client sends it: the command name, then its arguments.
pub type Argv = Vec<Vec<u8>>;

/// What the caller tells the engine about the moment a command runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecContext {
    /// The command's logical time in Unix milliseconds (`XADD *`, idle times).
    pub now_ms: u64,
    /// Bytes the process has allocated, for `INFO memory` (`used_memory`).
    pub used_memory_bytes: u64,
    /// Clients connected, for `INFO clients`.
    pub connected_clients: u64,
    /// Clients blocked in XREAD/XREADGROUP, for `INFO clients`.
    pub blocked_clients: u64,
    /// Of those, the ones with a timeout (`clients_in_timeout_table`).
    pub blocked_clients_with_timeout: u64,
    /// Who reads [`Executed::effects`], so how much of them to build.
    pub effects: Effects,
}

/// How much of a command's effects the caller reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Effects {
    /// Every effect in full: a replica or an AOF replays them.
    #[default]
    Build,
    /// Only how many there are (the simulator's replication offset counts
    /// effects even when no replica and no AOF exists to replay them):
    /// each effect is an empty argv, which costs no allocation, and the
    /// MULTI/EXEC around several is counted too. Building the real ones
    /// (an XCLAIM of fourteen arguments per delivered entry, a copy of
    /// every XADD) was a tenth of a long simulation for nobody.
    Count,
    /// None at all: for a caller with no replica and no AOF (the server),
    /// as Redis skips propagation then.
    Skip,
}

impl ExecContext {
    /// A context that only carries the time.
    pub fn at(now_ms: u64) -> ExecContext {
        ExecContext {
            now_ms,
            ..ExecContext::default()
        }
    }
}

/// The result of one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    /// What the client receives.
    pub reply: Reply,
    /// Commands Redis would write to the AOF and send to replicas, in order,
    /// with every nondeterministic part made explicit (`*` IDs resolved,
    /// XREADGROUP deliveries as `XCLAIM ... FORCE JUSTID LASTID`); more
    /// than one from a single call come wrapped in MULTI/EXEC. Replay them
    /// on a session with `from_master` set. Under [`Effects::Count`] the
    /// commands' own effects are empty argvs (only their number is real),
    /// and under [`Effects::Skip`] there are none.
    pub effects: Vec<Argv>,
    /// Set when the command asks to block (XREAD/XREADGROUP with BLOCK and
    /// nothing to return). The caller keeps the client waiting; `reply` then
    /// holds what a timeout answers. Boxed: it is rare, and every command
    /// moves an `Executed` around.
    pub block: Option<Box<BlockRequest>>,
    /// Stream keys that received new entries (or were otherwise signalled):
    /// clients blocked on them should retry. XADD leaves it empty when the
    /// context has [`Effects::Skip`] and reports no blocked client.
    pub signaled_keys: Vec<Vec<u8>>,
    /// What this call adds to Redis's `server.dirty`, the change counter
    /// that RDB save points compare with their threshold (INFO persistence
    /// `rdb_changes_since_last_save`). It is not the number of effects: an
    /// XREADGROUP counts once per served key however many entries it
    /// delivers, an XACK once per acknowledged ID (t_stream.c).
    pub dirty: u64,
}

impl Executed {
    /// A reply with no side effects.
    pub fn reply(reply: Reply) -> Executed {
        Executed {
            reply,
            effects: Vec::new(),
            block: None,
            signaled_keys: Vec::new(),
            dirty: 0,
        }
    }
}

/// A read that would block: which keys to watch, for how long, and the
/// command to run again (non-blocking) when one of them is signalled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRequest {
    /// Keys whose writes may serve this read.
    pub keys: Vec<Vec<u8>>,
    /// The timeout in milliseconds; 0 blocks forever.
    pub timeout_ms: u64,
    /// The same read without BLOCK and with `$` resolved to explicit IDs.
    /// Running it returns entries, or a null array while there are none.
    pub retry_argv: Argv,
}
