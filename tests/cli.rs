//! The command line: help, version, and every bad-flag path exits 2 with a
//! message naming the flag (never a panic).

use std::process::{Command, Output};

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
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("streamlab serve [--port N] [--bind ADDR]")
    );
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
        (&["serve", "--port"], "'--port' needs a value"),
        (&["serve", "--port", "70000"], "'--port'"),
        (&["serve", "--port=-1"], "'--port'"),
        (&["serve", "--bind", "localhost:1"], "'--bind'"),
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
