//! The group coordinator: membership, heartbeats, session timeout,
//! rebalance, assignment and committed offsets.
//!
//! ```text
//!   member joins / leaves / session expires / max.poll.interval exceeded
//!        │
//!        ▼
//!   start_rebalance ── auto-commit members commit what they consumed,
//!        │             every partition is revoked (eager protocol: owner = none)
//!        ▼
//!   due at +rebalance_ms ── a member that cannot rejoin (dead, hung) holds it up
//!        │                  until its session or poll interval expires
//!        ▼
//!   complete ── generation+1, range assignment over members sorted by name,
//!               each new owner starts at the committed offset (or auto_offset_reset)
//! ```
//!
//! Why the coordinator cares about dead members: it cannot tell a crashed
//! process from a slow one. It only sees missing heartbeats, so a crashed
//! owner keeps its partitions until `last_heartbeat + session_timeout_ms`,
//! and nobody consumes them meanwhile (§1.6, §2.7). A commit is accepted
//! only from the current owner outside a rebalance, as the broker rejects
//! commits from a stale generation.

use super::config::{CommitPolicy, KafkaGroup, OffsetReset};
use super::event::Ev;
use super::{KafkaWorld, Out};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub consumer: usize,
    pub last_hb_ms: u64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Rebalance {
    pub round: u64,
    pub due_ms: u64,
    pub waiting: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct GroupState {
    pub cfg: KafkaGroup,
    pub topic: usize,
    pub members: BTreeMap<u64, Member>,
    pub generation: u64,
    pub rebalance: Option<Rebalance>,
    rounds: u64,
    /// Partition → member id.
    pub owners: BTreeMap<u32, u64>,
    pub committed: BTreeMap<u32, u64>,
    /// (t_ms, partition, owner consumer) on every change.
    pub owner_history: Vec<(u64, u32, Option<String>)>,
    /// (t_ms, partition, offset, committing consumer).
    pub commits: Vec<(u64, u32, u64, String)>,
    /// Peak of high watermark − position seen by any fetch (the consumer's
    /// `records-lag-max`), and when it was seen.
    pub max_lag: (u64, u64),
    /// Peak of high watermark − committed offset, and when.
    pub max_committed_lag: (u64, u64),
}

impl GroupState {
    pub(crate) fn new(cfg: KafkaGroup, topic: usize) -> GroupState {
        GroupState {
            committed: cfg.initial_committed.clone(),
            cfg,
            topic,
            members: BTreeMap::new(),
            generation: 0,
            rebalance: None,
            rounds: 0,
            owners: BTreeMap::new(),
            owner_history: Vec::new(),
            commits: Vec::new(),
            max_lag: (0, 0),
            max_committed_lag: (0, 0),
        }
    }
}

/// `510` for a one-partition topic, else `p0:510, p1:20`.
pub(crate) fn fmt_offsets(partitions: usize, offsets: &[(u32, u64)]) -> String {
    if partitions == 1 && offsets.len() == 1 {
        return offsets[0].1.to_string();
    }
    let parts: Vec<String> = offsets.iter().map(|(p, o)| format!("p{p}:{o}")).collect();
    parts.join(", ")
}

impl KafkaWorld {
    pub(crate) fn join_member(&mut self, c: usize, t: u64, out: &mut Out) {
        let id = self.new_member_id();
        let g = self.consumers[c].group;
        self.consumers[c].member = Some(id);
        self.groups[g].members.insert(
            id,
            Member {
                consumer: c,
                last_hb_ms: t,
            },
        );
        let name = self.consumers[c].cfg.name.clone();
        out.step(t, &name, format!("join {}", self.groups[g].cfg.group_id));
        self.arm_heartbeats(c, id, t);
        self.start_rebalance(g, t, &format!("{name} joined"), out);
    }

    /// Records a heartbeat at `t` and schedules the next one and the expiry.
    pub(crate) fn arm_heartbeats(&mut self, c: usize, member: u64, t: u64) {
        let g = self.consumers[c].group;
        let (session, interval) = (
            self.groups[g].cfg.session_timeout_ms,
            self.groups[g].cfg.heartbeat_interval_ms,
        );
        if let Some(m) = self.groups[g].members.get_mut(&member) {
            m.last_hb_ms = t;
        }
        self.queue.push(
            t.saturating_add(session),
            Ev::SessionCheck {
                g,
                member,
                hb_ms: t,
            },
        );
        let inc = self.consumers[c].incarnation;
        self.queue
            .push(t.saturating_add(interval), Ev::Heartbeat { c, member, inc });
    }

    pub(crate) fn on_heartbeat(&mut self, c: usize, member: u64, inc: u64, t: u64, out: &mut Out) {
        let cs = &self.consumers[c];
        let g = cs.group;
        if !cs.alive
            || cs.incarnation != inc
            || cs.member != Some(member)
            || !self.groups[g].members.contains_key(&member)
        {
            return;
        }
        let name = cs.cfg.name.clone();
        out.step(t, &name, "heartbeat".into());
        self.arm_heartbeats(c, member, t);
    }

    pub(crate) fn on_session_check(
        &mut self,
        g: usize,
        member: u64,
        hb_ms: u64,
        t: u64,
        out: &mut Out,
    ) {
        let Some(m) = self.groups[g].members.get(&member) else {
            return;
        };
        if m.last_hb_ms != hb_ms {
            return;
        }
        let name = self.consumers[m.consumer].cfg.name.clone();
        let why = format!(
            "no heartbeat from {name} since {hb_ms}: session timeout ({} ms) expired",
            self.groups[g].cfg.session_timeout_ms
        );
        self.remove_member(
            g,
            member,
            t,
            &format!("session timeout: {name} removed"),
            &why,
            out,
        );
    }

    /// Drops `member` from the group and rebalances.
    pub(crate) fn remove_member(
        &mut self,
        g: usize,
        member: u64,
        t: u64,
        action: &str,
        why: &str,
        out: &mut Out,
    ) {
        let Some(m) = self.groups[g].members.remove(&member) else {
            return;
        };
        if self.consumers[m.consumer].member == Some(member) {
            self.consumers[m.consumer].member = None;
        }
        let gid = self.groups[g].cfg.group_id.clone();
        out.story(t, &gid, action.to_string(), why.to_string());
        self.start_rebalance(g, t, action, out);
        self.try_finish_rebalance(g, t, out);
    }

    pub(crate) fn start_rebalance(&mut self, g: usize, t: u64, why: &str, out: &mut Out) {
        if self.groups[g].rebalance.is_some() {
            return;
        }
        // Revocation: auto-commit consumers commit what they consumed first.
        let owned: Vec<(u64, Vec<u32>)> = self.owned_by_member(g);
        for (member, parts) in owned {
            let Some(c) = self.groups[g].members.get(&member).map(|m| m.consumer) else {
                continue;
            };
            let cs = &self.consumers[c];
            if cs.alive && cs.is_auto_commit() && !cs.is_hung(t) {
                let offsets: Vec<(u32, u64)> = parts
                    .iter()
                    .filter_map(|p| cs.positions.get(p).map(|o| (*p, *o)))
                    .collect();
                self.commit(c, &offsets, "commitSync", " [auto, before revoke]", t, out);
            }
        }
        let gs = &mut self.groups[g];
        for p in std::mem::take(&mut gs.owners).into_keys() {
            gs.owner_history.push((t, p, None));
        }
        gs.rounds += 1;
        let due_ms = t.saturating_add(gs.cfg.rebalance_ms);
        gs.rebalance = Some(Rebalance {
            round: gs.rounds,
            due_ms,
            waiting: false,
        });
        let gid = gs.cfg.group_id.clone();
        self.queue.push(
            due_ms,
            Ev::RebalanceDone {
                g,
                round: self.groups[g].rounds,
            },
        );
        out.step(t, &gid, format!("rebalance start ({why})"));
    }

    fn owned_by_member(&self, g: usize) -> Vec<(u64, Vec<u32>)> {
        let mut by: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for (p, m) in &self.groups[g].owners {
            by.entry(*m).or_default().push(*p);
        }
        by.into_iter().collect()
    }

    fn unready_members(&self, g: usize, t: u64) -> Vec<String> {
        let gs = &self.groups[g];
        gs.members
            .iter()
            .filter(|(id, m)| {
                let cs = &self.consumers[m.consumer];
                !cs.alive || cs.is_hung(t) || cs.member != Some(**id)
            })
            .map(|(_, m)| self.consumers[m.consumer].cfg.name.clone())
            .collect()
    }

    pub(crate) fn on_rebalance_due(&mut self, g: usize, round: u64, t: u64, out: &mut Out) {
        let Some(rb) = self.groups[g].rebalance else {
            return;
        };
        if rb.round != round {
            return;
        }
        let unready = self.unready_members(g, t);
        if unready.is_empty() {
            self.complete_rebalance(g, t, out);
        } else {
            self.groups[g].rebalance = Some(Rebalance {
                waiting: true,
                ..rb
            });
            let gid = self.groups[g].cfg.group_id.clone();
            out.story(
                t,
                &gid,
                format!("rebalance waits for {}", unready.join(", ")),
                "a member that does not rejoin holds the whole group until it is removed".into(),
            );
        }
    }

    /// Completes a rebalance that was waiting, once every member can rejoin.
    pub(crate) fn try_finish_rebalance(&mut self, g: usize, t: u64, out: &mut Out) {
        if let Some(rb) = self.groups[g].rebalance
            && rb.waiting
            && rb.due_ms <= t
            && self.unready_members(g, t).is_empty()
        {
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
            action,
            format!("generation {} assigned", gs.generation),
        );
        for (_, id) in order {
            let Some(c) = self.groups[g].members.get(&id).map(|m| m.consumer) else {
                continue;
            };
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

    /// Where a new owner of `p` starts: the committed offset, else the reset point.
    pub(crate) fn start_offset(&self, g: usize, p: u32) -> u64 {
        let gs = &self.groups[g];
        let part = &self.topics[gs.topic].partitions[p as usize];
        match gs.committed.get(&p) {
            Some(o) => *o,
            None => match gs.cfg.auto_offset_reset {
                OffsetReset::Earliest => part.log_start,
                OffsetReset::Latest => part.hw,
            },
        }
    }

    /// Commits `offsets` for consumer `c`; `api` is the call shown in the
    /// trace (`commitSync`/`commitAsync`). Returns whether it was accepted.
    pub(crate) fn commit(
        &mut self,
        c: usize,
        offsets: &[(u32, u64)],
        api: &str,
        note: &str,
        t: u64,
        out: &mut Out,
    ) -> bool {
        if offsets.is_empty() {
            return true;
        }
        let g = self.consumers[c].group;
        let name = self.consumers[c].cfg.name.clone();
        let parts = self.topics[self.groups[g].topic].partitions.len();
        let text = format!("{api}({}){note}", fmt_offsets(parts, offsets));
        let member = self.consumers[c].member;
        let gs = &mut self.groups[g];
        let refusal = if member.is_none_or(|m| !gs.members.contains_key(&m)) {
            Some("not a group member")
        } else if gs.rebalance.is_some() {
            Some("REBALANCE_IN_PROGRESS")
        } else if offsets
            .iter()
            .any(|(p, _)| gs.owners.get(p) != member.as_ref())
        {
            Some("CommitFailedException: partition reassigned")
        } else {
            None
        };
        if let Some(r) = refusal {
            out.story(
                t,
                &name,
                format!("{text} failed"),
                format!("{r}: the broker keeps the old committed offset"),
            );
            return false;
        }
        for (p, o) in offsets {
            gs.committed.insert(*p, *o);
            gs.commits.push((t, *p, *o, name.clone()));
        }
        out.step(t, &name, text);
        true
    }
}

impl super::consumer::ConsumerState {
    pub(crate) fn is_auto_commit(&self) -> bool {
        matches!(self.cfg.commit, CommitPolicy::AutoCommit { .. })
    }
}
