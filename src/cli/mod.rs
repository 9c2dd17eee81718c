//! Command-line front ends that are not the server. `src/main.rs` parses
//! the arguments (clap) and calls one of these; each returns an exit code.
//!
//! ```text
//!   streamlab [explore [SCENARIO]] ─▶ explore::main               (the explorer; replay without a display)
//!   streamlab run SCENARIO [flags] ─▶ run::run ─▶ narrate (folded | --full) ─▶ out
//!   streamlab replay [SCENARIO]    ─▶ run::replay
//!   streamlab scenarios            ─▶ run::list_scenarios ─▶ out
//! ```
//!
//! * `run`: loading (path or bundled id), the step loop, summary, JSON.
//! * `narrate`: which steps a reader sees; the steady state folds into one
//!   line per stretch.
//! * `out`: stdout that ends quietly when the reader goes away (`| head`).
//! * `explore`: what a bare `streamlab` opens.

pub mod explore;
pub mod narrate;
pub mod out;
pub mod run;
