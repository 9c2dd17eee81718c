//! The "Live Redis" window (native only; the module is not built for the
//! browser, where a page cannot open a TCP connection): read a running server's streams,
//! read-only, into the explorer's panels.
//!
//! ```text
//!   host [127.0.0.1]  port [6379]  key [        ] (empty: every stream)
//!   [Load]  ── live::snapshot ──▶ the scenario "LIVE" at its end, in every panel
//!   errors: cannot reach … · needs a password · key 'x' is a list, not a stream
//! ```

use super::app::{Explorer, Source};
use super::theme;
use egui::Ui;

/// The window: open or not, and its fields.
#[derive(Clone, Debug, Default)]
pub struct LiveWindow {
    pub open: bool,
    pub form: LiveForm,
}

/// What the window's fields hold.
#[derive(Clone, Debug)]
pub struct LiveForm {
    pub host: String,
    pub port: String,
    pub key: String,
    pub message: Option<(bool, String)>,
}

impl Default for LiveForm {
    fn default() -> LiveForm {
        LiveForm {
            host: "127.0.0.1".into(),
            port: "6379".into(),
            key: String::new(),
            message: None,
        }
    }
}

impl Explorer {
    /// Loads the streams of `host:port` (or its `key` only) and shows
    /// them at the end of their rebuild; the error says what failed.
    pub fn load_live(&mut self, host: &str, port: u16, key: Option<&str>) -> Result<(), String> {
        let scenario = crate::live::snapshot(host, port, key)?;
        let text = crate::scenario::save::to_ron(&scenario, "A live server's streams, as read")?;
        self.replace(
            Source {
                id: "LIVE".into(),
                text: text.into(),
            },
            std::sync::Arc::new(scenario),
            None,
        );
        self.explore_all();
        self.seek(u64::MAX);
        Ok(())
    }
}

pub fn show(app: &mut Explorer, ui: &mut Ui) {
    ui.weak("Read-only: only PING, TIME, SCAN, TYPE, XINFO, XRANGE and XPENDING are sent.");
    let mut form = app.live.form.clone();
    egui::Grid::new("live-form").num_columns(2).show(ui, |ui| {
        let l = ui.label("host").id;
        ui.text_edit_singleline(&mut form.host).labelled_by(l);
        ui.end_row();
        let l = ui.label("port").id;
        ui.text_edit_singleline(&mut form.port).labelled_by(l);
        ui.end_row();
        let l = ui.label("stream key").id;
        ui.add(egui::TextEdit::singleline(&mut form.key).hint_text("every stream"))
            .labelled_by(l);
        ui.end_row();
    });
    if ui.button("Load the server's streams").clicked() {
        form.message = Some(match form.port.trim().parse::<u16>() {
            Err(_) => (
                false,
                format!("port '{}' is not a number from 0 to 65535", form.port),
            ),
            Ok(port) => {
                let key = Some(form.key.trim()).filter(|k| !k.is_empty());
                match app.load_live(form.host.trim(), port, key) {
                    Ok(()) => (true, "loaded; press Load again to refresh".to_string()),
                    Err(e) => (false, e),
                }
            }
        });
    }
    if let Some((ok, text)) = &form.message {
        ui.colored_label(if *ok { theme::COMMITTED } else { theme::FAULT }, text);
    }
    app.live.form = form;
}
