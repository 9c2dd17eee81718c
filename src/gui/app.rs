//! The explorer's state and the one place that moves time.
//!
//! ```text
//!   Explorer
//!     ├─ player: Player     the run (sim::Timeline underneath)
//!     ├─ world: World       what every panel draws, rebuilt when the step changes
//!     ├─ playing, speed     play advances speed steps per second of wall time
//!     └─ ui state           tab, focus (opened macro node), picker, help
//!
//!   every frame:  keys ─▶ actions ─▶ player.step/seek ─▶ refresh world ─▶ panels draw
//! ```
//!
//! Panels only read `world` and call the action methods here; none of them
//! touches the simulation.

use std::sync::Arc;

use crate::engine::StreamId;
use crate::scenario::{Scenario, builtin, parse_scenario};
use crate::view::{Lab, Link, MarkerKind, Player, World};

/// The tabs of the central area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Stream,
    Groups,
    KafkaVsPel,
    Plots,
    Durability,
}

/// Where the run came from (for the picker, the URL and the page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The scenario's id (`S02`), or the file name of an opened file.
    pub id: String,
    /// The RON text.
    pub text: Arc<str>,
}

/// State the page and tests read: `(scenario id, seed, step, trace hash)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub step: u64,
    pub at_end: bool,
    pub trace_hash: Option<String>,
    /// The query string that reopens this moment, branch included.
    pub link: String,
    /// The run on screen is a branch of the one opened.
    pub branch: bool,
}

/// Where reports go (the web page's URL and data attributes).
pub type ReportSink = Box<dyn FnMut(&Report)>;

/// Steps explored ahead per frame while a scenario loads.
pub const EXPLORE_STEPS_PER_FRAME: u64 = 20_000;

/// The explorer app.
pub struct Explorer {
    pub(crate) source: Source,
    /// The run on screen, and the run as opened once a branch was made.
    pub(crate) lab: Lab,
    pub(crate) world: World,
    pub(crate) playing: bool,
    /// Steps per second while playing (log-scale slider, 1 to 100 000).
    pub(crate) speed: f32,
    pub(crate) step_debt: f32,
    pub(crate) tab: Tab,
    pub(crate) focus: Option<(String, StreamId)>,
    pub(crate) help_open: bool,
    /// The "Myth vs reality" window is open.
    pub(crate) myths_open: bool,
    /// The myth window's storage claim, measured once in the engine.
    pub(crate) storage_measured: Option<String>,
    /// The Stream tab's last list-and-hashes measurement.
    pub(crate) shapes: super::shapes::ShapeCache,
    /// The "Live Redis" window (native only: a page cannot open TCP).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) live: super::live::LiveWindow,
    /// What the inspector window shows (closed when `None`).
    pub(crate) inspecting: Option<crate::view::inspect::Target>,
    pub(crate) picker: super::picker::PickerState,
    /// Seek to this once exploring is done (a link's `step`; `u64::MAX` = end).
    pending_seek: Option<u64>,
    /// Called whenever the report changes (the web page's URL and data-*).
    pub on_report: Option<ReportSink>,
    last_report: Option<Report>,
    /// The console, the faults menu and the what-if knobs.
    pub(crate) lab_ui: super::lab::LabUi,
}

impl Explorer {
    /// Opens bundled scenario `id` (`S02`) with `seed`, at `step` (end when
    /// `u64::MAX`); unknown ids fall back to S02 with the reason shown.
    pub fn new(id: &str, seed: Option<u64>, step: Option<u64>) -> Explorer {
        let (source, error) = match bundled(id) {
            Some(s) => (s, None),
            None => (
                bundled("S02").expect("S02 is bundled"),
                Some(format!("no bundled scenario '{id}'; showing S02")),
            ),
        };
        let scenario = parse_scenario(&source.id, &source.text).expect("bundled scenarios load");
        let mut app = Explorer::with(source, Arc::new(scenario), seed);
        app.picker.error = error;
        app.open_at(step);
        app
    }

    /// Opens what a link names (a bundled scenario, its seed, the
    /// branch's knob changes and actions) at its step; a link that does
    /// not apply opens the scenario as bundled, with the reason shown.
    pub fn from_link(link: &Link) -> Explorer {
        let mut app = Explorer::new(&link.scenario, link.seed, None);
        if link.sets.is_empty() && link.acts.is_empty() {
            app.open_at(link.step);
            return app;
        }
        match Lab::from_link(app.lab.base.clone(), link) {
            Ok(lab) => {
                app.lab = lab;
                app.picker = super::picker::PickerState::for_run(&app.lab.player);
                app.world = World::of(&app.lab.player, None, None, false);
            }
            Err(why) => app.lab_ui.message = Some((false, format!("the link's branch: {why}"))),
        }
        app.open_at(link.step);
        app
    }

    /// A link to a moment lands on it at the first frame: the run is
    /// explored at once (a frame-by-frame look-ahead would show step 0
    /// first, and a test reading the page would race it).
    fn open_at(&mut self, step: Option<u64>) {
        self.pending_seek = step.filter(|s| *s > 0);
        if self.pending_seek.is_some() {
            self.explore_all();
        }
    }

    /// Opens the scenario `text` (named `name`) with `seed` at `step`
    /// (`u64::MAX`: the end); a file that does not load is an error.
    pub fn from_text(
        name: &str,
        text: &str,
        seed: Option<u64>,
        step: Option<u64>,
    ) -> Result<Explorer, String> {
        let scenario = parse_scenario(name, text).map_err(|e| e.to_string())?;
        let source = Source {
            id: name.to_string(),
            text: text.into(),
        };
        let mut app = Explorer::with(source, Arc::new(scenario), seed);
        app.open_at(step);
        Ok(app)
    }

    fn with(mut source: Source, scenario: Arc<Scenario>, seed: Option<u64>) -> Explorer {
        source.id = scenario.meta.id.clone();
        let lab = Lab::open(scenario, seed);
        let world = World::of(&lab.player, None, None, false);
        Explorer {
            picker: super::picker::PickerState::for_run(&lab.player),
            source,
            lab,
            lab_ui: super::lab::LabUi::new(),
            world,
            playing: false,
            speed: 10.0,
            step_debt: 0.0,
            tab: Tab::Stream,
            focus: None,
            help_open: false,
            myths_open: false,
            storage_measured: None,
            shapes: None,
            inspecting: None,
            #[cfg(not(target_arch = "wasm32"))]
            live: Default::default(),
            pending_seek: None,
            on_report: None,
            last_report: None,
        }
    }

    /// Loads RON text as a scenario; a bad file leaves the current run and
    /// returns its `file:line:column: what` message.
    pub fn load_text(&mut self, name: &str, text: &str, seed: Option<u64>) -> Result<(), String> {
        let scenario = parse_scenario(name, text).map_err(|e| e.to_string())?;
        let id = scenario.meta.id.clone();
        self.replace(
            Source {
                id,
                text: text.into(),
            },
            Arc::new(scenario),
            seed,
        );
        Ok(())
    }

    /// Loads bundled scenario `id` with `seed`.
    pub fn load_bundled(&mut self, id: &str, seed: Option<u64>) -> Result<(), String> {
        let source = bundled(id).ok_or_else(|| format!("no bundled scenario '{id}'"))?;
        let scenario = parse_scenario(&source.id, &source.text).map_err(|e| e.to_string())?;
        self.replace(source, Arc::new(scenario), seed);
        Ok(())
    }

    /// Re-runs the current scenario with another seed and/or duration.
    pub fn reload(&mut self, seed: Option<u64>, duration_ms: Option<u64>) -> Result<(), String> {
        let mut scenario =
            parse_scenario(&self.source.id, &self.source.text).map_err(|e| e.to_string())?;
        if let Some(d) = duration_ms {
            scenario.meta.duration_ms = d;
        }
        self.replace(self.source.clone(), Arc::new(scenario), seed);
        Ok(())
    }

    pub(crate) fn replace(&mut self, source: Source, scenario: Arc<Scenario>, seed: Option<u64>) {
        let on_report = self.on_report.take();
        let picker_open = self.picker.open;
        // The console's scrollback and history, and which panels are open,
        // outlive the run; edits of the old run's knobs do not.
        let mut lab_ui = std::mem::take(&mut self.lab_ui);
        lab_ui.pending.clear();
        lab_ui.message = None;
        #[cfg(not(target_arch = "wasm32"))]
        let live = std::mem::take(&mut self.live);
        *self = Explorer::with(source, scenario, seed);
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.live = live;
        }
        self.on_report = on_report;
        self.picker.open = picker_open;
        self.lab_ui = lab_ui;
    }

    /// Explores the whole run at once (tests, the page's `step=end`).
    pub fn explore_all(&mut self) {
        self.lab.player.explore_all();
        self.after_explore();
    }

    /// One frame's share of exploring; true when done.
    pub(crate) fn explore_some(&mut self) -> bool {
        let done = self.lab.player.explore(EXPLORE_STEPS_PER_FRAME);
        if done {
            self.after_explore();
        }
        done
    }

    fn after_explore(&mut self) {
        if let Some(n) = self.pending_seek.take() {
            self.seek(n);
        }
        self.refresh();
    }

    /// Still exploring ahead (the scrub bar is growing).
    pub fn exploring(&self) -> bool {
        self.lab.player.total_steps().is_none()
            && self.lab.player.known_steps() < crate::view::player::MAX_EXPLORED_STEPS
    }

    // ── actions ──────────────────────────────────────────────────────────

    pub fn step(&mut self) {
        if !self.lab.player.step() {
            self.playing = false;
        }
        self.refresh();
    }

    pub fn step_back(&mut self) {
        self.lab.player.step_back();
        self.refresh();
    }

    /// Moves to `n` steps done (`u64::MAX`: the end).
    pub fn seek(&mut self, n: u64) {
        let n = if n == u64::MAX {
            self.lab.player.known_steps()
        } else {
            n
        };
        self.lab.player.seek(n);
        self.refresh();
    }

    pub fn toggle_play(&mut self) {
        if self.lab.player.at_end() {
            self.seek(0);
        }
        self.playing = !self.playing;
        self.step_debt = 0.0;
    }

    /// Jumps to just after the next marker of `kind` (any kind if `None`).
    pub fn next_marker(&mut self, kind: Option<MarkerKind>) {
        if let Some(m) = self.lab.player.next_marker(kind) {
            let to = m.step + 1;
            self.seek(to);
        }
    }

    /// Jumps to just after the previous marker of `kind`.
    pub fn previous_marker(&mut self, kind: Option<MarkerKind>) {
        let to = self
            .lab
            .player
            .previous_marker(kind)
            .map_or(0, |m| m.step + 1);
        self.seek(to);
    }

    /// Opens the macro node with master ID `id` of stream `key`.
    pub fn open_node(&mut self, key: &str, id: StreamId) {
        self.focus = Some((key.to_string(), id));
        self.rebuild_world();
    }

    /// Plays for `dt_s` seconds of wall time.
    pub(crate) fn advance_play(&mut self, dt_s: f32) {
        if !self.playing {
            return;
        }
        self.step_debt += dt_s * self.speed;
        let n = self.step_debt.floor() as u64;
        self.step_debt -= n as f32;
        if n == 0 {
            return;
        }
        let target = self.lab.player.position() + n;
        if n == 1 {
            self.step();
        } else {
            self.lab.player.seek(target);
            if self.lab.player.at_end() {
                self.playing = false;
            }
            self.refresh();
        }
    }

    /// Rebuilds the world if the step changed.
    pub(crate) fn refresh(&mut self) {
        let ledgers_missing = (self.tab == Tab::KafkaVsPel && self.world.ledgers.is_none())
            || (self.tab == Tab::Durability && self.world.durability.is_none());
        if ledgers_missing
            || self.world.step != self.lab.player.position()
            || self.world.known_steps != self.lab.player.known_steps()
        {
            self.rebuild_world();
        }
    }

    fn rebuild_world(&mut self) {
        let here = self.lab.player.position();
        // "What changed" compares with the step just before, only.
        let previous = (self.world.step + 1 == here).then_some(&self.world);
        let focus = self.focus.as_ref().map(|(k, id)| (k.as_str(), *id));
        let with_durability = self.tab == Tab::Durability;
        let with_ledgers = self.tab == Tab::KafkaVsPel || with_durability;
        let world = World::of(&self.lab.player, previous, focus, with_ledgers);
        self.world = if with_durability {
            world.with_durability(&self.lab.player)
        } else {
            world
        };
    }

    /// Shows tab `tab`.
    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.refresh();
    }

    /// Puts `text` in the picker's paste box (what pasting into it does).
    pub fn picker_paste(&mut self, text: &str) {
        self.picker.open = true;
        self.picker.pasted = text.to_string();
    }

    // ── reading ──────────────────────────────────────────────────────────

    /// What the view shows now.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The run.
    pub fn player(&self) -> &Player {
        &self.lab.player
    }

    /// Where the run came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The current report (scenario, seed, step, trace hash).
    pub fn report(&self) -> Report {
        Report {
            scenario: self.source.id.clone(),
            seed: self.lab.player.seed(),
            step: self.lab.player.position(),
            at_end: self.lab.player.at_end(),
            trace_hash: self.lab.player.trace_hash().map(|h| format!("{h:016x}")),
            link: self.link().to_query(),
            branch: self.lab.is_branch(),
        }
    }

    pub(crate) fn publish_report(&mut self) {
        let report = self.report();
        if self.last_report.as_ref() != Some(&report) {
            if let Some(f) = self.on_report.as_mut() {
                f(&report);
            }
            self.last_report = Some(report);
        }
    }
}

/// A bundled scenario by id (`S02`, case-insensitive) or file name.
pub fn bundled(id: &str) -> Option<Source> {
    let want = id.trim().to_ascii_lowercase();
    builtin::ALL.iter().find_map(|(file, text)| {
        let stem = file.trim_end_matches(".ron");
        let file_id = stem.split('_').next().unwrap_or(stem);
        (file_id == want || stem == want || *file == want).then(|| Source {
            id: file_id.to_ascii_uppercase(),
            text: (*text).into(),
        })
    })
}
