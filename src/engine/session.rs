//! Per-client state the engine needs between commands: the MULTI queue.

use super::Argv;

/// One client's connection state as far as the engine cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// Inside MULTI: commands queued for EXEC.
    pub multi: Option<Vec<Argv>>,
    /// A command queued inside MULTI was rejected: EXEC must abort.
    pub multi_dirty: bool,
    /// The client is a master's replication link or the AOF loader
    /// (Redis's `mustObeyClient`): its commands were already accepted by
    /// a master, so XADD/XTRIM skip the LIMIT checks and never cap a trim
    /// (a master propagates `MAXLEN = n LIMIT l`, which a normal client
    /// may not send).
    pub from_master: bool,
    /// The client blocked in XREADGROUP earlier and this run serves it
    /// (blocked.c serveClientsBlockedOnStreamKey): such a delivery adds
    /// nothing to `server.dirty` for the read itself, only for a consumer
    /// it creates, unlike a read served at once (t_stream.c xreadCommand).
    pub serving_blocked: bool,
}
