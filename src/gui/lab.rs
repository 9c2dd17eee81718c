//! The lab's actions on the explorer: branch the run (a fault, a console
//! command), change a what-if knob, go back to the original, save or link
//! the branch. Every one goes through `view::Lab`; the panels only call
//! these.
//!
//! ```text
//!   panel click ─▶ Explorer::act / set_knob / back_to_original ─▶ Lab ─▶ refresh world
//!   console Enter ─▶ Console::submit(lab) ─▶ refresh world
//!   save ─▶ scenario::save::to_ron(branch) ─▶ file (native) / download (web)
//! ```

use std::collections::BTreeMap;

use crate::scenario::save;
use crate::scenario::schema::Action;
use crate::view::console::Console;
use crate::view::knobs::KnobValue;
use crate::view::link::{Link, WEB_DEMO_PAGE};

use super::app::Explorer;

/// The lab's UI state.
#[derive(Default)]
pub struct LabUi {
    pub console: Console,
    /// Completion candidates of the last Tab.
    pub candidates: Vec<String>,
    /// Knob values edited but not yet run.
    pub pending: BTreeMap<String, KnobValue>,
    /// The last refusal or confirmation, shown under the lab's buttons.
    pub message: Option<(bool, String)>,
    /// The page the copied link points to (the web page's own address).
    pub page: Option<String>,
    /// Show the console panel.
    pub console_open: bool,
    /// Show the lab panel.
    pub lab_open: bool,
}

impl LabUi {
    pub fn new() -> LabUi {
        LabUi {
            console_open: true,
            lab_open: true,
            ..LabUi::default()
        }
    }
}

impl Explorer {
    /// Does `action` at the current step: the run branches here.
    pub fn act(&mut self, action: Action) {
        let what = match &action {
            Action::Fault(kind) => crate::sim::actions::describe_fault(kind),
            Action::Command(line) => format!("> {line}"),
        };
        let step = self.player().position();
        self.lab_ui.message = Some(match self.lab.act(action) {
            Ok(()) => (true, format!("branched at step {step}: {what}")),
            Err(why) => (false, why),
        });
        self.refresh();
    }

    /// Runs the console's input line.
    pub fn console_submit(&mut self) {
        if self.lab_ui.console.submit(&mut self.lab) {
            self.refresh();
        }
    }

    /// What is typed in the console.
    pub fn console_input(&self) -> &str {
        &self.lab_ui.console.input
    }

    /// Types `text` into the console (tests; a paste).
    pub fn console_type(&mut self, text: &str) {
        self.lab_ui.console.input = text.to_string();
    }

    /// Re-runs the scenario from the start with knob `id` at `value`.
    pub fn set_knob(&mut self, id: &str, value: KnobValue) {
        self.lab_ui.pending.remove(id);
        if let Err(why) = self.lab.set_knob(id, value) {
            self.lab_ui.message = Some((false, why));
        } else {
            self.lab_ui.message = Some((true, "re-running the scenario with the change".into()));
        }
        self.after_replacing_run();
    }

    /// Runs every edited knob.
    pub fn run_pending_knobs(&mut self) {
        for (id, v) in std::mem::take(&mut self.lab_ui.pending) {
            self.set_knob(&id, v);
        }
    }

    /// The original's and the branch's endings (None until both are
    /// explored to their ends, or when the run on screen is no branch).
    pub fn lab_endings(&mut self) -> Option<(crate::view::Ending, crate::view::Ending)> {
        self.lab.endings()
    }

    /// Back to the run as opened, at the same step.
    pub fn back_to_original(&mut self) {
        self.lab.back_to_original();
        self.lab_ui.message = None;
        self.after_replacing_run();
    }

    fn after_replacing_run(&mut self) {
        self.picker = super::picker::PickerState::for_run(&self.lab.player);
        self.refresh();
    }

    /// The link to this moment of this run (branch included).
    pub fn link(&self) -> Link {
        self.lab.link(&self.source.id)
    }

    /// The link as a whole URL.
    pub fn link_url(&self) -> String {
        let page = self.lab_ui.page.as_deref().unwrap_or(WEB_DEMO_PAGE);
        format!("{page}{}", self.link().to_query())
    }

    /// The run on screen as a scenario file `streamlab run` replays.
    pub fn branch_ron(&self) -> Result<String, String> {
        let header = format!(
            "{} as changed in the explorer: replay it with `streamlab run FILE`.\nLink: {}",
            self.source.id,
            self.link_url()
        );
        save::to_ron(self.player().scenario(), &header)
    }

    /// A file name for the branch.
    pub fn branch_file_name(&self) -> String {
        format!("{}-branch.ron", self.source.id.to_ascii_lowercase())
    }

    /// Saves the branch: a file in the working directory natively, a
    /// download in the browser.
    pub fn save_branch(&mut self) {
        let result = self
            .branch_ron()
            .and_then(|text| write_out(&self.branch_file_name(), &text));
        self.lab_ui.message = Some(match result {
            Ok(place) => (true, format!("saved {place}")),
            Err(why) => (false, format!("not saved: {why}")),
        });
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn write_out(name: &str, text: &str) -> Result<String, String> {
    std::fs::write(name, text).map_err(|e| format!("{name}: {e}"))?;
    let full = std::env::current_dir()
        .map(|d| d.join(name).display().to_string())
        .unwrap_or_else(|_| name.to_string());
    Ok(full)
}

#[cfg(target_arch = "wasm32")]
fn write_out(name: &str, text: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys_array(text);
    let blob = web_sys::Blob::new_with_str_sequence(&parts).map_err(|_| "no Blob")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "no object URL")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no <a>")?
        .dyn_into()
        .map_err(|_| "not an <a>")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(format!("{name} (downloaded)"))
}

#[cfg(target_arch = "wasm32")]
fn js_sys_array(text: &str) -> wasm_bindgen::JsValue {
    let parts = web_sys::js_sys::Array::new();
    parts.push(&wasm_bindgen::JsValue::from_str(text));
    parts.into()
}
