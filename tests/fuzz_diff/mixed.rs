//! Mixed-type commands for the differential fuzz: lists, hashes, sets,
//! strings and keyspace commands interleaved with the stream generator's
//! commands (and its MULTI/EXEC), over keys shared by all types, so
//! RENAME, DEL and SET turn a stream into a list or a set into a stream,
//! inside transactions too.
//!
//! ```text
//!   step ─┬─ 45 % ─▶ CommandGen (streams, MULTI … EXEC/DISCARD)
//!         └─ 55 % ─▶ a list / hash / set / keyspace command on the same keys,
//!                    DUMP, or RESTORE of another key's payload
//! ```
//!
//! Real Redis orders KEYS, SCAN and a hash table's members by a hash
//! seeded at start, so those replies can't match byte for byte across
//! processes: [`canonical`] sorts them (HGETALL by pairs), also for
//! listpack and intset keys, whose order the scripted comparison in
//! `tests/keyspace_diff` checks exactly. They are only generated outside
//! transactions, where the reply is not nested in EXEC's.

use streamlab::engine::Reply;

use super::commands::{CommandGen, Rng};
use super::support::{sort_by_text, sort_field_pairs};

/// An argument the runner replaces, on each server, with that server's
/// DUMP of the key named after it (garbage when the key is missing): DUMP
/// payloads hold clock times and hash orders, so each side restores its
/// own, and RESTORE's reply and the restored key are what get compared.
pub const PAYLOAD_OF: &str = "$payload-of:";

const KEYS: &[&str] = &["s1", "s2", "s3", "str", "l1", "l2", "h1", "h2", "t1", "t2"];
const MEMBERS: &[&str] = &["a", "b", "c", "1", "2", "-3", "10", "x y", ""];

pub struct MixedGen {
    streams: CommandGen,
    rng: Rng,
    in_multi: bool,
}

impl MixedGen {
    pub fn new(seed: u64) -> MixedGen {
        MixedGen {
            streams: CommandGen::new(seed),
            rng: Rng::new(seed ^ 0x6d69_7865_6400),
            in_multi: false,
        }
    }

    fn key(&mut self) -> String {
        self.rng.pick(KEYS).to_string()
    }

    fn member(&mut self) -> String {
        if self.rng.chance(4) {
            // Past hash-max-listpack-value: the hash becomes a table.
            return "v".repeat(65 + self.rng.below(10) as usize);
        }
        self.rng.pick(MEMBERS).to_string()
    }

    fn index(&mut self) -> String {
        (self.rng.below(9) as i64 - 4).to_string()
    }

    pub fn next(&mut self) -> Vec<Vec<u8>> {
        let argv = if self.rng.chance(45) {
            let argv = self.streams.next();
            match argv[0].as_slice() {
                b"MULTI" => self.in_multi = true,
                b"EXEC" | b"DISCARD" => self.in_multi = false,
                _ => {}
            }
            return argv;
        } else {
            self.mixed()
        };
        argv.into_iter().map(String::into_bytes).collect()
    }

    fn mixed(&mut self) -> Vec<String> {
        let k = self.key();
        let mut a: Vec<String> = Vec::new();
        match self.rng.below(42) {
            0..=3 => {
                a.extend([self.rng.pick(&["LPUSH", "RPUSH"]).into(), k]);
                for _ in 0..1 + self.rng.below(4) {
                    a.push(self.member());
                }
            }
            4 => a.extend([
                self.rng.pick(&["LPUSHX", "RPUSHX"]).into(),
                k,
                self.member(),
            ]),
            5..=6 => {
                a.extend([self.rng.pick(&["LPOP", "RPOP"]).into(), k]);
                if self.rng.chance(50) {
                    a.push(self.index());
                }
            }
            7 => a.extend(["LLEN".into(), k]),
            8..=9 => a.extend(["LRANGE".into(), k, self.index(), self.index()]),
            10 => a.extend(["LINDEX".into(), k, self.index()]),
            11 => a.extend(["LSET".into(), k, self.index(), self.member()]),
            12 => a.extend(["LREM".into(), k, self.index(), self.member()]),
            13 => a.extend(["LTRIM".into(), k, self.index(), self.index()]),
            14 => {
                let side = self.rng.pick(&["BEFORE", "AFTER"]).to_string();
                a.extend(["LINSERT".into(), k, side, self.member(), self.member()]);
            }
            15 => {
                a.extend(["LPOS".into(), k, self.member()]);
                if self.rng.chance(50) {
                    a.extend(["RANK".into(), self.index()]);
                }
                if self.rng.chance(50) {
                    a.extend(["COUNT".into(), self.rng.below(3).to_string()]);
                }
            }
            16..=18 => {
                a.extend(["HSET".into(), k]);
                for _ in 0..1 + self.rng.below(3) {
                    a.push(self.member());
                    a.push(self.member());
                }
            }
            19 => a.extend(["HGET".into(), k, self.member()]),
            20 => a.extend(["HMGET".into(), k, self.member(), self.member()]),
            21 => a.extend(["HDEL".into(), k, self.member(), self.member()]),
            22 => a.extend(["HLEN".into(), k]),
            23 => a.extend(["HEXISTS".into(), k, self.member()]),
            24 => a.extend(["HINCRBY".into(), k, self.member(), self.index()]),
            25..=27 => {
                a.extend(["SADD".into(), k]);
                for _ in 0..1 + self.rng.below(3) {
                    a.push(self.member());
                }
            }
            28 => a.extend(["SREM".into(), k, self.member(), self.member()]),
            29 => a.extend(["SCARD".into(), k]),
            30 => a.extend(["SISMEMBER".into(), k, self.member()]),
            31 => {
                let other = self.key();
                a.extend([self.rng.pick(&["RENAME", "RENAMENX"]).into(), k, other]);
            }
            32 => a.extend([self.rng.pick(&["DEL", "UNLINK"]).into(), k]),
            33 => a.extend(["SET".into(), k, self.member()]),
            34 => a.extend(["TYPE".into(), k]),
            35 => a.extend(["OBJECT".into(), "ENCODING".into(), k]),
            _ if self.in_multi => a.extend(["EXISTS".into(), k]),
            36 => a.extend([self.rng.pick(&["SMEMBERS", "HKEYS", "HVALS"]).into(), k]),
            37 => a.extend(["HGETALL".into(), k]),
            38 => a.extend([
                "KEYS".into(),
                self.rng.pick(&["*", "s*", "?1", "[hl]*"]).into(),
            ]),
            40 => a.extend(["DUMP".into(), k]),
            41 => {
                // Copies a key through its own server's DUMP payload (see
                // `PAYLOAD_OF`): each server restores what it dumped.
                let src = self.key();
                a.extend([
                    "RESTORE".into(),
                    k,
                    "0".into(),
                    format!("{PAYLOAD_OF}{src}"),
                ]);
                if self.rng.chance(50) {
                    a.push("REPLACE".into());
                }
            }
            _ => {
                a.extend(["SCAN".into(), "0".into(), "COUNT".into(), "100".into()]);
                if self.rng.chance(50) {
                    let t = self.rng.pick(&["list", "hash", "set", "stream", "string"]);
                    a.extend(["TYPE".into(), t.into()]);
                }
            }
        }
        a
    }
}

/// The reply with hash-seeded orders made canonical (see the module doc).
pub fn canonical(argv: &[Vec<u8>], mut reply: Reply) -> Reply {
    match (argv[0].as_slice(), &mut reply) {
        (b"SMEMBERS" | b"HKEYS" | b"HVALS" | b"KEYS", Reply::Array(items)) => sort_by_text(items),
        (b"SCAN", Reply::Array(parts)) if parts.len() == 2 => {
            if let Reply::Array(items) = &mut parts[1] {
                sort_by_text(items);
            }
        }
        (b"HGETALL", Reply::Array(items)) => sort_field_pairs(items),
        // A payload's bytes differ by clock and hash order between two
        // servers, its type and size do not.
        (b"DUMP", Reply::Bulk(payload)) => {
            reply = Reply::Array(vec![
                Reply::Integer(i64::from(payload[0])),
                Reply::Integer(payload.len() as i64),
            ]);
        }
        _ => {}
    }
    reply
}
