//! The group coordinator: membership, heartbeats, session timeout and
//! committed offsets (the rebalance itself is in rebalance.rs).
//!
//! ```text
//!   Member { consumer, last_hb_ms }  keyed by member id (a restart without
//!        │                           static membership gets a new id)
//!        ├─ heartbeat every heartbeat_interval_ms from a background thread
//!        └─ SessionCheck at last_hb + session_timeout_ms ─▶ removed, rebalance
//!
//!   commit(offsets) accepted iff the committer is a member, owns every
//!   partition it commits, and the group is not in the sync phase
//! ```
//!
//! Why the coordinator cares about dead members: it cannot tell a crashed
//! process from a slow one. It only sees missing heartbeats, so a crashed
//! owner keeps its partitions until `last_heartbeat + session_timeout_ms`,
//! and nobody consumes them meanwhile (§1.6, §2.7). Commits follow the
//! broker's generation check: a member evicted behind its back, or one that
//! lost the partition, is refused and the committed offset stays put.

use super::config::{CommitPolicy, KafkaGroup, OffsetReset};
use super::event::Ev;
use super::{KafkaAction, KafkaWorld, Out};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub consumer: usize,
    pub last_hb_ms: u64,
}

/// A rebalance in progress: members learn of it (the joiner at once, the
/// others from their next heartbeat's REBALANCE_IN_PROGRESS) and rejoin one
/// by one from `poll()`; once all have, the assignment follows
/// `rebalance_ms` later, and never before `not_before_ms`.
#[derive(Clone, Debug)]
pub(crate) struct Rebalance {
    pub round: u64,
    pub started_ms: u64,
    /// Members that know a rebalance is under way.
    pub informed: BTreeSet<u64>,
    pub rejoined: BTreeSet<u64>,
    /// The first rebalance of an empty group waits for more joiners
    /// (`group.initial.rebalance.delay.ms`); 0 otherwise.
    pub not_before_ms: u64,
    /// The group was empty when this rebalance began.
    pub initial: bool,
    /// Set once every member has rejoined (the sync phase).
    pub due_ms: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct GroupState {
    pub cfg: KafkaGroup,
    pub topic: usize,
    pub members: BTreeMap<u64, Member>,
    pub generation: u64,
    pub rebalance: Option<Rebalance>,
    pub rounds: u64,
    /// Partition → member id.
    pub owners: BTreeMap<u32, u64>,
    pub committed: BTreeMap<u32, u64>,
    /// (t_ms, partition, owner consumer) on every change.
    pub owner_history: Vec<(u64, u32, Option<String>)>,
    /// Accepted commits, oldest first.
    pub commits: Vec<super::Commit>,
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
        out.step(
            t,
            &name,
            KafkaAction::Join,
            format!("join {}", self.groups[g].cfg.group_id),
        );
        self.arm_heartbeats(c, id, t);
        let was_empty = self.groups[g].members.len() == 1;
        if self.groups[g].rebalance.is_some() {
            self.extend_initial_delay(g, t);
        } else {
            self.start_rebalance(g, t, &format!("{name} joined"), out);
            if was_empty {
                self.delay_initial_rebalance(g, t, out);
            }
        }
        // The joiner learns of the rebalance from its own JoinGroup.
        if let Some(rb) = self.groups[g].rebalance.as_mut() {
            rb.informed.insert(id);
        }
        self.rejoin(g, id, t, out);
        self.check_rejoined(g, t);
    }

    /// The first rebalance of an empty group (a new group, or one whose
    /// members all left) is held `group.initial.rebalance.delay.ms` so that
    /// members starting together share one generation (GroupCoordinator's
    /// InitialDelayedJoin, broker config doc).
    fn delay_initial_rebalance(&mut self, g: usize, t: u64, out: &mut Out) {
        let delay = self.cluster.group_initial_rebalance_delay_ms;
        let gid = self.groups[g].cfg.group_id.clone();
        let Some(rb) = self.groups[g].rebalance.as_mut() else {
            return;
        };
        rb.initial = true;
        rb.not_before_ms = t.saturating_add(delay);
        if delay > 0 {
            out.story(
                t,
                &gid,
                KafkaAction::Rebalance,
                format!("initial rebalance delay until {}", rb.not_before_ms),
                format!("a new (empty) group waits group.initial.rebalance.delay.ms = {delay} ms for more members before it assigns partitions"),
            );
        }
    }

    /// Another member joining during the initial delay restarts it, up to
    /// the rebalance timeout (the consumers' max.poll.interval.ms).
    fn extend_initial_delay(&mut self, g: usize, t: u64) {
        let delay = self.cluster.group_initial_rebalance_delay_ms;
        let timeout = self.groups[g].cfg.max_poll_interval_ms;
        let Some(rb) = self.groups[g].rebalance.as_mut() else {
            return;
        };
        if !rb.initial || t >= rb.not_before_ms {
            return;
        }
        let cap = rb.started_ms.saturating_add(timeout);
        rb.not_before_ms = t.saturating_add(delay).min(cap).max(rb.not_before_ms);
        if let Some(due) = rb.due_ms.as_mut() {
            // The earlier RebalanceDone finds the due time moved and does nothing.
            *due = rb.not_before_ms;
            let round = rb.round;
            let at = rb.not_before_ms;
            self.queue.push(at, Ev::RebalanceDone { g, round });
        }
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
        let waiting = cs.waiting;
        let learns = self.groups[g]
            .rebalance
            .as_ref()
            .is_some_and(|rb| !rb.informed.contains(&member) && !rb.rejoined.contains(&member));
        self.arm_heartbeats(c, member, t);
        if !learns {
            out.step(t, &name, KafkaAction::Heartbeat, "heartbeat".into());
            return;
        }
        // The classic protocol tells a member of a rebalance only in a
        // heartbeat response (AbstractCoordinator.HeartbeatResponseHandler:
        // REBALANCE_IN_PROGRESS → requestRejoin); the member then rejoins
        // from poll(). One blocked in poll() does so at once, because its
        // wait is bounded by the time to the next heartbeat.
        if let Some(rb) = self.groups[g].rebalance.as_mut() {
            rb.informed.insert(member);
        }
        out.story(
            t,
            &name,
            KafkaAction::Heartbeat,
            "heartbeat -> REBALANCE_IN_PROGRESS".into(),
            format!(
                "{name} learns of the rebalance from its heartbeat (every {} ms) and rejoins {}",
                self.groups[g].cfg.heartbeat_interval_ms,
                if waiting { "now" } else { "at its next poll()" }
            ),
        );
        if waiting {
            self.rejoin(g, member, t, out);
            self.check_rejoined(g, t);
        }
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
        out.story(
            t,
            &gid,
            KafkaAction::MemberRemoved,
            action.to_string(),
            why.to_string(),
        );
        self.revoke(g, member, t);
        if let Some(rb) = self.groups[g].rebalance.as_mut() {
            rb.rejoined.remove(&member);
        }
        self.start_rebalance(g, t, action, out);
        self.check_rejoined(g, t);
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
        } else if gs.rebalance.as_ref().is_some_and(|rb| rb.due_ms.is_some()) {
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
                KafkaAction::CommitFailed,
                format!("{text} failed"),
                format!("{r}: the broker keeps the old committed offset"),
            );
            return false;
        }
        for (p, o) in offsets {
            gs.committed.insert(*p, *o);
            gs.commits.push(super::Commit {
                t_ms: t,
                partition: *p,
                offset: *o,
                consumer: name.clone(),
            });
        }
        out.step(t, &name, KafkaAction::Commit, text);
        true
    }
}

impl super::consumer::ConsumerState {
    pub(crate) fn is_auto_commit(&self) -> bool {
        matches!(self.cfg.commit, CommitPolicy::AutoCommit { .. })
    }
}
