//! Every bundled scenario passes its own expectations and reproduces its
//! golden outcome and trace.
//!
//! ```text
//!   scenarios/X.ron ──run──▶ Outcome (pretty RON) ──compare──▶ tests/golden/X.outcome.ron
//!                        └──▶ trace lines          ──compare──▶ tests/golden/X.trace
//!   mismatch: X.outcome.new.ron / X.trace.new written next to the golden, first diff printed
//!   UPDATE_GOLDEN=1      rewrites the goldens that differ;  UPDATE_GOLDEN=force rewrites all
//! ```
//!
//! Long runs keep only the first TRACE_LINES lines of their trace in the
//! golden; the outcome's trace_hash covers every step.

use std::path::PathBuf;
use std::sync::Arc;
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::{Outcome, RunOptions, Simulation};

const TRACE_LINES: usize = 3000;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn run(file: &str, text: &str) -> (Outcome, String) {
    let scenario = parse_scenario(file, text).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(
        Arc::new(scenario),
        RunOptions {
            keep_trace: true,
            ..RunOptions::default()
        },
    );
    let names = sim.actor_names().to_vec();
    let mut lines = Vec::new();
    let mut total = 0usize;
    while sim.step() {
        for r in sim.ctx.trace.drain_records() {
            total += 1;
            if lines.len() < TRACE_LINES {
                lines.push(r.line(&names));
            }
        }
    }
    let outcome = Outcome::of(&sim);
    let mut trace = lines.join("\n");
    trace.push('\n');
    if total > TRACE_LINES {
        trace.push_str(&format!(
            "... {} more steps (trace_hash {} covers all {total})\n",
            total - TRACE_LINES,
            outcome.trace_hash
        ));
    }
    (outcome, trace)
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}:\n  golden: {w}\n  now:    {g}", i + 1);
        }
    }
    format!(
        "lengths differ: golden {} lines, now {} lines",
        want.lines().count(),
        got.lines().count()
    )
}

/// Compares `got` with the golden file; returns an error text on mismatch.
fn check_golden(name: &str, got: &str) -> Result<(), String> {
    let path = golden_dir().join(name);
    let mode = std::env::var("UPDATE_GOLDEN").unwrap_or_default();
    let want = std::fs::read_to_string(&path).ok();
    if mode == "force" || (mode == "1" && want.as_deref() != Some(got)) {
        std::fs::create_dir_all(golden_dir()).map_err(|e| e.to_string())?;
        std::fs::write(&path, got).map_err(|e| e.to_string())?;
        return Ok(());
    }
    match want {
        Some(w) if w == got => {
            let _ = std::fs::remove_file(path.with_extension(new_ext(name)));
            Ok(())
        }
        Some(w) => {
            let new = path.with_extension(new_ext(name));
            let _ = std::fs::write(&new, got);
            Err(format!(
                "{name} differs from its golden ({}); new output in {}; rerun with UPDATE_GOLDEN=1 to accept",
                first_difference(&w, got),
                new.display()
            ))
        }
        None => Err(format!(
            "{name} has no golden yet; run UPDATE_GOLDEN=1 cargo test --test scenarios"
        )),
    }
}

fn new_ext(name: &str) -> &'static str {
    if name.ends_with(".outcome.ron") {
        "new.ron"
    } else {
        "trace.new"
    }
}

#[test]
fn every_bundled_scenario_meets_its_expectations_and_goldens() {
    let mut failures = Vec::new();
    for (file, text) in builtin::ALL {
        let (outcome, trace) = run(file, text);
        if !outcome.passed {
            failures.push(format!(
                "{file} (seed {}): expectations failed:\n{}",
                outcome.seed,
                outcome.failures().join("\n")
            ));
        }
        let stem = file.trim_end_matches(".ron");
        if let Err(e) = check_golden(&format!("{stem}.outcome.ron"), &outcome.to_ron()) {
            failures.push(e);
        }
        if let Err(e) = check_golden(&format!("{stem}.trace"), &trace) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn every_file_in_scenarios_is_bundled() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    on_disk.sort();
    let mut bundled: Vec<String> = builtin::ALL.iter().map(|(f, _)| f.to_string()).collect();
    bundled.sort();
    assert_eq!(
        on_disk, bundled,
        "src/scenario/builtin.rs must list every scenario file"
    );
    for (file, text) in builtin::ALL {
        let disk = std::fs::read_to_string(dir.join(file)).expect("readable");
        assert_eq!(&disk, text, "{file}");
    }
}

#[test]
fn the_default_scenario_is_bundled_and_is_s02() {
    let (file, text) = builtin::find(builtin::DEFAULT).expect("bundled");
    let s = parse_scenario(file, text).expect("parses");
    assert_eq!(s.meta.id, "S02");
}
