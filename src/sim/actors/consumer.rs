//! A consumer-group reader: read, process one entry at a time, acknowledge.
//!
//! ```text
//!            ┌──────────────────────────── Next ◀──────────────────────────┐
//!            ▼                                                             │
//!   batch empty? ── no ─▶ begin(entry) ── ProcessDone ─▶ XACK per policy ──┘
//!            │yes
//!            ├─ acks owed (PerBatch) ─▶ XACK id... ─▶ Next
//!            ├─ history mode ─▶ XREADGROUP ... <cursor>  (own PEL; empty ⇒ switch to >)
//!            └─ XREADGROUP ... [BLOCK b] >
//!                   ├─ entries ─▶ batch ─▶ Next
//!                   ├─ block  ─▶ parked until a write signals the key (Retry) or Timeout
//!                   └─ nil    ─▶ Next after poll_ms
//! ```

use super::Me;
use super::argv::ArgvBuf;
use super::work::{self, InFlight};
use crate::engine::{Argv, Reply, Session};
use crate::scenario::schema::{AckPolicy, ConsumerSpec};
use crate::sim::ctx::{Ctx, Tally, Wake};
use crate::sim::replies::{self, Entry};
use crate::sim::rng::SimRng;
use crate::sim::trace::Note;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
struct Parked {
    keys: Vec<Vec<u8>>,
    retry_argv: Argv,
    retry_scheduled: bool,
}

/// A blocked XREADGROUP as a viewer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParkedRead<'a> {
    /// The stream keys it waits on.
    pub keys: &'a [Vec<u8>],
    /// The command that runs again when one of them is written to.
    pub command: &'a [Vec<u8>],
    /// A write signalled a key and the retry is scheduled.
    pub retry_scheduled: bool,
}

/// Consumer state.
#[derive(Clone, Debug)]
pub struct Consumer {
    spec: ConsumerSpec,
    consumer_name: String,
    session: Session,
    rng: SimRng,
    history: bool,
    history_cursor: String,
    batch: VecDeque<Entry>,
    current: Option<InFlight>,
    batch_acks: Vec<String>,
    processed: u64,
    reads: u64,
    parked: Option<Parked>,
    /// Nothing scheduled: stopped reading or waiting for hand-offs.
    idle: bool,
    /// The last command's buffers, reused for the next.
    argv: ArgvBuf,
}

impl Consumer {
    /// A consumer that has not started.
    pub fn new(spec: ConsumerSpec, rng: SimRng) -> Consumer {
        let consumer_name = spec.consumer_name.clone().unwrap_or(spec.name.clone());
        Consumer {
            history: spec.read_history_on_start,
            spec,
            consumer_name,
            session: Session::default(),
            rng,
            history_cursor: "0".into(),
            batch: VecDeque::new(),
            current: None,
            batch_acks: Vec::new(),
            processed: 0,
            reads: 0,
            parked: None,
            idle: false,
            argv: ArgvBuf::default(),
        }
    }

    /// First read time.
    pub fn start_at_ms(&self) -> u64 {
        self.spec.start_at_ms
    }

    /// Name inside the group.
    pub fn consumer_name(&self) -> &str {
        &self.consumer_name
    }

    /// Entries read and not started yet, in the order they will be processed.
    pub fn batch(&self) -> &VecDeque<Entry> {
        &self.batch
    }

    /// The entry being processed now, if any.
    pub fn processing(&self) -> Option<&InFlight> {
        self.current.as_ref()
    }

    /// The blocked read, if the consumer is parked in one.
    pub fn parked_read(&self) -> Option<ParkedRead<'_>> {
        self.parked.as_ref().map(|p| ParkedRead {
            keys: &p.keys,
            command: &p.retry_argv,
            retry_scheduled: p.retry_scheduled,
        })
    }

    /// IDs finished but not acknowledged yet (`PerBatch` acks them together).
    pub fn acks_owed(&self) -> &[String] {
        &self.batch_acks
    }

    /// Entries whose processing ended (poison failures included) since the start.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// The scenario's description of this consumer.
    pub fn spec(&self) -> &ConsumerSpec {
        &self.spec
    }

    /// Keys of the blocked read, if parked.
    pub fn parked_keys(&self) -> Option<&[Vec<u8>]> {
        self.parked.as_ref().map(|p| p.keys.as_slice())
    }

    /// Marks a retry as scheduled; false if one already is.
    pub fn claim_retry(&mut self) -> bool {
        match &mut self.parked {
            Some(p) if !p.retry_scheduled => {
                p.retry_scheduled = true;
                true
            }
            _ => false,
        }
    }

    /// Forgets all in-memory work (the process died).
    pub fn crash(&mut self) {
        self.batch.clear();
        self.current = None;
        self.batch_acks.clear();
        self.parked = None;
        self.idle = false;
    }

    /// Prepares a fresh process (new connection, optional new name).
    pub fn restart(&mut self, consumer_name: Option<&str>, read_history: Option<bool>) {
        self.crash();
        self.session = Session::default();
        if let Some(n) = consumer_name {
            self.consumer_name = n.to_string();
        }
        self.history = read_history.unwrap_or(self.spec.read_history_on_start);
        self.history_cursor = "0".into();
        self.reads = 0;
    }

    /// Entries handed over by a claimer; true if the consumer must be woken.
    pub fn receive(&mut self, entries: Vec<Entry>) -> bool {
        self.batch.extend(entries);
        let wake = self.idle || self.parked.is_some();
        if wake {
            self.idle = false;
            self.parked = None;
        }
        wake
    }

    /// Handles one wake-up.
    pub fn on_wake(&mut self, me: &Me, wake: Wake, ctx: &mut Ctx) {
        match wake {
            Wake::Start | Wake::Next | Wake::Tick => self.next(me, ctx),
            Wake::ProcessDone => self.process_done(me, ctx),
            Wake::Retry => self.retry(me, ctx),
            Wake::Timeout => {
                if self.parked.take().is_some() {
                    me.note(ctx, Note::TimedOut);
                    me.wake(ctx, ctx.now_ms, Wake::Next);
                }
            }
            Wake::Ack(ids) => self.ack(me, ctx, ids, None, false),
        }
    }

    fn next(&mut self, me: &Me, ctx: &mut Ctx) {
        if self.current.is_some() || self.parked.is_some() {
            return;
        }
        if let Some(entry) = self.batch.pop_front() {
            if entry.deleted {
                // The standard recovery loop acknowledges entries that were
                // deleted while pending: there is nothing left to process.
                let id = entry.id.clone();
                let note = Note::Text(format!("{id} was deleted while pending: ack it"));
                self.ack(me, ctx, vec![id], Some(note), true);
                return;
            }
            let w = work::begin(
                me,
                ctx,
                entry,
                &self.spec.poison,
                &self.spec.processing,
                &mut self.rng,
            );
            self.current = Some(w);
            return;
        }
        if !self.batch_acks.is_empty() {
            let ids = std::mem::take(&mut self.batch_acks);
            self.ack(me, ctx, ids, None, true);
            return;
        }
        self.read(me, ctx);
    }

    fn read(&mut self, me: &Me, ctx: &mut Ctx) {
        let s = &self.spec;
        if self.history {
            self.argv
                .start()
                .push("XREADGROUP")
                .push("GROUP")
                .push(&s.group)
                .push(&self.consumer_name)
                .push("COUNT")
                .push_u64(s.count)
                .push("STREAMS")
                .push(&s.stream)
                .push(&self.history_cursor);
            let ex = ctx.exec(me.who(), &mut self.session, self.argv.argv(), Note::Plain);
            let got = replies::read_entries(&ex.reply);
            match got.last() {
                None => self.history = false,
                Some(last) => self.history_cursor = last.id.clone(),
            }
            if ex.reply.is_error() {
                self.history = false;
            }
            self.deliver(me, ctx, got);
            me.wake(ctx, ctx.now_ms, Wake::Next);
            return;
        }
        if s.max_reads.is_some_and(|m| self.reads >= m) {
            self.idle = true;
            return;
        }
        self.reads += 1;
        let argv = self.argv.start();
        argv.push("XREADGROUP")
            .push("GROUP")
            .push(&s.group)
            .push(&self.consumer_name)
            .push("COUNT")
            .push_u64(s.count);
        if let Some(b) = s.block_ms {
            argv.push("BLOCK").push_u64(b);
        }
        if s.noack {
            argv.push("NOACK");
        }
        argv.push("STREAMS").push(&s.stream).push(">");
        let mut ex = ctx.exec(me.who(), &mut self.session, self.argv.argv(), Note::Plain);
        let got = replies::read_entries(&ex.reply);
        if let (Some(block), true) = (ex.block.take(), got.is_empty()) {
            let block = *block;
            self.parked = Some(Parked {
                keys: block.keys,
                retry_argv: block.retry_argv,
                retry_scheduled: false,
            });
            if block.timeout_ms > 0 {
                me.wake(ctx, ctx.now_ms + block.timeout_ms, Wake::Timeout);
            }
            return;
        }
        if got.is_empty() {
            me.wake(ctx, ctx.now_ms + self.spec.poll_ms.max(1), Wake::Next);
            return;
        }
        self.deliver(me, ctx, got);
        me.wake(ctx, ctx.now_ms, Wake::Next);
    }

    fn retry(&mut self, me: &Me, ctx: &mut Ctx) {
        let Some(p) = self.parked.as_mut() else {
            return;
        };
        p.retry_scheduled = false;
        // Redis serves a blocked client from its own loop, not as a new
        // call: the read itself is no change for the save points.
        self.session.serving_blocked = true;
        let ex = ctx.exec_if(
            me.who(),
            &mut self.session,
            &p.retry_argv,
            Note::Plain,
            |ex| ex.reply.is_error() || replies::has_entries(&ex.reply),
        );
        self.session.serving_blocked = false;
        let got = replies::read_entries(&ex.reply);
        if got.is_empty() && !ex.reply.is_error() {
            return;
        }
        self.parked = None;
        self.deliver(me, ctx, got);
        me.wake(ctx, ctx.now_ms, Wake::Next);
    }

    fn deliver(&mut self, _me: &Me, ctx: &mut Ctx, got: Vec<Entry>) {
        for e in &got {
            if let Some(m) = e.msg {
                ctx.ledger_redis
                    .delivered(m, &self.consumer_name, ctx.now_ms);
            }
        }
        self.batch.extend(got);
    }

    fn process_done(&mut self, me: &Me, ctx: &mut Ctx) {
        let Some(w) = self.current.take() else {
            return;
        };
        let ok = work::finish(me, ctx, &w);
        self.processed += 1;
        let note = work::done_note(&w, ok);
        let now = ctx.now_ms;
        let ack_now = ok
            && !self.spec.noack
            && match self.spec.ack {
                AckPolicy::PerEntry => true,
                AckPolicy::SkipEvery(n) => !self.processed.is_multiple_of(n),
                AckPolicy::PerBatch | AckPolicy::Never | AckPolicy::Delayed(_) => false,
            };
        if ok && !self.spec.noack {
            match self.spec.ack {
                AckPolicy::PerBatch => self.batch_acks.push(w.entry.id.clone()),
                AckPolicy::Delayed(ms) => {
                    me.wake(ctx, now + ms, Wake::Ack(vec![w.entry.id.clone()]))
                }
                _ => {}
            }
        }
        if ack_now {
            self.ack(me, ctx, vec![w.entry.id.clone()], Some(note), true);
        } else {
            me.note(ctx, note);
            me.wake(ctx, now, Wake::Next);
        }
    }

    /// XACK `ids`; a failed XACK is retried later when the spec says so.
    /// `go_on` continues the read/process loop afterwards.
    fn ack(&mut self, me: &Me, ctx: &mut Ctx, ids: Vec<String>, note: Option<Note>, go_on: bool) {
        let argv = self.argv.start();
        argv.push("XACK")
            .push(&self.spec.stream)
            .push(&self.spec.group);
        for id in &ids {
            argv.push(id);
        }
        let ex = ctx.exec(
            me.who(),
            &mut self.session,
            self.argv.argv(),
            note.unwrap_or(Note::Plain),
        );
        match ex.reply {
            Reply::Integer(n) => {
                let zeros = ids.len() as i64 - n;
                ctx.tally(me.idx, Tally::ZeroAcks, zeros);
            }
            _ => {
                if let Some(retry) = self.spec.ack_retry_ms {
                    me.wake(ctx, ctx.now_ms + retry, Wake::Ack(ids));
                }
            }
        }
        if go_on {
            me.wake(ctx, ctx.now_ms, Wake::Next);
        }
    }
}
