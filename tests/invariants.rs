//! The engine's invariants hold after every step of every bundled scenario.
//!
//! ```text
//!   for each scenario: run with invariant_every = 1 (debug builds check
//!   engine::invariants::check on the primary and every replica after each
//!   step; a violation panics with the scenario, step and seed)
//!   long scenarios stop after MAX_STEPS: the check walks every entry
//! ```

use std::sync::Arc;
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::{RunOptions, Simulation};

const MAX_STEPS: u64 = 3_000;

#[test]
fn invariants_hold_after_every_step_of_every_scenario() {
    if !cfg!(debug_assertions) {
        // The checker is compiled into debug builds only.
        return;
    }
    for (file, text) in builtin::ALL {
        let s = Arc::new(parse_scenario(file, text).unwrap_or_else(|e| panic!("{e}")));
        let mut sim = Simulation::new(
            s,
            RunOptions {
                invariant_every: Some(1),
                ..RunOptions::default()
            },
        );
        while sim.steps() < MAX_STEPS && sim.step() {}
        assert!(sim.steps() > 0, "{file} made no step");
    }
}
