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
//! * `server`: `streamlab serve`, RESP2 over TCP in front of the engine.

pub mod engine;
