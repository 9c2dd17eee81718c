//! The left panel: where the story is, and what this step did.
//!
//! ```text
//!   chapter 2 of 4
//!   ▲ "alice crashes in the middle of its batch …"       (caption in force)
//!   ─────────────
//!   alice> XACK s g 1700000000000-1                       (the command, as typed)
//!   (integer) 1                                           (the reply, as redis-cli prints it)
//!   Alice finished 1700000000000-1 (msg 2).               (what changed)
//! ```

use egui::{RichText, ScrollArea, Ui};

use super::app::Explorer;
use super::theme;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let chapters = app.player().chapter_count();
    match app.player().caption_in_force() {
        Some((i, m)) => {
            ui.label(RichText::new(format!("Chapter {} of {chapters}", i + 1)).weak());
            ui.label(RichText::new(format!("▲ {}", m.text)).color(theme::CAPTION));
        }
        None if chapters > 0 => {
            ui.label(RichText::new(format!("{chapters} chapters ahead")).weak());
        }
        None => {}
    }
    ui.separator();
    let n = &app.world().narrative;
    ui.heading("This step");
    if n.is_fault {
        ui.label(RichText::new("◆ fault").color(theme::FAULT).strong());
    }
    ScrollArea::vertical()
        .id_salt("narrative")
        .max_height(ui.available_height() - 120.0)
        .show(ui, |ui| {
            if let Some(cmd) = &n.command {
                ui.label(
                    RichText::new(format!("{}> {cmd}", n.who))
                        .monospace()
                        .strong(),
                );
            }
            if let Some(reply) = &n.reply {
                let text = RichText::new(reply).monospace();
                if n.reply_is_error {
                    ui.label(text.color(theme::FAULT));
                } else {
                    ui.label(text);
                }
            }
            ui.add_space(6.0);
            ui.label(RichText::new(&n.sentence).size(15.0));
        });
    ui.separator();
    let w = app.world();
    if !w.redis_up {
        ui.label(RichText::new("Redis is down").color(theme::FAULT).strong());
    }
    ui.horizontal(|ui| {
        if ui.small_button("◀◀ Previous caption").clicked() {
            app.previous_marker(Some(crate::view::MarkerKind::Caption));
        }
        if ui.small_button("Next caption ▶▶").clicked() {
            app.next_marker(Some(crate::view::MarkerKind::Caption));
        }
    });
}
