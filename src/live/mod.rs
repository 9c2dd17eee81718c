//! A live Redis, read-only: connect to a redis-server (or `streamlab
//! serve`), read its streams, groups, consumers and pending entries, and
//! rebuild them as a scenario the explorer shows in its usual panels.
//!
//! ```text
//!   gui "Live Redis" ──▶ snapshot(host, port, key?) ──resp::Client──▶ the server (read commands only)
//!                              └──▶ Scenario (one Admin client replaying the state at t=0)
//! ```
//!
//! Native only: a browser page cannot open a TCP connection.

pub mod resp;
pub mod snapshot;

pub use snapshot::snapshot;
