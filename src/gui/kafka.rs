//! The Kafka vs PEL tab: the same workload on both systems, side by side,
//! each with its ledger under it.
//!
//! ```text
//!   ┌ Kafka: one offset per partition ──────┐ ┌ Redis: every delivered entry ─┐
//!   │ orders-p0  owner kb                    │ │ group g  pending 8            │
//!   │ [500][501][502]…[509][510]             │ │ ● alice †  [502][503]…        │
//!   │   ▲ committed 500    ▲ kb at 510       │ │                               │
//!   ├ ledger ────────────────────────────────┤ ├ ledger ───────────────────────┤
//!   │ duplicates 8   lost 0 …                │ │ duplicates 0 …                │
//!   └────────────────────────────────────────┘ └───────────────────────────────┘
//! ```

use egui::{Color32, RichText, ScrollArea, Sense, Stroke, StrokeKind, Ui, vec2};

use super::app::Explorer;
use super::theme;
use crate::view::inspect::Target;
use crate::view::kafka::{KafkaGroupView, PartitionView};

const REC_W: f32 = 44.0;
const REC_H: f32 = 26.0;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let w = app.world().clone();
    let mut clicked = None;
    ui.columns(2, |cols| {
        cols[0].heading("Kafka: one committed offset per partition");
        match &w.kafka {
            None => {
                cols[0].label("This scenario has no Kafka side. The S02 family compares both.");
            }
            Some(k) => {
                ScrollArea::vertical()
                    .id_salt("kafka-side")
                    .max_height(cols[0].available_height() - 230.0)
                    .show(&mut cols[0], |ui| {
                        for g in &k.groups {
                            clicked = clicked.take().or(group(ui, g));
                        }
                        for (topic, parts) in &k.topics {
                            ui.label(
                                RichText::new(format!("topic {topic} (no group reads it here)"))
                                    .strong(),
                            );
                            for p in parts {
                                clicked = clicked.take().or(partition(ui, topic, p, &[]));
                            }
                        }
                    });
            }
        }
        cols[1].heading("Redis: every delivered entry, in the PEL");
        ScrollArea::vertical()
            .id_salt("redis-side")
            .max_height(cols[1].available_height() - 230.0)
            .show(&mut cols[1], |ui| {
                let mut any = false;
                for s in &w.streams {
                    for g in &s.groups {
                        clicked = clicked
                            .take()
                            .or(super::pel::group(ui, &s.key, g, w.time_ms));
                        any = true;
                    }
                }
                if !any {
                    ui.label("No consumer group yet.");
                }
            });
    });
    ui.separator();
    super::ledger::show(ui, &w);
    if let Some(t) = clicked {
        app.inspect(t);
    }
}

fn group(ui: &mut Ui, g: &KafkaGroupView) -> Option<Target> {
    ui.label(
        RichText::new(format!("group {} · topic {}", g.group_id, g.topic))
            .strong()
            .size(15.0),
    );
    ui.horizontal_wrapped(|ui| {
        for c in &g.consumers {
            let colour = if c.alive {
                theme::consumer(&c.name)
            } else {
                theme::DEAD
            };
            let state = if c.alive { "" } else { " † down" };
            let pos: Vec<String> = c
                .positions
                .iter()
                .map(|(p, o)| format!("p{p}@{o}"))
                .collect();
            ui.label(RichText::new(format!("● {}{state} {}", c.name, pos.join(" "))).color(colour));
        }
        ui.weak(format!("{} commits", g.commits));
    });
    let positions: Vec<(String, u32, u64)> = g
        .consumers
        .iter()
        .flat_map(|c| {
            c.positions
                .iter()
                .map(move |(p, o)| (c.name.clone(), *p, *o))
        })
        .collect();
    let mut clicked = None;
    for p in &g.partitions {
        clicked = clicked.take().or(partition(ui, &g.topic, p, &positions));
    }
    clicked
}

fn partition(
    ui: &mut Ui,
    topic: &str,
    p: &PartitionView,
    positions: &[(String, u32, u64)],
) -> Option<Target> {
    let owner = p.owner.clone().unwrap_or_else(|| "— (rebalancing)".into());
    ui.monospace(format!(
        "{topic}-p{}  owner {owner}  committed {}  hw {}  leo {}  leader {}  isr {:?}",
        p.partition,
        p.committed.map_or("none".into(), |c| c.to_string()),
        p.high_watermark,
        p.log_end,
        p.leader.map_or("none".into(), |l| format!("broker-{l}")),
        p.isr
    ));
    if p.records.is_empty() {
        ui.weak("(empty log)");
        return None;
    }
    let mut clicked = None;
    ScrollArea::horizontal()
        .id_salt(("klog", topic, p.partition))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 2.0;
                for (offset, msg) in &p.records {
                    let (rect, resp) =
                        ui.allocate_exact_size(vec2(REC_W, REC_H + 12.0), Sense::click());
                    let painter = ui.painter_at(rect);
                    let cell = egui::Rect::from_min_size(rect.min, vec2(REC_W, REC_H));
                    let below_commit = p.committed.is_some_and(|c| *offset < c);
                    let fill = if below_commit {
                        theme::COMMITTED.linear_multiply(0.25)
                    } else {
                        theme::BOX
                    };
                    painter.rect_filled(cell, 2.0, fill);
                    let owner_here = positions
                        .iter()
                        .find(|(_, part, o)| *part == p.partition && o == offset);
                    let stroke = match owner_here {
                        Some((name, _, _)) => Stroke::new(2.0, theme::consumer(name)),
                        None => Stroke::new(1.0, Color32::from_gray(90)),
                    };
                    painter.rect_stroke(cell, 2.0, stroke, StrokeKind::Inside);
                    painter.text(
                        cell.center(),
                        egui::Align2::CENTER_CENTER,
                        offset.to_string(),
                        egui::FontId::monospace(11.0),
                        Color32::from_gray(230),
                    );
                    if p.committed == Some(*offset) {
                        painter.text(
                            pos_below(cell),
                            egui::Align2::CENTER_TOP,
                            "▲ commit",
                            egui::FontId::proportional(9.5),
                            theme::COMMITTED,
                        );
                    }
                    let label = format!("{topic}-p{} offset {offset}", p.partition);
                    resp.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::Button, true, &label)
                    });
                    if resp
                        .on_hover_text(format!("offset {offset}: message {msg}; click to inspect"))
                        .clicked()
                    {
                        clicked = Some(Target::KafkaRecord {
                            topic: topic.to_string(),
                            partition: p.partition,
                            offset: *offset,
                            msg: *msg,
                        });
                    }
                }
            });
        });
    clicked
}

fn pos_below(cell: egui::Rect) -> egui::Pos2 {
    egui::pos2(cell.center().x, cell.bottom() + 1.0)
}
