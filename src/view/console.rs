//! The console: redis-cli against the simulated Redis at the current step.
//!
//! ```text
//!   input ──Enter──▶ submit(lab)
//!                      ├─ run still going: lab.act(Command) ─▶ a branch step;
//!                      │    its reply printed as redis-cli prints it
//!                      ├─ run over: read on a copy of its final state (not a step)
//!                      └─ blocking read / bad quoting: refused, the reason printed
//!   ↑ / ↓  history        Tab  completes the command name (the engine's table)
//! ```

use crate::engine::cmd::command_names;
use crate::scenario::schema::Action;

use super::lab::Lab;

/// What a console line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The prompt and what was typed.
    Input,
    /// A reply.
    Reply,
    /// An error reply, or a refusal.
    Error,
    /// A remark of the console's own.
    Note,
}

/// One line of the console's scrollback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
}

/// The console's state.
#[derive(Clone, Debug, Default)]
pub struct Console {
    /// The text being typed.
    pub input: String,
    pub lines: Vec<Line>,
    history: Vec<String>,
    /// Position while walking the history with ↑ / ↓.
    browsing: Option<usize>,
}

/// Lines kept in the scrollback.
const SCROLLBACK_LINES: usize = 2_000;

impl Console {
    fn push(&mut self, kind: LineKind, text: impl Into<String>) {
        for l in text.into().lines() {
            self.lines.push(Line {
                kind,
                text: l.to_string(),
            });
        }
        let over = self.lines.len().saturating_sub(SCROLLBACK_LINES);
        self.lines.drain(..over);
    }

    /// Runs the typed line at the lab's position; true if the run changed
    /// (a branch step was made).
    pub fn submit(&mut self, lab: &mut Lab) -> bool {
        let line = std::mem::take(&mut self.input).trim().to_string();
        self.browsing = None;
        if line.is_empty() {
            return false;
        }
        if self.history.last() != Some(&line) {
            self.history.push(line.clone());
        }
        let step = lab.player.position();
        self.push(LineKind::Input, format!("step {step}> {line}"));
        if lab.player.sim().is_finished() {
            match lab.player.query(&line) {
                Ok(reply) => {
                    let kind = if reply.is_error() {
                        LineKind::Error
                    } else {
                        LineKind::Reply
                    };
                    self.push(kind, reply.to_cli_text());
                    self.push(
                        LineKind::Note,
                        "(the run is over: read from its final state, not part of the run)",
                    );
                }
                Err(why) => self.push(LineKind::Error, format!("(refused) {why}")),
            }
            return false;
        }
        match lab.act(Action::Command(line)) {
            Ok(()) => {
                let reply = lab.player.last_record().and_then(|r| r.reply.clone());
                match reply {
                    Some(r) if r.is_error() => self.push(LineKind::Error, r.to_cli_text()),
                    Some(r) => self.push(LineKind::Reply, r.to_cli_text()),
                    None => self.push(LineKind::Note, "(no reply: Redis is down)"),
                }
                true
            }
            Err(why) => {
                self.push(LineKind::Error, format!("(refused) {why}"));
                false
            }
        }
    }

    /// ↑: the previous command of the history.
    pub fn history_up(&mut self) {
        if self.history.is_empty() {
            return;
        }
        let i = self
            .browsing
            .map_or(self.history.len() - 1, |i| i.saturating_sub(1));
        self.browsing = Some(i);
        self.input = self.history[i].clone();
    }

    /// ↓: the next command of the history, then an empty line.
    pub fn history_down(&mut self) {
        match self.browsing {
            Some(i) if i + 1 < self.history.len() => {
                self.browsing = Some(i + 1);
                self.input = self.history[i + 1].clone();
            }
            Some(_) => {
                self.browsing = None;
                self.input.clear();
            }
            None => {}
        }
    }

    /// Tab: completes the command name being typed (as far as every
    /// matching name agrees); the candidates when several match.
    pub fn complete(&mut self) -> Vec<String> {
        if self.input.contains(' ') {
            return Vec::new();
        }
        let typed = self.input.to_ascii_uppercase();
        let mut names: Vec<String> = command_names()
            .into_iter()
            .map(|(n, _)| n.to_ascii_uppercase())
            .filter(|n| n.starts_with(&typed) && !n.contains('|'))
            .collect();
        names.sort();
        names.dedup();
        match names.as_slice() {
            [] => {}
            [one] => self.input = format!("{one} "),
            [first, rest @ ..] => {
                let common = rest.iter().fold(first.len(), |n, s| {
                    first
                        .bytes()
                        .zip(s.bytes())
                        .take(n)
                        .take_while(|(a, b)| a == b)
                        .count()
                });
                self.input = first[..common].to_string();
            }
        }
        names
    }
}

/// A stream key of the scenario for the console's examples (before the
/// first XADD creates it too).
pub fn example_key(player: &super::player::Player) -> String {
    crate::sim::faults::stream_keys(player.sim())
        .into_iter()
        .next()
        .unwrap_or_else(|| "mystream".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_a_unique_name_and_stops_where_names_part() {
        let mut c = Console {
            input: "xautoc".into(),
            ..Console::default()
        };
        c.complete();
        assert_eq!(c.input, "XAUTOCLAIM ");
        c.input = "xr".into();
        let candidates = c.complete();
        assert!(candidates.contains(&"XRANGE".to_string()), "{candidates:?}");
        assert!(
            candidates.contains(&"XREADGROUP".to_string()),
            "{candidates:?}"
        );
        assert_eq!(c.input, "XR");
    }

    #[test]
    fn history_walks_back_and_forth() {
        let mut c = Console::default();
        c.history = vec!["XLEN s".into(), "XINFO STREAM s".into()];
        c.history_up();
        assert_eq!(c.input, "XINFO STREAM s");
        c.history_up();
        assert_eq!(c.input, "XLEN s");
        c.history_up();
        assert_eq!(c.input, "XLEN s");
        c.history_down();
        assert_eq!(c.input, "XINFO STREAM s");
        c.history_down();
        assert_eq!(c.input, "");
    }
}
