//! The "Myth vs reality" window: each claim of the popular explanation,
//! what Redis 7.0.15 really does, and a button that opens the scenario
//! showing it at the telling moment.
//!
//! ```text
//!   Myth: Streams hold 10x more entries than Redis lists in the same RAM.
//!   Redis 7.0.15: a list takes 2.3x to 3.1x the stream's memory …   source: redis-measurements.md
//!     [show me: S06 at its end]
//! ```

use egui::{RichText, Ui};

use super::app::Explorer;
use super::theme;
use crate::view::MarkerKind;
use crate::view::myths::{MYTHS, Moment};

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    ui.weak("What the popular explanation says, and what Redis 7.0.15 does instead.");
    let mut open: Option<usize> = None;
    egui::ScrollArea::vertical()
        .max_height(560.0)
        .show(ui, |ui| {
            for (i, m) in MYTHS.iter().enumerate() {
                ui.separator();
                ui.label(RichText::new(format!("Myth: {}", m.claim)).color(theme::FAULT));
                ui.label(
                    RichText::new(format!("Redis 7.0.15: {}", m.truth)).color(theme::COMMITTED),
                );
                if m.measured_here {
                    let text = app
                        .storage_measured
                        .get_or_insert_with(crate::view::myths::storage_measurement);
                    ui.label(
                        RichText::new(text.as_str())
                            .color(theme::COMMITTED)
                            .italics(),
                    );
                }
                ui.horizontal(|ui| {
                    ui.weak(format!("source: {}", m.source));
                    let at = match m.moment {
                        Moment::FirstFault => "at its first fault".to_string(),
                        Moment::Caption(k) => format!("at caption {}", k + 1),
                        Moment::End => "at its end".to_string(),
                    };
                    if ui.button(format!("show me: {} {at}", m.scenario)).clicked() {
                        open = Some(i);
                    }
                });
            }
        });
    if let Some(i) = open {
        app.open_myth(i);
    }
}

impl Explorer {
    /// Opens myth `i`'s scenario at its telling moment.
    pub fn open_myth(&mut self, i: usize) {
        let Some(m) = MYTHS.get(i) else {
            return;
        };
        if let Err(why) = self.load_bundled(m.scenario, None) {
            self.picker.error = Some(why);
            return;
        }
        self.explore_all();
        match m.moment {
            Moment::End => self.seek(u64::MAX),
            Moment::FirstFault => {
                self.seek(0);
                self.next_marker(Some(MarkerKind::Fault));
            }
            Moment::Caption(k) => {
                let step = self
                    .player()
                    .markers()
                    .iter()
                    .filter(|mk| mk.kind == MarkerKind::Caption)
                    .nth(k)
                    .map_or(0, |mk| mk.step + 1);
                self.seek(step);
            }
        }
        self.myths_open = false;
    }
}
