//! Myth vs reality: what the popular explanation of Redis Streams says,
//! what Redis 7.0.15 really does (measured, or read in its source), and the
//! scenario that shows it, opened at the telling moment.
//!
//! ```text
//!   Myth { claim, truth, source, scenario: "S04a", moment: FirstFault | End | Caption(k) }
//!     ├─ "show me" ─▶ the explorer opens the scenario and seeks to the moment
//!     └─ measured_here ─▶ storage_measurement(): the claim measured in the
//!                         engine on the spot (sim::shapes), beside the quotation
//! ```
//!
//! The texts restate the project's reference (scenarios.md §2 and
//! redis-measurements.md); every number here is one a bundled scenario's
//! expectations check, or one measured on a real redis-server 7.0.15.

/// Where in a scenario a myth is best seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Just after its first fault.
    FirstFault,
    /// Just after its caption number `k` (0-based).
    Caption(usize),
    /// The end of the run.
    End,
}

/// One claim and its correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Myth {
    /// What the popular explanation says.
    pub claim: &'static str,
    /// What Redis 7.0.15 (or Kafka) really does.
    pub truth: &'static str,
    /// Where the truth comes from.
    pub source: &'static str,
    /// The bundled scenario that shows it.
    pub scenario: &'static str,
    pub moment: Moment,
    /// The engine can measure the claim on the spot (storage_measurement).
    pub measured_here: bool,
}

/// The catalog, in the order a reader meets the ideas.
pub const MYTHS: &[Myth] = &[
    Myth {
        claim: "A stream is a radix tree of macro nodes packing about 100 entries each.",
        truth: "A node closes at 100 entries or 4096 bytes, whichever comes first: with 100-byte values the byte cap binds and 1 000 entries need 29 nodes, not 10. Deleted entries still take their slot.",
        source: "t_stream.c streamAppendItem; stream-node-max-bytes / -entries",
        scenario: "S04e",
        moment: Moment::End,
        measured_here: false,
    },
    Myth {
        claim: "Full macro nodes are split.",
        truth: "Macro nodes are never split: the tail node is sealed and a new one appended. Only the radix tree's own compressed nodes split when a new key arrives.",
        source: "t_stream.c, rax.c raxGenericInsert",
        scenario: "S06",
        moment: Moment::End,
        measured_here: false,
    },
    Myth {
        claim: "With Kafka auto-commit having committed 510, a crash loses 502 to 509.",
        truth: "Only if the commit got ahead of processing (commit before processing, or auto-commit with an asynchronous hand-off). In the ordinary synchronous poll loop auto-commit commits at the next poll: at-least-once, the crash replays from 500.",
        source: "KafkaConsumer javadoc, Manual Offset Control; ConsumerCoordinator",
        scenario: "S02b",
        moment: Moment::FirstFault,
        measured_here: false,
    },
    Myth {
        claim: "With the PEL model only 502 is redelivered.",
        truth: "All ten of 500..509 entered the dead consumer's PEL when XREADGROUP COUNT 10 returned them; after XACK of 500 and 501 eight are pending, and all eight are redelivered. Exactly one is redelivered only with COUNT 1.",
        source: "measured on redis-server 7.0.15; t_stream.c streamPropagateXCLAIM",
        scenario: "S02",
        moment: Moment::End,
        measured_here: false,
    },
    Myth {
        claim: "A crashed consumer's entries stay stuck until a claimer takes them.",
        truth: "The same consumer name reading its history (XREADGROUP … 0) gets them back, any client's XACK releases them, and XGROUP DELCONSUMER silently drops them.",
        source: "t_stream.c xreadgroup (history read), xackCommand",
        scenario: "S01b",
        moment: Moment::Caption(1),
        measured_here: false,
    },
    Myth {
        claim: "A sidecar running XAUTOCLAIM every 30 s recovers stuck work in 30 s.",
        truth: "The delay lies between min-idle and min-idle + interval, depending on the phase; one call claims at most COUNT and scans at most 10×COUNT, so the sidecar must follow the cursor to 0-0.",
        source: "t_stream.c xautoclaimCommand",
        scenario: "S01",
        moment: Moment::Caption(3),
        measured_here: false,
    },
    Myth {
        claim: "A short min-idle just recovers faster.",
        truth: "A min-idle shorter than the slowest legitimate processing steals live work: the same entry is processed twice.",
        source: "t_stream.c xautoclaimCommand (idle is time since the last delivery)",
        scenario: "S11c",
        moment: Moment::End,
        measured_here: false,
    },
    Myth {
        claim: "MAXLEN ~ keeps about N entries.",
        truth: "`~` removes whole nodes only and never goes below N: with 100-entry nodes the length after each XADD lies in [N, N+99]. Trimming ignores the PEL: undelivered and pending entries go too.",
        source: "t_stream.c streamTrim",
        scenario: "S04a",
        moment: Moment::End,
        measured_here: false,
    },
    Myth {
        claim: "XGROUP SETID replays safely.",
        truth: "SETID only moves last-delivered-id: acknowledged entries come back with count 1, pending ones move to the new reader with their count reset; without ENTRIESREAD the lag is unknown for an ID inside the stream.",
        source: "t_stream.c xgroupCommand SETID, streamEstimateDistanceFromFirstEverEntry",
        scenario: "S07",
        moment: Moment::End,
        measured_here: false,
    },
    Myth {
        claim: "Asynchronous replication only loses the last unreplicated writes on failover.",
        truth: "The consumer-group state rolls back too (XCLAIM and XACK are replicated like writes): acknowledged work is delivered again, and messages completed on the old primary become phantoms.",
        source: "t_stream.c streamPropagateXCLAIM; replication.c",
        scenario: "S08",
        moment: Moment::FirstFault,
        measured_here: false,
    },
    Myth {
        claim: "AOF with appendfsync everysec loses about a second of writes.",
        truth: "Only when the machine loses power or the OS crashes (up to 2 s with a slow disk); a Redis process crash loses no acknowledged write, the OS still has them.",
        source: "aof.c flushAppendOnlyFile",
        scenario: "S09b",
        moment: Moment::FirstFault,
        measured_here: false,
    },
    Myth {
        claim: "Name consumers hostname-pid so they are unique.",
        truth: "Unique, but a new name on every restart: the old name's PEL is orphaned until a claimer takes it, and dead consumers pile up in XINFO CONSUMERS.",
        source: "t_stream.c streamLookupConsumer",
        scenario: "S01c",
        moment: Moment::Caption(0),
        measured_here: false,
    },
    Myth {
        claim: "Streams hold 10x more entries than Redis lists in the same RAM.",
        truth: "Measured on redis-server 7.0.15 with the same entries: a list takes 2.3x (one per second) to 3.1x (same millisecond) the stream's memory for small entries, and 1.5-1.6x with five fields. One hash per message takes 8x.",
        source: "redis-measurements.md: used_memory per entry, 10k to 1M entries",
        scenario: "S06",
        moment: Moment::End,
        measured_here: true,
    },
];

/// Entries per workload of the on-the-spot measurement.
const MEASURED_ENTRIES: u64 = 10_000;

/// The "10x" claim measured in this engine, as the reference measurements
/// build their workloads: 10 000 entries stored as a stream, as a list and
/// as one hash each, compared by `MEMORY USAGE` (equal to redis-server's).
pub fn storage_measurement() -> String {
    use super::format::thousands;
    use crate::sim::shapes::{measure, workload};
    let config = crate::engine::db::Config::default();
    let rows = [
        ("small entries in one millisecond", false, false),
        ("small entries one per second", false, true),
        ("five 10-byte fields", true, false),
    ];
    let mut parts = Vec::new();
    let mut hashes = 0.0f64;
    for (label, five, spread) in rows {
        let m = measure(config, &workload(MEASURED_ENTRIES, five, spread));
        if !five && !spread {
            hashes = m.hashes_ratio();
        }
        parts.push(format!(
            "{:.1}x ({label}: {} B against {} B)",
            m.list_ratio(),
            thousands(m.list_bytes),
            thousands(m.stream_bytes)
        ));
    }
    format!(
        "Measured now in this engine, {} entries each, by MEMORY USAGE (equal to redis-server's answer): a list takes {}; one hash per entry takes {hashes:.1}x. The ratios read lower than the used_memory ones above because MEMORY USAGE charges a stream 244 bytes per radix-tree node where a real node takes about 25 (a quarter above what the allocator holds), and leaves out the keyspace table the hashes also fill.",
        thousands(MEASURED_ENTRIES),
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_claim_is_measured_in_the_engine_not_quoted() {
        let text = storage_measurement();
        // 393 176 and 166 948 are redis-server 7.0.15's own MEMORY USAGE
        // answers for the same 10 000 entries (sim::shapes tests).
        assert!(
            text.contains(
                "a list takes 2.4x (small entries in one millisecond: 393,176 B against 166,948 B)"
            ),
            "{text}"
        );
    }
    use crate::scenario::builtin;

    #[test]
    fn every_myth_names_a_bundled_scenario_with_its_moment() {
        for m in MYTHS {
            let (file, text) = builtin::ALL
                .iter()
                .find(|(f, _)| {
                    f.split('_')
                        .next()
                        .is_some_and(|id| id.eq_ignore_ascii_case(m.scenario))
                })
                .unwrap_or_else(|| panic!("no bundled {}", m.scenario));
            let s = crate::scenario::parse_scenario(file, text).unwrap();
            match m.moment {
                Moment::FirstFault => assert!(!s.faults.is_empty(), "{} has no fault", m.scenario),
                Moment::Caption(k) => assert!(k < s.captions.len(), "{} caption {k}", m.scenario),
                Moment::End => {}
            }
        }
    }
}
