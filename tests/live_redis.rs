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

/// A reply with the times that differ between two clocks zeroed: the idle
/// of pending entries and of consumers (the snapshot replays at its own
/// "now"; pending idles are carried over to the millisecond, consumers'
/// seen-times are not).
fn stable(cmd: &str, r: Reply) -> String {
    let text = r.to_cli_text();
    if cmd.starts_with("XINFO CONSUMERS") {
        return text
            .lines()
            .map(|l| {
                if l.contains("(integer)") {
                    "(integer) _"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    text
}

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
        "XREADGROUP GROUP g c2 COUNT 2 STREAMS orders >",
        "XACK orders g 1-0",
        "XDEL orders 5-0",
        "XGROUP CREATE orders audit $",
        "XADD other 9-9 a b",
        "RPUSH alist x",
    ] {
        assert!(!call(&mut c, line).is_error(), "{line}");
    }
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
        assert_eq!(stable(cmd, ours), stable(cmd, theirs), "{cmd}");
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
