//! Checking a scenario's `expect` list against the run.
//!
//! ```text
//!   Event::Check(t) ─▶ every expectation with at: At(t)  ─┐
//!   end of run      ─▶ every expectation with at: End    ─┴▶ metrics::value ─▶ op ─▶ Checked
//! ```

use super::metrics;
use super::simulation::Simulation;
use crate::scenario::checks::{At, Op, Value};
use serde::Serialize;

/// The result of one expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// What the run showed (or why it could not be read).
    pub observed: Result<Value, String>,
    /// True when it matched.
    pub pass: bool,
}

/// Evaluates every expectation due at `at`.
pub fn evaluate(sim: &mut Simulation, at: At) {
    let due: Vec<usize> = sim
        .scenario
        .expect
        .iter()
        .enumerate()
        .filter(|(_, e)| e.at == at)
        .map(|(i, _)| i)
        .collect();
    for i in due {
        let e = sim.scenario.expect[i].clone();
        let observed = metrics::value(sim, &e.metric);
        let pass = match &observed {
            Ok(v) => compare(&e.op, e.value.as_ref(), v),
            Err(_) => false,
        };
        sim.results[i] = Some(Checked { observed, pass });
    }
}

/// Applies `op` to an observed value.
pub fn compare(op: &Op, expected: Option<&Value>, observed: &Value) -> bool {
    match (op, expected, observed) {
        (Op::Eq, Some(x), v) => x == v,
        (Op::AtMost, Some(Value::Int(x)), Value::Int(v)) => v <= x,
        (Op::AtLeast, Some(Value::Int(x)), Value::Int(v)) => v >= x,
        (Op::Range(lo, hi), _, Value::Int(v)) => lo <= v && v <= hi,
        _ => false,
    }
}

/// Describes the comparison for reports: `== 8`, `<= 3`, `in [5, 45]`.
pub fn describe(op: &Op, expected: Option<&Value>) -> String {
    let v = expected.map_or(String::new(), |v| v.to_string());
    match op {
        Op::Eq => format!("== {v}"),
        Op::AtMost => format!("<= {v}"),
        Op::AtLeast => format!(">= {v}"),
        Op::Range(lo, hi) => format!("in [{lo}, {hi}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        let i = Value::Int;
        assert!(compare(&Op::Eq, Some(&i(3)), &i(3)));
        assert!(!compare(&Op::Eq, Some(&i(3)), &i(4)));
        assert!(compare(&Op::AtMost, Some(&i(3)), &i(3)));
        assert!(!compare(&Op::AtMost, Some(&i(3)), &i(4)));
        assert!(compare(&Op::AtLeast, Some(&i(3)), &i(9)));
        assert!(compare(&Op::Range(5, 45), None, &i(45)));
        assert!(!compare(&Op::Range(5, 45), None, &i(46)));
        let t = |s: &str| Value::Text(s.into());
        assert!(compare(&Op::Eq, Some(&t("0-0")), &t("0-0")));
        assert!(!compare(&Op::AtMost, Some(&t("a")), &t("a")));
    }
}
