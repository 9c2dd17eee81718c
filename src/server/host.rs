//! The process facts INFO prints, read once at start and refreshed before
//! an INFO runs: the engine gets them as `HostFacts` and never asks the OS.
//!
//! ```text
//!   start ──▶ pid, port, os, executable, run_id, replid, start time
//!   INFO  ──▶ resident set size, CPU times     (Linux /proc; else absent)
//!   event loop ──▶ connections received, bytes read and written
//! ```

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};

use crate::engine::stats::HostFacts;

/// The facts of this process, listening on `tcp_port`, started at `started_ms`.
pub fn facts(tcp_port: u16, started_ms: u64) -> HostFacts {
    let executable = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    HostFacts {
        os: os_name(),
        process_id: u64::from(std::process::id()),
        tcp_port,
        run_id: random_hex40(),
        replication_id: random_hex40(),
        started_ms,
        executable,
        ..HostFacts::default()
    }
}

/// `uname -s -r -m`, as Redis prints `os`.
fn os_name() -> String {
    let read = |path: &str| {
        fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let system = match read("/proc/sys/kernel/ostype") {
        s if s.is_empty() => std::env::consts::OS.to_string(),
        s => s,
    };
    let release = read("/proc/sys/kernel/osrelease");
    [system, release, std::env::consts::ARCH.to_string()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// 40 random hex digits (Redis's `getRandomHexChars`), from the standard
/// library's per-process random hash keys.
fn random_hex40() -> String {
    let mut out = String::with_capacity(48);
    for i in 0..3u64 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(i);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out.truncate(40);
    out
}

/// Refreshes what changes while the process runs: the resident set size
/// (`/proc/self/status` VmRSS) and CPU times (`/proc/self/stat`, in the
/// kernel's fixed user tick of 1/100 s).
pub fn refresh(host: &mut HostFacts) {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        host.rss_bytes = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024);
    }
    if let Ok(stat) = fs::read_to_string("/proc/self/stat") {
        // Fields after the parenthesised command name: state is field 3,
        // utime 14 and stime 15.
        if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
            const USEC_PER_TICK: u64 = 10_000;
            if let (Some(user), Some(sys)) = (ticks(11), ticks(12)) {
                host.cpu_user_usec = user * USEC_PER_TICK;
                host.cpu_sys_usec = sys * USEC_PER_TICK;
            }
        }
    }
}
