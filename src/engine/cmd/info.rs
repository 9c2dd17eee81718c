//! INFO, as Redis 7.0.15's `genInfoSectionDict` and `genRedisInfoString`
//! (server.c) build it.
//!
//! ```text
//!   INFO                    the default sections
//!   INFO default            the same, plus whatever else is named
//!   INFO all / everything   every section (no modules are loaded, so equal)
//!   INFO server clients ... any number of names, any case, any order;
//!                           unknown names add nothing
//!
//!   server clients memory persistence stats replication cpu modules
//!   commandstats errorstats latencystats cluster keyspace     (print order)
//! ```
//!
//! Every field a 7.0.15 server prints is printed, in its order. Data the
//! engine keeps (keys, commands, errors, memory) is real; facts about the
//! process come from [`HostFacts`](crate::engine::stats::HostFacts); what
//! streamlab has no counterpart for (forks, evictions, replicas, Lua) is
//! what an idle 7.0.15 server without it prints, mostly 0.

use std::fmt::Write;

use super::super::db::Db;
use super::super::memory::human_bytes;
use super::super::{Executed, Reply};
use super::Call;

/// The sections a bare INFO (or `default`) prints.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Which sections one INFO call asked for.
struct Asked {
    names: Vec<Vec<u8>>,
    all: bool,
}

impl Asked {
    /// `genInfoSectionDict`: `default` adds the default names, `all` and
    /// `everything` set the all flag, anything else is a name as given.
    fn parse(args: &[Vec<u8>]) -> Asked {
        let mut asked = Asked {
            names: Vec::new(),
            all: false,
        };
        if args.is_empty() {
            asked.names = DEFAULT_SECTIONS
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect();
        }
        for arg in args {
            let lower = arg.to_ascii_lowercase();
            match lower.as_slice() {
                b"default" => asked
                    .names
                    .extend(DEFAULT_SECTIONS.iter().map(|s| s.as_bytes().to_vec())),
                b"all" | b"everything" => asked.all = true,
                _ => asked.names.push(lower),
            }
        }
        asked
    }

    fn wants(&self, section: &str) -> bool {
        self.all || self.names.iter().any(|n| n == section.as_bytes())
    }
}

pub fn info(db: &mut Db, call: &Call, out: &mut Executed) {
    let asked = Asked::parse(&call.argv[1..]);
    let mut text = String::new();
    type Section = fn(&Db, &Call, &mut String);
    let sections: [(&[&str], Section); 13] = [
        (&["server"], server),
        (&["clients"], clients),
        (&["memory"], memory),
        (&["persistence"], persistence),
        (&["stats"], stats),
        (&["replication"], replication),
        (&["cpu"], cpu),
        (&["module_list", "modules"], modules),
        (&["commandstats"], commandstats),
        (&["errorstats"], errorstats),
        (&["latencystats"], latencystats),
        (&["cluster"], cluster),
        (&["keyspace"], keyspace),
    ];
    for (names, write) in sections {
        if names.iter().any(|n| asked.wants(n)) {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            write(db, call, &mut text);
        }
    }
    out.reply = Reply::Bulk(text.into_bytes());
}

/// `field:value\r\n` lines, one per pair.
fn lines(text: &mut String, title: &str, fields: &[(&str, String)]) {
    let _ = write!(text, "# {title}\r\n");
    for (name, value) in fields {
        let _ = write!(text, "{name}:{value}\r\n");
    }
}

fn server(db: &Db, call: &Call, text: &mut String) {
    let host = &db.host;
    let now_ms = call.now_ms();
    let uptime_s = now_ms.saturating_sub(host.started_ms) / 1000;
    // LRU_CLOCK_RESOLUTION 1000 ms, LRU_CLOCK_MAX 2^24 - 1 (server.h).
    let lru_clock = (now_ms / 1000) & ((1 << 24) - 1);
    lines(
        text,
        "Server",
        &[
            ("redis_version", "7.0.15".into()),
            ("redis_git_sha1", "00000000".into()),
            ("redis_git_dirty", "0".into()),
            ("redis_build_id", "0000000000000000".into()),
            ("redis_mode", "standalone".into()),
            ("os", host.os.clone()),
            ("arch_bits", (usize::BITS).to_string()),
            ("monotonic_clock", "POSIX clock_gettime".into()),
            ("multiplexing_api", "epoll".into()),
            ("atomicvar_api", "c11-builtin".into()),
            ("gcc_version", "0.0.0".into()),
            ("process_id", host.process_id.to_string()),
            ("process_supervised", "no".into()),
            ("run_id", host.run_id.clone()),
            ("tcp_port", host.tcp_port.to_string()),
            ("server_time_usec", (now_ms * 1000).to_string()),
            ("uptime_in_seconds", uptime_s.to_string()),
            ("uptime_in_days", (uptime_s / 86400).to_string()),
            ("hz", "10".into()),
            ("configured_hz", "10".into()),
            ("lru_clock", lru_clock.to_string()),
            ("executable", host.executable.clone()),
            ("config_file", host.config_file.clone()),
            ("io_threads_active", "0".into()),
        ],
    );
}

fn clients(_: &Db, call: &Call, text: &mut String) {
    let ctx = call.ctx;
    lines(
        text,
        "Clients",
        &[
            ("connected_clients", ctx.connected_clients.to_string()),
            ("cluster_connections", "0".into()),
            ("maxclients", "10000".into()),
            ("client_recent_max_input_buffer", "0".into()),
            ("client_recent_max_output_buffer", "0".into()),
            ("blocked_clients", ctx.blocked_clients.to_string()),
            ("tracking_clients", "0".into()),
            (
                "clients_in_timeout_table",
                ctx.blocked_clients_with_timeout.to_string(),
            ),
        ],
    );
}

/// `%.2f%%` of a ratio, 0 when the divisor is 0.
fn percent(part: u64, whole: u64) -> String {
    let ratio = if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    };
    format!("{ratio:.2}%")
}

fn memory(db: &Db, call: &Call, text: &mut String) {
    let used = call.ctx.used_memory_bytes;
    let peak = db.stats.peak_memory_bytes.max(used);
    let rss = db.host.rss_bytes.unwrap_or(used);
    let ratio = |a: u64, b: u64| {
        if b == 0 {
            "0.00".to_string()
        } else {
            format!("{:.2}", a as f64 / b as f64)
        }
    };
    let n = |v: u64| v.to_string();
    lines(
        text,
        "Memory",
        &[
            ("used_memory", n(used)),
            ("used_memory_human", human_bytes(used)),
            ("used_memory_rss", n(rss)),
            ("used_memory_rss_human", human_bytes(rss)),
            ("used_memory_peak", n(peak)),
            ("used_memory_peak_human", human_bytes(peak)),
            ("used_memory_peak_perc", percent(used, peak)),
            // The engine does not split the process's bytes into overhead
            // and data: everything counts as the dataset.
            ("used_memory_overhead", "0".into()),
            ("used_memory_startup", "0".into()),
            ("used_memory_dataset", n(used)),
            ("used_memory_dataset_perc", percent(used, used)),
            ("allocator_allocated", n(used)),
            ("allocator_active", n(used)),
            ("allocator_resident", n(rss)),
            ("total_system_memory", "0".into()),
            ("total_system_memory_human", "0B".into()),
            ("used_memory_lua", "0".into()),
            ("used_memory_vm_eval", "0".into()),
            ("used_memory_lua_human", "0B".into()),
            ("used_memory_scripts_eval", "0".into()),
            ("number_of_cached_scripts", "0".into()),
            ("number_of_functions", "0".into()),
            ("number_of_libraries", "0".into()),
            ("used_memory_vm_functions", "0".into()),
            ("used_memory_vm_total", "0".into()),
            ("used_memory_vm_total_human", "0B".into()),
            ("used_memory_functions", "0".into()),
            ("used_memory_scripts", "0".into()),
            ("used_memory_scripts_human", "0B".into()),
            ("maxmemory", "0".into()),
            ("maxmemory_human", "0B".into()),
            ("maxmemory_policy", "noeviction".into()),
            ("allocator_frag_ratio", ratio(used, used)),
            ("allocator_frag_bytes", "0".into()),
            ("allocator_rss_ratio", ratio(rss, used)),
            ("allocator_rss_bytes", n(rss.saturating_sub(used))),
            ("rss_overhead_ratio", "1.00".into()),
            ("rss_overhead_bytes", "0".into()),
            ("mem_fragmentation_ratio", ratio(rss, used)),
            ("mem_fragmentation_bytes", n(rss.saturating_sub(used))),
            ("mem_not_counted_for_evict", "0".into()),
            ("mem_replication_backlog", "0".into()),
            ("mem_total_replication_buffers", "0".into()),
            ("mem_clients_slaves", "0".into()),
            ("mem_clients_normal", "0".into()),
            ("mem_cluster_links", "0".into()),
            ("mem_aof_buffer", "0".into()),
            ("mem_allocator", "jemalloc-5.3.0".into()),
            ("active_defrag_running", "0".into()),
            ("lazyfree_pending_objects", "0".into()),
            ("lazyfreed_objects", "0".into()),
        ],
    );
}

fn persistence(db: &Db, _: &Call, text: &mut String) {
    let zero = |name| (name, "0".to_string());
    lines(
        text,
        "Persistence",
        &[
            zero("loading"),
            zero("async_loading"),
            zero("current_cow_peak"),
            zero("current_cow_size"),
            zero("current_cow_size_age"),
            ("current_fork_perc", "0.00".into()),
            zero("current_save_keys_processed"),
            zero("current_save_keys_total"),
            // Redis's `server.dirty`, as far as the engine counts it
            // (`Executed::dirty`: the stream commands).
            ("rdb_changes_since_last_save", db.stats.changes.to_string()),
            zero("rdb_bgsave_in_progress"),
            (
                "rdb_last_save_time",
                (db.host.started_ms / 1000).to_string(),
            ),
            ("rdb_last_bgsave_status", "ok".into()),
            ("rdb_last_bgsave_time_sec", "-1".into()),
            ("rdb_current_bgsave_time_sec", "-1".into()),
            zero("rdb_saves"),
            zero("rdb_last_cow_size"),
            zero("rdb_last_load_keys_expired"),
            zero("rdb_last_load_keys_loaded"),
            zero("aof_enabled"),
            zero("aof_rewrite_in_progress"),
            zero("aof_rewrite_scheduled"),
            ("aof_last_rewrite_time_sec", "-1".into()),
            ("aof_current_rewrite_time_sec", "-1".into()),
            ("aof_last_bgrewrite_status", "ok".into()),
            zero("aof_rewrites"),
            zero("aof_rewrites_consecutive_failures"),
            ("aof_last_write_status", "ok".into()),
            zero("aof_last_cow_size"),
            zero("module_fork_in_progress"),
            zero("module_fork_last_cow_size"),
        ],
    );
}

fn stats(db: &Db, _: &Call, text: &mut String) {
    let (s, host) = (&db.stats, &db.host);
    let kbps = |bytes_per_s: u64| format!("{:.2}", bytes_per_s as f64 / 1024.0);
    let zero = |name| (name, "0".to_string());
    lines(
        text,
        "Stats",
        &[
            (
                "total_connections_received",
                host.total_connections_received.to_string(),
            ),
            ("total_commands_processed", s.total_commands.to_string()),
            ("instantaneous_ops_per_sec", s.ops_rate.value().to_string()),
            (
                "total_net_input_bytes",
                host.total_net_input_bytes.to_string(),
            ),
            (
                "total_net_output_bytes",
                host.total_net_output_bytes.to_string(),
            ),
            zero("total_net_repl_input_bytes"),
            zero("total_net_repl_output_bytes"),
            ("instantaneous_input_kbps", kbps(s.input_rate.value())),
            ("instantaneous_output_kbps", kbps(s.output_rate.value())),
            ("instantaneous_input_repl_kbps", "0.00".into()),
            ("instantaneous_output_repl_kbps", "0.00".into()),
            zero("rejected_connections"),
            zero("sync_full"),
            zero("sync_partial_ok"),
            zero("sync_partial_err"),
            ("expired_keys", s.expired_keys.to_string()),
            (
                "expired_stale_perc",
                format!("{:.2}", s.expired_stale_perc * 100.0),
            ),
            (
                "expired_time_cap_reached_count",
                s.expired_time_cap_reached_count.to_string(),
            ),
            (
                "expire_cycle_cpu_milliseconds",
                (s.expire_cycle_usec / 1000).to_string(),
            ),
            zero("evicted_keys"),
            zero("evicted_clients"),
            zero("total_eviction_exceeded_time"),
            zero("current_eviction_exceeded_time"),
            ("keyspace_hits", s.keyspace_hits.to_string()),
            ("keyspace_misses", s.keyspace_misses.to_string()),
            zero("pubsub_channels"),
            zero("pubsub_patterns"),
            zero("pubsubshard_channels"),
            zero("latest_fork_usec"),
            zero("total_forks"),
            zero("migrate_cached_sockets"),
            zero("slave_expires_tracked_keys"),
            zero("active_defrag_hits"),
            zero("active_defrag_misses"),
            zero("active_defrag_key_hits"),
            zero("active_defrag_key_misses"),
            zero("total_active_defrag_time"),
            zero("current_active_defrag_time"),
            zero("tracking_total_keys"),
            zero("tracking_total_items"),
            zero("tracking_total_prefixes"),
            zero("unexpected_error_replies"),
            ("total_error_replies", s.total_error_replies.to_string()),
            zero("dump_payload_sanitizations"),
            (
                "total_reads_processed",
                host.total_reads_processed.to_string(),
            ),
            (
                "total_writes_processed",
                host.total_writes_processed.to_string(),
            ),
            zero("io_threaded_reads_processed"),
            zero("io_threaded_writes_processed"),
            zero("reply_buffer_shrinks"),
            zero("reply_buffer_expands"),
        ],
    );
}

fn replication(db: &Db, _: &Call, text: &mut String) {
    lines(
        text,
        "Replication",
        &[
            ("role", "master".into()),
            ("connected_slaves", "0".into()),
            ("master_failover_state", "no-failover".into()),
            ("master_replid", db.host.replication_id.clone()),
            ("master_replid2", "0".repeat(40)),
            ("master_repl_offset", "0".into()),
            ("second_repl_offset", "-1".into()),
            ("repl_backlog_active", "0".into()),
            ("repl_backlog_size", "1048576".into()),
            ("repl_backlog_first_byte_offset", "0".into()),
            ("repl_backlog_histlen", "0".into()),
        ],
    );
}

fn cpu(db: &Db, _: &Call, text: &mut String) {
    // `%ld.%06ld` of a timeval; the caller reads the process's times.
    let seconds = |usec: u64| format!("{}.{:06}", usec / 1_000_000, usec % 1_000_000);
    let (sys, user) = (db.host.cpu_sys_usec, db.host.cpu_user_usec);
    lines(
        text,
        "CPU",
        &[
            ("used_cpu_sys", seconds(sys)),
            ("used_cpu_user", seconds(user)),
            ("used_cpu_sys_children", seconds(0)),
            ("used_cpu_user_children", seconds(0)),
            // One thread does everything, so the main thread's times are the process's.
            ("used_cpu_sys_main_thread", seconds(sys)),
            ("used_cpu_user_main_thread", seconds(user)),
        ],
    );
}

fn modules(_: &Db, _: &Call, text: &mut String) {
    lines(text, "Modules", &[]);
}

fn commandstats(db: &Db, _: &Call, text: &mut String) {
    let _ = write!(text, "# Commandstats\r\n");
    // Redis walks its command dict, whose order follows a hash seeded at
    // start; streamlab prints in name order.
    let names = super::slot_names();
    let mut rows: Vec<(&str, &super::super::stats::CommandStat)> = db
        .stats
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.calls > 0 || c.failed_calls > 0 || c.rejected_calls > 0)
        .map(|(slot, c)| (names[slot], c))
        .collect();
    rows.sort_by_key(|(name, _)| *name);
    for (name, c) in rows {
        // `%.2f` of a C float: the division happens in single precision.
        let per_call = if c.calls == 0 {
            0.0
        } else {
            c.usec as f32 / c.calls as f32
        };
        let _ = write!(
            text,
            "cmdstat_{name}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            c.calls, c.usec, c.rejected_calls, c.failed_calls
        );
    }
}

fn errorstats(db: &Db, _: &Call, text: &mut String) {
    let _ = write!(text, "# Errorstats\r\n");
    for (code, count) in &db.stats.errors {
        // getSafeInfoString: ':' '#' and line breaks become '_'.
        let safe: String = code
            .chars()
            .map(|c| if "#:\r\n".contains(c) { '_' } else { c })
            .collect();
        let _ = write!(text, "errorstat_{safe}:count={count}\r\n");
    }
}

fn latencystats(db: &Db, _: &Call, text: &mut String) {
    // One line per command with a histogram: the durations the caller
    // measured (latency.rs); the simulator measures none, so it prints the
    // header alone. Name order, as commandstats (Redis's follows a hash).
    let _ = write!(text, "# Latencystats\r\n");
    let names = super::slot_names();
    let mut rows: Vec<(&str, &super::super::latency::Histogram)> = db
        .stats
        .latency
        .iter()
        .enumerate()
        .filter_map(|(slot, h)| h.as_ref().map(|h| (names[slot], h)))
        .collect();
    rows.sort_by_key(|(name, _)| *name);
    for (name, histogram) in rows {
        text.push_str(&histogram.info_line(name));
    }
}

fn cluster(_: &Db, _: &Call, text: &mut String) {
    lines(text, "Cluster", &[("cluster_enabled", "0".into())]);
}

fn keyspace(db: &Db, _: &Call, text: &mut String) {
    let _ = write!(text, "# Keyspace\r\n");
    // Keys past their TTL still count until a lookup or the active cycle
    // deletes them (dictSize); avg_ttl is the active cycle's estimate.
    let (keys, expires) = (db.keys.len(), db.keys.expires_len());
    if keys > 0 || expires > 0 {
        let _ = write!(
            text,
            "db0:keys={keys},expires={expires},avg_ttl={}\r\n",
            db.keys.avg_ttl_ms
        );
    }
}
