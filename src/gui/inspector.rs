//! The inspector window: everything about the entry, consumer, group,
//! macro node or Kafka record the user clicked, at the current step
//! (view::inspect works it out).
//!
//! ```text
//!   ┌ Inspector ─────────────────────────────────────────────┐
//!   │ Entry orders 4-0                                       │
//!   │ fields (XRANGE)   m 4                                  │
//!   │ group g (XPENDING) pending: 1) "4-0" 2) "c1" 3) … 4) 1 │
//!   │ history  t=1 s delivered to c1 · t=1.3 s c1 starts …   │
//!   └────────────────────────────────────────────────────────┘
//! ```

use egui::{RichText, Ui};

use super::app::Explorer;
use crate::view::inspect::{Inspection, Target};

impl Explorer {
    /// Opens the inspector on `target`.
    pub fn inspect(&mut self, target: Target) {
        self.inspecting = Some(target);
    }
}

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let Some(target) = app.inspecting.clone() else {
        return;
    };
    let Some(i) = Inspection::of(app.player().sim(), &target) else {
        ui.label("Its key holds no stream at this step.");
        return;
    };
    ui.label(RichText::new(&i.title).strong().size(15.0));
    egui::Grid::new("inspector-facts")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (label, value) in &i.facts {
                ui.label(RichText::new(label).strong());
                ui.monospace(value);
                ui.end_row();
            }
        });
    let title = match target {
        Target::Entry { .. } | Target::KafkaRecord { .. } => "What happened to it (the ledger)",
        Target::Consumer { .. } => "Its pending entries (oldest first)",
        Target::Group { .. } => "Its consumers (XINFO CONSUMERS)",
        Target::Node { .. } => "Its entries, oldest first (tombstones included)",
    };
    ui.label(RichText::new(title).strong());
    if i.history.is_empty() {
        ui.weak("nothing yet");
    }
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .show(ui, |ui| {
            for h in &i.history {
                ui.monospace(h);
            }
        });
}
