//! Cheap, exact seeking: clones of the whole simulation at known steps.
//!
//! ```text
//!   steps:        0 ──── 1000 ──── 2000 ──── 3000 ─ ... ─ furthest
//!   checkpoints:  (0,C0) (1000,C1) (2000,C2) (3000,C3)      sorted by step
//!   records:      [every step's record up to the furthest step reached]
//!
//!   seek(2345) = clone the last checkpoint at or before 2345 (C2), step 345 times
//!
//!   more than max_checkpoints (64)?  spacing doubles, checkpoints off the new
//!   spacing are dropped:  0 1000 2000 3000 4000 ... ─▶ 0 2000 4000 ...
//! ```
//!
//! The simulation is deterministic, so replaying from a checkpoint lands on
//! exactly the state the first pass had. Every `Simulation::step()` records
//! exactly one step (Kafka actions included), so a seek lands on exactly
//! the step asked for and a checkpoint sits exactly at its step.
//!
//! Memory stays bounded on long runs: at most `max_checkpoints` clones
//! ([`MAX_CHECKPOINTS`] by default) are kept, at the cost of a seek
//! replaying up to `spacing_steps()` steps, which grows as the run does
//! (about furthest / (max_checkpoints / 2) once thinned).
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
    /// `(steps done, simulation then)`, sorted by step; step 0 always kept.
    checkpoints: Vec<(u64, Simulation)>,
    /// Steps between checkpoints now (`every_steps` times a power of two).
    spacing_steps: u64,
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
}

impl Timeline {
    /// Wraps a fresh simulation; a checkpoint is taken every `every_steps`
    /// at first (more apart once there are [`MAX_CHECKPOINTS`]).
    pub fn new(sim: Simulation, every_steps: u64) -> Timeline {
        Timeline::with_limit(sim, every_steps, MAX_CHECKPOINTS)
    }

    /// Like [`Timeline::new`], keeping at most `max_checkpoints` (at least 2).
    pub fn with_limit(sim: Simulation, every_steps: u64, max_checkpoints: usize) -> Timeline {
        Timeline {
            max_checkpoints: max_checkpoints.max(2),
            checkpoints: vec![(sim.steps(), sim.clone())],
            current: sim,
            spacing_steps: every_steps.max(1),
            records: Vec::new(),
            records_from: 0,
            furthest_steps: 0,
            end_steps: None,
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

    /// Steps between checkpoints now; also the most a seek replays.
    pub fn spacing_steps(&self) -> u64 {
        self.spacing_steps
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
            let newest = self.checkpoints.last().map_or(0, |c| c.0);
            if steps > newest && steps.is_multiple_of(self.spacing_steps) {
                self.checkpoints.push((steps, self.current.clone()));
                self.thin();
            }
        }
        made
    }

    /// Keeps the checkpoint count bounded: doubles the spacing and drops
    /// the checkpoints that are not on it (step 0 always is).
    fn thin(&mut self) {
        while self.checkpoints.len() > self.max_checkpoints {
            self.spacing_steps *= 2;
            let spacing = self.spacing_steps;
            self.checkpoints.retain(|c| c.0.is_multiple_of(spacing));
        }
    }

    /// Moves to exactly `n` steps done (just after step `n - 1`),
    /// backwards or forwards; past the end of the run it stops at the end.
    /// The last position always shows the finished run, however it was
    /// reached (stepping, or seeking from a checkpoint).
    pub fn seek(&mut self, n: u64) {
        let here = self.current.steps();
        // The last checkpoint at or before n; step 0's always qualifies.
        let at = self.checkpoints.partition_point(|c| c.0 <= n);
        if let Some((step, sim)) = at.checked_sub(1).map(|i| &self.checkpoints[i])
            && (n < here || *step > here)
        {
            self.current = sim.clone();
        }
        while self.current.steps() < n && self.step() {}
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
        for (_, sim) in &mut self.checkpoints {
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
    }

    /// One step back.
    pub fn step_back(&mut self) {
        let n = self.current.steps();
        if n > 0 {
            self.seek(n - 1);
        }
    }
}
