//! The keyspace, the configuration, command dispatch and INFO's counters.
//!
//! ```text
//!   execute(argv)
//!     ├─ look the command up ──── unknown ─▶ ERR unknown command ...
//!     ├─ check arity ──────────── wrong ───▶ ERR wrong number of arguments for 'xadd' command
//!     ├─ inside MULTI? ────────── queue ───▶ QUEUED   (EXEC runs the queue)
//!     └─ run:
//!          the keys it looks up ── past their TTL: deleted (expire.rs)
//!                               └─ else: stamped with the LRU clock
//!          the handler (cmd/*.rs) ─────────▶ reply + effects + block request
//!                 └─ Stats: calls / failed / rejected, errorstat_* (stats.rs)
//! ```
//!
//! The order of these checks is Redis's `processCommand`, so a bad command
//! inside MULTI flags the transaction exactly as Redis does.

use super::cmd::{self, CommandSpec};
use super::hash::{Hash, HashLimits};
use super::keyspace::Keyspace;
use super::quicklist::{self, Quicklist};
use super::set::{self, Set};
use super::stats::{HostFacts, Stats};
use super::stream::{NodeLimits, Stream};
use super::{ExecContext, Executed, Reply, Session};

/// A value stored under a key.
#[derive(Clone, Debug)]
pub enum Value {
    /// A stream.
    Stream(Stream),
    /// A plain string.
    String(Vec<u8>),
    /// A list (always a quicklist in 7.0).
    List(Quicklist),
    /// A hash.
    Hash(Hash),
    /// A set.
    Set(Set),
}

impl Value {
    /// The name `TYPE` reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Stream(_) => "stream",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
        }
    }

    /// The name `OBJECT ENCODING` reports. Strings follow Redis's rule:
    /// `int` for a canonical 64-bit decimal, `embstr` up to 44 bytes.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Stream(_) => "stream",
            Value::String(v) if v.len() <= 20 && super::id::string2ll(v).is_some() => "int",
            Value::String(v) if v.len() <= 44 => "embstr",
            Value::String(_) => "raw",
            Value::List(_) => "quicklist",
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
        }
    }
}

/// Server settings the engine honours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `stream-node-max-entries` and `stream-node-max-bytes`.
    pub node_limits: NodeLimits,
    /// `list-max-listpack-size` (fill of new lists).
    pub list_fill: i32,
    /// `hash-max-listpack-entries` and `hash-max-listpack-value`.
    pub hash_limits: HashLimits,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// Whether the caller should run the active expire cycle (Redis's
    /// `active_expire_enabled`, turned off by DEBUG SET-ACTIVE-EXPIRE 0 so
    /// that only lookups expire keys, as tests comparing servers want).
    pub active_expire: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            node_limits: NodeLimits::default(),
            list_fill: quicklist::DEFAULT_FILL,
            hash_limits: HashLimits::default(),
            set_max_intset_entries: set::DEFAULT_MAX_INTSET_ENTRIES,
            active_expire: true,
        }
    }
}

/// The whole dataset of one server.
#[derive(Clone, Debug, Default)]
pub struct Db {
    /// Keys in byte order, with their expiries and access stamps.
    pub keys: Keyspace,
    /// Current configuration.
    pub config: Config,
    /// INFO's counters (commandstats, errorstats, rates).
    pub stats: Stats,
    /// What the caller knows about the process (INFO server, stats).
    pub host: HostFacts,
}

/// Error text for a value of the wrong type.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

impl Db {
    /// An empty keyspace with Redis's default configuration.
    pub fn new() -> Db {
        Db::default()
    }

    /// The stream at `key`: `Ok(None)` when missing, `Err` (WRONGTYPE) when
    /// the key holds something else.
    pub fn stream(&self, key: &[u8]) -> Result<Option<&Stream>, Reply> {
        match self.keys.get(key) {
            None => Ok(None),
            Some(Value::Stream(s)) => Ok(Some(s)),
            Some(_) => Err(Reply::err(WRONGTYPE)),
        }
    }

    /// Mutable access to the stream at `key`, as [`Db::stream`].
    pub fn stream_mut(&mut self, key: &[u8]) -> Result<Option<&mut Stream>, Reply> {
        match self.keys.get_mut(key) {
            None => Ok(None),
            Some(Value::Stream(s)) => Ok(Some(s)),
            Some(_) => Err(Reply::err(WRONGTYPE)),
        }
    }

    /// Runs one command for the client owning `session`, counting it in
    /// INFO's statistics as Redis's `call` and `rejectCommand` do. A
    /// blocked client being served again is not counted: Redis serves it
    /// outside `call`, having counted the call when it blocked.
    pub fn execute(
        &mut self,
        session: &mut Session,
        argv: &[Vec<u8>],
        ctx: &ExecContext,
    ) -> Executed {
        let counted = !session.serving_blocked;
        self.stats.begin_call();
        if counted {
            self.stats
                .sample(ctx.now_ms, ctx.used_memory_bytes, &self.host);
        }
        let Some(name) = argv.first() else {
            return Executed::reply(Reply::err("ERR empty command"));
        };
        let spec = match cmd::lookup(argv) {
            Ok(spec) => spec,
            Err(reply) => {
                session.multi_dirty |= session.multi.is_some();
                if counted {
                    self.stats.reject(cmd::stat_slot(argv), &reply);
                }
                return Executed::reply(reply);
            }
        };
        let is = |word: &str| name.eq_ignore_ascii_case(word.as_bytes());
        if let Some(queue) = session.multi.as_mut() {
            if !(is("exec") || is("discard") || is("multi") || is("quit") || is("reset")) {
                queue.push(argv.to_vec());
                return Executed::reply(Reply::Status("QUEUED".into()));
            }
        }
        let done = if is("multi") {
            if session.multi.is_some() {
                Executed::reply(Reply::err("ERR MULTI calls can not be nested"))
            } else {
                session.multi = Some(Vec::new());
                session.multi_dirty = false;
                Executed::reply(Reply::ok())
            }
        } else if is("discard") {
            match session.multi.take() {
                None => Executed::reply(Reply::err("ERR DISCARD without MULTI")),
                Some(_) => {
                    session.multi_dirty = false;
                    Executed::reply(Reply::ok())
                }
            }
        } else if is("exec") {
            wrap_effects(self.exec(session, ctx, counted), true)
        } else {
            // SCAN may expire any number of keys: Redis propagates their
            // DELs bare (CMD_TOUCHES_ARBITRARY_KEYS), as the active cycle does.
            let wrap = spec.fullname != "scan";
            wrap_effects(self.run(&spec, argv, ctx, false, session), wrap)
        };
        if counted {
            self.stats.call(spec.slot, &done.reply);
            self.stats.end_call(spec.slot);
        }
        self.stats.changes += done.dirty;
        done
    }

    /// Runs a read-only command (XLEN, XRANGE, XREVRANGE, XPENDING, XINFO,
    /// EXISTS, TYPE, GET, DBSIZE, PING, ECHO) on a shared dataset: what
    /// a viewer or a metric uses to look without changing anything. Its
    /// reply is what [`Db::execute`] would give outside MULTI; any other
    /// command is refused.
    pub fn query(&self, argv: &[Vec<u8>], ctx: &ExecContext) -> Reply {
        let spec = match cmd::lookup(argv) {
            Ok(spec) => spec,
            Err(reply) => return reply,
        };
        let cmd::Handler::Read(handler) = spec.handler else {
            return Reply::err(format!(
                "ERR '{}' changes the dataset; query runs read-only commands",
                spec.fullname
            ));
        };
        // A key past its TTL reads as missing, but a shared dataset cannot
        // delete it: the command runs on a copy that has (rare: only when
        // one of its own keys has expired).
        let copy;
        let db = if super::expire::any_expired(self, &spec, argv, ctx.now_ms) {
            let mut expired = self.clone();
            let mut ignored = Executed::reply(Reply::Nil);
            super::expire::before_command(&mut expired, &spec, argv, ctx, false, &mut ignored);
            copy = expired;
            &copy
        } else {
            self
        };
        let mut out = Executed::reply(Reply::Nil);
        let call = cmd::Call {
            argv,
            ctx,
            in_exec: false,
            from_master: false,
            serving_blocked: false,
        };
        handler(db, &call, &mut out);
        out.reply
    }

    /// EXEC: runs the queued commands back to back; their effects are
    /// propagated together (see [`wrap_effects`]).
    fn exec(&mut self, session: &mut Session, ctx: &ExecContext, counted: bool) -> Executed {
        let Some(queue) = session.multi.take() else {
            return Executed::reply(Reply::err("ERR EXEC without MULTI"));
        };
        if std::mem::take(&mut session.multi_dirty) {
            return Executed::reply(Reply::err(
                "EXECABORT Transaction discarded because of previous errors.",
            ));
        }
        let mut replies = Vec::with_capacity(queue.len());
        let mut effects = Vec::new();
        let mut signaled = Vec::new();
        let mut dirty = 0;
        for argv in &queue {
            let done = match cmd::lookup(argv) {
                Ok(spec) => {
                    let done = self.run(&spec, argv, ctx, true, session);
                    if counted {
                        self.stats.call(spec.slot, &done.reply);
                        self.stats.exec_ran(spec.slot);
                    }
                    done
                }
                Err(reply) => Executed::reply(reply),
            };
            replies.push(done.reply);
            effects.extend(done.effects);
            signaled.extend(done.signaled_keys);
            dirty += done.dirty;
        }
        Executed {
            reply: Reply::Array(replies),
            effects,
            block: None,
            signaled_keys: signaled,
            dirty,
        }
    }

    fn run(
        &mut self,
        spec: &CommandSpec,
        argv: &[Vec<u8>],
        ctx: &ExecContext,
        in_exec: bool,
        session: &Session,
    ) -> Executed {
        let mut out = Executed::reply(Reply::Nil);
        super::expire::before_command(self, spec, argv, ctx, session.from_master, &mut out);
        let call = cmd::Call {
            argv,
            ctx,
            in_exec,
            from_master: session.from_master,
            serving_blocked: session.serving_blocked,
        };
        match spec.handler {
            cmd::Handler::Read(f) => f(self, &call, &mut out),
            cmd::Handler::Write(f) => f(self, &call, &mut out),
        }
        if spec.keys == cmd::Keys::Scan {
            let counted = !session.serving_blocked;
            let (now_ms, from_master) = (ctx.now_ms, session.from_master);
            super::expire::after_scan(self, argv, now_ms, from_master, counted, &mut out);
        }
        if !session.serving_blocked {
            let (hits, misses) = super::hits::count(self, argv, &out.reply);
            self.stats.keyspace_hits += hits;
            self.stats.keyspace_misses += misses;
        }
        // Inside EXEC nothing may block: a would-block read answers as a timeout.
        if in_exec {
            out.block = None;
        }
        if ctx.effects == super::Effects::Skip {
            out.effects.clear();
        }
        out
    }
}

/// Redis 7.0 propagates what one top-level call produced at once
/// (`propagatePendingCommands`): inside MULTI/EXEC when there is more than
/// one command, bare when there is one. So an XREADGROUP delivering two
/// entries propagates MULTI, two XCLAIMs, EXEC, and a transaction with a
/// single write propagates just that write (both seen in a 7.0.15 AOF).
fn wrap_effects(mut done: Executed, wrap: bool) -> Executed {
    if done.effects.len() > 1 && wrap {
        done.effects.insert(0, vec![b"MULTI".to_vec()]);
        done.effects.push(vec![b"EXEC".to_vec()]);
    }
    done
}
