//! A periodic trimmer: `XTRIM key MAXLEN|MINID ...` every interval.
//!
//! ```text
//!   Tick ─▶ XTRIM stream MAXLEN [~] n [LIMIT l]      ─▶ Tick after interval_ms
//!        └▶ XTRIM stream MINID [~] <now_unix - age_ms>
//! ```
//!
//! Retention by age uses MINID because stream IDs are millisecond
//! timestamps; nothing here looks at consumer groups, which is the point.

use super::Me;
use crate::engine::Session;
use crate::scenario::schema::{Trim, TrimmerSpec};
use crate::sim::ctx::{Ctx, Wake};
use crate::sim::trace::Note;

/// Trimmer state.
#[derive(Clone, Debug)]
pub struct Trimmer {
    spec: TrimmerSpec,
    session: Session,
}

impl Trimmer {
    /// A trimmer before its first tick.
    pub fn new(spec: TrimmerSpec) -> Trimmer {
        Trimmer {
            spec,
            session: Session::default(),
        }
    }

    /// First XTRIM.
    pub fn first_ms(&self) -> u64 {
        self.spec.first_at_ms.unwrap_or(self.spec.interval_ms)
    }

    /// Handles one wake-up.
    pub fn on_wake(&mut self, me: &Me, wake: Wake, ctx: &mut Ctx) {
        if !matches!(wake, Wake::Start | Wake::Tick) {
            return;
        }
        me.wake(ctx, ctx.now_ms + self.spec.interval_ms, Wake::Tick);
        let mut parts: Vec<String> = vec!["XTRIM".into(), self.spec.stream.clone()];
        match &self.spec.strategy {
            Trim::Nothing => return,
            Trim::MaxLen { n, approx, limit } => {
                parts.push("MAXLEN".into());
                if *approx {
                    parts.push("~".into());
                }
                parts.push(n.to_string());
                if let Some(l) = limit {
                    parts.extend(["LIMIT".into(), l.to_string()]);
                }
            }
            Trim::MinIdAge { age_ms, approx } => {
                parts.push("MINID".into());
                if *approx {
                    parts.push("~".into());
                }
                parts.push(ctx.unix_ms().saturating_sub(*age_ms).to_string());
            }
        }
        let argv = parts.into_iter().map(String::into_bytes).collect();
        ctx.exec(me.who(), &mut self.session, argv, Note::Plain);
    }
}
