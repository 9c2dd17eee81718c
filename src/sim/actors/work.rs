//! Processing one entry: shared by consumers and claimers.
//!
//! ```text
//!   begin(entry) ── ledger.processing_started, attempts++ ── step "starts processing"
//!        │          (a MidProcessing fault on this ID fires at start + duration/2)
//!        ▼  duration ms later (Wake::ProcessDone)
//!   finish()     ── poison?  yes ─▶ failed (no completion, no ack)
//!                            no  ─▶ ledger.completed, completed++ ─▶ caller acks per policy
//! ```

use super::Me;
use crate::scenario::schema::Processing;
use crate::sim::ctx::{Ctx, Event, Tally, Wake};
use crate::sim::queue::EventClass;
use crate::sim::replies::Entry;
use crate::sim::rng::SimRng;
use crate::sim::trace::Note;

/// The entry being processed.
#[derive(Clone, Debug)]
pub struct InFlight {
    /// The entry.
    pub entry: Entry,
    /// Its message number (0 when the body had none).
    pub msg: u64,
    /// Processing will fail.
    pub poison: bool,
}

/// Draws the processing time of one entry.
pub fn duration_ms(p: &Processing, rng: &mut SimRng) -> u64 {
    match *p {
        Processing::Fixed(ms) => ms,
        Processing::Uniform(lo, hi) => rng.range_inclusive(lo, hi),
    }
}

/// Starts processing `entry`: records the attempt and schedules its end.
pub fn begin(
    me: &Me,
    ctx: &mut Ctx,
    entry: Entry,
    poison_ids: &[String],
    processing: &Processing,
    rng: &mut SimRng,
) -> InFlight {
    let msg = entry.msg.unwrap_or(0);
    let poison = poison_ids.iter().any(|p| p == &entry.id);
    let ms = duration_ms(processing, rng);
    let now = ctx.now_ms;
    ctx.ledger_redis.processing_started(msg, me.name, now);
    ctx.tally(me.idx, Tally::Attempts, 1);
    let fired: Vec<u32> = ctx
        .mid_triggers
        .iter()
        .filter(|(a, id, _)| *a == me.idx && *id == entry.id)
        .map(|t| t.2)
        .collect();
    ctx.mid_triggers
        .retain(|(a, id, _)| !(*a == me.idx && *id == entry.id));
    for f in fired {
        ctx.queue
            .push(now + ms / 2, EventClass::Fault, 1, Event::Fault(f));
    }
    me.note(ctx, Note::Started(entry.id.clone(), msg));
    me.wake(ctx, now + ms, Wake::ProcessDone);
    InFlight { entry, msg, poison }
}

/// Ends processing; returns true when it succeeded (the caller then acks).
/// Records no step: the caller's ack (or note) is this event's step.
pub fn finish(me: &Me, ctx: &mut Ctx, work: &InFlight) -> bool {
    if work.poison {
        ctx.tally(me.idx, Tally::Failed, 1);
        return false;
    }
    ctx.ledger_redis.completed(work.msg, me.name, ctx.now_ms);
    ctx.tally(me.idx, Tally::Completed, 1);
    true
}

/// The note for the end of processing.
pub fn done_note(work: &InFlight, ok: bool) -> Note {
    if ok {
        Note::Completed(work.entry.id.clone(), work.msg)
    } else {
        Note::Failed(work.entry.id.clone(), work.msg)
    }
}
