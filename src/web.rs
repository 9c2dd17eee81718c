//! The browser entry point: the same explorer on a `<canvas>`.
//!
//! ```text
//!   index.html ── new WebHandle().start(canvas)
//!                    ├─ reads ?scenario=S02&seed=2&step=40   (step=end: the run's end)
//!                    └─ on every change: history.replaceState(?scenario&seed&step)
//!                                        <body data-scenario data-step data-trace-hash>
//! ```
//!
//! The URL follows the learner, so a copied link reopens the same moment;
//! the body's data attributes let a test read the state without pixels.

use wasm_bindgen::prelude::*;

use crate::gui::{Explorer, Report};

/// The handle the page holds.
#[wasm_bindgen]
pub struct WebHandle {
    runner: eframe::WebRunner,
}

#[wasm_bindgen]
impl WebHandle {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> WebHandle {
        WebHandle {
            runner: eframe::WebRunner::new(),
        }
    }

    /// Starts the app on `canvas`, at the moment the URL names.
    pub async fn start(&self, canvas: web_sys::HtmlCanvasElement) -> Result<(), JsValue> {
        let (scenario, seed, step) = url_state();
        self.runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(move |cc| {
                    crate::gui::setup_style(&cc.egui_ctx);
                    let mut app = Explorer::new(&scenario, seed, step);
                    app.on_report = Some(Box::new(publish));
                    Ok(Box::new(app))
                }),
            )
            .await
    }

    /// The app panicked (the page shows the message).
    pub fn has_panicked(&self) -> bool {
        self.runner.panic_summary().is_some()
    }

    /// The panic message, if any.
    pub fn panic_message(&self) -> Option<String> {
        self.runner.panic_summary().map(|s| s.message())
    }
}

/// `(scenario, seed, step)` from the page's query string.
fn url_state() -> (String, Option<u64>, Option<u64>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let get = |k: &str| params.as_ref().and_then(|p| p.get(k));
    let scenario = get("scenario").unwrap_or_else(|| "S02".into());
    let seed = get("seed").and_then(|s| s.parse().ok());
    let step = get("step").and_then(|s| {
        if s == "end" {
            Some(u64::MAX)
        } else {
            s.parse().ok()
        }
    });
    (scenario, seed, step)
}

/// Mirrors the report into the URL and the body's data attributes.
fn publish(r: &Report) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(body) = window.document().and_then(|d| d.body()) {
        let data = body.dataset();
        let _ = data.set("scenario", &r.scenario);
        let _ = data.set("seed", &r.seed.to_string());
        let _ = data.set("step", &r.step.to_string());
        let _ = data.set("atEnd", if r.at_end { "1" } else { "0" });
        if let Some(h) = &r.trace_hash {
            let _ = data.set("traceHash", h);
        }
    }
    let query = format!("?scenario={}&seed={}&step={}", r.scenario, r.seed, r.step);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&query));
    }
}
