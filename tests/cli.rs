//! The command line: help, version, every bad-flag path exits 2 with a
//! message naming the flag (never a panic), and a reader that goes away
//! (`| head`) ends the output quietly.

use std::process::{Command, Output, Stdio};

fn streamlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_streamlab"))
        .args(args)
        .output()
        .expect("run streamlab")
}

#[test]
fn help_and_version_succeed() {
    let help = streamlab(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for command in ["run", "replay", "scenarios", "serve"] {
        assert!(
            text.contains(&format!("\n  {command} ")),
            "{command}: {text}"
        );
    }
    let version = streamlab(&["--version"]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("streamlab {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--bogus"], "'--bogus'"),
        (&["frobnicate"], "'frobnicate'"),
        (&["serve", "--verbose"], "'--verbose'"),
        (&["serve", "--port"], "'--port <PORT>'"),
        (&["serve", "--port", "70000"], "'--port"),
        (&["serve", "--port=-1"], "'--port"),
        (&["serve", "--bind", "localhost:1"], "'--bind"),
        (&["run"], "<SCENARIO>"),
        (&["run", "S01", "--until", "soon"], "'--until"),
        (&["replay", "S01", "S02"], "'S02'"),
        (&["scenarios", "--all"], "'--all'"),
    ];
    for (args, needle) in cases {
        let out = streamlab(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// The bare invocation replays the default scenario (S02), narrated.
#[test]
fn no_arguments_replays_the_default_scenario() {
    let out = streamlab(&[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("S02"), "{text}");
    assert!(text.contains("XREADGROUP"), "{text}");
}

/// `streamlab X --help` and `streamlab help X` print the same usage of X.
#[test]
fn every_command_has_help_both_ways() {
    for command in ["run", "replay", "scenarios", "serve"] {
        let usage = format!("Usage: streamlab {command}");
        for args in [vec![command, "--help"], vec!["help", command]] {
            let out = streamlab(&args);
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            assert!(text.contains(&usage), "{args:?}: {text}");
        }
    }
    let run = String::from_utf8_lossy(&streamlab(&["run", "--help"]).stdout).into_owned();
    for flag in [
        "--seed", "--until", "--check", "--json", "--quiet", "--full", "--trace",
    ] {
        assert!(run.contains(flag), "{flag}: {run}");
    }
}

/// Starts streamlab with its stdout connected to a pipe whose reading end
/// is closed at once: every write fails as under `| head` after it quit.
fn with_reader_gone(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run streamlab");
    drop(child.stdout.take());
    child.wait_with_output().expect("streamlab ends")
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    for args in [
        &["scenarios"][..],
        &["run", "S08"],
        &["run", "scenarios/s13_bridge_restart.ron", "--full"],
        &["run", "S02", "--json"],
        &["replay"],
        &["--help"],
    ] {
        let out = with_reader_gone(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

/// The same through a shell, as a reader would type it.
#[test]
fn piping_into_head_prints_the_head_and_no_panic() {
    let bin = env!("CARGO_BIN_EXE_streamlab");
    for (cmd, first) in [
        (format!("'{bin}' scenarios | head -3"), "S01 "),
        (format!("'{bin}' run S08 --full | head"), "== S08 "),
    ] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("sh runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stdout.starts_with(first), "{cmd}: {stdout}");
        assert!(!stderr.contains("panicked"), "{cmd}: {stderr}");
    }
}
