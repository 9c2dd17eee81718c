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

/// The key arguments of a stream or keyspace command.
pub fn command_keys(argv: &[Vec<u8>]) -> Vec<&[u8]> {
    let Some(name) = argv.first() else {
        return Vec::new();
    };
    let name = name.to_ascii_lowercase();
    match name.as_slice() {
        b"xread" | b"xreadgroup" => {
            let Some(at) = argv.iter().position(|a| a.eq_ignore_ascii_case(b"streams")) else {
                return Vec::new();
            };
            let rest = &argv[at + 1..];
            rest[..rest.len() / 2].iter().map(Vec::as_slice).collect()
        }
        b"xgroup" | b"xinfo" => argv.get(2).map(Vec::as_slice).into_iter().collect(),
        b"del" | b"unlink" | b"exists" => argv[1..].iter().map(Vec::as_slice).collect(),
        b"multi" | b"exec" | b"discard" | b"ping" | b"wait" | b"config" | b"info" | b"dbsize"
        | b"flushall" | b"command" => Vec::new(),
        _ => argv.get(1).map(Vec::as_slice).into_iter().collect(),
    }
}

/// Redis Cluster's check before running a command for `session`: a
/// command whose keys span slots gets CROSSSLOT (and poisons an open
/// transaction); EXEC checks every queued command together and discards
/// the transaction when they span slots.
pub fn check(argv: &[Vec<u8>], session: &mut crate::engine::Session) -> Option<&'static str> {
    let is_exec = argv
        .first()
        .is_some_and(|a| a.eq_ignore_ascii_case(b"exec"));
    if is_exec {
        let queued = session.multi.as_ref()?;
        let keys: Vec<&[u8]> = queued.iter().flat_map(|q| command_keys(q)).collect();
        let err = cross_slot(&keys)?;
        session.multi = None;
        session.multi_dirty = false;
        return Some(err);
    }
    let err = cross_slot(&command_keys(argv))?;
    if session.multi.is_some() {
        session.multi_dirty = true;
    }
    Some(err)
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
    fn exec_checks_the_whole_transaction() {
        let argv =
            |s: &str| -> Vec<Vec<u8>> { s.split(' ').map(|p| p.as_bytes().to_vec()).collect() };
        let mut session = crate::engine::Session {
            multi: Some(vec![
                argv("XACK orders g 1-0"),
                argv("XADD orders:dlq * f v"),
            ]),
            ..Default::default()
        };
        assert!(check(&argv("EXEC"), &mut session).is_some());
        assert!(session.multi.is_none());
        session.multi = Some(vec![
            argv("XACK {orders}:s g 1-0"),
            argv("XADD {orders}:dlq * f v"),
        ]);
        assert!(check(&argv("EXEC"), &mut session).is_none());
        assert!(check(&argv("XREADGROUP GROUP g c STREAMS a b > >"), &mut session).is_some());
        assert!(session.multi_dirty);
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
