//! The `?` overlay: every key, and what the marks on screen mean.

use egui::{RichText, Ui};

/// (keys, what they do)
pub const KEYS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("→ / ←", "one step forward / back (exact)"),
    ("Shift + → / ←", "ten steps"),
    ("Home / End", "start / end of the run"),
    ("[ / ]", "slower / faster"),
    ("c / f", "next caption / next fault"),
    (
        "1 … 5",
        "Stream, Groups & PEL, Kafka vs PEL, Plots, Replication & disk",
    ),
    ("?", "this help (Esc closes it)"),
];

pub fn show(ui: &mut Ui) {
    ui.heading("Keys");
    egui::Grid::new("help-keys").num_columns(2).show(ui, |ui| {
        for (k, what) in KEYS {
            ui.label(RichText::new(*k).monospace().strong());
            ui.label(*what);
            ui.end_row();
        }
    });
    ui.separator();
    ui.heading("Marks");
    ui.label("▲ on the timeline: a caption (a chapter of the story). ◆: a fault.");
    ui.label("A yellow fill: what this step changed (a new macro node, an entry that arrived in a lane).");
    ui.label("Entries carry their owner's colour; ×n is the delivery count; the bar under an entry is its idle time.");
    ui.label("†: the client crashed; its pending entries stay in its PEL until claimed.");
    ui.label("Every number comes from the engine, as Redis 7.0.15 would answer it.");
}
