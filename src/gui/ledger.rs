//! The two ledgers side by side: what happened to every message, counted
//! live, the rows where Redis and Kafka differ highlighted.
//!
//! ```text
//!                     Redis    Kafka
//!   produced (acked)     20       20
//!   completed            20       28
//!   duplicates            0        8   ← differs
//! ```

use egui::{RichText, Ui};

use super::theme;
use crate::sim::ledger::LedgerSummary;
use crate::view::World;

/// The rows: (label, what it means, value).
fn rows(l: &LedgerSummary) -> [(&'static str, &'static str, u64); 9] {
    [
        (
            "produced (acked)",
            "the producer got an OK for it",
            l.produced_acked,
        ),
        (
            "completed",
            "processed to the end (each time counts once per message)",
            l.completed,
        ),
        ("duplicates", "completions beyond the first", l.duplicates),
        (
            "unconsumed",
            "acknowledged, not completed yet, still in the stream or log: not lost",
            l.unconsumed,
        ),
        (
            "lost",
            "acknowledged, never completed, and no longer deliverable",
            l.lost,
        ),
        (
            "log lost",
            "acknowledged to the producer but gone from the log (a crash or failover)",
            l.log_lost,
        ),
        (
            "phantom",
            "completed although the log no longer has it",
            l.phantom,
        ),
        (
            "redelivered msgs",
            "messages delivered more than once",
            l.redelivered_msgs,
        ),
        (
            "redeliveries",
            "deliveries beyond the first",
            l.redeliveries,
        ),
    ]
}

pub fn show(ui: &mut Ui, w: &World) {
    ui.label(RichText::new("Ledger: what happened to every message").strong());
    let Some((ledger_redis, ledger_kafka)) = &w.ledgers else {
        ui.spinner();
        return;
    };
    egui::Grid::new("ledger")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            let side = |name: &str, l: &LedgerSummary| {
                let t = if l.has_consumer {
                    name.to_string()
                } else {
                    format!("{name} (no consumer)")
                };
                RichText::new(t).strong()
            };
            ui.label(side("Redis", ledger_redis));
            if w.has_kafka {
                ui.label(side("Kafka", ledger_kafka));
            }
            ui.end_row();
            let redis = rows(ledger_redis);
            let kafka = rows(ledger_kafka);
            for (r, k) in redis.iter().zip(kafka.iter()) {
                let differs = w.has_kafka && r.2 != k.2;
                let label = RichText::new(r.0);
                ui.label(if differs {
                    label.color(theme::CHANGED)
                } else {
                    label
                })
                .on_hover_text(r.1);
                ui.monospace(theme::thousands(r.2));
                if w.has_kafka {
                    let v = RichText::new(theme::thousands(k.2)).monospace();
                    ui.label(if differs {
                        v.color(theme::CHANGED).strong()
                    } else {
                        v
                    });
                }
                ui.end_row();
            }
        });
}
