//! The browser entry point: the same explorer on a `<canvas>`.
//!
//! ```text
//!   index.html ── new WebHandle().start(canvas)
//!                    ├─ reads ?scenario=S02&seed=2&step=40   (step=end: the run's end)
//!                    │        &set=…&act=…                  (a branch: view::link)
//!                    └─ on every change: history.replaceState(the link)
//!                                        <body data-scenario data-step data-trace-hash data-branch>
//! ```
//!
//! The URL follows the learner, so a copied link reopens the same moment;
//! the body's data attributes let a test read the state without pixels.

use wasm_bindgen::prelude::*;

use crate::gui::{Explorer, Report};
use crate::view::Link;

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
        let link = url_link();
        self.runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(move |cc| {
                    crate::gui::setup_style(&cc.egui_ctx);
                    let mut app = Explorer::from_link(&link);
                    app.lab_ui.page = page_address();
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

/// What the page's query string names (a malformed one opens S02 and
/// says why on the console of the browser).
fn url_link() -> Link {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    Link::parse(&search).unwrap_or_else(|why| {
        web_sys::console::warn_1(&format!("streamlab: ignoring the link: {why}").into());
        Link::parse("?scenario=S02").unwrap_or_default()
    })
}

/// The page's address without its query (what a copied link starts with).
fn page_address() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!(
        "{}{}",
        location.origin().ok()?,
        location.pathname().ok()?
    ))
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
        let _ = data.set("branch", if r.branch { "1" } else { "0" });
        if let Some(h) = &r.trace_hash {
            let _ = data.set("traceHash", h);
        }
    }
    let query = &r.link;
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(query));
    }
}
