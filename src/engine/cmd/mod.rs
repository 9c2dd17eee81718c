//! The command table and the helpers every command shares.
//!
//! ```text
//!   name ──▶ CommandSpec { fullname, arity, handler }
//!   "xgroup" + "create" ──▶ fullname "xgroup|create"   (container commands)
//!   arity  N > 0: exactly N arguments (the name included)
//!          N < 0: at least −N
//!   keys   which arguments it looks up as keys (expire.rs expires them
//!          and stamps their access time before the handler runs)
//! ```
//!
//! One file per command family, each exporting handlers with one of two
//! signatures: `fn(&Db, &Call, &mut Executed)` for commands that only read
//! (they can also run on a shared `&Db`, see `Db::query`) and
//! `fn(&mut Db, &Call, &mut Executed)` for the rest.

mod config;
pub mod docs;
mod dump;
mod expire;
mod hash;
mod info;
pub(crate) mod keys;
mod keyspace;
mod keyspec;
mod list;
mod object;
mod set;
mod string;
mod xadd;
mod xclaim;
mod xgroup;
mod xinfo;
mod xpending;
mod xrange;
mod xread;
mod xsetid;

pub use keyspec::{Keys, Touch};

use super::db::Db;
use super::id::{parse_strict, string2ll};
use super::stream::Stream;
use super::{Argv, Effects, ExecContext, Executed, Reply, StreamId};

/// The arguments of one command invocation.
pub struct Call<'a> {
    /// The command line.
    pub argv: &'a [Vec<u8>],
    /// Time and server figures.
    pub ctx: &'a ExecContext,
    /// Running inside EXEC (blocking is not allowed).
    pub in_exec: bool,
    /// Sent by a master or the AOF loader (see `Session::from_master`).
    pub from_master: bool,
    /// Serves a client blocked earlier (see `Session::serving_blocked`).
    pub serving_blocked: bool,
}

impl Call<'_> {
    /// Argument `i` (0 is the command name); empty if absent.
    pub fn arg(&self, i: usize) -> &[u8] {
        self.argv.get(i).map(Vec::as_slice).unwrap_or(b"")
    }

    /// Number of arguments including the name.
    pub fn argc(&self) -> usize {
        self.argv.len()
    }

    /// The time the command runs at.
    pub fn now_ms(&self) -> u64 {
        self.ctx.now_ms
    }

    /// Adds one effect to `out`; `build` runs only when the caller replays
    /// effects ([`Effects::Build`]), otherwise the effect is counted or left out.
    pub fn propagate(&self, out: &mut Executed, build: impl FnOnce() -> Argv) {
        match self.ctx.effects {
            Effects::Build => out.effects.push(build()),
            Effects::Count => out.effects.push(Argv::new()),
            Effects::Skip => {}
        }
    }
}

/// A command handler.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Changes nothing, so it can run on a shared dataset.
    Read(fn(&Db, &Call, &mut Executed)),
    /// May change the dataset.
    Write(fn(&mut Db, &Call, &mut Executed)),
}

/// One entry of the command table.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case full name (`xgroup|create`), as arity errors print it.
    pub fullname: &'static str,
    /// Redis arity.
    pub arity: i32,
    /// The implementation.
    pub handler: Handler,
    /// Where its INFO commandstats counters live (see [`slot_names`]); set
    /// by [`lookup`].
    pub slot: usize,
    /// The keys it looks up.
    pub keys: Keys,
    /// Who stamps the access time of the keys it looks up.
    pub touch: Touch,
}

impl CommandSpec {
    /// Looks up the argument at `at`.
    const fn key(self, at: u8) -> CommandSpec {
        self.keys(Keys::One(at))
    }

    const fn keys(self, keys: Keys) -> CommandSpec {
        CommandSpec { keys, ..self }
    }

    /// Its lookups leave the access time alone.
    const fn notouch(self) -> CommandSpec {
        CommandSpec {
            touch: Touch::No,
            ..self
        }
    }

    /// Its handler stamps the key at its own lookup.
    const fn stamps_itself(self) -> CommandSpec {
        CommandSpec {
            touch: Touch::Handler,
            ..self
        }
    }
}

const fn spec(
    fullname: &'static str,
    arity: i32,
    handler: fn(&mut Db, &Call, &mut Executed),
) -> CommandSpec {
    CommandSpec {
        fullname,
        arity,
        handler: Handler::Write(handler),
        slot: 0,
        keys: Keys::None,
        touch: Touch::Before,
    }
}

const fn read(
    fullname: &'static str,
    arity: i32,
    handler: fn(&Db, &Call, &mut Executed),
) -> CommandSpec {
    CommandSpec {
        fullname,
        arity,
        handler: Handler::Read(handler),
        slot: 0,
        keys: Keys::None,
        touch: Touch::Before,
    }
}

/// Plain commands.
const COMMANDS: &[CommandSpec] = &[
    spec("xadd", -5, xadd::xadd).key(1).stamps_itself(),
    spec("xtrim", -4, xadd::xtrim).key(1),
    read("xrange", -4, xrange::xrange).key(1),
    read("xrevrange", -4, xrange::xrevrange).key(1),
    read("xlen", 2, xrange::xlen).key(1),
    spec("xdel", -3, xrange::xdel).key(1),
    spec("xread", -4, xread::xread).keys(Keys::Streams),
    spec("xreadgroup", -7, xread::xread).keys(Keys::Streams),
    spec("xack", -4, xpending::xack).key(1),
    read("xpending", -3, xpending::xpending).key(1),
    spec("xclaim", -6, xclaim::xclaim).key(1),
    spec("xautoclaim", -6, xclaim::xautoclaim).key(1),
    spec("xsetid", -3, xsetid::xsetid).key(1),
    read("ping", -1, keyspace::ping),
    read("echo", 2, keyspace::echo),
    // delGenericCommand expires each key, then deletes it: no lookup, no touch.
    spec("del", -2, keyspace::del).keys(Keys::From(1)).notouch(),
    spec("unlink", -2, keyspace::del)
        .keys(Keys::From(1))
        .notouch(),
    read("exists", -2, keyspace::exists)
        .keys(Keys::From(1))
        .notouch(),
    read("type", 2, keyspace::type_).key(1).notouch(),
    spec("set", -3, string::set).key(1),
    read("get", 2, string::get).key(1),
    spec("getex", -2, string::getex).key(1),
    read("dbsize", 1, keyspace::dbsize),
    spec("flushall", -1, keyspace::flushall),
    spec("flushdb", -1, keyspace::flushall),
    spec("info", -1, info::info),
    spec("select", 2, keyspace::select),
    spec("multi", 1, keyspace::unreachable),
    spec("exec", 1, keyspace::unreachable),
    spec("discard", 1, keyspace::unreachable),
    spec("command", -1, keyspace::command),
    spec("debug", -2, keyspace::debug),
    read("dump", 2, dump::dump).key(1),
    spec("restore", -4, dump::restore).keys(Keys::Restore),
    spec("rename", 3, keys::rename).keys(Keys::Rename),
    spec("renamenx", 3, keys::renamenx).keys(Keys::Rename),
    read("keys", 2, keys::keys),
    read("scan", -2, keys::scan).keys(Keys::Scan),
    spec("expire", -3, expire::expire).key(1),
    spec("pexpire", -3, expire::pexpire).key(1),
    spec("expireat", -3, expire::expireat).key(1),
    spec("pexpireat", -3, expire::pexpireat).key(1),
    read("ttl", 2, expire::ttl).key(1).notouch(),
    read("pttl", 2, expire::pttl).key(1).notouch(),
    read("expiretime", 2, expire::expiretime).key(1).notouch(),
    read("pexpiretime", 2, expire::pexpiretime).key(1).notouch(),
    spec("persist", 2, expire::persist).key(1),
    read("touch", -2, expire::touch).keys(Keys::From(1)),
    spec("lpush", -3, list::lpush).key(1),
    spec("rpush", -3, list::rpush).key(1),
    spec("lpushx", -3, list::lpushx).key(1),
    spec("rpushx", -3, list::rpushx).key(1),
    spec("lpop", -2, list::lpop).key(1),
    spec("rpop", -2, list::rpop).key(1),
    read("llen", 2, list::llen).key(1),
    read("lrange", 4, list::lrange).key(1),
    read("lindex", 3, list::lindex).key(1),
    spec("lset", 4, list::lset).key(1),
    spec("lrem", 4, list::lrem).key(1),
    spec("ltrim", 4, list::ltrim).key(1),
    spec("linsert", 5, list::linsert).key(1),
    read("lpos", -3, list::lpos).key(1),
    spec("hset", -4, hash::hset).key(1),
    spec("hmset", -4, hash::hmset).key(1),
    read("hget", 3, hash::hget).key(1),
    read("hmget", -3, hash::hmget).key(1),
    spec("hdel", -3, hash::hdel).key(1),
    read("hlen", 2, hash::hlen).key(1),
    read("hgetall", 2, hash::hgetall).key(1),
    read("hexists", 3, hash::hexists).key(1),
    spec("hincrby", 4, hash::hincrby).key(1),
    read("hkeys", 2, hash::hkeys).key(1),
    read("hvals", 2, hash::hvals).key(1),
    spec("sadd", -3, set::sadd).key(1),
    spec("srem", -3, set::srem).key(1),
    read("smembers", 2, set::smembers).key(1),
    read("scard", 2, set::scard).key(1),
    read("sismember", 3, set::sismember).key(1),
];

/// Container commands and their subcommands.
const CONTAINERS: &[(&str, i32, &[CommandSpec])] = &[
    (
        "xgroup",
        -2,
        &[
            spec("xgroup|create", -5, xgroup::create).key(2),
            spec("xgroup|setid", -5, xgroup::setid).key(2),
            spec("xgroup|destroy", 4, xgroup::destroy).key(2),
            spec("xgroup|createconsumer", 5, xgroup::createconsumer).key(2),
            spec("xgroup|delconsumer", 5, xgroup::delconsumer).key(2),
            spec("xgroup|help", 2, xgroup::help),
        ],
    ),
    (
        "xinfo",
        -2,
        &[
            read("xinfo|stream", -3, xinfo::stream).key(2),
            read("xinfo|groups", 3, xinfo::groups).key(2),
            read("xinfo|consumers", 4, xinfo::consumers).key(2),
            read("xinfo|help", 2, xinfo::help),
        ],
    ),
    (
        "config",
        -2,
        &[
            spec("config|get", -3, config::config_get),
            spec("config|set", -4, config::config_set),
            spec("config|resetstat", 2, config::config_resetstat),
        ],
    ),
    (
        "object",
        -2,
        &[
            read("object|encoding", 3, object::encoding)
                .key(2)
                .notouch(),
            read("object|freq", 3, object::freq).key(2).notouch(),
            read("object|idletime", 3, object::idletime)
                .key(2)
                .notouch(),
            read("object|refcount", 3, object::refcount)
                .key(2)
                .notouch(),
            read("object|help", 2, object::help),
        ],
    ),
    (
        "memory",
        -2,
        &[spec("memory|usage", -3, keyspace::memory_usage)],
    ),
];

/// Finds the command for `argv` and checks its arity, with Redis's errors.
pub fn lookup(argv: &[Vec<u8>]) -> Result<CommandSpec, Reply> {
    match find(argv) {
        Found::Command(spec) => check_arity(spec, argv.len()),
        Found::UnknownSubcommand(base) => Err(Reply::err(clean(format!(
            "ERR unknown subcommand '{}'. Try {} HELP.",
            truncate(&argv[1], 128),
            base.to_ascii_uppercase()
        )))),
        Found::Unknown => {
            let mut args = String::new();
            for a in argv.iter().skip(1) {
                if args.len() >= 128 {
                    break;
                }
                let room = 128 - args.len();
                args.push_str(&format!("'{}' ", truncate(a, room)));
            }
            Err(Reply::err(clean(format!(
                "ERR unknown command '{}', with args beginning with: {}",
                truncate(argv.first().map(Vec::as_slice).unwrap_or(b""), 128),
                args
            ))))
        }
    }
}

/// The commandstats slot of the command `argv` names, whatever its arity:
/// a refused call is counted against it (`rejected_calls`).
pub fn stat_slot(argv: &[Vec<u8>]) -> Option<usize> {
    match find(argv) {
        Found::Command(spec) => Some(spec.slot),
        _ => None,
    }
}

/// What a command name resolves to (Redis's `lookupCommand`).
enum Found {
    Command(CommandSpec),
    UnknownSubcommand(&'static str),
    Unknown,
}

/// Slots: the plain commands in table order, then each container
/// followed by its subcommands.
fn find(argv: &[Vec<u8>]) -> Found {
    let name = argv.first().map(Vec::as_slice).unwrap_or(b"");
    if let Some(i) = COMMANDS
        .iter()
        .position(|c| c.fullname.as_bytes().eq_ignore_ascii_case(name))
    {
        return Found::Command(CommandSpec {
            slot: i,
            ..COMMANDS[i]
        });
    }
    let mut slot = COMMANDS.len();
    for (base, arity, subs) in CONTAINERS {
        if !base.as_bytes().eq_ignore_ascii_case(name) {
            slot += 1 + subs.len();
            continue;
        }
        if argv.len() < 2 {
            // The container alone: its own arity error, its own counters.
            return Found::Command(CommandSpec {
                slot,
                ..spec(base, *arity, keyspace::unreachable)
            });
        }
        let sub = argv[1].to_ascii_lowercase();
        return match subs
            .iter()
            .position(|c| c.fullname.as_bytes()[base.len() + 1..] == sub[..])
        {
            Some(i) => Found::Command(CommandSpec {
                slot: slot + 1 + i,
                ..subs[i]
            }),
            None => Found::UnknownSubcommand(base),
        };
    }
    Found::Unknown
}

/// Every command's full name in slot order (what `cmdstat_<name>` prints).
pub fn slot_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = COMMANDS.iter().map(|c| c.fullname).collect();
    for (base, _, subs) in CONTAINERS {
        names.push(base);
        names.extend(subs.iter().map(|c| c.fullname));
    }
    names
}

fn check_arity(spec: CommandSpec, argc: usize) -> Result<CommandSpec, Reply> {
    let argc = argc as i64;
    let arity = i64::from(spec.arity);
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(Reply::err(format!(
            "ERR wrong number of arguments for '{}' command",
            spec.fullname
        )));
    }
    Ok(spec)
}

/// `%.Ns` of a C string: at most `n` bytes, cut at a NUL.
fn truncate(bytes: &[u8], n: usize) -> String {
    let end = bytes
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(bytes.len())
        .min(n);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Error replies cannot contain newlines: Redis maps them to spaces.
fn clean(text: String) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Text of an argument for inclusion in an error message.
pub fn text(bytes: &[u8]) -> String {
    clean(truncate(bytes, usize::MAX))
}

/// `ERR Invalid stream ID specified as stream command argument`.
pub const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
/// `ERR syntax error`.
pub const SYNTAX: &str = "ERR syntax error";
/// `ERR value is not an integer or out of range`.
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";

/// Case-insensitive comparison with an ASCII keyword.
pub fn is(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}

/// `getLongLongFromObjectOrReply` with the default message.
pub fn parse_i64(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64_or(arg, NOT_INTEGER)
}

/// `getLongLongFromObjectOrReply` with a custom message.
pub fn parse_i64_or(arg: &[u8], message: &str) -> Result<i64, Reply> {
    string2ll(arg).ok_or_else(|| Reply::err(message))
}

/// A strict stream ID or the "Invalid stream ID" error.
pub fn strict_id(arg: &[u8], missing_seq: u64) -> Result<StreamId, Reply> {
    parse_strict(arg, missing_seq).ok_or_else(|| Reply::err(INVALID_ID))
}

/// An ID as a bulk reply.
pub fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// An entry as `[id, [field, value, ...]]`.
pub fn entry_reply(id: StreamId, fields: &[(Vec<u8>, Vec<u8>)]) -> Reply {
    let mut flat = Vec::with_capacity(fields.len() * 2);
    for (f, v) in fields {
        flat.push(Reply::Bulk(f.clone()));
        flat.push(Reply::Bulk(v.clone()));
    }
    Reply::Array(vec![id_reply(id), Reply::Array(flat)])
}

/// The live entries of `stream` in `[start, end]` (at most `count`, 0 =
/// all) as `[id, [field, value, ...]]` replies, each with its ID. Built
/// straight from the listpacks: copying the fields out first
/// ([`Stream::range`]) and into the reply after doubled the allocations
/// of every read.
pub fn entry_replies(
    stream: &Stream,
    start: StreamId,
    end: StreamId,
    count: u64,
    rev: bool,
) -> Vec<(StreamId, Reply)> {
    let mut out = Vec::new();
    stream.visit_range(start, end, rev, |node, e| {
        let mut flat = Vec::new();
        node.visit_fields(e, |f, v| {
            flat.push(Reply::Bulk(f.to_bytes()));
            flat.push(Reply::Bulk(v.to_bytes()));
        });
        out.push((e.id, Reply::Array(vec![id_reply(e.id), Reply::Array(flat)])));
        count == 0 || (out.len() as u64) < count
    });
    out
}

/// Builds an argv from string-like parts.
pub fn argv_of(parts: &[&[u8]]) -> Argv {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// Propagates the command exactly as received.
pub fn propagate_verbatim(call: &Call, out: &mut Executed) {
    call.propagate(out, || call.argv.to_vec());
}

/// Every top-level command name with its arity, for `COMMAND`.
pub fn command_names() -> Vec<(&'static str, i32)> {
    let mut names: Vec<(&'static str, i32)> =
        COMMANDS.iter().map(|c| (c.fullname, c.arity)).collect();
    names.extend(CONTAINERS.iter().map(|(n, a, _)| (*n, *a)));
    names
}

/// Every subcommand's full name (`xgroup|create`), in table order.
pub fn subcommand_names() -> Vec<&'static str> {
    CONTAINERS
        .iter()
        .flat_map(|(_, _, subs)| subs.iter().map(|c| c.fullname))
        .collect()
}
