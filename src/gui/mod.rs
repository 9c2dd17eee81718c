//! The explorer: an eframe app over the view models, native and in the
//! browser.
//!
//! ```text
//!   ┌ header: scenario ▾  seed  ? help   title / learning goal ─────────────────┐
//!   ├ narrative ──────┬ [Stream] [Groups & PEL] [Kafka vs PEL] ─┬ Lab ───────────┤
//!   │ chapter, caption│   the selected tab (stream.rs, pel.rs,  │ branch, faults,│
//!   │ > command/reply │   kafka.rs)                             │ what-if knobs, │
//!   │                 │                                         │ original vs    │
//!   │                 │                                         │ branch         │
//!   ├─────────────────┴─────────────────────────────────────────┴────────────────┤
//!   │ console: step 412> XPENDING orders g … (console.rs)                        │
//!   │ controls: ⇤ ◀ ▶ ▶▶ ⇥  speed  scrub bar with ▲ captions and ◆ faults       │
//!   └───────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! Each panel is a function of `&mut Explorer` and a `Ui`, so egui_kittest
//! drives the whole UI without a window (tests/explorer_ui.rs).

pub mod app;
mod console;
mod controls;
mod durability;
mod header;
mod help;
mod inspector;
mod kafka;
pub mod lab;
mod lab_panel;
mod ledger;
#[cfg(not(target_arch = "wasm32"))]
mod live;
mod myths;
mod narrative;
mod pel;
mod picker;
mod plots;
mod shapes;
mod stream;
pub mod theme;

use std::sync::OnceLock;

use egui::{Key, Ui};

pub use app::{Explorer, Report, Tab};

/// The bundled catalog for the picker, parsed once.
fn catalog() -> &'static picker::Catalog {
    static CATALOG: OnceLock<picker::Catalog> = OnceLock::new();
    CATALOG.get_or_init(picker::catalog)
}

impl Explorer {
    /// Draws one frame of the whole UI into `ui` and applies the input.
    pub fn show(&mut self, ui: &mut Ui) {
        if self.exploring() {
            self.explore_some();
            ui.ctx().request_repaint();
        }
        self.keys(ui);
        let dt_s = ui.input(|i| i.stable_dt).min(0.1);
        self.advance_play(dt_s);
        if self.playing {
            ui.ctx().request_repaint();
        }

        egui::Panel::top("header").show(ui, |ui| header::show(self, ui));
        egui::Panel::bottom("controls").show(ui, |ui| controls::show(self, ui));
        if self.lab_ui.console_open {
            egui::Panel::bottom("console")
                .resizable(true)
                .default_size(170.0)
                .show(ui, |ui| console::show(self, ui));
        }
        if self.lab_ui.lab_open {
            egui::Panel::right("lab")
                .resizable(true)
                .default_size(340.0)
                .show(ui, |ui| lab_panel::show(self, ui));
        }
        egui::Panel::left("narrative")
            .default_size(330.0)
            .show(ui, |ui| narrative::show(self, ui));
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.tab, Tab::Stream, "Stream");
                ui.selectable_value(&mut self.tab, Tab::Groups, "Groups & PEL");
                ui.selectable_value(&mut self.tab, Tab::KafkaVsPel, "Kafka vs PEL");
                ui.selectable_value(&mut self.tab, Tab::Plots, "Plots");
                ui.selectable_value(&mut self.tab, Tab::Durability, "Replication & disk");
                if self.exploring() {
                    ui.spinner();
                    ui.weak(format!(
                        "exploring the run: {} steps so far",
                        theme::thousands(self.player().known_steps())
                    ));
                }
            });
            ui.separator();
            // The ledgers are worked out only while they are on screen.
            self.refresh();
            match self.tab {
                Tab::Stream => stream::show(self, ui),
                Tab::Groups => pel::show(self, ui),
                Tab::KafkaVsPel => kafka::show(self, ui),
                Tab::Plots => plots::show(self, ui),
                Tab::Durability => durability::show(self, ui),
            }
        });

        let ctx = ui.ctx().clone();
        let help_id = ui.make_persistent_id("help-modal");
        if self.picker.open {
            let mut open = true;
            egui::Window::new("Scenarios")
                .open(&mut open)
                .default_width(640.0)
                .show(&ctx, |ui| picker::show(self, ui, catalog()));
            self.picker.open = open && self.picker.open;
        }
        if self.inspecting.is_some() {
            let mut open = true;
            // Over the lab panel, clear of the lanes one clicks in.
            let right = ctx.content_rect().right();
            egui::Window::new("Inspector")
                .open(&mut open)
                .default_pos([right - 600.0, 90.0])
                .default_width(560.0)
                .show(&ctx, |ui| inspector::show(self, ui));
            if !open {
                self.inspecting = None;
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.live.open {
            let mut open = true;
            egui::Window::new("Live Redis")
                .open(&mut open)
                .default_width(420.0)
                .show(&ctx, |ui| live::show(self, ui));
            self.live.open = open && self.live.open;
        }
        if self.myths_open {
            let mut open = true;
            egui::Window::new("Myth vs reality")
                .open(&mut open)
                .default_width(620.0)
                .show(&ctx, |ui| myths::show(self, ui));
            self.myths_open = open && self.myths_open;
        }
        if self.help_open {
            let r = egui::Modal::new(help_id).show(&ctx, |ui| {
                help::show(ui);
                ui.button("Close").clicked()
            });
            if r.inner || r.should_close() {
                self.help_open = false;
            }
        }
        self.publish_report();
    }

    fn keys(&mut self, ui: &Ui) {
        // Keys belong to a text field while one has focus.
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let (space, right, left, home, end, shift, slower, faster, caption, fault, help, tabs) = ui
            .input(|i| {
                (
                    i.key_pressed(Key::Space),
                    i.key_pressed(Key::ArrowRight),
                    i.key_pressed(Key::ArrowLeft),
                    i.key_pressed(Key::Home),
                    i.key_pressed(Key::End),
                    i.modifiers.shift,
                    i.key_pressed(Key::OpenBracket),
                    i.key_pressed(Key::CloseBracket),
                    i.key_pressed(Key::C),
                    i.key_pressed(Key::F),
                    i.key_pressed(Key::Questionmark)
                        || i.key_pressed(Key::Slash) && i.modifiers.shift,
                    [
                        i.key_pressed(Key::Num1),
                        i.key_pressed(Key::Num2),
                        i.key_pressed(Key::Num3),
                        i.key_pressed(Key::Num4),
                        i.key_pressed(Key::Num5),
                    ],
                )
            });
        let by = if shift { 10 } else { 1 };
        if space {
            self.toggle_play();
        }
        if right {
            if by == 1 {
                self.step();
            } else {
                self.seek(self.player().position() + by);
            }
        }
        if left {
            self.seek(self.player().position().saturating_sub(by));
        }
        if home {
            self.seek(0);
        }
        if end {
            self.seek(u64::MAX);
        }
        if slower {
            self.speed = (self.speed / 2.0).max(1.0);
        }
        if faster {
            self.speed = (self.speed * 2.0).min(100_000.0);
        }
        if caption {
            self.next_marker(Some(crate::view::MarkerKind::Caption));
        }
        if fault {
            self.next_marker(Some(crate::view::MarkerKind::Fault));
        }
        if help {
            self.help_open = !self.help_open;
        }
        for (i, t) in [
            Tab::Stream,
            Tab::Groups,
            Tab::KafkaVsPel,
            Tab::Plots,
            Tab::Durability,
        ]
        .into_iter()
        .enumerate()
        {
            if tabs[i] {
                self.tab = t;
            }
        }
    }
}

impl eframe::App for Explorer {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    #[cfg(target_arch = "wasm32")]
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

/// Sets the look once: dark, slightly larger text (a teaching tool is read
/// from a distance), the same natively and on the web.
pub fn setup_style(ctx: &egui::Context) {
    ctx.set_theme(egui::ThemePreference::Dark);
    // The arrows and shapes of the visual language (▲ ◆ ▾ → ←) are in the
    // monospace font only: let proportional text fall back to it.
    let mut fonts = egui::FontDefinitions::default();
    if let Some(mono) = fonts
        .families
        .get(&egui::FontFamily::Monospace)
        .and_then(|f| f.first())
        .cloned()
        && let Some(prop) = fonts.families.get_mut(&egui::FontFamily::Proportional)
    {
        prop.insert(1.min(prop.len()), mono);
    }
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
}

/// Opens the native window on the scenario `text` (named `name`, already
/// known to load), at `step`; returns eframe's error text (no display, no
/// GL) so the caller can fall back to the terminal.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native(
    name: &str,
    text: &str,
    seed: Option<u64>,
    step: Option<u64>,
) -> Result<(), String> {
    let (name, text) = (name.to_string(), text.to_string());
    open_window(Box::new(move || {
        Explorer::from_text(&name, &text, seed, step)
    }))
}

/// Opens the native window on what a copied link names.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native_link(link: &crate::view::Link) -> Result<(), String> {
    let link = link.clone();
    open_window(Box::new(move || Ok(Explorer::from_link(&link))))
}

#[cfg(not(target_arch = "wasm32"))]
type MakeExplorer = Box<dyn FnOnce() -> Result<Explorer, String>>;

#[cfg(not(target_arch = "wasm32"))]
fn open_window(make: MakeExplorer) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 600.0])
            .with_title("streamlab explorer"),
        ..Default::default()
    };
    eframe::run_native(
        "streamlab explorer",
        options,
        Box::new(move |cc| {
            setup_style(&cc.egui_ctx);
            Ok(Box::new(make()?))
        }),
    )
    .map_err(|e| e.to_string())
}
