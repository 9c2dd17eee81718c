//! Actors: the clients of the simulated system, each a small state machine
//! woken by events.
//!
//! ```text
//!   Event::Actor { idx, generation, wake }
//!        │
//!        ├─ generation != actor.generation ─▶ stale (the actor crashed since): dropped
//!        ├─ now < hung_until               ─▶ postponed to hung_until
//!        └─ Kind::{Producer,Consumer,Claimer,Trimmer,Admin}::on_wake(..)
//!               sends at most one command (one step), schedules its next wake
//! ```
//!
//! A crash bumps the generation, so every wake-up the dead process had
//! scheduled (end of processing, delayed acks, block timeouts) evaporates,
//! exactly like the threads of a killed process.

pub mod admin;
pub mod argv;
pub mod bridge;
pub mod claimer;
pub mod consumer;
pub mod producer;
pub mod trimmer;
pub mod work;

use super::ctx::{Ctx, Wake};
use super::replies::Entry;
use super::rng::SimRng;
use super::trace::{Note, Who};
use crate::scenario::schema::ActorSpec;

/// The behaviour of one actor.
#[derive(Clone, Debug)]
pub enum Kind {
    /// XADD on a schedule.
    Producer(producer::Producer),
    /// XREADGROUP, process, XACK.
    Consumer(consumer::Consumer),
    /// XAUTOCLAIM / XPENDING+XCLAIM sidecar.
    Claimer(claimer::Claimer),
    /// Periodic XTRIM.
    Trimmer(trimmer::Trimmer),
    /// Scripted commands.
    Admin(admin::Admin),
    /// Redis-to-Kafka bridge.
    Bridge(bridge::Bridge),
}

/// Where an actor's process is in its life, at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorState {
    /// Running.
    Alive,
    /// Killed; a restart fault may bring it back.
    Crashed,
    /// Frozen (GC pause, stuck call) until this virtual ms.
    Hung {
        /// When it runs again.
        until_ms: u64,
    },
}

/// One actor with its lifecycle state.
#[derive(Clone, Debug)]
pub struct Actor {
    /// Name from the scenario.
    pub name: String,
    /// Bumped by crash and restart; older wake-ups are ignored.
    pub generation: u32,
    /// False after a crash until a restart.
    pub alive: bool,
    /// Frozen until this time.
    pub hung_until_ms: u64,
    /// Behaviour.
    pub kind: Kind,
}

impl Actor {
    /// Builds the actor for a spec, with its own random stream.
    pub fn new(spec: &ActorSpec, root: &SimRng, specs: &[ActorSpec]) -> Option<Actor> {
        let rng = root.fork(&format!("actor:{}", spec.name()));
        let kind = match spec {
            ActorSpec::Producer(p) => Kind::Producer(producer::Producer::new(p.clone())),
            ActorSpec::Consumer(c) => Kind::Consumer(consumer::Consumer::new(c.clone(), rng)),
            ActorSpec::Claimer(c) => Kind::Claimer(claimer::Claimer::new(c.clone(), rng, specs)),
            ActorSpec::Trimmer(t) => Kind::Trimmer(trimmer::Trimmer::new(t.clone())),
            ActorSpec::Admin(a) => Kind::Admin(admin::Admin::new(a.clone())),
            ActorSpec::Bridge(b) => Kind::Bridge(bridge::Bridge::new(b.clone())),
        };
        Some(Actor {
            name: spec.name().to_string(),
            generation: 0,
            alive: true,
            hung_until_ms: 0,
            kind,
        })
    }

    /// Time of the actor's first wake-up.
    pub fn first_wake_ms(&self) -> Option<u64> {
        match &self.kind {
            Kind::Producer(p) => Some(p.first_ms()),
            Kind::Consumer(c) => Some(c.start_at_ms()),
            Kind::Claimer(c) => Some(c.first_ms()),
            Kind::Trimmer(t) => Some(t.first_ms()),
            Kind::Admin(a) => a.first_ms(),
            Kind::Bridge(_) => Some(0),
        }
    }

    /// Runs one wake-up.
    pub fn on_wake(&mut self, idx: u32, wake: Wake, ctx: &mut Ctx) {
        let me = Me {
            idx,
            generation: self.generation,
            name: &self.name,
        };
        match &mut self.kind {
            Kind::Producer(p) => p.on_wake(&me, wake, ctx),
            Kind::Consumer(c) => c.on_wake(&me, wake, ctx),
            Kind::Claimer(c) => c.on_wake(&me, wake, ctx),
            Kind::Trimmer(t) => t.on_wake(&me, wake, ctx),
            Kind::Admin(a) => a.on_wake(&me, wake, ctx),
            Kind::Bridge(b) => b.on_wake(&me, wake, ctx),
        }
    }

    /// Kills the actor: its in-flight work is abandoned.
    pub fn crash(&mut self, ctx: &mut Ctx) {
        self.alive = false;
        self.generation += 1;
        if let Kind::Consumer(c) = &mut self.kind {
            c.crash();
        }
        if let Kind::Claimer(c) = &mut self.kind {
            c.crash();
        }
        if let Kind::Bridge(b) = &mut self.kind {
            b.crash();
        }
        let _ = ctx;
    }

    /// Starts a crashed actor again (optionally under a new consumer name).
    pub fn restart(
        &mut self,
        idx: u32,
        consumer_name: Option<&str>,
        read_history: Option<bool>,
        ctx: &mut Ctx,
    ) {
        self.alive = true;
        self.generation += 1;
        self.hung_until_ms = 0;
        if let Kind::Consumer(c) = &mut self.kind {
            c.restart(consumer_name, read_history);
        }
        if let Kind::Bridge(b) = &mut self.kind {
            b.restart();
        }
        ctx.wake(ctx.now_ms, idx, self.generation, Wake::Start);
    }

    /// Entries claimed for this actor by a claimer (`HandTo`).
    pub fn receive(&mut self, idx: u32, entries: Vec<Entry>, ctx: &mut Ctx) {
        if !self.alive {
            return;
        }
        if let Kind::Consumer(c) = &mut self.kind
            && c.receive(entries)
        {
            ctx.wake(ctx.now_ms, idx, self.generation, Wake::Next);
        }
    }

    /// The actor's state at virtual time `now_ms` (usually `Simulation::now_ms`).
    pub fn state(&self, now_ms: u64) -> ActorState {
        if !self.alive {
            ActorState::Crashed
        } else if now_ms < self.hung_until_ms {
            ActorState::Hung {
                until_ms: self.hung_until_ms,
            }
        } else {
            ActorState::Alive
        }
    }

    /// The consumer's state, when this actor is a consumer.
    pub fn as_consumer(&self) -> Option<&consumer::Consumer> {
        match &self.kind {
            Kind::Consumer(c) => Some(c),
            _ => None,
        }
    }

    /// The blocked read this actor waits on, if any.
    pub fn parked_keys(&self) -> Option<&[Vec<u8>]> {
        match &self.kind {
            Kind::Consumer(c) if self.alive => c.parked_keys(),
            _ => None,
        }
    }

    /// Marks a retry as scheduled; false if one already is.
    pub fn claim_retry(&mut self) -> bool {
        match &mut self.kind {
            Kind::Consumer(c) => c.claim_retry(),
            _ => false,
        }
    }

    /// The consumer-group name this actor reads or claims as.
    pub fn consumer_name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Consumer(c) => Some(c.consumer_name()),
            Kind::Claimer(c) => Some(c.consumer_name()),
            Kind::Bridge(b) => Some(b.consumer_name()),
            _ => None,
        }
    }
}

/// Identity of the running actor, passed to its handlers.
pub struct Me<'a> {
    /// Declaration index.
    pub idx: u32,
    /// Current generation.
    pub generation: u32,
    /// Actor name.
    pub name: &'a str,
}

impl Me<'_> {
    /// `Who` for trace records.
    pub fn who(&self) -> Who {
        Who::Actor(self.idx)
    }

    /// Schedules this actor's next wake-up.
    pub fn wake(&self, ctx: &mut Ctx, at_ms: u64, wake: Wake) {
        ctx.wake(at_ms, self.idx, self.generation, wake);
    }

    /// Records a step without a command.
    pub fn note(&self, ctx: &mut Ctx, note: Note) {
        ctx.note(self.who(), note);
    }
}

/// Splits `"a b c"` into an argv of byte strings (no quoting needed here).
pub fn argv_of(parts: &[&str]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}
