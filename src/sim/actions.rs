//! A fork's actions: faults and console commands run right after a given
//! step, so that a run forked in the explorer and the same scenario file
//! replayed by `streamlab run` go through exactly the same steps.
//!
//! ```text
//!   step() ──▶ action due (after_step ≤ steps done, run not over)?
//!                ├─ yes: run it ──▶ exactly one step recorded ──▶ true
//!                └─ no:  the next event, as always
//!
//!   Fault(kind)    Redis side: faults::apply_kind, as a scheduled fault
//!                  Kafka side: handed to the Kafka model for this millisecond
//!   Command(line)  one client of its own (the console's), like a probe
//!                  but free to write; a blocking read is refused at load
//! ```
//!
//! An action always records one step, even when it changes nothing (the
//! step says so), because a timeline seeks by step count.

use super::simulation::Simulation;
use super::trace::{Note, Who};
use crate::scenario::schema::{Action, ActionSpec};
use crate::scenario::split_command;

impl Simulation {
    /// The next action, if it is due now.
    pub(super) fn due_action(&self) -> Option<ActionSpec> {
        if self.is_finished() {
            return None;
        }
        let next = self.scenario.actions.get(self.actions_next)?;
        (next.after_step <= self.steps()).then(|| next.clone())
    }

    /// Runs `spec` now and records its step.
    pub(super) fn run_action(&mut self, spec: &ActionSpec) {
        self.actions_next += 1;
        self.ctx.stepped = false;
        match &spec.action {
            Action::Fault(kind) => {
                let scenario = self.scenario.clone();
                match super::kafka_link::inject(&mut self.ctx, &scenario, kind) {
                    Some(Ok(())) => {
                        let text = format!("kafka: {}", describe_fault(kind));
                        self.ctx.note(Who::Fault, Note::Text(text));
                    }
                    Some(Err(why)) => {
                        self.ctx
                            .note(Who::Fault, Note::Text(format!("refused: {why}")));
                    }
                    None => super::faults::apply_kind(self, kind),
                }
                if !self.ctx.stepped {
                    let text = format!("{} changes nothing now", describe_fault(kind));
                    self.ctx.note(Who::Fault, Note::Text(text));
                }
            }
            Action::Command(line) => match split_command(line) {
                Ok(argv) => {
                    let mut session = std::mem::take(&mut self.console_session);
                    self.ctx
                        .exec(Who::Console, &mut session, &argv, Note::Plain);
                    self.console_session = session;
                }
                Err(why) => {
                    self.ctx
                        .note(Who::Console, Note::Text(format!("refused: {why}")));
                }
            },
        }
        self.after_action();
    }
}

/// A fault in the words of the trace.
pub fn describe_fault(kind: &crate::scenario::schema::FaultKind) -> String {
    use crate::scenario::schema::{CrashMode, FaultKind as F};
    match kind {
        F::CrashActor(n) => format!("{n} crashes"),
        F::RestartActor {
            name,
            consumer_name: Some(c),
            ..
        } => format!("{name} restarts as consumer {c}"),
        F::RestartActor { name, .. } => format!("{name} restarts"),
        F::HangActor { name, for_ms } => format!("{name} hangs for {for_ms} ms"),
        F::RedisCrash(CrashMode::Process) => "the Redis process crashes".into(),
        F::RedisCrash(CrashMode::PowerLoss) => "the Redis machine loses power".into(),
        F::RedisRestart => "Redis restarts".into(),
        F::SlowDisk { fsync_ms } => format!("the disk slows: an fsync takes {fsync_ms} ms"),
        F::RedisShutdown => "Redis shuts down cleanly".into(),
        F::Partition { heal_at_ms } => {
            format!("a partition cuts the primary off until t={heal_at_ms}")
        }
        F::Failover(r) => format!("{r} is promoted"),
        F::ReplicaCrash(r) => format!("replica {r} crashes"),
        F::ReplicaRestart(r) => format!("replica {r} restarts from its own disk"),
        F::CloseKafkaConsumer(n) => format!("{n} closes (LeaveGroup)"),
        F::KafkaBrokerCrash(b) => format!("broker-{b} crashes"),
    }
}
