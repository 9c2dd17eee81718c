//! The Groups & PEL tab: per group its position, per consumer a lane of
//! pending entries.
//!
//! ```text
//!   group workers   last-delivered 1700000000000-9   entries-read 10   lag 0   pending 8
//!   ● alice  † crashed   8 pending   [1-2 ×1 30 s][1-3 ×1 30 s] …
//!   ● bob                0 pending
//!   acked this step: 1700000000000-1
//! ```
//!
//! An entry is a box with its ID, outlined in its owner's colour, its
//! delivery count as `×n` and its idle time as a bar under it. What arrived
//! in a lane this step (a read or a claim) is filled with the accent.

use egui::{Color32, RichText, ScrollArea, Sense, Stroke, StrokeKind, Ui, vec2};

use super::app::Explorer;
use super::theme;
use crate::view::inspect::Target;
use crate::view::pel::{ClientState, GroupView, LaneView};

const ENTRY_W: f32 = 132.0;
const ENTRY_H: f32 = 34.0;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let w = app.world().clone();
    let any = w.streams.iter().any(|s| !s.groups.is_empty());
    if !any {
        ui.label("No consumer group yet (XGROUP CREATE makes one).");
        return;
    }
    let mut clicked = None;
    ScrollArea::vertical().id_salt("pel-tab").show(ui, |ui| {
        for s in &w.streams {
            for g in &s.groups {
                clicked = clicked.take().or(group(ui, &s.key, g, w.time_ms));
                ui.separator();
            }
        }
    });
    if let Some(t) = clicked {
        app.inspect(t);
    }
}

/// A group's header and lanes (also used by the Kafka vs PEL tab); what
/// the user clicked to inspect, if anything.
pub fn group(ui: &mut Ui, key: &str, g: &GroupView, _now_ms: u64) -> Option<Target> {
    let title = ui
        .add(
            egui::Label::new(
                RichText::new(format!("{key} · group {}", g.name))
                    .strong()
                    .size(15.0),
            )
            .sense(egui::Sense::click()),
        )
        .on_hover_text("click to inspect this group");
    let mut clicked = title.clicked().then(|| Target::Group {
        key: key.to_string(),
        group: g.name.clone(),
    });
    ui.horizontal_wrapped(|ui| {
        ui.monospace(format!("last-delivered-id {}", g.last_delivered));
        ui.monospace(format!(
            "entries-read {}",
            g.entries_read.map_or("(nil)".to_string(), |n| n.to_string())
        ));
        ui.monospace(format!("lag {}", g.lag.map_or("(nil)".to_string(), |n| n.to_string())))
            .on_hover_text("XINFO GROUPS's lag: nil when Redis cannot tell (after XDEL inside the unread range, or SETID)");
        ui.monospace(format!("pending {}", theme::thousands(g.pel_count)));
    });
    if g.lanes.is_empty() {
        ui.weak("no consumers yet");
    }
    for lane in &g.lanes {
        clicked = clicked.take().or(lane_row(ui, key, g, lane));
    }
    if !g.left_since_previous.is_empty() {
        let ids: Vec<String> = g
            .left_since_previous
            .iter()
            .take(6)
            .map(|i| i.to_string())
            .collect();
        let more = g.left_since_previous.len().saturating_sub(6);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        ui.colored_label(
            theme::CHANGED,
            format!("left the PEL this step: {}{tail}", ids.join(", ")),
        );
    }
    clicked
}

fn lane_row(ui: &mut Ui, key: &str, g: &GroupView, lane: &LaneView) -> Option<Target> {
    let colour = theme::consumer(&lane.name);
    let mut clicked = None;
    ui.horizontal(|ui| {
        let (badge, badge_colour) = match lane.state {
            ClientState::Alive => ("", colour),
            ClientState::Crashed => (" † crashed", theme::DEAD),
            ClientState::Hung { .. } => (" ‖ hung", theme::DEAD),
            ClientState::NoClient => (" (no client uses this name)", theme::DEAD),
        };
        if ui
            .add(
                egui::Label::new(
                    RichText::new(format!("● {}", lane.name))
                        .color(badge_colour)
                        .strong(),
                )
                .sense(Sense::click()),
            )
            .on_hover_text("click to inspect this consumer")
            .clicked()
        {
            clicked = Some(Target::Consumer {
                key: key.to_string(),
                group: g.name.clone(),
                name: lane.name.clone(),
            });
        }
        if !badge.is_empty() {
            let text = match lane.state {
                ClientState::Hung { until_ms } => format!("{badge} until t = {until_ms} ms"),
                _ => badge.to_string(),
            };
            ui.label(RichText::new(text).color(theme::DEAD));
        }
        ui.label(format!("{} pending", theme::thousands(lane.pending_count)))
            .on_hover_text(format!(
                "XINFO CONSUMERS idle: {}",
                theme::duration(lane.seen_idle_ms)
            ));
    });
    if lane.pending.is_empty() {
        return clicked;
    }
    ScrollArea::horizontal()
        .id_salt(("lane", key, &g.name, &lane.name))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let max_idle = lane
                    .pending
                    .iter()
                    .map(|p| p.idle_ms)
                    .max()
                    .unwrap_or(1)
                    .max(1);
                for p in &lane.pending {
                    let (rect, resp) =
                        ui.allocate_exact_size(vec2(ENTRY_W, ENTRY_H), Sense::click());
                    let painter = ui.painter_at(rect);
                    let fill = if p.arrived {
                        theme::CHANGED.linear_multiply(0.35)
                    } else {
                        theme::BOX
                    };
                    painter.rect_filled(rect, 3.0, fill);
                    painter.rect_stroke(rect, 3.0, Stroke::new(2.0, colour), StrokeKind::Inside);
                    painter.text(
                        rect.left_top() + vec2(5.0, 4.0),
                        egui::Align2::LEFT_TOP,
                        p.id.to_string(),
                        egui::FontId::monospace(10.5),
                        Color32::from_gray(235),
                    );
                    painter.text(
                        rect.right_top() + vec2(-5.0, 16.0),
                        egui::Align2::RIGHT_TOP,
                        format!("×{}", p.delivery_count),
                        egui::FontId::proportional(11.0),
                        if p.delivery_count > 1 {
                            theme::FAULT
                        } else {
                            Color32::from_gray(200)
                        },
                    );
                    let frac = p.idle_ms as f32 / max_idle as f32;
                    let bar = egui::Rect::from_min_size(
                        rect.left_bottom() + vec2(5.0, -8.0),
                        vec2((ENTRY_W - 40.0) * frac, 4.0),
                    );
                    painter.rect_filled(bar, 1.0, colour.linear_multiply(0.7));
                    let label = p.id.to_string();
                    resp.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::Button, true, &label)
                    });
                    let resp = resp.on_hover_text(format!(
                        "{}: delivered {} time(s), idle {} (XPENDING); click to inspect",
                        p.id,
                        p.delivery_count,
                        theme::duration(p.idle_ms)
                    ));
                    if resp.clicked() {
                        clicked = Some(Target::Entry {
                            key: key.to_string(),
                            id: p.id,
                        });
                    }
                }
                if lane.pending_count > lane.pending.len() as u64 {
                    ui.label(format!(
                        "… {} more",
                        theme::thousands(lane.pending_count - lane.pending.len() as u64)
                    ));
                }
            });
        });
    clicked
}
