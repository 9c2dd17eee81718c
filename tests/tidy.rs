//! Source-tree lint: the determinism and layering rules, checked as a test.
//!
//! ```text
//!   src/engine/**   no clock, no OS randomness, no hash maps, no threads,
//!                   and nothing from the layers above it
//!   src/sim/**      same determinism bans; no server or GUI
//!   src/scenario/** same as sim, and nothing from src/sim: the arrow runs
//!                   sim ──▶ scenario (the simulator reads scenarios)
//!   src/**          no file over 600 lines
//! ```
//!
//! Rust has no per-module dependency rules inside one crate, so the rules
//! are read off the source text. Comment lines are skipped; every finding
//! prints `file:line`, the banned text, and what to use instead.

use std::fs;
use std::path::{Path, PathBuf};

/// A banned piece of source text and its replacement.
struct Ban {
    text: &'static str,
    instead: &'static str,
}

const DETERMINISM: &[Ban] = &[
    Ban {
        text: "std::time",
        instead: "take time as an argument (ExecContext::now_ms / the sim's virtual clock)",
    },
    Ban {
        text: "Instant",
        instead: "take time as an argument (now_ms: u64)",
    },
    Ban {
        text: "SystemTime",
        instead: "take time as an argument (now_ms: u64)",
    },
    Ban {
        text: "thread_rng",
        instead: "the seeded simulator RNG (SimRng::fork)",
    },
    Ban {
        text: "rand::rng",
        instead: "the seeded simulator RNG (SimRng::fork)",
    },
    Ban {
        text: "rand::random",
        instead: "the seeded simulator RNG (SimRng::fork)",
    },
    Ban {
        text: "HashMap",
        instead: "BTreeMap (deterministic iteration order)",
    },
    Ban {
        text: "HashSet",
        instead: "BTreeSet (deterministic iteration order)",
    },
    Ban {
        text: "std::thread",
        instead: "single-threaded stepping; no threads below the server",
    },
];

const ENGINE_LAYERS: &[Ban] = &[
    Ban {
        text: "crate::sim",
        instead: "nothing: the engine knows no layer above it",
    },
    Ban {
        text: "crate::scenario",
        instead: "nothing: the engine knows no layer above it",
    },
    Ban {
        text: "crate::server",
        instead: "nothing: the engine knows no layer above it",
    },
    Ban {
        text: "crate::gui",
        instead: "nothing: the engine knows no layer above it",
    },
    Ban {
        text: "crate::view",
        instead: "nothing: the engine knows no layer above it",
    },
    Ban {
        text: "egui",
        instead: "nothing: only src/gui names the GUI toolkit",
    },
    Ban {
        text: "eframe",
        instead: "nothing: only src/gui names the GUI toolkit",
    },
];

const SIM_LAYERS: &[Ban] = &[
    Ban {
        text: "crate::server",
        instead: "drive the engine through Db::execute, not the TCP server",
    },
    Ban {
        text: "crate::gui",
        instead: "nothing: the GUI reads the simulator, not the other way round",
    },
    Ban {
        text: "crate::view",
        instead: "nothing: the view reads the simulator, not the other way round",
    },
    Ban {
        text: "egui",
        instead: "nothing: only src/gui names the GUI toolkit",
    },
];

/// The view models: plain data read from the simulator, no GUI toolkit, so
/// they are unit-tested and identical in the browser.
const VIEW_LAYERS: &[Ban] = &[
    Ban {
        text: "crate::gui",
        instead: "nothing: the view is what the GUI reads, it knows no GUI",
    },
    Ban {
        text: "crate::server",
        instead: "read the simulator, not the TCP server",
    },
    Ban {
        text: "egui",
        instead: "plain data: only src/gui names the GUI toolkit",
    },
    Ban {
        text: "eframe",
        instead: "plain data: only src/gui names the GUI toolkit",
    },
];

const SCENARIO_LAYERS: &[Ban] = &[Ban {
    text: "crate::sim",
    instead: "nothing: the simulator reads scenarios, not the other way round \
              (what the schema needs lives in src/scenario)",
}];

const MAX_FILE_LINES: usize = 600;

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Finds `ban` in `line` as a whole path or identifier: not glued to a
/// longer identifier on either side (`Instant` does not match
/// `Instantiate`, `crate::sim` does not match `crate::simple`).
fn contains_token(line: &str, ban: &str) -> bool {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(offset) = line[from..].find(ban) {
        let start = from + offset;
        let end = start + ban.len();
        let before_ok = start == 0 || !is_ident_byte(bytes[start - 1]);
        let after_ok = end == bytes.len() || !is_ident_byte(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        from = start + 1;
    }
    false
}

/// True for lines that are only a comment (`//`, `///`, `//!`, block
/// comment bodies).
fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
}

/// Every violation in one file's text, as `path:line: message`.
fn check_text(path: &str, text: &str, bans: &[&[Ban]]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if is_comment(line) {
            continue;
        }
        for ban in bans.iter().flat_map(|group| group.iter()) {
            if contains_token(line, ban.text) {
                found.push(format!(
                    "{path}:{}: `{}` is banned here; use {}",
                    i + 1,
                    ban.text,
                    ban.instead
                ));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn banned_apis_stay_out_of_the_deterministic_layers() {
    let layers: [(&str, Vec<&[Ban]>); 4] = [
        ("src/engine", vec![DETERMINISM, ENGINE_LAYERS]),
        ("src/sim", vec![DETERMINISM, SIM_LAYERS]),
        (
            "src/scenario",
            vec![DETERMINISM, SIM_LAYERS, SCENARIO_LAYERS],
        ),
        ("src/view", vec![DETERMINISM, VIEW_LAYERS]),
    ];
    let mut violations = Vec::new();
    let mut files_checked = 0;
    for (dir, bans) in &layers {
        let mut files = Vec::new();
        rust_files(&root().join(dir), &mut files);
        for file in files {
            let text = fs::read_to_string(&file).unwrap_or_default();
            let shown = file
                .strip_prefix(root())
                .unwrap_or(&file)
                .display()
                .to_string();
            violations.extend(check_text(&shown, &text, bans));
            files_checked += 1;
        }
    }
    assert!(
        files_checked > 0,
        "tidy found no source files under src/engine"
    );
    assert!(violations.is_empty(), "tidy:\n{}", violations.join("\n"));
}

#[test]
fn source_files_stay_short() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = fs::read_to_string(file).ok()?.lines().count();
            (lines > MAX_FILE_LINES).then(|| {
                let shown = file.strip_prefix(root()).unwrap_or(file).display();
                format!("{shown}: {lines} lines (limit {MAX_FILE_LINES}); split it by concept")
            })
        })
        .collect();
    assert!(long.is_empty(), "tidy:\n{}", long.join("\n"));
}

#[test]
fn the_checker_catches_what_it_should_and_nothing_else() {
    let text = "\
use std::collections::HashMap;
// HashMap in a comment is fine
    /// so is Instant in a doc
let t = Instantiate::new();
let s = crate::simple::x();
let n = std::time::Instant::now();
use crate::sim::Simulation;
";
    let found = check_text("x.rs", text, &[DETERMINISM, ENGINE_LAYERS]);
    assert_eq!(
        found
            .iter()
            .map(|f| f.split(": ").next().unwrap_or(""))
            .collect::<Vec<_>>(),
        vec!["x.rs:1", "x.rs:6", "x.rs:6", "x.rs:7"],
        "{found:#?}"
    );
    assert!(found[0].contains("BTreeMap"));
}

#[test]
fn the_scenario_layer_may_not_reach_into_the_simulator() {
    let text = "\
//! sim::kafka re-exports this module
use super::kafka::KafkaConfig;
pub kafka: Option<crate::sim::kafka::KafkaConfig>,
";
    let found = check_text("schema.rs", text, &[SCENARIO_LAYERS]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("schema.rs:3: `crate::sim`"),
        "{found:#?}"
    );
}
