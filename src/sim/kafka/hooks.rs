//! Fault hooks and the producer API: how the scenario reaches into the model.
//!
//! ```text
//!   crash_consumer(name, t) ──┐
//!   restart_consumer(name, t) │
//!   hang_consumer(name, t, ms)├─▶ Fault event at t ─▶ on_* handler below
//!   close_consumer(name, t)   │   (runs before timers and actors of t)
//!   crash_broker(id, t)       │
//!   restart_broker(id, t)     │
//!   restart_producer(name, t) ┘
//!   crash_mid_processing(name, MidProcessing) ─▶ armed; fires inside the
//!                                               processing of that offset
//!   produce(name, msg, t, …)  ─▶ runs the model to t, then sends now
//! ```
//!
//! Why faults are events rather than direct calls: a crash at t must land
//! before anything else the model does at t (the scenario tie-break), and
//! the model may be several milliseconds behind the caller's clock.

use super::consumer::MidProcessing;
use super::event::Ev;
use super::producer::ProduceOutcome;
use super::{KafkaAction, KafkaError, KafkaStep, KafkaWorld, Out, err};
use crate::sim::ledger::{Ledger, MsgId};

impl KafkaWorld {
    fn consumer_index(&self, name: &str) -> Result<usize, KafkaError> {
        match self.consumers.iter().position(|c| c.cfg.name == name) {
            Some(i) => Ok(i),
            None => err(format!("kafka: unknown consumer '{name}'")),
        }
    }

    fn producer_index(&self, name: &str) -> Result<usize, KafkaError> {
        match self.producers.iter().position(|p| p.cfg.name == name) {
            Some(i) => Ok(i),
            None => err(format!("kafka: unknown producer '{name}'")),
        }
    }

    fn not_past(&self, t_ms: u64) -> Result<(), KafkaError> {
        if t_ms < self.now_ms {
            return err(format!(
                "kafka: fault at {t_ms} ms is before model time {} ms",
                self.now_ms
            ));
        }
        Ok(())
    }

    /// The consumer process dies at `t_ms`: no completion, no commit, no
    /// more heartbeats; its partitions stay assigned until session expiry.
    pub fn crash_consumer(&mut self, name: &str, t_ms: u64) -> Result<(), KafkaError> {
        let c = self.consumer_index(name)?;
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::CrashConsumer { c });
        Ok(())
    }

    /// The consumer process starts again (a running one is killed first).
    /// A static member still in the group keeps its partitions; otherwise
    /// it joins as a new member and a rebalance follows.
    pub fn restart_consumer(&mut self, name: &str, t_ms: u64) -> Result<(), KafkaError> {
        let c = self.consumer_index(name)?;
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::RestartConsumer { c });
        Ok(())
    }

    /// The processing thread stops for `for_ms`; heartbeats go on.
    pub fn hang_consumer(&mut self, name: &str, t_ms: u64, for_ms: u64) -> Result<(), KafkaError> {
        let c = self.consumer_index(name)?;
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::HangConsumer { c, for_ms });
        Ok(())
    }

    /// Clean `close()`: auto-commit consumers commit; a dynamic member sends
    /// LeaveGroup (immediate rebalance), a static one does not (KIP-345).
    pub fn close_consumer(&mut self, name: &str, t_ms: u64) -> Result<(), KafkaError> {
        let c = self.consumer_index(name)?;
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::CloseConsumer { c });
        Ok(())
    }

    /// Crash `name` while it processes `at.offset` of `at.partition` (the
    /// scenario's `OnEvent MidProcessing`), `at.after_ms` into it. One-shot.
    pub fn crash_mid_processing(
        &mut self,
        name: &str,
        at: MidProcessing,
    ) -> Result<(), KafkaError> {
        let c = self.consumer_index(name)?;
        let g = self.consumers[c].group;
        if at.partition as usize >= self.topics[self.groups[g].topic].partitions.len() {
            return err(format!(
                "kafka: '{name}' reads no partition {}",
                at.partition
            ));
        }
        self.consumers[c].triggers.push(at);
        Ok(())
    }

    /// Broker `id` stops; partitions it led elect a new leader.
    pub fn crash_broker(&mut self, id: u32, t_ms: u64) -> Result<(), KafkaError> {
        if id as usize >= self.brokers_alive.len() {
            return err(format!(
                "kafka: no broker {id} (cluster has {})",
                self.brokers_alive.len()
            ));
        }
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::CrashBroker { broker: id });
        Ok(())
    }

    /// Broker `id` comes back as a follower and rejoins the ISR once caught up.
    pub fn restart_broker(&mut self, id: u32, t_ms: u64) -> Result<(), KafkaError> {
        if id as usize >= self.brokers_alive.len() {
            return err(format!(
                "kafka: no broker {id} (cluster has {})",
                self.brokers_alive.len()
            ));
        }
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::RestartBroker { broker: id });
        Ok(())
    }

    /// The producer process restarts: new producer id, in-flight sends lost.
    pub fn restart_producer(&mut self, name: &str, t_ms: u64) -> Result<(), KafkaError> {
        let pi = self.producer_index(name)?;
        self.not_past(t_ms)?;
        self.queue.push(t_ms, Ev::RestartProducer { pi });
        Ok(())
    }

    /// Sends `msg` through producer `name` at `t_ms` (e.g. a bridge forwarding
    /// a Redis entry): runs the model up to `t_ms`, then sends. An ack that
    /// arrives later shows in `acked_messages`. The model's steps go to
    /// `steps`; with `None` they are not even written.
    pub fn produce(
        &mut self,
        name: &str,
        msg: MsgId,
        t_ms: u64,
        ledger: &mut Ledger,
        steps: Option<&mut Vec<KafkaStep>>,
    ) -> Result<ProduceOutcome, KafkaError> {
        let pi = self.producer_index(name)?;
        self.not_past(t_ms)?;
        if self.producers[pi].inflight.contains_key(&msg) {
            return err(format!(
                "kafka: producer '{name}' is already sending message {msg}"
            ));
        }
        let mut out = Out { ledger, steps };
        self.run_until_out(t_ms, &mut out);
        let p = self.new_send(pi, msg, t_ms, &mut out);
        Ok(self.outcome(pi, msg, p))
    }

    pub(crate) fn on_crash_consumer(
        &mut self,
        c: usize,
        t: u64,
        out: &mut Out,
        note: Option<String>,
    ) {
        let name = self.consumers[c].cfg.name.clone();
        if !self.consumers[c].alive {
            out.step(t, &name, KafkaAction::Crash, "crash (already down)".into());
            return;
        }
        let cs = &mut self.consumers[c];
        cs.alive = false;
        cs.incarnation += 1;
        cs.queue.clear();
        cs.current = None;
        cs.waiting = false;
        cs.hung_until = None;
        let g = cs.group;
        let gs = &self.groups[g];
        let detail = match cs.member.and_then(|m| gs.members.get(&m)) {
            Some(m) => format!(
                "last heartbeat at {}, so the coordinator notices at {}; until then its partitions are consumed by nobody",
                m.last_hb_ms,
                m.last_hb_ms.saturating_add(gs.cfg.session_timeout_ms)
            ),
            None => "it was not in the group".into(),
        };
        let action = match note {
            Some(n) => format!("crash ({n})"),
            None => "crash".into(),
        };
        out.story(
            t,
            &name,
            KafkaAction::Crash,
            action,
            format!("{name} dies; {detail}"),
        );
    }

    pub(crate) fn on_crash_mid(&mut self, c: usize, inc: u64, t: u64, out: &mut Out) {
        let cs = &self.consumers[c];
        if !cs.alive || cs.incarnation != inc {
            return;
        }
        let note = cs.current.map(|f| format!("mid-processing {}", f.offset));
        self.on_crash_consumer(c, t, out, note);
    }

    pub(crate) fn on_restart_consumer(&mut self, c: usize, t: u64, out: &mut Out) {
        if self.consumers[c].alive {
            self.on_crash_consumer(c, t, out, Some("restart".into()));
        }
        self.start_consumer(c, t);
        let name = self.consumers[c].cfg.name.clone();
        match self.static_member_of(c) {
            Some(member) => {
                self.readopt_static(c, member, "restart", t, out);
                self.wake(c, t);
            }
            _ => {
                // The old member id lingers until its session expires.
                self.consumers[c].member = None;
                out.step(t, &name, KafkaAction::Restart, "restart".into());
                self.join_member(c, t, out);
            }
        }
        self.after_start(c, t);
    }

    pub(crate) fn on_hang(&mut self, c: usize, for_ms: u64, t: u64, out: &mut Out) {
        let cs = &mut self.consumers[c];
        let name = cs.cfg.name.clone();
        if !cs.alive {
            out.step(t, &name, KafkaAction::Hang, "hang (not running)".into());
            return;
        }
        let until = cs.hung_until.unwrap_or(t).max(t.saturating_add(for_ms));
        cs.hung_until = Some(until);
        self.queue.push(
            until,
            Ev::HangEnd {
                c,
                inc: cs.incarnation,
            },
        );
        out.story(
            t,
            &name,
            KafkaAction::Hang,
            format!("hang until {until}"),
            "processing stops but the heartbeat thread goes on: only max.poll.interval.ms can notice".into(),
        );
    }

    pub(crate) fn on_hang_end(&mut self, c: usize, inc: u64, t: u64, out: &mut Out) {
        let cs = &mut self.consumers[c];
        if !cs.alive || cs.incarnation != inc || cs.hung_until.is_none_or(|u| u > t) {
            return;
        }
        cs.hung_until = None;
        let name = cs.cfg.name.clone();
        out.step(t, &name, KafkaAction::Resume, "resume".into());
        // Blocked in poll during a rebalance: it can rejoin now.
        self.wake(c, t);
    }

    pub(crate) fn on_close_consumer(&mut self, c: usize, t: u64, out: &mut Out) {
        let name = self.consumers[c].cfg.name.clone();
        if !self.consumers[c].alive {
            out.step(t, &name, KafkaAction::Close, "close (not running)".into());
            return;
        }
        if self.consumers[c].is_auto_commit() {
            let cs = &self.consumers[c];
            let offsets: Vec<(u32, u64)> = cs.positions.iter().map(|(p, o)| (*p, *o)).collect();
            self.commit(c, &offsets, "commitSync", " [auto, close]", t, out);
        }
        let cs = &mut self.consumers[c];
        cs.alive = false;
        cs.incarnation += 1;
        cs.queue.clear();
        cs.current = None;
        cs.waiting = false;
        let g = cs.group;
        if let Some(member) = cs.member
            && cs.cfg.static_member
        {
            self.close_static(c, member, t, out);
        } else if let Some(member) = cs.member {
            let why = format!("{name} closed cleanly and sent LeaveGroup: rebalance now");
            self.remove_member(g, member, t, &format!("{name} left"), &why, out);
        }
    }
}
