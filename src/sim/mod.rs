//! The deterministic simulator: virtual time, actors and faults around the engine.
//!
//! ```text
//!   Scenario ──▶ Simulation::try_new ──▶ step() / run() ──▶ Outcome
//!                    │ Err(SimError): a kafka section that does not build
//!                    │      Timeline (checkpoint.rs): seek / step_back to any step
//!                    │      &Simulation (view.rs, metrics::read): read without changing it
//!                    │
//!                    ├─ queue     (time, class, lane, seq): faults < server timers < actors
//!                    ├─ rng       ChaCha8 per actor, forked from the scenario seed
//!                    ├─ actors    producer, consumer, claimer, trimmer, admin
//!                    ├─ redis     Db + AOF/RDB  ── replicas (lagged effects, backlog)
//!                    │            sentinel (down-after, promotion) ── failover (demote, resync)
//!                    │            resync (partial / timed full), reconf (parallel-syncs),
//!                    │            replica_disk (each replica's own AOF / RDB, crash, restart)
//!                    ├─ ledger    per-message outcomes (redis, kafka)
//!                    ├─ shapes    a stream's entries as a list / hashes, MEMORY USAGE
//!                    └─ trace     one record per step, hashed; text built on demand
//! ```
//!
//! Everything here is a pure function of the scenario and its seed: no
//! wall clock, no OS randomness, no threads, no file system, no hash maps.
//! The same code runs natively, in tests and in wasm32.

pub mod actions;
pub mod actors;
pub mod aof;
pub mod backlog;
pub mod checkpoint;
pub mod cluster;
pub mod ctx;
pub mod deliverable;
pub mod describe;
pub mod error;
pub mod expect;
pub mod failover;
pub mod faults;
pub mod kafka;
pub mod kafka_link;
pub mod ledger;
pub mod metrics;
pub mod outcome;
pub mod queue;
pub mod reconf;
pub mod redis;
pub mod replica_disk;
pub mod replicas;
pub mod replies;
pub mod resync;
pub mod rng;
pub mod sentinel;
pub mod setup;
pub mod shapes;
pub mod shared_log;
pub mod simulation;
pub mod trace;
pub mod view;
pub mod wait;

pub use error::SimError;
pub use outcome::Outcome;
pub use simulation::{RunOptions, Simulation};
pub use view::LedgerView;
