//! INFO and CONFIG against a real redis-server 7.0.15: the fields of every
//! section in order, how section arguments are parsed, the command and
//! error counters after the same commands, CONFIG RESETSTAT, and the
//! CONFIG SET of the encoding limits with the conversions they cause.
//!
//! ```text
//!   same commands ─┬─▶ redis-server ─▶ INFO everything ─▶ sections ─▶ field names ─┐
//!                  └─▶ streamlab    ─▶ INFO everything ─▶ sections ─▶ field names ─┴─ equal?
//! ```
//!
//! Values that belong to the process (pid, port, run_id, memory, CPU,
//! times) differ between the two servers and are not compared; the
//! counters are. Redis prints commandstats in the order of a hash seeded
//! at start, so those lines are compared as sets. Latencystats is Redis's
//! per-command histogram of wall-clock durations, which streamlab does not
//! keep: its lines are left out (the header is compared).

#[path = "info_diff/keyspace_hits.rs"]
mod keyspace_hits;
mod support;

use std::time::Duration;

use streamlab::engine::Reply;
use support::{Client, Streamlab, reference_server, words};

/// INFO's text as (header, lines) per section.
fn sections(reply: &Reply) -> Vec<(String, Vec<String>)> {
    let Reply::Bulk(text) = reply else {
        panic!("INFO answered {reply:?}");
    };
    let text = String::from_utf8(text.clone()).expect("INFO is text");
    assert!(
        text.is_empty() || text.ends_with("\r\n"),
        "INFO ends with CRLF"
    );
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        match line.strip_prefix("# ") {
            Some(title) => out.push((title.to_string(), Vec::new())),
            None => out
                .last_mut()
                .expect("a field before any header")
                .1
                .push(line.to_string()),
        }
    }
    out
}

fn field_names(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.split(':').next().unwrap_or("").to_string())
        .collect()
}

/// One field's value in an INFO reply.
fn field(reply: &Reply, name: &str) -> Option<String> {
    sections(reply)
        .into_iter()
        .flat_map(|(_, lines)| lines)
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
}

/// Commandstats lines with the wall-clock parts (usec, usec_per_call)
/// removed, sorted.
fn command_counters(reply: &Reply) -> Vec<String> {
    let mut lines: Vec<String> = sections(reply)
        .into_iter()
        .filter(|(title, _)| title == "Commandstats")
        .flat_map(|(_, lines)| lines)
        .map(|l| {
            l.split([':', ','])
                .filter(|part| !part.starts_with("usec"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    lines.sort();
    lines
}

/// The commands INFO latencystats has a line for, sorted (the values are
/// wall-clock durations; only the format of each line is checked).
fn latency_names(reply: &Reply) -> Vec<String> {
    let mut names: Vec<String> = sections(reply)
        .into_iter()
        .filter(|(title, _)| title == "Latencystats")
        .flat_map(|(_, lines)| lines)
        .map(|l| {
            let (name, values) = l.split_once(':').unwrap_or((&l, ""));
            let labels: Vec<&str> = values
                .split(',')
                .map(|v| v.split('=').next().unwrap_or(""))
                .collect();
            assert_eq!(labels, ["p50", "p99", "p99.9"], "{l}");
            name.to_string()
        })
        .collect();
    names.sort();
    names
}

fn both() -> Option<(support::RealRedis, Streamlab)> {
    let redis = reference_server("INFO comparison")?;
    Some((redis, Streamlab::start()))
}

/// Runs the same lines on both servers and returns every pair of replies.
fn run_both(redis: &mut Client, ours: &mut Client, lines: &[&str]) -> Vec<(String, Reply, Reply)> {
    lines
        .iter()
        .map(|line| (line.to_string(), redis.cmd(line), ours.cmd(line)))
        .collect()
}

#[test]
fn every_section_has_redis_fields_in_redis_order() {
    let Some((redis, ours)) = both() else { return };
    let mut r = Client::connect(redis.port).expect("connect redis");
    let mut o = Client::connect(ours.port).expect("connect streamlab");
    run_both(
        &mut r,
        &mut o,
        &["SET a 1", "RPUSH l x", "GET l", "XADD s 1-1 f v"],
    );
    let want = sections(&r.cmd("INFO everything"));
    let got = sections(&o.cmd("INFO everything"));
    let titles = |s: &[(String, Vec<String>)]| s.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&want), titles(&got), "section headers");
    for ((title, want_lines), (_, got_lines)) in want.iter().zip(&got) {
        match title.as_str() {
            "Latencystats" => {}
            "Commandstats" => {
                let (w, g) = (field_names(want_lines), field_names(got_lines));
                let (mut w, mut g) = (w.clone(), g.clone());
                w.sort();
                g.sort();
                // INFO itself is not yet counted when it prints.
                assert_eq!(w, g, "commandstats names");
            }
            _ => assert_eq!(
                field_names(want_lines),
                field_names(got_lines),
                "fields of # {title}"
            ),
        }
    }
    for name in [
        "arch_bits",
        "cluster_enabled",
        "redis_version",
        "role",
        "redis_mode",
    ] {
        assert_eq!(
            field(&r.cmd("INFO"), name),
            field(&o.cmd("INFO"), name),
            "{name} in the default INFO"
        );
    }
    let keyspace = "INFO keyspace";
    assert_eq!(r.cmd(keyspace), o.cmd(keyspace));
}

#[test]
fn section_arguments_are_parsed_like_redis() {
    let Some((redis, ours)) = both() else { return };
    let mut r = Client::connect(redis.port).expect("connect redis");
    let mut o = Client::connect(ours.port).expect("connect streamlab");
    for line in [
        "INFO",
        "INFO default",
        "INFO all",
        "INFO everything",
        "INFO ALL",
        "INFO server clients",
        "INFO Server CLIENTS",
        "INFO clients server",
        "INFO server server",
        "INFO default commandstats",
        "INFO default default",
        "INFO all keyspace",
        "INFO everything nosuch",
        "INFO modules",
        "INFO module_list",
        "INFO latencystats",
        "INFO commandstats errorstats",
        "INFO nosuch",
        "INFO nosuch other",
        "INFO cpu memory persistence stats replication",
    ] {
        let titles = |reply: &Reply| {
            sections(reply)
                .into_iter()
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
        };
        let (want, got) = (r.cmd(line), o.cmd(line));
        assert_eq!(titles(&want), titles(&got), "{line}");
        if titles(&want).is_empty() {
            assert_eq!(want, got, "{line}: the empty reply");
        }
    }
}

#[test]
fn command_and_error_counters_match_redis() {
    let Some((redis, ours)) = both() else { return };
    let mut r = Client::connect(redis.port).expect("connect redis");
    let mut o = Client::connect(ours.port).expect("connect streamlab");
    let script = [
        "CONFIG RESETSTAT",
        "SET k v",
        "GET k",
        "LPUSH k x",
        "NOSUCHCOMMAND a",
        "OBJECT NOSUB",
        "CONFIG",
        "XADD",
        "MULTI",
        "SET k w",
        "XADD",
        "EXEC",
        "MULTI",
        "SET k w",
        "HSET k f v",
        "GET k",
        "EXEC",
        "EXEC",
        "DISCARD",
        "XGROUP CREATE nostream g 0",
        "XREAD BLOCK 5 STREAMS s $",
        "XREADGROUP GROUP g c STREAMS nostream >",
    ];
    run_both(&mut r, &mut o, &script);
    // A read that blocks and is served later counts once, when it blocked.
    for (port, client) in [(redis.port, &mut r), (ours.port, &mut o)] {
        let mut reader = Client::connect(port).expect("connect reader");
        reader
            .send(&words("XREAD BLOCK 5000 STREAMS live $"))
            .expect("send XREAD");
        std::thread::sleep(Duration::from_millis(100));
        client.cmd("XADD live 1-1 f v");
        reader.set_read_timeout(Duration::from_secs(5));
        let served = reader.read_reply().expect("served");
        assert!(matches!(served, Reply::Array(_)), "{served:?}");
        // A group read unblocked by its key's deletion: an error reply,
        // a failed call, a latency sample (updateStatsOnUnblock).
        client.cmd("XGROUP CREATE gone g $ MKSTREAM");
        let mut group_reader = Client::connect(port).expect("connect reader");
        group_reader
            .send(&words("XREADGROUP GROUP g c BLOCK 5000 STREAMS gone >"))
            .expect("send XREADGROUP");
        std::thread::sleep(Duration::from_millis(100));
        client.cmd("DEL gone");
        group_reader.set_read_timeout(Duration::from_secs(5));
        let unblocked = group_reader.read_reply().expect("unblocked");
        assert!(matches!(unblocked, Reply::Error(ref e) if e.starts_with("UNBLOCKED")));
    }
    let (want, got) = (r.cmd("INFO commandstats"), o.cmd("INFO commandstats"));
    assert_eq!(command_counters(&want), command_counters(&got));
    let (want, got) = (r.cmd("INFO latencystats"), o.cmd("INFO latencystats"));
    assert_eq!(
        latency_names(&want),
        latency_names(&got),
        "latencystats lines"
    );
    assert_eq!(r.cmd("INFO errorstats"), o.cmd("INFO errorstats"));
    let (want, got) = (r.cmd("INFO stats"), o.cmd("INFO stats"));
    for name in ["total_commands_processed", "total_error_replies"] {
        assert_eq!(field(&want, name), field(&got, name), "{name}");
    }
    // RESETSTAT clears them all; only its own call and the INFO remain.
    run_both(&mut r, &mut o, &["CONFIG RESETSTAT", "GET nokey"]);
    let (want, got) = (r.cmd("INFO everything"), o.cmd("INFO everything"));
    assert_eq!(command_counters(&want), command_counters(&got));
    for name in [
        "total_commands_processed",
        "total_error_replies",
        "total_connections_received",
    ] {
        assert_eq!(
            field(&want, name),
            field(&got, name),
            "{name} after RESETSTAT"
        );
    }
    assert_eq!(r.cmd("INFO errorstats"), o.cmd("INFO errorstats"));
}

#[test]
fn process_facts_come_from_the_process() {
    let ours = Streamlab::start();
    let mut o = Client::connect(ours.port).expect("connect streamlab");
    let info = o.cmd("INFO server");
    assert_eq!(field(&info, "tcp_port"), Some(ours.port.to_string()));
    assert_eq!(field(&info, "process_id"), Some(ours.pid().to_string()));
    let run_id = field(&info, "run_id").expect("run_id");
    assert_eq!(run_id.len(), 40);
    assert!(run_id.bytes().all(|b| b.is_ascii_hexdigit()), "{run_id}");
    let uptime: u64 = field(&info, "uptime_in_seconds")
        .and_then(|v| v.parse().ok())
        .expect("uptime_in_seconds");
    assert!(uptime < 60, "uptime {uptime}");
    assert_eq!(field(&info, "uptime_in_days").as_deref(), Some("0"));
    let executable = field(&info, "executable").expect("executable");
    assert!(executable.ends_with("streamlab"), "{executable}");
    assert_eq!(field(&info, "arch_bits").as_deref(), Some("64"));
    assert_eq!(
        field(&o.cmd("INFO"), "cluster_enabled").as_deref(),
        Some("0")
    );
    // The connection counter counts this client.
    let stats = o.cmd("INFO stats");
    assert_eq!(
        field(&stats, "total_connections_received").as_deref(),
        Some("1")
    );
    let input: u64 = field(&stats, "total_net_input_bytes")
        .and_then(|v| v.parse().ok())
        .expect("input bytes");
    assert!(input > 0);
}

#[test]
fn changed_limits_convert_on_the_next_write_like_redis() {
    let Some((redis, ours)) = both() else { return };
    let mut r = Client::connect(redis.port).expect("connect redis");
    let mut o = Client::connect(ours.port).expect("connect streamlab");
    let script = [
        "HSET h a 1 b 2 c 3",
        "CONFIG SET hash-max-ziplist-entries 2",
        "OBJECT ENCODING h",
        "HGET h a",
        "OBJECT ENCODING h",
        "HSET h a 1",
        "OBJECT ENCODING h",
        "SADD s 1 2 3",
        "CONFIG SET set-max-intset-entries 1",
        "OBJECT ENCODING s",
        "SREM s 1",
        "OBJECT ENCODING s",
        "SADD s 4",
        "OBJECT ENCODING s",
        "CONFIG SET list-max-ziplist-size 3",
        "RPUSH l a b c d e f g",
        "MEMORY USAGE l",
        "CONFIG SET list-max-listpack-size -2",
        // A list keeps the fill it was created with: three more elements
        // make a fourth node, where -2 would have grown the last one.
        "RPUSH l h i j",
        "MEMORY USAGE l",
        "RPUSH fresh a b c d e f g h i j",
        "MEMORY USAGE fresh",
        "CONFIG SET list-max-listpack-size -9",
        "RPUSH wide a",
        "CONFIG GET list-max-listpack-size",
        "CONFIG SET hash-max-listpack-value 2",
        "HSET small ab 12",
        "OBJECT ENCODING small",
        "HINCRBY small ab 100",
        "OBJECT ENCODING small",
        "CONFIG SET list-max-listpack-size -2 hash-max-listpack-entries 512 hash-max-listpack-value 64 set-max-intset-entries 512",
    ];
    for (line, want, got) in run_both(&mut r, &mut o, &script) {
        assert_eq!(want, got, "{line}");
    }
}

#[test]
fn blocked_clients_and_their_timeouts_are_counted_like_redis() {
    let Some((redis, ours)) = both() else { return };
    for port in [redis.port, ours.port] {
        let mut observer = Client::connect(port).expect("connect observer");
        let mut forever = Client::connect(port).expect("connect");
        let mut timed = Client::connect(port).expect("connect");
        forever
            .send(&words("XREAD BLOCK 0 STREAMS s $"))
            .expect("send");
        timed
            .send(&words("XREAD BLOCK 60000 STREAMS s $"))
            .expect("send");
        let mut counts = None;
        for _ in 0..100 {
            let info = observer.cmd("INFO clients");
            let got = (
                field(&info, "blocked_clients"),
                field(&info, "clients_in_timeout_table"),
            );
            if got.0.as_deref() == Some("2") {
                counts = Some(got);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            counts,
            Some((Some("2".to_string()), Some("1".to_string()))),
            "port {port}: two blocked, one with a timeout"
        );
    }
}
