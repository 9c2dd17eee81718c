//! Scripted commands at fixed times (XGROUP SETID, XDEL, CONFIG SET, ...).
//!
//! ```text
//!   commands: [(100, "XGROUP SETID s g 5-0"), (200, "XREADGROUP ...")]
//!   Tick ─▶ send commands[next] ─▶ Tick at commands[next+1].0
//! ```

use super::Me;
use crate::engine::Session;
use crate::scenario::schema::AdminSpec;
use crate::scenario::split_command;
use crate::sim::ctx::{Ctx, Wake};
use crate::sim::trace::Note;

/// Admin state.
#[derive(Clone, Debug)]
pub struct Admin {
    commands: Vec<(u64, Vec<Vec<u8>>)>,
    next: usize,
    session: Session,
}

impl Admin {
    /// Parses the script (validated at load time) and sorts it by time,
    /// keeping file order among equal times.
    pub fn new(spec: AdminSpec) -> Admin {
        let mut commands: Vec<(u64, Vec<Vec<u8>>)> = spec
            .commands
            .iter()
            .filter_map(|(t, line)| split_command(line).ok().map(|a| (*t, a)))
            .collect();
        commands.sort_by_key(|c| c.0);
        Admin {
            commands,
            next: 0,
            session: Session::default(),
        }
    }

    /// Time of the first command.
    pub fn first_ms(&self) -> Option<u64> {
        self.commands.first().map(|c| c.0)
    }

    /// Handles one wake-up.
    pub fn on_wake(&mut self, me: &Me, wake: Wake, ctx: &mut Ctx) {
        if !matches!(wake, Wake::Start | Wake::Tick) {
            return;
        }
        let Some((_, argv)) = self.commands.get(self.next).cloned() else {
            return;
        };
        self.next += 1;
        if let Some((t, _)) = self.commands.get(self.next) {
            me.wake(ctx, (*t).max(ctx.now_ms), Wake::Tick);
        }
        let ex = ctx.exec(me.who(), &mut self.session, &argv, Note::Plain);
        let key = format!("reply.{}.{}", me.name, self.next - 1);
        ctx.texts
            .insert(key, crate::sim::trace::compact_reply(&ex.reply));
    }
}
