//! The live view against a real redis-server: streams, groups, consumers
//! and pending entries read with read-only commands and rebuilt in the
//! engine answer XINFO and XPENDING as the server does.
//!
//! ```text
//!   redis-server ◀── XADD / XGROUP / XREADGROUP / XACK / XDEL (the test)
//!        │ live::snapshot (read-only)
//!        ▼
//!   Scenario ─▶ Simulation::run ─▶ the engine ══ XINFO STREAM, XINFO GROUPS, XPENDING ══ redis-server
//! ```

mod support;

use std::sync::Arc;

use streamlab::engine::{ExecContext, Reply, Session};
use streamlab::live::resp::Client;
use streamlab::sim::{RunOptions, Simulation};

fn call(c: &mut Client, line: &str) -> Reply {
    let args: Vec<&str> = line.split(' ').collect();
    c.cmd(&args).unwrap()
}

/// Each consumer of an XINFO CONSUMERS reply: (name, pending, idle ms).
fn consumers(r: &Reply) -> Vec<(String, i64, i64)> {
    let Reply::Array(all) = r else {
        panic!("{r:?}")
    };
    all.iter()
        .map(|c| {
            let Reply::Array(kv) = c else { panic!("{c:?}") };
            let get = |k: &str| {
                kv.chunks(2)
                    .find(|p| p[0] == Reply::bulk(k))
                    .map(|p| p[1].clone())
                    .unwrap()
            };
            let (Reply::Bulk(n), Reply::Integer(p), Reply::Integer(i)) =
                (get("name"), get("pending"), get("idle"))
            else {
                panic!("{c:?}")
            };
            (String::from_utf8(n).unwrap(), p, i)
        })
        .collect()
}

/// The server's idle times are read after the snapshot, so they run ahead
/// of the rebuilt ones by the time between the two reads.
const READ_SKEW_MS: i64 = 250;
/// And may trail them by a millisecond: the rebuilt run's clock can stand
/// one millisecond past the snapshot's moment (TIME's microseconds are
/// cut, and the run ends at the end of its last millisecond).
const CLOCK_GRAIN_MS: i64 = 1;

#[test]
fn a_live_server_read_into_the_engine_answers_as_the_server() {
    let Some(server) = support::reference_server("the live view") else {
        return;
    };
    let mut c = Client::connect("127.0.0.1", server.port).unwrap();
    for line in [
        "XADD orders 1-0 m 1 item apple",
        "XADD orders 2-0 m 2 item pear",
        "XADD orders 3-0 m 3 item plum",
        "XADD orders 4-0 m 4 item fig",
        "XADD orders 5-0 m 5 item kiwi",
        "XGROUP CREATE orders g 0",
        "XREADGROUP GROUP g c1 COUNT 2 STREAMS orders >",
        "SLEEP",
        "XREADGROUP GROUP g c2 COUNT 2 STREAMS orders >",
        "SLEEP",
        "XACK orders g 1-0",
        "XDEL orders 5-0",
        "XGROUP CREATE orders audit $",
        "XADD other 9-9 a b",
        "RPUSH alist x",
    ] {
        if line == "SLEEP" {
            // Distinct idle times for c1 and c2.
            std::thread::sleep(std::time::Duration::from_millis(400));
            continue;
        }
        assert!(!call(&mut c, line).is_error(), "{line}");
    }
    // A value that is not UTF-8 arrives byte for byte.
    let binary: &[u8] = &[0xff, 0x00, b'"', b'\\', 0xc3];
    assert!(
        !c.call(&[b"XADD", b"other", b"10-0", b"bin", binary])
            .unwrap()
            .is_error()
    );
    let scenario = streamlab::live::snapshot("127.0.0.1", server.port, None).unwrap();
    let mut sim = Simulation::new(Arc::new(scenario), RunOptions::default());
    sim.run();
    let mut db = sim.ctx.redis.db.clone();
    let mut session = Session::default();
    let at = ExecContext::at(sim.ctx.unix_ms());
    for cmd in [
        "XINFO STREAM orders",
        "XINFO STREAM other",
        "XINFO GROUPS orders",
        "XINFO CONSUMERS orders g",
        "XPENDING orders g",
        "XRANGE orders - +",
        "XRANGE other - +",
        "TYPE alist",
    ] {
        let argv: Vec<Vec<u8>> = cmd.split(' ').map(|a| a.as_bytes().to_vec()).collect();
        let ours = db.execute(&mut session, &argv, &at).reply;
        let theirs = call(&mut c, cmd);
        if cmd == "TYPE alist" {
            // Only streams are read.
            assert_eq!(ours.to_cli_text(), "none");
            continue;
        }
        if cmd.starts_with("XINFO CONSUMERS") {
            // Each consumer's idle is carried over (c1 was last seen about
            // 800 ms before the snapshot, c2 about 400 ms).
            let (ours, theirs) = (consumers(&ours), consumers(&theirs));
            assert_eq!(ours.len(), theirs.len());
            for ((n1, p1, i1), (n2, p2, i2)) in ours.iter().zip(&theirs) {
                assert_eq!((n1, p1), (n2, p2));
                assert!(
                    (-CLOCK_GRAIN_MS..=READ_SKEW_MS).contains(&(i2 - i1)),
                    "{n1}: idle {i1} rebuilt, {i2} on the server"
                );
            }
            assert!(
                ours[0].2 >= 700 && ours[1].2 >= 350 && ours[0].2 > ours[1].2,
                "{ours:?}"
            );
            continue;
        }
        assert_eq!(ours.to_cli_text(), theirs.to_cli_text(), "{cmd}");
    }
    // Pending entries keep their idle times too.
    let ours = db
        .execute(
            &mut session,
            &[
                b"XPENDING".to_vec(),
                b"orders".to_vec(),
                b"g".to_vec(),
                b"-".to_vec(),
                b"+".to_vec(),
                b"10".to_vec(),
            ],
            &at,
        )
        .reply;
    let theirs = call(&mut c, "XPENDING orders g - + 10");
    let idles = |r: &Reply| -> Vec<i64> {
        let Reply::Array(rows) = r else {
            panic!("{r:?}")
        };
        rows.iter()
            .map(|row| match row {
                Reply::Array(v) => match v[2] {
                    Reply::Integer(i) => i,
                    _ => panic!("{v:?}"),
                },
                _ => panic!("{row:?}"),
            })
            .collect()
    };
    for (i1, i2) in idles(&ours).iter().zip(idles(&theirs)) {
        assert!(
            (-CLOCK_GRAIN_MS..=READ_SKEW_MS).contains(&(i2 - i1)),
            "pending idle {i1} rebuilt, {i2} on the server"
        );
    }
    // Pending entries keep their owners and delivery counts.
    let argv: Vec<Vec<u8>> = "XPENDING orders g - + 10"
        .split(' ')
        .map(|a| a.as_bytes().to_vec())
        .collect();
    let ours = db.execute(&mut session, &argv, &at).reply.to_cli_text();
    assert!(ours.contains("\"c1\"") && ours.contains("\"c2\""), "{ours}");

    // One key: a stream is read; another type is refused with its type.
    assert!(streamlab::live::snapshot("127.0.0.1", server.port, Some("other")).is_ok());
    let e = streamlab::live::snapshot("127.0.0.1", server.port, Some("alist")).unwrap_err();
    assert!(e.contains("key 'alist' is a list, not a stream"), "{e}");
    let e = streamlab::live::snapshot("127.0.0.1", server.port, Some("nope")).unwrap_err();
    assert!(e.contains("no key 'nope'"), "{e}");

    // A server that wants a password says so.
    assert!(!call(&mut c, "CONFIG SET requirepass secret").is_error());
    let e = streamlab::live::snapshot("127.0.0.1", server.port, None).unwrap_err();
    assert!(e.contains("needs a password"), "{e}");
}

#[test]
fn an_unreachable_server_is_named() {
    // A port nobody listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = streamlab::live::snapshot("127.0.0.1", port, None).unwrap_err();
    assert!(e.contains(&format!("cannot reach 127.0.0.1:{port}")), "{e}");
}
