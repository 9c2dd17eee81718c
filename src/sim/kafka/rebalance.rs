//! The eager rebalance of the classic protocol, as the coordinator runs it.
//!
//! ```text
//!   trigger: join / LeaveGroup / session expiry / max.poll.interval exceeded
//!        │   (an empty group's first join: held group.initial.rebalance.delay.ms)
//!        ▼
//!   preparing ── each member learns of it from its next heartbeat response
//!        │       (the joiner from its JoinGroup), then rejoins at its next
//!        │       poll(): an auto-commit
//!        │       consumer first commits what it consumed, then revokes all
//!        │       its partitions (owner = none). Members blocked in poll
//!        │       rejoin on that heartbeat; one busy with a batch finishes it (and
//!        │       may still commit) first; a dead or hung member holds the
//!        │       group until its session or poll interval expires.
//!        ▼
//!   sync (+rebalance_ms) ── commits refused (REBALANCE_IN_PROGRESS)
//!        ▼
//!   complete ── generation+1, range assignment over members sorted by name;
//!               each new owner starts at the committed offset (or
//!               auto_offset_reset); members blocked in poll wake up
//! ```
//!
//! Why members rejoin from poll: in the classic consumer the rebalance runs
//! inside `poll()` (ConsumerCoordinator.poll → ensureActiveGroup), so a
//! consumer in the middle of a batch keeps its partitions until the batch is
//! done, and only a member that cannot reach poll stalls everyone.

use super::event::Ev;
use super::group::Rebalance;
use super::{KafkaAction, KafkaWorld, Out};
use std::collections::BTreeSet;

impl KafkaWorld {
    pub(crate) fn start_rebalance(&mut self, g: usize, t: u64, why: &str, out: &mut Out) {
        if self.groups[g].rebalance.is_some() {
            return;
        }
        let gs = &mut self.groups[g];
        gs.rounds += 1;
        gs.rebalance = Some(Rebalance {
            round: gs.rounds,
            started_ms: t,
            informed: BTreeSet::new(),
            rejoined: BTreeSet::new(),
            not_before_ms: 0,
            initial: false,
            due_ms: None,
        });
        let gid = gs.cfg.group_id.clone();
        out.step(
            t,
            &gid,
            KafkaAction::Rebalance,
            format!("rebalance start ({why})"),
        );
        let ids: Vec<u64> = self.groups[g].members.keys().copied().collect();
        let mut stuck = Vec::new();
        for id in ids {
            let Some(c) = self.groups[g].members.get(&id).map(|m| m.consumer) else {
                continue;
            };
            let cs = &self.consumers[c];
            if !cs.alive || cs.member != Some(id) || cs.is_hung(t) {
                stuck.push(cs.cfg.name.clone());
            }
        }
        if !stuck.is_empty() {
            out.story(
                t,
                &gid,
                KafkaAction::Rebalance,
                format!("rebalance waits for {}", stuck.join(", ")),
                "a member that cannot rejoin holds the whole group until it is removed".into(),
            );
        }
        self.check_rejoined(g, t);
    }

    /// Member `id` rejoins (from its poll): commit if auto-commit, revoke all.
    pub(crate) fn rejoin(&mut self, g: usize, id: u64, t: u64, out: &mut Out) {
        let Some(rb) = self.groups[g].rebalance.as_ref() else {
            return;
        };
        if rb.rejoined.contains(&id) {
            return;
        }
        let Some(c) = self.groups[g].members.get(&id).map(|m| m.consumer) else {
            return;
        };
        let cs = &self.consumers[c];
        if cs.alive && cs.member == Some(id) && cs.is_auto_commit() {
            let owners = &self.groups[g].owners;
            let offsets: Vec<(u32, u64)> = cs
                .positions
                .iter()
                .filter(|(p, _)| owners.get(p) == Some(&id))
                .map(|(p, o)| (*p, *o))
                .collect();
            self.commit(c, &offsets, "commitSync", " [auto, before revoke]", t, out);
        }
        self.revoke(g, id, t);
        if self.consumers[c].member == Some(id) {
            self.consumers[c].positions.clear();
        }
        if let Some(rb) = self.groups[g].rebalance.as_mut() {
            rb.rejoined.insert(id);
        }
    }

    /// Takes every partition away from member `id`.
    pub(crate) fn revoke(&mut self, g: usize, id: u64, t: u64) {
        let gs = &mut self.groups[g];
        let mine: Vec<u32> = gs
            .owners
            .iter()
            .filter(|(_, m)| **m == id)
            .map(|(p, _)| *p)
            .collect();
        for p in mine {
            gs.owners.remove(&p);
            gs.owner_history.push((t, p, None));
        }
    }

    /// Enters the sync phase once every member has rejoined.
    pub(crate) fn check_rejoined(&mut self, g: usize, t: u64) {
        let gs = &mut self.groups[g];
        let Some(rb) = gs.rebalance.as_mut() else {
            return;
        };
        if rb.due_ms.is_some() || !gs.members.keys().all(|id| rb.rejoined.contains(id)) {
            return;
        }
        let due = t.max(rb.not_before_ms).saturating_add(gs.cfg.rebalance_ms);
        rb.due_ms = Some(due);
        let round = rb.round;
        self.queue.push(due, Ev::RebalanceDone { g, round });
    }

    pub(crate) fn on_rebalance_due(&mut self, g: usize, round: u64, t: u64, out: &mut Out) {
        let due = self.groups[g]
            .rebalance
            .as_ref()
            .filter(|rb| rb.round == round)
            .and_then(|rb| rb.due_ms);
        if due.is_some_and(|d| d <= t) {
            self.complete_rebalance(g, t, out);
        }
    }

    fn complete_rebalance(&mut self, g: usize, t: u64, out: &mut Out) {
        let partitions = self.topics[self.groups[g].topic].partitions.len() as u32;
        let mut order: Vec<(String, u64)> = self.groups[g]
            .members
            .iter()
            .map(|(id, m)| (self.consumers[m.consumer].cfg.name.clone(), *id))
            .collect();
        order.sort();
        let gs = &mut self.groups[g];
        gs.rebalance = None;
        gs.generation += 1;
        let mut plan = Vec::new();
        if !order.is_empty() {
            let n = order.len() as u32;
            let (each, extra) = (partitions / n, partitions % n);
            let mut p = 0;
            for (i, (name, id)) in order.iter().enumerate() {
                let take = each + u32::from((i as u32) < extra);
                for _ in 0..take {
                    gs.owners.insert(p, *id);
                    gs.owner_history.push((t, p, Some(name.clone())));
                    plan.push(format!("p{p} -> {name}"));
                    p += 1;
                }
            }
        }
        let gid = gs.cfg.group_id.clone();
        let action = if plan.is_empty() {
            "rebalance: no members".to_string()
        } else {
            format!("rebalance: {}", plan.join(", "))
        };
        out.story(
            t,
            &gid,
            KafkaAction::Rebalance,
            action,
            format!("generation {} assigned", gs.generation),
        );
        for (_, id) in order {
            let Some(c) = self.groups[g].members.get(&id).map(|m| m.consumer) else {
                continue;
            };
            if self.consumers[c].member != Some(id) {
                continue;
            }
            self.consumers[c].positions.clear();
            let mine: Vec<u32> = self.groups[g]
                .owners
                .iter()
                .filter(|(_, m)| **m == id)
                .map(|(p, _)| *p)
                .collect();
            for p in mine {
                let start = self.start_offset(g, p);
                self.consumers[c].positions.insert(p, start);
            }
            self.wake(c, t);
        }
    }
}
