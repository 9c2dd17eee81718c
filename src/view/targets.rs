//! What the learner can break at the current step, and how each thing is
//! doing: the lab's faults menu is drawn from this.
//!
//! ```text
//!   Targets
//!     ├─ actors[]          c1 running · c2 crashed · reaper hung until t=…
//!     ├─ redis_up, replicas[], partitioned
//!     └─ kafka_consumers[], brokers
//! ```

use crate::scenario::schema::{ActorSpec, CrashMode, FaultKind};

use super::player::Player;

/// One Redis-side client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorState {
    pub name: String,
    /// `Consumer`, `Claimer`, `Producer`…
    pub role: &'static str,
    pub alive: bool,
    /// Hung until this virtual time (0: not hung).
    pub hung_until_ms: u64,
}

/// Everything the faults menu offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targets {
    pub now_ms: u64,
    pub actors: Vec<ActorState>,
    pub redis_up: bool,
    pub replicas: Vec<String>,
    pub kafka_consumers: Vec<String>,
    pub brokers: u32,
}

impl Targets {
    pub fn of(player: &Player) -> Targets {
        let sim = player.sim();
        let roles: Vec<&'static str> = sim
            .scenario
            .actors
            .iter()
            .map(|a| match a {
                ActorSpec::Producer(_) => "producer",
                ActorSpec::Consumer(_) => "consumer",
                ActorSpec::Claimer(_) => "claimer",
                ActorSpec::Trimmer(_) => "trimmer",
                ActorSpec::Admin(_) => "admin",
                ActorSpec::Bridge(_) => "bridge",
            })
            .collect();
        let kafka = sim.scenario.kafka.as_ref();
        Targets {
            now_ms: sim.now_ms(),
            actors: sim
                .actors
                .iter()
                .zip(roles)
                .map(|(a, role)| ActorState {
                    name: a.name.clone(),
                    role,
                    alive: a.alive,
                    hung_until_ms: if a.hung_until_ms > sim.now_ms() {
                        a.hung_until_ms
                    } else {
                        0
                    },
                })
                .collect(),
            redis_up: sim.ctx.redis.up,
            replicas: sim
                .scenario
                .redis
                .replicas
                .iter()
                .map(|r| r.name.clone())
                .collect(),
            kafka_consumers: kafka
                .map(|k| {
                    k.groups
                        .iter()
                        .flat_map(|g| g.consumers.iter().map(|c| c.name.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            brokers: kafka.map_or(0, |k| k.cluster.brokers),
        }
    }

    /// The faults on the primary that make sense now, with their labels.
    pub fn redis_faults(&self) -> Vec<(&'static str, FaultKind)> {
        let mut out = Vec::new();
        if self.redis_up {
            out.push(("crash (process)", FaultKind::RedisCrash(CrashMode::Process)));
            out.push(("power loss", FaultKind::RedisCrash(CrashMode::PowerLoss)));
            out.push(("shut down cleanly", FaultKind::RedisShutdown));
            if !self.replicas.is_empty() {
                out.push((
                    "partition 10 s",
                    FaultKind::Partition {
                        heal_at_ms: self.now_ms + 10_000,
                    },
                ));
            }
            out.push((
                "slow disk (fsync 3 s)",
                FaultKind::SlowDisk { fsync_ms: 3_000 },
            ));
        } else {
            out.push(("restart from disk", FaultKind::RedisRestart));
        }
        out
    }
}
