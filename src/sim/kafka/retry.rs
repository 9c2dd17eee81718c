//! Producer retry rounds: failed sends wait per partition and are re-sent
//! together, in sequence order.
//!
//! ```text
//!   send fails ─▶ retry[p].msgs.push_back(m) ─▶ first one schedules a round at +backoff
//!
//!   round: partition still refuses (no leader, ISR < min.insync)?
//!            yes ─▶ rounds += 1; drop from the front what passed delivery_timeout_ms
//!                   or `retries`; next round at +backoff   (O(dropped), not O(waiting))
//!            no  ─▶ re-send every waiting message in order
//! ```
//!
//! Why rounds rather than one timer per message: a producer retries whole
//! batches per partition, and an outage of minutes with thousands of
//! waiting sends must not cost thousands of events per backoff. The queue
//! is in sequence order, which is also first-send order and join order, so
//! the messages closest to their deadline or retry limit are at the front.
//! A round that fails is traced once, when the first message joins.

use super::config::Acks;
use super::event::Ev;
use super::{KafkaAction, KafkaWorld, Out};
use crate::sim::ledger::MsgId;
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub(crate) struct RetryQueue {
    pub msgs: VecDeque<MsgId>,
    pub due_ms: Option<u64>,
    /// Rounds that failed as a whole; each counts as one attempt for every
    /// message waiting through it.
    pub rounds: u64,
}

impl KafkaWorld {
    /// A send attempt failed: queue it for the partition's next round, or give up.
    pub(crate) fn send_failed(
        &mut self,
        pi: usize,
        msg: MsgId,
        reason: &str,
        t: u64,
        out: &mut Out,
    ) {
        let pr = &mut self.producers[pi];
        let (session, retries, timeout) = (pr.session, pr.cfg.retries, pr.cfg.delivery_timeout_ms);
        let at = t.saturating_add(pr.cfg.retry_backoff_ms);
        let Some(inf) = pr.inflight.get_mut(&msg) else {
            return;
        };
        inf.attempts = inf.attempts.saturating_add(1);
        if inf.attempts > retries || at > inf.first_ms.saturating_add(timeout) {
            self.give_up(pi, msg, reason, t, out);
            return;
        }
        let p = inf.partition;
        let q = pr.retry.entry(p).or_default();
        inf.joined_round = q.rounds;
        q.msgs.push_back(msg);
        if q.due_ms.is_none() {
            q.due_ms = Some(at);
            out.step(
                t,
                &pr.cfg.name,
                KafkaAction::SendRetry,
                format!("send m{msg} -> p{p}: {reason}, retry at {at}"),
            );
            self.queue.push(
                at,
                Ev::ProducerRetry {
                    pi,
                    session,
                    partition: p,
                },
            );
        }
    }

    fn give_up(&mut self, pi: usize, msg: MsgId, reason: &str, t: u64, out: &mut Out) {
        let pr = &mut self.producers[pi];
        let Some(inf) = pr.inflight.remove(&msg) else {
            return;
        };
        pr.failed += 1;
        out.story(
            t,
            &pr.cfg.name,
            KafkaAction::SendFailed,
            format!("send m{msg} -> p{}: {reason}, given up", inf.partition),
            format!("m{msg} was never acknowledged; the producer drops it"),
        );
    }

    /// Why partition `p` would refuse any send of producer `pi` right now.
    fn refusal(&self, pi: usize, p: u32) -> Option<&'static str> {
        let pr = &self.producers[pi];
        let part = &self.topics[pr.topic].partitions[p as usize];
        if part.leader.is_none() {
            // acks=0 sends "succeed" into the void; let them through.
            return (pr.cfg.acks != Acks::Zero).then_some("NOT_LEADER_OR_FOLLOWER");
        }
        let short = (part.isr.len() as u32) < self.cluster.min_insync_replicas;
        (pr.cfg.acks == Acks::All && short).then_some("NOT_ENOUGH_REPLICAS")
    }

    pub(crate) fn on_retry(&mut self, pi: usize, session: u64, p: u32, t: u64, out: &mut Out) {
        if self.producers[pi].session != session {
            return;
        }
        if let Some(reason) = self.refusal(pi, p) {
            self.failed_round(pi, p, reason, t, out);
            return;
        }
        let pr = &mut self.producers[pi];
        let Some(q) = pr.retry.get_mut(&p) else {
            return;
        };
        q.due_ms = None;
        let (msgs, rounds) = (std::mem::take(&mut q.msgs), q.rounds);
        for msg in msgs {
            let Some(inf) = self.producers[pi].inflight.get_mut(&msg) else {
                continue;
            };
            let waited = rounds.saturating_sub(inf.joined_round);
            inf.attempts = inf
                .attempts
                .saturating_add(u32::try_from(waited).unwrap_or(u32::MAX));
            self.attempt(pi, msg, t, out);
        }
    }

    fn failed_round(&mut self, pi: usize, p: u32, reason: &str, t: u64, out: &mut Out) {
        let pr = &mut self.producers[pi];
        let (session, retries, timeout) = (pr.session, pr.cfg.retries, pr.cfg.delivery_timeout_ms);
        let next = t.saturating_add(pr.cfg.retry_backoff_ms);
        let Some(q) = pr.retry.get_mut(&p) else {
            return;
        };
        q.due_ms = None;
        q.rounds += 1;
        let mut expired = Vec::new();
        while let Some(&msg) = q.msgs.front() {
            let keep = pr.inflight.get(&msg).is_some_and(|inf| {
                let tries = u64::from(inf.attempts) + (q.rounds - inf.joined_round);
                tries <= u64::from(retries) && next <= inf.first_ms.saturating_add(timeout)
            });
            if keep {
                break;
            }
            q.msgs.pop_front();
            expired.push(msg);
        }
        if !q.msgs.is_empty() {
            q.due_ms = Some(next);
            self.queue.push(
                next,
                Ev::ProducerRetry {
                    pi,
                    session,
                    partition: p,
                },
            );
        }
        for msg in expired {
            self.give_up(pi, msg, reason, t, out);
        }
    }
}
