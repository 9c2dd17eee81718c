//! Lazy expiry and the access stamp: what Redis's `lookupKey` does to a
//! key before a command gets to read or write it.
//!
//! ```text
//!   Db::run(spec, argv)
//!     └─ before_command: for each key spec.keys names, in order
//!          has a TTL, now_ms > when, and the client is not a master link?
//!            yes ─▶ deleted (deleteExpiredKeyAndPropagate): DEL propagated,
//!                   expired_keys + 1, a stream key signalled (blocked
//!                   XREADGROUPs on it are answered -UNBLOCKED)
//!            no  ─▶ stamped with the LRU clock, unless the lookup is NOTOUCH
//!                   or the handler stamps it itself (XADD, Touch::Handler)
//!     └─ the handler: an expired key is simply not there
//! ```
//!
//! Redis makes these lookups from inside each command, so a command whose
//! own argument parsing fails before its lookup leaves an expired key in
//! place (for the next access or the active cycle to delete) and an access
//! stamp unchanged. Here the lookups happen before the handler, whatever
//! it then answers: the reply is the same either way (an expired key is
//! missing in both), but the deletion, its DEL and its `expired_keys`
//! count can come one command earlier than in Redis.
//!
//! When no key has a TTL the only cost is the stamp (one map lookup per
//! key); the TTL checks are skipped as Redis's `getExpire` skips them.
//! A master's replication link (or the AOF loader, `Session::from_master`)
//! never expires anything: Redis waits for the master's DEL.

use super::cmd::{CommandSpec, Keys, Touch};
use super::db::{Db, Value};
use super::lru;
use super::{ExecContext, Executed};

/// Expires and stamps the keys `spec` looks up in `argv`, at `ctx.now_ms`.
/// The DELs of expired keys go into `out.effects` ahead of whatever the
/// handler adds, as they enter Redis's `also_propagate` during the call.
pub fn before_command(
    db: &mut Db,
    spec: &CommandSpec,
    argv: &[Vec<u8>],
    ctx: &ExecContext,
    from_master: bool,
    out: &mut Executed,
) {
    db.keys.set_clock(lru::clock_at(ctx.now_ms));
    let expiring = !from_master && !db.keys.no_expires();
    // The common case, kept short: one key and no TTL anywhere.
    if let (Keys::One(at), false) = (spec.keys, expiring) {
        if let (Some(key), Touch::Before) = (argv.get(usize::from(at)), spec.touch) {
            db.keys.touch(key);
        }
        return;
    }
    let mut lookup = Lookup {
        db,
        now_ms: ctx.now_ms,
        expiring,
        touch: spec.touch == Touch::Before,
        out,
    };
    match spec.keys {
        Keys::None | Keys::Scan => {}
        Keys::One(at) => {
            if let Some(key) = argv.get(usize::from(at)) {
                lookup.key(key);
            }
        }
        Keys::From(at) => {
            for key in argv.iter().skip(usize::from(at)) {
                lookup.key(key);
            }
        }
        Keys::Streams => {
            for key in stream_keys(argv) {
                lookup.key(key);
            }
        }
        Keys::Rename => {
            let (Some(src), Some(dst)) = (argv.get(1), argv.get(2)) else {
                return;
            };
            // renameGenericCommand looks the destination up only once the
            // source is known to exist and to differ from it.
            lookup.key(src);
            if lookup.db.keys.contains_key(src) && src != dst {
                lookup.key(dst);
            }
        }
        Keys::Restore => {
            let replace = argv
                .iter()
                .skip(4)
                .any(|a| a.eq_ignore_ascii_case(b"REPLACE"));
            if let (false, Some(key)) = (replace, argv.get(1)) {
                lookup.key(key);
            }
        }
    }
}

/// True when one of the keys `spec` looks up in `argv` is past its TTL at
/// `now_ms` (for a read on a shared dataset, which cannot delete it).
pub fn any_expired(db: &Db, spec: &CommandSpec, argv: &[Vec<u8>], now_ms: u64) -> bool {
    if db.keys.no_expires() {
        return false;
    }
    let expired = |key: &Vec<u8>| is_expired(db, key, now_ms);
    match spec.keys {
        // SCAN treats an expired key as missing by itself.
        Keys::None | Keys::Scan => false,
        Keys::One(at) => argv.get(usize::from(at)).is_some_and(expired),
        Keys::From(at) => argv.iter().skip(usize::from(at)).any(expired),
        Keys::Streams => stream_keys(argv).iter().any(expired),
        Keys::Rename | Keys::Restore => argv.iter().skip(1).take(2).any(expired),
    }
}

/// After SCAN (`Keys::Scan`): its walk again, on the dataset it walked.
/// Each key MATCH kept is looked up as scanGenericCommand looks it up:
/// with TYPE, a counted NOTOUCH lookup (a hit, or a miss when the key has
/// expired); without it, an uncounted check. A key past its TTL is then
/// deleted (its DEL propagated bare, see `Db::execute`). SCAN counts its
/// own hits here because hits.rs, which runs after, would walk a
/// keyspace these deletions changed.
pub fn after_scan(
    db: &mut Db,
    argv: &[Vec<u8>],
    now_ms: u64,
    from_master: bool,
    count_hits: bool,
    out: &mut Executed,
) {
    // The options come in pairs after the cursor; without TYPE and
    // without a TTL anywhere there is nothing to count or delete.
    let typed = argv
        .iter()
        .skip(2)
        .step_by(2)
        .any(|a| a.eq_ignore_ascii_case(b"TYPE"));
    if !typed && db.keys.no_expires() {
        return;
    }
    let Ok(pass) = super::cmd::keys::scan_pass(db, argv) else {
        return;
    };
    let pattern = pass.pattern;
    let looked: Vec<Vec<u8>> = pass
        .visited
        .into_iter()
        .filter(|key| pattern.is_none_or(|p| super::glob::matches(p, key)))
        .cloned()
        .collect();
    let typed = pass.type_name.is_some();
    for key in looked {
        let expired = !from_master && is_expired(db, &key, now_ms);
        if typed && count_hits {
            if expired || !db.keys.contains_key(&key) {
                db.stats.keyspace_misses += 1;
            } else {
                db.stats.keyspace_hits += 1;
            }
        }
        if expired {
            delete_expired(db, &key, out);
        }
    }
}

/// True when `key` has a TTL that `now_ms` is past (`keyIsExpired`: the
/// key lives through the millisecond it expires at).
pub fn is_expired(db: &Db, key: &[u8], now_ms: u64) -> bool {
    db.keys
        .expire_at_ms(key)
        .is_some_and(|when_ms| i128::from(now_ms) > i128::from(when_ms))
}

/// Deletes `key`, past its TTL, as `deleteExpiredKeyAndPropagate` does.
pub fn delete_expired(db: &mut Db, key: &[u8], out: &mut Executed) {
    let Some(value) = db.keys.remove(key) else {
        return;
    };
    db.stats.expired_keys += 1;
    out.effects.push(vec![b"DEL".to_vec(), key.to_vec()]);
    if matches!(value, Value::Stream(_)) {
        out.signaled_keys.push(key.to_vec());
    }
}

/// One command's lookups.
struct Lookup<'a> {
    db: &'a mut Db,
    now_ms: u64,
    expiring: bool,
    touch: bool,
    out: &'a mut Executed,
}

impl Lookup<'_> {
    /// Looks `key` up: deletes it if it has expired, else stamps it.
    fn key(&mut self, key: &[u8]) {
        if self.expiring && !self.db.keys.no_expires() && is_expired(self.db, key, self.now_ms) {
            delete_expired(self.db, key, self.out);
        } else if self.touch {
            self.db.keys.touch(key);
        }
    }
}

/// The keys of XREAD / XREADGROUP: after the options, STREAMS, then as
/// many keys as IDs. A command line that does not parse names none
/// (xreadCommand fails before any lookup).
fn stream_keys(argv: &[Vec<u8>]) -> &[Vec<u8>] {
    let is = |i: usize, word: &str| argv[i].eq_ignore_ascii_case(word.as_bytes());
    let mut i = 1;
    while i < argv.len() {
        if is(i, "STREAMS") {
            let rest = argv.len() - i - 1;
            if rest % 2 != 0 {
                return &[];
            }
            return &argv[i + 1..i + 1 + rest / 2];
        }
        i += if is(i, "BLOCK") || is(i, "COUNT") {
            2
        } else if is(i, "GROUP") {
            3
        } else {
            1
        };
    }
    &[]
}

#[cfg(test)]
mod tests {
    use super::super::{Db, ExecContext, Reply, Session};

    fn run(db: &mut Db, s: &mut Session, now_ms: u64, line: &str) -> super::Executed {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        db.execute(s, &argv, &ExecContext::at(now_ms))
    }

    fn words(effects: &[Vec<Vec<u8>>]) -> Vec<String> {
        effects
            .iter()
            .map(|e| String::from_utf8_lossy(&e.join(&b' ')).into_owned())
            .collect()
    }

    #[test]
    fn a_key_lives_through_its_last_millisecond() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, 1_000, "SET k v PX 100");
        assert_eq!(run(&mut db, &mut s, 1_100, "GET k").reply, Reply::bulk("v"));
        let gone = run(&mut db, &mut s, 1_101, "GET k");
        assert_eq!(gone.reply, Reply::Nil);
        assert_eq!(words(&gone.effects), ["DEL k"]);
        assert_eq!(db.stats.expired_keys, 1);
        assert_eq!(db.stats.keyspace_misses, 1);
        assert!(db.keys.no_expires());
    }

    #[test]
    fn a_write_over_an_expired_key_propagates_its_del_first() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, 1_000, "SET k v PX 10");
        let done = run(&mut db, &mut s, 2_000, "RPUSH k a");
        assert_eq!(done.reply, Reply::Integer(1));
        assert_eq!(
            words(&done.effects),
            ["MULTI", "DEL k", "RPUSH k a", "EXEC"]
        );
    }

    #[test]
    fn an_expired_key_stays_until_looked_up() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, 1_000, "SET k v PX 10");
        run(&mut db, &mut s, 1_000, "SET other v");
        // DBSIZE and KEYS do not look keys up: the key is still counted,
        // but KEYS leaves it out (keysCommand checks keyIsExpired).
        assert_eq!(
            run(&mut db, &mut s, 5_000, "DBSIZE").reply,
            Reply::Integer(2)
        );
        assert_eq!(
            run(&mut db, &mut s, 5_000, "KEYS *").reply,
            Reply::Array(vec![Reply::bulk("other")])
        );
        assert_eq!(db.stats.expired_keys, 0);
        // A read-only query sees it missing without deleting it.
        let argv = vec![b"EXISTS".to_vec(), b"k".to_vec()];
        assert_eq!(db.query(&argv, &ExecContext::at(5_000)), Reply::Integer(0));
        assert_eq!(db.keys.len(), 2);
        assert_eq!(
            run(&mut db, &mut s, 5_000, "EXISTS k").reply,
            Reply::Integer(0)
        );
        assert_eq!(db.keys.len(), 1);
    }

    #[test]
    fn a_master_link_never_expires_a_key() {
        let mut db = Db::new();
        let mut master = Session {
            from_master: true,
            ..Session::default()
        };
        run(&mut db, &mut master, 1_000, "SET k v PXAT 1500");
        assert_eq!(
            run(&mut db, &mut master, 9_000, "GET k").reply,
            Reply::bulk("v")
        );
        let done = run(&mut db, &mut master, 9_000, "DEL k");
        assert_eq!(done.reply, Reply::Integer(1));
        assert_eq!(db.stats.expired_keys, 0);
    }

    #[test]
    fn rename_looks_up_the_destination_only_after_the_source() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, 1_000, "SET dst v PX 10");
        let done = run(&mut db, &mut s, 2_000, "RENAME nosrc dst");
        assert!(done.reply.is_error());
        assert_eq!(
            db.stats.expired_keys, 0,
            "the destination was not looked up"
        );
        run(&mut db, &mut s, 2_000, "SET src w");
        let done = run(&mut db, &mut s, 2_000, "RENAME src dst");
        assert_eq!(
            words(&done.effects),
            ["MULTI", "DEL dst", "RENAME src dst", "EXEC"]
        );
        assert_eq!(db.stats.expired_keys, 1);
    }

    #[test]
    fn stream_keys_follow_the_options() {
        let argv = |line: &str| -> Vec<Vec<u8>> {
            line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
        };
        let keys = |line: &str| -> Vec<String> {
            super::stream_keys(&argv(line))
                .iter()
                .map(|k| String::from_utf8_lossy(k).into_owned())
                .collect()
        };
        assert_eq!(keys("XREAD COUNT 1 BLOCK 0 STREAMS a b 0 0"), ["a", "b"]);
        assert_eq!(keys("XREADGROUP GROUP g c NOACK STREAMS a >"), ["a"]);
        assert!(keys("XREAD STREAMS a b 0").is_empty());
    }
}
