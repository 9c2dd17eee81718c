//! Scenario files: RON text in, a validated [`Scenario`] out.
//!
//! ```text
//!   scenarios/*.ron ──include_str!──▶ builtin::all()
//!          │                                │
//!          └──── CLI reads a file ──▶ load::parse_scenario(name, text) ──▶ Scenario ──▶ sim
//! ```
//!
//! Nothing here reads files: the CLI does that, so the same code runs in wasm.
//!
//! This layer sits below the simulator: `sim` reads scenarios, and nothing
//! here imports the simulator (tests/tidy.rs checks it). What the schema needs
//! lives here:
//!
//! * `schema`, `actors`, `checks`: the RON types;
//! * `kafka`: the `kafka` section's types (the Kafka model re-exports them as its `config`);
//! * `kafka_check`: its rules, used by the loader and by `KafkaWorld::new`;
//! * `metric_names`: the grammar of `expect` metric paths;
//! * `load`: parse + validate, errors as `file:line:column: message`;
//! * `save`: a scenario back to RON (a branch saved from the explorer);
//! * `builtin`: the bundled catalog, by file name or id.

pub mod actors;
pub mod builtin;
pub mod checks;
pub mod kafka;
pub mod kafka_check;
pub mod load;
pub mod metric_names;
pub mod save;
pub mod schema;

pub use load::{ScenarioError, blocking_reason, parse_scenario, split_command};
pub use schema::Scenario;
