//! Everything the explorer draws at one step, computed once per step.
//!
//! ```text
//!   World::of(player, previous, focus)
//!     ├─ narrative          the step's command, reply and sentence
//!     ├─ streams[key]       XINFO STREAM numbers ─ tree ─ open macro node ─ groups
//!     ├─ kafka              Option<KafkaView>
//!     └─ ledgers            redis / kafka LedgerSummary, live
//! ```
//!
//! A frame draws from a `World` and never touches the simulation, so a
//! frame costs the same whether the stream holds ten entries or a million.

use crate::engine::StreamId;
use crate::engine::db::Value;
use crate::engine::memory;
use crate::engine::node_dump::NodeDump;
use crate::engine::stream::Stream;
use crate::sim::ledger::LedgerSummary;

use super::kafka::KafkaView;
use super::narrative::Narrative;
use super::pel::GroupView;
use super::player::Player;
use super::tree::{DEFAULT_BUDGET, TreeLayout};

/// The macro node opened under the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDetail {
    pub master_id: StreamId,
    /// Live entries and tombstones (they count toward the entry limit).
    pub live: u64,
    pub deleted: u64,
    /// `stream-node-max-entries` and `stream-node-max-bytes` in force.
    pub max_entries: u64,
    pub max_bytes: u64,
    /// Whether XADD appends here.
    pub is_tail: bool,
    /// Every listpack element.
    pub dump: NodeDump,
}

/// One stream key.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamView {
    pub key: String,
    /// XINFO STREAM's numbers.
    pub length: u64,
    pub radix_tree_keys: u64,
    pub radix_tree_nodes: u64,
    pub last_generated_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    /// `MEMORY USAGE key` (default SAMPLES 5), Redis's formula.
    pub memory_usage_bytes: u64,
    pub tree: TreeLayout,
    /// Master IDs of every macro node (to spot new ones next step).
    pub node_keys: Vec<StreamId>,
    /// Macro nodes that existed at the previous step and are gone now.
    pub nodes_removed: u64,
    pub node: Option<NodeDetail>,
    pub groups: Vec<GroupView>,
}

/// The world at one step.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// Steps done.
    pub step: u64,
    /// The run's length if known, else how far it was explored.
    pub known_steps: u64,
    pub time_ms: u64,
    pub narrative: Narrative,
    pub redis_up: bool,
    pub streams: Vec<StreamView>,
    pub kafka: Option<KafkaView>,
    /// The ledgers as of this step, when asked for (working out what is
    /// still deliverable scans every message: ~1 s at a million).
    pub ledgers: Option<(LedgerSummary, LedgerSummary)>,
    /// The scenario has a Kafka side (else its ledger means nothing).
    pub has_kafka: bool,
    /// Replication and persistence, when asked for (copies the primary).
    pub durability: Option<super::durability::Durability>,
}

impl World {
    /// Adds the replication and persistence panel's data (the ledgers
    /// must be there: see `with_ledgers`).
    pub fn with_durability(mut self, player: &Player) -> World {
        if let Some((redis, _)) = &self.ledgers {
            self.durability = Some(super::durability::Durability::of(player.sim(), redis));
        }
        self
    }

    /// The world at the player's position. `previous` is the world one
    /// step earlier (for what changed); `focus` the macro node the user
    /// opened (`(stream key, master ID)`), else each stream's tail;
    /// `with_ledgers` when the ledgers are on screen.
    pub fn of(
        player: &Player,
        previous: Option<&World>,
        focus: Option<(&str, StreamId)>,
        with_ledgers: bool,
    ) -> World {
        let sim = player.sim();
        let db = &sim.ctx.redis.db;
        let streams = db
            .keys
            .iter()
            .filter_map(|(key, value)| match value {
                Value::Stream(s) => {
                    let key_text = String::from_utf8_lossy(key).into_owned();
                    let before =
                        previous.and_then(|w| w.streams.iter().find(|v| v.key == key_text));
                    let open = focus
                        .filter(|(k, id)| {
                            *k == key_text && s.rax().get(&id.to_be_bytes()).is_some()
                        })
                        .map(|(_, id)| id)
                        .or(s.tail_master());
                    Some(stream_view(key_text, key, value, s, sim, before, open))
                }
                _ => None,
            })
            .collect();
        // Deliverability (what is lost vs unconsumed) as of this step.
        let ledgers = with_ledgers.then(|| {
            let l = sim.ledger_view();
            (l.redis.summary(), l.kafka.summary())
        });
        World {
            step: player.position(),
            known_steps: player.known_steps(),
            time_ms: sim.now_ms(),
            narrative: Narrative::of(player.last_record(), sim.actor_names()),
            redis_up: sim.ctx.redis.up,
            streams,
            kafka: KafkaView::of(sim),
            ledgers,
            has_kafka: sim.scenario.kafka.is_some(),
            durability: None,
        }
    }

    /// The stream named `key`.
    pub fn stream(&self, key: &str) -> Option<&StreamView> {
        self.streams.iter().find(|s| s.key == key)
    }
}

fn stream_view(
    key_text: String,
    key: &[u8],
    value: &Value,
    s: &Stream,
    sim: &crate::sim::Simulation,
    before: Option<&StreamView>,
    open: Option<StreamId>,
) -> StreamView {
    let limits = sim.ctx.redis.db.config.node_limits;
    let known = before.map(|b| b.node_keys.as_slice());
    let tree = TreeLayout::of(s.rax(), open, DEFAULT_BUDGET, known);
    let node_keys: Vec<StreamId> = s
        .rax()
        .iter()
        .filter_map(|(k, _)| StreamId::from_be_bytes(&k))
        .collect();
    let nodes_removed = before.map_or(0, |b| {
        b.node_keys
            .iter()
            .filter(|k| node_keys.binary_search(k).is_err())
            .count() as u64
    });
    let node = open.and_then(|id| {
        let n = s.rax().get(&id.to_be_bytes())?;
        Some(NodeDetail {
            master_id: id,
            live: n.live(),
            deleted: n.deleted(),
            max_entries: limits.max_entries,
            max_bytes: limits.max_bytes,
            is_tail: s.tail_master() == Some(id),
            dump: n.dump(),
        })
    });
    StreamView {
        key: key_text,
        length: s.length(),
        radix_tree_keys: s.radix_tree_keys(),
        radix_tree_nodes: s.radix_tree_nodes(),
        last_generated_id: s.last_id,
        first_id: s.first_id,
        max_deleted_id: s.max_deleted_id,
        entries_added: s.entries_added,
        memory_usage_bytes: memory::usage_bytes(key, value, 5),
        tree,
        node_keys,
        nodes_removed,
        node,
        groups: GroupView::all(s, sim, before.map(|b| b.groups.as_slice())),
    }
}
