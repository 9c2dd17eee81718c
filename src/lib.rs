//! streamlab: a Redis Streams lab.
//!
//! # Layout
//!
//! ```text
//!   gui ──▶ view ──▶ sim ──▶ engine
//!            scenario ──▶ sim
//!   server ──────────────▶ engine
//! ```
//!
//! * [`engine`]: Redis 7.0.15's stream type, consumer groups and commands.
//!   Pure logic: time is an argument, nothing random, no I/O, no threads.
//! * [`sim`]: the deterministic simulator; so far the per-message outcome
//!   ledger and the Kafka consumer-group model it is compared against.
//! * `server`: `streamlab serve`, RESP2 over TCP in front of the engine.
//! * [`alloc_counter`]: the counting allocator behind `used_memory` and the
//!   memory benches.

pub mod alloc_counter;
pub mod engine;
pub mod scenario;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
pub mod sim;
pub mod view;
#[cfg(feature = "gui")]
pub mod gui;
#[cfg(all(feature = "gui", target_arch = "wasm32"))]
mod web;
