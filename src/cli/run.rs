//! `streamlab run SCENARIO|LINK [--seed N] [--until MS] [--check] [--json] [--quiet] [--full] [--trace FILE]`
//! and `streamlab replay [SCENARIO]`.
//!
//! ```text
//!   SCENARIO: path │ bundled id (S08) │ bundled file name
//!     ─read─▶ parse_scenario ─▶ Simulation ─step─▶ Narrator (folded │ --full) ─▶ Out
//!               │ error: file:line:col: message, exit 2          │ reader gone (| head): stop, exit 0
//!   end ─▶ summary │ JSON outcome ;  --check: failed expectations as a diff, exit 1
//! ```
//!
//! File reading lives here, never in the simulator, so the simulator stays
//! free of I/O and runs the same in wasm.

use super::narrate::Narrator;
use super::out::Out;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use streamlab::scenario::checks::At;
use streamlab::scenario::{self, Scenario, builtin};
use streamlab::sim::{Outcome, RunOptions, Simulation};

/// The options of `streamlab run` (parsed in src/main.rs).
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub seed: Option<u64>,
    pub until_ms: Option<u64>,
    pub check: bool,
    pub json: bool,
    pub quiet: bool,
    /// Print every step instead of folding the steady state.
    pub full: bool,
    pub trace: Option<String>,
}

/// Loads a scenario from a path, or a bundled one by id (`S08`, any case)
/// or file name, or what a link copied from the explorer names
/// (`?scenario=S01&act=…`: the bundled scenario with the branch's changes).
/// A path that exists wins over a bundled name.
pub fn load(name: &str) -> Result<Scenario, String> {
    if is_link(name) && std::fs::metadata(name).is_err() {
        return load_link(name);
    }
    let text = load_text(name)?;
    scenario::parse_scenario(name, &text).map_err(|e| e.to_string())
}

fn is_link(name: &str) -> bool {
    name.starts_with('?') || name.contains("?scenario=")
}

fn load_link(text: &str) -> Result<Scenario, String> {
    let link = streamlab::view::Link::parse(text).map_err(|e| format!("the link: {e}"))?;
    let base = load(&link.scenario)?;
    let lab = streamlab::view::Lab::from_link(Arc::new(base), &link)
        .map_err(|e| format!("the link's branch: {e}"))?;
    let mut scenario = (**lab.player.scenario()).clone();
    if let Some(seed) = link.seed {
        scenario.meta.seed = seed;
    }
    Ok(scenario)
}

/// The RON text behind `name`: a file, else a bundled scenario.
pub fn load_text(name: &str) -> Result<String, String> {
    match std::fs::read_to_string(name) {
        Ok(t) => Ok(t),
        Err(e) => match builtin::find_id(name).or_else(|| builtin::find(name)) {
            Some((_, t)) => Ok(t.to_string()),
            None => Err(format!(
                "{name}: cannot read: {e} (nor is it a bundled scenario; `streamlab scenarios` lists them)"
            )),
        },
    }
}

/// `streamlab run SCENARIO [flags]`; returns the exit code.
pub fn run(name: &str, flags: &Flags) -> i32 {
    match load(name) {
        Ok(s) => execute(Arc::new(s), flags),
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

/// `streamlab replay [SCENARIO]`: the narration alone (default S02).
pub fn replay(name: Option<&str>, full: bool) -> i32 {
    let flags = Flags {
        full,
        ..Flags::default()
    };
    run(name.unwrap_or(builtin::DEFAULT), &flags)
}

/// Runs a scenario built in memory (a link's branch) as `run` does a file.
pub fn run_scenario(scenario: Arc<Scenario>, flags: &Flags) -> i32 {
    execute(scenario, flags)
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
    let mut sim = match Simulation::try_new(scenario.clone(), opts) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("{}: {e}", scenario.meta.id);
            return 2;
        }
    };
    let names = sim.actor_names().to_vec();
    let mut out = Out::new();
    let mut narrator = Narrator::new(names.clone(), flags.full);
    if narrate {
        let m = &scenario.meta;
        out.line(&format!(
            "== {} {} (seed {})\n   {}\n",
            m.id,
            m.title,
            sim.seed(),
            m.learning_goal
        ));
    }
    let progress = std::io::stderr().is_terminal() && !(narrate && std::io::stdout().is_terminal());
    let end = sim.end_ms().max(1);
    let mut shown_pct = 0;
    let mut reported = vec![false; scenario.expect.len()];
    while sim.step() {
        for r in sim.ctx.trace.drain_records() {
            if let Some(t) = trace_out.as_mut() {
                let _ = writeln!(t, "{}", r.line(&names));
            }
            if narrate {
                narrator.step(r, &mut out);
            }
        }
        if narrate {
            for line in new_check_lines(&sim, &mut reported) {
                narrator.landmark(&line, &mut out);
            }
        }
        // Nobody reads any more and no file or exit code depends on the
        // rest of the run: stop quietly.
        if out.closed() && trace_out.is_none() && !flags.check {
            return if out.failed() { 1 } else { 0 };
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
    if narrate {
        narrator.finish(&mut out);
    }
    let outcome = Outcome::of(&sim);
    if flags.json {
        out.line(&outcome.to_json());
    } else {
        out.text(&summary(&outcome));
    }
    out.flush();
    if let Some(mut t) = trace_out
        && let Err(e) = t.flush()
    {
        eprintln!("--trace: cannot write: {e}");
        return 1;
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
    if out.failed() { 1 } else { 0 }
}

/// Narration lines for expectations checked mid-run (`at: At(ms)`) since
/// the last call; `End` checks appear in the summary instead.
fn new_check_lines(sim: &Simulation, reported: &mut [bool]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, done) in reported.iter_mut().enumerate() {
        if *done {
            continue;
        }
        let Some(Some(c)) = sim.results.get(i) else {
            continue;
        };
        *done = true;
        let e = &sim.scenario.expect[i];
        let observed = match &c.observed {
            Ok(v) => v.to_string(),
            Err(msg) => msg.clone(),
        };
        let expected = streamlab::sim::expect::describe(&e.op, e.value.as_ref());
        let mark = if c.pass { "✓" } else { "✗ FAILED:" };
        let at_ms = match e.at {
            At::At(t) => t,
            At::End => sim.now_ms(),
        };
        lines.push(format!(
            "t={at_ms:>8}ms  check      {mark} {} {expected} (observed {observed})",
            e.metric
        ));
    }
    lines
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
        if !l.has_consumer {
            s.push_str(&format!(
                "   {name}: produced_acked {}, no consumer: unconsumed {}, lost {}, log_lost {}\n",
                l.produced_acked, l.unconsumed, l.lost, l.log_lost
            ));
            continue;
        }
        s.push_str(&format!(
            "   {name}: produced_acked {}, completed {}, duplicates {}, lost {}, unconsumed {}, log_lost {}, phantom {}, redelivered_msgs {}, redeliveries {}\n",
            l.produced_acked, l.completed, l.duplicates, l.lost, l.unconsumed, l.log_lost, l.phantom, l.redelivered_msgs, l.redeliveries
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
    let mut out = Out::new();
    for (file, text) in builtin::ALL {
        match scenario::parse_scenario(file, text) {
            Ok(s) => out.line(&format!("{:<6} {:<40} {}", s.meta.id, file, s.meta.title)),
            Err(e) => out.line(&format!("{file}: {e}")),
        }
        if out.closed() {
            break;
        }
    }
    out.flush();
    if out.failed() { 1 } else { 0 }
}
