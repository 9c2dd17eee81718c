//! What every actor can touch during one event: time, the queue, Redis, the
//! ledgers, the trace and a few counters.
//!
//! ```text
//!   Simulation ─┬─ actors: Vec<Actor>      (the one being run is borrowed separately)
//!               └─ ctx: Ctx ─┬─ now_ms, queue
//!                            ├─ redis (primary + persistence), replication
//!                            ├─ ledger_redis, ledger_kafka
//!                            ├─ trace (one record per step)
//!                            ├─ counters ("claim.reaper.claimed" ...)
//!                            └─ outboxes: signaled keys, hand-offs, fault triggers
//! ```
//!
//! Actors never reach each other directly: a hand-off or a wake-up goes
//! through an outbox that the simulation drains after the event, which
//! keeps every effect of an event inside that event's step.

use super::ledger::Ledger;
use super::queue::{EventClass, EventQueue};
use super::redis::RedisNode;
use super::replicas::Replication;
use super::replies::Entry;
use super::trace::{Note, Trace, Who};
use crate::engine::{Argv, Executed, Reply, Session};
use std::collections::BTreeMap;

/// Why an actor is woken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Start (or restart) the actor's loop.
    Start,
    /// Periodic tick (producer send, claimer, trimmer, admin command).
    Tick,
    /// Take the next piece of work or read again.
    Next,
    /// Current entry's processing time is over.
    ProcessDone,
    /// A blocked read's key was signalled: run the read again.
    Retry,
    /// A blocked read timed out.
    Timeout,
    /// Acknowledge these IDs now.
    Ack(Vec<String>),
}

/// One scheduled thing.
#[derive(Clone, Debug)]
pub enum Event {
    /// The next setup command.
    Setup,
    /// An actor wake-up; `gen` must match the actor's generation.
    Actor {
        /// Actor index.
        idx: u32,
        /// Generation at scheduling time (a crash bumps it).
        generation: u32,
        /// Why.
        wake: Wake,
    },
    /// Fault number `n` of the scenario.
    Fault(u32),
    /// Server timer.
    Server(ServerTimer),
    /// Probe number `n`.
    Probe(u32),
    /// Evaluate expectations due at this time.
    Check(u64),
    /// Caption number `n`.
    Caption(u32),
}

/// Redis-internal timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerTimer {
    /// appendfsync everysec tick.
    FsyncTick,
    /// OS writeback under appendfsync no.
    OsFlush,
    /// serverCron RDB save-point check.
    SaveCron,
    /// Replica `n` applies what has arrived.
    ReplicaApply(u32),
    /// Replica `n` draws a new lag.
    ReplicaResample(u32),
    /// Sentinel's down-after check of an unreachable primary.
    SentinelCheck,
    /// Sentinel promotes the best replica.
    Promote,
    /// The partition heals.
    Heal,
    /// Sentinel's INFO shows a reconfigured replica synced (reconf.rs).
    ReconfDone,
}

/// Number of [`Tally`] kinds.
pub const TALLIES: usize = 7;

/// Counters every actor may bump on its hot path; read by metrics as
/// `actor.<name>.attempts|completed|failed`, `xack.<name>.zero_replies`,
/// `producer.<name>.acked|rejected|in_doubt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    /// Processing attempts started.
    Attempts,
    /// Processing finished successfully.
    Completed,
    /// Processing failed (poison).
    Failed,
    /// Acknowledged IDs that were not pending (XACK replied less).
    ZeroAcks,
    /// Producer sends acknowledged.
    Acked,
    /// Producer sends refused.
    Rejected,
    /// Producer sends whose WAIT did not confirm.
    InDoubt,
}

impl Tally {
    /// The tally named by a metric's family and field.
    pub fn from_metric(family: &str, field: &str) -> Option<Tally> {
        Some(match (family, field) {
            ("actor", "attempts") => Tally::Attempts,
            ("actor", "completed") => Tally::Completed,
            ("actor", "failed") => Tally::Failed,
            ("xack", "zero_replies") => Tally::ZeroAcks,
            ("producer", "acked") => Tally::Acked,
            ("producer", "rejected") => Tally::Rejected,
            ("producer", "in_doubt") => Tally::InDoubt,
            _ => return None,
        })
    }
}

/// The shared state of a run.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Virtual ms.
    pub now_ms: u64,
    /// Unix ms of virtual 0.
    pub start_unix_ms: u64,
    /// Pending events.
    pub queue: EventQueue<Event>,
    /// The primary.
    pub redis: RedisNode,
    /// Replicas and failover state.
    pub replication: Replication,
    /// Per-message outcomes on the Redis side.
    pub ledger_redis: Ledger,
    /// Per-message outcomes on the Kafka side.
    pub ledger_kafka: Ledger,
    /// The record of the run.
    pub trace: Trace,
    /// Named counters (`claim.<actor>.claimed`, `xack.<actor>.zero_replies`...).
    pub counters: BTreeMap<String, i64>,
    /// Per-actor hot-path counters, indexed by actor then [`Tally`].
    pub tallies: Vec<[i64; TALLIES]>,
    /// Last text values (`claim.<actor>.cursor`).
    pub texts: BTreeMap<String, String>,
    /// Keys signalled during this event.
    pub signaled: Vec<Vec<u8>>,
    /// Entries handed to another actor during this event.
    pub handoffs: Vec<(u32, Vec<Entry>)>,
    /// `(actor, stream id, fault index)` triggers not fired yet.
    pub mid_triggers: Vec<(u32, String, u32)>,
    /// `(bridge, read_at_ms, fault index)`: fire after the Kafka ack of a
    /// batch read at or after `read_at_ms`.
    pub ack_triggers: Vec<(u32, u64, u32)>,
    /// The next message number a producer assigns.
    pub next_msg: u64,
    /// The Kafka model, when the scenario has one.
    pub kafka: Option<super::kafka::KafkaWorld>,
    /// Cluster topology: commands are checked for CROSSSLOT.
    pub cluster: bool,
    /// Bumped whenever the primary changes or restarts.
    pub redis_epoch: u64,
    /// Error replies by their first word.
    pub errors: BTreeMap<String, i64>,
    /// True once the current event recorded its step.
    pub stepped: bool,
}

impl Ctx {
    /// Unix ms of now (what the engine is told).
    pub fn unix_ms(&self) -> u64 {
        self.start_unix_ms + self.now_ms
    }

    /// Sends one command to the primary and records the step. The argv is
    /// borrowed: a parked reader retries the same one many times, and the
    /// trace copies it only when it keeps records.
    pub fn exec(
        &mut self,
        who: Who,
        session: &mut Session,
        argv: &[Vec<u8>],
        note: Note,
    ) -> Executed {
        self.exec_if(who, session, argv, note, |_| true)
    }

    /// Like [`Ctx::exec`], but the step is recorded only when `visible`
    /// says so: a blocked client's retry that finds nothing stays blocked
    /// and gets no reply in Redis, so it is no step either. Such a retry
    /// has no effects (the engine reports none for an empty `>` read).
    pub fn exec_if(
        &mut self,
        who: Who,
        session: &mut Session,
        argv: &[Vec<u8>],
        note: Note,
        visible: impl Fn(&Executed) -> bool,
    ) -> Executed {
        debug_assert!(!self.stepped, "one command per event");
        let unix_ms = self.unix_ms();
        let mut ex = self.route(session, argv, unix_ms);
        if let Reply::Error(e) = &ex.reply {
            let word = e.split(' ').next().unwrap_or("ERR").to_string();
            *self.errors.entry(word).or_insert(0) += 1;
        }
        // Moved, not copied: nobody reads them from the result.
        self.signaled.append(&mut ex.signaled_keys);
        let note = match note {
            Note::Plain => super::describe::describe(argv, &ex),
            given => given,
        };
        if visible(&ex) {
            self.trace
                .record(self.now_ms, who, Some(argv), Some(&ex.reply), note);
            self.stepped = true;
        } else {
            debug_assert!(
                ex.effects.is_empty(),
                "an invisible retry changed the dataset"
            );
        }
        // The effects go to the replicas (and their backlog) by value: the
        // last holder takes the command itself instead of a copy.
        if !ex.effects.is_empty() {
            let effects = std::mem::take(&mut ex.effects);
            self.replication.ship(effects, self.now_ms, &mut self.queue);
        }
        ex
    }

    fn route(&mut self, session: &mut Session, argv: &[Vec<u8>], unix_ms: u64) -> Executed {
        if self.cluster
            && let Some(e) = super::cluster::check(argv, session)
        {
            return Executed::reply(Reply::err(e));
        }
        if let Some(refusal) = self.replication.refuse_write(argv, self.now_ms) {
            return Executed::reply(Reply::err(refusal));
        }
        if argv
            .first()
            .is_some_and(|c| c.eq_ignore_ascii_case(b"WAIT"))
        {
            // A WAIT outside a producer (admin, probe) has no writes of its
            // own to wait for: it answers with how many replicas have
            // everything so far, without blocking.
            let n = super::wait::acked(&self.replication, self.replication.offset);
            return Executed::reply(Reply::Integer(n as i64));
        }
        let replicated = !self.replication.replicas.is_empty();
        self.redis.execute(session, argv, unix_ms, replicated)
    }

    /// A producer's `WAIT numreplicas timeout` for its own writes: answered
    /// now, or blocked (wait.rs). The step shows the reply when there is
    /// one; a blocked WAIT gets its reply later, as a note of the producer.
    pub fn wait(&mut self, who: Who, argv: Argv, waiter: super::wait::Waiter) -> Option<i64> {
        debug_assert!(!self.stepped, "one command per event");
        if !self.redis.up {
            let reply = Reply::err(super::redis::DOWN_ERROR);
            *self.errors.entry("ERR".into()).or_insert(0) += 1;
            self.trace
                .record(self.now_ms, who, Some(&argv), Some(&reply), Note::Plain);
            self.stepped = true;
            return Some(-1);
        }
        let (want, woff) = (waiter.want, waiter.woff);
        let out = match super::wait::call(&mut self.replication, waiter) {
            super::wait::WaitCall::Now(n) => {
                let reply = Reply::Integer(n as i64);
                let note = super::describe::describe(&argv, &Executed::reply(reply.clone()));
                self.trace
                    .record(self.now_ms, who, Some(&argv), Some(&reply), note);
                Some(n as i64)
            }
            super::wait::WaitCall::Blocked => {
                let text = format!("blocks until {want} replica(s) reach offset {woff}");
                self.trace
                    .record(self.now_ms, who, Some(&argv), None, Note::Text(text));
                None
            }
        };
        self.stepped = true;
        out
    }

    /// Records a step without a command.
    pub fn note(&mut self, who: Who, note: Note) {
        debug_assert!(!self.stepped, "one step per event");
        self.trace.record(self.now_ms, who, None, None, note);
        self.stepped = true;
    }

    /// Schedules an actor wake-up.
    pub fn wake(&mut self, at_ms: u64, idx: u32, generation: u32, wake: Wake) {
        self.queue.push(
            at_ms,
            EventClass::Actor,
            idx,
            Event::Actor {
                idx,
                generation,
                wake,
            },
        );
    }

    /// Adds to a named counter.
    pub fn count(&mut self, key: &str, by: i64) {
        match self.counters.get_mut(key) {
            Some(v) => *v += by,
            None => {
                self.counters.insert(key.to_string(), by);
            }
        }
    }

    /// Adds to one of an actor's hot-path counters (no string keys).
    pub fn tally(&mut self, actor: u32, which: Tally, by: i64) {
        let i = actor as usize;
        if self.tallies.len() <= i {
            self.tallies.resize(i + 1, [0; TALLIES]);
        }
        self.tallies[i][which as usize] += by;
    }

    /// Reads an actor's counter.
    pub fn tallied(&self, actor: usize, which: Tally) -> i64 {
        self.tallies.get(actor).map_or(0, |t| t[which as usize])
    }

    /// Reads a named counter (0 if never touched).
    pub fn counter(&self, key: &str) -> i64 {
        self.counters.get(key).copied().unwrap_or(0)
    }
}
