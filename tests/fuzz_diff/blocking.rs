//! Blocking reads, side by side: scripted multi-client scenarios run on a
//! real `redis-server` and on `streamlab serve`, transcripts compared.
//!
//! ```text
//!   Send(1, "XREADGROUP ... BLOCK 0 ...")   client 1 parks (no reply read)
//!   Blocked(1)                             wait until INFO says 1 blocked
//!   Call(2, "MULTI") ... Call(2, "EXEC")   client 2 writes
//!   Read(1)                                what client 1 got (or <no reply>)
//! ```
//!
//! What is compared is what blocked.c decides: which key serves a reader
//! blocked on several, how many entries a woken reader gets, who is
//! served first, and the errors for a destroyed group or deleted key.

use std::time::{Duration, Instant};

use streamlab::engine::Reply;

use super::mask;
use super::support::{Client, words};

/// One step of a scenario; clients are numbered from 0.
#[derive(Clone, Copy)]
pub enum Step {
    /// Send and read the reply.
    Call(usize, &'static str),
    /// Send without reading (a read expected to block).
    Send(usize, &'static str),
    /// Wait until the server reports this many blocked clients.
    Blocked(u64),
    /// Read one reply, or note that none came within 300 ms.
    Read(usize),
}

use Step::{Blocked, Call, Read, Send};

/// The scenarios: (name, steps).
pub const SCENARIOS: &[(&str, &[Step])] = &[
    (
        "xread on two keys is served by the first key signalled",
        &[
            Send(0, "XREAD BLOCK 0 STREAMS s1 s2 $ $"),
            Blocked(1),
            Call(1, "MULTI"),
            Call(1, "XADD s1 1-1 f v"),
            Call(1, "XADD s2 1-1 f v"),
            Call(1, "EXEC"),
            Read(0),
        ],
    ),
    (
        "a woken group reader gets what is left after the transaction",
        &[
            Call(1, "XGROUP CREATE s g $ MKSTREAM"),
            Send(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"),
            Blocked(1),
            Call(1, "MULTI"),
            Call(1, "XADD s 1-1 f v"),
            Call(1, "XADD s 1-2 f v"),
            Call(1, "XADD s 1-3 f v"),
            Call(1, "XDEL s 1-1"),
            Call(1, "EXEC"),
            Read(0),
            Call(1, "XPENDING s g"),
        ],
    ),
    (
        "group readers are served in blocking order with their COUNT",
        &[
            Call(2, "XGROUP CREATE s g $ MKSTREAM"),
            Send(0, "XREADGROUP GROUP g c0 COUNT 1 BLOCK 0 STREAMS s >"),
            Blocked(1),
            Send(1, "XREADGROUP GROUP g c1 COUNT 5 BLOCK 0 STREAMS s >"),
            Blocked(2),
            Call(2, "MULTI"),
            Call(2, "XADD s 1-1 f v"),
            Call(2, "XADD s 1-2 f v"),
            Call(2, "XADD s 1-3 f v"),
            Call(2, "EXEC"),
            Read(0),
            Read(1),
            Call(2, "XINFO CONSUMERS s g"),
        ],
    ),
    (
        "a NOACK reader leaves nothing pending; a new consumer is created",
        &[
            Call(1, "XGROUP CREATE s g $ MKSTREAM"),
            Send(0, "XREADGROUP GROUP g fresh NOACK BLOCK 0 STREAMS s >"),
            Blocked(1),
            Call(1, "XADD s 5-1 f v"),
            Read(0),
            Call(1, "XPENDING s g"),
            Call(1, "XINFO CONSUMERS s g"),
        ],
    ),
    (
        "entries trimmed away before serving are not delivered",
        &[
            Call(1, "XADD s 1-1 f v"),
            Send(0, "XREAD BLOCK 0 STREAMS s 1-1"),
            Blocked(1),
            Call(1, "MULTI"),
            Call(1, "XADD s 2-1 f v"),
            Call(1, "XADD s MAXLEN 1 3-1 f v"),
            Call(1, "EXEC"),
            Read(0),
        ],
    ),
    (
        "writes to another key do not wake the reader",
        &[
            Send(0, "XREAD BLOCK 0 STREAMS s $"),
            Blocked(1),
            Call(1, "XADD other 1-1 f v"),
            Read(0),
            Call(1, "XADD s 1-1 f v"),
            Read(0),
        ],
    ),
    (
        "SETID while blocked moves where the reader resumes",
        &[
            Call(1, "XADD s 1-1 f v"),
            Call(1, "XADD s 2-1 f v"),
            Call(1, "XGROUP CREATE s g $"),
            Send(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"),
            Blocked(1),
            Call(1, "XGROUP SETID s g 0"),
            Read(0),
            Call(1, "XADD s 3-1 f v"),
            Read(0),
        ],
    ),
    (
        "a destroyed group and a deleted key unblock group readers",
        &[
            Call(2, "XGROUP CREATE s g $ MKSTREAM"),
            Call(2, "XGROUP CREATE t g $ MKSTREAM"),
            Send(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"),
            Blocked(1),
            Send(1, "XREADGROUP GROUP g c BLOCK 0 STREAMS t >"),
            Blocked(2),
            Call(2, "XGROUP DESTROY s g"),
            Read(0),
            Call(2, "DEL t"),
            Read(1),
        ],
    ),
    (
        "a group reader on two keys is served by the key written first",
        &[
            Call(1, "XGROUP CREATE s1 g $ MKSTREAM"),
            Call(1, "XGROUP CREATE s2 g $ MKSTREAM"),
            Send(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s1 s2 > >"),
            Blocked(1),
            Call(1, "MULTI"),
            Call(1, "XADD s2 1-1 f v"),
            Call(1, "XADD s1 1-1 f v"),
            Call(1, "EXEC"),
            Read(0),
            Call(1, "XPENDING s1 g"),
            Call(1, "XPENDING s2 g"),
        ],
    ),
    (
        "BLOCK inside MULTI does not block",
        &[
            Call(0, "MULTI"),
            Call(0, "XREAD BLOCK 0 STREAMS s $"),
            Call(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"),
            Call(0, "EXEC"),
            Call(0, "PING"),
        ],
    ),
    (
        "a timeout answers nil and the next command runs",
        &[
            Call(1, "XGROUP CREATE s g $ MKSTREAM"),
            Send(0, "XREADGROUP GROUP g c BLOCK 30 STREAMS s >"),
            Read(0),
            Call(0, "XINFO CONSUMERS s g"),
        ],
    ),
];

fn text(reply: &Reply) -> String {
    mask::mask(reply).to_cli_text().replace('\n', " | ")
}

fn wait_blocked(control: &mut Client, n: u64) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let want = format!("blocked_clients:{n}");
    loop {
        if let Reply::Bulk(info) = control.cmd("INFO clients")
            && String::from_utf8_lossy(&info)
                .lines()
                .any(|l| l.trim_end() == want)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("never reached {want}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs one scenario on the server at `port`, returning its transcript.
pub fn run(port: u16, steps: &[Step]) -> Vec<String> {
    let mut control = Client::connect(port).expect("connect");
    control.cmd("FLUSHALL");
    let count = steps
        .iter()
        .map(|s| match *s {
            Call(c, _) | Send(c, _) | Read(c) => c + 1,
            Blocked(_) => 0,
        })
        .max()
        .unwrap_or(0);
    let mut clients: Vec<Client> = (0..count)
        .map(|_| Client::connect(port).expect("connect"))
        .collect();
    let mut transcript = Vec::new();
    for step in steps {
        let line = match *step {
            Call(c, cmd) => match clients[c].call(&words(cmd)) {
                Ok(reply) => format!("c{c} {cmd} -> {}", text(&reply)),
                Err(e) => format!("c{c} {cmd} -> <error {e}>"),
            },
            Send(c, cmd) => match clients[c].send(&words(cmd)) {
                Ok(()) => format!("c{c} {cmd} (sent)"),
                Err(e) => format!("c{c} {cmd} -> <error {e}>"),
            },
            Blocked(n) => match wait_blocked(&mut control, n) {
                Ok(()) => format!("{n} blocked"),
                Err(e) => e,
            },
            Read(c) => {
                clients[c].set_read_timeout(Duration::from_millis(300));
                let got = match clients[c].read_reply() {
                    Ok(reply) => text(&reply),
                    Err(_) => "<no reply>".to_string(),
                };
                clients[c].set_read_timeout(Duration::from_secs(30));
                format!("c{c} reads {got}")
            }
        };
        transcript.push(line);
    }
    transcript
}
