//! The rules a `kafka` section must follow, in one place: the loader checks
//! them so a bad section is a `file:line:column` error, and the Kafka model
//! (the Kafka model's `KafkaWorld::new`) checks them before it builds anything.
//!
//! ```text
//!   check_config(cfg)          cluster sizes, topics, producers, groups, consumers
//!   check_faults(cfg, faults)  KafkaBrokerCrash(n), CloseKafkaConsumer(name),
//!                              MidProcessing on a Kafka consumer: partition it reads
//! ```

use super::checks::{FaultKind, FaultSpec, When};
use super::kafka::{CommitPolicy, KafkaConfig, OnFailure, Processing};

fn partitions_of(cfg: &KafkaConfig, topic: &str) -> Result<u32, String> {
    cfg.topics
        .iter()
        .find(|t| t.name == topic)
        .map(|t| t.partitions)
        .ok_or_else(|| format!("kafka: unknown topic '{topic}'"))
}

/// Every rule of the configuration; the message names the offending part.
pub fn check_config(cfg: &KafkaConfig) -> Result<(), String> {
    let c = &cfg.cluster;
    if c.brokers == 0 || c.replication_factor == 0 || c.replication_factor > c.brokers {
        return Err(format!(
            "kafka cluster: need 1 <= replication_factor ({}) <= brokers ({})",
            c.replication_factor, c.brokers
        ));
    }
    if c.retention_check_interval_ms == 0 {
        return Err("kafka cluster: retention_check_interval_ms must be at least 1".into());
    }
    if c.min_insync_replicas == 0 {
        return Err("kafka cluster: min_insync_replicas must be at least 1".into());
    }
    for (i, t) in cfg.topics.iter().enumerate() {
        if cfg.topics[..i].iter().any(|x| x.name == t.name) {
            return Err(format!("kafka topic '{}' declared twice", t.name));
        }
        if t.partitions == 0 {
            return Err(format!("kafka topic '{}': 0 partitions", t.name));
        }
        if let Some(p) = t.preload.keys().find(|&&p| p >= t.partitions) {
            return Err(format!("kafka topic '{}': preload for p{p}", t.name));
        }
        if t.segment_ms == 0 || t.retention_ms == Some(0) {
            return Err(format!(
                "kafka topic '{}': segment_ms and retention_ms must be at least 1",
                t.name
            ));
        }
        for (p, offsets) in &t.preload {
            if offsets.windows(2).any(|w| w[0] >= w[1]) || offsets.contains(&u64::MAX) {
                return Err(format!(
                    "kafka topic '{}': preload of p{p} must be strictly increasing and below u64::MAX",
                    t.name
                ));
            }
        }
    }
    for (i, p) in cfg.producers.iter().enumerate() {
        let parts = partitions_of(cfg, &p.topic)?;
        if let Some(fixed) = p.partition
            && fixed >= parts
        {
            return Err(format!(
                "kafka producer '{}': partition {fixed} but topic '{}' has {parts}",
                p.name, p.topic
            ));
        }
        if cfg.producers[..i].iter().any(|x| x.name == p.name) {
            return Err(format!("kafka producer '{}' declared twice", p.name));
        }
    }
    let mut consumer_names: Vec<&str> = Vec::new();
    for (i, g) in cfg.groups.iter().enumerate() {
        let parts = partitions_of(cfg, &g.topic)?;
        if g.partitions != 0 && g.partitions != parts {
            return Err(format!(
                "kafka group '{}': partitions {} but topic '{}' has {parts}",
                g.group_id, g.partitions, g.topic
            ));
        }
        if g.heartbeat_interval_ms == 0 || g.heartbeat_interval_ms >= g.session_timeout_ms {
            return Err(format!(
                "kafka group '{}': need 0 < heartbeat_interval_ms < session_timeout_ms",
                g.group_id
            ));
        }
        if cfg.groups[..i].iter().any(|x| x.group_id == g.group_id) {
            return Err(format!("kafka group '{}' declared twice", g.group_id));
        }
        if let Some(p) = g.initial_committed.keys().find(|&&p| p >= parts) {
            return Err(format!(
                "kafka group '{}': initial_committed for p{p}",
                g.group_id
            ));
        }
        for kc in &g.consumers {
            if consumer_names.contains(&kc.name.as_str())
                || cfg.producers.iter().any(|x| x.name == kc.name)
            {
                return Err(format!("kafka actor name '{}' used twice", kc.name));
            }
            consumer_names.push(&kc.name);
            if kc.max_poll_records == 0 {
                return Err(format!(
                    "kafka consumer '{}': max_poll_records is 0",
                    kc.name
                ));
            }
            if let Processing::Uniform(a, b) = kc.processing
                && a > b
            {
                return Err(format!("kafka consumer '{}': Uniform({a}, {b})", kc.name));
            }
            if let OnFailure::DeadLetter(to) = &kc.on_failure {
                partitions_of(cfg, to).map_err(|e| format!("kafka consumer '{}': {e}", kc.name))?;
                if *to == g.topic {
                    return Err(format!(
                        "kafka consumer '{}': dead-letter topic '{to}' is the topic it reads",
                        kc.name
                    ));
                }
            }
            if let CommitPolicy::AutoCommit { interval_ms: 0, .. } = kc.commit {
                return Err(format!(
                    "kafka consumer '{}': auto-commit interval 0",
                    kc.name
                ));
            }
        }
    }
    Ok(())
}

/// The faults that name something of the Kafka model must name something
/// it has.
pub fn check_faults(cfg: &KafkaConfig, faults: &[FaultSpec]) -> Result<(), String> {
    let group_of = |name: &str| {
        cfg.groups
            .iter()
            .find(|g| g.consumers.iter().any(|c| c.name == name))
    };
    for f in faults {
        if let When::MidProcessing { actor, id } = &f.when
            && let Some(g) = group_of(actor)
        {
            let partition: u32 = match id.split_once(':') {
                Some((p, _)) => p.parse().unwrap_or(0),
                None => 0,
            };
            if partition >= partitions_of(cfg, &g.topic)? {
                return Err(format!("kafka: '{actor}' reads no partition {partition}"));
            }
        }
        match &f.kind {
            FaultKind::KafkaBrokerCrash(b) if *b >= cfg.cluster.brokers => {
                return Err(format!(
                    "kafka: no broker {b} (cluster has {})",
                    cfg.cluster.brokers
                ));
            }
            FaultKind::CloseKafkaConsumer(n) if group_of(n).is_none() => {
                return Err(format!("kafka: unknown consumer '{n}'"));
            }
            _ => {}
        }
    }
    Ok(())
}
