//! The "Replication & disk" tab: the primary and its replicas with their
//! positions, the AOF and RDB state, and what a crash right now would lose.
//!
//! ```text
//!   primary  up · offset 1 234 · appendonly yes, appendfsync everysec
//!            AOF  [in memory │ written to the OS │ fsynced]   RDB saved t=…, 12 changes since
//!   r1       applied 1 200   ███████████████░░  34 behind · 12 in flight · lag 200 ms
//!   a crash now would lose:  process crash 0 · power loss 17 · fail over to r1 34
//!   so far: log lost 0 · phantom 0
//! ```

use egui::{RichText, Ui};

use super::app::Explorer;
use super::theme;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let Some(d) = app.world().durability.clone() else {
        ui.spinner();
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new("Primary").strong());
        if d.redis_up {
            ui.label(RichText::new("up").color(theme::COMMITTED));
        } else {
            ui.label(RichText::new("down").color(theme::FAULT));
        }
        if d.partitioned {
            ui.label(RichText::new("cut off from its replicas").color(theme::FAULT));
        }
        ui.weak(format!(
            "replication offset {}",
            theme::thousands(d.primary_offset)
        ));
    });
    ui.weak(&d.persistence);
    ui.label(format!(
        "AOF: {} records; {} written to the OS, {} fsynced to disk. RDB: {}; {} changes since the last save.",
        theme::thousands(d.aof_records as u64),
        theme::thousands(d.aof_written as u64),
        theme::thousands(d.aof_synced as u64),
        d.rdb_saved_unix_s.map_or("never saved".to_string(), |s| format!("saved at unix {s} s")),
        theme::thousands(d.dirty),
    ));
    ui.add_space(6.0);
    if d.replicas.is_empty() {
        ui.weak("No replicas: a failover has nothing to promote.");
    }
    egui::Grid::new("replicas")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            if !d.replicas.is_empty() {
                for h in ["replica", "applied", "behind", "in flight", "lag"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
            }
            for r in &d.replicas {
                ui.label(RichText::new(&r.name).color(theme::consumer(&r.name)));
                let fraction = if d.primary_offset == 0 {
                    1.0
                } else {
                    r.applied_offset as f32 / d.primary_offset as f32
                };
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(160.0)
                        .text(theme::thousands(r.applied_offset)),
                );
                let behind = RichText::new(theme::thousands(r.behind)).monospace();
                ui.label(if r.behind > 0 {
                    behind.color(theme::CHANGED)
                } else {
                    behind
                });
                ui.monospace(theme::thousands(r.in_flight as u64));
                ui.monospace(format!("{} ms", r.lag_ms));
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.label(RichText::new("A fault right now would lose").strong())
        .on_hover_text("Worked out on copies of the nodes, exactly as the fault would run");
    if d.crash_now.is_empty() {
        ui.weak("The primary is down: nothing more to lose until it is back.");
    }
    egui::Grid::new("crash-now")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for c in &d.crash_now {
                ui.label(&c.label);
                let n = RichText::new(format!(
                    "{} of {} acknowledged messages",
                    theme::thousands(c.messages_lost),
                    theme::thousands(d.messages_on_primary)
                ))
                .monospace();
                ui.label(if c.messages_lost > 0 {
                    n.color(theme::FAULT)
                } else {
                    n.color(theme::COMMITTED)
                });
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.label(RichText::new("So far").strong());
    ui.label(format!(
        "log lost {} (acknowledged, then gone from the log by a crash or failover) · phantom {} (completed although the log no longer has them)",
        theme::thousands(d.log_lost),
        theme::thousands(d.phantom)
    ));
    let list = |v: &[u64], total: u64| {
        let mut t: Vec<String> = v.iter().map(|m| format!("m {m}")).collect();
        if total > v.len() as u64 {
            t.push(format!(
                "… {} more",
                theme::thousands(total - v.len() as u64)
            ));
        }
        t.join(", ")
    };
    if !d.log_lost_msgs.is_empty() {
        ui.label(
            RichText::new(format!("log lost: {}", list(&d.log_lost_msgs, d.log_lost)))
                .color(theme::FAULT),
        );
    }
    if !d.phantom_msgs.is_empty() {
        ui.label(
            RichText::new(format!("phantom: {}", list(&d.phantom_msgs, d.phantom)))
                .color(theme::CHANGED),
        );
    }
}
