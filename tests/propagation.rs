//! What the engine propagates (`Executed.effects`), and the property the
//! simulator's replication relies on: replaying a master's effects on a
//! second Db yields the same stream state.
//!
//! ```text
//!   master Db ── execute(argv, now) ──▶ reply + effects ──┐
//!                                                          ▼
//!   replica Db ◀──────────── execute(effect, same now) for each effect
//!
//!   after every command: XINFO STREAM key FULL COUNT 0 on both must agree
//! ```
//!
//! Three things Redis 7.0.15 itself does not propagate are kept out of
//! the comparison, each for a reason in t_stream.c:
//! - XREADGROUP history reads: their delivery-count bumps and the
//!   consumers they create stay on the master (XREADGROUP calls
//!   preventCommandPropagation and emits nothing for them);
//! - consumers' seen-time: refreshed by every lookup, propagated by none;
//! - groups' entries-read (and the lag computed from it): XREADGROUP
//!   propagates XCLAIM ... LASTID, which moves last_id but not
//!   entries_read, so 7.0.15 replicas drift (redis/redis#10569, fixed
//!   after 7.0 by redis/redis#12898). The engine keeps 7.0.15's drift.

mod common;

use common::{Gen, argv, bulk, run, show};
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

/// Blanks the fields 7.0.15 does not replicate (see the module doc).
fn mask_unreplicated(reply: &mut Reply) {
    if let Reply::Array(items) = reply {
        for i in 0..items.len() {
            let masked = ["seen-time", "entries-read", "lag"]
                .iter()
                .any(|name| items[i] == bulk(name));
            if masked && i + 1 < items.len() {
                items[i + 1] = Reply::Integer(0);
            }
        }
        for item in items.iter_mut() {
            mask_unreplicated(item);
        }
    }
}

fn full_state(db: &mut Db, now_ms: u64) -> Vec<(Vec<u8>, Reply)> {
    let keys: Vec<Vec<u8>> = db.keys.keys().cloned().collect();
    keys.into_iter()
        .map(|k| {
            let line = vec![
                b"XINFO".to_vec(),
                b"STREAM".to_vec(),
                k.clone(),
                b"FULL".to_vec(),
                b"COUNT".to_vec(),
                b"0".to_vec(),
            ];
            let mut r = db
                .execute(&mut Session::default(), &line, &ExecContext::at(now_ms))
                .reply;
            mask_unreplicated(&mut r);
            (k, r)
        })
        .collect()
}

/// The first differing lines of the two states, as redis-cli prints them.
fn diff(master: &[(Vec<u8>, Reply)], replica: &[(Vec<u8>, Reply)]) -> String {
    let text = |state: &[(Vec<u8>, Reply)]| -> Vec<String> {
        let mut lines = Vec::new();
        for (k, r) in state {
            lines.push(format!("key {}", String::from_utf8_lossy(k)));
            lines.extend(r.to_cli_text().lines().map(str::to_string));
        }
        lines
    };
    let (a, b) = (text(master), text(replica));
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = first.saturating_sub(8);
    format!(
        "master:\n{}\nreplica:\n{}",
        a[from..(first + 8).min(a.len())].join("\n"),
        b[from..(first + 8).min(b.len())].join("\n")
    )
}

fn is_history_read(line: &[Vec<u8>]) -> bool {
    line.first()
        .map(|c| c.eq_ignore_ascii_case(b"XREADGROUP"))
        .unwrap_or(false)
        && line.last().map(|id| id != b">").unwrap_or(false)
}

#[test]
fn replaying_effects_reproduces_the_master() {
    for seed in common::seeds(0x7e9_11ca, 16) {
        let mut g = Gen::new(seed);
        let mut master = Db::new();
        let mut replica = Db::new();
        let mut session = Session::default();
        let mut link = Session {
            from_master: true,
            ..Session::default()
        };
        let mut now_ms = 1;
        let mut log: Vec<String> = Vec::new();
        for step in 0..400 {
            now_ms += g.rng.below(3);
            let line = g.command(now_ms);
            // A history read inside MULTI is still a history read.
            if is_history_read(&line) {
                continue;
            }
            // CONFIG is not propagated: the test sets both servers alike,
            // which it cannot do in the middle of a replayed transaction.
            let config = line[0].eq_ignore_ascii_case(b"CONFIG");
            if config && session.multi.is_some() {
                continue;
            }
            let ctx = ExecContext::at(now_ms);
            let done = master.execute(&mut session, &line, &ctx);
            log.push(format!("[{step}] t={now_ms} {}", show(&line)));
            if config {
                replica.config = master.config;
            }
            for effect in &done.effects {
                log.push(format!("    -> {}", show(effect)));
                let r = replica.execute(&mut link, effect, &ctx);
                let failed = match &r.reply {
                    Reply::Error(_) => true,
                    Reply::Array(items) if effect[0] == b"EXEC" => {
                        items.iter().any(Reply::is_error)
                    }
                    _ => false,
                };
                assert!(
                    !failed,
                    "seed {seed} step {step}: effect {} fails on the replica: {:?}\n{}",
                    show(effect),
                    r.reply,
                    log[log.len().saturating_sub(30)..].join("\n")
                );
            }
            if session.multi.is_some() {
                continue;
            }
            let (a, b) = (
                full_state(&mut master, now_ms),
                full_state(&mut replica, now_ms),
            );
            if a != b {
                panic!(
                    "seed {seed} step {step}: replica differs\n{}\n{}",
                    diff(&a, &b),
                    log[log.len().saturating_sub(30)..].join("\n")
                );
            }
        }
    }
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
