//! Stream contents against a plain model, through `Db::execute` replies.
//!
//! ```text
//!   seed ─▶ op ─┬─▶ Db::execute(argv) ─▶ Reply      must equal what the model
//!               └─▶ Model { entries: Vec<(id, fields)>, last_id, first_id,
//!                           max_deleted_id, entries_added }   predicts
//! ```
//!
//! XADD (explicit, `*`, `ms-*`), XDEL, exact XTRIM/XADD trims by MAXLEN and
//! MINID, XRANGE/XREVRANGE with COUNT and exclusive bounds, XLEN and XINFO
//! STREAM are predicted exactly. Approximate trims depend on node
//! boundaries, so they are checked by bounds: only a prefix goes, never
//! below the threshold, never more than the exact trim, never more than
//! LIMIT; the model then adopts what is left. Node size varies per seed
//! (`stream-node-max-entries` 1..=5) so trims cut across many layouts.

mod common;

use common::{Rng, bulk, reply};
use streamlab::engine::{Db, Reply, StreamId};

type Fields = Vec<(String, String)>;

#[derive(Default)]
struct Model {
    entries: Vec<(StreamId, Fields)>,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_id: StreamId,
    entries_added: u64,
    /// The key exists (the first XADD creates it; nothing here deletes it).
    exists: bool,
}

fn id(ms: u64, seq: u64) -> StreamId {
    StreamId::new(ms, seq)
}

fn entry_reply(e: &(StreamId, Fields)) -> Reply {
    let mut flat = Vec::new();
    for (f, v) in &e.1 {
        flat.push(bulk(f));
        flat.push(bulk(v));
    }
    Reply::Array(vec![Reply::Bulk(e.0.to_bytes()), Reply::Array(flat)])
}

impl Model {
    fn refresh_first(&mut self) {
        self.first_id = self.entries.first().map(|e| e.0).unwrap_or(StreamId::MIN);
    }

    /// Removes what an exact trim removes; returns the count.
    fn trim_exact(&mut self, maxlen: Option<u64>, minid: Option<StreamId>) -> usize {
        let before = self.entries.len();
        if let Some(n) = maxlen {
            let drop = self.entries.len().saturating_sub(n as usize);
            self.entries.drain(..drop);
        }
        if let Some(min) = minid {
            self.entries.retain(|e| e.0 >= min);
        }
        if before != self.entries.len() {
            self.refresh_first();
        }
        before - self.entries.len()
    }

    fn range(&self, start: StreamId, end: StreamId, count: usize, rev: bool) -> Vec<Reply> {
        let mut hits: Vec<&(StreamId, Fields)> = self
            .entries
            .iter()
            .filter(|e| e.0 >= start && e.0 <= end)
            .collect();
        if rev {
            hits.reverse();
        }
        if count > 0 {
            hits.truncate(count);
        }
        hits.into_iter().map(entry_reply).collect()
    }
}

struct World {
    rng: Rng,
    db: Db,
    m: Model,
    now_ms: u64,
    log: Vec<String>,
    /// Work actually exercised, so the test cannot pass vacuously.
    seen: Coverage,
}

#[derive(Default)]
struct Coverage {
    approx_removed: usize,
    exact_removed: usize,
    range_entries: usize,
    deleted: i64,
    lowered_by_minid: usize,
}

impl World {
    fn exec(&mut self, words: &[String]) -> Reply {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let r = reply(&mut self.db, self.now_ms, &w);
        if let Err(e) = streamlab::engine::invariants::check(&self.db) {
            self.fail(format!("{}: {e}", w.join(" ")));
        }
        self.log
            .push(format!("t={} {} -> {:?}", self.now_ms, w.join(" "), r));
        r
    }

    fn fail(&self, what: String) -> ! {
        let from = self.log.len().saturating_sub(20);
        panic!("{what}\n{}", self.log[from..].join("\n"));
    }

    fn expect(&self, got: Reply, want: Reply) {
        if got != want {
            self.fail(format!("got {got:?}\nwant {want:?}"));
        }
    }

    fn some_id(&mut self) -> StreamId {
        if !self.m.entries.is_empty() && self.rng.chance(60) {
            let i = self.rng.below(self.m.entries.len() as u64) as usize;
            return self.m.entries[i].0;
        }
        id(self.rng.below(self.now_ms + 3), self.rng.below(3))
    }

    fn xadd(&mut self) {
        let mut w: Vec<String> = vec!["XADD".into(), "s".into()];
        let last = self.m.last_id;
        let (arg, want) = match self.rng.below(4) {
            0 => ("*".to_string(), {
                if self.now_ms > last.ms {
                    Some(id(self.now_ms, 0))
                } else {
                    last.incr()
                }
            }),
            1 => {
                let ms = last.ms + self.rng.below(3);
                let next = if ms == last.ms { last.seq + 1 } else { 0 };
                (format!("{ms}-*"), Some(id(ms, next)))
            }
            _ => {
                let candidate = id(last.ms + self.rng.below(3), self.rng.below(3));
                (candidate.to_string(), Some(candidate))
            }
        };
        let fields: Fields = (0..1 + self.rng.below(2))
            .map(|i| (format!("f{i}"), format!("v{}", self.rng.below(100))))
            .collect();
        w.push(arg);
        for (f, v) in &fields {
            w.push(f.clone());
            w.push(v.clone());
        }
        let got = self.exec(&w);
        match want {
            Some(StreamId::MIN) => self.expect(
                got,
                Reply::err("ERR The ID specified in XADD must be greater than 0-0"),
            ),
            Some(new) if new > last => {
                self.expect(got, Reply::Bulk(new.to_bytes()));
                self.m.entries.push((new, fields));
                self.m.last_id = new;
                self.m.entries_added += 1;
                self.m.exists = true;
                if self.m.entries.len() == 1 {
                    self.m.first_id = new;
                }
            }
            _ => self.expect(
                got,
                Reply::err(
                    "ERR The ID specified in XADD is equal or smaller than the target stream top item",
                ),
            ),
        }
    }

    fn xdel(&mut self) {
        let ids: Vec<StreamId> = (0..1 + self.rng.below(3)).map(|_| self.some_id()).collect();
        let mut w: Vec<String> = vec!["XDEL".into(), "s".into()];
        w.extend(ids.iter().map(|i| i.to_string()));
        let got = self.exec(&w);
        let mut deleted = 0;
        for i in &ids {
            if let Some(pos) = self.m.entries.iter().position(|e| e.0 == *i) {
                self.m.entries.remove(pos);
                self.m.max_deleted_id = self.m.max_deleted_id.max(*i);
                deleted += 1;
            }
        }
        if deleted > 0 {
            self.m.refresh_first();
        }
        self.seen.deleted += deleted;
        self.expect(got, Reply::Integer(deleted));
    }

    fn trim(&mut self) {
        let approx = self.rng.chance(40);
        let by_len = self.rng.chance(50);
        let maxlen = self.rng.below(self.m.entries.len() as u64 + 2);
        let minid = self.some_id();
        let limit = if approx && self.rng.chance(40) {
            Some(self.rng.below(8))
        } else {
            None
        };
        let mut w: Vec<String> = vec!["XTRIM".into(), "s".into()];
        w.push(if by_len { "MAXLEN" } else { "MINID" }.into());
        w.push(if approx { "~" } else { "=" }.into());
        w.push(if by_len {
            maxlen.to_string()
        } else {
            minid.to_string()
        });
        if let Some(l) = limit {
            w.extend(["LIMIT".to_string(), l.to_string()]);
        }
        let got = self.exec(&w);
        let (len_arg, min_arg) = if by_len {
            (Some(maxlen), None)
        } else {
            (None, Some(minid))
        };
        if !approx {
            let removed = self.m.trim_exact(len_arg, min_arg);
            self.seen.exact_removed += removed;
            if min_arg.is_some() {
                self.seen.lowered_by_minid += removed;
            }
            self.expect(got, Reply::Integer(removed as i64));
            return;
        }
        // Approximate: read back what is left and check the bounds.
        let mut exact = Model {
            entries: self.m.entries.clone(),
            ..Model::default()
        };
        let exact_removed = exact.trim_exact(len_arg, min_arg);
        let Reply::Integer(removed) = got else {
            self.fail(format!("XTRIM ~ answered {got:?}"))
        };
        let removed = removed as usize;
        let left = self.exec(&["XRANGE", "s", "-", "+"].map(String::from));
        let want_left = Reply::Array(
            self.m.entries[removed.min(self.m.entries.len())..]
                .iter()
                .map(entry_reply)
                .collect(),
        );
        if removed > exact_removed || left != want_left {
            self.fail(format!(
                "approx trim removed {removed} (exact would remove {exact_removed}); \
                 left {left:?}"
            ));
        }
        if let Some(l) = limit
            && l > 0
            && removed as u64 > l
        {
            self.fail(format!("approx trim removed {removed} over LIMIT {l}"));
        }
        self.seen.approx_removed += removed;
        self.m.entries.drain(..removed);
        if removed > 0 {
            self.m.refresh_first();
        }
    }

    fn bound(&mut self, low: bool) -> (String, StreamId) {
        match self.rng.below(5) {
            0 if low => ("-".into(), StreamId::MIN),
            0 => ("+".into(), StreamId::MAX),
            1 => {
                let i = self.some_id();
                let inner = if low { i.incr() } else { i.decr() };
                match inner {
                    Some(b) => (format!("({i}"), b),
                    None => (i.to_string(), i),
                }
            }
            2 => {
                // A bare millisecond: seq defaults to 0 low, max high.
                let ms = self.rng.below(self.now_ms + 3);
                (ms.to_string(), id(ms, if low { 0 } else { u64::MAX }))
            }
            _ => {
                let i = self.some_id();
                (i.to_string(), i)
            }
        }
    }

    fn range(&mut self) {
        let rev = self.rng.chance(50);
        let (low, low_id) = self.bound(true);
        let (high, high_id) = self.bound(false);
        let mut w: Vec<String> = vec![if rev { "XREVRANGE" } else { "XRANGE" }.into(), "s".into()];
        if rev {
            w.extend([high, low]);
        } else {
            w.extend([low, high]);
        }
        let count = if self.rng.chance(60) {
            let c = self.rng.below(5) as i64 - 1;
            w.extend(["COUNT".to_string(), c.to_string()]);
            Some(c)
        } else {
            None
        };
        let got = self.exec(&w);
        let want = match count {
            // xrangeGenericCommand: a missing key is an empty array, COUNT
            // 0 (or below) on an existing one the null array.
            _ if !self.m.exists => Reply::Array(vec![]),
            Some(c) if c <= 0 => Reply::NilArray,
            c => Reply::Array(self.m.range(low_id, high_id, c.unwrap_or(0) as usize, rev)),
        };
        if let Reply::Array(items) = &want {
            self.seen.range_entries += items.len();
        }
        self.expect(got, want);
    }

    fn info(&mut self) {
        let got = self.exec(&["XLEN", "s"].map(String::from));
        self.expect(got, Reply::Integer(self.m.entries.len() as i64));
        let got = self.exec(&["XINFO", "STREAM", "s"].map(String::from));
        if !self.m.exists {
            self.expect(got, Reply::err("ERR no such key"));
            return;
        }
        let Reply::Array(items) = &got else {
            self.fail(format!("XINFO answered {got:?}"))
        };
        let field = |name: &str| -> Reply {
            let pos = items.iter().position(|r| *r == bulk(name));
            pos.and_then(|p| items.get(p + 1))
                .cloned()
                .unwrap_or(Reply::Nil)
        };
        let m = &self.m;
        let checks = [
            ("length", Reply::Integer(m.entries.len() as i64)),
            ("last-generated-id", Reply::Bulk(m.last_id.to_bytes())),
            (
                "max-deleted-entry-id",
                Reply::Bulk(m.max_deleted_id.to_bytes()),
            ),
            ("entries-added", Reply::Integer(m.entries_added as i64)),
            (
                "recorded-first-entry-id",
                Reply::Bulk(m.first_id.to_bytes()),
            ),
            (
                "first-entry",
                m.entries.first().map(entry_reply).unwrap_or(Reply::Nil),
            ),
            (
                "last-entry",
                m.entries.last().map(entry_reply).unwrap_or(Reply::Nil),
            ),
        ];
        for (name, want) in checks {
            let have = field(name);
            if have != want {
                self.fail(format!("XINFO {name}: got {have:?}, want {want:?}"));
            }
        }
    }
}

fn run_seed(seed: u64, seen: &mut Coverage) {
    let mut w = World {
        rng: Rng(seed),
        db: Db::new(),
        m: Model::default(),
        now_ms: 1,
        log: Vec::new(),
        seen: Coverage::default(),
    };
    let per_node = 1 + w.rng.below(5);
    let set = ["CONFIG", "SET", "stream-node-max-entries"].map(String::from);
    let mut set = set.to_vec();
    set.push(per_node.to_string());
    w.exec(&set);
    for step in 0..300 {
        w.now_ms += w.rng.below(3);
        w.log.push(format!("-- seed {seed} step {step}"));
        match w.rng.below(10) {
            0..=3 => w.xadd(),
            4 => w.xdel(),
            5 => w.trim(),
            6..=8 => w.range(),
            _ => w.info(),
        }
    }
    seen.approx_removed += w.seen.approx_removed;
    seen.exact_removed += w.seen.exact_removed;
    seen.range_entries += w.seen.range_entries;
    seen.deleted += w.seen.deleted;
    seen.lowered_by_minid += w.seen.lowered_by_minid;
}

#[test]
fn stream_matches_model() {
    let mut seen = Coverage::default();
    for seed in common::seeds(0x5742_0001, 30) {
        run_seed(seed, &mut seen);
    }
    if std::env::var("ENGINE_SEED").is_err() {
        assert!(seen.approx_removed > 0 && seen.exact_removed > 0 && seen.lowered_by_minid > 0);
        assert!(seen.range_entries > 0 && seen.deleted > 0);
    }
}

#[test]
fn exclusive_bounds_at_the_id_limits_are_errors() {
    let mut db = Db::new();
    reply(&mut db, 1, &["XADD", "s", "1-0", "f", "v"]);
    assert_eq!(
        reply(
            &mut db,
            1,
            &[
                "XRANGE",
                "s",
                "(18446744073709551615-18446744073709551615",
                "+"
            ]
        ),
        Reply::err("ERR invalid start ID for the interval")
    );
    assert_eq!(
        reply(&mut db, 1, &["XRANGE", "s", "-", "(0-0"]),
        Reply::err("ERR invalid end ID for the interval")
    );
    // A missing key reads as empty, even with COUNT 0.
    assert_eq!(
        reply(&mut db, 1, &["XRANGE", "nokey", "-", "+", "COUNT", "0"]),
        Reply::Array(vec![])
    );
}

#[test]
fn xdel_finds_the_live_copy_of_a_reused_id() {
    // After XSETID lowers the top below a tombstone, the same ID can be
    // added again; XDEL must delete the live copy. Redis 7.0.15 answers
    // 1 to the last XDEL and keeps only 1-0.
    let mut db = Db::new();
    for line in [
        ["XADD", "s", "1-0", "f", "v"].as_slice(),
        &["XADD", "s", "5-0", "f", "v"],
        &["XDEL", "s", "5-0"],
        &["XSETID", "s", "2-0"],
        &["XADD", "s", "5-0", "f", "w"],
    ] {
        assert!(!reply(&mut db, 1, line).is_error(), "{line:?}");
    }
    assert_eq!(reply(&mut db, 1, &["XDEL", "s", "5-0"]), Reply::Integer(1));
    assert_eq!(reply(&mut db, 1, &["XLEN", "s"]), Reply::Integer(1));
    streamlab::engine::invariants::check(&db).unwrap();
}
