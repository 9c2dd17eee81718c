//! The keyspace and command dispatch.

use super::{Argv, ExecContext, Executed, Reply, Session};

/// The whole dataset of one server.
#[derive(Clone, Debug, Default)]
pub struct Db {}

impl Db {
    /// An empty keyspace with Redis's default configuration.
    pub fn new() -> Db {
        Db::default()
    }

    /// Runs one command for the client owning `session`.
    pub fn execute(
        &mut self,
        session: &mut Session,
        argv: &[Vec<u8>],
        ctx: &ExecContext,
    ) -> Executed {
        let _ = (session, ctx);
        let name = argv
            .first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        match name.as_slice() {
            b"ping" => Executed::reply(Reply::Status("PONG".into())),
            _ => Executed::reply(Reply::err(format!(
                "ERR unknown command '{}'",
                String::from_utf8_lossy(argv.first().map(Vec::as_slice).unwrap_or(b""))
            ))),
        }
    }
}

#[allow(dead_code)]
fn _argv_type_check(_: Argv) {}
