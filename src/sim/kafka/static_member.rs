//! Static membership (`group.instance.id`, KIP-345): a member that keeps
//! its identity across restarts, and so never says goodbye.
//!
//! ```text
//!   dynamic member                      static member
//!   close()        ─▶ LeaveGroup,       close()        ─▶ no LeaveGroup: the coordinator
//!                     rebalance now                       keeps it until session.timeout.ms
//!   poll timeout   ─▶ LeaveGroup,       poll timeout   ─▶ no LeaveGroup; heartbeats stop
//!                     rebalance now                       (the client is unjoined), so the
//!                                                         session times out unless it polls
//!   restart        ─▶ new member id,    restart / poll ─▶ same member, same partitions,
//!                     rebalance           within session  no rebalance
//! ```
//!
//! Why: the Java client sends LeaveGroup only for dynamic members
//! (AbstractCoordinator.maybeLeaveGroup checks isDynamicMember()), so that a
//! rolling restart of a static member moves no partition. The price is that
//! a static member that is really gone holds its partitions for a whole
//! session timeout, whether it crashed, closed or stopped polling.

use super::{KafkaAction, KafkaWorld, Out};

impl KafkaWorld {
    /// The member id the coordinator still keeps for static consumer `c`.
    pub(crate) fn static_member_of(&self, c: usize) -> Option<u64> {
        let cs = &self.consumers[c];
        if !cs.cfg.static_member {
            return None;
        }
        self.groups[cs.group]
            .members
            .iter()
            .find(|(_, m)| m.consumer == c)
            .map(|(id, _)| *id)
    }

    /// Static consumer `c` joins again as `member` and keeps what it owned,
    /// resuming each partition at the committed offset.
    pub(crate) fn readopt_static(
        &mut self,
        c: usize,
        member: u64,
        how: &str,
        t: u64,
        out: &mut Out,
    ) {
        let g = self.consumers[c].group;
        let name = self.consumers[c].cfg.name.clone();
        self.consumers[c].member = Some(member);
        let owned: Vec<u32> = self.groups[g]
            .owners
            .iter()
            .filter(|(_, m)| **m == member)
            .map(|(p, _)| *p)
            .collect();
        self.consumers[c].positions.clear();
        for &p in &owned {
            let start = self.start_offset(g, p);
            self.consumers[c].positions.insert(p, start);
        }
        out.story(
            t,
            &name,
            KafkaAction::Restart,
            format!(
                "{how}: rejoin as static member ({} partition(s) kept)",
                owned.len()
            ),
            "a static member back within the session timeout keeps its assignment: no rebalance (KIP-345)".into(),
        );
        self.arm_heartbeats(c, member, t);
    }

    /// `close()` of a static member: offsets as a dynamic member would
    /// commit them, but no LeaveGroup; the coordinator finds out at the
    /// session timeout.
    pub(crate) fn close_static(&mut self, c: usize, member: u64, t: u64, out: &mut Out) {
        let g = self.consumers[c].group;
        let name = self.consumers[c].cfg.name.clone();
        let gs = &self.groups[g];
        let expiry = gs.members.get(&member).map_or(t, |m| {
            m.last_hb_ms.saturating_add(gs.cfg.session_timeout_ms)
        });
        out.story(
            t,
            &name,
            KafkaAction::Close,
            "close (static member: no LeaveGroup)".into(),
            format!("a static member does not leave on close (KIP-345): its partitions wait for the session timeout at {expiry}"),
        );
    }

    /// max.poll.interval.ms passed for static consumer `c`: it sends no
    /// LeaveGroup, but its heartbeat thread stops (the client is unjoined),
    /// so the session runs out unless it polls again first.
    pub(crate) fn poll_timeout_static(&mut self, c: usize, member: u64, t: u64, out: &mut Out) {
        let g = self.consumers[c].group;
        let name = self.consumers[c].cfg.name.clone();
        self.consumers[c].member = None;
        let gs = &self.groups[g];
        let expiry = gs.members.get(&member).map_or(t, |m| {
            m.last_hb_ms.saturating_add(gs.cfg.session_timeout_ms)
        });
        out.story(
            t,
            &name,
            KafkaAction::MemberRemoved,
            format!("max.poll.interval.ms exceeded: {name} stops heartbeating (static: no LeaveGroup)"),
            format!(
                "{name} did not call poll() for {} ms; as a static member it keeps its partitions until the session times out at {expiry}",
                gs.cfg.max_poll_interval_ms
            ),
        );
    }
}
