//! The console panel (bottom): redis-cli at the current step.
//!
//! ```text
//!   step 412> XPENDING orders g
//!   1) (integer) 10
//!   2) "1700000000001-0"
//!   …
//!   [ XCLAIM orders g c1 0 1700000000003-0                  ] Enter runs · ↑↓ history · Tab completes
//!   XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] …  — Changes (or acquires) ownership …
//! ```
//!
//! A command typed while the run is still going becomes a step of a
//! branch (the lab panel says so); at the run's end it reads the final
//! state without changing anything.

use egui::{Key, RichText, Ui};

use super::app::Explorer;
use super::theme;
use crate::view::console::LineKind;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let title = ui.horizontal(|ui| {
        let title = ui.label(RichText::new("Console").strong()).id;
        ui.weak(
            "redis-cli against the simulated primary at this step; a command here branches the run",
        );
        title
    });
    let title = title.inner;
    let input_height = 48.0;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height((ui.available_height() - input_height).max(40.0))
        .stick_to_bottom(true)
        .show(ui, |ui| {
            if app.lab_ui.console.lines.is_empty() {
                let key = crate::view::console::example_key(app.player());
                ui.weak(format!(
                    "Try: XINFO GROUPS {key} · XPENDING {key} <group> · XRANGE {key} - + COUNT 5 · XLEN {key}"
                ));
            }
            for line in &app.lab_ui.console.lines {
                let t = RichText::new(&line.text).monospace();
                ui.label(match line.kind {
                    LineKind::Input => t.color(theme::CAPTION),
                    LineKind::Reply => t,
                    LineKind::Error => t.color(theme::FAULT),
                    LineKind::Note => t.weak().italics(),
                });
            }
            if !app.lab_ui.candidates.is_empty() {
                ui.weak(app.lab_ui.candidates.join("  "));
            }
        });
    ui.horizontal(|ui| {
        let edit = egui::TextEdit::singleline(&mut app.lab_ui.console.input)
            .id_salt("console-input")
            .font(egui::TextStyle::Monospace)
            .hint_text("type a command, e.g. XPENDING orders g")
            .desired_width(ui.available_width() - 250.0)
            .lock_focus(true);
        let response = ui.add(edit).labelled_by(title);
        let (enter, up, down, tab) = ui.input(|i| {
            (
                i.key_pressed(Key::Enter),
                i.key_pressed(Key::ArrowUp),
                i.key_pressed(Key::ArrowDown),
                i.key_pressed(Key::Tab),
            )
        });
        let focused = response.has_focus() || response.lost_focus();
        let before = app.lab_ui.console.input.clone();
        if focused && enter {
            app.lab_ui.candidates.clear();
            app.console_submit();
            response.request_focus();
        } else if response.has_focus() && up {
            app.lab_ui.console.history_up();
        } else if response.has_focus() && down {
            app.lab_ui.console.history_down();
        } else if response.has_focus() && tab {
            let names = app.lab_ui.console.complete();
            app.lab_ui.candidates = if names.len() > 1 { names } else { Vec::new() };
        }
        if app.lab_ui.console.input != before {
            // Text put in from history or completion: type on after it.
            cursor_to_end(ui.ctx(), response.id, &app.lab_ui.console.input);
        }
        ui.weak("Enter runs · ↑↓ history · Tab completes");
    });
    // The synopsis of what is being typed, from the engine's COMMAND DOCS.
    match app.lab_ui.console.hint() {
        Some(hint) => ui.label(RichText::new(hint).monospace().weak()),
        None => ui.weak("Tab completes command names, then subcommands and keywords"),
    };
}

/// Moves the text cursor of the edit `id` to the end of `text`.
fn cursor_to_end(ctx: &egui::Context, id: egui::Id, text: &str) {
    if let Some(mut state) = egui::TextEdit::load_state(ctx, id) {
        let end = egui::text::CCursor::new(text.chars().count());
        state
            .cursor
            .set_char_range(Some(egui::text::CCursorRange::one(end)));
        state.store(ctx, id);
    }
}
