//! Kafka consumer-group model, the comparison side of the simulator.
//!
//! ```text
//!   scenario clock ──run_until(t)──▶ KafkaWorld ──▶ Ledger ("kafka"), Vec<KafkaStep>
//!                                     │
//!     queue: (t_ms, class, seq) ─▶ Ev │
//!                                     ├─ topics[]     topic.rs     partition logs, high
//!                                     │               broker.rs    watermark; crashes, ISR,
//!                                     │                            leader election
//!                                     │               retention.rs segments, retention,
//!                                     │                            OFFSET_OUT_OF_RANGE
//!                                     ├─ producers[]  producer.rs  acks 0/1/all, idempotent
//!                                     │               retry.rs     sessions, retry rounds
//!                                     ├─ groups[]     group.rs     members, heartbeats,
//!                                     │               rebalance.rs session timeout, commits;
//!                                     │                            eager rebalance, assignment
//!                                     └─ consumers[]  consumer.rs  poll loop, processing,
//!                                                     poison.rs    commit policies; failed
//!                                                                  records
//! ```
//!
//! Why a separate model: the simulator runs a Kafka consumer group side by
//! side with the Redis PEL under the same faults, and the lesson lies in the
//! difference. Kafka's group remembers one number per partition (the
//! committed offset), so what a crash costs depends on when that number
//! moved relative to processing. The model follows the classic consumer
//! protocol (eager rebalance, background heartbeats, auto-commit inside
//! `poll()`), scenario catalogue §1.6.
//!
//! The world owns its own discrete-event queue and is driven from outside:
//! `next_event_ms` tells the scenario clock when it wants to run next,
//! `run_until(t)` processes everything due at or before `t`. Faults are
//! scheduled through hooks (`crash_consumer`, `crash_mid_processing`, …)
//! and run first within their millisecond. Nothing is random except
//! `Processing::Uniform`, which draws from a per-consumer integer stream
//! derived from the configured seed. A fault hook accepts `t == now_ms`,
//! but events of that millisecond that already ran stay before it: register
//! faults before running the model up to their time.
//!
//! Trace actors are consumer, producer and group names, `broker-N`, and
//! `kafka-controller` (fencing, leader elections).
//!
//! Left out, on purpose: network and commit latency (replies arrive in the
//! same millisecond; `rebalance_ms` stands for the JoinGroup/SyncGroup round
//! trips), the group coordinator's own broker (coordination never fails),
//! cooperative rebalancing, transactions, follower lag other than a
//! constant, `segment.bytes`, and a live follower falling out of the ISR for
//! slowness (only a crashed one leaves it). What is modelled, with each
//! timing against Kafka's default, is tabled in the README ("What the fault
//! models assume").
//!
//! # Use
//!
//! ```
//! use streamlab::sim::kafka::{KafkaConfig, KafkaWorld, MidProcessing};
//! use streamlab::sim::ledger::Ledger;
//!
//! let config: KafkaConfig = ron::from_str(r#"(
//!     topics: [(name: "t", partitions: 1, preload: {0: [500, 501, 502]})],
//!     groups: [(topic: "t", group_id: "kg", initial_committed: {0: 500},
//!               consumers: [(name: "KA", processing: Fixed(50), commit: AfterBatch),
//!                           (name: "KB", processing: Fixed(50), commit: AfterBatch)])],
//! )"#).unwrap();
//! let mut world = KafkaWorld::new(config).unwrap();
//! let mid = MidProcessing { partition: 0, offset: 501, after_ms: None };
//! world.crash_mid_processing("KA", mid).unwrap();
//! let (mut ledger, mut steps) = (Ledger::new("kafka"), Vec::new());
//! while let Some(t) = world.next_event_ms().filter(|t| *t <= 60_000) {
//!     world.run_until(t, &mut ledger, &mut steps);
//! }
//! world.finalize_ledger(&mut ledger);
//! assert_eq!(world.owner("kg", 0).unwrap().as_deref(), Some("KB"));
//! assert_eq!(ledger.duplicates(), 1); // 500 done by KA, then again by KB
//! assert_eq!(world.committed("kg", 0).unwrap(), Some(503));
//! ```

mod batch_text;
mod broker;
/// The configuration types live with the scenario schema that embeds them.
pub use crate::scenario::kafka as config;
pub use broker::CONTROLLER;
mod consumer;
mod event;
mod group;
mod hooks;
mod log;
mod poison;
mod producer;
mod producer_index;
mod query;
mod rebalance;
mod retention;
mod retry;
mod static_member;
mod topic;

pub use config::*;
pub use consumer::MidProcessing;
pub use producer::ProduceOutcome;
pub use query::{Commit, MetricValue};

use crate::sim::ledger::Ledger;
use consumer::ConsumerState;
use event::{Ev, Queue};
use group::GroupState;
use producer::ProducerState;
use std::fmt;
use topic::TopicState;

/// What kind of thing a Kafka step did (the text says the details).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KafkaAction {
    /// A consumer joined its group.
    Join,
    /// A consumer's background heartbeat.
    Heartbeat,
    /// `poll()` returned a batch (a fetch).
    Poll,
    /// A consumer started processing a record.
    Process,
    /// A consumer finished processing a record.
    Done,
    /// An offset commit the group accepted.
    Commit,
    /// An offset commit the group refused.
    CommitFailed,
    /// The group started, waited in, or finished a rebalance.
    Rebalance,
    /// The group dropped a member (session timeout, max poll, leave).
    MemberRemoved,
    /// A consumer crashed.
    Crash,
    /// A consumer came back.
    Restart,
    /// A consumer froze.
    Hang,
    /// A frozen consumer runs again.
    Resume,
    /// A consumer closed cleanly.
    Close,
    /// A producer sent a record.
    Send,
    /// A send failed and will be retried.
    SendRetry,
    /// A producer gave up on a record.
    SendFailed,
    /// A producer received an acknowledgement.
    Ack,
    /// A producer came back with a new session.
    ProducerRestart,
    /// A broker crashed.
    BrokerCrash,
    /// A broker came back.
    BrokerRestart,
    /// A partition's in-sync replica set changed.
    Isr,
    /// The controller moved (or lost) a partition's leader.
    Election,
    /// Retention deleted log segments.
    Retention,
}

/// One line of the model's trace: who did what at which time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaStep {
    pub t_ms: u64,
    /// A consumer, producer, group id, or `broker-N`.
    pub actor: String,
    /// The kind of action, for a viewer (the trace keeps only the text).
    pub kind: KafkaAction,
    /// Compact action text: `poll -> [500..509]`, `commitSync(510)`, …
    pub action: String,
    /// A sentence for the reader when the step matters to the story.
    pub caption: Option<String>,
}

/// Invalid configuration or hook arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaError(pub String);

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KafkaError {}

fn err<T>(msg: String) -> Result<T, KafkaError> {
    Err(KafkaError(msg))
}

/// The ledger and trace a batch of events writes to. `steps` is `None`
/// when the caller throws the steps away (a bridge's sends: its own step
/// says what it produced), so their text is never built.
pub(crate) struct Out<'a> {
    pub ledger: &'a mut Ledger,
    pub steps: Option<&'a mut Vec<KafkaStep>>,
}

impl Out<'_> {
    /// [`Out::step`] with the action's text built only if the step is kept
    /// (for the steps every send makes).
    pub(crate) fn step_with(
        &mut self,
        t_ms: u64,
        actor: &str,
        kind: KafkaAction,
        action: impl FnOnce() -> String,
    ) {
        if self.steps.is_some() {
            self.step(t_ms, actor, kind, action());
        }
    }

    pub(crate) fn step(&mut self, t_ms: u64, actor: &str, kind: KafkaAction, action: String) {
        let Some(steps) = self.steps.as_deref_mut() else {
            return;
        };
        steps.push(KafkaStep {
            t_ms,
            actor: actor.to_string(),
            kind,
            action,
            caption: None,
        });
    }

    pub(crate) fn story(
        &mut self,
        t_ms: u64,
        actor: &str,
        kind: KafkaAction,
        action: String,
        caption: String,
    ) {
        let Some(steps) = self.steps.as_deref_mut() else {
            return;
        };
        steps.push(KafkaStep {
            t_ms,
            actor: actor.to_string(),
            kind,
            action,
            caption: Some(caption),
        });
    }
}

/// A deterministic Kafka cluster with its producers and consumer groups.
#[derive(Clone, Debug)]
pub struct KafkaWorld {
    pub(crate) cluster: KafkaCluster,
    pub(crate) brokers_alive: Vec<bool>,
    pub(crate) topics: Vec<TopicState>,
    pub(crate) producers: Vec<ProducerState>,
    pub(crate) groups: Vec<GroupState>,
    pub(crate) consumers: Vec<ConsumerState>,
    pub(crate) queue: Queue,
    pub(crate) now_ms: u64,
    started: bool,
    next_member: u64,
}

impl KafkaWorld {
    /// Validates `config` and schedules producers and consumer joins.
    pub fn new(config: KafkaConfig) -> Result<KafkaWorld, KafkaError> {
        // The rules live with the configuration (scenario::kafka_check);
        // past this line every lookup below succeeds.
        crate::scenario::kafka_check::check_config(&config).map_err(KafkaError)?;
        let c = &config.cluster;
        let mut world = KafkaWorld {
            cluster: config.cluster.clone(),
            brokers_alive: vec![true; c.brokers as usize],
            topics: Vec::new(),
            producers: Vec::new(),
            groups: Vec::new(),
            consumers: Vec::new(),
            queue: Queue::default(),
            now_ms: 0,
            started: false,
            next_member: 1,
        };
        for (ti, t) in config.topics.iter().enumerate() {
            world.topics.push(TopicState::new(t, ti, &world.cluster));
        }
        for p in &config.producers {
            let ti = world.topic_index(&p.topic)?;
            let pi = world.producers.len();
            world.producers.push(ProducerState::new(p.clone(), ti));
            if let Some(first) = world.producers[pi].send_time(0) {
                world.queue.push(first, Ev::ProducerTick { pi });
            }
        }
        for g in &config.groups {
            world.add_group(g, config.seed)?;
        }
        world.schedule_retention_check(0);
        Ok(world)
    }

    fn add_group(&mut self, g: &KafkaGroup, seed: u64) -> Result<(), KafkaError> {
        let ti = self.topic_index(&g.topic)?;
        let gi = self.groups.len();
        for kc in &g.consumers {
            let ci = self.consumers.len();
            self.consumers
                .push(ConsumerState::new(kc.clone(), gi, seed));
            self.queue.push(kc.start_at_ms, Ev::Join { c: ci });
        }
        self.groups.push(GroupState::new(g.clone(), ti));
        Ok(())
    }

    pub(crate) fn topic_index(&self, name: &str) -> Result<usize, KafkaError> {
        match self.topics.iter().position(|t| t.name == name) {
            Some(i) => Ok(i),
            None => err(format!("kafka: unknown topic '{name}'")),
        }
    }

    pub(crate) fn new_member_id(&mut self) -> u64 {
        let id = self.next_member;
        self.next_member += 1;
        id
    }

    /// Current virtual time: the latest `run_until` bound or hook time.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// When the model next has something to do, if ever.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.peek_ms()
    }

    /// Processes every event due at or before `t_ms`, in (time, class,
    /// insertion) order, recording outcomes in `ledger` and the trace in
    /// `steps`. The first call also records the preloaded records as
    /// produced and acknowledged at t=0.
    pub fn run_until(&mut self, t_ms: u64, ledger: &mut Ledger, steps: &mut Vec<KafkaStep>) {
        let mut out = Out {
            ledger,
            steps: Some(steps),
        };
        self.run_until_out(t_ms, &mut out);
    }

    pub(crate) fn run_until_out(&mut self, t_ms: u64, out: &mut Out) {
        if !self.started {
            self.started = true;
            for t in &self.topics {
                for part in &t.partitions {
                    for (_, r) in part.records.iter() {
                        out.ledger.produced(r.msg, 0);
                        out.ledger.produced_acked(r.msg, 0);
                    }
                }
            }
        }
        while let Some((at_ms, ev)) = self.queue.pop_due(t_ms) {
            self.now_ms = self.now_ms.max(at_ms);
            self.dispatch(at_ms, ev, out);
            if self.queue.peek_ms() != Some(at_ms) {
                self.sample_lag(at_ms);
            }
        }
        self.now_ms = self.now_ms.max(t_ms);
    }

    fn dispatch(&mut self, t: u64, ev: Ev, out: &mut Out) {
        match ev {
            Ev::CrashConsumer { c } => self.on_crash_consumer(c, t, out, None),
            Ev::RestartConsumer { c } => self.on_restart_consumer(c, t, out),
            Ev::HangConsumer { c, for_ms } => self.on_hang(c, for_ms, t, out),
            Ev::HangEnd { c, inc } => self.on_hang_end(c, inc, t, out),
            Ev::CloseConsumer { c } => self.on_close_consumer(c, t, out),
            Ev::CrashMid { c, inc } => self.on_crash_mid(c, inc, t, out),
            Ev::CrashBroker { broker } => self.on_crash_broker(broker, t, out),
            Ev::RestartBroker { broker } => self.on_restart_broker(broker, t, out),
            Ev::RestartProducer { pi } => self.restart_producer_now(pi, t, out),
            Ev::Heartbeat { c, member, inc } => self.on_heartbeat(c, member, inc, t, out),
            Ev::SessionCheck { g, member, hb_ms } => {
                self.on_session_check(g, member, hb_ms, t, out)
            }
            Ev::MaxPollCheck { c, inc, poll_seq } => self.on_max_poll(c, inc, poll_seq, t, out),
            Ev::Replicate {
                t: ti,
                p,
                epoch,
                upto,
            } => self.on_replicate(ti, p, epoch, upto, t, out),
            Ev::Election { t: ti, p, epoch } => self.on_election(ti, p, epoch, t, out),
            Ev::IsrShrink { broker } => self.on_isr_shrink(broker, t, out),
            Ev::CatchUp {
                t: ti,
                p,
                epoch,
                broker,
                upto,
            } => self.on_catch_up((ti, p, epoch), broker, upto, t, out),
            Ev::Join { c } => self.on_join(c, t, out),
            Ev::Poll { c, inc, token } => self.on_poll(c, inc, token, t, out),
            Ev::Done { c, inc } => self.on_done(c, inc, t, out),
            Ev::ProducerTick { pi } => self.on_producer_tick(pi, t, out),
            Ev::ProducerRetry {
                pi,
                session,
                partition,
            } => self.on_retry(pi, session, partition, t, out),
            Ev::RebalanceDone { g, round } => self.on_rebalance_due(g, round, t, out),
            Ev::RetentionCheck => self.on_retention_check(t, out),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_group;
