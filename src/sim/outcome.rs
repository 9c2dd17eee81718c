//! The summary of a finished run: identity, size, trace hash, ledgers, checks.
//!
//! ```text
//!   Outcome { scenario, seed, steps, final_time_ms, trace_hash,
//!             redis: LedgerSummary, kafka: LedgerSummary,
//!             expectations: [ { at, metric, expected, observed, pass, why } ], passed }
//! ```
//!
//! Serialised as JSON for `--json` and as pretty RON for the goldens; maps
//! are ordered and there are no floats, so the text is stable.

use super::ledger::LedgerSummary;
use super::simulation::Simulation;
use crate::scenario::checks::At;
use serde::Serialize;

/// One expectation's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpectationOutcome {
    /// `end` or `t=<ms>`.
    pub at: String,
    /// Metric path.
    pub metric: String,
    /// The comparison, e.g. `== 8`.
    pub expected: String,
    /// What the run showed, or the error reading it.
    pub observed: String,
    /// Matched.
    pub pass: bool,
    /// The scenario's reason for the number.
    pub why: String,
}

/// A finished run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Seed used.
    pub seed: u64,
    /// Steps recorded.
    pub steps: u64,
    /// Virtual time at the end.
    pub final_time_ms: u64,
    /// FNV-1a of every step, hex.
    pub trace_hash: String,
    /// Redis-side ledger.
    pub redis: LedgerSummary,
    /// Kafka-side ledger.
    pub kafka: LedgerSummary,
    /// Expectation results in file order.
    pub expectations: Vec<ExpectationOutcome>,
    /// Every expectation passed.
    pub passed: bool,
}

impl Outcome {
    /// Summarises `sim` (normally after `run()`); reads only, so a viewer
    /// can call it on the simulation it shows.
    pub fn of(sim: &Simulation) -> Outcome {
        let ledgers = sim.ledger_view();
        let expectations: Vec<ExpectationOutcome> = sim
            .scenario
            .expect
            .iter()
            .zip(&sim.results)
            .map(|(e, r)| ExpectationOutcome {
                at: match e.at {
                    At::End => "end".into(),
                    At::At(t) => format!("t={t}"),
                },
                metric: e.metric.clone(),
                expected: super::expect::describe(&e.op, e.value.as_ref()),
                observed: match r {
                    None => "(not evaluated)".into(),
                    Some(c) => match &c.observed {
                        Ok(v) => v.to_string(),
                        Err(err) => format!("error: {err}"),
                    },
                },
                pass: r.as_ref().is_some_and(|c| c.pass),
                why: e.why.clone(),
            })
            .collect();
        Outcome {
            scenario: sim.scenario.meta.id.clone(),
            title: sim.scenario.meta.title.clone(),
            seed: sim.seed(),
            steps: sim.steps(),
            final_time_ms: sim.now_ms(),
            trace_hash: format!("{:016x}", sim.ctx.trace.hash()),
            redis: ledgers.redis.summary(),
            kafka: ledgers.kafka.summary(),
            passed: expectations.iter().all(|e| e.pass),
            expectations,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Pretty RON (the golden format).
    pub fn to_ron(&self) -> String {
        let cfg = ron::ser::PrettyConfig::new().indentor("  ".to_string());
        ron::ser::to_string_pretty(self, cfg).unwrap_or_else(|e| format!("error: {e}"))
    }

    /// The failed expectations as a readable diff.
    pub fn failures(&self) -> Vec<String> {
        self.expectations
            .iter()
            .filter(|e| !e.pass)
            .map(|e| {
                format!(
                    "  at {}: {} expected {}, got {}{}",
                    e.at,
                    e.metric,
                    e.expected,
                    e.observed,
                    if e.why.is_empty() {
                        String::new()
                    } else {
                        format!("\n      why: {}", e.why)
                    }
                )
            })
            .collect()
    }
}
