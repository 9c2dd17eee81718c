//! Command-line front ends that are not the server: `run`, `scenarios`,
//! and the default replay when no arguments are given.
//!
//! ```text
//!   streamlab                      ─▶ explore::main()   (the explorer on S02; replay without a display)
//!   streamlab run FILE [flags]     ─▶ run::run_command(args)
//!   streamlab scenarios            ─▶ run::list_scenarios()
//!   anything else                  ─▶ None: the caller handles it (serve, help)
//! ```

pub mod explore;
pub mod run;

/// Handles the simulator commands; `None` when `args` belong to someone else.
pub fn dispatch(args: &[String]) -> Option<i32> {
    match args.first().map(String::as_str) {
        None => Some(explore::main()),
        Some("run") => Some(run::run_command(&args[1..])),
        Some("scenarios") => Some(run::list_scenarios()),
        _ => None,
    }
}
