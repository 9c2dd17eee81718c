//! What-if knobs: a scenario's main parameters as controls, read from the
//! scenario and written back into a copy of it.
//!
//! ```text
//!   knobs(scenario) ──▶ [Knob { id: "reaper.min_idle_ms", label, value, … }, …]
//!   with_knob(scenario, "reaper.min_idle_ms", Int(5000)) ──▶ a changed copy ──▶ a new run
//! ```
//!
//! An id names the actor (or `redis`, a replica, a Kafka consumer or group)
//! and the parameter, so a change is also a line a link can carry
//! (`set=reaper.min_idle_ms:5000`).

use crate::scenario::Scenario;
use crate::scenario::kafka::{CommitPolicy, Handoff};
use crate::scenario::schema::{ActorSpec, ClaimMode, Fsync, Lag, Processing, Trim};

/// A knob's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KnobValue {
    /// A number (ms, a count, a length).
    Int(u64),
    /// One of `choices`, by index.
    Choice(usize),
}

/// One control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knob {
    /// `actor.parameter` (see the module doc).
    pub id: String,
    /// What the control says.
    pub label: String,
    pub value: KnobValue,
    /// For `Choice`: the options, as the user reads them.
    pub choices: Vec<&'static str>,
    /// For `Int`: the slider's range.
    pub max: u64,
}

const FSYNC: [&str; 3] = ["always", "everysec", "no"];
const COMMIT: [&str; 4] = [
    "commitSync after the batch",
    "commitSync before processing",
    "commitSync per record",
    "auto-commit every 5 s",
];

fn int(id: String, label: String, value: u64, max: u64) -> Knob {
    Knob {
        id,
        label,
        value: KnobValue::Int(value),
        choices: Vec::new(),
        max: max.max(value.saturating_mul(4)).max(1),
    }
}

fn choice(id: String, label: String, index: usize, choices: &[&'static str]) -> Knob {
    Knob {
        id,
        label,
        value: KnobValue::Choice(index),
        choices: choices.to_vec(),
        max: 0,
    }
}

fn processing_ms(p: &Processing) -> u64 {
    match p {
        Processing::Fixed(ms) => *ms,
        Processing::Uniform(a, b) => (a + b) / 2,
    }
}

/// The knobs `scenario` offers, in declaration order.
pub fn knobs(scenario: &Scenario) -> Vec<Knob> {
    let mut out = Vec::new();
    for a in &scenario.actors {
        match a {
            ActorSpec::Claimer(c) => {
                let (idle, count) = match &c.mode {
                    ClaimMode::XAutoClaim {
                        min_idle_ms, count, ..
                    }
                    | ClaimMode::XPendingXClaim { min_idle_ms, count } => (*min_idle_ms, *count),
                };
                let n = &c.name;
                out.push(int(
                    format!("{n}.min_idle_ms"),
                    format!("{n}: min-idle (ms)"),
                    idle,
                    120_000,
                ));
                out.push(int(
                    format!("{n}.count"),
                    format!("{n}: COUNT"),
                    count,
                    1_000,
                ));
                out.push(int(
                    format!("{n}.interval_ms"),
                    format!("{n}: runs every (ms)"),
                    c.interval_ms,
                    120_000,
                ));
            }
            ActorSpec::Consumer(c) => {
                let n = &c.name;
                out.push(int(
                    format!("{n}.count"),
                    format!("{n}: COUNT"),
                    c.count,
                    1_000,
                ));
                out.push(int(
                    format!("{n}.processing_ms"),
                    format!("{n}: processing (ms)"),
                    processing_ms(&c.processing),
                    10_000,
                ));
            }
            ActorSpec::Producer(p) => {
                let n = &p.name;
                out.push(int(
                    format!("{n}.interval_ms"),
                    format!("{n}: one XADD every (ms)"),
                    p.schedule.interval_ms,
                    10_000,
                ));
                trim_knobs(&mut out, n, &p.trim);
            }
            ActorSpec::Trimmer(t) => trim_knobs(&mut out, &t.name, &t.strategy),
            _ => {}
        }
    }
    let p = &scenario.redis.persistence;
    if p.appendonly {
        let i = FSYNC_ORDER
            .iter()
            .position(|f| *f == p.appendfsync)
            .unwrap_or(1);
        out.push(choice(
            "redis.appendfsync".into(),
            "appendfsync".into(),
            i,
            &FSYNC,
        ));
    }
    for r in &scenario.redis.replicas {
        let lag = match r.lag {
            Lag::Constant(ms) => ms,
            Lag::Uniform(a, b) => (a + b) / 2,
        };
        let n = &r.name;
        out.push(int(
            format!("{n}.lag_ms"),
            format!("replica {n}: lag (ms)"),
            lag,
            5_000,
        ));
    }
    if let Some(k) = &scenario.kafka {
        for g in &k.groups {
            let id = &g.group_id;
            out.push(int(
                format!("{id}.session_timeout_ms"),
                format!("group {id}: session.timeout.ms"),
                g.session_timeout_ms,
                60_000,
            ));
            for c in &g.consumers {
                let i = match c.commit {
                    CommitPolicy::AfterBatch => 0,
                    CommitPolicy::BeforeProcessing => 1,
                    CommitPolicy::PerRecord => 2,
                    CommitPolicy::AutoCommit { .. } => 3,
                };
                let n = &c.name;
                out.push(choice(
                    format!("{n}.commit"),
                    format!("{n}: commits"),
                    i,
                    &COMMIT,
                ));
            }
        }
    }
    out
}

const FSYNC_ORDER: [Fsync; 3] = [Fsync::Always, Fsync::EverySec, Fsync::No];

fn trim_knobs(out: &mut Vec<Knob>, name: &str, trim: &Trim) {
    if let Trim::MaxLen { n, approx, .. } = trim {
        out.push(int(
            format!("{name}.maxlen"),
            format!("{name}: MAXLEN"),
            *n,
            10_000,
        ));
        out.push(choice(
            format!("{name}.maxlen_approx"),
            format!("{name}: MAXLEN exact or ~"),
            usize::from(*approx),
            &["= (exact)", "~ (whole nodes)"],
        ));
    }
}

/// `scenario` with knob `id` set to `value`; an error names what is wrong.
pub fn with_knob(scenario: &Scenario, id: &str, value: &KnobValue) -> Result<Scenario, String> {
    let (who, what) = id
        .split_once('.')
        .ok_or_else(|| format!("knob '{id}' is not of the form name.parameter"))?;
    let mut s = scenario.clone();
    let unknown = || format!("this scenario has no knob '{id}'");
    let int_value = || match value {
        KnobValue::Int(v) => Ok(*v),
        KnobValue::Choice(_) => Err(format!("knob '{id}' takes a number")),
    };
    let choice_value = |n: usize| match value {
        KnobValue::Choice(i) if *i < n => Ok(*i),
        _ => Err(format!("knob '{id}' takes one of {n} choices")),
    };
    if who == "redis" && what == "appendfsync" {
        s.redis.persistence.appendfsync = FSYNC_ORDER[choice_value(3)?];
        return Ok(s);
    }
    for a in &mut s.actors {
        match (a, what) {
            (ActorSpec::Claimer(c), "min_idle_ms" | "count" | "interval_ms") if c.name == who => {
                let v = int_value()?;
                match (&mut c.mode, what) {
                    (ClaimMode::XAutoClaim { min_idle_ms, .. }, "min_idle_ms")
                    | (ClaimMode::XPendingXClaim { min_idle_ms, .. }, "min_idle_ms") => {
                        *min_idle_ms = v
                    }
                    (ClaimMode::XAutoClaim { count, .. }, "count")
                    | (ClaimMode::XPendingXClaim { count, .. }, "count") => *count = v.max(1),
                    _ => c.interval_ms = v.max(1),
                }
                return Ok(s);
            }
            (ActorSpec::Consumer(c), "count") if c.name == who => {
                c.count = int_value()?.max(1);
                return Ok(s);
            }
            (ActorSpec::Consumer(c), "processing_ms") if c.name == who => {
                c.processing = Processing::Fixed(int_value()?);
                return Ok(s);
            }
            (ActorSpec::Producer(p), "interval_ms") if p.name == who => {
                p.schedule.interval_ms = int_value()?.max(1);
                return Ok(s);
            }
            (ActorSpec::Producer(p), "maxlen" | "maxlen_approx") if p.name == who => {
                set_trim(&mut p.trim, what, value)?;
                return Ok(s);
            }
            (ActorSpec::Trimmer(t), "maxlen" | "maxlen_approx") if t.name == who => {
                set_trim(&mut t.strategy, what, value)?;
                return Ok(s);
            }
            _ => {}
        }
    }
    if let Some(r) = s.redis.replicas.iter_mut().find(|r| r.name == who)
        && what == "lag_ms"
    {
        r.lag = Lag::Constant(int_value()?);
        return Ok(s);
    }
    if let Some(k) = s.kafka.as_mut() {
        for g in &mut k.groups {
            if g.group_id == who && what == "session_timeout_ms" {
                g.session_timeout_ms = int_value()?.max(1);
                return Ok(s);
            }
            if let Some(c) = g.consumers.iter_mut().find(|c| c.name == who)
                && what == "commit"
            {
                c.commit = match choice_value(4)? {
                    0 => CommitPolicy::AfterBatch,
                    1 => CommitPolicy::BeforeProcessing,
                    2 => CommitPolicy::PerRecord,
                    _ => match c.commit {
                        auto @ CommitPolicy::AutoCommit { .. } => auto,
                        _ => CommitPolicy::AutoCommit {
                            interval_ms: 5_000,
                            handoff: Handoff::Sync,
                            first_due_ms: None,
                        },
                    },
                };
                return Ok(s);
            }
        }
    }
    Err(unknown())
}

fn set_trim(trim: &mut Trim, what: &str, value: &KnobValue) -> Result<(), String> {
    let Trim::MaxLen { n, approx, .. } = trim else {
        return Err("this actor does not trim by MAXLEN".into());
    };
    match (what, value) {
        ("maxlen", KnobValue::Int(v)) => *n = *v,
        ("maxlen_approx", KnobValue::Choice(i)) if *i < 2 => *approx = *i == 1,
        _ => return Err(format!("bad value for {what}")),
    }
    Ok(())
}

/// A knob change as a link carries it: `id:value` (a choice by index).
pub fn to_param(id: &str, value: &KnobValue) -> String {
    match value {
        KnobValue::Int(v) => format!("{id}:{v}"),
        KnobValue::Choice(i) => format!("{id}:#{i}"),
    }
}

/// Reads [`to_param`]'s text back.
pub fn from_param(text: &str) -> Result<(String, KnobValue), String> {
    let (id, v) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("'{text}' is not id:value"))?;
    let value = match v.strip_prefix('#') {
        Some(i) => KnobValue::Choice(i.parse().map_err(|_| format!("bad choice in '{text}'"))?),
        None => KnobValue::Int(v.parse().map_err(|_| format!("bad number in '{text}'"))?),
    };
    Ok((id.to_string(), value))
}
