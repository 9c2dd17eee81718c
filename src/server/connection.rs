//! One client connection: its socket, query buffer, reply buffer and
//! engine session.
//!
//! ```text
//!   socket ──read──▶ query [consumed | unparsed ...]──RequestParser──▶ argv
//!                                                                     │
//!   socket ◀─write── reply [written | pending ...] ◀── Reply::write_resp
//! ```
//!
//! Reads and writes never block: the socket is non-blocking and the event
//! loop calls back when it is ready. Replies are appended to one buffer and
//! written in one go after a batch of commands, which is what makes
//! pipelining cheap (Redis's `handleClientsWithPendingWrites`).

use std::io::{self, Read, Write};

use mio::net::TcpStream;

use super::request::RequestParser;
use crate::engine::{Reply, Session};

/// Redis closes a client whose unparsed input exceeds this
/// (`client-query-buffer-limit`, 1 GB).
pub const QUERY_BUFFER_MAX_BYTES: usize = 1024 * 1024 * 1024;

/// Input is not parsed while more than this many reply bytes wait to be
/// written, so a client that pipelines big reads without reading the
/// replies is slowed to its own pace instead of growing memory.
pub const REPLY_BACKLOG_MAX_BYTES: usize = 64 * 1024 * 1024;

/// How many bytes one `read` call asks for (`PROTO_IOBUF_LEN` is 16 KB;
/// larger reads cost nothing extra and halve the syscalls of big pipelines).
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// What a read pass found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The socket has no more data for now.
    Drained,
    /// The peer closed its side, or the socket failed.
    Closed,
}

/// A connected client.
#[derive(Debug)]
pub struct Connection {
    /// The non-blocking socket.
    pub stream: TcpStream,
    /// Bytes read but not yet parsed start at `query_pos`.
    pub query: Vec<u8>,
    /// Offset of the first unparsed byte in `query`.
    pub query_pos: usize,
    /// Position inside a partially received request.
    pub parser: RequestParser,
    /// Encoded replies; bytes before `reply_pos` are already written.
    pub reply: Vec<u8>,
    /// Offset of the first unwritten byte in `reply`.
    pub reply_pos: usize,
    /// The engine's per-client state (MULTI).
    pub session: Session,
    /// Set by QUIT or a protocol error: no more commands are read, and the
    /// connection closes once `reply` is written.
    pub close_after_reply: bool,
    /// Whether the loop currently asks mio for writable events.
    pub wants_writable: bool,
}

impl Connection {
    /// A fresh connection around an accepted socket.
    pub fn new(stream: TcpStream) -> Connection {
        Connection {
            stream,
            query: Vec::new(),
            query_pos: 0,
            parser: RequestParser::new(),
            reply: Vec::new(),
            reply_pos: 0,
            session: Session::default(),
            close_after_reply: false,
            wants_writable: false,
        }
    }

    /// Appends a reply to the output buffer.
    pub fn push_reply(&mut self, reply: &Reply) {
        reply.write_resp(&mut self.reply);
    }

    /// Reply bytes not yet written.
    pub fn pending_reply_bytes(&self) -> usize {
        self.reply.len() - self.reply_pos
    }

    /// Reads everything the socket has into the query buffer.
    pub fn read_available(&mut self, scratch: &mut [u8]) -> ReadOutcome {
        let chunk = scratch.len().clamp(1, READ_CHUNK_BYTES);
        loop {
            match self.stream.read(&mut scratch[..chunk]) {
                Ok(0) => return ReadOutcome::Closed,
                Ok(n) => {
                    self.query.extend_from_slice(&scratch[..n]);
                    if self.query.len() - self.query_pos > QUERY_BUFFER_MAX_BYTES {
                        return ReadOutcome::Closed;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::Drained,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return ReadOutcome::Closed,
            }
        }
    }

    /// Drops the parsed prefix of the query buffer.
    pub fn compact_query(&mut self) {
        if self.query_pos == self.query.len() {
            self.query.clear();
        } else if self.query_pos > 0 {
            self.query.drain(..self.query_pos);
        }
        self.query_pos = 0;
    }

    /// Writes as much of the pending reply as the socket takes. Returns
    /// `Err` when the connection is unusable.
    pub fn write_pending(&mut self) -> io::Result<()> {
        while self.reply_pos < self.reply.len() {
            match self.stream.write(&self.reply[self.reply_pos..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.reply_pos += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        if self.reply_pos == self.reply.len() {
            self.reply.clear();
            self.reply_pos = 0;
        }
        Ok(())
    }
}
