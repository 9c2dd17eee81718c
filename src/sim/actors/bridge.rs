//! A Redis-to-Kafka bridge: read a batch from a consumer group, produce it,
//! wait for Kafka's acks, then XACK the batch.
//!
//! ```text
//!   Next ─▶ XREADGROUP GROUP g me COUNT batch STREAMS s (<cursor> on restart, then >)
//!             │ empty ─▶ Next after poll_ms
//!             ▼
//!           produce each entry (key = stream ID) through the Kafka producer
//!           named like the bridge ─▶ all acked? (re-checked every ms)
//!             ▼
//!           (AfterKafkaAck faults fire here, before the XACK)
//!           XACK s g id... ─▶ Next
//! ```
//!
//! At-least-once by construction: a crash between the Kafka ack and the
//! XACK leaves the batch pending, and the restarted bridge (same consumer
//! name, history read first) produces it again. A restarted producer has a
//! new producer id, so idempotence cannot drop those copies.

use super::Me;
use super::argv::ArgvBuf;
use crate::engine::Session;
use crate::scenario::schema::BridgeSpec;
use crate::sim::ctx::{Ctx, Event, Wake};
use crate::sim::kafka::ProduceOutcome;
use crate::sim::queue::EventClass;
use crate::sim::replies::{self, Entry};
use crate::sim::trace::Note;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    Read,
    Produce,
    Await,
    Ack,
}

/// Bridge state.
#[derive(Clone, Debug)]
pub struct Bridge {
    spec: BridgeSpec,
    me: String,
    session: Session,
    history: bool,
    cursor: String,
    batch: Vec<Entry>,
    read_at_ms: u64,
    /// Length of the producer's ack log before this batch was produced.
    acked_before: usize,
    phase: Phase,
    /// The last command's buffers, reused for the next.
    argv: ArgvBuf,
}

impl Bridge {
    /// A bridge before its first read.
    pub fn new(spec: BridgeSpec) -> Bridge {
        Bridge {
            me: spec.consumer_name.clone().unwrap_or(spec.name.clone()),
            history: spec.read_history_on_start,
            spec,
            session: Session::default(),
            cursor: "0".into(),
            batch: Vec::new(),
            read_at_ms: 0,
            acked_before: 0,
            phase: Phase::Read,
            argv: ArgvBuf::default(),
        }
    }

    /// Name inside the group.
    pub fn consumer_name(&self) -> &str {
        &self.me
    }

    /// Forgets the in-memory batch (the process died).
    pub fn crash(&mut self) {
        self.batch.clear();
        self.phase = Phase::Read;
    }

    /// A new process: new connection, history read first.
    pub fn restart(&mut self) {
        self.crash();
        self.session = Session::default();
        self.history = self.spec.read_history_on_start;
        self.cursor = "0".into();
    }

    /// Handles one wake-up.
    pub fn on_wake(&mut self, me: &Me, wake: Wake, ctx: &mut Ctx) {
        if !matches!(wake, Wake::Start | Wake::Next | Wake::Tick) {
            return;
        }
        match self.phase {
            Phase::Read => self.read(me, ctx),
            Phase::Produce => self.produce(me, ctx),
            Phase::Await => self.check_acks(me, ctx),
            Phase::Ack => self.ack(me, ctx),
        }
    }

    fn read(&mut self, me: &Me, ctx: &mut Ctx) {
        let from = if self.history {
            self.cursor.as_str()
        } else {
            ">"
        };
        self.argv
            .start()
            .push("XREADGROUP")
            .push("GROUP")
            .push(&self.spec.group)
            .push(&self.me)
            .push("COUNT")
            .push_u64(self.spec.batch)
            .push("STREAMS")
            .push(&self.spec.stream)
            .push(from);
        let was_history = from != ">";
        let ex = ctx.exec(me.who(), &mut self.session, self.argv.argv(), Note::Plain);
        let got = replies::read_entries(&ex.reply);
        if self.history {
            match got.last() {
                Some(last) => self.cursor = last.id.clone(),
                None => self.history = false,
            }
        }
        if got.is_empty() {
            // An empty history read switches to > at once; an empty > read
            // (or an error) waits for the next poll.
            let was_history = was_history && !ex.reply.is_error();
            let next = if was_history {
                0
            } else {
                self.spec.poll_ms.max(1)
            };
            me.wake(ctx, ctx.now_ms + next, Wake::Next);
            return;
        }
        for e in &got {
            if let Some(m) = e.msg {
                ctx.ledger_redis.delivered(m, &self.me, ctx.now_ms);
            }
        }
        self.batch = got;
        self.read_at_ms = ctx.now_ms;
        self.phase = Phase::Produce;
        me.wake(ctx, ctx.now_ms, Wake::Next);
    }

    fn produce(&mut self, me: &Me, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let mut acked = 0;
        let mut failed = 0;
        if let Some(world) = ctx.kafka.as_mut() {
            self.acked_before = world.acked_messages(me.name).map_or(0, |a| a.len());
            for e in &self.batch {
                let Some(m) = e.msg else { continue };
                // The model's own steps are not kept: this step says what
                // was produced, and the acks show in the ack log.
                match world.produce(me.name, m, now, &mut ctx.ledger_kafka, None) {
                    Ok(ProduceOutcome::Acked { .. }) => acked += 1,
                    Ok(ProduceOutcome::Pending { .. }) => {}
                    Ok(ProduceOutcome::Failed(_)) | Err(_) => failed += 1,
                }
            }
        }
        let n = self.batch.iter().filter(|e| e.msg.is_some()).count();
        let text = format!(
            "produces {n} record(s) to Kafka topic {} ({acked} acked at once, {failed} failed)",
            self.spec.topic
        );
        me.note(ctx, Note::Text(text));
        self.phase = Phase::Await;
        me.wake(ctx, now, Wake::Next);
    }

    fn check_acks(&mut self, me: &Me, ctx: &mut Ctx) {
        let now = ctx.now_ms;
        let from = self.acked_before;
        let all = match ctx
            .kafka
            .as_ref()
            .and_then(|w| w.acked_messages(me.name).ok())
        {
            Some(acked) => {
                // Acks logged since this batch was produced: O(batch), not
                // O(everything the producer ever sent).
                let recent: std::collections::BTreeSet<u64> =
                    acked.iter_from(from).map(|a| a.0).collect();
                self.batch
                    .iter()
                    .filter_map(|e| e.msg)
                    .all(|m| recent.contains(&m))
            }
            None => false,
        };
        if !all {
            me.wake(ctx, now + 1, Wake::Next);
            return;
        }
        for e in &self.batch {
            if let Some(m) = e.msg {
                ctx.ledger_redis.completed(m, me.name, now);
            }
        }
        let fired: Vec<u32> = ctx
            .ack_triggers
            .iter()
            .filter(|(a, at, _)| *a == me.idx && self.read_at_ms >= *at)
            .map(|t| t.2)
            .collect();
        ctx.ack_triggers
            .retain(|(a, at, _)| !(*a == me.idx && self.read_at_ms >= *at));
        for f in fired {
            ctx.queue.push(now, EventClass::Fault, 1, Event::Fault(f));
        }
        // The XACK is its own event, so a fault triggered by this ack
        // (class Fault, same millisecond) runs before it.
        self.phase = Phase::Ack;
        me.wake(ctx, now, Wake::Next);
    }

    fn ack(&mut self, me: &Me, ctx: &mut Ctx) {
        let argv = self.argv.start();
        argv.push("XACK")
            .push(&self.spec.stream)
            .push(&self.spec.group);
        for e in &self.batch {
            argv.push(&e.id);
        }
        ctx.exec(me.who(), &mut self.session, self.argv.argv(), Note::Plain);
        self.batch.clear();
        self.phase = Phase::Read;
        me.wake(ctx, ctx.now_ms, Wake::Next);
    }
}
