//! Text to [`Scenario`]: parse, then check cross-references.
//!
//! ```text
//!   &str ──ron──▶ Scenario ──validate──▶ Ok(Scenario)
//!          │                   │
//!          └─ syntax / type ───┴─ unknown actor, duplicate name, metric path
//!                                  (metric_names), kafka section (kafka_check) ─▶ ScenarioError
//!                                  { file, line, col, message }
//! ```
//!
//! Loading never touches the file system: the caller passes the text and a
//! name for messages, so the same path serves the CLI, tests and wasm.

use super::schema::*;
use ron::extensions::Extensions;
use std::fmt;

/// A scenario that could not be loaded, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// File name as given by the caller.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Parses and validates scenario text; `file` only names it in errors.
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let options = ron::Options::default()
        .with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES)
        .with_default_extension(Extensions::IMPLICIT_SOME);
    let scenario: Scenario = options.from_str(text).map_err(|e| ScenarioError {
        file: file.to_string(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: e.code.to_string(),
    })?;
    validate(&scenario).map_err(|(needle, message)| {
        let (line, col) = locate(text, &needle);
        ScenarioError {
            file: file.to_string(),
            line,
            col,
            message,
        }
    })?;
    Ok(scenario)
}

/// Line and column of the first occurrence of `needle` (1:1 if absent).
/// A needle ending in `:` is a field name and only matches where a line
/// starts with it, so `kafka:` is not found inside a title.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    if needle.ends_with(':') {
        let hit = text.lines().enumerate().find_map(|(i, l)| {
            let indent = l.len() - l.trim_start().len();
            l.trim_start()
                .starts_with(needle)
                .then(|| (i + 1, l[..indent].chars().count() + 1))
        });
        return hit.unwrap_or((1, 1));
    }
    let Some(pos) = (!needle.is_empty()).then(|| text.find(needle)).flatten() else {
        return (1, 1);
    };
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

type Invalid = (String, String);

fn validate(s: &Scenario) -> Result<(), Invalid> {
    if s.meta.duration_ms == 0 {
        return Err(("duration_ms".into(), "meta.duration_ms must be > 0".into()));
    }
    // Kafka consumers and producers: names faults and metrics may use.
    let kafka_names: Vec<String> = s
        .kafka
        .as_ref()
        .map(|k| {
            let consumers = k.groups.iter().flat_map(|g| g.consumers.iter());
            let producers = k.producers.iter().map(|p| p.name.clone());
            consumers.map(|c| c.name.clone()).chain(producers).collect()
        })
        .unwrap_or_default();
    if let Some(k) = &s.kafka {
        super::kafka_check::check_config(k)
            .and_then(|()| super::kafka_check::check_faults(k, &s.faults))
            .map_err(|e| {
                // The rules' messages start with "kafka" already.
                let what = e.strip_prefix("kafka: ").unwrap_or(&e);
                ("kafka:".to_string(), format!("kafka section: {what}"))
            })?;
    }
    for a in &s.actors {
        if let ActorSpec::Bridge(b) = a {
            let has_producer = s
                .kafka
                .as_ref()
                .is_some_and(|k| k.producers.iter().any(|p| p.name == b.name));
            if !has_producer {
                return Err((
                    quoted(&b.name),
                    format!(
                        "bridge {:?} needs a Kafka producer of the same name in the kafka section (schedule: Manual)",
                        b.name
                    ),
                ));
            }
        }
    }
    let mut names: Vec<&str> = s.actors.iter().map(|a| a.name()).collect();
    names.extend(kafka_names.iter().map(String::as_str));
    let actor_names: Vec<&str> = s.actors.iter().map(|a| a.name()).collect();
    for (i, n) in actor_names.iter().enumerate() {
        if actor_names[..i].contains(n) {
            return Err((
                quoted(n),
                format!("duplicate actor name {n:?}; expected every actor name to be unique"),
            ));
        }
    }
    let expect_actor = |name: &str, what: &str| -> Result<(), Invalid> {
        if names.contains(&name) {
            Ok(())
        } else {
            Err((
                quoted(name),
                format!(
                    "{what} names unknown actor {name:?}; expected one of: {}",
                    names.join(", ")
                ),
            ))
        }
    };
    for a in &s.actors {
        if let ActorSpec::Claimer(c) = a {
            if c.interval_ms == 0 {
                return Err((quoted(&c.name), "claimer interval_ms must be > 0".into()));
            }
            if let ClaimThen::HandTo(target) = &c.then {
                let is_consumer = s
                    .actors
                    .iter()
                    .any(|x| matches!(x, ActorSpec::Consumer(k) if &k.name == target));
                if !is_consumer {
                    return Err((
                        quoted(target),
                        format!("HandTo({target:?}) must name a Consumer actor"),
                    ));
                }
            }
        }
        if let ActorSpec::Producer(p) = a
            && p.schedule.interval_ms == 0
            && p.schedule.count.is_none()
        {
            return Err((
                quoted(&p.name),
                format!(
                    "producer {:?} has interval_ms 0 and no count: it would send forever at one instant; expected a count",
                    p.name
                ),
            ));
        }
        if let ActorSpec::Trimmer(t) = a
            && t.interval_ms == 0
        {
            return Err((quoted(&t.name), "trimmer interval_ms must be > 0".into()));
        }
        if let ActorSpec::Admin(ad) = a {
            for (_, line) in &ad.commands {
                split_command(line).map_err(|m| (line.clone(), m))?;
            }
        }
    }
    if s.redis.repl_backlog_bytes < super::schema::MIN_REPL_BACKLOG_BYTES {
        return Err((
            "repl_backlog_bytes".into(),
            format!(
                "repl_backlog_bytes is {}; Redis's smallest repl-backlog-size is {} bytes",
                s.redis.repl_backlog_bytes,
                super::schema::MIN_REPL_BACKLOG_BYTES
            ),
        ));
    }
    let check_fault = |kind: &FaultKind| -> Result<(), (String, String)> {
        match kind {
            FaultKind::CrashActor(n) => expect_actor(n, "CrashActor"),
            FaultKind::RestartActor { name, .. } => expect_actor(name, "RestartActor"),
            FaultKind::HangActor { name, .. } => expect_actor(name, "HangActor"),
            FaultKind::Failover(r) if !s.redis.replicas.iter().any(|x| &x.name == r) => {
                Err((quoted(r), format!("Failover({r:?}) names no replica")))
            }
            FaultKind::ReplicaCrash(r) | FaultKind::ReplicaRestart(r)
                if !s.redis.replicas.iter().any(|x| &x.name == r) =>
            {
                Err((
                    quoted(r),
                    format!("fault on replica {r:?}: no such replica"),
                ))
            }
            _ => Ok(()),
        }
    };
    for f in &s.faults {
        if let When::MidProcessing { actor, .. } | When::AfterKafkaAck { actor, .. } = &f.when {
            expect_actor(actor, "fault trigger")?;
        }
        check_fault(&f.kind)?;
    }
    let mut previous_step = 0;
    for a in &s.actions {
        if a.after_step < previous_step {
            return Err((
                format!("after_step: {}", a.after_step),
                format!(
                    "actions must be in step order: after_step {} comes after {previous_step}",
                    a.after_step
                ),
            ));
        }
        previous_step = a.after_step;
        match &a.action {
            Action::Fault(kind) => check_fault(kind)?,
            Action::Command(line) => {
                let argv = split_command(line).map_err(|m| (line.clone(), m))?;
                if let Some(why) = blocking_reason(&argv) {
                    return Err((line.clone(), why));
                }
            }
        }
    }
    for p in &s.probes {
        split_command(&p.command).map_err(|m| (p.command.clone(), m))?;
    }
    for e in &s.expect {
        if e.value.is_none() && !matches!(e.op, Op::Range(..)) {
            return Err((
                e.metric.clone(),
                format!("expectation on {:?} needs a value", e.metric),
            ));
        }
        let names = super::metric_names::Names {
            actors: &actor_names,
            kafka_actors: &kafka_names,
        };
        super::metric_names::check_metric(&e.metric, &names).map_err(|m| (quoted(&e.metric), m))?;
    }
    Ok(())
}

/// Why a console command cannot run (the console is one client that
/// cannot wait), or `None`.
pub fn blocking_reason(argv: &[Vec<u8>]) -> Option<String> {
    let name = String::from_utf8_lossy(argv.first()?).to_ascii_uppercase();
    let blocks = match name.as_str() {
        "XREAD" | "XREADGROUP" => argv.iter().any(|a| a.eq_ignore_ascii_case(b"BLOCK")),
        "BLPOP" | "BRPOP" | "BRPOPLPUSH" | "BLMOVE" | "BLMPOP" | "BZPOPMIN" | "BZPOPMAX"
        | "BZMPOP" | "WAIT" => true,
        _ => false,
    };
    blocks.then(|| {
        format!(
            "{name} can block, and the console is one client that cannot wait; run it without BLOCK"
        )
    })
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// Splits a command line as redis-cli splits what is typed at its prompt
/// (`sdssplitargs`): spaces separate arguments, `"..."` groups with `\n`,
/// `\xHH`, `\"`, … escapes, `'...'` groups with only `\'`.
pub fn split_command(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let Some(out) = crate::engine::split_args::split_args(line.as_bytes()) else {
        return Err(format!(
            "unbalanced quotes in command {line:?} (a closing quote must end its argument)"
        ));
    };
    if out.is_empty() {
        return Err("empty command; expected e.g. \"XLEN s\"".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"Scenario(
  meta: (id: "T", title: "t", learning_goal: "g", seed: 1, duration_ms: 10),
)"#;

    #[test]
    fn minimal_file_loads_with_defaults() {
        let s = parse_scenario("t.ron", MINIMAL).unwrap();
        assert_eq!(s.meta.seed, 1);
        assert_eq!(s.meta.start_unix_ms, 1_700_000_000_000);
        assert!(s.actors.is_empty());
        assert!(!s.redis.persistence.appendonly);
    }

    #[test]
    fn unknown_field_names_file_line_column_and_expectation() {
        let text = MINIMAL.replace("seed: 1,", "seed: 1,\n    sede: 2,");
        let e = parse_scenario("x.ron", &text).unwrap_err();
        assert_eq!(e.file, "x.ron");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("sede"), "{}", e.message);
        assert!(e.to_string().starts_with("x.ron:3:"), "{e}");
    }

    #[test]
    fn missing_seed_is_an_error() {
        let text = MINIMAL.replace("seed: 1, ", "");
        let e = parse_scenario("x.ron", &text).unwrap_err();
        assert!(e.message.contains("seed"), "{}", e.message);
    }

    #[test]
    fn unknown_actor_in_fault_points_at_the_name() {
        let text = MINIMAL.replace(
            "duration_ms: 10),",
            "duration_ms: 10),\n  faults: [(when: At(5), kind: CrashActor(\"ghost\"))],",
        );
        let e = parse_scenario("f.ron", &text).unwrap_err();
        assert_eq!((e.line, e.col), (3, 43));
        assert!(
            e.message.contains("unknown actor \"ghost\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn actor_variants_parse_without_double_parentheses() {
        let text = MINIMAL.replace(
            "duration_ms: 10),",
            r#"duration_ms: 10),
  actors: [
    Consumer(name: "c1", stream: "s", group: "g", count: 10, block_ms: 0,
             processing: Fixed(100), ack: PerEntry),
    Claimer(name: "r", stream: "s", group: "g", interval_ms: 30000,
            mode: XAutoClaim(min_idle_ms: 60000), then: Process(Fixed(100))),
  ],"#,
        );
        let s = parse_scenario("a.ron", &text).unwrap();
        assert_eq!(s.actors.len(), 2);
        match &s.actors[0] {
            ActorSpec::Consumer(c) => assert_eq!(c.block_ms, Some(0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_producer_that_never_lets_time_pass_is_rejected() {
        let text = MINIMAL.replace(
            "duration_ms: 10),",
            "duration_ms: 10),\n  actors: [Producer(name: \"p\", stream: \"s\", schedule: (interval_ms: 0))],",
        );
        let e = parse_scenario("p.ron", &text).unwrap_err();
        assert!(
            e.message.contains("interval_ms 0 and no count"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 3);
    }

    #[test]
    fn split_command_handles_quotes() {
        let argv = split_command(r#"XADD s * f "a b" g "q\"x""#).unwrap();
        assert_eq!(argv.len(), 7);
        assert_eq!(argv[4], b"a b");
        assert_eq!(argv[6], b"q\"x");
        assert!(split_command("  ").is_err());
        assert!(split_command("\"open").is_err());
    }
}
