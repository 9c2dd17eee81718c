//! RESTORE's TTL, ABSTTL, IDLETIME and FREQ against redis-server 7.0.15:
//! the same payload restored on both, then what each reads back.
//!
//! ```text
//!   RESTORE k <ttl> p [ABSTTL] [IDLETIME s | FREQ f] [REPLACE]
//!     ─▶ TTL / PEXPIRETIME / EXISTS / OBJECT IDLETIME / OBJECT FREQ on both
//! ```
//!
//! Relative TTLs are read back in whole seconds (TTL rounds), absolute ones
//! exactly. OBJECT IDLETIME counts seconds of a clock that ticks on its
//! own on each server, so the two may differ by one.

use streamlab::engine::Reply;

use super::{argv, call, start};

fn int(reply: &Reply) -> i64 {
    match reply {
        Reply::Integer(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

#[test]
fn restore_ttl_and_idletime_read_back_as_on_redis() {
    let Some(mut p) = start("RESTORE TTL comparison") else {
        return;
    };
    call(&mut p.redis, &[b"FLUSHALL"]);
    call(&mut p.ours, &[b"FLUSHALL"]);
    call(&mut p.redis, &[b"RPUSH", b"src", b"a", b"b"]);
    let Reply::Bulk(payload) = call(&mut p.redis, &[b"DUMP", b"src"]) else {
        panic!("DUMP src");
    };
    let pl = payload.as_slice();
    let lines: Vec<Vec<&[u8]>> = vec![
        vec![b"RESTORE", b"rel", b"100000", pl],
        vec![b"TTL", b"rel"],
        vec![b"RESTORE", b"abs", b"4102444800123", pl, b"ABSTTL"],
        vec![b"PEXPIRETIME", b"abs"],
        vec![b"EXPIRETIME", b"abs"],
        vec![b"RESTORE", b"past", b"1", pl, b"ABSTTL"],
        vec![b"EXISTS", b"past"],
        vec![b"RESTORE", b"abs", b"0", pl, b"REPLACE"],
        vec![b"TTL", b"abs"],
        vec![b"RESTORE", b"rel", b"1", pl, b"ABSTTL", b"REPLACE"],
        vec![b"EXISTS", b"rel"],
        vec![b"RESTORE", b"wrap", b"9223372036854775807", pl],
        vec![b"EXISTS", b"wrap"],
        vec![b"RESTORE", b"far", b"9223372036854775807", pl, b"ABSTTL"],
        vec![b"PEXPIRETIME", b"far"],
        vec![b"RESTORE", b"freq", b"0", pl, b"FREQ", b"200"],
        vec![b"OBJECT", b"FREQ", b"freq"],
        vec![b"TTL", b"freq"],
        vec![b"RESTORE", b"far", b"0", pl, b"IDLETIME", b"5", b"REPLACE"],
        vec![b"TTL", b"far"],
        vec![b"LRANGE", b"far", b"0", b"-1"],
    ];
    let mut problems = Vec::new();
    for line in &lines {
        let (want, got) = (call(&mut p.redis, line), call(&mut p.ours, line));
        if want != got {
            let shown: Vec<String> = line
                .iter()
                .map(|a| String::from_utf8_lossy(&a[..a.len().min(24)]).into_owned())
                .collect();
            problems.push(format!(
                "{}: redis-server {want:?}, streamlab {got:?}",
                shown.join(" ")
            ));
        }
    }
    // IDLETIME sets the access clock back; RESTORE without it starts at 0.
    for (key, idle) in [
        (b"idle".as_slice(), b"1000".as_slice()),
        (b"huge", b"100000000"),
    ] {
        let restore = argv(&[b"RESTORE", key, b"0", pl, b"IDLETIME", idle]);
        p.redis.call(&restore).expect("redis RESTORE");
        p.ours.call(&restore).expect("streamlab RESTORE");
        let ask = argv(&[b"OBJECT", b"IDLETIME", key]);
        let want = int(&p.redis.call(&ask).expect("redis"));
        let got = int(&p.ours.call(&ask).expect("streamlab"));
        if want.abs_diff(got) > 1 {
            problems.push(format!(
                "IDLETIME {}: redis-server {want}, streamlab {got}",
                String::from_utf8_lossy(idle)
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
