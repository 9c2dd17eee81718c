//! The console: redis-cli against the simulated Redis at the current step.
//!
//! ```text
//!   input ──Enter──▶ submit(lab)
//!                      ├─ run still going: lab.act(Command) ─▶ a branch step;
//!                      │    its reply printed as redis-cli prints it
//!                      ├─ run over: read on a copy of its final state (not a step)
//!                      └─ blocking read / bad quoting: refused, the reason printed
//!   ↑ / ↓  history
//!   Tab    completes the command name (the engine's table), then a
//!          subcommand or an argument keyword (its COMMAND DOCS, see
//!          completion.rs); the synopsis of the command typed shows below
//! ```

use crate::engine::cmd::command_names;
use crate::scenario::schema::Action;

use super::completion::Usage;
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
    /// The hint of the last command typed: (name and subcommand, hint).
    hint_cache: (String, Option<String>),
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

    /// Tab: completes the word being typed, as far as every candidate
    /// agrees, and returns the candidates. The first word is a command
    /// name (the engine's table); after it, a container's subcommand or a
    /// keyword of the command's arguments (its COMMAND DOCS).
    pub fn complete(&mut self) -> Vec<String> {
        let (done, partial) = match self.input.rfind(' ') {
            Some(i) => (
                self.input[..=i].to_string(),
                self.input[i + 1..].to_string(),
            ),
            None => (String::new(), self.input.clone()),
        };
        let words: Vec<&str> = done.split_whitespace().collect();
        let candidates = match words.as_slice() {
            [] => command_names()
                .into_iter()
                .map(|(n, _)| n.to_ascii_uppercase())
                .collect(),
            [name, rest @ ..] => match usage_at(name, rest.first().copied()) {
                Some(u) => u.tokens(),
                None => Vec::new(),
            },
        };
        let typed = partial.to_ascii_uppercase();
        let mut names: Vec<String> = candidates
            .into_iter()
            .filter(|n| n.starts_with(&typed))
            .collect();
        if words.is_empty() {
            names.sort();
        }
        names.dedup();
        match names.as_slice() {
            [] => {}
            [one] => self.input = format!("{done}{one} "),
            _ if typed.is_empty() => {}
            [first, rest @ ..] => {
                let common = rest.iter().fold(first.len(), |n, s| {
                    first
                        .bytes()
                        .zip(s.bytes())
                        .take(n)
                        .take_while(|(a, b)| a == b)
                        .count()
                });
                self.input = format!("{done}{}", &first[..common]);
            }
        }
        names
    }

    /// The synopsis and summary of the command being typed, from its
    /// COMMAND DOCS (a container's subcommand once it is typed); `None`
    /// before a known command name.
    pub fn hint(&mut self) -> Option<String> {
        let mut words = self.input.split_whitespace();
        let name = words.next()?.to_string();
        let sub = words.next().map(str::to_string);
        let key = format!("{name} {}", sub.as_deref().unwrap_or(""));
        if self.hint_cache.0 != key {
            let usage = usage_at(&name, sub.as_deref());
            self.hint_cache = (
                key,
                usage.map(|u| format!("{}  — {}", u.synopsis(), u.summary)),
            );
        }
        self.hint_cache.1.clone()
    }
}

/// The usage that applies after `name`: a container's subcommand's once
/// `sub` names one, else the command's own.
fn usage_at(name: &str, sub: Option<&str>) -> Option<Usage> {
    let usage = Usage::of(name)?;
    if usage.subcommands.is_empty() {
        return Some(usage);
    }
    match sub {
        Some(s) if usage.subcommands.iter().any(|c| c.eq_ignore_ascii_case(s)) => {
            Usage::of(&format!("{name}|{s}"))
        }
        _ => Some(usage),
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
    fn tab_completes_subcommands_and_argument_keywords_from_command_docs() {
        let mut c = Console {
            input: "xinfo st".into(),
            ..Console::default()
        };
        c.complete();
        assert_eq!(c.input, "xinfo STREAM ");
        c.input = "XADD orders NOM".into();
        c.complete();
        assert_eq!(c.input, "XADD orders NOMKSTREAM ");
        c.input = "XADD orders M".into();
        assert_eq!(c.complete(), vec!["MAXLEN", "MINID"]);
        assert_eq!(c.input, "XADD orders M");
        c.input = "XAUTOCLAIM s g c 0 0-0 ".into();
        assert_eq!(c.complete(), vec!["COUNT", "JUSTID"]);
        c.input = "XINFO STREAM s ".into();
        assert_eq!(
            c.hint().unwrap(),
            "XINFO STREAM key [FULL [COUNT count]]  — Get information about a stream"
        );
        c.input = "nosuch x".into();
        assert_eq!(c.hint(), None);
        assert!(c.complete().is_empty());
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
