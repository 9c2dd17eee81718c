//! The claiming sidecar: finds entries idle too long and takes them over.
//!
//! ```text
//!   Tick (every interval_ms) ─▶ todo += XAUTOCLAIM(cursor)  |  XPENDING IDLE min - + n
//!        │
//!   Next: run one todo per step
//!     XAUTOCLAIM ─▶ claimed ──┬─ JUSTID ─▶ todo += XRANGE id id (fetch the body)
//!                  cursor ≠ 0 └─ follow ─▶ todo += XAUTOCLAIM(cursor)
//!     XPENDING   ─▶ per row: count ≥ max ─▶ todo += XADD dlq, XACK
//!                            else         ─▶ todo += XCLAIM me min_idle id
//!     claimed entries ─▶ then: Process (own queue, XACK) | HandTo(consumer) | DeadLetter
//! ```
//!
//! With `XAutoClaim` + `DeadLetter` the delivery counter is not in the
//! XAUTOCLAIM reply, so the claimer asks `XPENDING key g id id 1` per entry
//! before deciding, as a real dead-letter reaper must.

use super::work::{self, InFlight};
use super::{Me, argv_of};
use crate::engine::{Reply, Session};
use crate::scenario::schema::{ActorSpec, ClaimMode, ClaimThen, ClaimerSpec, Processing};
use crate::sim::ctx::{Ctx, Tally, Wake};
use crate::sim::replies::{self, Entry};
use crate::sim::rng::SimRng;
use crate::sim::trace::Note;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
enum Todo {
    AutoClaim(String),
    Pending,
    Fetch(Entry),
    CheckCount(Entry),
    Claim(String),
    /// Fetch the body, then copy it to the DLQ.
    DeadLetterFetch(String, i64),
    DeadLetter(String, i64, u64),
    Ack(String),
}

/// Claimer state.
#[derive(Clone, Debug)]
pub struct Claimer {
    spec: ClaimerSpec,
    me: String,
    hand_to: Option<u32>,
    session: Session,
    rng: SimRng,
    cursor: String,
    todo: VecDeque<Todo>,
    work: VecDeque<Entry>,
    current: Option<InFlight>,
    /// A Next or ProcessDone wake is pending.
    running: bool,
}

impl Claimer {
    /// A claimer; `HandTo` targets resolve to their actor index here.
    pub fn new(spec: ClaimerSpec, rng: SimRng, specs: &[ActorSpec]) -> Claimer {
        let mut hand_to = None;
        let mut me = spec.consumer_name.clone().unwrap_or(spec.name.clone());
        if let ClaimThen::HandTo(target) = &spec.then
            && let Some((i, ActorSpec::Consumer(c))) =
                specs.iter().enumerate().find(|(_, a)| a.name() == target)
        {
            hand_to = Some(i as u32);
            if spec.consumer_name.is_none() {
                me = c.consumer_name.clone().unwrap_or(c.name.clone());
            }
        }
        Claimer {
            spec,
            me,
            hand_to,
            session: Session::default(),
            rng,
            cursor: "0-0".into(),
            todo: VecDeque::new(),
            work: VecDeque::new(),
            current: None,
            running: false,
        }
    }

    /// First tick.
    pub fn first_ms(&self) -> u64 {
        self.spec.first_at_ms.unwrap_or(self.spec.interval_ms)
    }

    /// Name it claims as.
    pub fn consumer_name(&self) -> &str {
        &self.me
    }

    /// Forgets in-memory work.
    pub fn crash(&mut self) {
        self.todo.clear();
        self.work.clear();
        self.current = None;
        self.running = false;
    }

    fn min_idle(&self) -> u64 {
        match self.spec.mode {
            ClaimMode::XAutoClaim { min_idle_ms, .. }
            | ClaimMode::XPendingXClaim { min_idle_ms, .. } => min_idle_ms,
        }
    }

    /// Handles one wake-up.
    pub fn on_wake(&mut self, me: &Me, wake: Wake, ctx: &mut Ctx) {
        match wake {
            Wake::Start | Wake::Tick => {
                me.wake(ctx, ctx.now_ms + self.spec.interval_ms, Wake::Tick);
                let first = match self.spec.mode {
                    ClaimMode::XAutoClaim { follow_cursor, .. } => {
                        if follow_cursor {
                            self.cursor = "0-0".into();
                        }
                        Todo::AutoClaim(self.cursor.clone())
                    }
                    ClaimMode::XPendingXClaim { .. } => Todo::Pending,
                };
                self.todo.push_back(first);
                if self.running {
                    // The running chain picks the new work up; this tick is
                    // still a step so the timeline shows it.
                    me.note(ctx, Note::Text("tick while busy: queued".into()));
                } else {
                    self.run(me, ctx);
                }
            }
            Wake::Next => {
                self.running = false;
                self.run(me, ctx);
            }
            Wake::ProcessDone => {
                self.running = false;
                self.process_done(me, ctx);
            }
            _ => {}
        }
    }

    fn cont(&mut self, me: &Me, ctx: &mut Ctx) {
        if !self.todo.is_empty() || (self.current.is_none() && !self.work.is_empty()) {
            self.running = true;
            me.wake(ctx, ctx.now_ms, Wake::Next);
        }
    }

    fn run(&mut self, me: &Me, ctx: &mut Ctx) {
        if let Some(t) = self.todo.pop_front() {
            self.do_todo(me, ctx, t);
            self.cont(me, ctx);
            return;
        }
        if self.current.is_some() {
            return;
        }
        if let Some(e) = self.work.pop_front() {
            let processing = match &self.spec.then {
                ClaimThen::Process(p) => p.clone(),
                ClaimThen::DeadLetter { processing, .. } => processing.clone(),
                ClaimThen::HandTo(_) => Processing::Fixed(0),
            };
            let w = work::begin(me, ctx, e, &self.spec.poison, &processing, &mut self.rng);
            self.current = Some(w);
            self.running = true;
        }
    }

    fn process_done(&mut self, me: &Me, ctx: &mut Ctx) {
        let Some(w) = self.current.take() else {
            return;
        };
        let ok = work::finish(me, ctx, &w);
        let note = work::done_note(&w, ok);
        if ok {
            let argv = argv_of(&["XACK", &self.spec.stream, &self.spec.group, &w.entry.id]);
            let ex = ctx.exec(me.who(), &mut self.session, &argv, note);
            if ex.reply == Reply::Integer(0) {
                ctx.tally(me.idx, Tally::ZeroAcks, 1);
            }
        } else {
            me.note(ctx, note);
        }
        self.cont(me, ctx);
    }

    fn do_todo(&mut self, me: &Me, ctx: &mut Ctx, t: Todo) {
        let (stream, group) = (self.spec.stream.clone(), self.spec.group.clone());
        let min_idle = self.min_idle().to_string();
        match t {
            Todo::AutoClaim(cursor) => {
                let ClaimMode::XAutoClaim {
                    count,
                    justid,
                    follow_cursor,
                    ..
                } = self.spec.mode
                else {
                    return;
                };
                let count = count.to_string();
                let mut parts = vec![
                    "XAUTOCLAIM",
                    &stream,
                    &group,
                    &self.me,
                    &min_idle,
                    &cursor,
                    "COUNT",
                    &count,
                ];
                if justid {
                    parts.push("JUSTID");
                }
                let argv = argv_of(&parts);
                let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
                let Some(ac) = replies::autoclaim(&ex.reply) else {
                    return;
                };
                ctx.count(
                    &format!("claim.{}.claimed", me.name),
                    ac.claimed.len() as i64,
                );
                ctx.count(
                    &format!("claim.{}.deleted", me.name),
                    ac.deleted.len() as i64,
                );
                ctx.texts
                    .insert(format!("claim.{}.cursor", me.name), ac.cursor.clone());
                self.cursor = ac.cursor.clone();
                for e in ac.claimed {
                    if justid {
                        self.todo.push_back(Todo::Fetch(e));
                    } else {
                        self.claimed(ctx, e);
                    }
                }
                if follow_cursor && ac.cursor != "0-0" {
                    self.todo.push_back(Todo::AutoClaim(ac.cursor));
                }
            }
            Todo::Pending => {
                let ClaimMode::XPendingXClaim { count, .. } = self.spec.mode else {
                    return;
                };
                let count = count.to_string();
                let argv = argv_of(&[
                    "XPENDING", &stream, &group, "IDLE", &min_idle, "-", "+", &count,
                ]);
                let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
                for row in replies::pending_rows(&ex.reply) {
                    match self.dead_letter_at() {
                        Some(max) if row.deliveries >= max as i64 => {
                            self.todo
                                .push_back(Todo::DeadLetterFetch(row.id.clone(), row.deliveries));
                            self.todo.push_back(Todo::Ack(row.id));
                        }
                        _ => self.todo.push_back(Todo::Claim(row.id)),
                    }
                }
            }
            Todo::Claim(id) => {
                let argv = argv_of(&["XCLAIM", &stream, &group, &self.me, &min_idle, &id]);
                let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
                let got = replies::entries(&ex.reply);
                ctx.count(&format!("claim.{}.claimed", me.name), got.len() as i64);
                for e in got {
                    self.claimed(ctx, e);
                }
            }
            Todo::Fetch(e) => {
                let argv = argv_of(&["XRANGE", &stream, &e.id, &e.id]);
                let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
                if let Some(full) = replies::entries(&ex.reply).into_iter().next() {
                    self.claimed(ctx, full);
                }
            }
            Todo::CheckCount(e) => {
                let argv = argv_of(&["XPENDING", &stream, &group, &e.id, &e.id, "1"]);
                let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
                let n = replies::pending_rows(&ex.reply)
                    .first()
                    .map_or(0, |r| r.deliveries);
                match self.dead_letter_at() {
                    Some(max) if n >= max as i64 => {
                        self.todo.push_front(Todo::Ack(e.id.clone()));
                        self.todo
                            .push_front(Todo::DeadLetter(e.id.clone(), n, e.msg.unwrap_or(0)));
                    }
                    _ => self.work.push_back(e),
                }
            }
            Todo::DeadLetterFetch(id, n) => {
                let argv = argv_of(&["XRANGE", &stream, &id, &id]);
                let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
                let msg = replies::entries(&ex.reply).first().and_then(|e| e.msg);
                self.todo
                    .push_front(Todo::DeadLetter(id, n, msg.unwrap_or(0)));
            }
            Todo::DeadLetter(id, n, msg) => {
                let ClaimThen::DeadLetter { dlq_stream, .. } = &self.spec.then else {
                    return;
                };
                let n = n.to_string();
                let m = msg.to_string();
                // The copy keeps the message number, so the ledger sees the
                // message as parked for a human, not lost.
                let argv = argv_of(&[
                    "XADD",
                    dlq_stream,
                    "*",
                    "orig",
                    &id,
                    "deliveries",
                    &n,
                    "m",
                    &m,
                ]);
                let note = Note::Text(format!("dead-letters {id} after {n} deliveries"));
                ctx.exec(me.who(), &mut self.session, &argv, note);
                ctx.count(&format!("claim.{}.dead_lettered", me.name), 1);
            }
            Todo::Ack(id) => {
                let argv = argv_of(&["XACK", &stream, &group, &id]);
                ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
            }
        }
    }

    fn dead_letter_at(&self) -> Option<u64> {
        match &self.spec.then {
            ClaimThen::DeadLetter { max_deliveries, .. } => Some(*max_deliveries),
            _ => None,
        }
    }

    /// An entry now owned by this claimer's consumer name.
    fn claimed(&mut self, ctx: &mut Ctx, e: Entry) {
        if let Some(m) = e.msg {
            ctx.ledger_redis.delivered(m, &self.me, ctx.now_ms);
        }
        if let Some(target) = self.hand_to {
            ctx.handoffs.push((target, vec![e]));
            return;
        }
        let autoclaim_dlq = matches!(self.spec.mode, ClaimMode::XAutoClaim { .. })
            && self.dead_letter_at().is_some();
        if autoclaim_dlq {
            self.todo.push_back(Todo::CheckCount(e));
        } else {
            self.work.push_back(e);
        }
    }
}
