//! The `streamlab` command line.
//!
//! ```text
//!   streamlab                                  replay the default scenario (S02), narrated
//!   streamlab run FILE.ron [flags]             run a scenario (src/cli/run.rs)
//!   streamlab scenarios                        list the bundled scenarios
//!   streamlab serve [--port N] [--bind ADDR]   RESP2 server (src/server)
//!   streamlab --help | --version
//! ```
//!
//! Hand-written parsing: the surface is tiny, and every mistake gets a
//! message naming the offending flag and exit code 2, never a panic.

use std::process::ExitCode;

mod cli;

use streamlab::alloc_counter::CountingAllocator;

/// Counts live heap bytes for `INFO memory` (see `alloc_counter`).
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const USAGE: &str = "\
streamlab: a Redis Streams lab (engine, server, simulator)

Usage:
  streamlab                                  replay the default scenario (Kafka offsets vs PEL)
  streamlab run FILE.ron [--seed N] [--until MS] [--check] [--json] [--trace FILE]
                                             run a scenario and print its narrated transcript
  streamlab scenarios                        list the bundled scenarios
  streamlab serve [--port N] [--bind ADDR]   serve RESP2 on ADDR:N (default 127.0.0.1:6379)
  streamlab --help                           show this help
  streamlab --version                        show the version

Example:
  streamlab serve --port 6380 &
  redis-cli -p 6380 XADD s '*' amount 50
";

/// A command-line mistake: the message for stderr, exit code 2.
struct UsageError(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("streamlab: {message}");
            eprintln!("Try 'streamlab --help'.");
            ExitCode::from(2)
        }
    }
}

/// The one place subcommands are chosen.
fn dispatch(args: &[String]) -> Result<ExitCode, UsageError> {
    if let Some(code) = cli::dispatch(args) {
        return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
    }
    let Some(first) = args.first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let rest = &args[1..];
    match first.as_str() {
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        "-V" | "--version" | "version" => {
            println!("streamlab {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        "serve" => serve_command(rest),
        other if other.starts_with('-') => Err(UsageError(format!("unknown flag '{other}'"))),
        other => Err(UsageError(format!("unknown command '{other}'"))),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn serve_command(args: &[String]) -> Result<ExitCode, UsageError> {
    use streamlab::server::{ServeConfig, serve};

    let mut config = ServeConfig::default();
    let mut i = 0;
    while i < args.len() {
        let (flag, inline_value) = match args[i].split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (args[i].as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, UsageError> {
            if let Some(v) = inline_value.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| UsageError(format!("flag '{name}' needs a value")))
        };
        match flag {
            "--port" | "-p" => {
                let v = value(flag)?;
                config.port = v.parse().map_err(|_| {
                    UsageError(format!(
                        "flag '{flag}': '{v}' is not a port number (0-65535)"
                    ))
                })?;
            }
            "--bind" | "-b" => {
                let v = value(flag)?;
                config.bind = v.parse().map_err(|_| {
                    UsageError(format!("flag '{flag}': '{v}' is not an IP address"))
                })?;
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(UsageError(format!("serve: unknown flag '{other}'"))),
        }
        i += 1;
    }
    match serve(&config) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!(
                "streamlab: cannot serve on {}:{}: {e}",
                config.bind, config.port
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn serve_command(_args: &[String]) -> Result<ExitCode, UsageError> {
    Err(UsageError("serve is not available on this target".into()))
}
