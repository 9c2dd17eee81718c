//! The grammar of metric paths, checked when a scenario loads, so that a
//! misspelt `expect` fails with its position instead of at the end of a run.
//!
//! ```text
//!   ledger.<redis|kafka>.<LEDGER_FIELDS> | completed_by.<actor> | stall_ms.<msg>
//!   message.<redis|kafka>.<msg>.<attempts|deliveries|completions>
//!   stream.<key>.<STREAM_FIELDS>                  (the key may contain dots)
//!   group.<key>.<group>.<GROUP_FIELDS>
//!   consumer.<key>.<group>.<name>.<pending|exists>
//!   entry.<key>.<group>.<id>.<delivery_count|owner|idle_ms|pending>
//!   claim|xack|producer|actor.<redis-side actor>.<field of that family>
//!   reply.<admin>.<n>   probe.<n>   errors.<WORD>   cluster.<slot|node>.<key>
//!   redis.<REDIS_EVENTS>  (failovers, resyncs, saves: counted by the simulator)
//!   kafka.<group>.<committed|owner|lag|unconsumed>.<p>   kafka.<group>.lag.<max|committed_max>
//!   kafka.<topic>.duplicates
//!   replica.<name>.<REPLICA_FIELDS>
//! ```
//!
//! The simulator's metric reader (`metrics::value`) reads these paths; the two lists
//! must agree (tests/scenarios.rs runs every bundled expectation, and the
//! tests below try every field named here).

/// `ledger.<system>.<field>` without a further part.
pub const LEDGER_FIELDS: &[&str] = &[
    "produced_acked",
    "completed",
    "duplicates",
    "log_lost",
    "lost",
    "unconsumed",
    "phantom",
    "redelivered_msgs",
    "redeliveries",
];

const STREAM_FIELDS: &[&str] = &[
    "xlen",
    "xlen_min_steady",
    "xlen_max_steady",
    "radix_tree_keys",
    "radix_tree_nodes",
    "first_id",
    "last_id",
    "entries_added",
    "max_deleted_id",
];

const GROUP_FIELDS: &[&str] = &[
    "pel",
    "last_delivered_id",
    "entries_read",
    "lag",
    "consumers",
    "pending",
];

/// The names a metric may refer to.
pub struct Names<'a> {
    /// Redis-side actors (producers, consumers, claimers, ...).
    pub actors: &'a [&'a str],
    /// Kafka consumers and producers (they complete messages too).
    pub kafka_actors: &'a [String],
}

/// Server-side events a run counts (`redis.<event>`).
pub const REDIS_EVENTS: &[&str] = &[
    "failovers",
    "partial_resyncs",
    "full_resyncs",
    "rdb_saves",
    "aof_delayed_fsync",
];

/// `replica.<name>.<field>`: one replica's position and state.
pub const REPLICA_FIELDS: &[&str] = &["applied_offset", "messages", "up", "loading"];

/// Checks `metric` against the grammar above; the message says what was
/// expected at the first part that does not fit.
pub fn check_metric(metric: &str, names: &Names) -> Result<(), String> {
    let (head, rest) = metric.split_once('.').unwrap_or((metric, ""));
    let fail = |what: &str| Err(format!("metric {metric:?}: {what}"));
    let one_of = |field: &str, fields: &[&str], what: &str| -> Result<(), String> {
        if fields.contains(&field) {
            Ok(())
        } else {
            fail(&format!(
                "unknown {what} field {field:?}; expected one of {}",
                fields.join(", ")
            ))
        }
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let number = |s: &str, what: &str| -> Result<(), String> {
        match s.parse::<u64>() {
            Ok(_) => Ok(()),
            Err(_) => fail(&format!("{s:?} is not {what}")),
        }
    };
    match head {
        "ledger" => match parts.as_slice() {
            [system, rest @ ..] if *system == "redis" || *system == "kafka" => match rest {
                [field] => one_of(field, LEDGER_FIELDS, "ledger"),
                ["completed_by", actor] => {
                    let known = names.actors.contains(actor)
                        || names.kafka_actors.iter().any(|k| k == actor);
                    if known {
                        Ok(())
                    } else {
                        fail(&format!("completed_by names no actor {actor:?}"))
                    }
                }
                ["stall_ms", msg] => number(msg, "a message number"),
                _ => fail(&format!(
                    "expected ledger.{system}.<{}> or completed_by.<actor> or stall_ms.<msg>",
                    LEDGER_FIELDS.join("|")
                )),
            },
            _ => fail("expected ledger.<redis|kafka>.<field>"),
        },
        "message" => match parts.as_slice() {
            [system, msg, field] if *system == "redis" || *system == "kafka" => {
                number(msg, "a message number")?;
                one_of(field, &["attempts", "deliveries", "completions"], "message")
            }
            _ => fail("expected message.<redis|kafka>.<msg>.<attempts|deliveries|completions>"),
        },
        "replica" => match rest.rsplit_once('.') {
            Some((name, field)) if !name.is_empty() => one_of(field, REPLICA_FIELDS, "replica"),
            _ => fail("expected replica.<name>.<field>"),
        },
        "stream" => match rest.rsplit_once('.') {
            Some((key, field)) if !key.is_empty() => one_of(field, STREAM_FIELDS, "stream"),
            _ => fail("expected stream.<key>.<field>"),
        },
        "group" => match parts.as_slice() {
            [_, .., _, field] if parts.len() >= 3 => one_of(field, GROUP_FIELDS, "group"),
            _ => fail("expected group.<key>.<group>.<field>"),
        },
        "consumer" => match parts.as_slice() {
            [.., field] if parts.len() >= 4 => one_of(field, &["pending", "exists"], "consumer"),
            _ => fail("expected consumer.<key>.<group>.<consumer>.<pending|exists>"),
        },
        "entry" => match parts.as_slice() {
            [.., field] if parts.len() >= 4 => one_of(
                field,
                &["delivery_count", "owner", "idle_ms", "pending"],
                "entry",
            ),
            _ => fail("expected entry.<key>.<group>.<id>.<field>"),
        },
        "claim" | "xack" | "producer" | "actor" => {
            let fields: &[&str] = match head {
                "claim" => &["claimed", "deleted", "dead_lettered", "cursor"],
                "xack" => &["zero_replies"],
                "producer" => &["acked", "rejected", "in_doubt"],
                _ => &["attempts", "completed", "failed"],
            };
            match rest.rsplit_once('.') {
                Some((actor, field)) if names.actors.contains(&actor) => {
                    one_of(field, fields, head)
                }
                Some((actor, _)) => fail(&format!("names no actor {actor:?}")),
                None => fail(&format!("expected {head}.<actor>.<{}>", fields.join("|"))),
            }
        }
        "reply" => match rest.rsplit_once('.') {
            Some((admin, n)) if names.actors.contains(&admin) => number(n, "a command index"),
            Some((admin, _)) => fail(&format!("names no actor {admin:?}")),
            None => fail("expected reply.<admin>.<n>"),
        },
        "probe" => number(rest, "a probe index"),
        "redis" => one_of(rest, REDIS_EVENTS, "redis"),
        "errors" if !rest.is_empty() && !rest.contains('.') => Ok(()),
        "errors" => fail("expected errors.<FIRST_WORD>, e.g. errors.NOGROUP"),
        "cluster" => match rest.split_once('.') {
            Some((what, key)) if !key.is_empty() => one_of(what, &["slot", "node"], "cluster"),
            _ => fail("expected cluster.<slot|node>.<key>"),
        },
        "kafka" => match parts.as_slice() {
            [_, "duplicates"] => Ok(()),
            [_, "lag", "max" | "committed_max"] => Ok(()),
            [_, kind, p] => {
                one_of(kind, &["committed", "owner", "lag", "unconsumed"], "kafka")?;
                number(p, "a partition number")
            }
            _ => fail(
                "expected kafka.<group>.<committed|owner|lag|unconsumed>.<p>, \
                 kafka.<group>.lag.max or kafka.<topic>.duplicates",
            ),
        },
        _ => fail(
            "unknown family; expected it to start with one of: ledger, message, stream, group, \
             consumer, entry, claim, xack, producer, actor, reply, probe, errors, cluster, kafka, \
             replica",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(metric: &str) -> Result<(), String> {
        let kafka = vec!["kc".to_string()];
        check_metric(
            metric,
            &Names {
                actors: &["p", "c1", "reaper", "admin"],
                kafka_actors: &kafka,
            },
        )
    }

    #[test]
    fn every_documented_path_is_accepted() {
        for f in LEDGER_FIELDS {
            check(&format!("ledger.redis.{f}")).unwrap();
            check(&format!("ledger.kafka.{f}")).unwrap();
        }
        for f in STREAM_FIELDS {
            check(&format!("stream.a.b.{f}")).unwrap();
        }
        for f in GROUP_FIELDS {
            check(&format!("group.s.g.{f}")).unwrap();
        }
        for f in REPLICA_FIELDS {
            check(&format!("replica.r1.{f}")).unwrap();
        }
        for ok in [
            "ledger.redis.completed_by.c1",
            "ledger.kafka.completed_by.kc",
            "ledger.redis.stall_ms.502",
            "message.kafka.7.attempts",
            "consumer.s.g.c.exists",
            "entry.s.g.13-0.delivery_count",
            "claim.reaper.cursor",
            "xack.c1.zero_replies",
            "producer.p.in_doubt",
            "actor.c1.failed",
            "reply.admin.10",
            "probe.0",
            "errors.CROSSSLOT",
            "cluster.slot.foo{bar}.x",
            "cluster.node.orders",
            "kafka.kg.committed.0",
            "kafka.kg.lag.max",
            "kafka.kg.lag.committed_max",
            "kafka.kg.unconsumed.1",
            "kafka.events.duplicates",
        ] {
            check(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn misspellings_are_refused_with_what_was_expected() {
        for (bad, needle) in [
            ("ledger.redis.lsot", "unknown ledger field \"lsot\""),
            ("ledger.rediss.lost", "ledger.<redis|kafka>"),
            ("ledger.redis.completed_by.nobody", "no actor \"nobody\""),
            ("ledger.redis.stall_ms.x", "\"x\" is not a message number"),
            ("stream.s.xlne", "unknown stream field \"xlne\""),
            ("group.s.g.pell", "unknown group field"),
            ("group.s.pel", "group.<key>.<group>.<field>"),
            ("consumer.s.g.c.pendng", "unknown consumer field"),
            ("entry.s.g.1-0.ownr", "unknown entry field"),
            ("claim.reaper.claims", "unknown claim field"),
            ("claim.reapr.claimed", "no actor \"reapr\""),
            ("producer.p.acks", "unknown producer field"),
            ("reply.admin.first", "not a command index"),
            ("probe.one", "not a probe index"),
            ("cluster.slots.x", "unknown cluster field"),
            ("kafka.kg.comitted.0", "unknown kafka field"),
            ("kafka.kg.committed.p0", "not a partition number"),
            ("legder.redis.lost", "unknown family"),
            ("errors", "errors.<FIRST_WORD>"),
        ] {
            let e = check(bad).expect_err(bad);
            assert!(e.contains(needle), "{bad}: {e}");
            assert!(e.contains(bad), "{bad}: the message names the metric: {e}");
        }
    }
}
