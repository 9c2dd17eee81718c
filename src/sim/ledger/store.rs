//! Where the ledger keeps its messages: fixed-size slots in shared pages.
//!
//! ```text
//!   Store
//!    ├─ actors: ["c1", "c2", "reaper"]            names interned once: an event is 8 bytes
//!    ├─ pages: [(msg / 512, Arc<Page>)], sorted    ids are dense (a producer counts up), so a
//!    │           └─ Page = [Slot; 512]            page holds 512 neighbours; a clone of the
//!    │                                            store shares every page until one is written
//!    ├─ more: BTreeMap<MsgId, More>               the 2nd, 3rd … delivery / start / completion
//!    └─ log_lost_ms: BTreeMap<MsgId, u64>         rare: only a rollback sets it
//!
//!   Slot (64 bytes)
//!     produced_ms acked_ms undeliverable_ms                  u64, NONE = u64::MAX
//!     first delivery │ first start │ first completion       Event = t_ms << 16 | actor
//!     deliveries starts completions                          u32 counts
//!     undeliverable reason, log lost, present
//! ```
//!
//! Why this shape: a run keeps one record per message for its whole length
//! (S13b: 483k messages in each of two ledgers), and the explorer's
//! timeline keeps up to 16 copies of the simulation. A history as three
//! vectors of `(String, u64)` cost over 500 bytes per message and was
//! copied whole into every checkpoint; almost every message is delivered,
//! started and completed once, so the first of each lives in the slot and
//! only repeats go to `more`. Writes touch the newest messages, so the
//! pages of old ones stay shared between the live run and its checkpoints
//! (`Arc::make_mut` copies a page only when a shared one is written).

use super::{MsgHistory, MsgId, Undeliverable};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Messages per page.
const PAGE_SLOTS: usize = 512;
/// "Not set" for a time.
const NONE: u64 = u64::MAX;

/// One recorded event: when, and which interned actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Event(u64);

impl Event {
    fn new(actor: u16, t_ms: u64) -> Event {
        // Virtual time stays far below 2^48 ms (8 900 years).
        Event((t_ms << 16) | u64::from(actor))
    }
    fn actor(self) -> usize {
        (self.0 & 0xffff) as usize
    }
    fn t_ms(self) -> u64 {
        self.0 >> 16
    }
}

/// Which list an event belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Delivery,
    Start,
    Completion,
}

/// Everything about one message that fits a fixed size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slot {
    pub produced_ms: u64,
    pub acked_ms: u64,
    pub undeliverable_ms: u64,
    first: [Event; 3],
    /// Deliveries, starts, completions.
    pub counts: [u32; 3],
    /// 0: deliverable; else `Undeliverable as u8 + 1`.
    reason: u8,
    /// Missing from the log after a rollback (the time is in `log_lost_ms`).
    lost: bool,
    pub present: bool,
}

impl Slot {
    const EMPTY: Slot = Slot {
        produced_ms: NONE,
        acked_ms: NONE,
        undeliverable_ms: NONE,
        first: [Event(0); 3],
        counts: [0; 3],
        reason: 0,
        lost: false,
        present: false,
    };

    pub fn acked(&self) -> bool {
        self.acked_ms != NONE
    }
    pub fn log_lost(&self) -> bool {
        self.lost
    }
    pub fn deliveries(&self) -> u32 {
        self.counts[Kind::Delivery as usize]
    }
    pub fn completions(&self) -> u32 {
        self.counts[Kind::Completion as usize]
    }
    pub fn undeliverable(&self) -> Option<(Undeliverable, u64)> {
        let reason = match self.reason {
            0 => return None,
            1 => Undeliverable::Trimmed,
            2 => Undeliverable::SkippedByOffset,
            3 => Undeliverable::Gone,
            _ => Undeliverable::LogLost,
        };
        Some((reason, self.undeliverable_ms))
    }
    pub fn set_undeliverable(&mut self, u: Option<(Undeliverable, u64)>) {
        match u {
            None => {
                self.reason = 0;
                self.undeliverable_ms = NONE;
            }
            Some((reason, t_ms)) => {
                self.reason = reason as u8 + 1;
                self.undeliverable_ms = t_ms;
            }
        }
    }
}

fn opt(t: u64) -> Option<u64> {
    (t != NONE).then_some(t)
}

/// `PAGE_SLOTS` slots. A slice rather than an array: a 32 KB array is
/// built on the stack, and the frame of every function that might build
/// one (`slot_mut`) then probed 32 KB of stack on each call.
type Page = [Slot];

/// A page of empty slots, built on the heap.
#[cold]
fn new_page() -> Arc<Page> {
    Arc::from(vec![Slot::EMPTY; PAGE_SLOTS])
}

/// Events after the first of their kind, in arrival order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct More {
    lists: [Vec<Event>; 3],
}

/// The ledger's messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Store {
    actors: Vec<String>,
    /// `(page number, page)`, ascending: almost every write goes to the
    /// newest page, found without a search.
    pages: Vec<(u64, Arc<Page>)>,
    more: BTreeMap<MsgId, More>,
    log_lost_ms: BTreeMap<MsgId, u64>,
}

impl Store {
    /// The slot of `msg`, created (present) if needed; copies its page
    /// first when a checkpoint still shares it.
    pub fn slot_mut(&mut self, msg: MsgId) -> &mut Slot {
        let number = msg / PAGE_SLOTS as u64;
        let at = match self.page_index(number) {
            Ok(at) => at,
            Err(at) => {
                self.pages.insert(at, (number, new_page()));
                at
            }
        };
        let page = &mut self.pages[at].1;
        let slot = &mut Arc::make_mut(page)[(msg % PAGE_SLOTS as u64) as usize];
        slot.present = true;
        slot
    }

    /// Where page `number` is in `pages` (`Err`: where it would go). The
    /// newest page is looked at first.
    fn page_index(&self, number: u64) -> Result<usize, usize> {
        match self.pages.last() {
            Some(&(last, _)) if last == number => Ok(self.pages.len() - 1),
            Some(&(last, _)) if last < number => Err(self.pages.len()),
            None => Err(0),
            Some(_) => self.pages.binary_search_by_key(&number, |e| e.0),
        }
    }

    /// The slot of `msg`, if anything was recorded about it.
    pub fn slot(&self, msg: MsgId) -> Option<&Slot> {
        let page = &self.pages[self.page_index(msg / PAGE_SLOTS as u64).ok()?].1;
        let slot = &page[(msg % PAGE_SLOTS as u64) as usize];
        slot.present.then_some(slot)
    }

    /// Every recorded message in id order.
    pub fn iter(&self) -> impl Iterator<Item = (MsgId, &Slot)> {
        self.pages.iter().flat_map(|&(p, ref page)| {
            page.iter()
                .enumerate()
                .filter(|(_, s)| s.present)
                .map(move |(i, s)| (p * PAGE_SLOTS as u64 + i as u64, s))
        })
    }

    /// Every recorded message, for writing. `f` works on a copy of each
    /// slot; only a page where a slot changed is written (and copied if a
    /// checkpoint shares it): the end-of-run pass over every message
    /// changes a few, and copying every page doubled the ledger.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(MsgId, &mut Slot)) {
        for (p, page) in self.pages.iter_mut() {
            let p = *p;
            for i in 0..PAGE_SLOTS {
                let old = page[i];
                if !old.present {
                    continue;
                }
                let mut new = old;
                f(p * PAGE_SLOTS as u64 + i as u64, &mut new);
                if new != old {
                    Arc::make_mut(page)[i] = new;
                }
            }
        }
    }

    fn actor_index(&mut self, name: &str) -> u16 {
        match self.actors.iter().position(|a| a == name) {
            Some(i) => i as u16,
            None => {
                self.actors.push(name.to_string());
                (self.actors.len() - 1) as u16
            }
        }
    }

    /// `msg` went missing from the log at `t_ms` (the first time counts).
    pub fn set_log_lost(&mut self, msg: MsgId, t_ms: u64) {
        let slot = self.slot_mut(msg);
        if !slot.lost {
            slot.lost = true;
            self.log_lost_ms.insert(msg, t_ms);
        }
    }

    /// `msg` is back in the log.
    pub fn clear_log_lost(&mut self, msg: MsgId) {
        self.slot_mut(msg).lost = false;
        self.log_lost_ms.remove(&msg);
    }

    /// Records an event of `kind` for `msg` by `actor` at `t_ms`.
    pub fn push(&mut self, msg: MsgId, kind: Kind, actor: &str, t_ms: u64) {
        let ev = Event::new(self.actor_index(actor), t_ms);
        let slot = self.slot_mut(msg);
        let k = kind as usize;
        slot.counts[k] = slot.counts[k].saturating_add(1);
        if slot.counts[k] == 1 {
            slot.first[k] = ev;
        } else {
            self.more.entry(msg).or_default().lists[k].push(ev);
        }
    }

    /// The events of `kind` for `msg`, in order: (actor index, t_ms).
    pub fn events(
        &self,
        msg: MsgId,
        slot: &Slot,
        kind: Kind,
    ) -> impl Iterator<Item = (usize, u64)> {
        let k = kind as usize;
        let first = (slot.counts[k] > 0).then_some(slot.first[k]);
        let rest = self.more.get(&msg).map_or(&[][..], |m| &m.lists[k][..]);
        first
            .into_iter()
            .chain(rest.iter().copied())
            .map(|e| (e.actor(), e.t_ms()))
    }

    /// Completions per actor index (a duplicate counts for its actor).
    pub fn completions_by_actor(&self) -> Vec<u64> {
        let mut by = vec![0u64; self.actors.len()];
        for (_, s) in self.iter() {
            if s.completions() > 0 {
                by[s.first[Kind::Completion as usize].actor()] += 1;
            }
        }
        for more in self.more.values() {
            for e in &more.lists[Kind::Completion as usize] {
                by[e.actor()] += 1;
            }
        }
        by
    }

    /// An interned actor's name.
    pub fn actor_name(&self, i: usize) -> &str {
        self.actors.get(i).map_or("?", String::as_str)
    }

    /// The full history of `msg`, built for a reader.
    pub fn history(&self, msg: MsgId) -> Option<MsgHistory> {
        let s = self.slot(msg)?;
        let list = |kind| {
            self.events(msg, s, kind)
                .map(|(a, t)| (self.actor_name(a).to_string(), t))
                .collect()
        };
        Some(MsgHistory {
            produced_ms: opt(s.produced_ms),
            acked_ms: opt(s.acked_ms),
            deliveries: list(Kind::Delivery),
            starts: list(Kind::Start),
            completions: list(Kind::Completion),
            log_lost_ms: self.log_lost_ms.get(&msg).copied(),
            undeliverable: s.undeliverable(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_64_bytes() {
        // The figure the README quotes per message and per ledger.
        assert_eq!(std::mem::size_of::<Slot>(), 64);
    }

    #[test]
    fn pages_stay_in_order_whatever_order_messages_arrive_in() {
        let mut store = Store::default();
        // Two producers counting up in far-apart ranges, written in turn.
        let msgs = [5_000, 10, 700_000, 600, 5_001, 11, 700_001, 2_000_000, 0];
        for (t, &m) in msgs.iter().enumerate() {
            store.push(m, Kind::Delivery, "c", t as u64);
        }
        let mut want = msgs.to_vec();
        want.sort_unstable();
        let got: Vec<MsgId> = store.iter().map(|(m, _)| m).collect();
        assert_eq!(got, want);
        for m in msgs {
            assert!(store.slot(m).is_some(), "message {m}");
        }
        assert!(store.slot(601).is_none());
        assert!(store.slot(3_000_000).is_none());
    }
}
