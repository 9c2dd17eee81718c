//! The TTL commands (`expire.c`): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT,
//! TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST and TOUCH.
//!
//! ```text
//!   EXPIRE key n [NX|XX|GT|LT]      (PEXPIRE: ms; EXPIREAT/PEXPIREAT: absolute)
//!     options ─ unknown ─▶ Unsupported option X;  clash ─▶ NX and XX, GT or LT ...
//!     n ─ not an integer ─▶ error;  overflows (×1000, + now) ─▶ invalid expire time
//!     key missing ─▶ 0;  NX/XX/GT/LT not met ─▶ 0
//!     when ≤ now (not from a master) ─▶ key deleted, DEL propagated, 1
//!     else TTL set, PEXPIREAT key <ms> propagated (the options kept), 1
//!
//!   TTL / PTTL      -2 missing, -1 no TTL, else what is left (s rounded, ms)
//!   EXPIRETIME / PEXPIRETIME        the same, as an absolute Unix time
//!   PERSIST         1 when a TTL was dropped
//!   TOUCH key...    how many exist (their access time was stamped before)
//! ```
//!
//! Time is the command's `now_ms`. A key deleted because its new time has
//! already passed is a deletion, not an expiry: `expired_keys` counts only
//! what lookups and the active cycle remove.

use super::super::db::Db;
use super::super::{Executed, Reply};
use super::{Call, is, parse_i64, propagate_verbatim};

/// What the first argument counts in, and from when.
#[derive(Clone, Copy)]
struct Form {
    /// The command's full name, for its error text.
    name: &'static str,
    /// Seconds (else milliseconds).
    seconds: bool,
    /// Relative to now (else a Unix time).
    relative: bool,
}

/// The NX / XX / GT / LT flags (`parseExtendedExpireArgumentsOrReply`).
#[derive(Default)]
struct Flags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_flags(call: &Call) -> Result<Flags, Reply> {
    let mut f = Flags::default();
    for opt in &call.argv[3..] {
        if is(opt, "NX") {
            f.nx = true;
        } else if is(opt, "XX") {
            f.xx = true;
        } else if is(opt, "GT") {
            f.gt = true;
        } else if is(opt, "LT") {
            f.lt = true;
        } else {
            return Err(Reply::err(format!(
                "ERR Unsupported option {}",
                super::text(opt)
            )));
        }
    }
    if f.nx && (f.xx || f.gt || f.lt) {
        return Err(Reply::err(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if f.gt && f.lt {
        return Err(Reply::err(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    Ok(f)
}

/// The absolute Unix time in ms the argument names, with Redis's overflow
/// checks (negative times are allowed: they expire the key at once).
fn when_ms(call: &Call, form: Form) -> Result<i64, Reply> {
    let invalid = || {
        Reply::err(format!(
            "ERR invalid expire time in '{}' command",
            form.name
        ))
    };
    let mut when = parse_i64(call.arg(2))?;
    if form.seconds {
        when = when.checked_mul(1000).ok_or_else(invalid)?;
    }
    let base = if form.relative {
        call.now_ms() as i64
    } else {
        0
    };
    // expireGenericCommand checks only the upper side of the addition.
    if when > i64::MAX - base {
        return Err(invalid());
    }
    Ok(when + base)
}

fn expire_generic(db: &mut Db, call: &Call, out: &mut Executed, form: Form) {
    let flags = match parse_flags(call) {
        Ok(f) => f,
        Err(e) => return out.reply = e,
    };
    let when = match when_ms(call, form) {
        Ok(w) => w,
        Err(e) => return out.reply = e,
    };
    let key = call.arg(1);
    if !db.keys.contains_key(key) {
        return out.reply = Reply::Integer(0);
    }
    let current = db.keys.expire_at_ms(key);
    // GT treats no TTL as an infinite one, so it never grows it; LT does
    // shorten it.
    let refused = (flags.nx && current.is_some())
        || (flags.xx && current.is_none())
        || (flags.gt && current.is_none_or(|c| when <= c))
        || (flags.lt && current.is_some_and(|c| when >= c));
    if refused {
        return out.reply = Reply::Integer(0);
    }
    // checkAlreadyExpired: a replica or the AOF loader stores the past
    // time and waits for the master's DEL.
    if when <= call.now_ms() as i64 && !call.from_master {
        let value = db.keys.remove(key);
        if matches!(value, Some(super::super::db::Value::Stream(_))) {
            out.signaled_keys.push(key.to_vec());
        }
        out.effects.push(vec![b"DEL".to_vec(), key.to_vec()]);
    } else {
        db.keys.set_expire(key, when);
        // PEXPIREAT keeps its own spelling of the name and of the time;
        // the others are rewritten, their NX/XX/GT/LT left in place.
        if !form.relative && !form.seconds {
            propagate_verbatim(call, out);
        } else {
            let mut argv = call.argv.to_vec();
            argv[0] = b"PEXPIREAT".to_vec();
            argv[2] = when.to_string().into_bytes();
            out.effects.push(argv);
        }
    }
    out.reply = Reply::Integer(1);
}

pub fn expire(db: &mut Db, call: &Call, out: &mut Executed) {
    let form = Form {
        name: "expire",
        seconds: true,
        relative: true,
    };
    expire_generic(db, call, out, form);
}

pub fn pexpire(db: &mut Db, call: &Call, out: &mut Executed) {
    let form = Form {
        name: "pexpire",
        seconds: false,
        relative: true,
    };
    expire_generic(db, call, out, form);
}

pub fn expireat(db: &mut Db, call: &Call, out: &mut Executed) {
    let form = Form {
        name: "expireat",
        seconds: true,
        relative: false,
    };
    expire_generic(db, call, out, form);
}

pub fn pexpireat(db: &mut Db, call: &Call, out: &mut Executed) {
    let form = Form {
        name: "pexpireat",
        seconds: false,
        relative: false,
    };
    expire_generic(db, call, out, form);
}

/// `ttlGenericCommand`: what is left (or the absolute time), in ms or in
/// seconds rounded to the nearest; never below 0 for a key that has one.
fn ttl_generic(db: &Db, call: &Call, out: &mut Executed, in_ms: bool, absolute: bool) {
    let key = call.arg(1);
    if !db.keys.contains_key(key) {
        return out.reply = Reply::Integer(-2);
    }
    let Some(when) = db.keys.expire_at_ms(key) else {
        return out.reply = Reply::Integer(-1);
    };
    let left = if absolute {
        i128::from(when)
    } else {
        i128::from(when) - i128::from(call.now_ms())
    }
    .max(0);
    // Wider than 64 bits: Redis's (ttl + 500) / 1000 of a TTL near
    // LLONG_MAX prints as if it did not overflow.
    let shown = if in_ms { left } else { (left + 500) / 1000 };
    out.reply = Reply::Integer(shown.min(i128::from(i64::MAX)) as i64);
}

pub fn ttl(db: &Db, call: &Call, out: &mut Executed) {
    ttl_generic(db, call, out, false, false);
}

pub fn pttl(db: &Db, call: &Call, out: &mut Executed) {
    ttl_generic(db, call, out, true, false);
}

pub fn expiretime(db: &Db, call: &Call, out: &mut Executed) {
    ttl_generic(db, call, out, false, true);
}

pub fn pexpiretime(db: &Db, call: &Call, out: &mut Executed) {
    ttl_generic(db, call, out, true, true);
}

pub fn persist(db: &mut Db, call: &Call, out: &mut Executed) {
    let key = call.arg(1);
    let dropped = db.keys.contains_key(key) && db.keys.remove_expire(key);
    if dropped {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(i64::from(dropped));
}

pub fn touch(db: &Db, call: &Call, out: &mut Executed) {
    let found = call.argv[1..]
        .iter()
        .filter(|k| db.keys.contains_key(k.as_slice()))
        .count();
    out.reply = Reply::Integer(found as i64);
}

#[cfg(test)]
mod tests {
    use super::super::super::{Db, ExecContext, Reply, Session};

    fn run(db: &mut Db, now_ms: u64, line: &str) -> (Reply, Vec<String>) {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        let done = db.execute(&mut Session::default(), &argv, &ExecContext::at(now_ms));
        let effects = done
            .effects
            .iter()
            .map(|e| String::from_utf8_lossy(&e.join(&b' ')).into_owned())
            .collect();
        (done.reply, effects)
    }

    fn int(db: &mut Db, now_ms: u64, line: &str) -> i64 {
        match run(db, now_ms, line).0 {
            Reply::Integer(n) => n,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn every_form_propagates_as_pexpireat() {
        let mut db = Db::new();
        run(&mut db, 10_000, "SET k v");
        assert_eq!(
            run(&mut db, 10_000, "EXPIRE k 5 NX").1,
            ["PEXPIREAT k 15000 NX"]
        );
        assert_eq!(
            run(&mut db, 10_000, "PEXPIRE k 6000").1,
            ["PEXPIREAT k 16000"]
        );
        assert_eq!(
            run(&mut db, 10_000, "EXPIREAT k 17").1,
            ["PEXPIREAT k 17000"]
        );
        assert_eq!(
            run(&mut db, 10_000, "pexpireat k 18000").1,
            ["pexpireat k 18000"]
        );
        assert_eq!(int(&mut db, 10_000, "TTL k"), 8);
        assert_eq!(int(&mut db, 10_000, "PTTL k"), 8_000);
        assert_eq!(int(&mut db, 10_000, "EXPIRETIME k"), 18);
        assert_eq!(int(&mut db, 10_000, "PEXPIRETIME k"), 18_000);
        // A time already past deletes the key: a DEL, not an expiry.
        assert_eq!(run(&mut db, 10_000, "EXPIRE k -1").1, ["DEL k"]);
        assert_eq!(int(&mut db, 10_000, "TTL k"), -2);
        assert_eq!(db.stats.expired_keys, 0);
    }

    #[test]
    fn nx_xx_gt_lt_compare_with_the_current_ttl() {
        let mut db = Db::new();
        run(&mut db, 0, "SET k v");
        assert_eq!(int(&mut db, 0, "EXPIRE k 100 XX"), 0, "no TTL yet");
        assert_eq!(int(&mut db, 0, "EXPIRE k 100 GT"), 0, "none is infinite");
        assert_eq!(int(&mut db, 0, "EXPIRE k 100 NX"), 1);
        assert_eq!(int(&mut db, 0, "EXPIRE k 100 NX"), 0);
        assert_eq!(int(&mut db, 0, "EXPIRE k 100 LT"), 0, "not less");
        assert_eq!(int(&mut db, 0, "EXPIRE k 50 LT"), 1);
        assert_eq!(int(&mut db, 0, "EXPIRE k 60 GT XX"), 1);
        assert_eq!(int(&mut db, 0, "TTL k"), 60);
        assert_eq!(int(&mut db, 0, "PERSIST k"), 1);
        assert_eq!(int(&mut db, 0, "PERSIST k"), 0);
        assert_eq!(int(&mut db, 0, "TTL k"), -1);
        assert_eq!(
            int(&mut db, 0, "EXPIRE k 10 LT"),
            1,
            "LT shortens an infinite TTL"
        );
    }

    #[test]
    fn errors_are_redis_words() {
        let mut db = Db::new();
        let err = |db: &mut Db, line: &str| match run(db, 1_700_000_000_000, line).0 {
            Reply::Error(text) => text,
            other => panic!("{line}: {other:?}"),
        };
        assert_eq!(err(&mut db, "EXPIRE k 1 FOO"), "ERR Unsupported option FOO");
        assert_eq!(
            err(&mut db, "EXPIRE k 1 NX GT"),
            "ERR NX and XX, GT or LT options at the same time are not compatible"
        );
        assert_eq!(
            err(&mut db, "EXPIRE k 1 GT LT"),
            "ERR GT and LT options at the same time are not compatible"
        );
        assert_eq!(
            err(&mut db, "EXPIRE k x"),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            err(&mut db, "EXPIRE k 9223372036854775"),
            "ERR invalid expire time in 'expire' command"
        );
        assert_eq!(
            err(&mut db, "PEXPIRE k 9223372036854775807"),
            "ERR invalid expire time in 'pexpire' command"
        );
        // Absolute times are not checked against now.
        assert_eq!(int(&mut db, 0, "PEXPIREAT k 9223372036854775807"), 0);
    }

    #[test]
    fn a_ttl_near_the_top_of_the_range_rounds_without_overflow() {
        let mut db = Db::new();
        run(&mut db, 1_000, "SET k v PXAT 9223372036854775807");
        assert_eq!(int(&mut db, 1_000, "EXPIRETIME k"), 9_223_372_036_854_776);
    }
}
