//! The lab: the run as opened, the branch the learner made from it, and
//! what differs at their ends.
//!
//! ```text
//!   Lab
//!     ├─ base          the scenario as opened (no knob changes, no actions)
//!     ├─ sets          knob changes in force (a what-if re-runs from step 0)
//!     ├─ original      the run as opened, kept once anything changed
//!     └─ player        the run on screen: the original, or the branch
//!                        ├─ fork(action) at its position   (faults, console)
//!                        └─ its scenario = base + sets + actions  ─▶ Link, RON file
//!
//!   Ending::of(player)  steps, trace hash, both ledgers at the run's end
//!   compare(original, branch) ─▶ rows with the differences marked
//! ```

use std::sync::Arc;

use crate::scenario::Scenario;
use crate::scenario::schema::Action;
use crate::sim::ledger::LedgerSummary;

use super::knobs::{KnobValue, with_knob};
use super::link::Link;
use super::player::Player;

/// A run at its end.
#[derive(Clone, Debug, PartialEq)]
pub struct Ending {
    pub steps: u64,
    pub trace_hash: u64,
    pub redis: LedgerSummary,
    pub kafka: LedgerSummary,
    pub has_kafka: bool,
}

impl Ending {
    /// The run's end, if it was explored that far; the position is kept.
    pub fn of(player: &mut Player) -> Option<Ending> {
        let steps = player.total_steps()?;
        let trace_hash = player.trace_hash()?;
        let back = player.position();
        player.seek(steps);
        let sim = player.sim();
        let ledgers = sim.ledger_view();
        let ending = Ending {
            steps,
            trace_hash,
            redis: ledgers.redis.summary(),
            kafka: ledgers.kafka.summary(),
            has_kafka: sim.scenario.kafka.is_some(),
        };
        player.seek(back);
        Some(ending)
    }
}

/// One compared number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `Redis: lost`.
    pub label: String,
    pub original: u64,
    pub branch: u64,
}

impl Row {
    pub fn differs(&self) -> bool {
        self.original != self.branch
    }
}

fn numbers(l: &LedgerSummary) -> [(&'static str, u64); 9] {
    [
        ("produced (acked)", l.produced_acked),
        ("completed", l.completed),
        ("duplicates", l.duplicates),
        ("unconsumed", l.unconsumed),
        ("lost", l.lost),
        ("log lost", l.log_lost),
        ("phantom", l.phantom),
        ("redelivered msgs", l.redelivered_msgs),
        ("redeliveries", l.redeliveries),
    ]
}

/// The two endings side by side: steps, then each ledger's numbers.
pub fn compare(original: &Ending, branch: &Ending) -> Vec<Row> {
    let mut rows = vec![Row {
        label: "steps".into(),
        original: original.steps,
        branch: branch.steps,
    }];
    let mut side = |name: &str, a: &LedgerSummary, b: &LedgerSummary| {
        for ((label, x), (_, y)) in numbers(a).into_iter().zip(numbers(b)) {
            rows.push(Row {
                label: format!("{name}: {label}"),
                original: x,
                branch: y,
            });
        }
    };
    side("Redis", &original.redis, &branch.redis);
    if original.has_kafka || branch.has_kafka {
        side("Kafka", &original.kafka, &branch.kafka);
    }
    rows
}

/// The run on screen and the run as opened.
#[derive(Clone, Debug)]
pub struct Lab {
    /// The scenario as opened.
    pub base: Arc<Scenario>,
    /// Knob changes in force, in the order made.
    pub sets: Vec<(String, KnobValue)>,
    /// The run on screen.
    pub player: Player,
    /// The run as opened, kept once the run on screen differs from it.
    pub original: Option<Player>,
    original_ending: Option<Ending>,
    /// The branch's ending, for the branch whose trace hash it has.
    branch_ending: Option<Ending>,
}

impl Lab {
    /// Opens `base` with `seed`.
    pub fn open(base: Arc<Scenario>, seed: Option<u64>) -> Lab {
        Lab {
            player: Player::load(base.clone(), seed),
            base,
            sets: Vec::new(),
            original: None,
            original_ending: None,
            branch_ending: None,
        }
    }

    /// Opens what `link` describes on top of `base` (knob changes, then
    /// the actions replayed from the start, as a saved file would be).
    pub fn from_link(base: Arc<Scenario>, link: &Link) -> Result<Lab, String> {
        let mut lab = Lab::open(base, link.seed);
        for (id, v) in &link.sets {
            lab.set_knob(id, v.clone())?;
        }
        if !link.acts.is_empty() {
            lab.keep_original();
            let mut s = (*lab.player.scenario().as_ref()).clone();
            s.actions = link.acts.clone();
            lab.player = Player::load(Arc::new(s), link.seed);
        }
        Ok(lab)
    }

    /// True when the run on screen is not the run as opened.
    pub fn is_branch(&self) -> bool {
        self.original.is_some()
    }

    fn keep_original(&mut self) {
        if self.original.is_none() {
            self.original = Some(self.player.clone());
        }
    }

    /// Does `action` to the run at its position (a branch from there).
    pub fn act(&mut self, action: Action) -> Result<(), String> {
        let before = self.original.is_none().then(|| self.player.clone());
        self.player.fork(action)?;
        if let Some(p) = before {
            self.original = Some(p);
        }
        Ok(())
    }

    /// Sets a what-if knob: the scenario re-runs from the start with every
    /// knob change in force (the branch's actions are dropped).
    pub fn set_knob(&mut self, id: &str, value: KnobValue) -> Result<(), String> {
        let mut sets = self.sets.clone();
        sets.retain(|(k, _)| k != id);
        sets.push((id.to_string(), value));
        let mut s = (*self.base).clone();
        for (k, v) in &sets {
            s = with_knob(&s, k, v)?;
        }
        let seed = Some(self.player.seed());
        self.keep_original();
        self.sets = sets;
        self.player = Player::load(Arc::new(s), seed);
        Ok(())
    }

    /// Back to the run as opened, at the same step.
    pub fn back_to_original(&mut self) {
        if let Some(mut original) = self.original.take() {
            original.seek(self.player.position());
            self.player = original;
            self.sets.clear();
            self.branch_ending = None;
        }
    }

    /// The original's and the branch's endings, once both are explored
    /// (the original is explored on first asking).
    pub fn endings(&mut self) -> Option<(Ending, Ending)> {
        let original = self.original.as_mut()?;
        if self.original_ending.is_none() {
            original.explore_all();
            self.original_ending = Ending::of(original);
        }
        let hash = self.player.trace_hash()?;
        if self
            .branch_ending
            .as_ref()
            .is_none_or(|e| e.trace_hash != hash)
        {
            self.branch_ending = Ending::of(&mut self.player);
        }
        Some((self.original_ending.clone()?, self.branch_ending.clone()?))
    }

    /// The link to the run on screen at its position.
    pub fn link(&self, scenario_id: &str) -> Link {
        Link {
            scenario: scenario_id.to_string(),
            seed: Some(self.player.seed()),
            step: Some(self.player.position()),
            sets: self.sets.clone(),
            acts: self.player.scenario().actions.clone(),
        }
    }
}
