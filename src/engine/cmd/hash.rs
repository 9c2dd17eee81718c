//! Hash commands (`t_hash.c`): HSET HMSET HGET HMGET HDEL HLEN HGETALL
//! HEXISTS HINCRBY HKEYS HVALS.
//!
//! ```text
//!   HSET k f1 v1 f2 v2
//!     ├─ odd argument count ──────▶ ERR wrong number of arguments
//!     ├─ k holds another type ────▶ WRONGTYPE
//!     ├─ an argument over 64 bytes: convert to a table first
//!     └─ set each pair; past 512 fields: convert  ─▶ :fields created
//! ```

use super::super::db::{Db, Value, WRONGTYPE};
use super::super::hash::Hash;
use super::super::id::string2ll;
use super::super::{Executed, Reply};
use super::{Call, parse_i64, propagate_verbatim};

fn hash<'a>(db: &'a Db, key: &[u8]) -> Result<Option<&'a Hash>, Reply> {
    match db.keys.get(key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(Reply::err(WRONGTYPE)),
    }
}

/// `hashTypeLookupWriteOrCreate`: the hash at `key`, created empty when
/// missing (the key is signalled then, as `dbAdd` does).
fn hash_or_create<'a>(
    db: &'a mut Db,
    key: &[u8],
    out: &mut Executed,
) -> Result<&'a mut Hash, Reply> {
    match db.keys.get(key) {
        None => {
            db.keys.insert(key.to_vec(), Value::Hash(Hash::default()));
            out.signaled_keys.push(key.to_vec());
        }
        Some(Value::Hash(_)) => {}
        Some(_) => return Err(Reply::err(WRONGTYPE)),
    }
    match db.keys.get_mut(key) {
        Some(Value::Hash(h)) => Ok(h),
        _ => unreachable!("the hash exists"),
    }
}

fn set_pairs(db: &mut Db, call: &Call, out: &mut Executed) -> Option<i64> {
    if call.argc() % 2 == 1 {
        let name = call.arg(0).to_ascii_lowercase();
        out.reply = Reply::err(format!(
            "ERR wrong number of arguments for '{}' command",
            String::from_utf8_lossy(&name)
        ));
        return None;
    }
    let limits = db.config.hash_limits;
    let h = match hash_or_create(db, call.arg(1), out) {
        Err(e) => {
            out.reply = e;
            return None;
        }
        Ok(h) => h,
    };
    h.prepare_for(&call.argv[2..], &limits);
    let mut created = 0;
    for pair in call.argv[2..].chunks(2) {
        created += i64::from(h.set(&pair[0], &pair[1], &limits));
    }
    propagate_verbatim(call, out);
    Some(created)
}

pub fn hset(db: &mut Db, call: &Call, out: &mut Executed) {
    if let Some(created) = set_pairs(db, call, out) {
        out.reply = Reply::Integer(created);
    }
}

pub fn hmset(db: &mut Db, call: &Call, out: &mut Executed) {
    if set_pairs(db, call, out).is_some() {
        out.reply = Reply::ok();
    }
}

pub fn hget(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match hash(db, call.arg(1)) {
        Err(e) => e,
        Ok(h) => h
            .and_then(|h| h.get(call.arg(2)))
            .map(Reply::Bulk)
            .unwrap_or(Reply::Nil),
    };
}

pub fn hmget(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match hash(db, call.arg(1)) {
        Err(e) => e,
        Ok(h) => Reply::Array(
            call.argv[2..]
                .iter()
                .map(|f| {
                    h.and_then(|h| h.get(f))
                        .map(Reply::Bulk)
                        .unwrap_or(Reply::Nil)
                })
                .collect(),
        ),
    };
}

pub fn hdel(db: &mut Db, call: &Call, out: &mut Executed) {
    let key = call.arg(1);
    let h = match db.keys.get_mut(key) {
        None => return out.reply = Reply::Integer(0),
        Some(Value::Hash(h)) => h,
        Some(_) => return out.reply = Reply::err(WRONGTYPE),
    };
    let mut deleted = 0;
    for field in &call.argv[2..] {
        if h.delete(field) {
            deleted += 1;
            if h.is_empty() {
                db.keys.remove(key);
                break;
            }
        }
    }
    if deleted > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(deleted);
}

pub fn hlen(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match hash(db, call.arg(1)) {
        Err(e) => e,
        Ok(h) => Reply::Integer(h.map_or(0, |h| h.len() as i64)),
    };
}

pub fn hexists(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match hash(db, call.arg(1)) {
        Err(e) => e,
        Ok(h) => Reply::Integer(i64::from(h.is_some_and(|h| h.contains(call.arg(2))))),
    };
}

fn listing(db: &Db, call: &Call, out: &mut Executed, fields: bool, values: bool) {
    out.reply = match hash(db, call.arg(1)) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(h)) => {
            let mut items = Vec::new();
            for (f, v) in h.pairs() {
                if fields {
                    items.push(Reply::Bulk(f));
                }
                if values {
                    items.push(Reply::Bulk(v));
                }
            }
            Reply::Array(items)
        }
    };
}

pub fn hgetall(db: &Db, call: &Call, out: &mut Executed) {
    listing(db, call, out, true, true);
}

pub fn hkeys(db: &Db, call: &Call, out: &mut Executed) {
    listing(db, call, out, true, false);
}

pub fn hvals(db: &Db, call: &Call, out: &mut Executed) {
    listing(db, call, out, false, true);
}

pub fn hincrby(db: &mut Db, call: &Call, out: &mut Executed) {
    let incr = match parse_i64(call.arg(3)) {
        Err(e) => return out.reply = e,
        Ok(n) => n,
    };
    let limits = db.config.hash_limits;
    let h = match hash_or_create(db, call.arg(1), out) {
        Err(e) => return out.reply = e,
        Ok(h) => h,
    };
    let old = match h.get(call.arg(2)) {
        None => 0,
        Some(v) => match string2ll(&v) {
            Some(n) => n,
            None => return out.reply = Reply::err("ERR hash value is not an integer"),
        },
    };
    let Some(new) = old.checked_add(incr) else {
        return out.reply = Reply::err("ERR increment or decrement would overflow");
    };
    h.set(call.arg(2), new.to_string().as_bytes(), &limits);
    propagate_verbatim(call, out);
    out.reply = Reply::Integer(new);
}
