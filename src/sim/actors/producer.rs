//! A producer: XADD on a fixed grid of times, buffering and retrying failures.
//!
//! ```text
//!   Tick at offset + k·interval ─▶ buffer.push(next message) ─▶ (not sending?) Next
//!   Next ─▶ XADD stream [MAXLEN|MINID ...] <id> m <msg> [f1 v1 ...]
//!             ok    ─▶ WAIT configured? ─▶ WAIT n t ─▶ reply now, when n replicas reach
//!                      this write's offset, or at t with the count then (wait.rs) ─▶ acked if ≥ n
//!                      else acked ─▶ buffer.pop ─▶ Next while the buffer has more
//!             error ─▶ retry_ms? ─▶ Next after retry_ms (in order) | drop the message
//! ```
//!
//! Every payload carries `m = <message number>`, the ledger's identity of
//! the message across stream IDs, replicas and Kafka offsets.

use super::argv::ArgvBuf;
use super::{Me, argv_of};
use crate::engine::Session;
use crate::scenario::schema::{IdMode, ProducerSpec};
use crate::sim::ctx::{Ctx, Tally, Wake};
use crate::sim::trace::Note;
use std::collections::VecDeque;

/// Producer state.
#[derive(Clone, Debug)]
pub struct Producer {
    spec: ProducerSpec,
    session: Session,
    ticks: u64,
    buffer: VecDeque<(u64, u64)>,
    sending: bool,
    /// A WAIT is outstanding for the head of the buffer.
    waiting: bool,
    epoch_at_send: u64,
    /// The replication offset right after this producer's last write
    /// (Redis's `c->woff`): what its WAIT waits for.
    woff: u64,
    /// Number of the current WAIT; a reply for an older one is stale.
    wait_seq: u64,
    /// The last XADD's buffers, reused for the next.
    argv: ArgvBuf,
}

impl Producer {
    /// A producer that has not sent anything.
    pub fn new(spec: ProducerSpec) -> Producer {
        Producer {
            spec,
            session: Session::default(),
            ticks: 0,
            buffer: VecDeque::new(),
            sending: false,
            waiting: false,
            epoch_at_send: 0,
            woff: 0,
            wait_seq: 0,
            argv: ArgvBuf::default(),
        }
    }

    /// First send time.
    pub fn first_ms(&self) -> u64 {
        self.spec.schedule.offset_ms
    }

    fn schedule_done(&self, now_ms: u64) -> bool {
        let s = &self.spec.schedule;
        s.count.is_some_and(|c| self.ticks >= c) || s.until_ms.is_some_and(|u| now_ms > u)
    }

    /// Handles one wake-up.
    pub fn on_wake(&mut self, me: &Me, wake: Wake, ctx: &mut Ctx) {
        match wake {
            Wake::Start | Wake::Tick => {
                if self.schedule_done(ctx.now_ms) {
                    return;
                }
                let msg = ctx.next_msg;
                ctx.next_msg += 1;
                self.buffer.push_back((msg, self.ticks));
                self.ticks += 1;
                if !self.schedule_done(ctx.now_ms) {
                    let next = ctx.now_ms + self.spec.schedule.interval_ms;
                    me.wake(ctx, next, Wake::Tick);
                }
                if !self.sending {
                    self.send(me, ctx);
                }
            }
            Wake::Next => self.send(me, ctx),
            Wake::Ack(v) => self.wait_done(me, ctx, v),
            _ => {}
        }
    }

    fn send(&mut self, me: &Me, ctx: &mut Ctx) {
        let Some(&(msg, ordinal)) = self.buffer.front() else {
            self.sending = false;
            return;
        };
        if self.waiting {
            return;
        }
        let s = &self.spec;
        let argv = &mut self.argv;
        argv.start()
            .push("XADD")
            .push(&s.stream)
            .push_trim(&s.trim, ctx.unix_ms());
        match s.id {
            IdMode::Auto => argv.push("*"),
            IdMode::Sequence(from) => argv.push_id(from + ordinal),
        };
        argv.push("m").push_u64(msg);
        for i in 0..s.extra_fields {
            argv.push_numbered("f", u64::from(i) + 1);
            argv.push_filled(b'x', s.value_bytes as usize);
        }
        let now = ctx.now_ms;
        ctx.ledger_redis.produced(msg, now);
        let ex = ctx.exec(me.who(), &mut self.session, self.argv.argv(), Note::Plain);
        self.sending = true;
        if ex.reply.is_error() {
            ctx.tally(me.idx, Tally::Rejected, 1);
            match self.spec.retry_ms {
                Some(r) => me.wake(ctx, now + r.max(1), Wake::Next),
                None => {
                    self.buffer.pop_front();
                    me.wake(ctx, now, Wake::Next);
                }
            }
            return;
        }
        if self.spec.wait.is_some() {
            self.waiting = true;
            self.epoch_at_send = ctx.redis_epoch;
            self.woff = ctx.replication.offset;
            me.wake(ctx, now, Wake::Ack(Vec::new()));
            return;
        }
        ctx.ledger_redis.produced_acked(msg, now);
        ctx.tally(me.idx, Tally::Acked, 1);
        self.buffer.pop_front();
        me.wake(ctx, now, Wake::Next);
    }

    /// `Ack([])` issues WAIT; `Ack([seq, n])` is the reply of WAIT number
    /// `seq` with `n` replicas; `Ack([seq, "timeout"])` its timeout.
    fn wait_done(&mut self, me: &Me, ctx: &mut Ctx, v: Vec<String>) {
        let Some(w) = self.spec.wait.clone() else {
            return;
        };
        let now = ctx.now_ms;
        if v.is_empty() {
            self.wait_seq += 1;
            let argv = argv_of(&["WAIT", &w.replicas.to_string(), &w.timeout_ms.to_string()]);
            let waiter = crate::sim::wait::Waiter {
                actor: me.idx,
                generation: me.generation,
                seq: self.wait_seq,
                woff: self.woff,
                want: w.replicas,
            };
            let seq = self.wait_seq.to_string();
            match ctx.wait(me.who(), argv, waiter) {
                Some(n) => me.wake(ctx, now, Wake::Ack(vec![seq, n.to_string()])),
                // Timeout 0 blocks for ever (replication.c waitCommand).
                None if w.timeout_ms == 0 => {}
                None => me.wake(
                    ctx,
                    now + w.timeout_ms,
                    Wake::Ack(vec![seq, "timeout".into()]),
                ),
            }
            return;
        }
        let [seq, answer] = v.as_slice() else {
            return;
        };
        if !self.waiting || *seq != self.wait_seq.to_string() {
            return;
        }
        let reached: i64 = if answer == "timeout" {
            match crate::sim::wait::timed_out(&mut ctx.replication, me.idx, self.wait_seq) {
                Some(n) => n as i64,
                None => return,
            }
        } else {
            answer.parse().unwrap_or(-1)
        };
        self.waiting = false;
        let msg = self.buffer.pop_front().map_or(0, |b| b.0);
        // The reply only counts if the server that promised it is still the
        // one we talk to: a crash in between leaves the write in doubt.
        let intact = ctx.redis_epoch == self.epoch_at_send && ctx.redis.up;
        if reached >= w.replicas as i64 && intact {
            ctx.ledger_redis.produced_acked(msg, now);
            ctx.tally(me.idx, Tally::Acked, 1);
            me.note(
                ctx,
                Note::Text(format!("msg {msg} confirmed by {reached} replica(s)")),
            );
        } else {
            ctx.tally(me.idx, Tally::InDoubt, 1);
            me.note(
                ctx,
                Note::Text(format!("msg {msg} not confirmed (WAIT reached {reached})")),
            );
        }
        me.wake(ctx, now, Wake::Next);
    }
}
