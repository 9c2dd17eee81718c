//! The front door: `streamlab` (or `streamlab explore [SCENARIO]`) opens
//! the explorer; without a display, or in a build without the `gui`
//! feature, it says so in one line and plays the narrated replay instead.
//!
//! ```text
//!   streamlab [explore [SCENARIO] [--seed N] [--step N|end] | --link URL]
//!     ├─ SCENARIO: a .ron file or a bundled id (default S02); a bad file: file:line:column, exit 2
//!     ├─ display  ─▶ gui::run_native ─▶ the window
//!     └─ none     ─▶ "no display; …" ─▶ run::replay (exit 0)
//! ```

use streamlab::scenario::{builtin, parse_scenario};

/// What to open.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// A .ron file or a bundled scenario's id; S02 when `None`.
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    /// Steps to go to once loaded (`u64::MAX`: the end).
    pub step: Option<u64>,
    /// A link copied from the explorer (a bundled scenario and a branch).
    pub link: Option<streamlab::view::Link>,
}

/// Runs the explorer, or the replay when no window can be opened.
pub fn main(req: Request) -> i32 {
    if let Some(link) = req.link {
        return open_link(link);
    }
    let name = req
        .scenario
        .clone()
        .unwrap_or_else(|| builtin::DEFAULT.to_string());
    let text = match super::run::load_text(&name) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    if let Err(e) = parse_scenario(&name, &text) {
        eprintln!("{e}");
        return 2;
    }
    #[cfg(feature = "gui")]
    {
        if !has_display() {
            println!(
                "no display; showing the narrated replay; the web demo: web/build.sh --serve, then http://127.0.0.1:8765/"
            );
        } else {
            match streamlab::gui::run_native(&name, &text, req.seed, req.step) {
                Ok(()) => return 0,
                Err(e) => {
                    eprintln!(
                        "streamlab: the explorer window could not open ({e}); showing the narrated replay"
                    )
                }
            }
        }
    }
    #[cfg(not(feature = "gui"))]
    println!("built without the explorer (--no-default-features); showing the narrated replay");
    // The narrated replay of the same run (the seed honoured); it tells the
    // whole run, so a `--step` has nothing to select there.
    let _ = req.step;
    let flags = super::run::Flags {
        seed: req.seed,
        ..super::run::Flags::default()
    };
    super::run::run(&name, &flags)
}

/// Opens a link's branch: the window, or without one the branch's
/// narrated replay (its scenario with the link's changes and actions).
fn open_link(link: streamlab::view::Link) -> i32 {
    let Some((file, text)) = builtin::ALL.iter().find(|(f, _)| {
        f.split('_')
            .next()
            .is_some_and(|id| id.eq_ignore_ascii_case(&link.scenario))
    }) else {
        eprintln!(
            "streamlab: the link names no bundled scenario '{}'",
            link.scenario
        );
        return 2;
    };
    let base = match parse_scenario(file, text) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let lab = match streamlab::view::Lab::from_link(base, &link) {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("streamlab: the link's branch does not apply: {e}");
            return 2;
        }
    };
    #[cfg(feature = "gui")]
    if has_display() {
        match streamlab::gui::run_native_link(&link) {
            Ok(()) => return 0,
            Err(e) => eprintln!(
                "streamlab: the explorer window could not open ({e}); showing the narrated replay"
            ),
        }
    }
    println!("no window; showing the narrated replay of the link's run");
    super::run::run_scenario(
        lab.player.scenario().clone(),
        &super::run::Flags {
            seed: link.seed,
            ..super::run::Flags::default()
        },
    )
}

/// An X11 or Wayland display to open a window on.
#[cfg(feature = "gui")]
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
