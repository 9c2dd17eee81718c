//! The read-only face of a simulation: what a viewer may ask of a
//! `&Simulation` each frame, without cloning it or moving it forward.
//!
//! ```text
//!   &Simulation ─┬─ ledger_view()        ledgers with deliverability applied
//!                │                        (borrowed when fresh, else a settled copy)
//!                ├─ metrics::read()       any expectation metric
//!                ├─ Outcome::of()         the run's summary
//!                ├─ captions(), fault_marks()   (time, what) for scrub-bar markers
//!                └─ last_record()         the step that led here
//!
//!   elsewhere: Actor::state / as_consumer (actors), RedisNode aof_* / rdb_*
//!   (redis), Replication::positions (replicas), KafkaWorld queries (kafka)
//! ```
//!
//! Why a copy at all: deliverability is a scan of the engine that the
//! ledgers are told about (`Simulation::refresh_deliverability` writes it
//! into them). Reading must not write, so an out-of-date ledger is settled
//! on a copy; right after a refresh (the end of a run) nothing is copied.

use super::ledger::Ledger;
use super::simulation::Simulation;
use super::trace::StepRecord;
use crate::scenario::checks::{FaultSpec, When};
use std::borrow::Cow;

/// Both ledgers as of now, each message's deliverability included.
#[derive(Clone, Debug)]
pub struct LedgerView<'a> {
    /// The Redis side.
    pub redis: Cow<'a, Ledger>,
    /// The Kafka side.
    pub kafka: Cow<'a, Ledger>,
}

impl Simulation {
    /// The ledgers as `refresh_deliverability` would leave them now, read
    /// without changing the simulation.
    pub fn ledger_view(&self) -> LedgerView<'_> {
        if self.deliverability_fresh() {
            return LedgerView {
                redis: Cow::Borrowed(&self.ctx.ledger_redis),
                kafka: Cow::Borrowed(&self.ctx.ledger_kafka),
            };
        }
        let still = super::deliverable::still_deliverable(self);
        let mut redis = self.ctx.ledger_redis.clone();
        redis.set_still_deliverable(&still, self.ctx.now_ms);
        let mut kafka = self.ctx.ledger_kafka.clone();
        if let Some(world) = self.ctx.kafka.as_ref() {
            world.finalize_ledger(&mut kafka);
        }
        LedgerView {
            redis: Cow::Owned(redis),
            kafka: Cow::Owned(kafka),
        }
    }
}

/// A fault as a marker on a time line.
#[derive(Clone, Copy, Debug)]
pub struct FaultMark<'a> {
    /// Index in the scenario's fault list.
    pub index: usize,
    /// When it is scheduled; `None` for a fault triggered by the run
    /// itself (mid-processing, after a Kafka ack), whose time is not known
    /// in advance.
    pub at_ms: Option<u64>,
    /// The fault as the scenario declares it.
    pub fault: &'a FaultSpec,
}

impl Simulation {
    /// The scenario's captions as `(at_ms, text)`, in file order.
    pub fn captions(&self) -> Vec<(u64, &str)> {
        self.scenario
            .captions
            .iter()
            .map(|c| (c.at_ms, c.text.as_str()))
            .collect()
    }

    /// The scenario's faults with their scheduled times, in file order.
    pub fn fault_marks(&self) -> Vec<FaultMark<'_>> {
        self.scenario
            .faults
            .iter()
            .enumerate()
            .map(|(index, fault)| FaultMark {
                index,
                at_ms: match fault.when {
                    When::At(t) => Some(t),
                    _ => None,
                },
                fault,
            })
            .collect()
    }

    /// The record of the last step made, when the run keeps traces (it
    /// stays readable after the records were drained).
    pub fn last_record(&self) -> Option<&StepRecord> {
        self.ctx.trace.last_record()
    }
}
