//! Key expiry through `Db::execute` and `Db::active_expire_cycle`, with
//! time as the argument it is: what expires when, what it propagates, and
//! what INFO says about it. Each propagation rule is the one a Redis
//! 7.0.15 AOF shows (see `redis_aof.rs` for the comparison itself).
//!
//! ```text
//!   EXPIRE / PEXPIRE / EXPIREAT   ──▶ PEXPIREAT key <ms> [flags]
//!   SET ... EX|PX|EXAT|PXAT       ──▶ SET key value PXAT <ms>
//!   GETEX ... EX|PX / PERSIST     ──▶ PEXPIREAT key <ms> / PERSIST key
//!   RESTORE key <rel ttl> ...     ──▶ RESTORE key <abs ms> ... ABSTTL
//!   a time already past           ──▶ DEL key (a deletion, not an expiry)
//!   a lookup of an expired key    ──▶ DEL key, before the command's own effect
//!                                     (MULTI ... EXEC around both)
//!   the active cycle              ──▶ one bare DEL per key
//! ```

mod common;

use common::argv;
use streamlab::engine::{Db, Effects, ExecContext, Executed, Reply, Session, invariants};

fn exec(db: &mut Db, now_ms: u64, line: &str) -> Executed {
    let words: Vec<&str> = line.split(' ').collect();
    db.execute(
        &mut Session::default(),
        &argv(&words),
        &ExecContext::at(now_ms),
    )
}

fn reply(db: &mut Db, now_ms: u64, line: &str) -> Reply {
    exec(db, now_ms, line).reply
}

fn effects(db: &mut Db, now_ms: u64, line: &str) -> Vec<String> {
    exec(db, now_ms, line)
        .effects
        .iter()
        .map(|e| String::from_utf8_lossy(&e.join(&b' ')).into_owned())
        .collect()
}

fn info_line(db: &mut Db, now_ms: u64, section: &str, field: &str) -> String {
    let Reply::Bulk(text) = reply(db, now_ms, &format!("INFO {section}")) else {
        panic!("INFO {section}");
    };
    String::from_utf8_lossy(&text)
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or("")
        .to_string()
}

#[test]
fn relative_ttls_propagate_as_absolute_times() {
    let mut db = Db::new();
    let t = 1_700_000_000_000;
    exec(&mut db, t, "SET k v");
    assert_eq!(
        effects(&mut db, t, "EXPIRE k 10"),
        [format!("PEXPIREAT k {}", t + 10_000)]
    );
    assert_eq!(effects(&mut db, t, "PEXPIRE k 10 GT"), Vec::<String>::new());
    assert_eq!(
        effects(&mut db, t, "PEXPIRE k 20000 GT"),
        [format!("PEXPIREAT k {} GT", t + 20_000)]
    );
    assert_eq!(
        effects(&mut db, t, "SET s v PX 500"),
        [format!("SET s v PXAT {}", t + 500)]
    );
    assert_eq!(effects(&mut db, t, "PERSIST k"), ["PERSIST k"]);
    assert_eq!(effects(&mut db, t, "PERSIST k"), Vec::<String>::new());
    assert_eq!(effects(&mut db, t, "EXPIREAT k 1"), ["DEL k"]);
    assert_eq!(db.stats.expired_keys, 0, "deleted by EXPIREAT, not expired");
}

#[test]
fn lazy_expiry_deletes_on_lookup_and_counts_a_miss() {
    let mut db = Db::new();
    exec(&mut db, 1_000, "SET k v PX 100");
    exec(&mut db, 1_000, "RPUSH l a");
    exec(&mut db, 1_000, "PEXPIRE l 100");
    assert_eq!(
        info_line(&mut db, 1_000, "keyspace", "db0"),
        "db0:keys=2,expires=2,avg_ttl=0"
    );
    // At its last millisecond the key is alive; one later it is not.
    assert_eq!(reply(&mut db, 1_100, "GET k"), Reply::Bulk(b"v".to_vec()));
    let done = exec(&mut db, 1_101, "GET k");
    assert_eq!(done.reply, Reply::Nil);
    assert_eq!(done.effects, vec![argv(&["DEL", "k"])]);
    assert_eq!(db.stats.expired_keys, 1);
    assert_eq!((db.stats.keyspace_hits, db.stats.keyspace_misses), (1, 1));
    // A write on an expired key: its DEL goes first, both in MULTI/EXEC.
    assert_eq!(
        effects(&mut db, 1_200, "RPUSH l b"),
        ["MULTI", "DEL l", "RPUSH l b", "EXEC"]
    );
    assert_eq!(
        reply(&mut db, 1_200, "LRANGE l 0 -1"),
        Reply::Array(vec![Reply::Bulk(b"b".to_vec())])
    );
    assert_eq!(
        reply(&mut db, 1_200, "TTL l"),
        Reply::Integer(-1),
        "a new list, no TTL"
    );
    assert_eq!(
        info_line(&mut db, 1_200, "stats", "expired_keys"),
        "expired_keys:2"
    );
    invariants::check(&db).expect("invariants");
}

#[test]
fn a_write_that_replaces_the_value_drops_the_ttl_and_an_edit_keeps_it() {
    let mut db = Db::new();
    exec(&mut db, 0, "SET k v EX 100");
    exec(&mut db, 0, "SET k w");
    assert_eq!(
        reply(&mut db, 0, "TTL k"),
        Reply::Integer(-1),
        "SET replaces"
    );
    exec(&mut db, 0, "RPUSH l a");
    exec(&mut db, 0, "EXPIRE l 100");
    exec(&mut db, 0, "RPUSH l b");
    exec(&mut db, 0, "LPOP l");
    assert_eq!(
        reply(&mut db, 0, "TTL l"),
        Reply::Integer(100),
        "edits keep it"
    );
    exec(&mut db, 0, "XADD s 1-1 f v");
    exec(&mut db, 0, "EXPIRE s 100");
    exec(&mut db, 0, "XADD s 2-1 f v");
    exec(&mut db, 0, "XTRIM s MAXLEN 0");
    assert_eq!(
        reply(&mut db, 0, "TTL s"),
        Reply::Integer(100),
        "an empty stream stays"
    );
    exec(&mut db, 0, "LPOP l");
    assert_eq!(
        reply(&mut db, 0, "TTL l"),
        Reply::Integer(-2),
        "an emptied list goes"
    );
    exec(&mut db, 0, "SET k2 v EX 100");
    exec(&mut db, 0, "RENAME k2 k3");
    assert_eq!(
        reply(&mut db, 0, "TTL k3"),
        Reply::Integer(100),
        "RENAME carries it"
    );
    exec(&mut db, 0, "DEL k3");
    exec(&mut db, 0, "SET k3 v");
    assert_eq!(
        reply(&mut db, 0, "TTL k3"),
        Reply::Integer(-1),
        "DEL took it"
    );
    invariants::check(&db).expect("invariants");
}

#[test]
fn the_active_cycle_expires_unread_keys_and_propagates_bare_dels() {
    let mut db = Db::new();
    for i in 0..5 {
        exec(&mut db, 0, &format!("SET k{i} v PX {}", 100 * (i + 1)));
    }
    exec(&mut db, 0, "SET keep v");
    let ctx = |now_ms| ExecContext::at(now_ms);
    let done = db.active_expire_cycle(&ctx(250));
    assert_eq!(done.reply, Reply::Integer(2));
    assert_eq!(
        done.effects,
        vec![argv(&["DEL", "k0"]), argv(&["DEL", "k1"])]
    );
    assert_eq!(
        info_line(&mut db, 250, "keyspace", "db0"),
        "db0:keys=4,expires=3,avg_ttl=150"
    );
    let quiet = ExecContext {
        effects: Effects::Skip,
        ..ctx(1_000)
    };
    let done = db.active_expire_cycle(&quiet);
    assert_eq!(done.reply, Reply::Integer(3));
    assert!(done.effects.is_empty());
    assert_eq!(
        info_line(&mut db, 1_000, "keyspace", "db0"),
        "db0:keys=1,expires=0,avg_ttl=0"
    );
    assert_eq!(
        info_line(&mut db, 1_000, "stats", "expired_keys"),
        "expired_keys:5"
    );
    // The first cycle sampled 5 keys (2 expired) then the 3 left again;
    // the second found 3 of 3: 5 % of 2/8, then 5 % of 1 + 95 % of that.
    assert_eq!(
        info_line(&mut db, 1_000, "stats", "expired_stale_perc"),
        "expired_stale_perc:6.19"
    );
    exec(&mut db, 1_000, "CONFIG RESETSTAT");
    assert_eq!(
        info_line(&mut db, 1_000, "stats", "expired_keys"),
        "expired_keys:0"
    );
}

#[test]
fn an_expiring_stream_signals_its_blocked_readers() {
    let mut db = Db::new();
    exec(&mut db, 0, "XADD s 1-1 f v");
    exec(&mut db, 0, "PEXPIRE s 100");
    let done = db.active_expire_cycle(&ExecContext::at(200));
    assert_eq!(done.signaled_keys, vec![b"s".to_vec()]);
    exec(&mut db, 0, "XADD t 1-1 f v");
    exec(&mut db, 0, "PEXPIRE t 100");
    // A lookup by any command signals it too (and an XREADGROUP there
    // finds no group: the key is gone).
    let done = exec(&mut db, 200, "XREADGROUP GROUP g c STREAMS t >");
    assert_eq!(done.signaled_keys, vec![b"t".to_vec()]);
    assert!(matches!(done.reply, Reply::Error(ref e) if e.starts_with("NOGROUP")));
}

#[test]
fn a_replica_link_keeps_expired_keys_until_its_master_deletes_them() {
    let mut db = Db::new();
    let mut link = Session {
        from_master: true,
        ..Session::default()
    };
    let at = |now_ms| ExecContext::at(now_ms);
    // A master propagates absolute times; one already past is stored.
    db.execute(
        &mut link,
        &argv(&["SET", "k", "v", "PXAT", "500"]),
        &at(1_000),
    );
    db.execute(&mut link, &argv(&["PEXPIREAT", "j", "1"]), &at(1_000));
    assert_eq!(db.keys.len(), 1);
    let done = db.execute(&mut link, &argv(&["GET", "k"]), &at(1_000));
    assert_eq!(
        done.reply,
        Reply::Bulk(b"v".to_vec()),
        "never expired on the link"
    );
    db.execute(&mut link, &argv(&["DEL", "k"]), &at(1_000));
    assert!(db.keys.is_empty());
    assert_eq!(db.stats.expired_keys, 0);
}

#[test]
fn scan_deletes_the_expired_keys_it_walks_and_propagates_them_bare() {
    let mut db = Db::new();
    exec(&mut db, 0, "SET a v PX 10");
    exec(&mut db, 0, "SET b v PX 10");
    exec(&mut db, 0, "SET c v");
    // A shared dataset (a viewer, the console at a run's end) can SCAN:
    // the expired keys are left out, not deleted.
    let scan = argv(&["SCAN", "0", "COUNT", "100"]);
    let shared = db.query(&scan, &ExecContext::at(100));
    assert!(
        matches!(&shared, Reply::Array(p) if p[1] == Reply::Array(vec![Reply::Bulk(b"c".to_vec())]))
    );
    assert_eq!(db.keys.len(), 3);
    let done = exec(&mut db, 100, "SCAN 0 COUNT 100");
    assert_eq!(done.effects.len(), 2, "{:?}", done.effects);
    assert!(
        done.effects.iter().all(|e| e[0] == b"DEL"),
        "no MULTI around them"
    );
    let Reply::Array(parts) = done.reply else {
        panic!("SCAN reply")
    };
    assert_eq!(parts[1], Reply::Array(vec![Reply::Bulk(b"c".to_vec())]));
    assert_eq!(db.stats.expired_keys, 2);
}

#[test]
fn idle_time_follows_the_lookups_that_touch() {
    let mut db = Db::new();
    exec(&mut db, 0, "RPUSH l a");
    exec(&mut db, 0, "SET s 1");
    assert_eq!(
        reply(&mut db, 60_000, "OBJECT IDLETIME l"),
        Reply::Integer(60)
    );
    exec(&mut db, 60_000, "LLEN l");
    exec(&mut db, 60_000, "EXPIRE s 1000");
    exec(&mut db, 70_000, "EXISTS l s");
    exec(&mut db, 70_000, "TTL s");
    assert_eq!(
        reply(&mut db, 90_000, "OBJECT IDLETIME l"),
        Reply::Integer(30)
    );
    assert_eq!(
        reply(&mut db, 90_000, "OBJECT IDLETIME s"),
        Reply::Integer(30)
    );
    // RENAME looks the source up (touching it); the value moves with its stamp.
    exec(&mut db, 100_000, "RENAME l m");
    assert_eq!(
        reply(&mut db, 105_000, "OBJECT IDLETIME m"),
        Reply::Integer(5)
    );
    // XADD stamps at its own lookup, after parsing: a refused line does not.
    exec(&mut db, 100_000, "XADD x 1-1 f v");
    exec(&mut db, 110_000, "XADD x MAXLEN notanumber * f v");
    assert_eq!(
        reply(&mut db, 120_000, "OBJECT IDLETIME x"),
        Reply::Integer(20)
    );
    exec(&mut db, 120_000, "XADD x 1-1 f v");
    assert_eq!(
        reply(&mut db, 125_000, "OBJECT IDLETIME x"),
        Reply::Integer(5),
        "an ID too small: still looked up"
    );
    let freq = reply(&mut db, 105_000, "OBJECT FREQ m");
    assert!(
        matches!(freq, Reply::Error(ref e) if e.contains("LFU maxmemory policy is not selected"))
    );
}
