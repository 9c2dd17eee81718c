//! Cheap, exact seeking: clones of the whole simulation at known steps.
//!
//! ```text
//!   work:         0 ──── 1000 ──── 2000 ──── 3000 ─ ... ─ furthest      work = steps + bytes hashed / 64
//!   checkpoints:  (0,C0) (1000,C1) (2000,C2) (3000,C3)      sorted by step (and so by work)
//!   records:      [every step's record up to the furthest step reached]
//!
//!   seek(step 2345) = clone the last checkpoint at or before it (C2), replay the steps between
//!   seek(the end)   = clone the finished run, kept once the run first reached its end
//!
//!   more than max_checkpoints (64)?  spacing doubles, and walking from C0 only the
//!   checkpoints at least one new spacing past the last kept stay:  0 1000 2000 3000 ─▶ 0 2000
//! ```
//!
//! Why work and not steps: steps differ a hundredfold in cost (an XADD
//! against a bridge's XREADGROUP of 100 entries and the 100 Kafka sends that
//! follow). Spaced by steps, the end of S13b (the bridge catching up on an
//! hour of entries) sat 6,000 heavy steps from its checkpoint and took a
//! quarter of a second to reach. The bytes the trace hash reads (each
//! command and its reply) are the measure of work at hand.
//!
//! The simulation is deterministic, so replaying from a checkpoint lands on
//! exactly the state the first pass had. Every `Simulation::step()` records
//! exactly one step (Kafka actions included), so a seek lands on exactly
//! the step asked for and a checkpoint sits exactly at its step.
//!
//! Memory stays bounded on long runs: at most `max_checkpoints` clones
//! ([`MAX_CHECKPOINTS`] by default) are kept, at the cost of a seek
//! replaying up to `spacing_work()` of work, which grows as the run does
//! (about the run's work / (max_checkpoints / 2) once thinned).
//!
//! Records are moved out of the simulation into the timeline after every
//! step, so a checkpoint clone does not copy the trace; a reader that has
//! taken what it needs from them lets the timeline forget them.

use super::simulation::Simulation;
use super::trace::StepRecord;
use crate::scenario::Scenario;
use std::sync::Arc;

/// Checkpoints kept at most by [`Timeline::new`]; past this the spacing
/// doubles. [`Timeline::with_limit`] picks another bound (a run holding
/// half a million messages clones to a few hundred MB).
pub const MAX_CHECKPOINTS: usize = 64;

/// A simulation with history.
#[derive(Clone, Debug)]
pub struct Timeline {
    current: Simulation,
    /// `(steps done, work done, simulation then)`, sorted by step; the
    /// first (the run's start) always kept.
    checkpoints: Vec<(u64, u64, Simulation)>,
    /// Work between checkpoints now (`every` times a power of two).
    spacing_work: u64,
    /// Checkpoints kept at most.
    max_checkpoints: usize,
    /// Records of steps `records_from ..`, in order (see
    /// [`Timeline::forget_records`]).
    records: Vec<StepRecord>,
    records_from: u64,
    /// The most steps the timeline has been at.
    furthest_steps: u64,
    /// The run's step count, once a step found nothing left to do.
    end_steps: Option<u64>,
    /// Whether the simulation keeps step records (a seek turns keeping off
    /// while it replays known steps, so the trace's own flag can be off).
    keep_records: bool,
    /// The finished run, once reached: the end is where a learner jumps
    /// most, and reaching it from a checkpoint replays a spacing of work
    /// and then the end-of-run pass over every message.
    finished: Option<Box<Simulation>>,
}

impl Timeline {
    /// Wraps a fresh simulation; a checkpoint is taken every `every_steps`
    /// at first (more apart once there are [`MAX_CHECKPOINTS`]).
    pub fn new(sim: Simulation, every_steps: u64) -> Timeline {
        Timeline::with_limit(sim, every_steps, MAX_CHECKPOINTS)
    }

    /// Like [`Timeline::new`], keeping at most `max_checkpoints` (at least 2).
    pub fn with_limit(sim: Simulation, every: u64, max_checkpoints: usize) -> Timeline {
        Timeline {
            keep_records: sim.ctx.trace.keeps_records(),
            max_checkpoints: max_checkpoints.max(2),
            checkpoints: vec![(sim.steps(), work(&sim), sim.clone())],
            current: sim,
            spacing_work: every.max(1),
            records: Vec::new(),
            records_from: 0,
            furthest_steps: 0,
            end_steps: None,
            finished: None,
        }
    }

    /// The simulation at the current position.
    pub fn current(&self) -> &Simulation {
        &self.current
    }

    /// Records of the steps reached so far, from the first one not
    /// forgotten (kept only if the run keeps traces): step `i`'s record is
    /// `records()[i - records_from()]`.
    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    /// The step of `records()[0]`.
    pub fn records_from(&self) -> u64 {
        self.records_from
    }

    /// Drops the records kept so far; later steps are kept again. A
    /// reader that takes what it needs from each new record (the
    /// explorer's markers) keeps the timeline's memory to its checkpoints:
    /// half a million records of a long run cost more than the run itself.
    pub fn forget_records(&mut self) {
        self.records_from += self.records.len() as u64;
        self.records = Vec::new();
    }

    /// The record of the last step done (the one that led to the current
    /// position), if the run keeps traces and a step was made; always
    /// there, forgotten or not (the simulation keeps its newest record).
    pub fn last_record(&self) -> Option<&StepRecord> {
        self.position().checked_sub(1)?;
        self.current.ctx.trace.last_record()
    }

    /// Current step count.
    pub fn position(&self) -> u64 {
        self.current.steps()
    }

    /// The furthest step reached so far.
    pub fn furthest(&self) -> u64 {
        self.furthest_steps
    }

    /// Steps at which a checkpoint is kept, ascending.
    pub fn checkpoint_steps(&self) -> Vec<u64> {
        self.checkpoints.iter().map(|c| c.0).collect()
    }

    /// Work done at each checkpoint, ascending (see [`work`]).
    pub fn checkpoint_work(&self) -> Vec<u64> {
        self.checkpoints.iter().map(|c| c.1).collect()
    }

    /// Work between checkpoints now: about the most a seek replays.
    pub fn spacing_work(&self) -> u64 {
        self.spacing_work
    }

    /// The run's total step count, once the timeline has reached its end.
    pub fn end_steps(&self) -> Option<u64> {
        self.end_steps
    }

    /// One step forward; false at the end (the simulation is then
    /// finished: end-of-run expectations evaluated, time at its end).
    pub fn step(&mut self) -> bool {
        let made = self.current.step();
        if !made {
            self.end_steps = Some(self.current.steps());
            if self.finished.is_none() {
                self.finished = Some(Box::new(self.current.clone()));
            }
        }
        if made {
            let steps = self.current.steps();
            self.furthest_steps = self.furthest_steps.max(steps);
            let fresh = self.current.ctx.trace.drain_records();
            let have = self.records_from + self.records.len() as u64;
            if steps > have {
                self.records
                    .extend(fresh.into_iter().filter(|r| r.step >= have));
            }
            let (newest, newest_work) = self.checkpoints.last().map_or((0, 0), |c| (c.0, c.1));
            let done = work(&self.current);
            if steps > newest && done >= newest_work + self.spacing_work {
                self.checkpoints.push((steps, done, self.current.clone()));
                self.thin();
            }
        }
        made
    }

    /// Keeps the checkpoint count bounded: doubles the spacing and keeps,
    /// from the first on, each checkpoint at least one spacing of work past
    /// the last one kept.
    fn thin(&mut self) {
        while self.checkpoints.len() > self.max_checkpoints {
            self.spacing_work *= 2;
            let spacing = self.spacing_work;
            let mut last_kept: Option<u64> = None;
            self.checkpoints.retain(|c| {
                let keep = last_kept.is_none_or(|w| c.1 >= w + spacing);
                if keep {
                    last_kept = Some(c.1);
                }
                keep
            });
        }
    }

    /// Moves to exactly `n` steps done (just after step `n - 1`),
    /// backwards or forwards; past the end of the run it stops at the end.
    /// The last position always shows the finished run, however it was
    /// reached (stepping, or seeking from a checkpoint).
    pub fn seek(&mut self, n: u64) {
        if let Some(end) = &self.finished
            && n >= end.steps()
        {
            if !self.current.is_finished() || self.current.steps() != end.steps() {
                self.current = (**end).clone();
            }
            return;
        }
        let here = self.current.steps();
        // The last checkpoint at or before n; step 0's always qualifies.
        let at = self.checkpoints.partition_point(|c| c.0 <= n);
        if let Some((step, _, sim)) = at.checked_sub(1).map(|i| &self.checkpoints[i])
            && (n < here || *step > here)
        {
            self.current = sim.clone();
        }
        // Steps recorded once already are replayed without building their
        // records again (nobody reads them twice). The step that may be the
        // last before the position keeps its record, as that is what the
        // position shows: the one before `n`, and the furthest known one
        // (the run may end right after it).
        let keep = self.keep_records;
        let last_known = n.min(self.furthest_steps);
        loop {
            let s = self.current.steps();
            if s >= n {
                break;
            }
            let replayed = s + 1 < last_known;
            self.current.ctx.trace.set_keep(keep && !replayed);
            if !self.step() {
                break;
            }
        }
        self.current.ctx.trace.set_keep(keep);
        if self.end_steps == Some(self.current.steps()) && !self.current.is_finished() {
            // Nothing is left to record: this only finishes the run.
            let more = self.current.step();
            debug_assert!(!more, "the run ended at this step before");
        }
    }

    /// Starts a branch here: `scenario` (the one being played, with its
    /// actions changed after this step only) replaces it in the current
    /// simulation and in every checkpoint at or before here, and whatever
    /// was known beyond here is forgotten. The next `step()` runs the
    /// branch's first new action. Checkpoints at or before here stay
    /// valid: actions only act after the step they name.
    pub fn fork(&mut self, scenario: Arc<Scenario>) {
        let here = self.position();
        self.checkpoints.retain(|c| c.0 <= here);
        for (_, _, sim) in &mut self.checkpoints {
            sim.scenario = scenario.clone();
        }
        self.current.scenario = scenario;
        if here < self.records_from {
            self.records.clear();
            self.records_from = here;
        } else {
            self.records.truncate((here - self.records_from) as usize);
        }
        self.furthest_steps = here;
        self.end_steps = None;
        self.finished = None;
    }

    /// One step back.
    pub fn step_back(&mut self) {
        let n = self.current.steps();
        if n > 0 {
            self.seek(n - 1);
        }
    }
}

/// Bytes of command and reply text that make one unit of work, next to
/// the one unit every step counts.
const WORK_BYTES: u64 = 64;

/// The work `sim` has done: one unit per step and one per
/// [`WORK_BYTES`] the trace hash has read (commands and replies).
pub fn work(sim: &Simulation) -> u64 {
    sim.steps() + sim.ctx.trace.hashed_bytes() / WORK_BYTES
}
