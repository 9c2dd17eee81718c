//! What a bare `streamlab` (no command) opens: the explorer. Until the
//! explorer exists it is the narrated replay of the default scenario (S02).
//!
//! ```text
//!   streamlab ─▶ main(args) ─▶ run::replay(None) ─▶ exit code
//! ```

/// Entry point of the explorer; `args` are the process arguments after the
/// program name (empty today: a bare `streamlab` has none).
pub fn main(args: Vec<String>) -> i32 {
    let _ = args;
    super::run::replay(None, false)
}
