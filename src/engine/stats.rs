//! What INFO reports about the server rather than the data: per-command
//! counters, error counters, the instantaneous rates, and the facts about
//! the process the engine runs in, which only its caller can know.
//!
//! ```text
//!   Db::execute ──▶ Stats::call(slot, reply)        calls, failed_calls, errorstat_*
//!        │     └──▶ Stats::reject(slot, reply)      rejected_calls (arity, MULTI errors)
//!        │     └──▶ Stats::sample(now_ms, host)     instantaneous_* every 100 ms
//!        ▼
//!   caller ──▶ Stats::charge_last_usec(usec)        time it measured around the call,
//!                                                   also its latency histogram
//!   caller ──▶ Stats::unblocked(slot, usec, reply)  a blocked call answered
//!   caller ──▶ Stats::charge_expire_cycle_usec(usec) ... around an active expire cycle
//!   caller ──▶ Db::host: HostFacts                  pid, port, run_id, connections, net bytes
//!        ▼
//!   cmd/info.rs prints them in Redis 7.0.15's order
//! ```
//!
//! The engine reads no clock, so a command's duration cannot come from
//! here: the server measures the whole top-level call and charges it with
//! [`Stats::charge_last_usec`]; the simulator has no durations, so its `usec`
//! stays 0. Commands inside EXEC count their calls and errors, and their
//! time is part of EXEC's.

use std::collections::BTreeMap;

use super::latency::Histogram;

/// Counters of one command (`cmdstat_<name>`), as Redis's `redisCommand`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommandStat {
    /// Times it ran (including runs that replied an error).
    pub calls: u64,
    /// Time charged by the caller, in microseconds.
    pub usec: u64,
    /// Refused before running (wrong arity, an error queued inside MULTI).
    pub rejected_calls: u64,
    /// Ran and replied an error.
    pub failed_calls: u64,
}

/// Samples kept per rate, as Redis's `STATS_METRIC_SAMPLES`.
const METRIC_SAMPLES: usize = 16;
/// How often a rate is sampled: serverCron at hz 10 samples every 100 ms.
const SAMPLE_PERIOD_MS: u64 = 100;

/// One instantaneous rate (`trackInstantaneousMetric`): the mean of the
/// last 16 samples, each the counter's growth per second since the last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rate {
    last_sample_ms: u64,
    last_count: u64,
    samples: [u64; METRIC_SAMPLES],
    next: usize,
}

impl Rate {
    fn sample(&mut self, now_ms: u64, count: u64) {
        let elapsed_ms = now_ms.saturating_sub(self.last_sample_ms);
        let per_second = (count.saturating_sub(self.last_count) * 1000)
            .checked_div(elapsed_ms)
            .unwrap_or(0);
        self.samples[self.next] = per_second;
        self.next = (self.next + 1) % METRIC_SAMPLES;
        self.last_sample_ms = now_ms;
        self.last_count = count;
    }

    /// The mean of the samples (`getInstantaneousMetric`).
    pub fn value(&self) -> u64 {
        self.samples.iter().sum::<u64>() / METRIC_SAMPLES as u64
    }

    fn restart(&mut self, now_ms: u64) {
        *self = Rate {
            last_sample_ms: now_ms,
            ..Rate::default()
        };
    }
}

/// Everything CONFIG RESETSTAT clears, and the peak memory it keeps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// `total_commands_processed`: every executed call, EXEC's inner ones too.
    pub total_commands: u64,
    /// Per command, indexed by the command table's slot (`cmd::lookup`).
    pub commands: Vec<CommandStat>,
    /// `errorstat_<CODE>` counts, in byte order as Redis's rax prints them.
    pub errors: BTreeMap<String, u64>,
    /// `total_error_replies`.
    pub total_error_replies: u64,
    /// `keyspace_hits`: read lookups that found their key (hits.rs).
    pub keyspace_hits: u64,
    /// `keyspace_misses`: read lookups that did not.
    pub keyspace_misses: u64,
    /// `expired_keys`: keys deleted because their TTL had passed, by a
    /// lookup or the active cycle (expire.rs, active_expire.rs).
    pub expired_keys: u64,
    /// `expired_stale_perc`: the active cycle's running estimate of the
    /// share of sampled keys found expired (0..1).
    pub expired_stale_perc: f64,
    /// `expired_time_cap_reached_count`: active cycles that stopped at
    /// their work limit with keys still to look at.
    pub expired_time_cap_reached_count: u64,
    /// `expire_cycle_cpu_milliseconds`, in µs: the time the caller
    /// measured around the active cycles (`charge_expire_cycle_usec`).
    pub expire_cycle_usec: u64,
    /// `rdb_changes_since_last_save`: the sum of `Executed::dirty`, which
    /// RESETSTAT leaves alone (nothing saves, so it only grows).
    pub changes: u64,
    /// `used_memory_peak`: the largest `used_memory` seen after a command.
    pub peak_memory_bytes: u64,
    /// `instantaneous_ops_per_sec`.
    pub ops_rate: Rate,
    /// `instantaneous_input_kbps` (bytes per second; printed / 1024).
    pub input_rate: Rate,
    /// `instantaneous_output_kbps` (bytes per second; printed / 1024).
    pub output_rate: Rate,
    /// The first time a command ran: rates start sampling from here.
    started: bool,
    /// The command the last `Db::execute` counted a call for, if any: the
    /// one [`Stats::charge_last_usec`] charges.
    last_slot: Option<usize>,
    /// The commands the last EXEC ran (recorded with its charge).
    exec_slots: Vec<usize>,
    /// Per command slot, the latency of its calls (INFO latencystats),
    /// from the durations the caller measured; `None` until one is.
    pub latency: Vec<Option<Histogram>>,
}

impl Stats {
    fn slot(&mut self, slot: usize) -> &mut CommandStat {
        if self.commands.len() <= slot {
            self.commands.resize(slot + 1, CommandStat::default());
        }
        &mut self.commands[slot]
    }

    /// A command ran (Redis's `call`) and answered `reply`.
    pub fn call(&mut self, slot: usize, reply: &super::Reply) {
        self.total_commands += 1;
        let failed = self.error_reply(reply);
        let stat = self.slot(slot);
        stat.calls += 1;
        stat.failed_calls += u64::from(failed);
    }

    /// A command was refused before running (`rejectCommand`); `slot` is
    /// `None` when the name itself is unknown.
    pub fn reject(&mut self, slot: Option<usize>, reply: &super::Reply) {
        let failed = self.error_reply(reply);
        if let (Some(slot), true) = (slot, failed) {
            self.slot(slot).rejected_calls += 1;
        }
    }

    /// Adds the caller's measured duration of the last top-level call, if
    /// it was counted (a queued, refused or re-served command is not), and
    /// records it in the command's latency histogram unless the call
    /// blocked (Redis records a blocked call when it is served, see
    /// [`Stats::unblocked`]). Commands an EXEC ran are recorded with it at
    /// 0 µs: their time is EXEC's. Returns the slot charged.
    pub fn charge_last_usec(&mut self, usec: u64, blocked: bool) -> Option<usize> {
        let inner = std::mem::take(&mut self.exec_slots);
        let slot = self.last_slot.take()?;
        self.slot(slot).usec += usec;
        if !blocked {
            self.record_latency(slot, usec);
        }
        for inner_slot in inner {
            self.record_latency(inner_slot, 0);
        }
        Some(slot)
    }

    /// A blocked call of `slot` was answered `reply` after `usec` in all
    /// (`updateStatsOnUnblock`): the time is added again, as Redis adds
    /// it, and recorded as the call's latency; an error reply counts in
    /// errorstats and as a failed call. A timeout is none of this.
    pub fn unblocked(&mut self, slot: usize, usec: u64, reply: &super::Reply) {
        let failed = self.error_reply(reply);
        let stat = self.slot(slot);
        stat.usec += usec;
        stat.failed_calls += u64::from(failed);
        self.record_latency(slot, usec);
    }

    fn record_latency(&mut self, slot: usize, usec: u64) {
        let ns = i64::try_from(usec.saturating_mul(1000)).unwrap_or(i64::MAX);
        if self.latency.len() <= slot {
            self.latency.resize(slot + 1, None);
        }
        self.latency[slot]
            .get_or_insert_with(Histogram::default)
            .record_ns(ns);
    }

    /// EXEC ran the command of `slot` (charged with EXEC, see above).
    pub fn exec_ran(&mut self, slot: usize) {
        self.exec_slots.push(slot);
    }

    /// Adds the caller's measured duration of an active expire cycle.
    pub fn charge_expire_cycle_usec(&mut self, usec: u64) {
        self.expire_cycle_usec += usec;
    }

    /// Starts a top-level call: nothing to charge yet.
    pub fn begin_call(&mut self) {
        self.last_slot = None;
        self.exec_slots.clear();
    }

    /// Marks `slot` as the top-level call the caller's time belongs to.
    pub fn end_call(&mut self, slot: usize) {
        self.last_slot = Some(slot);
    }

    /// Counts an error reply as `afterErrorReply` does: its code is the
    /// first word when the text has a space in its first 31 bytes, else ERR.
    /// Returns whether `reply` was an error.
    fn error_reply(&mut self, reply: &super::Reply) -> bool {
        let super::Reply::Error(text) = reply else {
            return false;
        };
        self.total_error_replies += 1;
        let head = &text.as_bytes()[..text.len().min(31)];
        let code = match head.iter().position(|&b| b == b' ') {
            Some(end) => &text[..end],
            None => "ERR",
        };
        *self.errors.entry(code.to_string()).or_insert(0) += 1;
        true
    }

    /// Feeds the rates once per 100 ms of command time, and records the
    /// memory peak. Redis samples from its cron; the engine samples when a
    /// command arrives, filling the periods nobody sampled with zero rates.
    pub fn sample(&mut self, now_ms: u64, used_memory_bytes: u64, host: &HostFacts) {
        self.peak_memory_bytes = self.peak_memory_bytes.max(used_memory_bytes);
        if !self.started {
            self.started = true;
            for rate in [
                &mut self.ops_rate,
                &mut self.input_rate,
                &mut self.output_rate,
            ] {
                rate.restart(now_ms);
            }
            return;
        }
        let elapsed_ms = now_ms.saturating_sub(self.ops_rate.last_sample_ms);
        if elapsed_ms < SAMPLE_PERIOD_MS {
            return;
        }
        let missed = (elapsed_ms / SAMPLE_PERIOD_MS - 1).min(METRIC_SAMPLES as u64);
        let counts = [
            self.total_commands,
            host.total_net_input_bytes,
            host.total_net_output_bytes,
        ];
        let rates = [
            &mut self.ops_rate,
            &mut self.input_rate,
            &mut self.output_rate,
        ];
        for (rate, count) in rates.into_iter().zip(counts) {
            for _ in 0..missed {
                rate.samples[rate.next] = 0;
                rate.next = (rate.next + 1) % METRIC_SAMPLES;
            }
            rate.sample(now_ms, count);
        }
    }

    /// CONFIG RESETSTAT (`resetServerStats`, `resetCommandTableStats`,
    /// `resetErrorTableStats`); the memory peak is not among them.
    pub fn reset(&mut self, now_ms: u64) {
        let (peak, changes) = (self.peak_memory_bytes, self.changes);
        *self = Stats {
            peak_memory_bytes: peak,
            changes,
            started: true,
            ..Stats::default()
        };
        for rate in [
            &mut self.ops_rate,
            &mut self.input_rate,
            &mut self.output_rate,
        ] {
            rate.restart(now_ms);
        }
    }
}

/// Facts about the process and its connections that INFO prints and the
/// engine cannot observe: the server fills them from the OS and its
/// sockets, the simulator leaves the fixed virtual values of `default()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFacts {
    /// `os` (uname: system, release, machine).
    pub os: String,
    /// `process_id`.
    pub process_id: u64,
    /// `tcp_port`.
    pub tcp_port: u16,
    /// `run_id`: 40 hex digits, new each start.
    pub run_id: String,
    /// `master_replid`: 40 hex digits, new each start.
    pub replication_id: String,
    /// When the process started, Unix ms (`uptime_in_seconds` counts from it).
    pub started_ms: u64,
    /// `executable`: the absolute path of the binary.
    pub executable: String,
    /// `config_file`: empty when started without one.
    pub config_file: String,
    /// `total_connections_received` since the last RESETSTAT.
    pub total_connections_received: u64,
    /// `total_net_input_bytes` since the last RESETSTAT.
    pub total_net_input_bytes: u64,
    /// `total_net_output_bytes` since the last RESETSTAT.
    pub total_net_output_bytes: u64,
    /// `total_reads_processed`: read events served (one per readable client).
    pub total_reads_processed: u64,
    /// `total_writes_processed`: write passes that had replies to send.
    pub total_writes_processed: u64,
    /// `used_memory_rss`, when the caller can read it (else `used_memory`).
    pub rss_bytes: Option<u64>,
    /// `used_cpu_sys` / `used_cpu_user` in microseconds, when known.
    pub cpu_sys_usec: u64,
    /// See `cpu_sys_usec`.
    pub cpu_user_usec: u64,
}

impl Default for HostFacts {
    /// The virtual machine the simulator runs: fixed values, so two runs
    /// of a scenario print the same INFO.
    fn default() -> Self {
        HostFacts {
            os: "streamlab virtual".into(),
            process_id: 1,
            tcp_port: 6379,
            run_id: "0".repeat(40),
            replication_id: "0".repeat(40),
            started_ms: 0,
            executable: String::new(),
            config_file: String::new(),
            total_connections_received: 0,
            total_net_input_bytes: 0,
            total_net_output_bytes: 0,
            total_reads_processed: 0,
            total_writes_processed: 0,
            rss_bytes: None,
            cpu_sys_usec: 0,
            cpu_user_usec: 0,
        }
    }
}

impl HostFacts {
    /// What CONFIG RESETSTAT clears among the caller's counters.
    pub fn reset_counters(&mut self) {
        self.total_connections_received = 0;
        self.total_net_input_bytes = 0;
        self.total_net_output_bytes = 0;
        self.total_reads_processed = 0;
        self.total_writes_processed = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Db, ExecContext, Reply, Session};
    use super::*;

    fn run(db: &mut Db, session: &mut Session, line: &str, now_ms: u64) -> Reply {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        db.execute(session, &argv, &ExecContext::at(now_ms)).reply
    }

    #[test]
    fn the_error_code_is_the_first_word_of_a_short_head() {
        let mut stats = Stats::default();
        stats.call(0, &Reply::err("WRONGTYPE Operation against a key"));
        stats.call(0, &Reply::err("NOGROUP No such key"));
        // No space in the first 31 bytes: counted as ERR (afterErrorReply).
        stats.call(0, &Reply::err("A".repeat(40)));
        stats.call(0, &Reply::Integer(1));
        let codes: Vec<(&str, u64)> = stats.errors.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(codes, [("ERR", 1), ("NOGROUP", 1), ("WRONGTYPE", 1)]);
        assert_eq!(stats.total_error_replies, 3);
        assert_eq!(stats.commands[0].calls, 4);
        assert_eq!(stats.commands[0].failed_calls, 3);
    }

    #[test]
    fn queued_commands_count_when_exec_runs_them() {
        let mut db = Db::new();
        let mut s = Session::default();
        run(&mut db, &mut s, "MULTI", 0);
        run(&mut db, &mut s, "SET k v", 0);
        assert_eq!(db.stats.total_commands, 1, "MULTI only; SET is queued");
        run(&mut db, &mut s, "EXEC", 0);
        assert_eq!(db.stats.total_commands, 3);
        // Served again after blocking: not a new call.
        s.serving_blocked = true;
        run(&mut db, &mut s, "GET k", 0);
        assert_eq!(db.stats.total_commands, 3);
        db.stats.charge_last_usec(7, false);
        assert!(db.stats.commands.iter().all(|c| c.usec == 0));
    }

    #[test]
    fn latency_is_recorded_when_charged_and_for_a_blocked_call_when_served() {
        let mut db = Db::new();
        let mut s = Session::default();
        let line = |name: &str| {
            crate::engine::cmd::slot_names()
                .iter()
                .position(|n| *n == name)
                .expect("a command")
        };
        run(&mut db, &mut s, "GET k", 0);
        assert!(
            db.stats.latency.iter().all(Option::is_none),
            "nothing charged yet"
        );
        assert_eq!(db.stats.charge_last_usec(3, false), Some(line("get")));
        run(&mut db, &mut s, "MULTI", 0);
        db.stats.charge_last_usec(1, false);
        run(&mut db, &mut s, "SET k v", 0);
        assert_eq!(db.stats.charge_last_usec(9, false), None, "queued");
        run(&mut db, &mut s, "EXEC", 0);
        db.stats.charge_last_usec(5, false);
        let at = |db: &Db, name: &str| {
            let h = db.stats.latency[line(name)].as_ref().expect("recorded");
            h.value_at_percentile(50.0)
        };
        assert_eq!(at(&db, "get"), 3_007);
        assert_eq!(at(&db, "set"), 1, "inside EXEC: 0 µs, EXEC has the time");
        assert_eq!(at(&db, "exec"), 5_023);
        // A call that blocked: no sample until it is served.
        run(&mut db, &mut s, "XREAD BLOCK 0 STREAMS s $", 0);
        let slot = db.stats.charge_last_usec(2, true).expect("charged");
        assert!(db.stats.latency.get(slot).is_none_or(Option::is_none));
        db.stats.unblocked(slot, 7, &Reply::err("UNBLOCKED gone"));
        assert_eq!(at(&db, "xread"), 7_007);
        assert_eq!(db.stats.commands[slot].failed_calls, 1);
        assert_eq!(
            db.stats.commands[slot].usec, 9,
            "2 when it blocked, 7 when served"
        );
        assert_eq!(db.stats.errors.get("UNBLOCKED"), Some(&1));
        run(&mut db, &mut s, "CONFIG RESETSTAT", 0);
        assert!(db.stats.latency.iter().all(Option::is_none));
    }

    #[test]
    fn rates_average_sixteen_samples_of_command_time() {
        let mut db = Db::new();
        let mut s = Session::default();
        // 10 commands per 100 ms for 2 s: 100 ops/s once the window is full.
        for i in 0..200 {
            run(&mut db, &mut s, "PING", i * 10);
        }
        assert_eq!(db.stats.ops_rate.value(), 100);
        // Ten idle seconds push the window full of zero samples.
        run(&mut db, &mut s, "PING", 12_000);
        assert_eq!(db.stats.ops_rate.value(), 0);
        run(&mut db, &mut s, "CONFIG RESETSTAT", 12_000);
        assert_eq!(
            db.stats.total_commands, 1,
            "RESETSTAT counts itself after clearing"
        );
    }
}
