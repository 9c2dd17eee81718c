//! `streamlab serve`: the engine behind a RESP2 TCP port.
//!
//! ```text
//!   redis-cli / redis-benchmark / any client
//!        │  RESP2 (multibulk or inline), pipelined
//!        ▼
//!   event_loop ── one thread, mio ──┬── connection  (buffers, socket)
//!        │                          ├── request     (query buffer ─▶ argv)
//!        │                          │     └─ engine::split_args (inline quoting)
//!        │                          ├── blocked     (XREAD ... BLOCK waiters)
//!        │                          └── host        (pid, port, run_id, RSS, CPU for INFO)
//!        ▼
//!   engine::Db::execute(session, argv, ExecContext { now_ms: wall clock, .. })
//! ```
//!
//! Everything about sockets and time lives here so that the engine stays a
//! pure function of its inputs.

pub mod blocked;
pub mod connection;
pub mod event_loop;
pub mod host;
pub mod request;

use std::io;
use std::net::{IpAddr, SocketAddr};

pub use event_loop::Server;

/// Where to listen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeConfig {
    /// The address to bind (`--bind`, default 127.0.0.1).
    pub bind: IpAddr,
    /// The TCP port (`--port`, default 6379; 0 picks a free one).
    pub port: u16,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 6379,
        }
    }
}

/// Binds, announces the bound address on stdout, and serves forever.
pub fn serve(config: &ServeConfig) -> io::Result<()> {
    let mut server = Server::bind(SocketAddr::new(config.bind, config.port))?;
    let addr = server.local_addr()?;
    println!(
        "streamlab {} ready to accept connections on {addr}",
        env!("CARGO_PKG_VERSION")
    );
    server.run()
}
