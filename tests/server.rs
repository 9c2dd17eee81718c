//! `streamlab serve` over real sockets: pipelining, inline commands,
//! protocol errors, many clients, and that no client can hurt another.
//!
//! Each test starts its own server process on a port it picks itself
//! (`--port 0`), and talks raw RESP through `support::Client`.

mod support;

use std::time::Duration;

use streamlab::engine::Reply;
use support::{Client, Streamlab, encode, words};

fn pong() -> Reply {
    Reply::Status("PONG".into())
}

#[test]
fn a_pipeline_is_answered_in_order() {
    let server = Streamlab::start();
    let mut client = Client::connect(server.port).unwrap();
    let mut batch = Vec::new();
    for _ in 0..5000 {
        batch.extend(encode(&words("PING")));
        batch.extend_from_slice(b"PING\r\n");
    }
    batch.extend(encode(&words("QUIT")));
    client.send_raw(&batch).unwrap();
    for i in 0..10_000 {
        assert_eq!(client.read_reply().unwrap(), pong(), "reply {i}");
    }
    assert_eq!(client.read_reply().unwrap(), Reply::ok());
    assert!(client.is_closed_by_server());
}

#[test]
fn a_command_split_into_single_bytes_still_runs() {
    let server = Streamlab::start();
    let mut client = Client::connect(server.port).unwrap();
    for byte in b"*1\r\n$4\r\nPING\r\nPI" {
        client.send_raw(&[*byte]).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(client.read_reply().unwrap(), pong());
    client.send_raw(b"NG\n").unwrap();
    assert_eq!(client.read_reply().unwrap(), pong());
}

#[test]
fn inline_commands_are_split_like_redis() {
    let server = Streamlab::start();
    let mut client = Client::connect(server.port).unwrap();
    client.send_raw(b"   \r\n\r\n  ping  \r\n").unwrap();
    assert_eq!(client.read_reply().unwrap(), pong());
    // An unknown inline command reaches the engine with its name intact.
    client.send_raw(b"\"NO SUCH\" 'arg'\r\n").unwrap();
    match client.read_reply().unwrap() {
        Reply::Error(text) => assert!(text.contains("NO SUCH"), "{text}"),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Every protocol error Redis's networking.c reports, with its exact text;
/// the connection closes after the error, and replies to commands before
/// it in the same packet are still delivered.
#[test]
fn protocol_errors_reply_then_close() {
    let server = Streamlab::start();
    let long_line = vec![b'x'; 64 * 1024 + 10];
    let mut long_count = b"*".to_vec();
    long_count.extend(vec![b'1'; 64 * 1024 + 10]);
    let mut long_bulk_count = b"*1\r\n$".to_vec();
    long_bulk_count.extend(vec![b'1'; 64 * 1024 + 10]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"*x\r\n".to_vec(), "invalid multibulk length"),
        (b"*3000000000\r\n".to_vec(), "invalid multibulk length"),
        (b"*1\r\n$-5\r\n".to_vec(), "invalid bulk length"),
        (b"*1\r\n$536870913\r\n".to_vec(), "invalid bulk length"),
        (
            b"*2\r\n$4\r\nPING\r\n+x\r\n".to_vec(),
            "expected '$', got '+'",
        ),
        (long_line, "too big inline request"),
        (long_count, "too big mbulk count string"),
        (long_bulk_count, "too big bulk count string"),
        (b"PING \"open\r\n".to_vec(), "unbalanced quotes in request"),
        (b"PING 'a'b\r\n".to_vec(), "unbalanced quotes in request"),
    ];
    for (input, message) in cases {
        let mut client = Client::connect(server.port).unwrap();
        let mut packet = b"PING\r\n".to_vec();
        packet.extend_from_slice(&input);
        client.send_raw(&packet).unwrap();
        assert_eq!(client.read_reply().unwrap(), pong(), "{message}");
        assert_eq!(
            client.read_reply().unwrap(),
            Reply::Error(format!("ERR Protocol error: {message}"))
        );
        assert!(client.is_closed_by_server(), "{message}: still open");
    }
    let mut survivor = Client::connect(server.port).unwrap();
    assert_eq!(survivor.cmd("PING"), pong());
}

#[test]
fn a_large_bulk_argument_arrives_in_pieces() {
    let server = Streamlab::start();
    let mut client = Client::connect(server.port).unwrap();
    let big = vec![b'z'; 3 * 1024 * 1024];
    let packet = encode(&[b"NOSUCHCMD".to_vec(), big]);
    for piece in packet.chunks(100_000) {
        client.send_raw(piece).unwrap();
    }
    assert!(client.read_reply().unwrap().is_error());
    assert_eq!(client.cmd("PING"), pong());
}

#[test]
fn many_clients_interleave_without_losing_replies() {
    let server = Streamlab::start();
    let mut clients: Vec<Client> = (0..200)
        .map(|_| Client::connect(server.port).unwrap())
        .collect();
    for round in 0..5 {
        for client in clients.iter_mut() {
            let mut batch = Vec::new();
            for _ in 0..50 {
                batch.extend(encode(&words("PING")));
            }
            client.send_raw(&batch).unwrap();
        }
        for (i, client) in clients.iter_mut().enumerate() {
            for j in 0..50 {
                assert_eq!(
                    client.read_reply().unwrap(),
                    pong(),
                    "round {round} client {i} reply {j}"
                );
            }
        }
    }
}

#[test]
fn clients_vanishing_mid_command_do_not_hurt_others() {
    let mut server = Streamlab::start();
    let mut steady = Client::connect(server.port).unwrap();
    for _ in 0..50 {
        let mut rude = Client::connect(server.port).unwrap();
        rude.send_raw(b"*3\r\n$4\r\nXADD\r\n$1\r\ns\r\n$100\r\nhalf")
            .unwrap();
        let mut pipeliner = Client::connect(server.port).unwrap();
        let mut batch = Vec::new();
        for _ in 0..1000 {
            batch.extend(encode(&words("PING")));
        }
        pipeliner.send_raw(&batch).unwrap();
        drop(rude);
        drop(pipeliner);
        assert_eq!(steady.cmd("PING"), pong());
    }
    assert!(server.is_running());
}

#[test]
fn quit_answers_ok_and_drops_the_rest() {
    let server = Streamlab::start();
    let mut client = Client::connect(server.port).unwrap();
    client.send_raw(b"QUIT\r\nPING\r\n").unwrap();
    assert_eq!(client.read_reply().unwrap(), Reply::ok());
    assert!(client.is_closed_by_server());
}

/// A client that pipelines big reads and never reads its replies is paused
/// once its unwritten replies pass the backlog limit; everyone else keeps
/// being served, and it still gets every reply, in order, once it reads.
#[test]
fn a_client_that_does_not_read_cannot_starve_others() {
    let server = Streamlab::start();
    let mut setup = Client::connect(server.port).unwrap();
    let value = "v".repeat(200);
    for i in 1..=200 {
        setup
            .call(&words(&format!("XADD s {i}-1 f {value}")))
            .unwrap();
    }
    // About 2000 × 45 KB = 90 MB of replies, past the 64 MB backlog limit.
    let mut hog = Client::connect(server.port).unwrap();
    let commands = 2000;
    let mut batch = Vec::new();
    for i in 0..commands {
        batch.extend(encode(&words(&format!("XRANGE s {} +", 1 + i % 2))));
    }
    hog.send_raw(&batch).unwrap();
    let mut polite = Client::connect(server.port).unwrap();
    for _ in 0..20 {
        assert_eq!(polite.cmd("PING"), pong());
        std::thread::sleep(Duration::from_millis(10));
    }
    for i in 0..commands {
        match hog.read_reply().unwrap() {
            Reply::Array(entries) => assert_eq!(entries.len(), 200 - i % 2, "reply {i}"),
            other => panic!("reply {i}: {other:?}"),
        }
    }
}
