//! The top of the window: which scenario, its seed, and its learning goal,
//! the first thing a learner reads.
//!
//! ```text
//!   [S02 ▾ Scenarios]  seed 2  [? Help]           S02 · Kafka offsets vs the PEL …
//!   "Kafka remembers one offset per partition; Redis remembers every delivered entry."
//!   space to play · → step · ← step back · ? help
//! ```

use egui::{RichText, Ui};

use super::app::Explorer;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let meta = app.player().scenario().meta.clone();
    ui.horizontal(|ui| {
        if ui
            .button(format!("{} ▾ Scenarios", app.source().id))
            .on_hover_text("Pick another scenario, change seed or duration, open a RON file")
            .clicked()
        {
            app.picker.open = !app.picker.open;
        }
        ui.label(format!("seed {}", app.player().seed()));
        if ui.button("? Help").clicked() {
            app.help_open = true;
        }
        if ui
            .button("Myth vs reality")
            .on_hover_text("Claims of the popular explanation next to what Redis 7.0.15 does")
            .clicked()
        {
            app.myths_open = !app.myths_open;
        }
        #[cfg(not(target_arch = "wasm32"))]
        ui.toggle_value(&mut app.live.open, "Live Redis")
            .on_hover_text("Read a running server's streams (read-only) into these panels");
        ui.toggle_value(&mut app.lab_ui.lab_open, "Lab")
            .on_hover_text("Faults, what-if knobs, the branch and its comparison");
        ui.toggle_value(&mut app.lab_ui.console_open, "Console")
            .on_hover_text("redis-cli against the simulated primary");
        ui.separator();
        ui.label(RichText::new(&meta.title).strong().size(16.0));
    });
    ui.label(RichText::new(&meta.learning_goal).size(15.0).italics());
    // The picker shows its own errors while it is open.
    if let Some(err) = app.picker.error.as_ref().filter(|_| !app.picker.open) {
        ui.colored_label(super::theme::FAULT, err);
    }
    // Always there, so nothing below moves when the first step is taken.
    ui.weak("Space to play · → step · ← step back · shift ×10 · c next caption · f next fault · ? for help");
}
