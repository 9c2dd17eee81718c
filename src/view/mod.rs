//! View models: plain data computed from a simulation at one step, for the
//! explorer to draw. No GUI types here, so everything is unit-testable and
//! the same in the browser.
//!
//! ```text
//!   Player ── owns a sim::Timeline, knows the run's length, markers, hash
//!     │  step / step_back / seek / load          (the only way to move)
//!     ▼
//!   World::of(&Simulation, record, previous)     (recomputed when the step changes)
//!     ├─ narrative   goal, caption in force, command ▸ reply, one sentence
//!     ├─ streams[]   XINFO STREAM numbers, tree layout, macro nodes
//!     │    └─ groups[]  last-delivered, entries-read, lag, lanes[] of pending entries
//!     ├─ kafka       partitions: log, committed offset, positions, owners
//!     └─ ledgers     redis and kafka LedgerSummary
//!
//!   Lab ── the run as opened and the branch made from it (faults, console
//!     │    commands, what-if knobs); Link: the branch as a URL query
//!     └─ Ending::of(player), compare(original, branch)
//! ```
//!
//! Every number is read from the engine or the simulator, never recomputed
//! here: the explorer must show what Redis would answer.

pub mod completion;
pub mod console;
pub mod durability;
pub mod format;
pub mod inspect;
mod inspect_stream;
pub mod kafka;
pub mod knobs;
pub mod lab;
pub mod link;
pub mod myths;
pub mod narrative;
pub mod pel;
pub mod player;
pub mod series;
pub mod targets;
pub mod tree;
pub mod world;

pub use lab::{Ending, Lab};
pub use link::Link;
pub use player::{Marker, MarkerKind, Player};
pub use world::World;
