//! INFO's `keyspace_hits` and `keyspace_misses`: how many read lookups of
//! a key found it and how many did not.
//!
//! Redis counts them in db.c:lookupKey for the lookups made through
//! `lookupKeyRead*` (never `lookupKeyWrite*`, never with LOOKUP_NOSTATS).
//! Which lookups a command makes is a fact of its C source, not of the
//! engine's handlers, so this file restates it per command from the
//! command line, the reply and the keyspace after the command ran:
//!
//! ```text
//!   Db::run ──▶ handler ──▶ reply
//!     └──▶ count(db, argv, reply) ──▶ Stats::keyspace_hits / _misses
//! ```
//!
//! Of the commands counted here only GETEX and SET ... GET change their
//! key after reading it; their reply says what the read found. For the
//! others the keyspace after the command answers whether the key was
//! there before. A key past its TTL was deleted before the
//! command ran (expire.rs), so its lookup counts as the miss Redis counts.
//! A blocked client served again is not counted: blocked.c serves it
//! after a LOOKUP_NOSTATS lookup (handleClientsBlockedOnKeys) and the
//! stream serving makes none.

use super::db::{Db, Value};
use super::id;
use super::reply::Reply;

/// When a command's one read lookup happens relative to its errors.
enum Order {
    /// It looks the key up before anything can fail (arity aside).
    First,
    /// It parses its arguments first: an error other than the ones
    /// `after` lists came before the lookup.
    AfterParsing { after: &'static [&'static str] },
}

/// The (hits, misses) of one command that answered `reply`.
pub fn count(db: &Db, argv: &[Vec<u8>], reply: &Reply) -> (u64, u64) {
    // Lower-cased on the stack: this runs after every command, and no
    // counted name or subcommand is longer than the buffer.
    let mut name_buf = [0u8; NAME_BYTES];
    let Some(name) = lower(&argv[0], &mut name_buf) else {
        return (0, 0);
    };
    if let Some(found) = read_then_write(name, argv, reply) {
        return if found { (1, 0) } else { (0, 1) };
    }
    let keys = lookups(db, name, argv, reply);
    let hits = keys.iter().filter(|k| db.keys.contains_key(**k)).count() as u64;
    (hits, keys.len() as u64 - hits)
}

/// The read lookups one command made, as the keys it looked up in order.
fn lookups<'a>(db: &'a Db, name: &[u8], argv: &'a [Vec<u8>], reply: &Reply) -> Vec<&'a [u8]> {
    let arg = |i: usize| argv.get(i).map(Vec::as_slice).unwrap_or(b"");
    let mut sub_buf = [0u8; NAME_BYTES];
    let sub = if matches!(name, b"xinfo" | b"object") {
        lower(arg(1), &mut sub_buf).unwrap_or(b"")
    } else {
        b""
    };
    let (key_index, order) = match name {
        // t_stream.c:xlenCommand, xackCommand, xclaimCommand, xautoclaimCommand.
        b"xlen" | b"xack" | b"xclaim" | b"xautoclaim" => (1, Order::First),
        // t_stream.c:xrangeGenericCommand parses IDs and COUNT first.
        b"xrange" | b"xrevrange" => (1, after(&["WRONGTYPE"])),
        // t_stream.c:xpendingCommand parses "ASAP"; NOGROUP follows the lookup.
        b"xpending" => (1, after(&["WRONGTYPE", "NOGROUP"])),
        // t_stream.c:xinfoCommand: HELP is answered before any lookup.
        b"xinfo" if sub != b"help" => (2, Order::First),
        b"xread" | b"xreadgroup" => return xread(db, argv, name.len() == 10, reply),
        // t_list.c:llenCommand, lindexCommand (the index is parsed after).
        b"llen" | b"lindex" => (1, Order::First),
        // t_list.c:lrangeCommand parses start/end first; lposCommand its options.
        b"lrange" | b"lpos" => (1, after(&["WRONGTYPE"])),
        // t_hash.c: every read looks up first.
        b"hget" | b"hmget" | b"hlen" | b"hgetall" | b"hexists" | b"hkeys" | b"hvals" => {
            (1, Order::First)
        }
        // t_set.c:sinterGenericCommand (SMEMBERS), scardCommand, sismemberCommand.
        b"smembers" | b"scard" | b"sismember" => (1, Order::First),
        // t_string.c:getGenericCommand; db.c:typeCommand; cluster.c:dumpCommand.
        b"get" | b"type" | b"dump" => (1, Order::First),
        // db.c:existsCommand looks every key up.
        b"exists" => return argv[1..].iter().map(Vec::as_slice).collect(),
        // object.c:objectCommand through objectCommandLookup (MEMORY USAGE
        // reads the dict directly and is not counted).
        b"object" if matches!(sub, b"encoding" | b"idletime" | b"freq" | b"refcount") => {
            (2, Order::First)
        }
        // expire.c:ttlGenericCommand; touchCommand looks every key up.
        b"ttl" | b"pttl" | b"expiretime" | b"pexpiretime" => (1, Order::First),
        b"touch" => return argv[1..].iter().map(Vec::as_slice).collect(),
        // db.c:scanGenericCommand's TYPE lookups are counted with its
        // expiry (expire::after_scan), which changes the keyspace.
        _ => return Vec::new(),
    };
    let looked_up = match (order, reply) {
        (Order::First, _) => true,
        (Order::AfterParsing { after }, Reply::Error(text)) => after
            .iter()
            .any(|code| text.split(' ').next() == Some(code)),
        (Order::AfterParsing { .. }, _) => true,
    };
    if looked_up {
        vec![arg(key_index)]
    } else {
        Vec::new()
    }
}

/// GETEX and SET ... GET read their key and may then create or delete
/// it, so the keyspace afterwards cannot say what the read found; their
/// reply can: nil for a miss, anything else (the value, WRONGTYPE, an
/// expire time refused after the read) for a hit. `None` for any other
/// command; `Some` only when the read happened.
fn read_then_write(name: &[u8], argv: &[Vec<u8>], reply: &Reply) -> Option<bool> {
    let read = if name == b"getex" {
        // getexCommand parses its options, then reads; every later error
        // (type, expire time) comes after the read.
        !matches!(reply, Reply::Error(text) if text.starts_with("ERR syntax error"))
    } else if name == b"set" && argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"GET")) {
        // setGenericCommand reads for GET once the options and the expire
        // time are valid; WRONGTYPE is the read's own error.
        !matches!(reply, Reply::Error(text) if !text.starts_with("WRONGTYPE"))
    } else {
        return None;
    };
    read.then_some(!matches!(reply, Reply::Nil))
}

/// Longer than any command name or subcommand this file counts.
const NAME_BYTES: usize = 16;

/// `word` lower-cased into `buf`; `None` when it does not fit.
fn lower<'b>(word: &[u8], buf: &'b mut [u8; NAME_BYTES]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (d, c) in out.iter_mut().zip(word) {
        *d = c.to_ascii_lowercase();
    }
    Some(out)
}

const fn after(codes: &'static [&'static str]) -> Order {
    Order::AfterParsing { after: codes }
}

/// t_stream.c:xreadCommand: the options are parsed without lookups; then
/// each key is looked up while its ID is parsed (an error stops there);
/// then each key is looked up again to serve it.
fn xread<'a>(db: &'a Db, argv: &'a [Vec<u8>], group_form: bool, reply: &Reply) -> Vec<&'a [u8]> {
    let is = |i: usize, word: &str| argv[i].eq_ignore_ascii_case(word.as_bytes());
    let mut group: Option<&[u8]> = None;
    let mut streams_at = None;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        if is(i, "BLOCK") && more > 0 {
            // getTimeoutFromObjectOrReply: an integer, not negative.
            if !id::string2ll(&argv[i + 1]).is_some_and(|t| t >= 0) {
                return Vec::new();
            }
            i += 1;
        } else if is(i, "COUNT") && more > 0 {
            if id::string2ll(&argv[i + 1]).is_none() {
                return Vec::new();
            }
            i += 1;
        } else if is(i, "STREAMS") && more > 0 {
            streams_at = Some(i + 1);
            break;
        } else if is(i, "GROUP") && more >= 2 && group_form {
            group = Some(&argv[i + 1]);
            i += 2;
        } else if is(i, "NOACK") && group_form {
        } else {
            return Vec::new();
        }
        i += 1;
    }
    let Some(first) = streams_at else {
        return Vec::new();
    };
    let count = (argv.len() - first) / 2;
    if (argv.len() - first) % 2 != 0 || (group_form && group.is_none()) {
        return Vec::new();
    }
    let keys: Vec<&[u8]> = argv[first..first + count]
        .iter()
        .map(Vec::as_slice)
        .collect();
    let mut looked = Vec::new();
    for (n, key) in keys.iter().enumerate() {
        looked.push(*key);
        let stream = match db.keys.get(*key) {
            Some(Value::Stream(s)) => Some(s),
            Some(_) => return looked,
            None => None,
        };
        if let Some(name) = group {
            if !stream.is_some_and(|s| s.groups.contains_key(name)) {
                return looked;
            }
        }
        let id_arg = argv[first + count + n].as_slice();
        let valid = match id_arg {
            b"$" => !group_form,
            b">" => group_form,
            other => id::parse_strict(other, 0).is_some(),
        };
        if !valid {
            return looked;
        }
    }
    // A reply error here would mean the model above missed a parse error:
    // count what was counted so far rather than guess.
    if !matches!(reply, Reply::Error(_)) {
        looked.extend(keys);
    }
    looked
}

#[cfg(test)]
mod tests {
    use super::super::{Db, ExecContext, Session};

    fn run(db: &mut Db, session: &mut Session, line: &str) {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        db.execute(session, &argv, &ExecContext::at(0));
    }

    fn counted(db: &Db) -> (u64, u64) {
        (db.stats.keyspace_hits, db.stats.keyspace_misses)
    }

    #[test]
    fn reads_count_their_lookups_and_writes_do_not() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, "XADD s 1-1 f v");
        run(&mut db, &mut s, "SET k v");
        assert_eq!(counted(&db), (0, 0), "write lookups are not counted");
        run(&mut db, &mut s, "EXISTS s k nokey");
        assert_eq!(counted(&db), (2, 1));
        // XREAD: once while parsing the IDs, once to serve.
        run(&mut db, &mut s, "XREAD STREAMS s nokey 0 0");
        assert_eq!(counted(&db), (4, 3));
        // A bad ID stops it after its own lookup.
        run(&mut db, &mut s, "XREAD STREAMS s nokey 0 bad");
        assert_eq!(counted(&db), (5, 4));
        // XRANGE parses before looking up; WRONGTYPE comes after a hit.
        run(&mut db, &mut s, "XRANGE s bad +");
        run(&mut db, &mut s, "XRANGE k - +");
        assert_eq!(counted(&db), (6, 4));
        run(&mut db, &mut s, "CONFIG RESETSTAT");
        assert_eq!(counted(&db), (0, 0));
    }

    #[test]
    fn viewers_and_served_blocked_reads_count_nothing() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, "XADD s 1-1 f v");
        let argv: Vec<Vec<u8>> = vec![b"XLEN".to_vec(), b"s".to_vec()];
        db.query(&argv, &ExecContext::at(0));
        assert_eq!(counted(&db), (0, 0), "a viewer's query");
        // blocked.c serves it after a LOOKUP_NOSTATS lookup.
        s.serving_blocked = true;
        run(&mut db, &mut s, "XREAD BLOCK 0 STREAMS s 0");
        assert_eq!(counted(&db), (0, 0));
    }
}
