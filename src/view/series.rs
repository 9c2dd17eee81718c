//! Numbers over the whole run, for the plots: sampled while the player
//! explores ahead, about 400 times per run in virtual time.
//!
//! ```text
//!   explore: step ─▶ now_ms ≥ next sample time? ─▶ Sample { step, time_ms,
//!                       length, entries_added, memory_bytes,        (the first stream)
//!                       pel[consumer], lag,                         (its first group)
//!                       replicas[name] = records not applied yet }
//!   fork at step n ─▶ samples from n on are dropped (the branch re-samples)
//! ```
//!
//! Every number is read from the engine as XINFO / XPENDING / MEMORY USAGE
//! would answer it; throughput is worked out from `entries_added` between
//! samples.

use crate::engine::db::Value;
use crate::engine::lag::Counters;
use crate::engine::memory;
use crate::sim::Simulation;

/// Samples per run, aimed at.
pub const SAMPLES_PER_RUN: u64 = 400;

/// The run's numbers at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Steps done when it was taken.
    pub step: u64,
    pub time_ms: u64,
    /// XLEN of the plotted stream.
    pub length: u64,
    /// Its `entries-added`.
    pub entries_added: u64,
    /// `MEMORY USAGE` (SAMPLES 5).
    pub memory_bytes: u64,
    /// PEL size of each consumer of the plotted group.
    pub pel: Vec<(String, u64)>,
    /// The group's lag (`None` where Redis answers nil).
    pub lag: Option<i64>,
    /// Replication records each replica has not applied yet.
    pub replicas: Vec<(String, u64)>,
}

/// The samples of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    /// The stream and group plotted (the scenario's first that exist).
    pub stream: Option<String>,
    pub group: Option<String>,
    every_ms: u64,
    next_ms: u64,
    pub samples: Vec<Sample>,
}

impl Series {
    /// Samples a run of `duration_ms` about [`SAMPLES_PER_RUN`] times.
    pub fn new(duration_ms: u64) -> Series {
        Series {
            every_ms: (duration_ms / SAMPLES_PER_RUN).max(1),
            ..Series::default()
        }
    }

    /// Takes a sample if `sim` reached the next sample time.
    pub fn observe(&mut self, sim: &Simulation, step: u64) {
        let now = sim.now_ms();
        if now < self.next_ms && !self.samples.is_empty() {
            return;
        }
        self.next_ms = (now / self.every_ms + 1) * self.every_ms;
        if let Some(s) = self.sample(sim, step) {
            self.samples.push(s);
        }
    }

    /// Forgets the samples taken at or after `step` (a branch starts there).
    pub fn truncate(&mut self, step: u64) {
        self.samples.retain(|s| s.step < step);
        self.next_ms = self
            .samples
            .last()
            .map_or(0, |s| (s.time_ms / self.every_ms + 1) * self.every_ms);
    }

    fn sample(&mut self, sim: &Simulation, step: u64) -> Option<Sample> {
        let db = &sim.ctx.redis.db;
        if self.stream.is_none() {
            self.stream = db.keys.iter().find_map(|(k, v)| match v {
                Value::Stream(s) if !s.groups.is_empty() || s.length() > 0 => {
                    Some(String::from_utf8_lossy(k).into_owned())
                }
                _ => None,
            });
        }
        let key = self.stream.clone()?;
        let (key_bytes, value) = db
            .keys
            .iter()
            .find(|(k, _)| k.as_slice() == key.as_bytes())?;
        let Value::Stream(s) = value else {
            return None;
        };
        if self.group.is_none() {
            self.group = s
                .groups
                .iter()
                .next()
                .map(|(g, _)| String::from_utf8_lossy(g).into_owned());
        }
        let group = self
            .group
            .as_ref()
            .and_then(|g| s.groups.iter().find(|(n, _)| n.as_slice() == g.as_bytes()))
            .map(|(_, g)| g);
        let (pel, lag) = match group {
            Some(g) => {
                let counters = Counters::of(s);
                (
                    g.consumers()
                        .map(|(_, c)| {
                            (
                                String::from_utf8_lossy(&c.name).into_owned(),
                                c.pel().len() as u64,
                            )
                        })
                        .collect(),
                    counters.lag(g.entries_read, g.last_id),
                )
            }
            None => (Vec::new(), None),
        };
        let shipped = sim.ctx.replication.offset;
        Some(Sample {
            step,
            time_ms: sim.now_ms(),
            length: s.length(),
            entries_added: s.entries_added,
            memory_bytes: memory::usage_bytes(key_bytes, value, 5),
            pel,
            lag,
            replicas: sim
                .ctx
                .replication
                .positions()
                .iter()
                .map(|p| (p.name.to_string(), shipped.saturating_sub(p.applied_offset)))
                .collect(),
        })
    }
}
