//! Blocking reads through the server: XREAD/XREADGROUP ... BLOCK park the
//! client, a write to a watched key serves waiters first-come first-served,
//! a deadline answers the null array, and a parked client's pipelined
//! commands wait behind its read.

mod support;

use std::time::{Duration, Instant};

use streamlab::engine::Reply;
use support::{Client, Streamlab, words};

fn entry_ids(reply: &Reply) -> Vec<String> {
    // [[key, [[id, fields], ...]], ...]
    let mut ids = Vec::new();
    let Reply::Array(streams) = reply else {
        return ids;
    };
    for stream in streams {
        let Reply::Array(pair) = stream else { continue };
        let Some(Reply::Array(entries)) = pair.get(1) else {
            continue;
        };
        for entry in entries {
            if let Reply::Array(e) = entry
                && let Some(Reply::Bulk(id)) = e.first()
            {
                ids.push(String::from_utf8_lossy(id).into_owned());
            }
        }
    }
    ids
}

/// Waits until the server reports `n` blocked clients, so a test never
/// races its write ahead of the read it means to wake.
fn wait_for_blocked(observer: &mut Client, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let want = format!("blocked_clients:{n}");
    loop {
        if let Reply::Bulk(info) = observer.cmd("INFO clients")
            && String::from_utf8_lossy(&info)
                .lines()
                .any(|l| l.trim_end() == want)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {want:?}: {:?}",
            observer.cmd("INFO clients")
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_write_wakes_a_blocked_xread() {
    let server = Streamlab::start();
    let mut reader = Client::connect(server.port).unwrap();
    let mut writer = Client::connect(server.port).unwrap();
    reader.send(&words("XREAD BLOCK 0 STREAMS s $")).unwrap();
    wait_for_blocked(&mut writer, 1);
    assert_eq!(writer.cmd("XADD s 5-1 f v"), Reply::bulk("5-1"));
    assert_eq!(entry_ids(&reader.read_reply().unwrap()), vec!["5-1"]);
}

#[test]
fn group_readers_are_served_in_the_order_they_blocked() {
    let server = Streamlab::start();
    let mut writer = Client::connect(server.port).unwrap();
    assert_eq!(writer.cmd("XGROUP CREATE s g $ MKSTREAM"), Reply::ok());
    let mut first = Client::connect(server.port).unwrap();
    let mut second = Client::connect(server.port).unwrap();
    first
        .send(&words("XREADGROUP GROUP g c1 BLOCK 0 COUNT 1 STREAMS s >"))
        .unwrap();
    wait_for_blocked(&mut writer, 1);
    second
        .send(&words("XREADGROUP GROUP g c2 BLOCK 0 COUNT 1 STREAMS s >"))
        .unwrap();
    wait_for_blocked(&mut writer, 2);
    writer.cmd("XADD s 1-1 f v");
    assert_eq!(entry_ids(&first.read_reply().unwrap()), vec!["1-1"]);
    // The second reader found nothing new after the first took the entry:
    // it is still parked, and the next entry is its.
    second.set_read_timeout(Duration::from_millis(200));
    assert!(
        second.read_reply().is_err(),
        "second reader answered too early"
    );
    second.set_read_timeout(Duration::from_secs(10));
    writer.cmd("XADD s 2-1 f v");
    assert_eq!(entry_ids(&second.read_reply().unwrap()), vec!["2-1"]);
}

#[test]
fn a_deadline_answers_the_null_array() {
    let server = Streamlab::start();
    let mut reader = Client::connect(server.port).unwrap();
    let started = Instant::now();
    assert_eq!(reader.cmd("XREAD BLOCK 150 STREAMS s 0"), Reply::NilArray);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(140),
        "returned after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "returned after {waited:?}");
}

#[test]
fn commands_pipelined_behind_a_blocked_read_wait_for_it() {
    let server = Streamlab::start();
    let mut reader = Client::connect(server.port).unwrap();
    let mut writer = Client::connect(server.port).unwrap();
    reader
        .send_raw(b"XREAD BLOCK 0 STREAMS s $\r\nXLEN s\r\n")
        .unwrap();
    wait_for_blocked(&mut writer, 1);
    writer.cmd("XADD s 1-1 f v");
    writer.cmd("XADD s 1-2 f v");
    assert_eq!(entry_ids(&reader.read_reply().unwrap()), vec!["1-1"]);
    // The buffered XLEN runs as soon as the read is served, in the same
    // loop iteration as the first XADD and before the writer even sees
    // its reply, so it counts one entry (Redis's processUnblockedClients
    // runs before replies are written, too).
    assert_eq!(reader.read_reply().unwrap(), Reply::Integer(1));
}

#[test]
fn a_blocked_client_that_disconnects_is_just_dropped() {
    let mut server = Streamlab::start();
    let mut writer = Client::connect(server.port).unwrap();
    for _ in 0..20 {
        let mut reader = Client::connect(server.port).unwrap();
        reader.send(&words("XREAD BLOCK 0 STREAMS s $")).unwrap();
        wait_for_blocked(&mut writer, 1);
        drop(reader);
        wait_for_blocked(&mut writer, 0);
    }
    assert_eq!(writer.cmd("XADD s 1-1 f v"), Reply::bulk("1-1"));
    assert_eq!(writer.cmd("XLEN s"), Reply::Integer(1));
    assert!(server.is_running());
}

/// blocked.c: a group reader whose group is destroyed gets a NOGROUP of
/// its own wording, at once, without waiting for an XADD.
#[test]
fn destroying_the_group_unblocks_its_readers_with_nogroup() {
    let server = Streamlab::start();
    let mut writer = Client::connect(server.port).unwrap();
    assert_eq!(writer.cmd("XGROUP CREATE s g $ MKSTREAM"), Reply::ok());
    let mut reader = Client::connect(server.port).unwrap();
    reader
        .send(&words("XREADGROUP GROUP g c BLOCK 0 STREAMS s >"))
        .unwrap();
    wait_for_blocked(&mut writer, 1);
    assert_eq!(writer.cmd("XGROUP DESTROY s g"), Reply::Integer(1));
    assert_eq!(
        reader.read_reply().unwrap(),
        Reply::Error(
            "NOGROUP the consumer group this client was blocked on no longer exists".into()
        )
    );
}

/// db.c signals a stream key when it is deleted or overwritten: group
/// readers get UNBLOCKED, plain XREAD readers keep waiting.
fn replacing_the_key_unblocks_group_readers_only(replace: &str) {
    let server = Streamlab::start();
    let mut writer = Client::connect(server.port).unwrap();
    assert_eq!(writer.cmd("XGROUP CREATE s g $ MKSTREAM"), Reply::ok());
    let mut group_reader = Client::connect(server.port).unwrap();
    group_reader
        .send(&words("XREADGROUP GROUP g c BLOCK 0 STREAMS s >"))
        .unwrap();
    wait_for_blocked(&mut writer, 1);
    let mut plain_reader = Client::connect(server.port).unwrap();
    plain_reader
        .send(&words("XREAD BLOCK 0 STREAMS s $"))
        .unwrap();
    wait_for_blocked(&mut writer, 2);
    writer.cmd(replace);
    group_reader.set_read_timeout(Duration::from_secs(5));
    assert_eq!(
        group_reader.read_reply().unwrap(),
        Reply::Error("UNBLOCKED the stream key no longer exists".into()),
        "after {replace}"
    );
    wait_for_blocked(&mut writer, 1);
    drop(plain_reader);
    wait_for_blocked(&mut writer, 0);
}

#[test]
fn deleting_the_key_unblocks_group_readers_only() {
    replacing_the_key_unblocks_group_readers_only("DEL s");
}

#[test]
fn overwriting_the_key_unblocks_group_readers_only() {
    replacing_the_key_unblocks_group_readers_only("SET s x");
}
