//! `streamlab run FILE.ron [--seed N] [--until MS] [--check] [--json] [--quiet] [--trace FILE]`
//!
//! ```text
//!   FILE (path or bundled name) ─read─▶ parse_scenario ─▶ Simulation ─step─▶ transcript lines
//!                                          │ error: file:line:col: message, exit 2
//!   end ─▶ summary | JSON outcome ;  --check: failed expectations as a diff, exit 1
//! ```
//!
//! File reading lives here, never in the simulator, so the simulator stays
//! free of I/O and runs the same in wasm.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use streamlab::scenario::{self, Scenario, builtin};
use streamlab::sim::trace::{StepRecord, Who};
use streamlab::sim::{Outcome, RunOptions, Simulation};

const USAGE: &str = "usage: streamlab run FILE.ron [--seed N] [--until MS] [--check] [--json] [--quiet] [--trace FILE]";

#[derive(Default)]
struct Flags {
    file: Option<String>,
    seed: Option<u64>,
    until_ms: Option<u64>,
    check: bool,
    json: bool,
    quiet: bool,
    trace: Option<String>,
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut f = Flags::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.parse::<u64>()
                .map_err(|_| format!("{name} expects a non-negative integer, got {v:?}"))
        };
        match a.as_str() {
            "--seed" => f.seed = Some(number("--seed")?),
            "--until" => f.until_ms = Some(number("--until")?),
            "--check" => f.check = true,
            "--json" => f.json = true,
            "--quiet" => f.quiet = true,
            "--trace" => {
                f.trace = Some(it.next().ok_or("--trace needs a file name")?.clone());
            }
            s if s.starts_with('-') => return Err(format!("unknown flag {s:?}")),
            s => {
                if f.file.is_some() {
                    return Err(format!("unexpected extra argument {s:?}"));
                }
                f.file = Some(s.to_string());
            }
        }
    }
    if f.file.is_none() {
        return Err("missing scenario file".into());
    }
    Ok(f)
}

/// Loads a scenario from a path, or from the bundled list by name.
pub fn load(file: &str) -> Result<Scenario, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => match builtin::find(file) {
            Some((_, t)) => t.to_string(),
            None => return Err(format!("{file}: cannot read: {e}")),
        },
    };
    scenario::parse_scenario(file, &text).map_err(|e| e.to_string())
}

/// `streamlab run ...`; returns the exit code.
pub fn run_command(args: &[String]) -> i32 {
    let flags = match parse_flags(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("streamlab run: {e}\n{USAGE}");
            return 2;
        }
    };
    let file = flags.file.clone().unwrap_or_default();
    let scenario = match load(&file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    execute(Arc::new(scenario), &flags)
}

fn execute(scenario: Arc<Scenario>, flags: &Flags) -> i32 {
    let narrate = !flags.json && !flags.quiet;
    let opts = RunOptions {
        seed: flags.seed,
        until_ms: flags.until_ms,
        keep_trace: narrate || flags.trace.is_some(),
        ..RunOptions::default()
    };
    let mut trace_out = match &flags.trace {
        None => None,
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("--trace {path}: cannot create: {e}");
                return 2;
            }
        },
    };
    let mut sim = Simulation::new(scenario.clone(), opts);
    let names = sim.actor_names().to_vec();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if narrate {
        let m = &scenario.meta;
        let _ = writeln!(
            out,
            "== {} {} (seed {})\n   {}\n",
            m.id,
            m.title,
            sim.seed(),
            m.learning_goal
        );
    }
    let progress = std::io::stderr().is_terminal() && !(narrate && std::io::stdout().is_terminal());
    let end = sim.end_ms().max(1);
    let mut shown_pct = 0;
    let mut setup_steps = 0u64;
    while sim.step() {
        for r in sim.ctx.trace.drain_records() {
            if narrate && r.who == Who::Setup {
                // Preloads can be thousands of XADDs: one line says it all.
                setup_steps += 1;
            } else if narrate {
                if setup_steps > 0 {
                    let _ = writeln!(
                        out,
                        "t=       0ms  setup      # {setup_steps} commands: configuration, preloaded entries, groups (see --trace)"
                    );
                    setup_steps = 0;
                }
                let _ = write!(out, "{}", narrate_step(&r, &names));
            }
            if let Some(t) = trace_out.as_mut() {
                let _ = writeln!(t, "{}", r.line(&names));
            }
        }
        if progress {
            let pct = sim.now_ms() * 100 / end;
            if pct > shown_pct {
                shown_pct = pct;
                eprint!("\r[{:<50}] {pct:>3}%", "#".repeat((pct / 2) as usize));
            }
        }
    }
    if progress && shown_pct > 0 {
        eprintln!();
    }
    let outcome = Outcome::of(&sim);
    if flags.json {
        let _ = writeln!(out, "{}", outcome.to_json());
    } else {
        let _ = write!(out, "{}", summary(&outcome));
    }
    let _ = out.flush();
    if let Some(mut t) = trace_out {
        let _ = t.flush();
    }
    if flags.check && !outcome.passed {
        eprintln!("{}: expectations failed:", outcome.scenario);
        for f in outcome.failures() {
            eprintln!("{f}");
        }
        eprintln!(
            "reproduce with: streamlab run <file> --seed {} --check",
            outcome.seed
        );
        return 1;
    }
    0
}

/// One step as the transcript shows it: time, who, command, reply as
/// redis-cli prints it, and the caption.
pub fn narrate_step(r: &StepRecord, names: &[String]) -> String {
    let who = r.who_name(names);
    let head = format!("t={:>8}ms  {:<10}", r.time_ms, who);
    let mut s = String::new();
    match (&r.command, &r.reply) {
        (Some(cmd), reply) => {
            s.push_str(&format!(
                "{head} > {}\n",
                streamlab::sim::trace::command_text(cmd)
            ));
            if let Some(reply) = reply {
                for line in reply.to_cli_text().lines() {
                    s.push_str(&format!("{:26}{line}\n", ""));
                }
            }
            if !matches!(r.note, streamlab::sim::trace::Note::Plain) {
                s.push_str(&format!("{:26}# {}\n", "", r.caption(names)));
            }
        }
        (None, _) => {
            let mark = if r.who == Who::Narrator { "»" } else { "#" };
            // The head already names who acted; free text needs no prefix.
            let text = match &r.note {
                streamlab::sim::trace::Note::Text(t) => t.clone(),
                _ => r.caption(names),
            };
            s.push_str(&format!("{head} {mark} {text}\n"));
        }
    }
    s
}

/// The end-of-run summary.
pub fn summary(o: &Outcome) -> String {
    let mut s = format!(
        "\n== {} finished: seed {}, {} steps, t={} ms, trace {}\n",
        o.scenario, o.seed, o.steps, o.final_time_ms, o.trace_hash
    );
    for (name, l) in [("redis", &o.redis), ("kafka", &o.kafka)] {
        if l.produced_acked == 0 && l.completed == 0 {
            continue;
        }
        s.push_str(&format!(
            "   {name}: produced_acked {}, completed {}, duplicates {}, lost {}, log_lost {}, phantom {}, redelivered_msgs {}, redeliveries {}\n",
            l.produced_acked, l.completed, l.duplicates, l.lost, l.log_lost, l.phantom, l.redelivered_msgs, l.redeliveries
        ));
    }
    let passed = o.expectations.iter().filter(|e| e.pass).count();
    s.push_str(&format!(
        "   expectations: {passed}/{} passed\n",
        o.expectations.len()
    ));
    for e in &o.expectations {
        let mark = if e.pass { "ok  " } else { "FAIL" };
        s.push_str(&format!(
            "   {mark} at {:<8} {} {} (observed {})\n",
            e.at, e.metric, e.expected, e.observed
        ));
    }
    s
}

/// `streamlab scenarios`.
pub fn list_scenarios() -> i32 {
    for (file, text) in builtin::ALL {
        match scenario::parse_scenario(file, text) {
            Ok(s) => println!("{:<6} {:<40} {}", s.meta.id, file, s.meta.title),
            Err(e) => println!("{file}: {e}"),
        }
    }
    0
}

/// `streamlab` without arguments: the Kafka-vs-PEL example, narrated.
pub fn default_replay() -> i32 {
    let Some((file, text)) = builtin::find(builtin::DEFAULT) else {
        eprintln!("the default scenario {} is not bundled", builtin::DEFAULT);
        return 2;
    };
    match scenario::parse_scenario(file, text) {
        Ok(s) => execute(Arc::new(s), &Flags::default()),
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}
