//! OBJECT (`object.c`): ENCODING, IDLETIME, FREQ, REFCOUNT and HELP.
//!
//! ```text
//!   OBJECT sub key    the lookup is NOTOUCH: asking does not make a key younger
//!     missing ─▶ nil
//!     ENCODING ─▶ how the value is stored (Value::encoding_name)
//!     IDLETIME ─▶ seconds since the last access (lru.rs)
//!     FREQ     ─▶ error: the policy is not an LFU one, so no frequency is kept
//!     REFCOUNT ─▶ 2147483647 for a string Redis shares (an integer 0..9999),
//!                 else 1
//! ```
//!
//! The engine runs Redis's default `maxmemory-policy`, `noeviction`, an
//! LRU-family one for these purposes: IDLETIME answers and FREQ refuses.

use super::super::db::{Db, Value};
use super::super::id::string2ll;
use super::super::lru;
use super::super::{Executed, Reply};
use super::Call;

/// `OBJ_SHARED_INTEGERS`: Redis keeps one shared object for each of these.
const SHARED_INTEGERS: i64 = 10_000;

/// `OBJ_SHARED_REFCOUNT` (INT_MAX): what a shared object reports.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

pub fn encoding(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match db.keys.get(call.arg(2)) {
        None => Reply::Nil,
        Some(v) => Reply::bulk(v.encoding_name()),
    };
}

pub fn idletime(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match db.keys.lru(call.arg(2)) {
        None => Reply::Nil,
        Some(stamp) => {
            let idle_ms = lru::idle_ms(db.keys.clock(), stamp);
            Reply::Integer((idle_ms / 1000) as i64)
        }
    };
}

pub fn freq(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = if db.keys.contains_key(call.arg(2)) {
        Reply::err(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. \
             Please note that when switching between policies at runtime LRU and LFU data \
             will take some time to adjust.",
        )
    } else {
        Reply::Nil
    };
}

pub fn refcount(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match db.keys.get(call.arg(2)) {
        None => Reply::Nil,
        // tryObjectEncoding (and RESTORE's loader) swap a small
        // non-negative integer for the shared object of that value.
        Some(Value::String(v))
            if v.len() <= 20 && string2ll(v).is_some_and(|n| (0..SHARED_INTEGERS).contains(&n)) =>
        {
            Reply::Integer(SHARED_REFCOUNT)
        }
        Some(_) => Reply::Integer(1),
    };
}

pub fn help(_: &Db, _: &Call, out: &mut Executed) {
    let lines = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];
    out.reply = Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Status((*l).to_string()))
            .collect(),
    );
}

#[cfg(test)]
mod tests {
    use super::super::super::{Db, ExecContext, Reply, Session};

    fn run(db: &mut Db, now_ms: u64, line: &str) -> Reply {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        db.execute(&mut Session::default(), &argv, &ExecContext::at(now_ms))
            .reply
    }

    #[test]
    fn idle_time_counts_from_the_last_access_that_touches() {
        let mut db = Db::new();
        run(&mut db, 1_000, "SET k v");
        assert_eq!(
            run(&mut db, 11_000, "OBJECT IDLETIME k"),
            Reply::Integer(10)
        );
        // NOTOUCH lookups: OBJECT, TYPE, EXISTS, TTL leave it alone.
        for line in ["TYPE k", "EXISTS k", "TTL k", "OBJECT ENCODING k"] {
            run(&mut db, 15_000, line);
        }
        assert_eq!(
            run(&mut db, 21_000, "OBJECT IDLETIME k"),
            Reply::Integer(20)
        );
        run(&mut db, 21_000, "GET k");
        assert_eq!(run(&mut db, 23_999, "OBJECT IDLETIME k"), Reply::Integer(2));
        assert_eq!(run(&mut db, 23_999, "OBJECT IDLETIME nokey"), Reply::Nil);
    }

    #[test]
    fn freq_is_refused_under_an_lru_policy_and_refcount_sees_sharing() {
        let mut db = Db::new();
        run(&mut db, 0, "SET small 9999");
        run(&mut db, 0, "SET big 10000");
        run(&mut db, 0, "RPUSH l a");
        assert_eq!(
            run(&mut db, 0, "OBJECT REFCOUNT small"),
            Reply::Integer(2147483647)
        );
        assert_eq!(run(&mut db, 0, "OBJECT REFCOUNT big"), Reply::Integer(1));
        assert_eq!(run(&mut db, 0, "OBJECT REFCOUNT l"), Reply::Integer(1));
        assert_eq!(run(&mut db, 0, "OBJECT FREQ nokey"), Reply::Nil);
        assert!(run(&mut db, 0, "OBJECT FREQ l").is_error());
    }
}
