//! Running the Kafka model beside the Redis side, on the same clock.
//!
//! ```text
//!   Simulation::step
//!     ├─ a Kafka step waiting in the backlog? ─▶ record it: one trace step
//!     │        (who = the Kafka actor's name); nothing else runs first
//!     ├─ kafka.next_event_ms() <= next Redis-side event? ─▶ kafka.run_until(t)
//!     │        its KafkaSteps ─▶ backlog (the model's state is already past them)
//!     └─ else the Redis-side event
//!
//!   faults naming a Kafka consumer / producer are handed to the model's
//!   hooks when the run is built, so the model orders them itself (first
//!   within their millisecond).
//! ```
//!
//! The Kafka model keeps its own queue and ledger; this file only feeds it
//! the scenario's seed and faults and turns its steps into trace records.
//! The model runs a whole millisecond at once, but its steps are handed
//! out one per `Simulation::step()` so that seeking can stop on any of
//! them; the records, and so the trace hash, are the same either way.
//! Between two steps of one millisecond the model itself (and the Kafka
//! ledger) already stands at the end of that millisecond: only the trace
//! catches up step by step.

use super::ctx::Ctx;
use super::kafka::{KafkaConfig, KafkaStep, KafkaWorld, MetricValue, MidProcessing};
use super::trace::{Note, Who};
use crate::scenario::Scenario;
use crate::scenario::checks::Value;
use crate::scenario::schema::{FaultKind, When};
use std::collections::VecDeque;

/// Every name a Kafka step can be attributed to.
pub fn kafka_names(cfg: &KafkaConfig) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for g in &cfg.groups {
        names.extend(g.consumers.iter().map(|c| c.name.clone()));
        names.push(g.group_id.clone());
    }
    names.extend(cfg.producers.iter().map(|p| p.name.clone()));
    names.extend((0..cfg.cluster.brokers).map(|b| format!("broker-{b}")));
    names.push("kafka".into());
    names.push(super::kafka::CONTROLLER.into());
    names
}

/// Builds the model with the run's seed and registers its faults.
pub fn build(s: &Scenario, seed: u64) -> Result<Option<KafkaWorld>, String> {
    let Some(cfg) = &s.kafka else {
        return Ok(None);
    };
    let mut cfg = cfg.clone();
    cfg.seed = super::rng::child_seed(seed, "kafka");
    let mut world = KafkaWorld::new(cfg.clone()).map_err(|e| e.to_string())?;
    let (consumers, producers) = client_names(&cfg);
    let is_kafka = |n: &str| consumers.iter().chain(&producers).any(|t| t == n);
    for f in &s.faults {
        let at = match &f.when {
            When::At(t) => *t,
            When::MidProcessing { actor, id } if is_kafka(actor) => {
                let (partition, offset) = match id.split_once(':') {
                    Some((p, o)) => (p.parse().unwrap_or(0), o.parse().unwrap_or(0)),
                    None => (0, id.parse().unwrap_or(0)),
                };
                let mid = MidProcessing {
                    partition,
                    offset,
                    after_ms: None,
                };
                world
                    .crash_mid_processing(actor, mid)
                    .map_err(|e| e.to_string())?;
                continue;
            }
            _ => continue,
        };
        if let Some(r) = schedule(&mut world, &f.kind, at, &consumers, &producers) {
            r.map_err(|e| e.to_string())?;
        }
    }
    Ok(Some(world))
}

/// The Kafka section's consumer and producer names.
fn client_names(cfg: &crate::scenario::kafka::KafkaConfig) -> (Vec<String>, Vec<String>) {
    let consumers = cfg
        .groups
        .iter()
        .flat_map(|g| g.consumers.iter().map(|c| c.name.clone()))
        .collect();
    let producers = cfg.producers.iter().map(|p| p.name.clone()).collect();
    (consumers, producers)
}

/// Hands `kind` to the Kafka model for time `at_ms`; `None` when the fault
/// is not about the Kafka side.
fn schedule(
    world: &mut KafkaWorld,
    kind: &FaultKind,
    at_ms: u64,
    consumers: &[String],
    producers: &[String],
) -> Option<Result<(), super::kafka::KafkaError>> {
    let is_consumer = |n: &str| consumers.iter().any(|t| t == n);
    let is_producer = |n: &str| producers.iter().any(|t| t == n);
    Some(match kind {
        FaultKind::CrashActor(n) if is_consumer(n) => world.crash_consumer(n, at_ms),
        // A producer (or a bridge producing under its own name) comes
        // back as a new producer session.
        FaultKind::RestartActor { name, .. } if is_producer(name) => {
            world.restart_producer(name, at_ms)
        }
        FaultKind::RestartActor { name, .. } if is_consumer(name) => {
            world.restart_consumer(name, at_ms)
        }
        FaultKind::HangActor { name, for_ms } if is_consumer(name) => {
            world.hang_consumer(name, at_ms, *for_ms)
        }
        FaultKind::CloseKafkaConsumer(n) => world.close_consumer(n, at_ms),
        FaultKind::KafkaBrokerCrash(b) => world.crash_broker(*b, at_ms),
        _ => return None,
    })
}

/// A fork's Kafka fault, now: `None` when `kind` is not about the Kafka
/// side, else what the model was told (or why it refused).
pub fn inject(ctx: &mut Ctx, s: &Scenario, kind: &FaultKind) -> Option<Result<(), String>> {
    let cfg = s.kafka.as_ref()?;
    let (consumers, producers) = client_names(cfg);
    let now = ctx.now_ms;
    let world = ctx.kafka.as_mut()?;
    let at_ms = now.max(world.now_ms());
    schedule(world, kind, at_ms, &consumers, &producers).map(|r| r.map_err(|e| e.to_string()))
}

/// Runs the model through `t_ms` and queues its steps in `backlog`; the
/// simulation records them one per `Simulation::step()` call (see
/// [`record`]), so a millisecond with several Kafka actions is several
/// steps a timeline can stop between.
pub fn run_due(ctx: &mut Ctx, t_ms: u64, backlog: &mut VecDeque<KafkaStep>) {
    let Some(world) = ctx.kafka.as_mut() else {
        return;
    };
    let mut steps = Vec::new();
    world.run_until(t_ms, &mut ctx.ledger_kafka, &mut steps);
    backlog.extend(steps);
}

/// Records one Kafka step as one trace step.
pub fn record(ctx: &mut Ctx, s: &KafkaStep, names: &[String]) {
    let who = names
        .iter()
        .position(|n| *n == s.actor)
        .map_or(Who::Server, |i| Who::Actor(i as u32));
    let text = match &s.caption {
        Some(c) => format!("{} — {c}", s.action),
        None => s.action.clone(),
    };
    ctx.now_ms = ctx.now_ms.max(s.t_ms);
    ctx.stepped = false;
    ctx.note(who, Note::Text(text));
}

/// `kafka.<path>` for expectations.
pub fn metric(ctx: &Ctx, path: &str) -> Result<Value, String> {
    let world = ctx
        .kafka
        .as_ref()
        .ok_or("the scenario has no kafka section")?;
    match world.metric(path).map_err(|e| e.to_string())? {
        MetricValue::Int(n) => Ok(Value::Int(n as i64)),
        MetricValue::Text(t) => Ok(Value::Text(t)),
        MetricValue::Nothing => Ok(Value::Text("nil".into())),
    }
}

/// Tells the Kafka ledger what is still deliverable.
pub fn finalize(ctx: &mut Ctx) {
    if let Some(world) = ctx.kafka.as_ref() {
        world.finalize_ledger(&mut ctx.ledger_kafka);
    }
}
