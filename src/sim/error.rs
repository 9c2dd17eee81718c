//! The simulator's one error type: a scenario it cannot run.
//!
//! ```text
//!   Simulation::try_new(scenario) ─▶ Err(SimError::Kafka(..))   the kafka section does not build
//! ```
//!
//! `scenario::parse_scenario` already refuses such files with a position;
//! this covers scenarios built in code, which must not lose their Kafka
//! side silently.

use std::fmt;

/// Why a scenario cannot be run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The `kafka` section is inconsistent (unknown topic, bad cluster, a
    /// fault naming nothing the model knows, …).
    Kafka(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Kafka(m) => write!(f, "kafka section: {m}"),
        }
    }
}

impl std::error::Error for SimError {}
