//! The change counter behind RDB save points (`Executed::dirty`, Redis's
//! `server.dirty`) against a session recorded on redis-server 7.0.15:
//! INFO persistence `rdb_changes_since_last_save` after every command.
//!
//! ```text
//!   XADD            +1            XACK n IDs        +acked
//!   XGROUP CREATE   +1            XREADGROUP        +1 per served key, +1 per new consumer
//!   a '>' read with nothing new   +0 (and no consumer is created)
//!   a blocked read served later   +0 for the read, +1 if it creates the consumer
//!   XAUTOCLAIM      +1 per claimed ID, +1 for a new claimer
//! ```

use streamlab::engine::{Db, ExecContext, Session};

fn argv(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

struct Counter {
    db: Db,
    total: u64,
    now_ms: u64,
}

impl Counter {
    fn run(&mut self, session: &mut Session, line: &str) -> u64 {
        self.now_ms += 1;
        let ex = self
            .db
            .execute(session, &argv(line), &ExecContext::at(self.now_ms));
        assert!(!ex.reply.is_error(), "{line}: {:?}", ex.reply);
        self.total += ex.dirty;
        self.total
    }
}

#[test]
fn dirty_counts_what_redis_7_0_15_counts() {
    let mut c = Counter {
        db: Db::new(),
        total: 0,
        now_ms: 1_700_000_000_000,
    };
    let mut s = Session::default();
    for n in 1..=3 {
        c.run(&mut s, &format!("XADD s {n}-0 m {n}"));
    }
    assert_eq!(c.total, 3);
    assert_eq!(c.run(&mut s, "XGROUP CREATE s g 0"), 4);
    // Three entries to a consumer the read creates: 1 for the read, 1 for c.
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c COUNT 10 STREAMS s >"),
        6
    );
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c COUNT 10 STREAMS s >"),
        6
    );
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c COUNT 10 STREAMS s 0"),
        7
    );
    assert_eq!(c.run(&mut s, "XACK s g 1-0 2-0 3-0"), 10);
    assert_eq!(c.run(&mut s, "XACK s g 1-0 2-0 3-0"), 10);
    // Nothing new: the consumer is not even created.
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c2 COUNT 10 STREAMS s >"),
        10
    );
    // A history read is always served: c2 is created, and the read counts.
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c2 COUNT 10 STREAMS s 0"),
        12
    );
    for n in 4..=13 {
        c.run(&mut s, &format!("XADD s {n}-0 m {n}"));
    }
    assert_eq!(c.total, 22);
    // Ten entries in one call: one change.
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c COUNT 10 STREAMS s >"),
        23
    );
    // A read that blocked and is served when the XADD arrives adds nothing.
    let mut blocked = Session::default();
    assert_eq!(
        c.run(
            &mut blocked,
            "XREADGROUP GROUP g c BLOCK 5000 COUNT 10 STREAMS s >"
        ),
        23
    );
    assert_eq!(c.run(&mut s, "XADD s 14-0 m 14"), 24);
    blocked.serving_blocked = true;
    assert_eq!(
        c.run(&mut blocked, "XREADGROUP GROUP g c COUNT 10 STREAMS s >"),
        24
    );
    // ... except for the consumer it creates.
    blocked.serving_blocked = false;
    c.run(
        &mut blocked,
        "XREADGROUP GROUP g c9 BLOCK 5000 COUNT 10 STREAMS s >",
    );
    assert_eq!(c.run(&mut s, "XADD s 15-0 m 15"), 25);
    blocked.serving_blocked = true;
    assert_eq!(
        c.run(&mut blocked, "XREADGROUP GROUP g c9 COUNT 10 STREAMS s >"),
        26
    );
    assert_eq!(c.run(&mut s, "XADD s 16-0 m 16"), 27);
    assert_eq!(
        c.run(&mut s, "XREADGROUP GROUP g c NOACK COUNT 10 STREAMS s >"),
        28
    );
    // Twelve pending entries move to a new claimer: 12 + 1.
    assert_eq!(c.run(&mut s, "XAUTOCLAIM s g c3 0 0 COUNT 100"), 41);
}
