//! Consumer groups and their pending entries, one lane per consumer.
//!
//! ```text
//!   group g   last-delivered 1700000000000-9   entries-read 10   lag 0   PEL 8
//!   ┌ alice † (crashed) ─ [1-2 ×1 idle 30 s] [1-3 ×1] … ─────────────────────┐
//!   ├ bob ───────────────  [1-0 ×2 claimed]  ───────────────────────────────── │
//!   └ (no consumer)
//! ```
//!
//! A lane shows at most [`MAX_LANE_ENTRIES`] entries (the oldest ones,
//! which are the ones a claimer looks at); its count is always the exact
//! size of the consumer's PEL. Changes are relative to the previous step:
//! an entry new in a lane arrived by a read or a claim, an entry gone from
//! every lane was acknowledged (or dropped with its consumer).

use crate::engine::StreamId;
use crate::engine::group::Group;
use crate::engine::lag::Counters;
use crate::engine::stream::Stream;
use crate::sim::Simulation;
use crate::sim::actors::ActorState;

/// Entries drawn per lane at most (the count stays exact).
pub const MAX_LANE_ENTRIES: usize = 64;

/// How a lane's client is doing, as far as the simulation knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientState {
    /// A running actor uses this consumer name.
    Alive,
    /// The actor using it crashed and has not come back under this name.
    Crashed,
    /// The actor is frozen (a hang fault) until this virtual time.
    Hung { until_ms: u64 },
    /// No actor of the scenario uses this name (created by setup or by a
    /// claimer, or a name left behind by a restart under another name).
    NoClient,
}

/// One pending entry in a lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingView {
    pub id: StreamId,
    /// Milliseconds since its last delivery (XPENDING's idle).
    pub idle_ms: u64,
    /// XPENDING's delivery count.
    pub delivery_count: u64,
    /// Not in this lane at the previous step: read or claimed just now.
    pub arrived: bool,
}

/// One consumer of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneView {
    pub name: String,
    pub state: ClientState,
    /// Exact size of the consumer's PEL.
    pub pending_count: u64,
    /// The oldest pending entries, in ID order.
    pub pending: Vec<PendingView>,
    /// Milliseconds since the consumer was last seen (XINFO CONSUMERS idle).
    pub seen_idle_ms: u64,
}

/// One consumer group of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub name: String,
    pub last_delivered: StreamId,
    /// `entries-read`, `None` when Redis reports nil.
    pub entries_read: Option<i64>,
    /// `lag`, `None` when Redis reports nil (it cannot tell after XDEL
    /// or SETID into the past).
    pub lag: Option<i64>,
    pub pel_count: u64,
    pub lanes: Vec<LaneView>,
    /// Entries pending at the previous step and pending nowhere now.
    pub left_since_previous: Vec<StreamId>,
}

impl GroupView {
    /// The groups of `stream`, read at the simulation's current time;
    /// `previous` is the same stream's groups one step earlier.
    pub fn all(
        stream: &Stream,
        sim: &Simulation,
        previous: Option<&[GroupView]>,
    ) -> Vec<GroupView> {
        let now_ms = sim.ctx.unix_ms();
        let counters = Counters::of(stream);
        stream
            .groups
            .iter()
            .map(|(name, group)| {
                let name = String::from_utf8_lossy(name).into_owned();
                let before = previous.and_then(|p| p.iter().find(|g| g.name == name));
                Self::of(name, group, &counters, sim, now_ms, before)
            })
            .collect()
    }

    fn of(
        name: String,
        group: &Group,
        counters: &Counters,
        sim: &Simulation,
        now_ms: u64,
        before: Option<&GroupView>,
    ) -> GroupView {
        let lanes: Vec<LaneView> = group
            .consumers()
            .map(|(_, c)| {
                let lane_name = String::from_utf8_lossy(&c.name).into_owned();
                let before_lane = before.and_then(|b| b.lanes.iter().find(|l| l.name == lane_name));
                let pending = c
                    .pel()
                    .iter()
                    .take(MAX_LANE_ENTRIES)
                    .filter_map(|id| {
                        let e = group.pel().get(id)?;
                        let arrived = before.is_some()
                            && !before_lane.is_some_and(|l| l.pending.iter().any(|p| p.id == id));
                        Some(PendingView {
                            id,
                            idle_ms: now_ms.saturating_sub(e.delivery_ms),
                            delivery_count: e.delivery_count,
                            arrived,
                        })
                    })
                    .collect();
                LaneView {
                    state: client_state(sim, &lane_name),
                    pending_count: c.pel().len(),
                    pending,
                    seen_idle_ms: now_ms.saturating_sub(c.seen_ms),
                    name: lane_name,
                }
            })
            .collect();
        let left_since_previous = before
            .map(|b| {
                b.lanes
                    .iter()
                    .flat_map(|l| l.pending.iter().map(|p| p.id))
                    .filter(|id| group.pel().get(*id).is_none())
                    .collect()
            })
            .unwrap_or_default();
        GroupView {
            name,
            last_delivered: group.last_id,
            entries_read: (group.entries_read >= 0).then_some(group.entries_read),
            lag: counters.lag(group.entries_read, group.last_id),
            pel_count: group.pel().len(),
            lanes,
            left_since_previous,
        }
    }
}

/// The state of the actor that reads as consumer `name`, if any.
pub fn client_state(sim: &Simulation, name: &str) -> ClientState {
    let actor = sim.actors.iter().find(|a| match a.as_consumer() {
        Some(c) => c.consumer_name() == name,
        None => a.name == name,
    });
    match actor.map(|a| a.state(sim.now_ms())) {
        None => ClientState::NoClient,
        Some(ActorState::Crashed) => ClientState::Crashed,
        Some(ActorState::Hung { until_ms }) => ClientState::Hung { until_ms },
        Some(ActorState::Alive) => ClientState::Alive,
    }
}
