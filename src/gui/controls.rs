//! The bottom bar: transport buttons, speed, and the scrub bar with its
//! markers.
//!
//! ```text
//!   ⇤ Start  ◀ Back  ▶ Play  Step ▶  End ⇥ │ speed ──●── 10 steps/s │ step 41 / 98  t = 125 ms
//!   ───▲──────────◆────────▲──────────────   caption ▲   fault ◆
//!   ══════●═══════════════════════════════   (the slider: drag to seek)
//! ```

use egui::{Align2, Color32, FontId, Sense, Stroke, Ui, vec2};

use super::app::Explorer;
use super::theme;
use crate::view::MarkerKind;

/// Draws the bar and applies what the user did.
pub fn show(app: &mut Explorer, ui: &mut Ui) {
    ui.horizontal(|ui| {
        if ui.button("⇤ Start").on_hover_text("Home").clicked() {
            app.seek(0);
        }
        if ui
            .button("◀ Back")
            .on_hover_text("← (shift: ×10)")
            .clicked()
        {
            app.step_back();
        }
        let play = if app.playing { "‖ Pause" } else { "▶ Play" };
        if ui.button(play).on_hover_text("Space").clicked() {
            app.toggle_play();
        }
        if ui
            .button("Step ▶")
            .on_hover_text("→ (shift: ×10)")
            .clicked()
        {
            app.step();
        }
        if ui.button("End ⇥").on_hover_text("End").clicked() {
            app.seek(u64::MAX);
        }
        ui.separator();
        if ui.button("◆ Next fault").on_hover_text("f").clicked() {
            app.next_marker(Some(MarkerKind::Fault));
        }
        if ui.button("▲ Next caption").on_hover_text("c").clicked() {
            app.next_marker(Some(MarkerKind::Caption));
        }
        ui.separator();
        ui.label("Speed");
        ui.add(
            egui::Slider::new(&mut app.speed, 1.0..=100_000.0)
                .logarithmic(true)
                .suffix(" steps/s")
                .max_decimals(0),
        )
        .on_hover_text("[ slower, ] faster");
        ui.separator();
        let w = app.world();
        // Growing while exploring; past the exploring bound the run goes
        // on beyond what is known, and the count must not read as its end.
        let total = if app.exploring() {
            format!("{}…", theme::thousands(w.known_steps))
        } else if app.player().total_steps().is_none() {
            format!("{}+", theme::thousands(w.known_steps))
        } else {
            theme::thousands(w.known_steps)
        };
        ui.monospace(format!(
            "step {} / {total}   t = {}",
            theme::thousands(w.step),
            time_text(w.time_ms)
        ));
    });
    scrub_bar(app, ui);
}

fn time_text(ms: u64) -> String {
    if ms < 10_000 {
        format!("{ms} ms")
    } else {
        format!("{} ({ms} ms)", theme::duration(ms))
    }
}

/// Markers over a full-width slider; dragging the slider seeks exactly.
fn scrub_bar(app: &mut Explorer, ui: &mut Ui) {
    let total = app.player().known_steps().max(1);
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(vec2(width, 14.0), Sense::click());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let x_of = |step: u64| rect.left() + rect.width() * (step as f32 / total as f32);
    let mut hovered_text = None;
    let pointer = response.hover_pos();
    for m in app.player().markers() {
        let x = x_of(m.step + 1);
        let (colour, glyph) = match m.kind {
            MarkerKind::Caption => (theme::CAPTION, "▲"),
            MarkerKind::Fault => (theme::FAULT, "◆"),
            MarkerKind::Command => (theme::CHANGED, "●"),
        };
        painter.text(
            egui::pos2(x, rect.center().y),
            Align2::CENTER_CENTER,
            glyph,
            FontId::proportional(10.0),
            colour,
        );
        if pointer.is_some_and(|p| (p.x - x).abs() < 5.0) {
            hovered_text = Some(format!("step {}: {}", m.step + 1, m.text));
        }
    }
    let here = x_of(app.player().position());
    painter.line_segment(
        [
            egui::pos2(here, rect.top()),
            egui::pos2(here, rect.bottom()),
        ],
        Stroke::new(2.0, Color32::WHITE),
    );
    if let Some(text) = hovered_text {
        response.clone().on_hover_text(text);
    }
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        let frac = ((p.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
        app.seek((frac * total as f32).round() as u64);
    }
    let mut position = app.player().position();
    let before = position;
    ui.spacing_mut().slider_width = width - 10.0;
    ui.add(
        egui::Slider::new(&mut position, 0..=total)
            .show_value(false)
            .text("")
            .trailing_fill(true),
    )
    .on_hover_text("Drag to move through the run (exact: step back and forth as you like)")
    .widget_info(|| egui::WidgetInfo::slider(true, position as f64, "Timeline"));
    if position != before {
        app.seek(position);
    }
}
