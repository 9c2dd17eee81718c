//! Redis Cluster key placement: CRC16/XMODEM of the key (or its hash tag) mod 16384.
//!
//! ```text
//!   "foo{bar}zap" ──hash tag──▶ "bar" ──CRC16──▶ 0x... mod 16384 ──▶ slot ──▶ master owning it
//!   tag rule: the first '{' and the first '}' after it, with at least one byte
//!             between them; otherwise the whole key is hashed ("foo{}{bar}")
//! ```
//!
//! A stream is one key, so it lives on one slot, on one master: Redis never
//! spreads a single stream. Commands touching keys of different slots fail
//! with CROSSSLOT.

use super::simulation::Simulation;
use crate::scenario::checks::Value;
use crate::scenario::schema::Topology;

/// Number of hash slots.
pub const SLOTS: u16 = 16384;

/// CRC16/XMODEM (poly 0x1021, init 0, no reflection).
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in bytes {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The part of a key that is hashed.
pub fn hashed_part(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{')
        && let Some(len) = key[open + 1..].iter().position(|&b| b == b'}')
        && len > 0
    {
        return &key[open + 1..open + 1 + len];
    }
    key
}

/// The slot of a key.
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hashed_part(key)) % SLOTS
}

/// The master owning `slot` in a cluster layout.
pub fn node_of(layout: &[(String, Vec<(u16, u16)>)], slot: u16) -> Option<&str> {
    layout
        .iter()
        .find(|(_, ranges)| ranges.iter().any(|&(lo, hi)| lo <= slot && slot <= hi))
        .map(|(n, _)| n.as_str())
}

/// The CROSSSLOT error when `keys` span more than one slot.
pub fn cross_slot(keys: &[&[u8]]) -> Option<&'static str> {
    let mut slots = keys.iter().map(|k| key_slot(k));
    let first = slots.next()?;
    slots
        .any(|s| s != first)
        .then_some("CROSSSLOT Keys in request don't hash to the same slot")
}

/// `cluster.slot.<key>` and `cluster.node.<key>`.
pub fn metric(sim: &Simulation, rest: &str) -> Result<Value, String> {
    let (what, key) = rest.split_once('.').ok_or("cluster.<slot|node>.<key>")?;
    let slot = key_slot(key.as_bytes());
    match what {
        "slot" => Ok(Value::Int(slot as i64)),
        "node" => match &sim.scenario.redis.topology {
            Topology::Cluster(layout) => node_of(layout, slot)
                .map(|n| Value::Text(n.to_string()))
                .ok_or_else(|| format!("no master owns slot {slot}")),
            Topology::Standalone => Err("cluster.node needs a Cluster topology".into()),
        },
        other => Err(format!(
            "unknown cluster metric {other:?}; expected slot or node"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_check_value() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
    }

    #[test]
    fn slots_of_the_catalog_keys() {
        for (key, slot) in [
            ("foo", 12182),
            ("bar", 5061),
            ("orders", 105),
            ("orders:dlq", 9954),
            ("{orders}:stream", 105),
            ("{orders}:dlq", 105),
            ("mystream", 12571),
            ("mystream:dlq", 2775),
            ("{user1000}.following", 3443),
            ("{user1000}.followers", 3443),
            ("foo{}{bar}", 8363),
            ("foo{{bar}}zap", 4015),
            ("foo{bar}{zap}", 5061),
        ] {
            assert_eq!(key_slot(key.as_bytes()), slot, "{key}");
        }
    }

    #[test]
    fn events_keys_spread_unevenly() {
        let slots: Vec<u16> = (0..8)
            .map(|i| key_slot(format!("events:{i}").as_bytes()))
            .collect();
        assert_eq!(slots, [16382, 12255, 8124, 3997, 16250, 12123, 7992, 3865]);
    }

    #[test]
    fn crossslot_only_when_slots_differ() {
        assert!(cross_slot(&[b"orders", b"orders:dlq"]).is_some());
        assert!(cross_slot(&[b"{orders}:stream", b"{orders}:dlq"]).is_none());
    }

    #[test]
    fn node_lookup() {
        let layout = vec![
            ("A".to_string(), vec![(0, 5460)]),
            ("B".to_string(), vec![(5461, 10922)]),
            ("C".to_string(), vec![(10923, 16383)]),
        ];
        assert_eq!(node_of(&layout, 12182), Some("C"));
        assert_eq!(node_of(&layout, 105), Some("A"));
    }
}
