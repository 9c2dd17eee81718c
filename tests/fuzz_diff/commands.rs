//! Seeded random stream commands for the differential fuzz.
//!
//! ```text
//!   seed ─▶ Rng (splitmix64) ─▶ CommandGen::next() ─▶ argv
//!                                 │
//!                                 ├─ tiny ID space (ms near a creeping clock, seq 0..=3) so
//!                                 │  duplicates, "ID equal or smaller" errors
//!                                 │  and empty ranges happen all the time
//!                                 ├─ keys s1 s2 s3 (+ a string key for WRONGTYPE)
//!                                 ├─ groups g1 g2 g3, consumers c1 c2 c3
//!                                 ├─ ~5% of commands get a junk argument
//!                                 └─ ~2% start a MULTI of 1-5 commands
//! ```
//!
//! Only wall-clock-free inputs are generated: no `XADD *` (the ms part
//! would differ between servers), min-idle-times of 0 or one hour or more
//! (a fuzz run is far shorter), XCLAIM IDLE/TIME far in the past, and
//! `BLOCK 1` only, which times out the same way on both servers.

/// splitmix64: tiny, fast and fully determined by its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Builds one command at a time.
pub struct CommandGen {
    rng: Rng,
    /// The ms part IDs cluster around; it creeps forward so XADD keeps
    /// succeeding while IDs near it still collide.
    clock_ms: u64,
    commands: u64,
    /// Commands still to queue before EXEC/DISCARD, inside a MULTI.
    queued_left: Option<u64>,
}

const JUNK: &[&str] = &[
    "abc",
    "-1",
    "0",
    "18446744073709551616",
    "1-x",
    "",
    "COUNT",
    "-",
    "+",
    "$",
    ">",
];

impl CommandGen {
    pub fn new(seed: u64) -> CommandGen {
        CommandGen {
            rng: Rng::new(seed),
            clock_ms: 3,
            commands: 0,
            queued_left: None,
        }
    }

    fn key(&mut self) -> String {
        match self.rng.below(100) {
            0..=46 => "s1",
            47..=81 => "s2",
            82..=96 => "s3",
            _ => "str",
        }
        .to_string()
    }

    fn ms(&mut self) -> u64 {
        if self.rng.chance(75) {
            self.clock_ms.saturating_sub(self.rng.below(4))
        } else {
            self.rng.below(self.clock_ms + 1)
        }
    }

    fn id(&mut self) -> String {
        let ms = self.ms();
        let seq = self.rng.below(4);
        match self.rng.below(200) {
            0..=149 => format!("{ms}-{seq}"),
            150..=187 => format!("{ms}"),
            188..=192 => "0-0".to_string(),
            193 => "18446744073709551615-18446744073709551615".to_string(),
            _ => self.rng.pick(JUNK).to_string(),
        }
    }

    fn bound(&mut self, low: bool) -> String {
        match self.rng.below(10) {
            0..=1 => (if low { "-" } else { "+" }).to_string(),
            2 => format!("({}", self.id()),
            _ => self.id(),
        }
    }

    fn count(&mut self) -> String {
        match self.rng.below(20) {
            0 => "-1".to_string(),
            1 => "0".to_string(),
            _ => (1 + self.rng.below(6)).to_string(),
        }
    }

    fn group(&mut self) -> String {
        self.rng
            .pick(&["g1", "g1", "g1", "g2", "g2", "g3"])
            .to_string()
    }

    fn consumer(&mut self) -> String {
        self.rng.pick(&["c1", "c1", "c2", "c3"]).to_string()
    }

    fn min_idle(&mut self) -> String {
        self.rng
            .pick(&["0", "0", "0", "3600000", "86400000"])
            .to_string()
    }

    fn trim_args(&mut self, out: &mut Vec<String>) {
        let minid = self.rng.chance(35);
        out.push(if minid { "MINID" } else { "MAXLEN" }.to_string());
        let approx = match self.rng.below(3) {
            0 => None,
            1 => Some("="),
            _ => Some("~"),
        };
        if let Some(a) = approx {
            out.push(a.to_string());
        }
        out.push(if minid {
            self.id()
        } else {
            self.rng.below(9).to_string()
        });
        // LIMIT is only valid with `~`; sometimes try it without.
        if self.rng.chance(if approx == Some("~") { 40 } else { 5 }) {
            out.push("LIMIT".to_string());
            out.push(self.rng.pick(&["0", "1", "2", "5", "100"]).to_string());
        }
    }

    fn fields(&mut self, out: &mut Vec<String>) {
        let pairs = 1 + self.rng.below(3);
        for _ in 0..pairs {
            out.push(self.rng.pick(&["f1", "f2", "amount"]).to_string());
            out.push(self.rng.below(1000).to_string());
        }
        if self.rng.chance(2) {
            out.pop();
        }
    }

    /// The next command.
    pub fn next(&mut self) -> Vec<Vec<u8>> {
        self.commands += 1;
        if self.commands.is_multiple_of(8) {
            self.clock_ms += 1;
        }
        // Now and then a transaction: MULTI, a few queued commands (some
        // malformed, which aborts EXEC), then EXEC or DISCARD.
        match self.queued_left {
            None if self.rng.chance(2) => {
                self.queued_left = Some(1 + self.rng.below(5));
                return vec![b"MULTI".to_vec()];
            }
            Some(0) => {
                self.queued_left = None;
                let end = if self.rng.chance(85) {
                    "EXEC"
                } else {
                    "DISCARD"
                };
                return vec![end.as_bytes().to_vec()];
            }
            Some(n) => self.queued_left = Some(n - 1),
            None => {}
        }
        let mut a: Vec<String> = Vec::new();
        let roll = self.rng.below(1000);
        match roll {
            0..=249 => self.xadd(&mut a),
            250..=329 => {
                let rev = self.rng.chance(30);
                a.push(if rev { "XREVRANGE" } else { "XRANGE" }.into());
                a.push(self.key());
                let (lo, hi) = (self.bound(true), self.bound(false));
                if rev {
                    a.extend([hi, lo]);
                } else {
                    a.extend([lo, hi]);
                }
                if self.rng.chance(50) {
                    a.push("COUNT".into());
                    a.push(self.count());
                }
            }
            330..=364 => {
                a.extend(["XDEL".into(), self.key()]);
                for _ in 0..1 + self.rng.below(3) {
                    a.push(self.id());
                }
            }
            365..=394 => {
                a.extend(["XTRIM".into(), self.key()]);
                self.trim_args(&mut a);
            }
            395..=414 => a.extend(["XLEN".into(), self.key()]),
            415..=509 => self.xgroup(&mut a),
            510..=629 => self.xreadgroup(&mut a),
            630..=659 => {
                a.push("XREAD".into());
                if self.rng.chance(50) {
                    a.extend(["COUNT".into(), self.count()]);
                }
                if self.rng.chance(10) {
                    a.extend(["BLOCK".into(), "1".into()]);
                }
                a.extend(["STREAMS".into(), self.key(), self.bound(true)]);
            }
            660..=719 => {
                a.extend(["XACK".into(), self.key(), self.group()]);
                for _ in 0..1 + self.rng.below(3) {
                    a.push(self.id());
                }
            }
            720..=784 => self.xpending(&mut a),
            785..=839 => self.xclaim(&mut a),
            840..=879 => {
                a.extend([
                    "XAUTOCLAIM".into(),
                    self.key(),
                    self.group(),
                    self.consumer(),
                ]);
                a.push(self.min_idle());
                a.push(self.bound(true));
                if self.rng.chance(50) {
                    a.extend(["COUNT".into(), self.count()]);
                }
                if self.rng.chance(30) {
                    a.push("JUSTID".into());
                }
            }
            880..=939 => self.xinfo(&mut a),
            940..=959 => {
                a.extend(["XSETID".into(), self.key(), self.id()]);
                if self.rng.chance(30) {
                    a.extend(["ENTRIESADDED".into(), self.rng.below(30).to_string()]);
                }
                if self.rng.chance(30) {
                    a.extend(["MAXDELETEDID".into(), self.id()]);
                }
            }
            960..=974 => {
                a.extend(["CONFIG".into(), "SET".into()]);
                if self.rng.chance(80) {
                    a.push("stream-node-max-entries".into());
                    a.push(self.rng.pick(&["1", "2", "3", "5", "100"]).into());
                } else {
                    a.push("stream-node-max-bytes".into());
                    a.push(self.rng.pick(&["0", "48", "128", "4096"]).into());
                }
            }
            975..=979 => a.extend(["DEL".into(), self.key()]),
            980..=989 => a.extend(["SET".into(), "str".into(), "x".into()]),
            990..=992 => a.extend(["TYPE".into(), self.key()]),
            993..=994 => a.extend(["EXISTS".into(), self.key()]),
            995..=997 => {
                // Stream keys only: string sizes are not what this lab models.
                let key = self.rng.pick(&["s1", "s2", "s3"]).to_string();
                a.extend(["MEMORY".into(), "USAGE".into(), key]);
                if self.rng.chance(50) {
                    a.extend(["SAMPLES".into(), "0".into()]);
                }
            }
            998 => a.extend([self.rng.pick(&["XINFO", "XGROUP"]).into(), "HELP".into()]),
            _ => a.push("FLUSHALL".into()),
        }
        if self.rng.chance(5) && a.len() > 1 {
            let junk = self.rng.pick(JUNK).to_string();
            let at = 1 + self.rng.below(a.len() as u64) as usize;
            if self.rng.chance(50) && at < a.len() {
                a[at] = junk;
            } else {
                a.insert(at.min(a.len()), junk);
            }
        }
        a.into_iter().map(String::into_bytes).collect()
    }

    fn xadd(&mut self, a: &mut Vec<String>) {
        a.extend(["XADD".into(), self.key()]);
        if self.rng.chance(5) {
            a.push("NOMKSTREAM".into());
        }
        if self.rng.chance(20) {
            self.trim_args(a);
        }
        // Explicit IDs mostly; `<ms>-*` picks the sequence without the clock.
        let id = if self.rng.chance(15) {
            format!("{}-*", self.ms())
        } else {
            self.id()
        };
        a.push(id);
        self.fields(a);
    }

    fn xgroup(&mut self, a: &mut Vec<String>) {
        a.push("XGROUP".into());
        match self.rng.below(12) {
            0..=5 => {
                a.extend(["CREATE".into(), self.key(), self.group()]);
                a.push(if self.rng.chance(30) {
                    "$".into()
                } else {
                    self.id()
                });
                if self.rng.chance(70) {
                    a.push("MKSTREAM".into());
                }
                if self.rng.chance(20) {
                    a.extend(["ENTRIESREAD".into(), self.rng.below(10).to_string()]);
                }
            }
            6..=7 => {
                a.extend(["SETID".into(), self.key(), self.group()]);
                a.push(if self.rng.chance(30) {
                    "$".into()
                } else {
                    self.id()
                });
                if self.rng.chance(30) {
                    a.extend(["ENTRIESREAD".into(), self.rng.below(10).to_string()]);
                }
            }
            8 => a.extend(["DESTROY".into(), self.key(), self.group()]),
            9..=10 => a.extend([
                "CREATECONSUMER".into(),
                self.key(),
                self.group(),
                self.consumer(),
            ]),
            _ => a.extend([
                "DELCONSUMER".into(),
                self.key(),
                self.group(),
                self.consumer(),
            ]),
        }
    }

    fn xreadgroup(&mut self, a: &mut Vec<String>) {
        a.extend([
            "XREADGROUP".into(),
            "GROUP".into(),
            self.group(),
            self.consumer(),
        ]);
        if self.rng.chance(60) {
            a.extend(["COUNT".into(), self.count()]);
        }
        if self.rng.chance(15) {
            a.push("NOACK".into());
        }
        if self.rng.chance(5) {
            a.extend(["BLOCK".into(), "1".into()]);
        }
        a.push("STREAMS".into());
        let two = self.rng.chance(15);
        let keys: Vec<String> = if two {
            vec!["s1".into(), "s2".into()]
        } else {
            vec![self.key()]
        };
        let n = keys.len();
        a.extend(keys);
        for _ in 0..n {
            a.push(if self.rng.chance(65) {
                ">".into()
            } else {
                self.bound(true)
            });
        }
    }

    fn xpending(&mut self, a: &mut Vec<String>) {
        a.extend(["XPENDING".into(), self.key(), self.group()]);
        if self.rng.chance(30) {
            return;
        }
        if self.rng.chance(20) {
            a.extend(["IDLE".into(), self.min_idle()]);
        }
        a.push(self.bound(true));
        a.push(self.bound(false));
        a.push(self.count());
        if self.rng.chance(40) {
            a.push(self.consumer());
        }
    }

    fn xclaim(&mut self, a: &mut Vec<String>) {
        a.extend([
            "XCLAIM".into(),
            self.key(),
            self.group(),
            self.consumer(),
            self.min_idle(),
        ]);
        for _ in 0..1 + self.rng.below(3) {
            a.push(self.id());
        }
        if self.rng.chance(15) {
            a.extend(["IDLE".into(), "500000000".into()]);
        }
        if self.rng.chance(10) {
            a.extend(["TIME".into(), "1".into()]);
        }
        if self.rng.chance(15) {
            a.extend(["RETRYCOUNT".into(), self.rng.below(5).to_string()]);
        }
        if self.rng.chance(20) {
            a.push("FORCE".into());
        }
        if self.rng.chance(25) {
            a.push("JUSTID".into());
        }
        if self.rng.chance(10) {
            a.extend(["LASTID".into(), self.id()]);
        }
    }

    fn xinfo(&mut self, a: &mut Vec<String>) {
        a.push("XINFO".into());
        match self.rng.below(10) {
            0..=2 => a.extend(["STREAM".into(), self.key()]),
            3..=5 => {
                a.extend(["STREAM".into(), self.key(), "FULL".into()]);
                if self.rng.chance(40) {
                    a.extend(["COUNT".into(), self.rng.below(4).to_string()]);
                }
            }
            6..=7 => a.extend(["GROUPS".into(), self.key()]),
            _ => a.extend(["CONSUMERS".into(), self.key(), self.group()]),
        }
    }
}
