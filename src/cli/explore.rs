//! The front door: `streamlab` with no arguments opens the explorer on S02;
//! without a display (or without the `gui` feature) it says so in one line
//! and plays the narrated terminal replay instead.

/// Runs the explorer, or the replay when no window can be opened.
pub fn main() -> i32 {
    #[cfg(feature = "gui")]
    {
        if !has_display() {
            println!(
                "no display; showing the narrated replay; the web demo is built by web/build.sh and served from web/dist/"
            );
        } else {
            match streamlab::gui::run_native("S02", None) {
                Ok(()) => return 0,
                Err(e) => {
                    eprintln!("streamlab: the explorer window could not open ({e}); showing the narrated replay")
                }
            }
        }
    }
    super::run::default_replay()
}

/// An X11 or Wayland display to open a window on.
#[cfg(feature = "gui")]
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
