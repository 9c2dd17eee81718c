//! The narrated transcript: which steps a reader sees.
//!
//! ```text
//!   step ─▶ setup?        ─▶ counted, one line when the run proper starts
//!        ─▶ --full?       ─▶ printed
//!        ─▶ landmark?     ─▶ [fold line] + the BEFORE_STEPS held back + it, then AFTER_STEPS printed
//!        ─▶ otherwise     ─▶ held back (BEFORE_STEPS) ─older─▶ Fold { span, counts per actor and command }
//! ```
//!
//! A landmark is what a teacher would stop at: the opening steps, a
//! caption, a fault, a probe, an error reply, a failed or claimed entry, an
//! expectation checked mid-run. Between landmarks a long run repeats
//! itself (S08: 122,000 steps of produce, read, ack); those stretches fold
//! into one line that says what happened how often. The folding only
//! decides what is printed: the run, its trace and its hash are the same.

use super::out::Out;
use std::collections::VecDeque;
use streamlab::sim::trace::{Note, StepRecord, Who, command_text};

/// Steps printed in full before a landmark, so its cause shows.
const BEFORE_STEPS: usize = 3;
/// Steps printed in full after a landmark, so its effect shows.
const AFTER_STEPS: usize = 3;
/// Steps printed in full at the start, so the steady state is seen once.
const OPENING_STEPS: u64 = 12;
/// Reply lines printed per step unless --full (an XRANGE of 1,000
/// entries is 4,000 lines).
const REPLY_LINES: usize = 16;
/// A stretch this short is printed rather than folded: a fold line would
/// be longer than what it hides.
const SHORTEST_FOLD_STEPS: usize = 3;

/// Decides, step by step, what the transcript shows.
pub struct Narrator {
    names: Vec<String>,
    full: bool,
    setup_steps: u64,
    run_steps: u64,
    after_left: usize,
    held: VecDeque<StepRecord>,
    fold: Fold,
    /// Per actor: the landmark kind of its previous step, so that a run of
    /// the same event (a producer refused 600 times while Redis is down)
    /// shows its first step and folds the rest.
    last_kind: Vec<Option<Kind>>,
}

impl Narrator {
    /// `names`: the actor names, by declaration index; `full`: print every step.
    pub fn new(names: Vec<String>, full: bool) -> Narrator {
        Narrator {
            names,
            full,
            setup_steps: 0,
            run_steps: 0,
            after_left: 0,
            held: VecDeque::new(),
            fold: Fold::default(),
            last_kind: Vec::new(),
        }
    }

    /// Takes the next step of the run.
    pub fn step(&mut self, r: StepRecord, out: &mut Out) {
        if r.who == Who::Setup {
            // Preloads can be thousands of XADDs: one line says it all.
            self.setup_steps += 1;
            return;
        }
        self.flush_setup(out);
        self.run_steps += 1;
        if self.full || self.run_steps <= OPENING_STEPS || self.is_landmark(&r) {
            self.release(out);
            out.text(&narrate_step(&r, &self.names, self.reply_lines()));
            if !self.full {
                self.after_left = AFTER_STEPS;
            }
        } else if self.after_left > 0 {
            self.after_left -= 1;
            out.text(&narrate_step(&r, &self.names, self.reply_lines()));
        } else {
            self.held.push_back(r);
            if self.held.len() > BEFORE_STEPS
                && let Some(old) = self.held.pop_front()
            {
                self.fold.add(old, &self.names);
            }
        }
    }

    /// A line of the run's own (an expectation checked mid-run): a landmark.
    pub fn landmark(&mut self, text: &str, out: &mut Out) {
        self.flush_setup(out);
        self.release(out);
        out.line(text);
        self.after_left = AFTER_STEPS;
    }

    /// End of the run: whatever is still held back.
    pub fn finish(&mut self, out: &mut Out) {
        self.flush_setup(out);
        self.release(out);
    }

    fn reply_lines(&self) -> usize {
        if self.full { usize::MAX } else { REPLY_LINES }
    }

    fn flush_setup(&mut self, out: &mut Out) {
        if self.setup_steps > 0 {
            out.line(&format!(
                "t=       0ms  setup      # {} commands: configuration, preloaded entries, groups (see --trace)",
                self.setup_steps
            ));
            self.setup_steps = 0;
        }
    }

    /// Prints the fold line (or the few steps it holds) and the held steps.
    fn release(&mut self, out: &mut Out) {
        let fold = std::mem::take(&mut self.fold);
        if fold.steps <= SHORTEST_FOLD_STEPS {
            for r in &fold.first {
                out.text(&narrate_step(r, &self.names, self.reply_lines()));
            }
        } else {
            out.line(&fold.line());
        }
        for r in std::mem::take(&mut self.held) {
            out.text(&narrate_step(&r, &self.names, self.reply_lines()));
        }
    }
}

/// An actor's step worth stopping at, unless the actor's previous step was
/// the same kind.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// The text itself: a different event is a new landmark.
    ServerEvent(String),
    Refused,
    Failed,
    Claimed,
}

impl Narrator {
    /// True for the steps a reader must see in full.
    fn is_landmark(&mut self, r: &StepRecord) -> bool {
        // Slot 0 is the server's own events; actor i uses slot i + 1.
        let i = match r.who {
            Who::Fault | Who::Narrator | Who::Probe | Who::Console => return true,
            Who::Setup => return false,
            Who::Server => 0,
            Who::Actor(i) => i as usize + 1,
        };
        let kind = match r.note {
            // Failover, partition, snapshot, Kafka leader changes.
            Note::Text(ref t) if r.who == Who::Server => Some(Kind::ServerEvent(t.clone())),
            Note::Refused => Some(Kind::Refused),
            Note::Failed(..) => Some(Kind::Failed),
            Note::Claimed(n, _) if n > 0 => Some(Kind::Claimed),
            _ => None,
        };
        if self.last_kind.len() <= i {
            self.last_kind.resize(i + 1, None);
        }
        let previous = std::mem::replace(&mut self.last_kind[i], kind.clone());
        kind.is_some() && kind != previous
    }
}

/// A folded stretch of steps.
#[derive(Default)]
struct Fold {
    steps: usize,
    first_ms: u64,
    last_ms: u64,
    /// The first few records, printed instead if the stretch stays short.
    first: Vec<StepRecord>,
    /// Per actor, in order of appearance: (verb, count) and completions.
    by_actor: Vec<ActorCounts>,
}

struct ActorCounts {
    who: String,
    verbs: Vec<(String, u64)>,
    completed: u64,
    refused: u64,
}

impl Fold {
    fn add(&mut self, r: StepRecord, names: &[String]) {
        if self.steps == 0 {
            self.first_ms = r.time_ms;
        }
        self.steps += 1;
        self.last_ms = r.time_ms;
        let who = r.who_name(names);
        let idx = match self.by_actor.iter().position(|a| a.who == who) {
            Some(i) => i,
            None => {
                self.by_actor.push(ActorCounts {
                    who: who.to_string(),
                    verbs: Vec::new(),
                    completed: 0,
                    refused: 0,
                });
                self.by_actor.len() - 1
            }
        };
        let counts = &mut self.by_actor[idx];
        match r.note {
            Note::Completed(..) => counts.completed += 1,
            Note::Refused => counts.refused += 1,
            _ => {}
        }
        let verb = verb(&r);
        match counts.verbs.iter_mut().find(|(v, _)| *v == verb) {
            Some((_, n)) => *n += 1,
            None => counts.verbs.push((verb, 1)),
        }
        if self.first.len() < SHORTEST_FOLD_STEPS {
            self.first.push(r);
        }
    }

    /// `t=  10..59990ms  ⋯ 5,999 steps folded: p 2,000 × XADD; c …`
    fn line(&self) -> String {
        let actors: Vec<String> = self
            .by_actor
            .iter()
            .map(|a| {
                let verbs: Vec<String> = a
                    .verbs
                    .iter()
                    .map(|(v, n)| format!("{} × {v}", thousands(*n)))
                    .collect();
                let mut notes = Vec::new();
                if a.completed > 0 {
                    notes.push(format!("{} completed", thousands(a.completed)));
                }
                if a.refused > 0 {
                    notes.push(format!("{} refused", thousands(a.refused)));
                }
                let notes = if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join(", "))
                };
                format!("{} {}{notes}", a.who, verbs.join(", "))
            })
            .collect();
        format!(
            "t={:>8}ms  ⋯ to t={}ms, {} steps folded (--full shows them): {}",
            self.first_ms,
            self.last_ms,
            thousands(self.steps as u64),
            actors.join("; ")
        )
    }
}

/// What a folded step did, in one word: the command, or the kind of event.
fn verb(r: &StepRecord) -> String {
    if let Some(argv) = &r.command
        && let Some(name) = argv.first()
    {
        return String::from_utf8_lossy(name).to_ascii_uppercase();
    }
    match &r.note {
        Note::Started(..) => "start",
        Note::Completed(..) => "finish",
        Note::Failed(..) => "failure",
        Note::Applied(..) => "replica apply",
        Note::Text(t) => return t.split_whitespace().next().unwrap_or("event").to_string(),
        _ => "event",
    }
    .to_string()
}

pub use streamlab::view::format::thousands;

/// One step as the transcript shows it: time, who, command, reply as
/// redis-cli prints it (at most `reply_lines` lines of it), and the caption.
pub fn narrate_step(r: &StepRecord, names: &[String], reply_lines: usize) -> String {
    let who = r.who_name(names);
    let head = format!("t={:>8}ms  {:<10}", r.time_ms, who);
    let mut s = String::new();
    match (&r.command, &r.reply) {
        (Some(cmd), reply) => {
            s.push_str(&format!("{head} > {}\n", command_text(cmd)));
            if let Some(reply) = reply {
                let text = reply.to_cli_text();
                let total = text.lines().count();
                for line in text.lines().take(reply_lines) {
                    s.push_str(&format!("{:26}{line}\n", ""));
                }
                if total > reply_lines {
                    s.push_str(&format!(
                        "{:26}… {} more lines (--full shows them)\n",
                        "",
                        thousands((total - reply_lines) as u64)
                    ));
                }
            }
            if !matches!(r.note, Note::Plain) {
                s.push_str(&format!("{:26}# {}\n", "", r.caption(names)));
            }
        }
        (None, _) => {
            let mark = if r.who == Who::Narrator { "»" } else { "#" };
            // The head already names who acted; free text needs no prefix.
            let text = match &r.note {
                Note::Text(t) => t.clone(),
                _ => r.caption(names),
            };
            s.push_str(&format!("{head} {mark} {text}\n"));
        }
    }
    s
}
