//! Cheap, exact seeking: periodic clones of the whole simulation.
//!
//! ```text
//!   steps:        0 ──── 1000 ──── 2000 ──── 3000 ─ ... ─ furthest
//!   checkpoints:  C0       C1        C2        C3
//!   records:      [every step's record up to the furthest step reached]
//!
//!   seek(2345) = clone C2, step 345 times   (never more than `every` steps)
//! ```
//!
//! The simulation is deterministic, so replaying from a checkpoint lands on
//! exactly the state the first pass had. Records are moved out of the
//! simulation into the timeline after every step, so a checkpoint clone
//! does not copy the trace.

use super::simulation::Simulation;
use super::trace::StepRecord;

/// A simulation with history.
#[derive(Clone, Debug)]
pub struct Timeline {
    current: Simulation,
    checkpoints: Vec<Simulation>,
    every_steps: u64,
    records: Vec<StepRecord>,
}

impl Timeline {
    /// Wraps a fresh simulation; a checkpoint is taken every `every_steps`.
    pub fn new(sim: Simulation, every_steps: u64) -> Timeline {
        Timeline {
            checkpoints: vec![sim.clone()],
            current: sim,
            every_steps: every_steps.max(1),
            records: Vec::new(),
        }
    }

    /// The simulation at the current position.
    pub fn current(&self) -> &Simulation {
        &self.current
    }

    /// Records of every step reached so far (kept only if the run keeps traces).
    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    /// Current step count.
    pub fn position(&self) -> u64 {
        self.current.steps()
    }

    /// One step forward; false at the end.
    pub fn step(&mut self) -> bool {
        let made = self.current.step();
        if made {
            let steps = self.current.steps();
            let fresh = self.current.ctx.trace.drain_records();
            if steps as usize > self.records.len() {
                let have = self.records.len() as u64;
                self.records
                    .extend(fresh.into_iter().filter(|r| r.step >= have));
            }
            if steps.is_multiple_of(self.every_steps)
                && (steps / self.every_steps) as usize >= self.checkpoints.len()
            {
                self.checkpoints.push(self.current.clone());
            }
        }
        made
    }

    /// Moves to just after step `n - 1` (i.e. `n` steps done), backwards or
    /// forwards. The Kafka model runs a millisecond's events as one batch,
    /// so inside such a batch the position lands on the batch's last step
    /// (`position() >= n`); everywhere else it is exactly `n`.
    pub fn seek(&mut self, n: u64) {
        if n < self.current.steps() {
            let idx = ((n / self.every_steps) as usize).min(self.checkpoints.len() - 1);
            self.current = self.checkpoints[idx].clone();
        }
        while self.current.steps() < n && self.step() {}
    }

    /// One step back.
    pub fn step_back(&mut self) {
        let n = self.current.steps();
        if n > 0 {
            self.seek(n - 1);
        }
    }
}
