//! Differential test: the same random command lines sent to a real
//! redis-server and to the engine must get the same replies.
//!
//! ```text
//!   seed ─▶ Gen ─▶ argv ─▶ make it clock-free ─┬─▶ redis-server (private port) ─▶ RESP
//!                                               └─▶ Db::execute ─────────────────▶ Reply
//!                     mask what depends on the wall clock, then compare exactly
//! ```
//!
//! Redis reads its own clock, so commands are made clock-free first: `*`
//! IDs become `<now>-*`, BLOCK is dropped, every min-idle (XCLAIM,
//! XAUTOCLAIM, XPENDING IDLE) is 0. What still carries a time — delivery
//! times, idle times, seen times in XPENDING and XINFO — is blanked on
//! both sides. Everything else, error strings included, must be equal.
//! The test starts its own server and skips (saying why) when
//! redis-server is missing; `ENGINE_SEED` pins the seed,
//! `ENGINE_REDIS_PORT` the port.

mod common;

use common::redis::{Conn, clock_free, idle_classes, start_redis};
use common::{Gen, show};
use streamlab::engine::{Db, ExecContext, Reply, Session};

fn blank(r: &mut Reply) {
    *r = Reply::Integer(-7);
}

/// Blanks every value that carries a wall-clock time.
fn mask(argv: &[Vec<u8>], reply: &mut Reply) {
    let name = argv[0].to_ascii_uppercase();
    let sub = argv
        .get(1)
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_default();
    match (name.as_slice(), sub.as_slice()) {
        (b"XPENDING", _) if argv.len() > 3 => {
            // Extended form: [id, consumer, idle, count] rows.
            if let Reply::Array(rows) = reply {
                for row in rows {
                    if let Reply::Array(cells) = row
                        && cells.len() == 4
                    {
                        blank(&mut cells[2]);
                    }
                }
            }
        }
        (b"XINFO", _) => mask_info(reply),
        (b"EXEC", _) => {
            // Replies of queued commands: mask what each would mask; the
            // lines are not known here, so mask the XINFO-like shapes.
            if let Reply::Array(items) = reply {
                for item in items {
                    mask_info(item);
                    mask_pending_rows(item);
                }
            }
        }
        _ => {}
    }
}

fn mask_pending_rows(reply: &mut Reply) {
    if let Reply::Array(rows) = reply {
        for row in rows {
            if let Reply::Array(cells) = row {
                let looks_pending = cells.len() == 4
                    && matches!(cells[2], Reply::Integer(_))
                    && matches!(cells[3], Reply::Integer(_))
                    && matches!(cells[1], Reply::Bulk(_));
                if looks_pending {
                    blank(&mut cells[2]);
                }
            }
        }
    }
}

/// XINFO replies: `seen-time` and `idle` values, and the delivery time in
/// FULL's pending rows (group rows [id, consumer, time, count], consumer
/// rows [id, time, count]).
fn mask_info(reply: &mut Reply) {
    let Reply::Array(items) = reply else { return };
    for i in 0..items.len() {
        let key = match &items[i] {
            Reply::Bulk(b) => b.clone(),
            _ => Vec::new(),
        };
        if i + 1 >= items.len() {
            break;
        }
        match key.as_slice() {
            b"seen-time" | b"idle" => blank(&mut items[i + 1]),
            b"pending" => {
                if let Reply::Array(rows) = &mut items[i + 1] {
                    for row in rows {
                        if let Reply::Array(cells) = row {
                            let at = cells.len() - 2;
                            blank(&mut cells[at]);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for item in items.iter_mut() {
        mask_info(item);
    }
}

/// How generated lines are made comparable, and the engine's start time.
#[derive(Clone, Copy)]
enum Clock {
    /// Every min-idle 0; engine time starts at 1.
    Free,
    /// Min-idle thresholds that split fresh from ancient deliveries;
    /// engine time starts far from 0 (Redis runs on its wall clock).
    IdleClasses,
}

fn run_seed(conn: &mut Conn, seed: u64, clock: Clock) {
    let reset: Vec<Vec<u8>> = common::argv(&[
        "CONFIG",
        "SET",
        "stream-node-max-entries",
        "100",
        "stream-node-max-bytes",
        "4096",
    ]);
    conn.call(&common::argv(&["FLUSHALL"]));
    conn.call(&reset);
    let mut db = Db::new();
    let mut session = Session::default();
    let mut g = Gen::new(seed);
    let mut now_ms = match clock {
        Clock::Free => 1,
        Clock::IdleClasses => 1_000_000_000_000,
    };
    let mut log: Vec<String> = Vec::new();
    for step in 0..300 {
        now_ms += g.rng.below(3);
        let argv = match clock {
            Clock::Free => clock_free(g.command(now_ms), now_ms),
            Clock::IdleClasses => idle_classes(g.command(now_ms), now_ms),
        };
        let mut want = conn.call(&argv);
        let mut got = db
            .execute(&mut session, &argv, &ExecContext::at(now_ms))
            .reply;
        g.observe(&want);
        if let Err(e) = streamlab::engine::invariants::check(&db) {
            panic!("seed {seed} step {step}: {}: {e}", show(&argv));
        }
        mask(&argv, &mut want);
        mask(&argv, &mut got);
        log.push(format!("[{step}] {}", show(&argv)));
        if got != want {
            let from = log.len().saturating_sub(30);
            panic!(
                "seed {seed} step {step}: {}\nredis:\n{}\nengine:\n{}\nlast commands:\n{}",
                show(&argv),
                want.to_cli_text(),
                got.to_cli_text(),
                log[from..].join("\n")
            );
        }
    }
    // Leave no transaction open for the next seed.
    if session.multi.is_some() {
        conn.call(&common::argv(&["DISCARD"]));
    }
}

#[test]
fn engine_replies_match_redis() {
    let Some((_server, mut conn)) = start_redis(&["--appendonly", "no"]) else {
        return;
    };
    for seed in common::seeds(0xd1ff_0001, 60) {
        run_seed(&mut conn, seed, Clock::Free);
    }
}

#[test]
fn idle_thresholds_match_redis() {
    let Some((_server, mut conn)) = start_redis(&["--appendonly", "no"]) else {
        return;
    };
    for seed in common::seeds(0x1d1e_0001, 30) {
        run_seed(&mut conn, seed, Clock::IdleClasses);
    }
}
