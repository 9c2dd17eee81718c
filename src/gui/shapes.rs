//! Under the Stream tab: the stream's entries stored as a list and as one
//! hash each, measured on demand (sim::shapes) at the current step.
//!
//! ```text
//!   ▸ Stored as a list, or as a hash per entry?        [Measure at this step]
//!     stream orders   22.3 KB   223 B/entry
//!     one list        41.0 KB   1.8x
//!     100 hashes      10.4 KB   …
//! ```

use egui::{RichText, Ui};

use super::app::Explorer;
use super::theme;
use crate::sim::shapes::{ShapeMemory, of_stream};

/// Entries measured at most (the rest of a long stream is left out).
const MAX_MEASURED: u64 = 100_000;

/// The last measurement: (step, key, result).
pub type ShapeCache = Option<(u64, String, Option<ShapeMemory>)>;

pub fn show(app: &mut Explorer, ui: &mut Ui, key: &str) {
    egui::CollapsingHeader::new("Stored as a list, or as a hash per entry?")
        .id_salt(("shapes", key))
        .show(ui, |ui| {
            ui.weak(format!(
                "The same entries (up to {}) put in a scratch keyspace as one stream, as one list of \"<id> field value …\" strings, and as one hash per entry, each measured with MEMORY USAGE … SAMPLES 0.",
                theme::thousands(MAX_MEASURED)
            ));
            let step = app.player().position();
            let current = matches!(&app.shapes, Some((s, k, _)) if *s == step && k == key);
            if !current && ui.button("Measure at this step").clicked() {
                let m = of_stream(app.player().sim(), key, MAX_MEASURED);
                app.shapes = Some((step, key.to_string(), m));
            }
            let Some((at, k, m)) = &app.shapes else {
                return;
            };
            if k != key {
                return;
            }
            let Some(m) = m else {
                ui.weak("The stream holds no entry to measure.");
                return;
            };
            if *at != step {
                ui.weak(format!("Measured at step {at}:"));
            }
            table(ui, key, m);
        });
}

fn table(ui: &mut Ui, key: &str, m: &ShapeMemory) {
    let per = |b: u64| format!("{:.1} B/entry", b as f64 / m.entries.max(1) as f64);
    egui::Grid::new(("shapes-grid", key))
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            let rows = [
                (format!("stream {key}"), m.stream_bytes, String::new()),
                ("one list".to_string(), m.list_bytes, ratio(m.list_ratio())),
                (
                    format!("{} hashes", theme::thousands(m.entries)),
                    m.hashes_bytes,
                    ratio(m.hashes_ratio()),
                ),
            ];
            for (label, bytes, ratio) in rows {
                ui.monospace(label);
                ui.monospace(theme::bytes(bytes));
                ui.monospace(per(bytes));
                ui.label(RichText::new(ratio).color(theme::COMMITTED));
                ui.end_row();
            }
        });
    if m.list_bytes < m.stream_bytes {
        ui.weak(
            "A short stream is the dearer one: its open tail node holds a listpack preallocated to stream-node-max-bytes (4 KB by default), shrunk only when the node closes.",
        );
    }
}

fn ratio(r: f64) -> String {
    if r < 0.95 {
        format!("{r:.2}x the stream")
    } else {
        format!("{r:.1}x the stream")
    }
}
