//! The `run` and `scenarios` commands as a user meets them: exit codes,
//! error messages, JSON fields.
//!
//! ```text
//!   streamlab run GOOD --check --quiet   ─▶ 0
//!   streamlab run GOOD --json            ─▶ 0, JSON with scenario/seed/steps/final_time_ms/trace_hash/redis/kafka
//!   streamlab run BAD.ron | --bogus      ─▶ 2, "file:line:col: ..." / "unexpected argument '--bogus'"
//!   streamlab run FAILING --check        ─▶ 1, the failed expectation on stderr
//! ```

use std::process::Command;

fn streamlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_streamlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("streamlab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path.to_string_lossy().into_owned()
}

#[test]
fn check_passes_on_a_bundled_scenario() {
    let (code, out, err) = streamlab(&[
        "run",
        "scenarios/s01_crash_and_reclaim.ron",
        "--check",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("20/20 passed"), "{out}");
}

#[test]
fn json_has_the_documented_fields() {
    let (code, out, _) = streamlab(&["run", "s02_kafka_vs_pel", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["scenario"], "S02");
    assert_eq!(v["seed"], 2);
    assert!(v["steps"].as_u64().is_some_and(|s| s > 50));
    assert_eq!(v["final_time_ms"], 60000);
    assert_eq!(v["trace_hash"].as_str().map(str::len), Some(16));
    for side in ["redis", "kafka"] {
        for field in [
            "produced_acked",
            "completed",
            "duplicates",
            "log_lost",
            "lost",
            "unconsumed",
            "phantom",
            "redelivered_msgs",
            "redeliveries",
        ] {
            assert!(v[side][field].is_u64(), "{side}.{field} missing in {out}");
        }
    }
    assert_eq!(v["kafka"]["duplicates"], 2);
    assert_eq!(v["redis"]["redelivered_msgs"], 8);
}

#[test]
fn seed_and_until_flags_are_honoured() {
    let (code, out, _) = streamlab(&[
        "run",
        "s01_crash_and_reclaim",
        "--json",
        "--seed",
        "77",
        "--until",
        "5000",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["seed"], 77);
    assert_eq!(v["final_time_ms"], 5000);
}

#[test]
fn a_failing_expectation_exits_1_with_a_readable_diff() {
    let text = r#"Scenario(
  meta: (id: "T", title: "t", learning_goal: "g", seed: 1, duration_ms: 100),
  actors: [Producer(name: "p", stream: "s", schedule: (interval_ms: 10, count: 3))],
  expect: [(at: End, metric: "stream.s.xlen", op: Eq, value: 4, why: "deliberately wrong")],
)"#;
    let path = temp_file("fail.ron", text);
    let (code, _, err) = streamlab(&["run", &path, "--check", "--quiet"]);
    assert_eq!(code, 1);
    assert!(err.contains("stream.s.xlen expected == 4, got 3"), "{err}");
    assert!(err.contains("deliberately wrong"), "{err}");
}

#[test]
fn bad_files_and_flags_exit_2_with_a_position() {
    let path = temp_file(
        "bad.ron",
        "Scenario(\n  meta: (id: \"T\", titel: \"x\"),\n)",
    );
    let (code, _, err) = streamlab(&["run", &path]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.ron:2:"), "{err}");
    assert!(err.contains("titel"), "{err}");

    let (code, _, err) = streamlab(&["run", "scenarios/s01_crash_and_reclaim.ron", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--bogus'"), "{err}");

    let (code, _, err) = streamlab(&["run", "scenarios/s01_crash_and_reclaim.ron", "--seed", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'x' for '--seed"), "{err}");

    let (code, _, err) = streamlab(&["run", "no/such/file.ron"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn scenarios_lists_every_bundled_file_with_its_title() {
    let (code, out, _) = streamlab(&["scenarios"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("S01") && out.contains("Crashed consumer and XAUTOCLAIM recovery"),
        "{out}"
    );
    assert_eq!(out.lines().count(), streamlab::scenario::builtin::ALL.len());
}

#[test]
fn trace_flag_writes_one_line_per_step() {
    let path = temp_file("s07.trace", "");
    let (code, out, _) = streamlab(&["run", "s07_replay_setid", "--json", "--trace", &path]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let lines = std::fs::read_to_string(&path).expect("trace written");
    assert_eq!(lines.lines().count() as u64, v["steps"].as_u64().unwrap());
    assert!(
        lines
            .lines()
            .next()
            .unwrap()
            .starts_with("0 t=0 setup | XADD s 1-0 m 1")
    );
}

#[test]
fn the_trace_hash_does_not_depend_on_keeping_the_trace() {
    // --json keeps no records, --trace does: both must report one hash.
    let path = temp_file("s08.trace", "");
    for scenario in [
        "s08_failover_loss",
        "s02_kafka_vs_pel",
        "s09c_aof_everysec_power_loss",
    ] {
        let (_, quiet, _) = streamlab(&["run", scenario, "--json"]);
        let (_, traced, _) = streamlab(&["run", scenario, "--json", "--trace", &path]);
        let a: serde_json::Value = serde_json::from_str(&quiet).expect("json");
        let b: serde_json::Value = serde_json::from_str(&traced).expect("json");
        assert_eq!(a["trace_hash"], b["trace_hash"], "{scenario}");
        assert_eq!(a["steps"], b["steps"], "{scenario}");
    }
}

#[test]
fn bundled_scenarios_run_by_id_in_any_case() {
    for (file, text) in streamlab::scenario::builtin::ALL {
        let s = streamlab::scenario::parse_scenario(file, text).expect("bundled file parses");
        for id in [s.meta.id.clone(), s.meta.id.to_lowercase()] {
            let found = streamlab::scenario::builtin::find_id(&id).map(|(f, _)| f);
            assert_eq!(found, Some(*file), "{id}");
        }
    }
    let (code, out, err) = streamlab(&["run", "s08", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("== S08 finished"), "{out}");
    let (code, _, err) = streamlab(&["run", "S99"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("S99: cannot read") && err.contains("bundled"),
        "{err}"
    );
}

/// S08 is 122,000 steps: the default narration folds the steady state and
/// keeps the failover, the checks and their surroundings; --full keeps all.
#[test]
fn the_default_narration_folds_the_steady_state() {
    let (code, folded, _) = streamlab(&["run", "S08"]);
    assert_eq!(code, 0);
    let lines = folded.lines().count();
    assert!(lines < 200, "{lines} lines:\n{folded}");
    assert!(
        folded.contains("steps folded (--full shows them)"),
        "{folded}"
    );
    assert!(
        folded.contains("fault      # Redis process crashes"),
        "{folded}"
    );
    assert!(
        folded.contains("redis      # r1 promoted to primary"),
        "{folded}"
    );
    assert!(
        folded.contains("check      ✓ producer.p.acked == 6001"),
        "{folded}"
    );
    assert!(
        folded.contains("> XADD s * m 1\n"),
        "the opening steps are shown: {folded}"
    );
    assert!(folded.contains("expectations: 9/9 passed"), "{folded}");

    let (code, full, _) = streamlab(&["run", "S08", "--full"]);
    assert_eq!(code, 0);
    assert!(full.lines().count() > 100_000, "{}", full.lines().count());
    assert!(!full.contains("steps folded"));
    // Folding changes what is printed, never the run.
    let hash = |t: &str| {
        t.lines()
            .find(|l| l.contains("finished"))
            .map(str::to_string)
    };
    assert_eq!(hash(&folded), hash(&full));
}

#[test]
fn replay_narrates_the_default_or_the_named_scenario() {
    let (code, out, _) = streamlab(&["replay"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("== S02 "), "{out}");
    let (code, out, _) = streamlab(&["replay", "s05"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("== S05 "), "{out}");
    assert!(
        out.contains("more lines (--full shows them)"),
        "long replies are cut: {out}"
    );
}

/// Nobody consumes S08's Kafka topic: its records are unconsumed, not
/// lost, except the 25 the broker crash truncated; the JSON says "none"
/// for the consumer instead of printing zeros.
#[test]
fn a_side_without_a_consumer_reports_unconsumed_not_lost() {
    let (code, out, _) = streamlab(&["run", "S08", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["kafka"]["consumer"], "none", "{out}");
    assert_eq!(v["kafka"]["produced_acked"], 6001);
    assert_eq!(v["kafka"]["lost"], 25);
    assert_eq!(v["kafka"]["unconsumed"], 5976);
    assert!(v["kafka"].get("completed").is_none(), "{out}");
    assert_eq!(v["redis"]["completed"], 7000);
    assert!(v["redis"].get("consumer").is_none(), "{out}");

    let (_, text, _) = streamlab(&["run", "S13", "--quiet"]);
    assert!(
        text.contains("kafka: produced_acked 31000, no consumer: unconsumed 31000, lost 0"),
        "{text}"
    );
}

/// A link copied from the explorer runs like the file saved from the same
/// branch: `streamlab run '?scenario=S01&act=…'`.
#[test]
fn run_accepts_an_explorer_link() {
    let link = "?scenario=S01&seed=1&set=reaper.min_idle_ms%3A5000&act=40%3AFault%28CrashActor%28%22c2%22%29%29";
    let out = Command::new(env!("CARGO_BIN_EXE_streamlab"))
        .args(["run", link, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The same branch built by hand: S01 with min-idle 5 s and the crash.
    let (file, text) = streamlab::scenario::builtin::ALL
        .iter()
        .find(|(f, _)| f.starts_with("s01_"))
        .unwrap();
    let mut s = streamlab::scenario::parse_scenario(file, text).unwrap();
    s = streamlab::view::knobs::with_knob(
        &s,
        "reaper.min_idle_ms",
        &streamlab::view::knobs::KnobValue::Int(5000),
    )
    .unwrap();
    s.actions.push(streamlab::scenario::schema::ActionSpec {
        after_step: 40,
        action: streamlab::scenario::schema::Action::Fault(
            streamlab::scenario::schema::FaultKind::CrashActor("c2".into()),
        ),
    });
    let mut sim = streamlab::sim::Simulation::new(std::sync::Arc::new(s), Default::default());
    sim.run();
    let want = streamlab::sim::Outcome::of(&sim).trace_hash;
    assert_eq!(got["trace_hash"], want.as_str());
    // A link that does not read is exit 2 with the part named.
    let bad = Command::new(env!("CARGO_BIN_EXE_streamlab"))
        .args(["run", "?scenario=S01&act=oops"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("act 'oops'"));
}
