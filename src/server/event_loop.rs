//! The single-threaded event loop: one `Db`, many connections, no locks.
//!
//! ```text
//!   loop {
//!     poll(timeout = nearest BLOCK deadline)
//!     ├─ listener readable ─▶ accept all ─▶ Connection
//!     ├─ client readable  ─▶ read all ─▶ run every complete command ─┐
//!     │                                                               ▼
//!     │        Db::execute ─▶ reply ─▶ client's reply buffer     signaled keys
//!     │                   └─▶ BlockRequest ─▶ park the client          │
//!     │                                                               ▼
//!     │          retry parked readers FIFO; a non-null reply unparks them
//!     ├─ client writable  ─▶ write the rest of its replies
//!     ├─ expired deadlines ─▶ timeout reply, unpark
//!     ├─ every 100 ms, while some key has a TTL: the active expire cycle
//!     │     (deleted streams signalled: blocked XREADGROUPs get -UNBLOCKED)
//!     ├─ unparked clients ─▶ run the commands they had buffered
//!     └─ write every touched client once
//!   }
//! ```
//!
//! This is Redis's ae loop in miniature. Commands run one at a time to
//! completion, so the engine needs no synchronisation; a blocked client
//! keeps its later commands in its query buffer until it is served, as
//! Redis does.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};

use super::blocked::{BlockedClients, ClientId, retry_for_key};
use super::connection::{Connection, REPLY_BACKLOG_MAX_BYTES, ReadOutcome};
use super::host;
use crate::alloc_counter;
use crate::engine::active_expire;
use crate::engine::{Argv, Db, Effects, ExecContext, Reply};

const LISTENER: Token = Token(usize::MAX);

/// What a blocked XREADGROUP gets when its key is deleted or replaced.
const KEY_GONE_WHILE_BLOCKED: &str = "UNBLOCKED the stream key no longer exists";

/// What a blocked XREADGROUP gets when its group is destroyed.
const GROUP_GONE_WHILE_BLOCKED: &str =
    "NOGROUP the consumer group this client was blocked on no longer exists";

/// The server state the loop owns.
pub struct Server {
    poll: Poll,
    listener: TcpListener,
    db: Db,
    clients: BTreeMap<ClientId, Connection>,
    next_client_id: ClientId,
    blocked: BlockedClients,
    /// Clients just unparked whose buffered commands must run.
    unparked: VecDeque<ClientId>,
    /// Clients with replies to write at the end of this iteration.
    to_flush: BTreeSet<ClientId>,
    /// The last `now_ms` handed to the engine; never goes backwards.
    last_now_ms: u64,
    /// When the next active expire cycle is due (serverCron at hz 10).
    next_expire_cycle_ms: u64,
    scratch: Vec<u8>,
}

impl Server {
    /// Binds the listening socket.
    pub fn bind(addr: SocketAddr) -> io::Result<Server> {
        let poll = Poll::new()?;
        let mut listener = TcpListener::bind(addr)?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let mut db = Db::new();
        db.host = host::facts(listener.local_addr()?.port(), wall_clock_ms());
        Ok(Server {
            poll,
            listener,
            db,
            clients: BTreeMap::new(),
            next_client_id: 0,
            blocked: BlockedClients::new(),
            unparked: VecDeque::new(),
            to_flush: BTreeSet::new(),
            last_now_ms: 0,
            next_expire_cycle_ms: 0,
            scratch: vec![0; 64 * 1024],
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process is killed or polling fails.
    pub fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        loop {
            // Wake for the next BLOCK deadline, and for the next expire
            // cycle while there is something to expire.
            let expiring = self.db.config.active_expire && !self.db.keys.no_expires();
            let cycle_ms = expiring.then_some(self.next_expire_cycle_ms);
            let wake_ms = match (self.blocked.nearest_deadline_ms(), cycle_ms) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = wake_ms
                .map(|wake_ms| Duration::from_millis(wake_ms.saturating_sub(wall_clock_ms())));
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept_all(),
                    Token(id) => {
                        if event.is_writable() {
                            self.to_flush.insert(id);
                        }
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            self.on_readable(id);
                        }
                    }
                }
            }
            self.expire_blocked();
            self.active_expire();
            self.run_unparked();
            self.flush_all();
        }
    }

    /// Runs the active expire cycle when it is due and some key has a
    /// TTL, charging the time it took to `expire_cycle_cpu_milliseconds`.
    fn active_expire(&mut self) {
        if !self.db.config.active_expire || self.db.keys.no_expires() {
            return;
        }
        let now_ms = self.now_ms();
        if now_ms < self.next_expire_cycle_ms {
            return;
        }
        self.next_expire_cycle_ms = now_ms + active_expire::PERIOD_MS;
        let ctx = self.context();
        let started = Instant::now();
        let done = self.db.active_expire_cycle(&ctx);
        self.db
            .stats
            .charge_expire_cycle_usec(started.elapsed().as_micros() as u64);
        self.serve_signaled(done.signaled_keys);
    }

    fn accept_all(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    let id = self.next_client_id;
                    self.next_client_id = self.next_client_id.wrapping_add(1) % (usize::MAX - 1);
                    let _ = stream.set_nodelay(true);
                    if self
                        .poll
                        .registry()
                        .register(&mut stream, Token(id), Interest::READABLE)
                        .is_ok()
                    {
                        self.clients.insert(id, Connection::new(stream));
                        self.db.host.total_connections_received += 1;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Out of file descriptors and the like: the connection
                // waits in the backlog; existing clients carry on.
                Err(_) => return,
            }
        }
    }

    fn on_readable(&mut self, id: ClientId) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        if client.close_after_reply {
            return;
        }
        let before = client.query.len();
        let outcome = client.read_available(&mut self.scratch);
        self.db.host.total_reads_processed += 1;
        self.db.host.total_net_input_bytes += (client.query.len() - before) as u64;
        if self.blocked.contains(id) && outcome == ReadOutcome::Closed {
            self.close(id);
            return;
        }
        self.process_input(id);
        if outcome == ReadOutcome::Closed {
            // Answer what was read before the peer closed its side, then go.
            if let Some(client) = self.clients.get_mut(&id) {
                let _ = client.write_pending();
            }
            self.close(id);
        }
    }

    /// Runs every complete command in the client's query buffer, unless it
    /// is blocked, closing, or has too much unwritten output.
    fn process_input(&mut self, id: ClientId) {
        loop {
            if self.blocked.contains(id) {
                break;
            }
            let Some(client) = self.clients.get_mut(&id) else {
                return;
            };
            if client.close_after_reply || client.pending_reply_bytes() > REPLY_BACKLOG_MAX_BYTES {
                break;
            }
            match client.parser.next(&client.query, &mut client.query_pos) {
                Ok(Some(argv)) if argv.is_empty() => {}
                Ok(Some(argv)) => self.run_command(id, argv),
                Ok(None) => break,
                Err(e) => {
                    client.push_reply(&Reply::err(e.reply_text()));
                    client.close_after_reply = true;
                    self.to_flush.insert(id);
                    break;
                }
            }
        }
        if let Some(client) = self.clients.get_mut(&id) {
            client.compact_query();
        }
    }

    fn run_command(&mut self, id: ClientId, argv: Argv) {
        let ctx = self.context();
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        self.to_flush.insert(id);
        if argv[0].eq_ignore_ascii_case(b"quit") {
            client.push_reply(&Reply::ok());
            client.close_after_reply = true;
            return;
        }
        if argv[0].eq_ignore_ascii_case(b"info") || argv[0].eq_ignore_ascii_case(b"exec") {
            host::refresh(&mut self.db.host);
        }
        // The engine reads no clock: the time a call took is measured here
        // and charged to its commandstats.
        let started = Instant::now();
        let executed = self.db.execute(&mut client.session, &argv, &ctx);
        let usec = started.elapsed().as_micros() as u64;
        let blocked = executed.block.is_some();
        let slot = self.db.stats.charge_last_usec(usec, blocked);
        match executed.block {
            Some(request) => {
                self.blocked.park(id, *request, executed.reply, ctx.now_ms);
                if let Some(slot) = slot {
                    self.blocked.remember_call(id, slot, usec);
                }
            }
            None => client.push_reply(&executed.reply),
        }
        self.serve_signaled(executed.signaled_keys);
    }

    /// Retries the readers parked on each signalled key, in the order they
    /// blocked; keys signalled by those retries are served in turn.
    ///
    /// A group reader whose key is no longer a stream, or whose group is
    /// gone, is unblocked with the errors blocked.c sends in those cases
    /// (the retried command alone would answer a different NOGROUP text).
    fn serve_signaled(&mut self, keys: Vec<Vec<u8>>) {
        let mut ready: VecDeque<Vec<u8>> = keys.into();
        while let Some(key) = ready.pop_front() {
            for id in self.blocked.waiting_on(&key) {
                let Some(retry_argv) = self.blocked.retry_argv(id).cloned() else {
                    continue;
                };
                let group_read = retry_argv
                    .first()
                    .is_some_and(|name| name.eq_ignore_ascii_case(b"XREADGROUP"));
                let ctx = self.context();
                let Some(client) = self.clients.get_mut(&id) else {
                    continue;
                };
                let started = Instant::now();
                let key_type = vec![b"TYPE".to_vec(), key.clone()];
                let is_stream = self.db.query(&key_type, &ctx) == Reply::Status("stream".into());
                // A key that is no longer a stream ends a group read with
                // -UNBLOCKED; a plain XREAD keeps waiting (blocked.c serves
                // only keys that hold a stream).
                let reply = if !is_stream {
                    group_read.then(|| Reply::err(KEY_GONE_WHILE_BLOCKED))
                } else {
                    let retry_argv = retry_for_key(&retry_argv, &key);
                    // Served as blocked.c serves it: outside `call`, so
                    // INFO counts the read once, when it blocked.
                    client.session.serving_blocked = true;
                    let executed = self.db.execute(&mut client.session, &retry_argv, &ctx);
                    client.session.serving_blocked = false;
                    ready.extend(executed.signaled_keys);
                    match executed.reply {
                        Reply::NilArray => None,
                        Reply::Error(text) if group_read && text.starts_with("NOGROUP") => {
                            Some(Reply::err(GROUP_GONE_WHILE_BLOCKED))
                        }
                        other => Some(other),
                    }
                };
                if let Some(reply) = reply {
                    // updateStatsOnUnblock: the call's time again with the
                    // serving time, its latency, an error reply counted.
                    if let Some((slot, usec)) = self.blocked.call_of(id) {
                        let serve_usec = started.elapsed().as_micros() as u64;
                        self.db.stats.unblocked(slot, usec + serve_usec, &reply);
                    }
                    client.push_reply(&reply);
                    self.blocked.unpark(id);
                    self.unparked.push_back(id);
                    self.to_flush.insert(id);
                }
            }
        }
    }

    fn expire_blocked(&mut self) {
        if self.blocked.is_empty() {
            return;
        }
        let now_ms = self.now_ms();
        for (id, reply) in self.blocked.expire(now_ms) {
            if let Some(client) = self.clients.get_mut(&id) {
                client.push_reply(&reply);
                self.unparked.push_back(id);
                self.to_flush.insert(id);
            }
        }
    }

    fn run_unparked(&mut self) {
        while let Some(id) = self.unparked.pop_front() {
            self.process_input(id);
        }
    }

    fn flush_all(&mut self) {
        let ids = std::mem::take(&mut self.to_flush);
        for id in ids {
            self.flush(id);
        }
        // Unparking while flushing can queue more work (a drained backlog
        // lets input resume), so run it now rather than on the next event.
        if !self.unparked.is_empty() {
            self.run_unparked();
            let again = std::mem::take(&mut self.to_flush);
            for id in again {
                self.flush(id);
            }
        }
    }

    fn flush(&mut self, id: ClientId) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let before = client.pending_reply_bytes();
        let had_backlog = before > REPLY_BACKLOG_MAX_BYTES;
        if before > 0 {
            self.db.host.total_writes_processed += 1;
        }
        let written = client.write_pending();
        let pending = client.pending_reply_bytes();
        self.db.host.total_net_output_bytes += (before - pending) as u64;
        if written.is_err() {
            self.close(id);
            return;
        }
        if pending == 0 && client.close_after_reply {
            self.close(id);
            return;
        }
        let want = pending > 0;
        if want != client.wants_writable {
            let interest = if want {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            if self
                .poll
                .registry()
                .reregister(&mut client.stream, Token(id), interest)
                .is_err()
            {
                self.close(id);
                return;
            }
            client.wants_writable = want;
        }
        if had_backlog && pending <= REPLY_BACKLOG_MAX_BYTES && !client.close_after_reply {
            self.unparked.push_back(id);
        }
    }

    fn close(&mut self, id: ClientId) {
        self.blocked.unpark(id);
        self.to_flush.remove(&id);
        if let Some(mut client) = self.clients.remove(&id) {
            let _ = self.poll.registry().deregister(&mut client.stream);
        }
    }

    fn now_ms(&mut self) -> u64 {
        self.last_now_ms = self.last_now_ms.max(wall_clock_ms());
        self.last_now_ms
    }

    fn context(&mut self) -> ExecContext {
        ExecContext {
            now_ms: self.now_ms(),
            used_memory_bytes: alloc_counter::allocated_bytes(),
            connected_clients: self.clients.len() as u64,
            blocked_clients: self.blocked.len() as u64,
            blocked_clients_with_timeout: self.blocked.with_deadline() as u64,
            // No replica and no AOF listen to this server: building the
            // propagated commands would be wasted work.
            effects: Effects::Skip,
        }
    }
}

/// Unix time in milliseconds. The server is the one place that reads the
/// clock; the engine gets the value as `ExecContext::now_ms`.
fn wall_clock_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
