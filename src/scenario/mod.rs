//! Scenario files: RON text in, a validated [`Scenario`] out.
//!
//! ```text
//!   scenarios/*.ron ──include_str!──▶ builtin::all()
//!          │                                │
//!          └──── CLI reads a file ──▶ load::parse_scenario(name, text) ──▶ Scenario ──▶ sim
//! ```
//!
//! Nothing here reads files: the CLI does that, so the same code runs in wasm.

pub mod actors;
pub mod builtin;
pub mod checks;
pub mod load;
pub mod metric_names;
pub mod schema;

pub use load::{ScenarioError, parse_scenario, split_command};
pub use schema::Scenario;
