//! The `streamlab` command line.
//!
//! ```text
//!   streamlab                                  cli::explore::main   (the explorer on S02)
//!   streamlab explore [SCENARIO] [--seed N] [--step N|end] | --link URL
//!                                              cli::explore::main   (replay when there is no display)
//!   streamlab run SCENARIO [flags]             cli::run             (a path or a bundled id: S08)
//!   streamlab replay [SCENARIO] [--full]       cli::run             (narrated; default S02)
//!   streamlab scenarios                        cli::run::list_scenarios
//!   streamlab serve [--port N] [--bind ADDR]   streamlab::server
//!   streamlab help [COMMAND] | --help | --version
//! ```
//!
//! Parsing is clap's derive: a mistake names the argument and exits 2,
//! help and version go to stdout and exit 0. Everything after parsing
//! returns an exit code; nothing here panics on user input.

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;

mod cli;

use streamlab::alloc_counter::CountingAllocator;

/// Counts live heap bytes for `INFO memory` (see `alloc_counter`).
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

/// A Redis Streams lab: a Redis 7.0.15 stream engine, a RESP2 server and a
/// deterministic simulator of producers, consumer groups and faults.
///
/// Without a command: the explorer on the default scenario S02 (Kafka
/// offsets vs the Redis PEL); without a display, its narrated replay.
#[derive(Parser, Debug)]
#[command(name = "streamlab", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

const EXAMPLES: &str = "\
Examples:
  streamlab run S08                         narrated run of a bundled scenario
  streamlab run scenarios/s05_trim_vs_pel.ron --check
  streamlab scenarios | head -5
  streamlab serve --port 6380 &
  redis-cli -p 6380 XADD s '*' amount 50";

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the explorer on a scenario (the narrated replay without a display).
    Explore(ExploreArgs),
    /// Run a scenario: narrated transcript and outcome, or JSON, or a check.
    Run(RunArgs),
    /// Replay a scenario narrated for reading aloud (default: S02).
    Replay(ReplayArgs),
    /// List the bundled scenarios: id, file, title.
    Scenarios,
    /// Serve the engine over RESP2 on TCP (redis-cli and any client work).
    Serve(ServeArgs),
}

/// Flags of `streamlab run`.
#[derive(Args, Debug)]
#[command(
    after_help = "SCENARIO is a .ron file or a bundled scenario by id or file name \
(S08, s08, s08_failover_loss); `streamlab scenarios` lists them."
)]
struct RunArgs {
    /// A .ron file, or a bundled scenario's id (S08) or file name.
    #[arg(value_name = "SCENARIO")]
    scenario: String,
    /// Seed of the run's random draws (default: the scenario's own).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Stop at this virtual time instead of the scenario's duration.
    #[arg(long = "until", value_name = "MS")]
    until_ms: Option<u64>,
    /// Exit 1 and print the differences if an expectation fails.
    #[arg(long)]
    check: bool,
    /// Print the outcome as JSON instead of the narration.
    #[arg(long)]
    json: bool,
    /// No narration, only the summary.
    #[arg(long)]
    quiet: bool,
    /// Print every step; by default the steady state is folded into one
    /// line per stretch.
    #[arg(long)]
    full: bool,
    /// Write one line per step into FILE.
    #[arg(long, value_name = "FILE")]
    trace: Option<String>,
}

/// Flags of `streamlab explore`.
#[derive(Args, Debug)]
struct ExploreArgs {
    /// A .ron file, or a bundled scenario's id or file name (default: S02).
    #[arg(value_name = "SCENARIO")]
    scenario: Option<String>,
    /// Seed of the run's random draws (default: the scenario's own).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Open at this step (`end`: the run's last step).
    #[arg(long, value_name = "N|end", value_parser = parse_step)]
    step: Option<u64>,
    /// Open what a link copied from the explorer names (the web page's
    /// URL or its `?scenario=…` part): scenario, seed, step and branch.
    #[arg(long, value_name = "URL", conflicts_with_all = ["scenario", "seed", "step"],
          value_parser = parse_link)]
    link: Option<streamlab::view::Link>,
}

fn parse_link(s: &str) -> Result<streamlab::view::Link, String> {
    streamlab::view::Link::parse(s)
}

fn parse_step(s: &str) -> Result<u64, String> {
    if s == "end" {
        return Ok(u64::MAX);
    }
    s.parse()
        .map_err(|_| format!("'{s}' is neither a step number nor 'end'"))
}

/// Flags of `streamlab replay`.
#[derive(Args, Debug)]
struct ReplayArgs {
    /// A .ron file, or a bundled scenario's id or file name (default: S02).
    #[arg(value_name = "SCENARIO")]
    scenario: Option<String>,
    /// Print every step instead of folding the steady state.
    #[arg(long)]
    full: bool,
}

/// Flags of `streamlab serve`.
#[derive(Args, Debug)]
struct ServeArgs {
    /// TCP port; 0 picks a free one.
    #[arg(short, long, default_value_t = 6379)]
    port: u16,
    /// IP address to listen on.
    #[arg(short, long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
}

fn main() -> ExitCode {
    let parsed = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version are "errors" to clap; they print to stdout
            // and exit 0. A closed stdout must not turn that into a panic.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match parsed.command {
        None => cli::explore::main(cli::explore::Request::default()),
        Some(Command::Explore(a)) => cli::explore::main(cli::explore::Request {
            scenario: a.scenario,
            seed: a.seed,
            step: a.step,
            link: a.link,
        }),
        Some(Command::Run(a)) => cli::run::run(
            &a.scenario,
            &cli::run::Flags {
                seed: a.seed,
                until_ms: a.until_ms,
                check: a.check,
                json: a.json,
                quiet: a.quiet,
                full: a.full,
                trace: a.trace,
            },
        ),
        Some(Command::Replay(a)) => cli::run::replay(a.scenario.as_deref(), a.full),
        Some(Command::Scenarios) => cli::run::list_scenarios(),
        Some(Command::Serve(a)) => serve_command(&a),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

#[cfg(not(target_arch = "wasm32"))]
fn serve_command(args: &ServeArgs) -> i32 {
    use streamlab::server::{ServeConfig, serve};

    let config = ServeConfig {
        port: args.port,
        bind: args.bind,
    };
    match serve(&config) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "streamlab: cannot serve on {}:{}: {e}",
                config.bind, config.port
            );
            1
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn serve_command(_args: &ServeArgs) -> i32 {
    eprintln!("streamlab: serve is not available on this target");
    2
}
