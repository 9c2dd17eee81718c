//! The outcome ledger: what happened to every message, kept beside the
//! system under test rather than read back from it.
//!
//! ```text
//!   Ledger { system: "redis" | "kafka" | "bridge" }
//!     └─ msgs: BTreeMap<MsgId, MsgHistory>     MsgId = producer-assigned logical id
//!          ├─ produced_ms, acked_ms            producer side
//!          ├─ deliveries:  [(consumer, t_ms)]  every time a read handed m out
//!          ├─ starts:      [(actor, t_ms)]     processing attempts (counted at start)
//!          ├─ completions: [(actor, t_ms)]     side effect finished (a crash mid-way is none)
//!          ├─ log_lost_ms                      acked, then absent after failover/restart
//!          └─ undeliverable                    trimmed / skipped by an offset / gone from log+PEL
//!
//!   outputs: produced_acked completed completed_by duplicates log_lost lost
//!            unconsumed phantom redelivered_msgs redeliveries stall_ms(m)
//!
//!   every acknowledged message is exactly one of
//!     completed   ≥ 1 completion
//!     lost        never completed, out of reach (trimmed, skipped, gone, rolled back)
//!     unconsumed  never completed, still in the log / stream for a group to read
//! ```
//!
//! Why a ledger at all: after a failover the database itself no longer knows
//! what it lost, and a consumer group cannot tell a duplicate side effect from
//! a first one. The simulator therefore records each event as it happens and
//! the definitions of the scenario catalogue (§1.7) are computed from these
//! histories alone. One ledger exists per system so that a Redis group and a
//! Kafka group can run side by side under the same faults.
//!
//! Deliverability is the one fact the ledger cannot observe by itself: the
//! caller says when a message can no longer reach the group (`undeliverable`,
//! `log_lost`) or hands over the complete set of still-deliverable messages
//! at the end of a run (`set_still_deliverable`). Unless told otherwise a
//! message counts as deliverable. A message nobody consumed is not lost
//! while it sits in the log: it is `unconsumed`. A side without any
//! consumer (`mark_no_consumer`) says so in its summary instead of
//! printing zeros for what only a consumer could do.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use store::{Kind, Slot, Store};

mod store;

/// A producer-assigned logical message id, independent of stream ID or offset.
pub type MsgId = u64;

/// Why a message can no longer be delivered to the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Undeliverable {
    /// Removed by trimming (MAXLEN, MINID, retention).
    Trimmed,
    /// A committed offset or group cursor moved past it.
    SkippedByOffset,
    /// Absent from both the log and any pending list.
    Gone,
    /// Rolled back by a failover or restart (see [`Ledger::log_lost`]).
    LogLost,
}

/// Everything recorded about one message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MsgHistory {
    /// First time the producer sent or appended it, acknowledged or not.
    pub produced_ms: Option<u64>,
    /// When the producer received its success reply.
    pub acked_ms: Option<u64>,
    pub deliveries: Vec<(String, u64)>,
    pub starts: Vec<(String, u64)>,
    pub completions: Vec<(String, u64)>,
    /// Set while the message is missing from the log after a failover.
    pub log_lost_ms: Option<u64>,
    /// `Some` once the caller said the group can no longer get it.
    pub undeliverable: Option<(Undeliverable, u64)>,
}

impl MsgHistory {
    /// When the message entered the system: the earlier of send and ack.
    pub fn production_ms(&self) -> Option<u64> {
        match (self.produced_ms, self.acked_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The end-of-run numbers, in the names the scenario assertions use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerSummary {
    pub produced_acked: u64,
    pub completed: u64,
    pub completed_by: BTreeMap<String, u64>,
    pub duplicates: u64,
    pub log_lost: u64,
    pub lost: u64,
    /// Acknowledged, never completed, still deliverable.
    pub unconsumed: u64,
    pub phantom: u64,
    pub redelivered_msgs: u64,
    pub redeliveries: u64,
    /// False when the side has no consumer at all: nothing could complete.
    pub has_consumer: bool,
}

/// With a consumer, every number; without one, `consumer: "none"` and only
/// the numbers that mean something without a reader, instead of zeros.
impl Serialize for LedgerSummary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        if !self.has_consumer {
            let mut st = ser.serialize_struct("LedgerSummary", 5)?;
            st.serialize_field("consumer", "none")?;
            st.serialize_field("produced_acked", &self.produced_acked)?;
            st.serialize_field("log_lost", &self.log_lost)?;
            st.serialize_field("lost", &self.lost)?;
            st.serialize_field("unconsumed", &self.unconsumed)?;
            return st.end();
        }
        let mut st = ser.serialize_struct("LedgerSummary", 10)?;
        st.serialize_field("produced_acked", &self.produced_acked)?;
        st.serialize_field("completed", &self.completed)?;
        st.serialize_field("completed_by", &self.completed_by)?;
        st.serialize_field("duplicates", &self.duplicates)?;
        st.serialize_field("log_lost", &self.log_lost)?;
        st.serialize_field("lost", &self.lost)?;
        st.serialize_field("unconsumed", &self.unconsumed)?;
        st.serialize_field("phantom", &self.phantom)?;
        st.serialize_field("redelivered_msgs", &self.redelivered_msgs)?;
        st.serialize_field("redeliveries", &self.redeliveries)?;
        st.end()
    }
}

/// A metric name the ledger does not know, or a malformed one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerError(pub String);

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LedgerError {}

/// The per-message outcome ledger of one system.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    system: String,
    msgs: Store,
    /// Nobody reads this side (see [`Ledger::mark_no_consumer`]).
    no_consumer: bool,
}

impl Ledger {
    pub fn new(system: &str) -> Ledger {
        Ledger {
            system: system.to_string(),
            msgs: Store::default(),
            no_consumer: false,
        }
    }

    /// This side has no consumer at all (a topic nobody subscribes to, a
    /// stream without readers): its summary says so.
    pub fn mark_no_consumer(&mut self) {
        self.no_consumer = true;
    }

    /// False after [`Ledger::mark_no_consumer`].
    pub fn has_consumer(&self) -> bool {
        !self.no_consumer
    }

    /// `redis`, `kafka` or `bridge`: the name used in `ledger.<system>.…`.
    pub fn system(&self) -> &str {
        &self.system
    }

    // ----- recording -------------------------------------------------------

    /// The producer sent (or the log received) `msg`; no success reply yet.
    pub fn produced(&mut self, msg: MsgId, t_ms: u64) {
        let s = self.msgs.slot_mut(msg);
        if s.produced_ms == u64::MAX {
            s.produced_ms = t_ms;
        }
    }

    /// The producer received success for `msg`. Repeated acks (a retried
    /// send) keep the first time.
    pub fn produced_acked(&mut self, msg: MsgId, t_ms: u64) {
        let s = self.msgs.slot_mut(msg);
        if !s.acked() {
            s.acked_ms = t_ms;
        }
    }

    /// A read handed `msg` to `consumer`.
    pub fn delivered(&mut self, msg: MsgId, consumer: &str, t_ms: u64) {
        self.msgs.push(msg, Kind::Delivery, consumer, t_ms);
    }

    /// `actor` began processing `msg` (attempts are counted at their start).
    pub fn processing_started(&mut self, msg: MsgId, actor: &str, t_ms: u64) {
        self.msgs.push(msg, Kind::Start, actor, t_ms);
    }

    /// `actor` finished processing `msg`: its side effect happened.
    pub fn completed(&mut self, msg: MsgId, actor: &str, t_ms: u64) {
        self.msgs.push(msg, Kind::Completion, actor, t_ms);
    }

    /// `msg` is absent from the log after a failover or restart (rolled back).
    /// Intentional deletes and trims must use [`Ledger::undeliverable`]
    /// instead: they are not a loss of the database.
    pub fn log_lost(&mut self, msg: MsgId, t_ms: u64) {
        self.msgs.set_log_lost(msg, t_ms);
        let s = self.msgs.slot_mut(msg);
        if s.undeliverable().is_none() {
            s.set_undeliverable(Some((Undeliverable::LogLost, t_ms)));
        }
    }

    /// `msg` is in the log again (a producer retry re-appended it after a
    /// rollback), so it is neither log-lost nor out of reach any more.
    pub fn back_in_log(&mut self, msg: MsgId, _t_ms: u64) {
        self.msgs.clear_log_lost(msg);
        self.msgs.slot_mut(msg).set_undeliverable(None);
    }

    /// `msg` can no longer be delivered to the group. The first reason wins.
    pub fn undeliverable(&mut self, msg: MsgId, reason: Undeliverable, t_ms: u64) {
        let s = self.msgs.slot_mut(msg);
        if s.undeliverable().is_none() {
            s.set_undeliverable(Some((reason, t_ms)));
        }
    }

    /// `msg` is reachable again (e.g. a group cursor was rewound).
    pub fn deliverable_again(&mut self, msg: MsgId) {
        if self.msgs.slot(msg).is_some() {
            self.msgs.slot_mut(msg).set_undeliverable(None);
        }
    }

    /// End-of-run snapshot from the caller: exactly the messages in `still`
    /// can still reach the group; every other known message cannot.
    /// A message already marked with a reason keeps it. `still` ascends
    /// (see [`sorted_messages`]).
    pub fn set_still_deliverable(&mut self, still: &[MsgId], t_ms: u64) {
        debug_assert!(still.is_sorted(), "deliverable messages out of order");
        // Both sides ascend by message id: walk them together instead of a
        // tree lookup per message.
        let mut still = still.iter().copied().peekable();
        self.msgs.for_each_mut(|id, s| {
            while still.next_if(|&m| m < id).is_some() {}
            if still.next_if_eq(&id).is_some() {
                if !s.log_lost() {
                    s.set_undeliverable(None);
                }
            } else if s.undeliverable().is_none() {
                s.set_undeliverable(Some((Undeliverable::Gone, t_ms)));
            }
        });
    }

    // ----- per-message queries ----------------------------------------------

    /// Everything recorded about `msg` (built on demand).
    pub fn history(&self, msg: MsgId) -> Option<MsgHistory> {
        self.msgs.history(msg)
    }

    /// The producer was told `msg` is stored.
    pub fn is_acked(&self, msg: MsgId) -> bool {
        self.msgs.slot(msg).is_some_and(|s| s.acked())
    }

    /// `msg` is missing from the log after a failover or restart.
    pub fn is_log_lost(&self, msg: MsgId) -> bool {
        self.msgs.slot(msg).is_some_and(|s| s.log_lost())
    }

    /// All message histories in id order (each built on demand).
    pub fn histories(&self) -> impl Iterator<Item = (MsgId, MsgHistory)> + '_ {
        self.msgs
            .iter()
            .filter_map(|(m, _)| Some((m, self.msgs.history(m)?)))
    }

    pub fn deliveries(&self, msg: MsgId) -> u64 {
        self.msgs.slot(msg).map_or(0, |s| u64::from(s.deliveries()))
    }

    pub fn completions(&self, msg: MsgId) -> u64 {
        self.msgs
            .slot(msg)
            .map_or(0, |s| u64::from(s.completions()))
    }

    /// Processing attempts of `msg`.
    pub fn attempts(&self, msg: MsgId) -> u64 {
        self.msgs
            .slot(msg)
            .map_or(0, |s| u64::from(s.counts[Kind::Start as usize]))
    }

    /// Time from the first delivery of `msg` to its first completion, the
    /// one that counts. If that completion came from the only delivery so
    /// far (nobody had the message before), the wait is counted from
    /// production instead, so that time spent queued behind a stall shows.
    /// `None` while the message has never been completed.
    pub fn stall_ms(&self, msg: MsgId) -> Option<u64> {
        let s = self.msgs.slot(msg)?;
        let done_ms = self
            .msgs
            .events(msg, s, Kind::Completion)
            .map(|c| c.1)
            .min()?;
        let before: Vec<u64> = self
            .msgs
            .events(msg, s, Kind::Delivery)
            .map(|d| d.1)
            .filter(|&t| t <= done_ms)
            .collect();
        let first_delivery = before.iter().copied().min();
        let production = s.produced_ms.min(s.acked_ms);
        let from_ms = if before.len() >= 2 || production == u64::MAX {
            first_delivery
        } else {
            Some(production)
        }?;
        Some(done_ms.saturating_sub(from_ms))
    }

    // ----- outputs ----------------------------------------------------------

    fn count(&self, pred: impl Fn(&Slot) -> bool) -> u64 {
        self.msgs.iter().filter(|(_, s)| pred(s)).count() as u64
    }

    pub fn produced_acked_count(&self) -> u64 {
        self.count(|s| s.acked())
    }

    /// Distinct messages completed at least once.
    pub fn completed_count(&self) -> u64 {
        self.count(|s| s.completions() > 0)
    }

    /// Completion events per actor (a duplicate counts for its actor).
    pub fn completed_by(&self) -> BTreeMap<String, u64> {
        self.msgs
            .completions_by_actor()
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(i, n)| (self.msgs.actor_name(i).to_string(), n))
            .collect()
    }

    /// Σ max(0, completed(m) − 1).
    pub fn duplicates(&self) -> u64 {
        self.msgs
            .iter()
            .map(|(_, s)| u64::from(s.completions().saturating_sub(1)))
            .sum()
    }

    /// Acknowledged messages missing from the log after a failover/restart.
    pub fn log_lost_count(&self) -> u64 {
        self.count(|s| s.acked() && s.log_lost())
    }

    /// Acknowledged, never completed, and out of the group's reach.
    pub fn lost(&self) -> u64 {
        self.count(|s| s.acked() && s.completions() == 0 && s.undeliverable().is_some())
    }

    /// Acknowledged, never completed, and still deliverable: waiting in the
    /// log or stream (or a PEL) for a consumer that has not got to it.
    pub fn unconsumed(&self) -> u64 {
        self.count(|s| s.acked() && s.completions() == 0 && s.undeliverable().is_none())
    }

    /// Completed, then rolled back: side effects without a record.
    pub fn phantom(&self) -> u64 {
        self.count(|s| s.completions() > 0 && s.acked() && s.log_lost())
    }

    /// Messages delivered two or more times.
    pub fn redelivered_msgs(&self) -> u64 {
        self.count(|s| s.deliveries() >= 2)
    }

    /// Σ (deliveries − 1) over delivered messages.
    pub fn redeliveries(&self) -> u64 {
        self.msgs
            .iter()
            .map(|(_, s)| u64::from(s.deliveries().saturating_sub(1)))
            .sum()
    }

    /// Every output in one pass over the messages.
    pub fn summary(&self) -> LedgerSummary {
        let mut sum = LedgerSummary {
            completed_by: self.completed_by(),
            has_consumer: self.has_consumer(),
            ..LedgerSummary::default()
        };
        for (_, s) in self.msgs.iter() {
            let (acked, done) = (s.acked(), s.completions() > 0);
            let out_of_reach = s.undeliverable().is_some();
            sum.produced_acked += u64::from(acked);
            sum.completed += u64::from(done);
            sum.duplicates += u64::from(s.completions().saturating_sub(1));
            sum.log_lost += u64::from(acked && s.log_lost());
            sum.lost += u64::from(acked && !done && out_of_reach);
            sum.unconsumed += u64::from(acked && !done && !out_of_reach);
            sum.phantom += u64::from(done && acked && s.log_lost());
            sum.redelivered_msgs += u64::from(s.deliveries() >= 2);
            sum.redeliveries += u64::from(s.deliveries().saturating_sub(1));
        }
        sum
    }

    /// Looks up the part after `ledger.<system>.`: `lost`, `completed_by.c1`,
    /// `stall_ms.502`, … An actor that completed nothing reads 0; a message
    /// that was never completed has no stall and is an error.
    pub fn metric(&self, path: &str) -> Result<u64, LedgerError> {
        let (head, tail) = match path.split_once('.') {
            Some((h, t)) => (h, Some(t)),
            None => (path, None),
        };
        match (head, tail) {
            ("produced_acked", None) => Ok(self.produced_acked_count()),
            ("completed", None) => Ok(self.completed_count()),
            ("duplicates", None) => Ok(self.duplicates()),
            ("log_lost", None) => Ok(self.log_lost_count()),
            ("lost", None) => Ok(self.lost()),
            ("unconsumed", None) => Ok(self.unconsumed()),
            ("phantom", None) => Ok(self.phantom()),
            ("redelivered_msgs", None) => Ok(self.redelivered_msgs()),
            ("redeliveries", None) => Ok(self.redeliveries()),
            ("completed_by", Some(actor)) => {
                Ok(self.completed_by().get(actor).copied().unwrap_or(0))
            }
            ("stall_ms", Some(msg)) => {
                let id: MsgId = msg.parse().map_err(|_| {
                    LedgerError(format!(
                        "ledger.{}: '{msg}' is not a message id",
                        self.system
                    ))
                })?;
                self.stall_ms(id).ok_or_else(|| {
                    LedgerError(format!(
                        "ledger.{}.stall_ms.{id}: message {id} was never completed",
                        self.system
                    ))
                })
            }
            _ => Err(LedgerError(format!(
                "ledger.{}: unknown metric '{path}'",
                self.system
            ))),
        }
    }
}

/// `msgs` ascending with each message once: the form
/// [`Ledger::set_still_deliverable`] walks beside the ledger's own order.
/// Collected unsorted and sorted once (the scans yield mostly ascending
/// runs), as one tree insertion per message cost more than the scan.
pub fn sorted_messages(mut msgs: Vec<MsgId>) -> Vec<MsgId> {
    msgs.sort_unstable();
    msgs.dedup();
    msgs
}

#[cfg(test)]
mod tests;
