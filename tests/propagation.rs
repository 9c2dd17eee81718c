//! What the engine propagates (`Executed.effects`): one unit test per
//! rule, each checked against what a Redis 7.0.15 AOF holds for the same
//! commands.
//!
//! ```text
//!   client argv ──▶ Db::execute ──▶ effects ──▶ (AOF / replicas)
//!     XADD ... *            ──▶ XADD ... <resolved id>
//!     XADD/XTRIM ... ~ n    ──▶ ... = <what was kept>   (LIMIT stays)
//!     XREADGROUP ... >      ──▶ XCLAIM ... TIME t RETRYCOUNT n FORCE JUSTID LASTID id
//!     ... NOACK             ──▶ XGROUP CREATECONSUMER / XGROUP SETID ... ENTRIESREAD n
//!     history read          ──▶ nothing
//!     several effects       ──▶ MULTI ... EXEC
//! ```
//!
//! The replica property built on these lives in `replica_replay.rs`.
mod common;

use common::{argv, bulk, run};
use streamlab::engine::{Db, ExecContext, Reply, Session};

fn words(effect: &[Vec<u8>]) -> Vec<String> {
    effect
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

fn effects(db: &mut Db, now_ms: u64, line: &[&str]) -> Vec<Vec<String>> {
    run(db, now_ms, line)
        .effects
        .iter()
        .map(|e| words(e))
        .collect()
}

fn strs(line: &[&str]) -> Vec<String> {
    line.iter().map(|s| s.to_string()).collect()
}

#[test]
fn xadd_star_is_resolved_and_approx_trim_made_exact() {
    let mut db = Db::new();
    assert_eq!(
        effects(&mut db, 1000, &["XADD", "s", "*", "f", "v"]),
        vec![strs(&["XADD", "s", "1000-0", "f", "v"])]
    );
    assert_eq!(
        effects(&mut db, 1000, &["XADD", "s", "1000-*", "f", "v"]),
        vec![strs(&["XADD", "s", "1000-1", "f", "v"])]
    );
    // `~` becomes `=` with the length actually kept (nothing trimmed here:
    // one node, fewer entries than a node holds).
    assert_eq!(
        effects(
            &mut db,
            1001,
            &["XADD", "s", "MAXLEN", "~", "1", "*", "f", "v"]
        ),
        vec![strs(&["XADD", "s", "MAXLEN", "=", "3", "1001-0", "f", "v"])]
    );
    // MINID ~ becomes `=` with the first entry ID (tombstones included).
    run(&mut db, 1001, &["XDEL", "s", "1000-0"]);
    assert_eq!(
        effects(
            &mut db,
            1002,
            &["XADD", "s", "MINID", "~", "1002", "*", "f", "v"]
        ),
        vec![strs(&[
            "XADD", "s", "MINID", "=", "1000-0", "1002-0", "f", "v"
        ])]
    );
    // Exact trims and explicit IDs are propagated as given.
    assert_eq!(
        effects(
            &mut db,
            1003,
            &["XADD", "s", "MAXLEN", "2", "5000-1", "f", "v"]
        ),
        vec![strs(&["XADD", "s", "MAXLEN", "2", "5000-1", "f", "v"])]
    );
    // Errors propagate nothing.
    assert!(effects(&mut db, 1003, &["XADD", "s", "1-1", "f", "v"]).is_empty());
}

#[test]
fn a_master_link_accepts_the_limit_its_master_propagates() {
    // Redis keeps LIMIT in the rewritten `MAXLEN = n LIMIT l` (checked in a
    // 7.0.15 AOF); only a client that must be obeyed may send that.
    let line = argv(&[
        "XADD", "s", "MAXLEN", "=", "1", "LIMIT", "4", "1-0", "f", "v",
    ]);
    let ctx = ExecContext::at(1);
    let mut db = Db::new();
    let normal = db.execute(&mut Session::default(), &line, &ctx);
    assert_eq!(
        normal.reply,
        Reply::err("ERR syntax error, LIMIT cannot be used without the special ~ option")
    );
    let mut link = Session {
        from_master: true,
        ..Session::default()
    };
    assert_eq!(db.execute(&mut link, &line, &ctx).reply, bulk("1-0"));
    // And it trims without a cap: 3 more entries, one node each, all go.
    db.config.node_limits.max_entries = 1;
    for id in ["2-0", "3-0", "4-0"] {
        run(&mut db, 1, &["XADD", "s", id, "f", "v"]);
    }
    let trim = argv(&["XTRIM", "s", "MAXLEN", "=", "1", "LIMIT", "1"]);
    assert_eq!(db.execute(&mut link, &trim, &ctx).reply, Reply::Integer(3));
}

#[test]
fn xtrim_propagates_only_when_it_removes() {
    let mut db = Db::new();
    run(
        &mut db,
        1,
        &["CONFIG", "SET", "stream-node-max-entries", "2"],
    );
    for id in ["1-0", "2-0", "3-0", "4-0", "5-0"] {
        run(&mut db, 1, &["XADD", "s", id, "f", "v"]);
    }
    assert!(effects(&mut db, 1, &["XTRIM", "s", "MAXLEN", "9"]).is_empty());
    // Approx: only the whole first node (1-0 2-0) goes; rewritten exact.
    assert_eq!(
        effects(&mut db, 1, &["XTRIM", "s", "MAXLEN", "~", "2"]),
        vec![strs(&["XTRIM", "s", "MAXLEN", "=", "3"])]
    );
    assert_eq!(
        effects(&mut db, 1, &["XTRIM", "s", "MINID", "~", "5-0"]),
        vec![strs(&["XTRIM", "s", "MINID", "=", "5-0"])]
    );
}

fn claim_effect(consumer: &str, id: &str, time: u64, count: u64, last: &str) -> Vec<String> {
    let (time, count) = (time.to_string(), count.to_string());
    strs(&[
        "XCLAIM",
        "s",
        "g",
        consumer,
        "0",
        id,
        "TIME",
        &time,
        "RETRYCOUNT",
        &count,
        "FORCE",
        "JUSTID",
        "LASTID",
        last,
    ])
}

fn group_with_entries(db: &mut Db) {
    for id in ["1-0", "2-0", "3-0"] {
        run(db, 10, &["XADD", "s", id, "f", "v"]);
    }
    run(db, 10, &["XGROUP", "CREATE", "s", "g", "0"]);
}

#[test]
fn xreadgroup_propagates_one_xclaim_per_delivery() {
    let mut db = Db::new();
    group_with_entries(&mut db);
    let got = effects(
        &mut db,
        50,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "alice",
            "COUNT",
            "2",
            "STREAMS",
            "s",
            ">",
        ],
    );
    // Two effects of one command travel as a transaction (7.0.15 AOF).
    assert_eq!(
        got,
        vec![
            strs(&["MULTI"]),
            claim_effect("alice", "1-0", 50, 1, "1-0"),
            claim_effect("alice", "2-0", 50, 1, "2-0"),
            strs(&["EXEC"]),
        ]
    );
    assert_eq!(
        effects(
            &mut db,
            55,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "bob",
                "COUNT",
                "1",
                "STREAMS",
                "s",
                ">"
            ],
        ),
        vec![claim_effect("bob", "3-0", 55, 1, "3-0")]
    );
    // History reads bump delivery counts on the master only.
    let history = run(
        &mut db,
        60,
        &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
    );
    assert!(history.effects.is_empty());
    let Reply::Array(items) = &history.reply else {
        panic!("{:?}", history.reply)
    };
    assert_eq!(items.len(), 1);
    let pending = run(
        &mut db,
        60,
        &["XPENDING", "s", "g", "-", "+", "10", "alice"],
    )
    .reply;
    assert_eq!(
        pending.to_cli_text(),
        "1) 1) \"1-0\"\n   2) \"alice\"\n   3) (integer) 0\n   4) (integer) 2\n\
         2) 1) \"2-0\"\n   2) \"alice\"\n   3) (integer) 0\n   4) (integer) 2"
    );
    // Nothing new to read: nothing propagated.
    run(
        &mut db,
        60,
        &["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"],
    );
    assert!(
        effects(
            &mut db,
            61,
            &["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"]
        )
        .is_empty()
    );
}

#[test]
fn noack_propagates_consumer_creation_and_setid() {
    let mut db = Db::new();
    group_with_entries(&mut db);
    assert_eq!(
        effects(
            &mut db,
            70,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "carol",
                "NOACK",
                "STREAMS",
                "s",
                ">"
            ],
        ),
        vec![
            strs(&["MULTI"]),
            strs(&["XGROUP", "CREATECONSUMER", "s", "g", "carol"]),
            strs(&["XGROUP", "SETID", "s", "g", "3-0", "ENTRIESREAD", "3"]),
            strs(&["EXEC"]),
        ]
    );
}

#[test]
fn claims_of_deleted_entries_propagate_the_removal() {
    let mut db = Db::new();
    group_with_entries(&mut db);
    run(
        &mut db,
        20,
        &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
    );
    run(&mut db, 21, &["XDEL", "s", "2-0"]);
    // XAUTOCLAIM drops 2-0 and says so with the old owner's XCLAIM.
    let done = run(
        &mut db,
        40,
        &["XAUTOCLAIM", "s", "g", "bob", "10", "0", "COUNT", "2"],
    );
    assert_eq!(
        done.effects.iter().map(|e| words(e)).collect::<Vec<_>>(),
        vec![
            strs(&["MULTI"]),
            claim_effect("bob", "1-0", 40, 2, "3-0"),
            claim_effect("alice", "2-0", 20, 1, "3-0"),
            strs(&["EXEC"]),
        ]
    );
    assert_eq!(
        done.reply,
        Reply::Array(vec![
            bulk("3-0"),
            Reply::Array(vec![Reply::Array(vec![
                bulk("1-0"),
                Reply::Array(vec![bulk("f"), bulk("v")])
            ])]),
            Reply::Array(vec![bulk("2-0")]),
        ])
    );
    // XCLAIM of a deleted pending entry does the same.
    run(&mut db, 41, &["XDEL", "s", "3-0"]);
    assert_eq!(
        effects(&mut db, 42, &["XCLAIM", "s", "g", "bob", "0", "3-0"]),
        vec![claim_effect("alice", "3-0", 20, 1, "3-0")]
    );
}

#[test]
fn xclaim_lastid_alone_propagates_setid() {
    let mut db = Db::new();
    group_with_entries(&mut db);
    assert_eq!(
        effects(
            &mut db,
            5,
            &["XCLAIM", "s", "g", "bob", "0", "9-9", "LASTID", "2-0"]
        ),
        vec![strs(&[
            "XGROUP",
            "SETID",
            "s",
            "g",
            "2-0",
            "ENTRIESREAD",
            "-1"
        ])]
    );
}

#[test]
fn multi_exec_wraps_effects() {
    let mut db = Db::new();
    let mut session = Session::default();
    let ctx = ExecContext::at(100);
    for line in [
        vec!["MULTI"],
        vec!["XADD", "s", "*", "f", "v"],
        vec!["XLEN", "s"],
        vec!["XADD", "s", "*", "f", "w"],
    ] {
        let done = db.execute(&mut session, &argv(&line), &ctx);
        assert!(done.effects.is_empty());
    }
    let done = db.execute(&mut session, &argv(&["EXEC"]), &ctx);
    assert_eq!(
        done.effects.iter().map(|e| words(e)).collect::<Vec<_>>(),
        vec![
            strs(&["MULTI"]),
            strs(&["XADD", "s", "100-0", "f", "v"]),
            strs(&["XADD", "s", "100-1", "f", "w"]),
            strs(&["EXEC"]),
        ]
    );
    // A transaction of reads propagates nothing at all, and one with a
    // single write propagates it bare (propagatePendingCommands).
    db.execute(&mut session, &argv(&["MULTI"]), &ctx);
    db.execute(&mut session, &argv(&["XLEN", "s"]), &ctx);
    let done = db.execute(&mut session, &argv(&["EXEC"]), &ctx);
    assert!(done.effects.is_empty());
    db.execute(&mut session, &argv(&["MULTI"]), &ctx);
    db.execute(&mut session, &argv(&["XADD", "s", "200-0", "f", "v"]), &ctx);
    db.execute(&mut session, &argv(&["XLEN", "s"]), &ctx);
    let done = db.execute(&mut session, &argv(&["EXEC"]), &ctx);
    assert_eq!(
        done.effects.iter().map(|e| words(e)).collect::<Vec<_>>(),
        vec![strs(&["XADD", "s", "200-0", "f", "v"])]
    );
}

#[test]
fn xclaim_propagates_ids_as_the_client_spelled_them() {
    // A 7.0.15 AOF after 'XCLAIM s g d 0 2 FORCE' holds 'XCLAIM s g d 0 2
    // TIME .. RETRYCOUNT 2 FORCE JUSTID LASTID 2-0': the argument itself.
    let mut db = Db::new();
    group_with_entries(&mut db);
    assert_eq!(
        effects(&mut db, 30, &["XCLAIM", "s", "g", "d", "0", "2", "FORCE"]),
        vec![claim_effect("d", "2", 30, 2, "0-0")]
    );
    run(&mut db, 31, &["XDEL", "s", "2-0"]);
    assert_eq!(
        effects(&mut db, 32, &["XCLAIM", "s", "g", "e", "0", "1-0", "2"]),
        vec![claim_effect("d", "2", 30, 2, "0-0")]
    );
}

#[test]
fn xgroup_create_propagates_verbatim() {
    let mut db = Db::new();
    run(&mut db, 1, &["XADD", "s", "5-0", "f", "v"]);
    assert_eq!(
        effects(&mut db, 1, &["XGROUP", "CREATE", "s", "g", "$"]),
        vec![strs(&["XGROUP", "CREATE", "s", "g", "$"])]
    );
    assert_eq!(
        effects(&mut db, 1, &["XGROUP", "CREATE", "t", "g", "0", "MKSTREAM"]),
        vec![strs(&["XGROUP", "CREATE", "t", "g", "0", "MKSTREAM"])]
    );
}

#[test]
fn trim_freeing_only_tombstones_is_not_propagated() {
    // The same lines on a real 7.0.15 master/replica pair leave the master
    // with radix-tree-keys 1 and the replica with 2.
    let mut db = Db::new();
    db.config.node_limits.max_entries = 2;
    for id in ["1-0", "2-0", "3-0"] {
        run(&mut db, 1, &["XADD", "w", id, "f", "v"]);
    }
    run(&mut db, 1, &["XDEL", "w", "2-0"]);
    assert_eq!(
        effects(&mut db, 1, &["XTRIM", "w", "MINID", "2-0"]),
        vec![strs(&["XTRIM", "w", "MINID", "2-0"])]
    );
    // The head node now holds only tombstones; this trim frees it and
    // removes no entry, so nothing is propagated.
    let done = run(&mut db, 1, &["XTRIM", "w", "MINID", "2-1"]);
    assert_eq!(done.reply, Reply::Integer(0));
    assert!(done.effects.is_empty());
    let info = run(&mut db, 1, &["XINFO", "STREAM", "w"]).reply;
    let Reply::Array(items) = info else { panic!() };
    assert_eq!(items[3], Reply::Integer(1), "radix-tree-keys");
}

#[test]
fn noack_history_read_still_announces_a_new_consumer() {
    // In a 7.0.15 AOF, 'XREADGROUP GROUP g2 c2 NOACK STREAMS s1 23-2' by a
    // new consumer leaves 'XGROUP CREATECONSUMER s1 g2 c2'.
    let mut db = Db::new();
    group_with_entries(&mut db);
    assert_eq!(
        effects(
            &mut db,
            5,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "dan",
                "NOACK",
                "STREAMS",
                "s",
                "0"
            ],
        ),
        vec![strs(&["XGROUP", "CREATECONSUMER", "s", "g", "dan"])]
    );
    // Known now: nothing more to announce.
    assert!(
        effects(
            &mut db,
            6,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "dan",
                "NOACK",
                "STREAMS",
                "s",
                "0"
            ],
        )
        .is_empty()
    );
}
