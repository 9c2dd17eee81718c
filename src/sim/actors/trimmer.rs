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
use super::argv::ArgvBuf;
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
        if matches!(self.spec.strategy, Trim::Nothing) {
            return;
        }
        let mut argv = ArgvBuf::default();
        argv.start()
            .push("XTRIM")
            .push(&self.spec.stream)
            .push_trim(&self.spec.strategy, ctx.unix_ms());
        ctx.exec(me.who(), &mut self.session, argv.argv(), Note::Plain);
    }
}
