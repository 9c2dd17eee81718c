//! Set commands (`t_set.c`): SADD SREM SMEMBERS SCARD SISMEMBER.
//!
//! ```text
//!   SADD k m1 m2 ...   a new key's encoding follows m1 (integer: intset)
//!   SREM k m ...       the last member removed deletes the key
//!   SMEMBERS k         intset: ascending; table: byte order here, bucket
//!                      order (random per process) in Redis
//! ```

use super::super::db::{Db, Value, WRONGTYPE};
use super::super::set::Set;
use super::super::{Executed, Reply};
use super::{Call, propagate_verbatim};

fn set<'a>(db: &'a Db, key: &[u8]) -> Result<Option<&'a Set>, Reply> {
    match db.keys.get(key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(Reply::err(WRONGTYPE)),
    }
}

pub fn sadd(db: &mut Db, call: &Call, out: &mut Executed) {
    let key = call.arg(1);
    match db.keys.get(key) {
        None => {
            let fresh = Set::for_first_member(call.arg(2));
            db.keys.insert(key.to_vec(), Value::Set(fresh));
            out.signaled_keys.push(key.to_vec());
        }
        Some(Value::Set(_)) => {}
        Some(_) => return out.reply = Reply::err(WRONGTYPE),
    }
    let max_intset = db.config.set_max_intset_entries;
    let Some(Value::Set(s)) = db.keys.get_mut(key) else {
        unreachable!("the set exists")
    };
    let added = call.argv[2..]
        .iter()
        .filter(|m| s.add(m, max_intset))
        .count();
    if added > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(added as i64);
}

pub fn srem(db: &mut Db, call: &Call, out: &mut Executed) {
    let key = call.arg(1);
    let s = match db.keys.get_mut(key) {
        None => return out.reply = Reply::Integer(0),
        Some(Value::Set(s)) => s,
        Some(_) => return out.reply = Reply::err(WRONGTYPE),
    };
    let mut removed = 0;
    for member in &call.argv[2..] {
        if s.remove(member) {
            removed += 1;
            if s.is_empty() {
                db.keys.remove(key);
                break;
            }
        }
    }
    if removed > 0 {
        propagate_verbatim(call, out);
    }
    out.reply = Reply::Integer(removed);
}

pub fn smembers(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match set(db, call.arg(1)) {
        Err(e) => e,
        Ok(None) => Reply::Array(Vec::new()),
        Ok(Some(s)) => Reply::Array(s.members().into_iter().map(Reply::Bulk).collect()),
    };
}

pub fn scard(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match set(db, call.arg(1)) {
        Err(e) => e,
        Ok(s) => Reply::Integer(s.map_or(0, |s| s.len() as i64)),
    };
}

pub fn sismember(db: &Db, call: &Call, out: &mut Executed) {
    out.reply = match set(db, call.arg(1)) {
        Err(e) => e,
        Ok(s) => Reply::Integer(i64::from(s.is_some_and(|s| s.contains(call.arg(2))))),
    };
}
