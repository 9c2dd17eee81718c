//! The lab panel (right): change the run at this step, try a what-if, and
//! compare the branch with the original.
//!
//! ```text
//!   ┌ Lab ─────────────────────────────────────┐
//!   │ branch of S01 · 1 action  [↺ original]   │
//!   │ [⇗ copy link] [⇩ save as RON]           │
//!   │ ▾ Break something at step 412 (t=13.1 s) │
//!   │   c1 consumer running  [crash] [hang 10s]│
//!   │   Redis primary  [crash] [power loss] …  │
//!   │ ▾ What if…                               │
//!   │   reaper: min-idle (ms)  [ 60000 ]       │
//!   │ ▾ Original vs branch (at their ends)     │
//!   │   Redis: lost        0   →   7           │
//!   └──────────────────────────────────────────┘
//! ```

use egui::{RichText, Ui};

use super::app::Explorer;
use super::theme;
use crate::scenario::schema::{Action, FaultKind};
use crate::view::knobs::{self, KnobValue};
use crate::view::lab::compare;
use crate::view::targets::Targets;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    ui.heading("Lab");
    branch_header(app, ui);
    if let Some((ok, text)) = &app.lab_ui.message {
        let color = if *ok { theme::COMMITTED } else { theme::FAULT };
        ui.colored_label(color, text);
    }
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        let here = app.player().position();
        let t_ms = app.world().time_ms;
        egui::CollapsingHeader::new(format!(
            "Break something at step {here} (t={})",
            theme::duration(t_ms)
        ))
        .id_salt("faults")
        .default_open(true)
        .show(ui, |ui| faults(app, ui));
        egui::CollapsingHeader::new("What if…")
            .id_salt("whatif")
            .default_open(true)
            .show(ui, |ui| what_if(app, ui));
        if app.lab.is_branch() {
            egui::CollapsingHeader::new("Original vs branch, at their ends")
                .id_salt("compare")
                .default_open(true)
                .show(ui, |ui| comparison(app, ui));
        }
    });
}

fn branch_header(app: &mut Explorer, ui: &mut Ui) {
    if app.lab.is_branch() {
        let actions = app.player().scenario().actions.len();
        let knobs = app.lab.sets.len();
        ui.label(
            RichText::new(format!(
                "A branch of {}: {actions} action(s), {knobs} what-if change(s)",
                app.source().id
            ))
            .color(theme::CHANGED),
        );
        ui.weak("The captions were written for the original run: where the branch differs, trust the panels.");
        if ui
            .button("↺ Back to the original run")
            .on_hover_text("Drop the changes; the original run at the same step")
            .clicked()
        {
            app.back_to_original();
        }
    } else {
        ui.weak("Anything you do here branches the run at this step; the future is re-simulated.");
    }
    ui.horizontal(|ui| {
        if ui
            .button("⇗ Copy link")
            .on_hover_text("A link that reopens this run, branch included, at this step")
            .clicked()
        {
            let url = app.link_url();
            ui.ctx().copy_text(url.clone());
            app.lab_ui.message = Some((true, format!("copied {url}")));
        }
        if ui
            .button("⇩ Save as RON")
            .on_hover_text("A scenario file `streamlab run` replays with the same trace hash")
            .clicked()
        {
            app.save_branch();
        }
    });
}

fn faults(app: &mut Explorer, ui: &mut Ui) {
    if app.player().sim().is_finished() {
        ui.weak("The run is over here: step back to change what happens.");
        return;
    }
    let targets = Targets::of(app.player());
    let mut chosen: Option<FaultKind> = None;
    egui::Grid::new("fault-targets")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for a in &targets.actors {
                let state = if !a.alive {
                    RichText::new("crashed").color(theme::FAULT)
                } else if a.hung_until_ms > 0 {
                    RichText::new(format!("hung until {}", theme::duration(a.hung_until_ms)))
                        .color(theme::CHANGED)
                } else {
                    RichText::new("running").weak()
                };
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(&a.name)
                            .color(theme::consumer(&a.name))
                            .strong(),
                    );
                    ui.weak(a.role);
                    ui.label(state);
                });
                ui.horizontal(|ui| {
                    if a.alive {
                        if ui.small_button("crash").clicked() {
                            chosen = Some(FaultKind::CrashActor(a.name.clone()));
                        }
                        if ui.small_button("hang 10 s").clicked() {
                            chosen = Some(FaultKind::HangActor {
                                name: a.name.clone(),
                                for_ms: 10_000,
                            });
                        }
                    } else {
                        if ui.small_button("restart").clicked() {
                            chosen = Some(FaultKind::RestartActor {
                                name: a.name.clone(),
                                consumer_name: None,
                                read_history: None,
                            });
                        }
                        if ui
                            .small_button("restart as new name")
                            .on_hover_text("Its old PEL stays behind under the old name")
                            .clicked()
                        {
                            chosen = Some(FaultKind::RestartActor {
                                name: a.name.clone(),
                                consumer_name: Some(format!("{}-new", a.name)),
                                read_history: None,
                            });
                        }
                    }
                });
                ui.end_row();
            }
        });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Redis primary").strong());
        for (label, kind) in targets.redis_faults() {
            if ui.small_button(label).clicked() {
                chosen = Some(kind);
            }
        }
        for r in &targets.replicas {
            if ui.small_button(format!("fail over to {r}")).clicked() {
                chosen = Some(FaultKind::Failover(r.clone()));
            }
        }
    });
    if !targets.replicas.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Replicas").strong());
            for r in &targets.replicas {
                if ui.small_button(format!("crash {r}")).clicked() {
                    chosen = Some(FaultKind::ReplicaCrash(r.clone()));
                }
                if ui.small_button(format!("restart {r}")).clicked() {
                    chosen = Some(FaultKind::ReplicaRestart(r.clone()));
                }
            }
        });
    }
    for c in &targets.kafka_consumers {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Kafka {c}")).strong());
            if ui.small_button("crash").clicked() {
                chosen = Some(FaultKind::CrashActor(c.clone()));
            }
            if ui.small_button("close").clicked() {
                chosen = Some(FaultKind::CloseKafkaConsumer(c.clone()));
            }
        });
    }
    if targets.brokers > 0 {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Kafka brokers").strong());
            for b in 0..targets.brokers {
                if ui.small_button(format!("crash broker-{b}")).clicked() {
                    chosen = Some(FaultKind::KafkaBrokerCrash(b));
                }
            }
        });
    }
    if let Some(kind) = chosen {
        app.act(Action::Fault(kind));
    }
}

fn what_if(app: &mut Explorer, ui: &mut Ui) {
    let list = knobs::knobs(&app.lab.base);
    if list.is_empty() {
        ui.weak("This scenario has no parameters to vary.");
        return;
    }
    let current = knobs::knobs(app.player().scenario());
    egui::Grid::new("knobs").num_columns(2).show(ui, |ui| {
        for k in &list {
            let now = current
                .iter()
                .find(|c| c.id == k.id)
                .map_or(&k.value, |c| &c.value);
            let mut value = app
                .lab_ui
                .pending
                .get(&k.id)
                .cloned()
                .unwrap_or(now.clone());
            let changed_from_original = *now != k.value;
            let label = RichText::new(&k.label);
            let label_id = ui
                .label(if changed_from_original {
                    label.color(theme::CHANGED)
                } else {
                    label
                })
                .id;
            let edited = match &mut value {
                KnobValue::Int(v) => ui
                    .add(
                        egui::DragValue::new(v)
                            .range(0..=k.max)
                            .speed(k.max as f64 / 500.0),
                    )
                    .labelled_by(label_id)
                    .changed(),
                KnobValue::Choice(i) => {
                    let before = *i;
                    egui::ComboBox::from_id_salt(&k.id)
                        .selected_text(k.choices.get(*i).copied().unwrap_or("?"))
                        .show_ui(ui, |ui| {
                            for (n, c) in k.choices.iter().enumerate() {
                                ui.selectable_value(i, n, *c);
                            }
                        })
                        .response
                        .labelled_by(label_id);
                    *i != before
                }
            };
            if edited {
                app.lab_ui.pending.insert(k.id.clone(), value);
            }
            ui.end_row();
        }
    });
    let pending = app.lab_ui.pending.len();
    if ui
        .add_enabled(
            pending > 0,
            egui::Button::new("▶ Re-run with these changes"),
        )
        .on_hover_text("The scenario runs again from the start; the original stays for comparison")
        .clicked()
    {
        app.run_pending_knobs();
    }
}

fn comparison(app: &mut Explorer, ui: &mut Ui) {
    if app.exploring() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("exploring the branch to its end…");
        });
        return;
    }
    let Some((original, branch)) = app.lab.endings() else {
        ui.weak("The runs are explored to a cap; their ends are not known.");
        return;
    };
    let rows = compare(&original, &branch);
    egui::Grid::new("compare")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("original").strong());
            ui.label(RichText::new("branch").strong());
            ui.end_row();
            for r in rows {
                let text = |t: String| {
                    let t = RichText::new(t).monospace();
                    if r.differs() {
                        t.color(theme::CHANGED).strong()
                    } else {
                        t
                    }
                };
                ui.label(if r.differs() {
                    RichText::new(&r.label).color(theme::CHANGED)
                } else {
                    RichText::new(&r.label)
                });
                ui.label(text(theme::thousands(r.original)));
                ui.label(text(theme::thousands(r.branch)));
                ui.end_row();
            }
        });
    ui.weak(format!(
        "trace hashes: original {:016x}, branch {:016x}",
        original.trace_hash, branch.trace_hash
    ));
}
