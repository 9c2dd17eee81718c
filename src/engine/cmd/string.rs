//! Plain strings (`t_string.c`): SET with its options, GET, GETEX.
//!
//! ```text
//!   SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
//!     options ─ bad ─▶ syntax error        (parseExtendedStringArgumentsOrReply)
//!     expiry ── ≤ 0, overflows ─▶ invalid expire time in 'set' command
//!     GET ───── old value read (WRONGTYPE stops here)
//!     NX / XX not met ─▶ nil (or the old value with GET)
//!     store: a new value, the TTL dropped unless KEEPTTL; EX/PX/EXAT/PXAT set it
//!     propagate: SET key value PXAT <ms> when a TTL was given, else the
//!                command without its GET words
//!
//!   GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]
//!     the value, then: an EXAT/PXAT already past deletes the key (DEL);
//!     another expiry is set (PEXPIREAT); PERSIST drops one (PERSIST)
//! ```
//!
//! A TTL in the past given to SET (`EXAT 1`) is stored as given: the key
//! is logically gone at once and the next lookup deletes it, counting it
//! in `expired_keys`, as in Redis.

use super::super::db::{Db, Value, WRONGTYPE};
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, is, parse_i64, propagate_verbatim};

/// The options of SET or GETEX.
#[derive(Default)]
struct Options<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    /// EX, PX, EXAT or PXAT, with its argument.
    expiry: Option<(Expiry, &'a [u8])>,
}

/// How an expiry argument reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// EX: seconds from now.
    Ex,
    /// PX: milliseconds from now.
    Px,
    /// EXAT: a Unix time in seconds.
    ExAt,
    /// PXAT: a Unix time in milliseconds.
    PxAt,
}

/// `parseExtendedStringArgumentsOrReply`: SET's options from argument 3,
/// GETEX's from 2. Each expiry form excludes the others and KEEPTTL /
/// PERSIST; a word that does not fit is a syntax error.
fn parse_options<'a>(call: &Call<'a>, for_set: bool) -> Result<Options<'a>, Reply> {
    let mut o = Options::default();
    let mut j = if for_set { 3 } else { 2 };
    while j < call.argc() {
        let opt = call.arg(j);
        let next = call.argv.get(j + 1).map(Vec::as_slice);
        let form = o.expiry.map(|(form, _)| form);
        let other_form = |mine: Expiry| form.is_some_and(|f| f != mine);
        let takes_expiry = |mine: Expiry| !o.keepttl && !o.persist && !other_form(mine);
        if is(opt, "NX") && !o.xx && for_set {
            o.nx = true;
        } else if is(opt, "XX") && !o.nx && for_set {
            o.xx = true;
        } else if is(opt, "GET") && for_set {
            o.get = true;
        } else if is(opt, "KEEPTTL") && !o.persist && form.is_none() && for_set {
            o.keepttl = true;
        } else if is(opt, "PERSIST") && !for_set && form.is_none() && !o.keepttl {
            o.persist = true;
        } else if let Some(mine) = expiry_word(opt).filter(|&m| takes_expiry(m)) {
            let Some(value) = next else {
                return Err(Reply::err(SYNTAX));
            };
            o.expiry = Some((mine, value));
            j += 1;
        } else {
            return Err(Reply::err(SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

fn expiry_word(word: &[u8]) -> Option<Expiry> {
    [
        ("EX", Expiry::Ex),
        ("PX", Expiry::Px),
        ("EXAT", Expiry::ExAt),
        ("PXAT", Expiry::PxAt),
    ]
    .into_iter()
    .find(|(name, _)| is(word, name))
    .map(|(_, form)| form)
}

/// `getExpireMillisecondsOrReply`: the absolute Unix time in ms an expiry
/// argument names. Zero or less, or a product or sum that overflows, is
/// `invalid expire time in '<command>' command`.
fn expire_at_ms(call: &Call, form: Expiry, arg: &[u8], command: &str) -> Result<i64, Reply> {
    let invalid = || Reply::err(format!("ERR invalid expire time in '{command}' command"));
    let mut ms = parse_i64(arg)?;
    let seconds = matches!(form, Expiry::Ex | Expiry::ExAt);
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(invalid());
    }
    if seconds {
        ms *= 1000;
    }
    if matches!(form, Expiry::Ex | Expiry::Px) {
        // C adds without a check and catches the wrap below.
        ms = ms.wrapping_add(call.now_ms() as i64);
    }
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

/// The string at `key`: `Ok(None)` when missing, WRONGTYPE otherwise.
fn string<'a>(db: &'a Db, key: &[u8]) -> Result<Option<&'a Vec<u8>>, Reply> {
    match db.keys.get(key) {
        None => Ok(None),
        Some(Value::String(v)) => Ok(Some(v)),
        Some(_) => Err(Reply::err(WRONGTYPE)),
    }
}

pub fn set(db: &mut Db, call: &Call, out: &mut Executed) {
    let options = match parse_options(call, true) {
        Ok(o) => o,
        Err(e) => return out.reply = e,
    };
    let expire_at = match options.expiry {
        None => None,
        Some((form, arg)) => match expire_at_ms(call, form, arg, "set") {
            Ok(ms) => Some(ms),
            Err(e) => return out.reply = e,
        },
    };
    let key = call.arg(1);
    // GET answers the old value (nil when missing) whatever happens next.
    let answer = if options.get {
        match string(db, key) {
            Err(e) => return out.reply = e,
            Ok(old) => old.map_or(Reply::Nil, |v| Reply::bulk(v)),
        }
    } else {
        Reply::ok()
    };
    let found = db.keys.contains_key(key);
    if (options.nx && found) || (options.xx && !found) {
        out.reply = if options.get { answer } else { Reply::Nil };
        return;
    }
    let value = Value::String(call.arg(2).to_vec());
    let old = if options.keepttl {
        db.keys.insert_keep_ttl(key.to_vec(), value)
    } else {
        db.keys.insert(key.to_vec(), value)
    };
    // Overwriting a stream wakes its blocked readers (`dbOverwrite`).
    if matches!(old, Some(Value::Stream(_))) {
        out.signaled_keys.push(key.to_vec());
    }
    if let Some(when_ms) = expire_at {
        db.keys.set_expire(key, when_ms);
        out.effects.push(vec![
            b"SET".to_vec(),
            key.to_vec(),
            call.arg(2).to_vec(),
            b"PXAT".to_vec(),
            when_ms.to_string().into_bytes(),
        ]);
    } else if options.get {
        // Every "GET" word after the value goes, as setGenericCommand drops them.
        let mut argv = call.argv[..3].to_vec();
        argv.extend(call.argv[3..].iter().filter(|a| !is(a, "GET")).cloned());
        out.effects.push(argv);
    } else {
        propagate_verbatim(call, out);
    }
    out.reply = answer;
}

pub fn get(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match string(db, call.arg(1)) {
        Ok(None) => Reply::Nil,
        Ok(Some(v)) => Reply::bulk(v),
        Err(e) => e,
    };
}

pub fn getex(db: &mut Db, call: &Call, out: &mut Executed) {
    let options = match parse_options(call, false) {
        Ok(o) => o,
        Err(e) => return out.reply = e,
    };
    let key = call.arg(1);
    let value = match string(db, key) {
        Ok(None) => return out.reply = Reply::Nil,
        Ok(Some(v)) => Reply::bulk(v),
        Err(e) => return out.reply = e,
    };
    let expire_at = match options.expiry {
        None => None,
        Some((form, arg)) => match expire_at_ms(call, form, arg, "getex") {
            Ok(ms) => Some((form, ms)),
            Err(e) => return out.reply = e,
        },
    };
    out.reply = value;
    let absolute = |form| matches!(form, Expiry::ExAt | Expiry::PxAt);
    match expire_at {
        // checkAlreadyExpired: a time already past deletes the key, except
        // on a link from a master, which stores it and waits for the DEL.
        Some((form, ms)) if absolute(form) && ms <= call.now_ms() as i64 && !call.from_master => {
            db.keys.remove(key);
            out.effects.push(vec![b"DEL".to_vec(), key.to_vec()]);
        }
        Some((_, ms)) => {
            db.keys.set_expire(key, ms);
            out.effects.push(vec![
                b"PEXPIREAT".to_vec(),
                key.to_vec(),
                ms.to_string().into_bytes(),
            ]);
        }
        None if options.persist && db.keys.remove_expire(key) => {
            out.effects.push(vec![b"PERSIST".to_vec(), key.to_vec()]);
        }
        None => {}
    }
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

    #[test]
    fn set_options_exclude_each_other_as_redis_parses_them() {
        let mut db = Db::new();
        for bad in [
            "SET k v EX 10 PX 10",
            "SET k v KEEPTTL EX 10",
            "SET k v EX 10 KEEPTTL",
            "SET k v NX XX",
            "SET k v EX",
            "SET k v PERSIST",
        ] {
            assert_eq!(
                run(&mut db, 1_000, bad).0,
                Reply::err(super::SYNTAX),
                "{bad}"
            );
        }
        let invalid = Reply::err("ERR invalid expire time in 'set' command");
        for bad in [
            "SET k v EX 0",
            "SET k v PX -1",
            "SET k v EX 9223372036854775807",
        ] {
            assert_eq!(run(&mut db, 1_000, bad).0, invalid, "{bad}");
        }
        assert_eq!(
            run(&mut db, 1_000, "SET k v EX 10 EX 20").0,
            Reply::ok(),
            "the same form twice: the last one counts"
        );
        assert_eq!(db.keys.expire_at_ms(b"k"), Some(21_000));
    }

    #[test]
    fn set_propagates_an_absolute_expiry_and_drops_get() {
        let mut db = Db::new();
        let (reply, effects) = run(&mut db, 1_000, "SET k v NX EX 10");
        assert_eq!(reply, Reply::ok());
        assert_eq!(effects, ["SET k v PXAT 11000"]);
        let (reply, effects) = run(&mut db, 2_000, "SET k w GET KEEPTTL get");
        assert_eq!(reply, Reply::bulk("v"));
        assert_eq!(effects, ["SET k w KEEPTTL"]);
        assert_eq!(db.keys.expire_at_ms(b"k"), Some(11_000), "KEEPTTL kept it");
        let (_, effects) = run(&mut db, 2_000, "SET k x");
        assert_eq!(effects, ["SET k x"]);
        assert_eq!(db.keys.expire_at_ms(b"k"), None, "a plain SET drops it");
    }

    #[test]
    fn getex_sets_drops_or_ends_the_ttl() {
        let mut db = Db::new();
        run(&mut db, 1_000, "SET k v");
        assert_eq!(
            run(&mut db, 1_000, "GETEX k PX 500").1,
            ["PEXPIREAT k 1500"]
        );
        assert_eq!(run(&mut db, 1_000, "GETEX k PERSIST").1, ["PERSIST k"]);
        assert!(
            run(&mut db, 1_000, "GETEX k PERSIST").1.is_empty(),
            "nothing to drop"
        );
        let (reply, effects) = run(&mut db, 1_000, "GETEX k EXAT 1");
        assert_eq!(reply, Reply::bulk("v"));
        assert_eq!(effects, ["DEL k"]);
        assert_eq!(db.stats.expired_keys, 0, "a deletion, not an expiry");
        assert_eq!(run(&mut db, 1_000, "GETEX k EX 10").0, Reply::Nil);
    }
}
