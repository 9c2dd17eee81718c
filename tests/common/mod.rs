//! Shared pieces of the engine's randomized tests: a seeded generator and
//! a producer of random stream commands, valid and invalid.
//!
//! ```text
//!   seed ─▶ Rng (splitmix64) ─▶ Gen::command(now_ms) ─▶ argv ─▶ Db::execute
//!                                  │
//!                                  ├─ keys  s1 s2 (streams), str (a string: WRONGTYPE)
//!                                  ├─ IDs   small ms/seq near now_ms, so explicit IDs,
//!                                  │        `*` and `ms-*` collide, trims and XSETID bite
//!                                  └─ every X* command, MULTI/EXEC/DISCARD, CONFIG SET,
//!                                     DEL, and malformed arguments
//! ```
//!
//! Small key, group, consumer and ID spaces make commands meet each other
//! often: the same entries get read, claimed, deleted and trimmed.

#![allow(dead_code)]

pub mod redis;

use streamlab::engine::{Db, ExecContext, Executed, Reply, Session};

/// splitmix64: tiny, seedable, good enough to pick test operations.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The seeds a test runs: `ENGINE_SEED=<n>` pins one, otherwise `count`
/// fixed ones derived from `base` (`ENGINE_SEEDS=<n>` asks for n of them,
/// for a longer soak run).
pub fn seeds(base: u64, count: u64) -> Vec<u64> {
    if let Ok(s) = std::env::var("ENGINE_SEED") {
        return vec![s.trim().parse().expect("ENGINE_SEED must be an integer")];
    }
    let count = std::env::var("ENGINE_SEEDS")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(count);
    (0..count).map(|i| base.wrapping_add(i * 7919)).collect()
}

/// Builds an argv from words.
pub fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// An argv as one readable line.
pub fn show(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one command line at `now_ms` on a fresh session.
pub fn run(db: &mut Db, now_ms: u64, words: &[&str]) -> Executed {
    db.execute(
        &mut Session::default(),
        &argv(words),
        &ExecContext::at(now_ms),
    )
}

/// Runs one command line and returns only the reply.
pub fn reply(db: &mut Db, now_ms: u64, words: &[&str]) -> Reply {
    run(db, now_ms, words).reply
}

/// A bulk reply from text.
pub fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

/// Random command lines over a small world.
pub struct Gen {
    pub rng: Rng,
    /// Lines handed out before any random one: groups on both streams, so
    /// group commands meet real groups from the start (random lines
    /// destroy and recreate them later).
    setup: Vec<Vec<String>>,
    /// IDs seen in recent replies: explicit IDs drawn from here hit real
    /// entries and pending records instead of mostly missing.
    seen_ids: Vec<String>,
}

const KEYS: &[&str] = &["s1", "s1", "s1", "s2", "str"];
const GROUPS: &[&str] = &["g1", "g1", "g2"];
const CONSUMERS: &[&str] = &["c1", "c2", "c3"];

impl Gen {
    pub fn new(seed: u64) -> Gen {
        let mut setup = Vec::new();
        for key in ["s2", "s1"] {
            for group in ["g2", "g1"] {
                let line = ["XGROUP", "CREATE", key, group, "0", "MKSTREAM"];
                setup.push(line.iter().map(|w| w.to_string()).collect());
            }
        }
        Gen {
            rng: Rng(seed),
            setup,
            seen_ids: Vec::new(),
        }
    }

    fn key(&mut self) -> String {
        self.rng.pick(KEYS).to_string()
    }

    fn group(&mut self) -> String {
        if self.rng.chance(3) {
            return "nogroup".into();
        }
        self.rng.pick(GROUPS).to_string()
    }

    fn consumer(&mut self) -> String {
        self.rng.pick(CONSUMERS).to_string()
    }

    /// Remembers the stream IDs found anywhere in a reply.
    pub fn observe(&mut self, reply: &Reply) {
        match reply {
            Reply::Bulk(b) => {
                let text = String::from_utf8_lossy(b);
                let is_id = text
                    .split_once('-')
                    .map(|(ms, seq)| {
                        let digits =
                            |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
                        digits(ms) && digits(seq)
                    })
                    .unwrap_or(false);
                if is_id && !self.seen_ids.iter().any(|s| *s == text) {
                    if self.seen_ids.len() >= 48 {
                        self.seen_ids.remove(0);
                    }
                    self.seen_ids.push(text.into_owned());
                }
            }
            Reply::Array(items) => items.iter().for_each(|r| self.observe(r)),
            _ => {}
        }
    }

    /// An explicit ID near `now_ms` or one seen lately, sometimes
    /// malformed or extreme.
    pub fn id(&mut self, now_ms: u64) -> String {
        if !self.seen_ids.is_empty() && self.rng.chance(45) {
            return self.rng.pick(&self.seen_ids).clone();
        }
        match self.rng.below(40) {
            0 => "bad".into(),
            1 => "0-0".into(),
            2 => "18446744073709551615-18446744073709551615".into(),
            3 => format!("{}", self.rng.below(now_ms + 4)),
            _ => format!("{}-{}", self.rng.below(now_ms + 4), self.rng.below(4)),
        }
    }

    /// A range bound: an ID, `-`/`+`, or an exclusive `(ID`.
    fn bound(&mut self, now_ms: u64, low: bool) -> String {
        match self.rng.below(6) {
            0 => if low { "-" } else { "+" }.into(),
            1 => format!("({}", self.id(now_ms)),
            _ => self.id(now_ms),
        }
    }

    fn count(&mut self) -> String {
        match self.rng.below(12) {
            0 => "0".into(),
            1 => "-1".into(),
            2 => "x".into(),
            _ => format!("{}", 1 + self.rng.below(4)),
        }
    }

    fn trim(&mut self, now_ms: u64, words: &mut Vec<String>) {
        let approx = self.rng.chance(40);
        if self.rng.chance(50) {
            words.push("MAXLEN".into());
            if approx {
                words.push("~".into());
            } else if self.rng.chance(30) {
                words.push("=".into());
            }
            words.push(if self.rng.chance(5) {
                "-1".into()
            } else {
                format!("{}", self.rng.below(8))
            });
        } else {
            words.push("MINID".into());
            if approx {
                words.push("~".into());
            } else if self.rng.chance(30) {
                words.push("=".into());
            }
            words.push(self.id(now_ms));
        }
        if self.rng.chance(if approx { 40 } else { 5 }) {
            words.push("LIMIT".into());
            words.push(format!("{}", self.rng.below(6)));
        }
    }

    fn fields(&mut self, words: &mut Vec<String>) {
        let pairs = 1 + self.rng.below(3);
        for _ in 0..pairs {
            words.push(self.rng.pick(&["f", "name", "temperature"]).to_string());
            words.push(self.rng.pick(&["1", "v", "x-long-value-x", ""]).to_string());
        }
        if self.rng.chance(3) {
            words.pop();
        }
    }

    /// One random command line at time `now_ms`.
    pub fn command(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        let words = match self.setup.pop() {
            Some(line) => line,
            None => self.words(now_ms),
        };
        words.into_iter().map(String::into_bytes).collect()
    }

    fn words(&mut self, now_ms: u64) -> Vec<String> {
        let key = self.key();
        let mut w: Vec<String> = Vec::new();
        match self.rng.below(100) {
            0..=24 => {
                w.extend(["XADD".into(), key]);
                if self.rng.chance(5) {
                    w.push("NOMKSTREAM".into());
                }
                if self.rng.chance(30) {
                    self.trim(now_ms, &mut w);
                }
                w.push(match self.rng.below(10) {
                    0..=5 => "*".into(),
                    6 => format!("{}-*", self.rng.below(now_ms + 4)),
                    _ => self.id(now_ms),
                });
                self.fields(&mut w);
            }
            25..=29 => {
                w.extend(["XDEL".into(), key]);
                for _ in 0..1 + self.rng.below(3) {
                    w.push(self.id(now_ms));
                }
            }
            30..=33 => {
                w.extend(["XTRIM".into(), key]);
                self.trim(now_ms, &mut w);
            }
            34..=37 => {
                w.push(self.rng.pick(&["XRANGE", "XREVRANGE"]).to_string());
                w.push(key);
                let (a, b) = (self.bound(now_ms, true), self.bound(now_ms, false));
                w.extend([a, b]);
                if self.rng.chance(50) {
                    w.extend(["COUNT".into(), self.count()]);
                }
            }
            38 => w.extend(["XLEN".into(), key]),
            39..=40 => {
                w.push("XREAD".into());
                if self.rng.chance(50) {
                    w.extend(["COUNT".into(), self.count()]);
                }
                if self.rng.chance(20) {
                    w.extend(["BLOCK".into(), "10".into()]);
                }
                let id = if self.rng.chance(30) {
                    "$".into()
                } else {
                    self.id(now_ms)
                };
                w.push("STREAMS".into());
                self.streams(now_ms, key, id, false, &mut w);
            }
            41..=52 => {
                w.extend(["XREADGROUP".into(), "GROUP".into(), self.group()]);
                w.push(self.consumer());
                if self.rng.chance(60) {
                    w.extend(["COUNT".into(), self.count()]);
                }
                if self.rng.chance(15) {
                    w.push("NOACK".into());
                }
                if self.rng.chance(10) {
                    w.extend(["BLOCK".into(), "0".into()]);
                }
                let id = if self.rng.chance(70) {
                    ">".into()
                } else {
                    self.id(now_ms)
                };
                w.push("STREAMS".into());
                self.streams(now_ms, key, id, true, &mut w);
            }
            53..=57 => {
                w.extend(["XACK".into(), key, self.group()]);
                for _ in 0..1 + self.rng.below(3) {
                    w.push(self.id(now_ms));
                }
            }
            58..=64 => {
                w.extend(["XCLAIM".into(), key, self.group(), self.consumer()]);
                w.push(format!("{}", self.rng.below(6)));
                for _ in 0..1 + self.rng.below(3) {
                    w.push(self.id(now_ms));
                }
                if self.rng.chance(20) {
                    w.extend(["IDLE".into(), format!("{}", self.rng.below(8))]);
                }
                if self.rng.chance(15) {
                    w.extend(["TIME".into(), format!("{}", self.rng.below(now_ms + 5))]);
                }
                if self.rng.chance(20) {
                    w.extend(["RETRYCOUNT".into(), format!("{}", self.rng.below(5))]);
                }
                if self.rng.chance(30) {
                    w.push("FORCE".into());
                }
                if self.rng.chance(30) {
                    w.push("JUSTID".into());
                }
                if self.rng.chance(15) {
                    w.extend(["LASTID".into(), self.id(now_ms)]);
                }
            }
            65..=69 => {
                w.extend(["XAUTOCLAIM".into(), key, self.group(), self.consumer()]);
                w.push(format!("{}", self.rng.below(6)));
                w.push(if self.rng.chance(30) {
                    "0-0".into()
                } else {
                    self.bound(now_ms, true)
                });
                if self.rng.chance(50) {
                    w.extend(["COUNT".into(), self.count()]);
                }
                if self.rng.chance(30) {
                    w.push("JUSTID".into());
                }
            }
            70..=73 => {
                w.extend(["XPENDING".into(), key, self.group()]);
                if self.rng.chance(60) {
                    if self.rng.chance(30) {
                        w.extend(["IDLE".into(), format!("{}", self.rng.below(6))]);
                    }
                    let (a, b) = (self.bound(now_ms, true), self.bound(now_ms, false));
                    w.extend([a, b, self.count()]);
                    if self.rng.chance(40) {
                        w.push(self.consumer());
                    }
                }
            }
            74..=82 => self.xgroup(now_ms, key, &mut w),
            83..=85 => {
                w.extend(["XSETID".into(), key, self.id(now_ms)]);
                if self.rng.chance(25) {
                    w.extend(["ENTRIESADDED".into(), format!("{}", self.rng.below(12))]);
                }
                if self.rng.chance(25) {
                    w.extend(["MAXDELETEDID".into(), self.id(now_ms)]);
                }
            }
            86..=88 => match self.rng.below(3) {
                0 => {
                    w.extend(["XINFO".into(), "STREAM".into(), key]);
                    if self.rng.chance(50) {
                        w.push("FULL".into());
                        if self.rng.chance(50) {
                            w.extend(["COUNT".into(), self.count()]);
                        }
                    }
                }
                1 => w.extend(["XINFO".into(), "GROUPS".into(), key]),
                _ => w.extend(["XINFO".into(), "CONSUMERS".into(), key, self.group()]),
            },
            89..=91 => w.push(self.rng.pick(&["MULTI", "EXEC", "DISCARD"]).to_string()),
            92..=93 => {
                w.extend(["CONFIG".into(), "SET".into()]);
                if self.rng.chance(70) {
                    w.push("stream-node-max-entries".into());
                    w.push(format!("{}", 1 + self.rng.below(5)));
                } else {
                    // Byte limits small enough that entries split nodes,
                    // but above any one generated entry: below that, real
                    // Redis 7.0.15 can corrupt a node and abort on the next
                    // read ('CONFIG SET stream-node-max-bytes 64', 'XADD s
                    // 128-0 temperature v', '... 40', 'XADD s 172-0
                    // temperature x-long-value-x', 'XINFO STREAM s' fails
                    // lpValidateNext in listpack.c), which nothing can be
                    // compared with.
                    w.push("stream-node-max-bytes".into());
                    let limits = ["0", "200", "300", "500", "1kb", "4096"];
                    w.push(self.rng.pick(&limits).to_string());
                }
            }
            94 => w.extend(["DEL".into(), key]),
            95 => w.extend(["SET".into(), "str".into(), "x".into()]),
            96 => w.extend(["XADD".into(), key]),
            97 => w.extend(["XFOO".into(), key]),
            _ => {
                w.extend(["XADD".into(), key, "MAXLEN".into(), "~".into()]);
                w.push(self.rng.pick(&["x", "-5", "LIMIT"]).to_string());
                w.extend(["*".into(), "f".into(), "v".into()]);
            }
        }
        w
    }

    /// The keys and IDs after STREAMS: usually one key, sometimes two
    /// (both served in one reply), rarely unbalanced.
    fn streams(&mut self, now_ms: u64, key: String, id: String, group: bool, w: &mut Vec<String>) {
        match self.rng.below(10) {
            0..=6 => w.extend([key, id]),
            7..=8 => {
                let other = if key == "s1" { "s2" } else { "s1" }.to_string();
                let id2 = if group && self.rng.chance(70) {
                    ">".into()
                } else {
                    self.id(now_ms)
                };
                w.extend([key, other, id, id2]);
            }
            _ => w.extend([key, "s2".into(), id]),
        }
    }

    fn xgroup(&mut self, now_ms: u64, key: String, w: &mut Vec<String>) {
        w.push("XGROUP".into());
        let group = self.group();
        match self.rng.below(10) {
            0..=3 => {
                w.extend(["CREATE".into(), key, group]);
                w.push(match self.rng.below(4) {
                    0 => "$".into(),
                    1 => "0".into(),
                    _ => self.id(now_ms),
                });
                if self.rng.chance(50) {
                    w.push("MKSTREAM".into());
                }
                if self.rng.chance(20) {
                    w.extend(["ENTRIESREAD".into(), format!("{}", self.rng.below(6))]);
                }
            }
            4..=5 => {
                w.extend(["SETID".into(), key, group]);
                w.push(if self.rng.chance(30) {
                    "$".into()
                } else {
                    self.id(now_ms)
                });
                if self.rng.chance(30) {
                    let n = self.rng.below(8) as i64 - 1;
                    w.extend(["ENTRIESREAD".into(), format!("{n}")]);
                }
            }
            6 => w.extend(["DESTROY".into(), key, group]),
            7 => w.extend(["CREATECONSUMER".into(), key, group, self.consumer()]),
            _ => w.extend(["DELCONSUMER".into(), key, group, self.consumer()]),
        }
    }
}
