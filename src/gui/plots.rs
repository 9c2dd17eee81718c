//! The Plots tab: the run's numbers over time (egui_plot), the same data
//! as a list below, and a click on a plot moves the timeline there.
//!
//! ```text
//!   PEL per consumer     ── c1 ── c2 ── reaper        │ now
//!   lag · XLEN           ── lag ── length             │
//!   XADD per second      ── entries-added / s         │
//!   MEMORY USAGE         ── bytes                     │
//!   replicas behind      ── r1 ── r2  (with replicas) │
//!   ▸ the same data as a list (time, step, XLEN, PEL, lag, memory)
//! ```

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};

use super::app::Explorer;
use super::theme;
use crate::view::series::Sample;

const PLOT_HEIGHT: f32 = 120.0;

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    let series = app.player().series().clone();
    let Some(stream) = series.stream.clone() else {
        ui.weak("No stream yet: the plots start once the run has one.");
        return;
    };
    let group = series.group.clone().unwrap_or_else(|| "no group".into());
    ui.label(format!(
        "Stream {stream}, group {group}: {} samples over the explored run. Click a plot to go there.",
        series.samples.len()
    ));
    let now_s = app.world().time_ms as f64 / 1000.0;
    let samples = &series.samples;
    let mut clicked: Option<f64> = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        let t = |s: &Sample| s.time_ms as f64 / 1000.0;
        let consumers: Vec<String> = {
            let mut names: Vec<String> = samples
                .iter()
                .flat_map(|s| s.pel.iter().map(|(n, _)| n.clone()))
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let mut plots: Vec<(&str, Vec<(String, Vec<[f64; 2]>)>)> = vec![(
            "PEL per consumer (XPENDING)",
            by_name(samples, &consumers, |s| &s.pel),
        )];
        plots.push((
            "group lag and XLEN",
            vec![
                (
                    "lag".into(),
                    samples
                        .iter()
                        .filter_map(|s| s.lag.map(|l| [t(s), l as f64]))
                        .collect(),
                ),
                (
                    "XLEN".into(),
                    samples.iter().map(|s| [t(s), s.length as f64]).collect(),
                ),
            ],
        ));
        plots.push((
            "XADD per second",
            vec![(
                "entries added / s".into(),
                samples
                    .windows(2)
                    .filter(|w| w[1].time_ms > w[0].time_ms)
                    .map(|w| {
                        let added = w[1].entries_added.saturating_sub(w[0].entries_added);
                        let secs = (w[1].time_ms - w[0].time_ms) as f64 / 1000.0;
                        [t(&w[1]), added as f64 / secs]
                    })
                    .collect(),
            )],
        ));
        plots.push((
            "MEMORY USAGE (bytes)",
            vec![(
                "memory".into(),
                samples
                    .iter()
                    .map(|s| [t(s), s.memory_bytes as f64])
                    .collect(),
            )],
        ));
        let replicas: Vec<String> = samples
            .first()
            .map(|s| s.replicas.iter().map(|r| r.0.clone()).collect())
            .unwrap_or_default();
        if !replicas.is_empty() {
            plots.push((
                "replication records not applied yet",
                by_name(samples, &replicas, |s| &s.replicas),
            ));
        }
        for (title, lines) in plots {
            ui.label(RichText::new(title).strong());
            let r = Plot::new(title)
                .height(PLOT_HEIGHT)
                .legend(Legend::default())
                .allow_scroll(false)
                .allow_zoom(false)
                .allow_drag(false)
                .x_axis_label("virtual time (s)")
                .show(ui, |p| {
                    for (name, pts) in lines {
                        let color = theme::consumer(&name);
                        p.line(Line::new(name, PlotPoints::from(stairs(&pts))).color(color));
                    }
                    p.vline(VLine::new("now", now_s).color(theme::CHANGED));
                    p.pointer_coordinate()
                });
            if r.response.clicked()
                && let Some(at) = r.inner
            {
                clicked = Some(at.x);
            }
        }
        egui::CollapsingHeader::new("The same data as a list")
            .id_salt("plot-data")
            .show(ui, |ui| list(ui, samples));
    });
    if let Some(x_s) = clicked {
        app.seek_to_time((x_s.max(0.0) * 1000.0) as u64);
    }
}

impl Explorer {
    /// Moves to the sampled moment nearest virtual time `time_ms` (what a
    /// click on a plot does).
    pub fn seek_to_time(&mut self, time_ms: u64) {
        let step = self
            .player()
            .series()
            .samples
            .iter()
            .min_by_key(|s| s.time_ms.abs_diff(time_ms))
            .map(|s| s.step);
        if let Some(step) = step {
            self.seek(step);
        }
    }
}

/// One line per name: the value `pick` gives it in each sample (0 where a
/// sample does not name it).
fn by_name(
    samples: &[Sample],
    names: &[String],
    pick: impl Fn(&Sample) -> &[(String, u64)],
) -> Vec<(String, Vec<[f64; 2]>)> {
    names
        .iter()
        .map(|name| {
            let points = samples
                .iter()
                .map(|s| {
                    let v = pick(s).iter().find(|(n, _)| n == name).map_or(0, |p| p.1);
                    [s.time_ms as f64 / 1000.0, v as f64]
                })
                .collect();
            (name.clone(), points)
        })
        .collect()
}

/// Draws samples as steps: the state only changes at a step of the run,
/// so a value holds until the next sample, never slopes towards it.
fn stairs(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            out.push([p[0], points[i - 1][1]]);
        }
        out.push(*p);
    }
    out
}

fn list(ui: &mut Ui, samples: &[Sample]) {
    egui::Grid::new("samples").striped(true).show(ui, |ui| {
        for h in ["t", "step", "XLEN", "PEL", "lag", "MEMORY USAGE"] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for s in samples {
            ui.monospace(theme::duration(s.time_ms));
            ui.monospace(theme::thousands(s.step));
            ui.monospace(theme::thousands(s.length));
            let pel: Vec<String> = s.pel.iter().map(|(n, c)| format!("{n} {c}")).collect();
            ui.monospace(pel.join(", "));
            ui.monospace(s.lag.map_or("nil".to_string(), |l| l.to_string()));
            ui.monospace(theme::bytes(s.memory_bytes));
            ui.end_row();
        }
    });
}
