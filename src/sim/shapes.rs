//! The same entries stored three ways, measured with the engine's own
//! `MEMORY USAGE` (Redis 7.0's formula, equal to redis-server's answer).
//!
//! ```text
//!   entries ── XRANGE pages from the run's primary (of_stream)
//!          └─ or a fixed workload, as redis-measurements.md builds it (workload)
//!     │  into a scratch keyspace with the primary's settings
//!     ├─ XADD s <id> f v …           one stream      ─▶ MEMORY USAGE s SAMPLES 0
//!     ├─ RPUSH l "<id> f v …"         one list        ─▶ MEMORY USAGE l SAMPLES 0
//!     └─ HSET msg:<id> f v …         a hash per entry ─▶ Σ MEMORY USAGE msg:<id>
//! ```
//!
//! The list holds one string per entry, its ID and its fields joined by
//! spaces, as the reference measurements build it. MEMORY USAGE counts a
//! key's value, its key string and its dictionary entry; the hashes'
//! share of the keyspace dictionary's own table is not in it (real Redis's
//! `used_memory` then shows the hashes about a quarter dearer still).
//!
//! Everything runs through the command API, in a keyspace of its own: the
//! run is not touched.

use crate::engine::db::Config;
use crate::engine::{Db, ExecContext, Reply, Session};

use super::Simulation;

/// One entry: its ID as text and its field-value pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// What the three shapes cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapeMemory {
    pub entries: u64,
    pub stream_bytes: u64,
    pub list_bytes: u64,
    pub hashes_bytes: u64,
}

impl ShapeMemory {
    /// The list's memory over the stream's.
    pub fn list_ratio(&self) -> f64 {
        self.list_bytes as f64 / self.stream_bytes.max(1) as f64
    }

    /// The hashes' memory over the stream's.
    pub fn hashes_ratio(&self) -> f64 {
        self.hashes_bytes as f64 / self.stream_bytes.max(1) as f64
    }
}

/// Entries read per XRANGE page.
const PAGE: u64 = 1_000;

/// Stores `entries` as a stream, a list and one hash each, with `config`.
pub fn measure(config: Config, entries: &[Entry]) -> ShapeMemory {
    let mut db = Db::new();
    db.config = config;
    let mut session = Session::default();
    let ctx = ExecContext::at(0);
    let mut run = |db: &mut Db, argv: Vec<Vec<u8>>| db.execute(&mut session, &argv, &ctx).reply;
    let usage = |db: &mut Db, run: &mut dyn FnMut(&mut Db, Vec<Vec<u8>>) -> Reply, key: &[u8]| {
        let argv = vec![
            b"MEMORY".to_vec(),
            b"USAGE".to_vec(),
            key.to_vec(),
            b"SAMPLES".to_vec(),
            b"0".to_vec(),
        ];
        match run(db, argv) {
            Reply::Integer(n) => n.max(0) as u64,
            _ => 0,
        }
    };
    let mut hashes_bytes = 0;
    for e in entries {
        let mut xadd = vec![b"XADD".to_vec(), b"s".to_vec(), e.id.as_bytes().to_vec()];
        let mut hset = vec![b"HSET".to_vec(), format!("msg:{}", e.id).into_bytes()];
        let mut line = e.id.as_bytes().to_vec();
        for (f, v) in &e.fields {
            xadd.extend([f.clone(), v.clone()]);
            hset.extend([f.clone(), v.clone()]);
            for part in [f, v] {
                line.push(b' ');
                line.extend_from_slice(part);
            }
        }
        run(&mut db, xadd);
        run(&mut db, vec![b"RPUSH".to_vec(), b"l".to_vec(), line]);
        let key = hset[1].clone();
        run(&mut db, hset);
        hashes_bytes += usage(&mut db, &mut run, &key);
    }
    ShapeMemory {
        entries: entries.len() as u64,
        stream_bytes: usage(&mut db, &mut run, b"s"),
        list_bytes: usage(&mut db, &mut run, b"l"),
        hashes_bytes,
    }
}

/// The first `max_entries` entries of the stream `key` of the run's
/// primary, stored the three ways; `None` if it holds no stream entry.
pub fn of_stream(sim: &Simulation, key: &str, max_entries: u64) -> Option<ShapeMemory> {
    let ctx = ExecContext::at(sim.ctx.unix_ms());
    let mut entries = Vec::new();
    let mut start = "-".to_string();
    while (entries.len() as u64) < max_entries {
        let count = PAGE.min(max_entries - entries.len() as u64).to_string();
        let argv: Vec<Vec<u8>> = ["XRANGE", key, &start, "+", "COUNT", &count]
            .iter()
            .map(|a| a.as_bytes().to_vec())
            .collect();
        let Reply::Array(page) = sim.ctx.redis.db.query(&argv, &ctx) else {
            return None;
        };
        if page.is_empty() {
            break;
        }
        for item in page {
            let Reply::Array(mut parts) = item else {
                continue;
            };
            let (Some(Reply::Array(flat)), Some(Reply::Bulk(id))) = (parts.pop(), parts.pop())
            else {
                continue;
            };
            let mut fields = Vec::with_capacity(flat.len() / 2);
            let mut it = flat.into_iter();
            while let (Some(Reply::Bulk(f)), Some(Reply::Bulk(v))) = (it.next(), it.next()) {
                fields.push((f, v));
            }
            let id = String::from_utf8_lossy(&id).into_owned();
            start = format!("({id}");
            entries.push(Entry { id, fields });
        }
    }
    if entries.is_empty() {
        return None;
    }
    Some(measure(sim.ctx.redis.db.config, &entries))
}

/// The reference measurements' workloads: `n` entries of shape (a)
/// `amount 50 user 123` or (b) five pairs `field1 value-0001 …`, with IDs
/// all in one millisecond (`1700000000000-i`) or one per second.
pub fn workload(n: u64, five_fields: bool, spread_ids: bool) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let id = if spread_ids {
                format!("{}-0", 1_700_000_000_000 + 1_000 * i)
            } else {
                format!("1700000000000-{i}")
            };
            let fields = if five_fields {
                (1..=5)
                    .map(|k| {
                        (
                            format!("field{k}").into_bytes(),
                            format!("value-{k:04}").into_bytes(),
                        )
                    })
                    .collect()
            } else {
                vec![
                    (b"amount".to_vec(), b"50".to_vec()),
                    (b"user".to_vec(), b"123".to_vec()),
                ]
            };
            Entry { id, fields }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// redis-server 7.0.15 answered, for 10 000 entries of shape (a) in one
    /// millisecond: MEMORY USAGE s SAMPLES 0 → 166948, MEMORY USAGE l
    /// SAMPLES 0 → 393176, and 104 for each hash.
    #[test]
    fn ten_thousand_small_entries_cost_what_redis_says() {
        let m = measure(Config::default(), &workload(10_000, false, false));
        assert_eq!(m.entries, 10_000);
        assert_eq!(m.stream_bytes, 166_948);
        assert_eq!(m.list_bytes, 393_176);
        assert_eq!(m.hashes_bytes, 104 * 10_000);
    }
}
