//! The scenario picker: every bundled scenario grouped by lesson, seed and
//! duration editable, a RON file opened from disk (native) or pasted.
//!
//! ```text
//!   S01 crashed consumer          S01  S01b  S01c  S01d
//!   S02 Kafka offsets vs the PEL  S02  S02b  …
//!   seed [2]  duration [30000] ms  [Run again]
//!   path [scenarios/my.ron] [Open]    or paste RON: [……] [Load pasted]
//!   s.ron:12:5: unknown field `amout` …                 (errors, never a crash)
//! ```

use egui::{RichText, ScrollArea, Ui};

use super::app::Explorer;
use crate::scenario::builtin;
use crate::view::Player;

/// What the picker's fields hold.
#[derive(Clone, Debug, Default)]
pub struct PickerState {
    pub open: bool,
    pub seed_text: String,
    pub duration_text: String,
    /// A RON file's path (native only: a browser tab has no file system).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub path_text: String,
    pub pasted: String,
    /// The last load error (`file:line:column: what`).
    pub error: Option<String>,
}

impl PickerState {
    /// Fields filled from the run just loaded.
    pub fn for_run(player: &Player) -> PickerState {
        PickerState {
            seed_text: player.seed().to_string(),
            duration_text: player.scenario().meta.duration_ms.to_string(),
            ..PickerState::default()
        }
    }
}

/// Lessons in catalog order: `(lesson, [(id, title)])`.
pub type Catalog = Vec<(String, Vec<(String, String)>)>;

/// Catalog entries `(id, title)` grouped by lesson number (`S02b` → "S02").
pub fn catalog() -> Catalog {
    let mut lessons: Catalog = Vec::new();
    for (file, text) in builtin::ALL {
        let Ok(s) = crate::scenario::parse_scenario(file, text) else {
            continue;
        };
        let lesson: String = s.meta.id.chars().take(3).collect();
        let entry = (s.meta.id.clone(), s.meta.title.clone());
        match lessons.iter_mut().find(|(l, _)| *l == lesson) {
            Some((_, v)) => v.push(entry),
            None => lessons.push((lesson, vec![entry])),
        }
    }
    lessons
}

pub fn show(app: &mut Explorer, ui: &mut Ui, catalog: &Catalog) {
    let mut chosen: Option<String> = None;
    ScrollArea::vertical()
        .id_salt("picker")
        .max_height(340.0)
        .show(ui, |ui| {
            egui::Grid::new("catalog")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (lesson, items) in catalog {
                        ui.label(RichText::new(format!("{lesson} {}", items[0].1)).strong());
                        ui.horizontal_wrapped(|ui| {
                            for (id, title) in items {
                                let current = *id == app.source().id;
                                if ui
                                    .selectable_label(current, id)
                                    .on_hover_text(title)
                                    .clicked()
                                {
                                    chosen = Some(id.clone());
                                }
                            }
                        });
                        ui.end_row();
                    }
                });
        });
    if let Some(id) = chosen {
        let r = app.load_bundled(&id, None);
        app.picker.error = r.err();
    }
    ui.separator();
    ui.horizontal(|ui| {
        let l = ui.label("seed");
        ui.add(egui::TextEdit::singleline(&mut app.picker.seed_text).desired_width(90.0))
            .labelled_by(l.id);
        let l = ui.label("duration");
        ui.add(egui::TextEdit::singleline(&mut app.picker.duration_text).desired_width(90.0))
            .labelled_by(l.id);
        ui.label("ms");
        if ui.button("Run again").clicked() {
            let result = parse_fields(&app.picker.seed_text, &app.picker.duration_text)
                .and_then(|(seed, d)| app.reload(Some(seed), Some(d)));
            app.picker.error = result.err();
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    ui.horizontal(|ui| {
        let l = ui.label("RON file");
        ui.add(egui::TextEdit::singleline(&mut app.picker.path_text).desired_width(260.0))
            .labelled_by(l.id);
        if ui.button("Open").clicked() {
            let path = app.picker.path_text.trim().to_string();
            let result = std::fs::read_to_string(&path)
                .map_err(|e| format!("{path}: {e}"))
                .and_then(|text| app.load_text(&path, &text, None));
            app.picker.error = result.err();
        }
    });
    let l = ui.label("Or paste a scenario (RON):");
    ui.add(
        egui::TextEdit::multiline(&mut app.picker.pasted)
            .code_editor()
            .desired_rows(5)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id);
    if ui.button("Load pasted RON").clicked() {
        let text = app.picker.pasted.clone();
        let result = app.load_text("pasted.ron", &text, None);
        app.picker.error = result.err();
        if app.picker.error.is_none() {
            app.picker.pasted = text;
        }
    }
    if let Some(e) = &app.picker.error {
        ui.colored_label(super::theme::FAULT, e);
    }
}

/// Seed and duration from their text fields.
fn parse_fields(seed: &str, duration: &str) -> Result<(u64, u64), String> {
    let seed = seed
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("seed: '{}' is not a whole number", seed.trim()))?;
    let d = duration.trim().parse::<u64>().map_err(|_| {
        format!(
            "duration: '{}' is not a whole number of ms",
            duration.trim()
        )
    })?;
    if d == 0 {
        return Err("duration: must be at least 1 ms".into());
    }
    Ok((seed, d))
}
