//! The player: one scenario run with history, moved only by step, step
//! back and seek.
//!
//! ```text
//!   load(scenario, seed)
//!     └─ explore(budget) … explore(budget)      run ahead in slices (a frame each)
//!          records every step; notes captions and faults as markers;
//!          at the end: total steps and the run's trace hash
//!   position ∈ [0, explored]:  step() / step_back() / seek(n)   exact (Timeline)
//! ```
//!
//! Exploring ahead is what lets the scrub bar show the whole run with its
//! markers, and the browser page report the same trace hash as
//! `streamlab run --json`. Runs longer than [`MAX_EXPLORED_STEPS`] (no
//! bundled one is) are explored up to that cap, shown as `N+` steps;
//! playing past it extends the run step by step.

use std::sync::Arc;

use super::series::Series;
use crate::scenario::Scenario;
use crate::scenario::schema::{Action, ActionSpec, FaultSpec};
use crate::sim::checkpoint::Timeline;
use crate::sim::trace::{StepRecord, Who};
use crate::sim::{RunOptions, Simulation};

/// Work a checkpoint covers at first ([`crate::sim::checkpoint::work`]:
/// a step, plus one per 64 bytes of its command and reply): a seek
/// replays about this much.
pub const CHECKPOINT_EVERY_WORK: u64 = 500;

/// How far ahead a run is explored when it loads. The timeline's memory
/// no longer grows with the run's length (at most [`MAX_CHECKPOINTS`],
/// records forgotten once read), so the bound is set past the longest
/// bundled run (S13b and S13c, 518k steps): a learner jumping to the end
/// of one sees its real end and its outcome, not a cut-off.
pub const MAX_EXPLORED_STEPS: u64 = 1_000_000;

/// Checkpoints kept at most: past it their spacing doubles (exact seeks
/// replay at most one spacing). A checkpoint is a whole copy of the
/// simulation, so this bounds memory on the long bridge runs.
pub const MAX_CHECKPOINTS: usize = 12;

/// What a scrub-bar marker stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    /// A narrative caption of the scenario.
    Caption,
    /// A fault (crash, restart, failover, partition…).
    Fault,
    /// A command typed into the console (a branch's action).
    Command,
}

/// A notable step on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The step's 0-based index: the position after it is `step + 1`.
    pub step: u64,
    /// Virtual time of the step.
    pub time_ms: u64,
    pub kind: MarkerKind,
    /// The caption or the fault's description.
    pub text: String,
}

/// One scenario run that the explorer moves through.
#[derive(Clone, Debug)]
pub struct Player {
    scenario: Arc<Scenario>,
    timeline: Timeline,
    /// Steps explored ahead so far.
    explored: u64,
    /// Virtual time of every explored step (the records themselves are
    /// not kept: the one at the position comes from the simulation).
    times_ms: Vec<u64>,
    /// Set when exploring reached the run's end.
    total_steps: Option<u64>,
    /// FNV trace hash of the whole run, once explored to its end.
    trace_hash: Option<u64>,
    markers: Vec<Marker>,
    /// Numbers over the explored run, for the plots.
    series: Series,
}

impl Player {
    /// Prepares a run of `scenario` with `seed` (the scenario's own seed
    /// when `None`), positioned at step 0 with nothing explored yet.
    pub fn load(scenario: Arc<Scenario>, seed: Option<u64>) -> Player {
        let opts = RunOptions {
            seed,
            keep_trace: true,
            // The explorer replays steps all the time; the engine's
            // invariants are checked by the test suite, not per frame.
            invariant_every: Some(0),
            ..RunOptions::default()
        };
        let sim = Simulation::new(scenario.clone(), opts);
        let scenario_duration_ms = sim.end_ms();
        Player {
            scenario,
            timeline: Timeline::with_limit(sim, CHECKPOINT_EVERY_WORK, MAX_CHECKPOINTS),
            explored: 0,
            times_ms: Vec::new(),
            total_steps: None,
            trace_hash: None,
            markers: Vec::new(),
            series: Series::new(scenario_duration_ms),
        }
    }

    /// Explores up to `budget_steps` further ahead without moving the
    /// position; true once exploring is over (end of run or the cap).
    pub fn explore(&mut self, budget_steps: u64) -> bool {
        if self.exploring_done() {
            return true;
        }
        let back_to = self.position();
        self.timeline.seek(self.explored);
        let target = (self.explored + budget_steps).min(MAX_EXPLORED_STEPS);
        if self.series.samples.is_empty() {
            self.series
                .observe(self.timeline.current(), self.position());
        }
        while self.position() < target {
            let made = self.timeline.step();
            if made {
                self.series
                    .observe(self.timeline.current(), self.position());
            }
            if !made {
                self.total_steps = Some(self.position());
                self.trace_hash = Some(self.timeline.current().ctx.trace.hash());
                break;
            }
        }
        self.note_new_records();
        self.timeline.seek(back_to);
        self.exploring_done()
    }

    /// Branches the run here: `action` runs now, as the first step of a
    /// future re-simulated from this state (deterministically, so the
    /// scenario with the new action list replays it exactly). Actions of
    /// the old branch after this step are dropped. At the end of a run
    /// there is no future to change: that is an error.
    pub fn fork(&mut self, action: Action) -> Result<(), String> {
        if self.sim().is_finished() {
            return Err("the run is over here: step back to change what happens".into());
        }
        if let Action::Command(line) = &action {
            let argv = crate::scenario::split_command(line)?;
            if let Some(why) = crate::scenario::blocking_reason(&argv) {
                return Err(why);
            }
        }
        let here = self.position();
        let mut scenario = (*self.scenario).clone();
        scenario.actions.retain(|a| a.after_step < here);
        scenario.actions.push(ActionSpec {
            after_step: here,
            action,
        });
        let scenario = Arc::new(scenario);
        self.timeline.fork(scenario.clone());
        self.scenario = scenario;
        self.explored = here;
        self.times_ms.truncate(here as usize);
        self.markers.retain(|m| m.step < here);
        self.series.truncate(here);
        self.total_steps = None;
        self.trace_hash = None;
        self.step();
        Ok(())
    }

    /// Runs `line` on a copy of the primary as it is here, for a reader
    /// at the end of the run, where there is no future to branch. Nothing
    /// of the run changes.
    pub fn query(&self, line: &str) -> Result<crate::engine::Reply, String> {
        let argv = crate::scenario::split_command(line)?;
        if let Some(why) = crate::scenario::blocking_reason(&argv) {
            return Err(why);
        }
        let sim = self.sim();
        if !sim.ctx.redis.up {
            return Err("the Redis primary is down at this step".into());
        }
        let mut db = sim.ctx.redis.db.clone();
        let mut session = crate::engine::Session::default();
        let at = crate::engine::ExecContext::at(sim.ctx.unix_ms());
        Ok(db.execute(&mut session, &argv, &at).reply)
    }

    /// Explores to the end (or the cap) in one call.
    pub fn explore_all(&mut self) {
        while !self.explore(50_000) {}
    }

    fn exploring_done(&self) -> bool {
        self.total_steps.is_some() || self.explored >= MAX_EXPLORED_STEPS
    }

    /// Notes markers for the records reached since the last call.
    fn note_new_records(&mut self) {
        let records = self.timeline.records();
        let names = self.timeline.current().actor_names().to_vec();
        let from = self.explored;
        for r in records.iter().filter(|r| r.step >= from) {
            self.times_ms.push(r.time_ms);
            let kind = match r.who {
                Who::Narrator => MarkerKind::Caption,
                Who::Fault => MarkerKind::Fault,
                Who::Console => MarkerKind::Command,
                _ => continue,
            };
            let text = match &r.note {
                crate::sim::trace::Note::Text(t) => t.clone(),
                _ if r.who == Who::Console => r.command.as_deref().map_or_else(
                    || r.caption(&names),
                    |argv| format!("> {}", crate::sim::trace::command_text(argv)),
                ),
                _ => r.caption(&names),
            };
            self.markers.push(Marker {
                step: r.step,
                time_ms: r.time_ms,
                kind,
                text,
            });
        }
        let reached = self.timeline.records_from() + records.len() as u64;
        self.explored = self.explored.max(reached);
        self.timeline.forget_records();
    }

    /// One step forward; false at the end of the run.
    pub fn step(&mut self) -> bool {
        let made = self.timeline.step();
        if made && self.position() > self.explored {
            self.note_new_records();
        }
        if !made && self.total_steps.is_none() {
            self.total_steps = Some(self.position());
            self.trace_hash = Some(self.timeline.current().ctx.trace.hash());
        }
        made
    }

    /// One step back (exact); nothing at step 0.
    pub fn step_back(&mut self) {
        self.timeline.step_back();
    }

    /// Moves to exactly `n` steps done (clamped to the run's end).
    pub fn seek(&mut self, n: u64) {
        let n = self.total_steps.map_or(n, |t| n.min(t));
        self.timeline.seek(n);
        if self.position() > self.explored {
            self.note_new_records();
        }
        if self.total_steps.is_none()
            && let Some(end) = self.timeline.end_steps()
        {
            self.total_steps = Some(end);
            self.trace_hash = Some(self.timeline.current().ctx.trace.hash());
        }
    }

    /// Steps done.
    pub fn position(&self) -> u64 {
        self.timeline.position()
    }

    /// The run's length if known, else how far it has been explored.
    pub fn known_steps(&self) -> u64 {
        self.total_steps.unwrap_or(self.explored)
    }

    /// The run's length, once explored to its end.
    pub fn total_steps(&self) -> Option<u64> {
        self.total_steps
    }

    /// At the last step of the run.
    pub fn at_end(&self) -> bool {
        self.total_steps == Some(self.position())
    }

    /// The whole run's trace hash (`streamlab run --json`'s `trace_hash`).
    pub fn trace_hash(&self) -> Option<u64> {
        self.trace_hash
    }

    /// The simulation at the current position.
    pub fn sim(&self) -> &Simulation {
        self.timeline.current()
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.sim().seed()
    }

    /// Virtual time of step `index` (0-based), if explored.
    pub fn step_time_ms(&self, index: u64) -> Option<u64> {
        self.times_ms.get(index as usize).copied()
    }

    /// The record of the step that led to the current position.
    pub fn last_record(&self) -> Option<&StepRecord> {
        self.timeline.last_record()
    }

    /// Numbers over the explored run (the plots).
    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Captions and faults of the explored run, in step order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// The first marker of `kind` after the current position.
    pub fn next_marker(&self, kind: Option<MarkerKind>) -> Option<&Marker> {
        let here = self.position();
        self.markers
            .iter()
            .find(|m| m.step >= here && kind.is_none_or(|k| m.kind == k))
    }

    /// The last marker of `kind` strictly before the current step.
    pub fn previous_marker(&self, kind: Option<MarkerKind>) -> Option<&Marker> {
        let here = self.position();
        self.markers
            .iter()
            .rev()
            .find(|m| m.step + 1 < here && kind.is_none_or(|k| m.kind == k))
    }

    /// The caption in force at the current position (the latest one at or
    /// before it), with its index among the captions (the chapter).
    pub fn caption_in_force(&self) -> Option<(usize, &Marker)> {
        let here = self.position();
        self.markers
            .iter()
            .filter(|m| m.kind == MarkerKind::Caption)
            .enumerate()
            .take_while(|(_, m)| m.step < here)
            .last()
    }

    /// How many captions (chapters) the explored run has.
    pub fn chapter_count(&self) -> usize {
        self.markers
            .iter()
            .filter(|m| m.kind == MarkerKind::Caption)
            .count()
    }

    /// The scenario's faults (what the scenario file declares).
    pub fn faults(&self) -> &[FaultSpec] {
        &self.scenario.faults
    }
}
