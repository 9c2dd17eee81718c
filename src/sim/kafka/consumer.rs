//! Consumers: the poll loop, processing, and the four commit policies.
//!
//! ```text
//!   synchronous loop (AfterBatch, BeforeProcessing, PerRecord, AutoCommit/Sync)
//!
//!     poll ─┬─ auto-commit due? commit positions returned by EARLIER polls
//!           ├─ fetch ≤ max_poll_records below the high watermark, position += n
//!           ├─ BeforeProcessing: commitSync(position)           (at-most-once)
//!           ├─ process r1 … rn, each `processing` ms
//!           │     PerRecord: commitSync(offset + 1) after each
//!           └─ AfterBatch: commitSync(position), then poll again (at-least-once)
//!
//!   hand-off loop (AutoCommit/Async): poll(poll_interval_ms) again and again,
//!   handing records to a worker queue; the worker processes in order.
//!   Auto-commit then commits positions the worker has not reached: a
//!   crash loses the gap.
//! ```
//!
//! Why one model per policy: the committed offset is a prefix, so the only
//! question a crash asks is whether it moved before or after processing
//! (docs/design.html, "Message Delivery Semantics"). An empty synchronous
//! poll waits for data, an assignment, or the next auto-commit deadline
//! instead of spinning. A crash may be armed for the moment a consumer is
//! processing a given offset (`MidProcessing`), by default halfway through.

use super::batch_text::fmt_batch;
use super::config::{CommitPolicy, Handoff, KafkaConsumer, OffsetReset, Processing};
use super::event::Ev;
use super::{KafkaAction, KafkaWorld, Out};
use crate::sim::ledger::MsgId;
use std::collections::{BTreeMap, VecDeque};

/// A record a consumer holds: fetched, not yet processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fetched {
    pub p: u32,
    pub offset: u64,
    pub msg: MsgId,
}

/// Which record a `crash_mid_processing` trigger waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MidProcessing {
    pub partition: u32,
    pub offset: u64,
    /// Time into the processing of that record; `None` = half of it.
    pub after_ms: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct ConsumerState {
    pub cfg: KafkaConsumer,
    pub group: usize,
    pub alive: bool,
    pub incarnation: u64,
    pub member: Option<u64>,
    pub hung_until: Option<u64>,
    pub positions: BTreeMap<u32, u64>,
    pub queue: VecDeque<Fetched>,
    pub current: Option<Fetched>,
    /// Blocked inside `poll()` with nothing to return.
    pub waiting: bool,
    pub poll_token: u64,
    pub poll_seq: u64,
    pub next_auto_commit_ms: u64,
    pub triggers: Vec<MidProcessing>,
    rng: u64,
}

impl ConsumerState {
    pub(crate) fn new(cfg: KafkaConsumer, group: usize, seed: u64) -> ConsumerState {
        // FNV-1a of the name, so each consumer's stream is stable when
        // other actors are added.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in cfg.name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        ConsumerState {
            cfg,
            group,
            alive: false,
            incarnation: 0,
            member: None,
            hung_until: None,
            positions: BTreeMap::new(),
            queue: VecDeque::new(),
            current: None,
            waiting: false,
            poll_token: 0,
            poll_seq: 0,
            next_auto_commit_ms: 0,
            triggers: Vec::new(),
            rng: seed ^ h,
        }
    }

    pub(crate) fn is_hung(&self, t: u64) -> bool {
        self.hung_until.is_some_and(|u| u > t)
    }

    pub(crate) fn is_async(&self) -> bool {
        matches!(
            self.cfg.commit,
            CommitPolicy::AutoCommit {
                handoff: Handoff::Async,
                ..
            }
        )
    }

    fn processing_ms(&mut self) -> u64 {
        match self.cfg.processing {
            Processing::Fixed(ms) => ms,
            Processing::Uniform(a, b) => {
                // splitmix64 step
                self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = self.rng;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                match (b - a).checked_add(1) {
                    Some(span) => a + z % span,
                    None => z,
                }
            }
        }
    }
}

impl KafkaWorld {
    pub(crate) fn on_join(&mut self, c: usize, t: u64, out: &mut Out) {
        if self.consumers[c].alive {
            return;
        }
        self.start_consumer(c, t);
        self.join_member(c, t, out);
        self.after_start(c, t);
    }

    /// A fresh process: nothing in hand, new incarnation, timers from `t`.
    pub(crate) fn start_consumer(&mut self, c: usize, t: u64) {
        let cs = &mut self.consumers[c];
        cs.alive = true;
        cs.incarnation += 1;
        cs.hung_until = None;
        cs.queue.clear();
        cs.current = None;
        cs.positions.clear();
        cs.waiting = true;
        if let CommitPolicy::AutoCommit {
            interval_ms,
            first_due_ms,
            ..
        } = cs.cfg.commit
        {
            cs.next_auto_commit_ms = match first_due_ms {
                Some(due) if cs.incarnation == 1 => due,
                _ => t.saturating_add(interval_ms),
            };
        }
    }

    /// The hand-off loop polls on its own cadence from the start.
    pub(crate) fn after_start(&mut self, c: usize, t: u64) {
        if self.consumers[c].is_async() {
            self.schedule_poll(c, t);
        }
    }

    pub(crate) fn schedule_poll(&mut self, c: usize, at: u64) {
        let cs = &mut self.consumers[c];
        cs.poll_token += 1;
        self.queue.push(
            at,
            Ev::Poll {
                c,
                inc: cs.incarnation,
                token: cs.poll_token,
            },
        );
    }

    /// Data or an assignment arrived: a loop blocked in `poll()` returns.
    pub(crate) fn wake(&mut self, c: usize, t: u64) {
        let cs = &self.consumers[c];
        if cs.alive && cs.waiting {
            self.schedule_poll(c, t);
        }
    }

    pub(crate) fn wake_owners(&mut self, ti: usize, p: u32, t: u64) {
        for g in 0..self.groups.len() {
            if self.groups[g].topic != ti {
                continue;
            }
            if let Some(m) = self.groups[g].owners.get(&p)
                && let Some(member) = self.groups[g].members.get(m)
            {
                self.wake(member.consumer, t);
            }
        }
    }

    /// After an unclean election cut below a consumer's position.
    pub(crate) fn reset_positions_beyond(&mut self, ti: usize, p: u32, leo: u64) {
        for c in 0..self.consumers.len() {
            let g = self.consumers[c].group;
            if self.groups[g].topic != ti {
                continue;
            }
            let part = &self.topics[ti].partitions[p as usize];
            let reset = match self.groups[g].cfg.auto_offset_reset {
                OffsetReset::Earliest => part.log_start,
                OffsetReset::Latest => part.hw,
            };
            if let Some(pos) = self.consumers[c].positions.get_mut(&p)
                && *pos > leo
            {
                *pos = reset;
            }
        }
    }

    /// The positions the client believes it owns; the coordinator judges
    /// a commit of them (a consumer evicted behind its back still tries).
    fn client_positions(&self, c: usize) -> Vec<(u32, u64)> {
        self.consumers[c]
            .positions
            .iter()
            .map(|(p, o)| (*p, *o))
            .collect()
    }

    /// Positions of partitions the coordinator currently assigns to `c`.
    fn owned_positions(&self, c: usize) -> Vec<(u32, u64)> {
        let cs = &self.consumers[c];
        let gs = &self.groups[cs.group];
        cs.positions
            .iter()
            .filter(|(p, _)| cs.member.is_some() && gs.owners.get(p) == cs.member.as_ref())
            .map(|(p, o)| (*p, *o))
            .collect()
    }

    pub(crate) fn on_poll(&mut self, c: usize, inc: u64, token: u64, t: u64, out: &mut Out) {
        let cs = &self.consumers[c];
        if !cs.alive || cs.incarnation != inc || cs.poll_token != token {
            return;
        }
        if let Some(until) = cs.hung_until.filter(|u| *u > t) {
            self.queue.push(until, Ev::Poll { c, inc, token });
            return;
        }
        let g = cs.group;
        let cs = &mut self.consumers[c];
        cs.poll_seq += 1;
        let check_at = t.saturating_add(self.groups[g].cfg.max_poll_interval_ms);
        self.queue.push(
            check_at,
            Ev::MaxPollCheck {
                c,
                inc,
                poll_seq: cs.poll_seq,
            },
        );
        if cs.member.is_none() {
            if let Some(id) = self.static_member_of(c) {
                // A static member back from a poll timeout rejoins under its
                // group.instance.id and gets its old assignment (KIP-345).
                self.readopt_static(c, id, "poll() again", t, out);
            } else {
                // Left the group (max.poll.interval.ms): rejoin from this poll.
                self.consumers[c].waiting = true;
                self.join_member(c, t, out);
                if self.consumers[c].is_async() {
                    self.schedule_poll(c, t.saturating_add(self.consumers[c].cfg.poll_interval_ms));
                }
                return;
            }
        }
        let cs = &mut self.consumers[c];
        if let Some(member) = cs.member
            && self.groups[g]
                .rebalance
                .as_ref()
                .is_some_and(|rb| rb.informed.contains(&member))
        {
            // The rebalance runs inside poll(): rejoin, then block until assigned.
            cs.waiting = true;
            self.rejoin(g, member, t, out);
            self.check_rejoined(g, t);
            return;
        }
        let cs = &mut self.consumers[c];
        if let CommitPolicy::AutoCommit { interval_ms, .. } = cs.cfg.commit
            && t >= cs.next_auto_commit_ms
        {
            cs.next_auto_commit_ms = t.saturating_add(interval_ms);
            let offsets = self.client_positions(c);
            self.commit(c, &offsets, "commitAsync", " [auto]", t, out);
        }
        let batch = self.fetch(c, t, out);
        let cs = &mut self.consumers[c];
        if cs.is_async() {
            // poll(timeout) returns at once with data, else after the timeout.
            let next = if batch.is_empty() {
                t.saturating_add(cs.cfg.poll_interval_ms.max(1))
            } else {
                t
            };
            cs.waiting = batch.is_empty();
            cs.queue.extend(batch);
            if cs.current.is_none() {
                self.start_next(c, t, out);
            }
            self.schedule_poll(c, next);
            return;
        }
        if batch.is_empty() {
            cs.waiting = true;
            if let CommitPolicy::AutoCommit { .. } = cs.cfg.commit {
                let due = cs.next_auto_commit_ms;
                self.schedule_poll(c, due);
            }
            return;
        }
        cs.waiting = false;
        cs.queue.extend(batch);
        if cs.cfg.commit == CommitPolicy::BeforeProcessing {
            let offsets = self.client_positions(c);
            self.commit(c, &offsets, "commitSync", "", t, out);
        }
        self.start_next(c, t, out);
    }

    /// Takes up to `max_poll_records` readable records from owned partitions.
    fn fetch(&mut self, c: usize, t: u64, out: &mut Out) -> Vec<Fetched> {
        let g = self.consumers[c].group;
        let ti = self.groups[g].topic;
        let mut room = self.consumers[c].cfg.max_poll_records as usize;
        let mut batch = Vec::new();
        for (p, pos) in self.owned_positions(c) {
            let from = if pos < self.topics[ti].partitions[p as usize].log_start {
                self.out_of_range(c, p, pos, t, out)
            } else {
                pos
            };
            let part = &self.topics[ti].partitions[p as usize];
            let got = part.readable(from, room);
            let end = got.last().map_or(from, |r| r.0 + 1);
            room -= got.len();
            let lag = part.hw.saturating_sub(end);
            batch.extend(
                got.into_iter()
                    .map(|(offset, msg)| Fetched { p, offset, msg }),
            );
            self.consumers[c].positions.insert(p, end);
            if lag > self.groups[g].max_lag.0 {
                self.groups[g].max_lag = (lag, t);
            }
        }
        if !batch.is_empty() {
            let name = self.consumers[c].cfg.name.clone();
            for f in &batch {
                out.ledger.delivered(f.msg, &name, t);
            }
            let parts = self.topics[ti].partitions.len();
            out.step(
                t,
                &name,
                KafkaAction::Poll,
                format!("poll -> {}", fmt_batch(parts, &batch)),
            );
        }
        batch
    }

    pub(crate) fn start_next(&mut self, c: usize, t: u64, out: &mut Out) {
        let Some(f) = self.consumers[c].queue.pop_front() else {
            self.consumers[c].current = None;
            if !self.consumers[c].is_async() {
                if self.consumers[c].cfg.commit == CommitPolicy::AfterBatch {
                    let offsets = self.client_positions(c);
                    self.commit(c, &offsets, "commitSync", "", t, out);
                }
                self.schedule_poll(c, t);
            }
            return;
        };
        let cs = &mut self.consumers[c];
        cs.current = Some(f);
        let dur = cs.processing_ms();
        let (inc, name) = (cs.incarnation, cs.cfg.name.clone());
        out.ledger.processing_started(f.msg, &name, t);
        out.step(
            t,
            &name,
            KafkaAction::Process,
            format!("process {}", f.offset),
        );
        if let Some(i) = cs
            .triggers
            .iter()
            .position(|m| m.partition == f.p && m.offset == f.offset)
        {
            let trig = cs.triggers.remove(i);
            let delay = trig.after_ms.unwrap_or(dur / 2).min(dur);
            self.queue
                .push(t.saturating_add(delay), Ev::CrashMid { c, inc });
        }
        self.queue.push(t.saturating_add(dur), Ev::Done { c, inc });
    }

    pub(crate) fn on_done(&mut self, c: usize, inc: u64, t: u64, out: &mut Out) {
        let cs = &mut self.consumers[c];
        if !cs.alive || cs.incarnation != inc {
            return;
        }
        if let Some(until) = cs.hung_until.filter(|u| *u > t) {
            self.queue.push(until, Ev::Done { c, inc });
            return;
        }
        let Some(f) = cs.current.take() else {
            return;
        };
        if cs.cfg.poison.contains(&f.offset) {
            self.on_failed_record(c, f, t, out);
            return;
        }
        let cs = &mut self.consumers[c];
        let name = cs.cfg.name.clone();
        out.ledger.completed(f.msg, &name, t);
        out.step(t, &name, KafkaAction::Done, format!("done {}", f.offset));
        if cs.cfg.commit == CommitPolicy::PerRecord {
            self.commit(c, &[(f.p, f.offset + 1)], "commitSync", "", t, out);
        }
        self.start_next(c, t, out);
    }

    pub(crate) fn on_max_poll(&mut self, c: usize, inc: u64, poll_seq: u64, t: u64, out: &mut Out) {
        let cs = &self.consumers[c];
        if !cs.alive || cs.incarnation != inc || cs.poll_seq != poll_seq || cs.waiting {
            return;
        }
        let Some(member) = cs.member else {
            return;
        };
        let g = cs.group;
        if cs.cfg.static_member {
            self.poll_timeout_static(c, member, t, out);
            return;
        }
        let why = format!(
            "{} did not call poll() for {} ms: it leaves the group although it is alive",
            cs.cfg.name, self.groups[g].cfg.max_poll_interval_ms
        );
        let action = format!("max.poll.interval.ms exceeded: {} leaves", cs.cfg.name);
        self.remove_member(g, member, t, &action, &why, out);
    }
}
