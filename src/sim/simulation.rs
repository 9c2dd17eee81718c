//! The simulation loop: pop the next event, run it, record one step.
//!
//! ```text
//!   new(scenario) ── queue: Setup(t=0), faults, actor starts, probes, checks, timers
//!        │
//!   step() ─┬─ a queued Kafka step? ──▶ record it (exactly one StepRecord)
//!           ├─ Kafka model due first? ──▶ run its millisecond, queue its steps
//!           └─ pop (time, class, lane, seq) ──▶ dispatch ──▶ 0 or 1 StepRecord
//!                  Setup │ Actor │ Fault │ Server │ Probe │ Check │ Caption
//!              after: hand-offs delivered, blocked readers on signalled keys
//!                     retried, engine invariants checked (debug builds)
//!   run()  ── step() until the queue is empty or time passes duration_ms
//! ```
//!
//! A step is one command (or one notable event without a command). Events
//! that change nothing a reader can see (a stale wake-up of a crashed actor)
//! are not steps.

use super::actors::Actor;
use super::ctx::{Ctx, Event, Wake};
use super::error::SimError;
use super::kafka::KafkaStep;
use super::ledger::Ledger;
use super::queue::{EventClass, EventQueue};
use super::redis::RedisNode;
use super::replicas::Replication;
use super::rng::SimRng;
use super::trace::{Note, Trace, Who};
use super::{expect, faults, metrics};
use crate::engine::{Argv, Session};
use crate::scenario::Scenario;
use crate::scenario::schema::{At, When};
use crate::scenario::split_command;
use std::collections::VecDeque;
use std::sync::Arc;

/// Options of a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Stops earlier than the scenario's duration.
    pub until_ms: Option<u64>,
    /// Keeps every step record (needed to print or compare traces).
    pub keep_trace: bool,
    /// Debug/test builds: check the engine's invariants after every step
    /// (`Some(1)`), every n-th step (`Some(n)`), never (`Some(0)`), or by
    /// the default budget (`None`: every step for the first 1 000 steps,
    /// then every 1 000th; the checker walks every entry).
    pub invariant_every: Option<u64>,
}

/// One running scenario.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// The scenario being run.
    pub scenario: Arc<Scenario>,
    /// The actors, in declaration order.
    pub actors: Vec<Actor>,
    /// Shared state.
    pub ctx: Ctx,
    names: Vec<String>,
    /// Setup commands, shared between checkpoint copies (a preload can be
    /// a million XADDs): the run only moves `setup_next` along them.
    setup: Arc<[Argv]>,
    setup_next: usize,
    setup_session: Session,
    probe_session: Session,
    seed: u64,
    end_ms: u64,
    /// Results of expectations evaluated so far, by index.
    pub results: Vec<Option<expect::Checked>>,
    /// Replies of probes, by index (compact text).
    pub probe_replies: Vec<Option<String>>,
    /// Keys whose XLEN extremes are tracked after every step.
    tracked_lengths: Vec<String>,
    /// Invariant-check cadence (see [`RunOptions::invariant_every`]).
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    invariant_every: Option<u64>,
    /// Events popped from the queue so far (steps are the visible subset).
    pub events: u64,
    /// Step count at the last deliverability scan.
    deliverability_step: Option<u64>,
    /// Messages in the primary's log just before a crash or partition.
    pub crash_snapshot: Option<std::collections::BTreeSet<u64>>,
    /// Kafka steps of a millisecond the model already ran, not yet recorded.
    kafka_backlog: VecDeque<KafkaStep>,
    /// The Kafka step the last step recorded, if it was one.
    last_kafka: Option<KafkaStep>,
    finished: bool,
    /// Index of the scenario's next action (a fork's faults and commands).
    pub(super) actions_next: usize,
    /// The console's client (its MULTI state lasts between commands).
    pub(super) console_session: Session,
}

impl Simulation {
    /// Prepares a run of `scenario`.
    /// A run of a scenario that `scenario::parse_scenario` accepted.
    ///
    /// # Panics
    /// If the scenario's Kafka section does not build, which the loader
    /// rules out; scenarios built in code should use [`Simulation::try_new`].
    pub fn new(scenario: Arc<Scenario>, opts: RunOptions) -> Simulation {
        match Simulation::try_new(scenario, opts) {
            Ok(sim) => sim,
            Err(e) => panic!("Simulation::new on a scenario the loader would refuse: {e}"),
        }
    }

    /// A run of `scenario`, or why it cannot run.
    pub fn try_new(scenario: Arc<Scenario>, opts: RunOptions) -> Result<Simulation, SimError> {
        let kafka = super::kafka_link::build(&scenario, opts.seed.unwrap_or(scenario.meta.seed))
            .map_err(SimError::Kafka)?;
        let seed = opts.seed.unwrap_or(scenario.meta.seed);
        let root = SimRng::from_seed(seed);
        let end_ms = opts.until_ms.map_or(scenario.meta.duration_ms, |u| {
            u.min(scenario.meta.duration_ms)
        });
        let start = scenario.meta.start_unix_ms;
        let config: Vec<Argv> = scenario
            .redis
            .config
            .iter()
            .map(|(k, v)| {
                vec![
                    b"CONFIG".to_vec(),
                    b"SET".to_vec(),
                    k.clone().into_bytes(),
                    v.clone().into_bytes(),
                ]
            })
            .collect();
        let (setup, preloaded) = super::setup::setup_commands(&scenario, &config);
        let first_msg = preloaded.iter().max().map_or(1, |m| m + 1);
        let mut queue = EventQueue::new();
        let replication = Replication::new(
            &scenario.redis.replicas,
            scenario.redis.min_replicas.clone(),
            scenario.redis.sentinel.clone(),
            &root,
            start,
            scenario.redis.repl_backlog_bytes,
        );
        replication.initial_timers(&mut queue);
        let mut replication = replication;
        replication.primary_persistence = scenario.redis.persistence.clone();
        replication.full_sync_ms = scenario.redis.full_sync_ms;
        let mut ctx = Ctx {
            now_ms: 0,
            start_unix_ms: start,
            queue,
            redis: RedisNode::new(scenario.redis.persistence.clone(), config, start),
            replication,
            ledger_redis: Ledger::new("redis"),
            ledger_kafka: Ledger::new("kafka"),
            trace: Trace::new(opts.keep_trace),
            counters: Default::default(),
            texts: Default::default(),
            tallies: Vec::new(),
            signaled: Vec::new(),
            handoffs: Vec::new(),
            mid_triggers: Vec::new(),
            ack_triggers: Vec::new(),
            next_msg: first_msg,
            kafka,
            cluster: matches!(
                scenario.redis.topology,
                crate::scenario::schema::Topology::Cluster(_)
            ),
            redis_epoch: 0,
            errors: Default::default(),
            stepped: false,
        };
        if !setup.is_empty() {
            ctx.queue.push(0, EventClass::Fault, 0, Event::Setup);
        }
        // Preloaded entries count as produced and acknowledged before t=0.
        for m in preloaded {
            ctx.ledger_redis.produced_acked(m, 0);
        }
        let actors: Vec<Actor> = scenario
            .actors
            .iter()
            .filter_map(|a| Actor::new(a, &root, &scenario.actors))
            .collect();
        let mut names = actors.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        if let Some(k) = &scenario.kafka {
            names.extend(super::kafka_link::kafka_names(k));
        }
        for (i, a) in actors.iter().enumerate() {
            if let Some(t) = a.first_wake_ms() {
                ctx.wake(t, i as u32, 0, Wake::Start);
            }
        }
        for (i, f) in scenario.faults.iter().enumerate() {
            match &f.when {
                When::At(t) => {
                    ctx.queue
                        .push(*t, EventClass::Fault, 1, Event::Fault(i as u32));
                }
                When::MidProcessing { actor, id } => {
                    if let Some(a) = actors.iter().position(|n| &n.name == actor) {
                        ctx.mid_triggers.push((a as u32, id.clone(), i as u32));
                    }
                }
                When::AfterKafkaAck { actor, read_at_ms } => {
                    if let Some(a) = actors.iter().position(|n| &n.name == actor) {
                        ctx.ack_triggers.push((a as u32, *read_at_ms, i as u32));
                    }
                }
            }
        }
        super::setup::schedule_timers(&scenario, &mut ctx);
        super::setup::mark_consumerless_sides(&scenario, &mut ctx);
        for (i, p) in scenario.probes.iter().enumerate() {
            ctx.queue
                .push(p.at_ms, EventClass::Actor, u32::MAX, Event::Probe(i as u32));
        }
        for (i, c) in scenario.captions.iter().enumerate() {
            // Lane 2: after the setup commands (lane 0) and faults (lane 1)
            // of the same millisecond, before any server timer or actor.
            ctx.queue
                .push(c.at_ms, EventClass::Fault, 2, Event::Caption(i as u32));
        }
        let mut check_times: Vec<u64> = scenario
            .expect
            .iter()
            .filter_map(|e| match e.at {
                At::At(t) => Some(t),
                At::End => None,
            })
            .collect();
        check_times.sort_unstable();
        check_times.dedup();
        for t in check_times {
            ctx.queue
                .push(t, EventClass::Actor, u32::MAX, Event::Check(t));
        }
        let tracked_lengths = metrics::tracked_lengths(&scenario.expect);
        Ok(Simulation {
            results: vec![None; scenario.expect.len()],
            probe_replies: vec![None; scenario.probes.len()],
            scenario,
            actors,
            ctx,
            names,
            setup: Vec::from(setup).into(),
            setup_next: 0,
            setup_session: Session::default(),
            probe_session: Session::default(),
            seed,
            end_ms,
            tracked_lengths,
            crash_snapshot: None,
            deliverability_step: None,
            events: 0,
            invariant_every: opts.invariant_every,
            kafka_backlog: VecDeque::new(),
            last_kafka: None,
            finished: false,
            actions_next: 0,
            console_session: Session::default(),
        })
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Actor names by index (for formatting trace records).
    pub fn actor_names(&self) -> &[String] {
        &self.names
    }

    /// Virtual time now.
    pub fn now_ms(&self) -> u64 {
        self.ctx.now_ms
    }

    /// Steps recorded so far.
    pub fn steps(&self) -> u64 {
        self.ctx.trace.steps()
    }

    /// The last time the run can reach.
    pub fn end_ms(&self) -> u64 {
        self.end_ms
    }

    /// True once nothing is left to do.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Runs events until one records a step; false when the run is over.
    pub fn step(&mut self) -> bool {
        if let Some(action) = self.due_action() {
            self.run_action(&action);
            return true;
        }
        while !self.finished {
            // A Kafka millisecond that already ran hands out its steps one
            // per call, before anything else (they came first in time).
            if let Some(ks) = self.kafka_backlog.pop_front() {
                super::kafka_link::record(&mut self.ctx, &ks, &self.names);
                self.last_kafka = Some(ks);
                return true;
            }
            let next_ms = self.ctx.queue.peek_key().map(|k| k.time_ms);
            let kafka_ms = self.ctx.kafka.as_ref().and_then(|k| k.next_event_ms());
            if let Some(tk) = kafka_ms
                && tk <= self.end_ms
                && next_ms.is_none_or(|t| tk <= t)
            {
                super::kafka_link::run_due(&mut self.ctx, tk, &mut self.kafka_backlog);
                continue;
            }
            let Some(key) = self.ctx.queue.peek_key() else {
                self.finish();
                break;
            };
            if key.time_ms > self.end_ms {
                self.finish();
                break;
            }
            let Some((key, event)) = self.ctx.queue.pop() else {
                break;
            };
            self.events += 1;
            self.ctx.now_ms = key.time_ms;
            self.ctx.stepped = false;
            self.dispatch(event);
            self.after_event();
            if self.ctx.stepped {
                self.last_kafka = None;
                return true;
            }
        }
        false
    }

    /// The Kafka action behind the last step, when the last step was one
    /// (its kind, actor and text; the trace keeps only the text).
    pub fn last_kafka_step(&self) -> Option<&KafkaStep> {
        self.last_kafka.as_ref()
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        while self.step() {}
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Setup => {
                if let Some(argv) = self.setup.get(self.setup_next) {
                    self.setup_next += 1;
                    self.ctx
                        .exec(Who::Setup, &mut self.setup_session, argv, Note::Plain);
                }
                if self.setup_next < self.setup.len() {
                    self.ctx.queue.push(0, EventClass::Fault, 0, Event::Setup);
                }
            }
            Event::Actor {
                idx,
                generation,
                wake,
            } => {
                let Some(a) = self.actors.get_mut(idx as usize) else {
                    return;
                };
                if a.generation != generation || !a.alive {
                    return;
                }
                if self.ctx.now_ms < a.hung_until_ms {
                    let at = a.hung_until_ms;
                    self.ctx.wake(at, idx, generation, wake);
                    return;
                }
                a.on_wake(idx, wake, &mut self.ctx);
            }
            Event::Fault(i) => faults::apply(self, i as usize),
            Event::Server(t) => super::setup::server_timer(self, t),
            Event::Probe(i) => {
                let Some(p) = self.scenario.probes.get(i as usize) else {
                    return;
                };
                let Ok(argv) = split_command(&p.command) else {
                    return;
                };
                let ex = self
                    .ctx
                    .exec(Who::Probe, &mut self.probe_session, &argv, Note::Plain);
                self.probe_replies[i as usize] = Some(super::trace::compact_reply(&ex.reply));
            }
            Event::Check(t) => expect::evaluate(self, At::At(t)),
            Event::Caption(i) => {
                if let Some(c) = self.scenario.captions.get(i as usize) {
                    let text = c.text.clone();
                    self.ctx.note(Who::Narrator, Note::Text(text));
                }
            }
        }
    }

    /// What follows an action: the same as after an event.
    pub(super) fn after_action(&mut self) {
        self.after_event();
    }

    fn after_event(&mut self) {
        let now = self.ctx.now_ms;
        for (target, entries) in std::mem::take(&mut self.ctx.handoffs) {
            if let Some(a) = self.actors.get_mut(target as usize) {
                a.receive(target, entries, &mut self.ctx);
            }
        }
        if !self.ctx.signaled.is_empty() {
            let keys = std::mem::take(&mut self.ctx.signaled);
            for (i, a) in self.actors.iter_mut().enumerate() {
                let hit = a
                    .parked_keys()
                    .is_some_and(|pk| pk.iter().any(|k| keys.contains(k)));
                if hit && a.claim_retry() {
                    let g = a.generation;
                    self.ctx.wake(now, i as u32, g, Wake::Retry);
                }
            }
        }
        if self.ctx.stepped && !self.tracked_lengths.is_empty() {
            metrics::track_lengths(self);
        }
        #[cfg(debug_assertions)]
        if self.ctx.stepped {
            self.check_invariants();
        }
    }

    /// Debug and test builds: the engine's structural invariants after a
    /// step, on the cadence of `invariant_every` (tests/invariants.rs runs
    /// every scenario with a check after every step); a violation is a
    /// bug, reported with the step and the seed that reproduce it.
    #[cfg(debug_assertions)]
    fn check_invariants(&self) {
        const INVARIANT_EVERY_STEP_UNTIL: u64 = 1_000;
        let step = self.ctx.trace.steps();
        let due = match self.invariant_every {
            Some(0) => false,
            Some(n) => step.is_multiple_of(n),
            None => {
                step <= INVARIANT_EVERY_STEP_UNTIL
                    || step.is_multiple_of(INVARIANT_EVERY_STEP_UNTIL)
            }
        };
        if !due {
            return;
        }
        let dbs = std::iter::once(&self.ctx.redis.db)
            .chain(self.ctx.replication.replicas.iter().map(|r| &r.db));
        for db in dbs {
            if let Err(e) = crate::engine::invariants::check(db) {
                panic!(
                    "{}: engine invariant broken after step {} (t={} ms, seed {}): {e}",
                    self.scenario.meta.id,
                    step.saturating_sub(1),
                    self.ctx.now_ms,
                    self.seed
                );
            }
        }
    }

    fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        // Virtual time runs to the scenario's end even when nothing is left
        // to happen, so idle times at `End` are measured at duration_ms.
        self.ctx.now_ms = self.ctx.now_ms.max(self.end_ms);
        expect::evaluate(self, At::End);
    }

    /// Wakes every parked reader (their connection broke) so they read again.
    pub fn break_blocked_reads(&mut self) {
        let now = self.ctx.now_ms;
        for (i, a) in self.actors.iter_mut().enumerate() {
            if a.parked_keys().is_some() && a.claim_retry() {
                let g = a.generation;
                self.ctx.wake(now, i as u32, g, Wake::Timeout);
            }
        }
    }

    /// Keys whose XLEN extremes are tracked.
    pub fn tracked_lengths_keys(&self) -> Vec<String> {
        self.tracked_lengths.clone()
    }

    /// Tells the Redis ledger which messages can still reach a consumer:
    /// entries after a group's last-delivered ID, and pending entries whose
    /// body still exists. Everything else that was never completed is lost.
    pub fn refresh_deliverability(&mut self) {
        // Scanning every stream is costly; nothing changed since the last
        // scan if no step happened (several End metrics share one scan).
        if self.deliverability_fresh() {
            return;
        }
        self.deliverability_step = Some(self.ctx.trace.steps());
        let still = super::deliverable::still_deliverable(self);
        let now = self.ctx.now_ms;
        self.ctx.ledger_redis.set_still_deliverable(&still, now);
        super::kafka_link::finalize(&mut self.ctx);
    }

    /// True when the ledgers already hold the deliverability of this step
    /// (no step happened since the last [`Simulation::refresh_deliverability`]).
    pub(super) fn deliverability_fresh(&self) -> bool {
        self.deliverability_step == Some(self.ctx.trace.steps())
    }

    /// Index of the Redis-side actor called `name`.
    pub fn actor_index(&self, name: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.name == name)
    }
}
