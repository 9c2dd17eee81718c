//! streamlab: a Redis Streams lab.
//!
//! # Layout
//!
//! ```text
//!   gui ──▶ view ──▶ sim ──▶ scenario
//!                     │
//!                     └────▶ engine
//!   server ─────────────────▶ engine
//! ```
//!
//! Arrows point at what a layer uses; none points back (tests/tidy.rs
//! checks the engine and the scenario layer).
//!
//! * [`engine`]: Redis 7.0.15's stream type, consumer groups and commands.
//!   Pure logic: time is an argument, nothing random, no I/O, no threads.
//! * [`scenario`]: scenario files: the RON schema (with the Kafka section's
//!   configuration), the loader with `file:line:column` errors, the rules
//!   a file must follow (metric paths, Kafka section), the bundled catalog.
//! * [`sim`]: the deterministic simulator: virtual clock, seeded RNG,
//!   actors, faults, replicas and persistence around the engine, the Kafka
//!   offset model beside it, the per-message ledgers, the trace and its
//!   hash, expectations and outcomes.
//! * `server`: `streamlab serve`, RESP2 over TCP in front of the engine.
//! * `live`: a live Redis read (read-only) and rebuilt as a scenario for
//!   the explorer.
//! * [`alloc_counter`]: the counting allocator behind `used_memory` and the
//!   memory benches.

pub mod alloc_counter;
pub mod engine;
#[cfg(feature = "gui")]
pub mod gui;
#[cfg(not(target_arch = "wasm32"))]
pub mod live;
pub mod scenario;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
pub mod sim;
pub mod view;
#[cfg(all(feature = "gui", target_arch = "wasm32"))]
mod web;
