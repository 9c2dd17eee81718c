//! The deterministic simulator: virtual time, actors and faults around the engine.
pub mod kafka;
pub mod ledger;
