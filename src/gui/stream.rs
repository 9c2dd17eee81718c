//! The Stream tab: XINFO STREAM's numbers, the radix tree, and the macro
//! node it leads to, element by element.
//!
//! ```text
//!   ┌ XINFO STREAM s ┐ ┌ radix tree (rax) ───────────────────────────────┐
//!   │ length 250     │ │         [00 00 01 8b cf e4 8b|..]               │
//!   │ radix-tree-keys│ │            0a ╱        ╲ 0b                      │
//!   │ …              │ │   = 1700000000000-0   = …-100 (tail)            │
//!   └────────────────┘ └─────────────────────────────────────────────────┘
//!   macro node 1700000000000-100 (tail): 50 / 100 entries ▕████░░░░▏ 612 / 4096 B
//!   offset  bytes        role                     value
//! ```

use egui::{
    Align2, Color32, FontId, RichText, ScrollArea, Sense, Stroke, StrokeKind, Ui, pos2, vec2,
};

use super::app::Explorer;
use super::theme;
use crate::engine::StreamId;
use crate::view::tree::{BoxKind, TreeLayout};
use crate::view::world::{NodeDetail, StreamView};

const BOX_W: f32 = 176.0;
const BOX_H: f32 = 50.0;
const COL_W: f32 = 190.0;
const LEVEL_H: f32 = 84.0;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let streams = app.world().streams.clone();
    if streams.is_empty() {
        ui.label("No stream yet: the first XADD creates it.");
        return;
    }
    let mut open: Option<(String, StreamId)> = None;
    ScrollArea::vertical().id_salt("stream-tab").show(ui, |ui| {
        let app = &mut *app;
        for s in &streams {
            let tree_title = |ui: &mut Ui| {
                ui.label(
                    RichText::new("Radix tree (rax): keys are 16-byte master IDs, ms|seq").strong(),
                );
            };
            if ui.available_width() < NARROW_W {
                // Side panels open: XINFO's figures as a few lines above,
                // so the tree gets the whole width.
                xinfo_compact(ui, s);
                tree_title(ui);
                if let Some(id) = tree(ui, s) {
                    open = Some((s.key.clone(), id));
                }
            } else {
                ui.horizontal_top(|ui| {
                    xinfo(ui, s);
                    ui.vertical(|ui| {
                        tree_title(ui);
                        if let Some(id) = tree(ui, s) {
                            open = Some((s.key.clone(), id));
                        }
                    });
                });
            }
            if let Some(node) = &s.node {
                node_detail(ui, s, node);
            }
            super::shapes::show(app, ui, &s.key);
            ui.separator();
        }
    });
    if let Some((key, id)) = open {
        app.open_node(&key, id);
        app.inspect(crate::view::inspect::Target::Node { key, master_id: id });
    }
}

/// Below this width the XINFO box and the tree do not fit side by side.
const NARROW_W: f32 = 900.0;

/// XINFO STREAM's figures and MEMORY USAGE, as (name, value).
fn xinfo_rows(s: &StreamView) -> [(&'static str, String); 9] {
    [
        ("length", theme::thousands(s.length)),
        ("radix-tree-keys", theme::thousands(s.radix_tree_keys)),
        ("radix-tree-nodes", theme::thousands(s.radix_tree_nodes)),
        ("last-generated-id", s.last_generated_id.to_string()),
        ("max-deleted-entry-id", s.max_deleted_id.to_string()),
        ("entries-added", theme::thousands(s.entries_added)),
        ("recorded-first-entry-id", s.first_id.to_string()),
        ("groups", s.groups.len().to_string()),
        ("MEMORY USAGE", theme::bytes(s.memory_usage_bytes)),
    ]
}

/// The XINFO figures as wrapped `name value` pairs.
fn xinfo_compact(ui: &mut Ui, s: &StreamView) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new(format!("XINFO STREAM {}", s.key))
                .monospace()
                .strong(),
        );
        ui.horizontal_wrapped(|ui| {
            let weak = ui.visuals().weak_text_color();
            let strong = ui.visuals().text_color();
            for (k, v) in xinfo_rows(s) {
                // A name and its value, one widget: they wrap together.
                let mut job = egui::text::LayoutJob::default();
                let font = FontId::monospace(12.5);
                job.append(k, 0.0, egui::TextFormat::simple(font.clone(), weak));
                job.append(&v, 7.0, egui::TextFormat::simple(font, strong));
                ui.add(egui::Label::new(job).wrap_mode(egui::TextWrapMode::Extend));
                ui.add_space(6.0);
            }
        });
    });
}

fn xinfo(ui: &mut Ui, s: &StreamView) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.vertical(|ui| {
            ui.set_width(250.0);
            ui.label(
                RichText::new(format!("XINFO STREAM {}", s.key))
                    .monospace()
                    .strong(),
            );
            egui::Grid::new(("xinfo", &s.key))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (k, v) in xinfo_rows(s) {
                        ui.monospace(k);
                        ui.monospace(v);
                        ui.end_row();
                    }
                });
            if s.nodes_removed > 0 {
                ui.colored_label(
                    theme::CHANGED,
                    format!("{} macro node(s) trimmed this step", s.nodes_removed),
                );
            }
        })
    });
}

/// Draws the tree; returns the key the user clicked.
fn tree(ui: &mut Ui, s: &StreamView) -> Option<StreamId> {
    let t: &TreeLayout = &s.tree;
    let size = vec2(
        (t.columns * COL_W).max(COL_W) + 20.0,
        (t.levels as f32 * LEVEL_H).max(LEVEL_H) + 10.0,
    );
    let mut clicked = None;
    let mut area = ScrollArea::horizontal()
        .id_salt(("tree", &s.key))
        .max_height(size.y + 20.0);
    // A wide tree is clipped at the window's edge: when it first shows
    // (and when it deepens) the path from the root to the tail is brought
    // into view, centred if it fits, else from its left end. Only the
    // horizontal offset is set: the tab's own vertical scroll stays.
    let seen_id = ui.make_persistent_id(("tree-root-shown", &s.key));
    if ui.data(|d| d.get_temp::<usize>(seen_id)) != Some(t.levels) {
        let xs = t
            .boxes
            .iter()
            .filter(|b| b.on_focus_path || b.level == 0)
            .map(|b| 10.0 + b.column * COL_W);
        let (lo, hi) = xs.fold((f32::MAX, f32::MIN), |(lo, hi), x| {
            (lo.min(x), hi.max(x + BOX_W))
        });
        if lo <= hi {
            let view = ui.available_width();
            let offset = if hi - lo + 20.0 <= view {
                (lo + hi) / 2.0 - view / 2.0
            } else {
                lo - 10.0
            };
            area = area.horizontal_scroll_offset(offset.max(0.0));
        }
        ui.data_mut(|d| d.insert_temp(seen_id, t.levels));
    }
    area.show(ui, |ui| {
        let (resp, painter) = ui.allocate_painter(size, Sense::hover());
        let origin = resp.rect.min + vec2(10.0, 4.0);
        let centre = |i: usize| {
            let b = &t.boxes[i];
            pos2(
                origin.x + b.column * COL_W + BOX_W / 2.0,
                origin.y + b.level as f32 * LEVEL_H + BOX_H / 2.0,
            )
        };
        for e in &t.edges {
            let (a, b) = (centre(e.from), centre(e.to));
            let from = pos2(a.x, a.y + BOX_H / 2.0);
            let to = pos2(b.x, b.y - BOX_H / 2.0);
            let on_path = t.boxes[e.to].on_focus_path;
            let stroke = Stroke::new(
                if on_path { 2.0 } else { 1.0 },
                Color32::from_gray(if on_path { 200 } else { 120 }),
            );
            painter.line_segment([from, to], stroke);
            if !e.label.is_empty() {
                painter.text(
                    pos2((from.x + to.x) / 2.0 + 4.0, (from.y + to.y) / 2.0),
                    Align2::LEFT_CENTER,
                    &e.label,
                    FontId::monospace(11.0),
                    Color32::from_gray(200),
                );
            }
        }
        for (i, b) in t.boxes.iter().enumerate() {
            let c = centre(i);
            let rect = egui::Rect::from_center_size(c, vec2(BOX_W, BOX_H));
            let (lines, line2, key) = match &b.kind {
                BoxKind::Node {
                    label,
                    key,
                    compressed,
                    ..
                } => {
                    // A run is drawn "…" as rax.h does, a normal node [..];
                    // the ms part and the seq part of a run on their own lines.
                    let lines: Vec<String> = if *compressed {
                        label.split('|').map(|part| format!("\"{part}\"")).collect()
                    } else {
                        vec![format!("[{label}]")]
                    };
                    (
                        lines,
                        key.map(|k| format!("= {k}")).unwrap_or_default(),
                        *key,
                    )
                }
                BoxKind::Collapsed {
                    nodes,
                    keys,
                    entries,
                } => (
                    vec![format!("… {} nodes", theme::thousands(*nodes))],
                    format!(
                        "{} key{} · {} entries",
                        theme::thousands(*keys),
                        plural(*keys),
                        theme::thousands(*entries)
                    ),
                    None,
                ),
                BoxKind::MoreSiblings {
                    count,
                    keys,
                    entries,
                } => (
                    vec![format!("+{count} more branches")],
                    format!(
                        "{} key{} · {} entries",
                        theme::thousands(*keys),
                        plural(*keys),
                        theme::thousands(*entries)
                    ),
                    None,
                ),
            };
            let selected = key.is_some() && s.node.as_ref().map(|n| n.master_id) == key;
            let fill = if b.fresh {
                theme::CHANGED.linear_multiply(0.35)
            } else {
                theme::BOX
            };
            painter.rect_filled(rect, 4.0, fill);
            let stroke = if selected {
                Stroke::new(2.0, theme::CAPTION)
            } else if key.is_some() {
                Stroke::new(1.5, Color32::from_gray(190))
            } else {
                Stroke::new(1.0, Color32::from_gray(90))
            };
            painter.rect_stroke(rect, 4.0, stroke, StrokeKind::Inside);
            let text_colour = Color32::from_gray(235);
            let mut all: Vec<(String, Color32)> =
                lines.iter().map(|l| (clip(l, 26), text_colour)).collect();
            if !line2.is_empty() {
                all.push((clip(&line2, 26), theme::COMMITTED));
            }
            let top = c.y - (all.len() as f32 - 1.0) * 6.5;
            for (k, (text, colour)) in all.iter().enumerate() {
                painter.text(
                    pos2(c.x, top + k as f32 * 13.0),
                    Align2::CENTER_CENTER,
                    text,
                    FontId::monospace(11.0),
                    *colour,
                );
            }
            if let Some(k) = key {
                let r = ui.interact(
                    rect,
                    ui.make_persistent_id(("rax-key", &s.key, i)),
                    Sense::click(),
                );
                let r = r.on_hover_text(format!(
                    "macro node {k}: click to open its listpack and inspect it"
                ));
                if r.clicked() {
                    clicked = Some(k);
                }
            }
        }
    });
    ui.weak(format!(
        "{} rax node{}, {} key{} (one per macro node); {} box{} drawn{}",
        theme::thousands(t.node_count),
        plural(t.node_count),
        theme::thousands(t.key_count),
        plural(t.key_count),
        t.boxes.len(),
        if t.boxes.len() == 1 { "" } else { "es" },
        if (t.boxes.len() as u64) < t.node_count {
            ", the rest summarised"
        } else {
            ""
        }
    ));
    clicked
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn node_detail(ui: &mut Ui, s: &StreamView, n: &NodeDetail) {
    let tail = if n.is_tail {
        " (tail: XADD appends here)"
    } else {
        ""
    };
    ui.label(RichText::new(format!("Macro node {}{tail}", n.master_id)).strong());
    ui.horizontal(|ui| {
        let entries = n.live + n.deleted;
        bar(
            ui,
            entries as f32 / n.max_entries.max(1) as f32,
            &format!(
                "{entries} / {} entries ({} live, {} deleted)",
                n.max_entries, n.live, n.deleted
            ),
        );
        bar(
            ui,
            n.dump.lp_bytes as f32 / n.max_bytes.max(1) as f32,
            &format!(
                "{} / {} bytes (allocated {})",
                n.dump.lp_bytes, n.max_bytes, n.dump.alloc_bytes
            ),
        );
    });
    ui.weak("A node closes at stream-node-max-entries or stream-node-max-bytes, whichever comes first; nodes never split.");
    egui::CollapsingHeader::new(format!(
        "Listpack of {} — {} elements",
        n.master_id,
        n.dump.elements.len()
    ))
    .id_salt(("lp", &s.key))
    .default_open(true)
    .show(ui, |ui| {
        ScrollArea::vertical()
            .id_salt(("lp-scroll", &s.key))
            .max_height(260.0)
            .show(ui, |ui| {
                egui::Grid::new(("lp-grid", &s.key))
                    .num_columns(4)
                    .striped(true)
                    .show(ui, |ui| {
                        for h in ["offset", "bytes", "role", "value"] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for e in &n.dump.elements {
                            ui.monospace(e.offset.to_string());
                            let hex: Vec<String> = e
                                .bytes
                                .iter()
                                .take(12)
                                .map(|b| format!("{b:02x}"))
                                .collect();
                            let more = if e.bytes.len() > 12 { " …" } else { "" };
                            ui.monospace(format!("{}{more}", hex.join(" ")));
                            ui.monospace(e.role.to_string());
                            let value = match &e.value {
                                crate::engine::node_dump::DumpValue::Int(i) => i.to_string(),
                                crate::engine::node_dump::DumpValue::Str(b) => {
                                    format!("{:?}", String::from_utf8_lossy(&b[..]))
                                }
                            };
                            let entry = e.entry.map(|id| format!("   ({id})")).unwrap_or_default();
                            ui.monospace(format!("{value}{entry}"));
                            ui.end_row();
                        }
                    });
            });
    });
}

fn bar(ui: &mut Ui, frac: f32, text: &str) {
    ui.add(
        egui::ProgressBar::new(frac.clamp(0.0, 1.0))
            .desired_width(300.0)
            .text(text),
    );
}
