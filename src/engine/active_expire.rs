//! The active expire cycle: keys past their TTL that nobody looks up are
//! still deleted, a few at a time, as Redis's `activeExpireCycle` (slow
//! cycle, expire effort 1) deletes them from `serverCron`.
//!
//! ```text
//!   caller, every 100 ms (hz 10) ──▶ Db::active_expire_cycle(ctx)
//!     loop:
//!       sample up to 20 keys with a TTL, in key order from the cursor
//!       (wrapping at the end), and delete those with now_ms > when
//!       fold the TTLs left into avg_ttl (2 % weight a loop)
//!       again while more than 10 % of the sample had expired,
//!       at most MAX_LOOPS loops (then expired_time_cap_reached_count + 1)
//!     expired_stale_perc ◀── 5 % weight of this cycle's expired share
//!     ──▶ DELs (one effect each, never wrapped in MULTI), stream keys signalled
//! ```
//!
//! How it differs from 7.0's: Redis walks `db->expires` bucket by bucket
//! from a cursor, so its sample follows a hash seeded at start; here the
//! cursor walks the keys in byte order, so two runs delete the same keys
//! at the same times. Redis stops a cycle after 25 ms of CPU time (checked
//! every 16 loops); the engine reads no clock, so it stops after
//! [`MAX_LOOPS`] loops instead, checked at the same points. The fast
//! cycle Redis runs from `beforeSleep` when the slow one ran out of time
//! is not run: the next slow cycle picks the work up 100 ms later. Redis
//! also skips a sparse hash table (under 1 % full), which has no
//! counterpart here.

use super::db::Db;
use super::expire;
use super::{ExecContext, Executed, Reply};

/// `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP` at the default effort.
pub const KEYS_PER_LOOP: usize = 20;

/// `ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE` at the default effort: another
/// loop while more than this percentage of a sample had expired.
pub const ACCEPTABLE_STALE_PERCENT: usize = 10;

/// The work limit standing in for the 25 ms time limit: 1024 loops of 20
/// keys, about what Redis checks in 25 ms at a microsecond a key.
pub const MAX_LOOPS: usize = 1024;

/// How often the caller is meant to run a cycle (`1000 / hz`).
pub const PERIOD_MS: u64 = 100;

impl Db {
    /// Runs one active expire cycle at `ctx.now_ms`. The reply is the
    /// number of keys deleted; the effects are one bare `DEL key` each (the
    /// cycle propagates with `propagate_no_multi`), empty when
    /// as `ctx.effects` asks; the signalled keys are the deleted streams,
    /// whose blocked XREADGROUP clients must be answered -UNBLOCKED.
    pub fn active_expire_cycle(&mut self, ctx: &ExecContext) -> Executed {
        let now_ms = ctx.now_ms;
        let mut out = Executed::reply(Reply::Integer(0));
        let (mut total_sampled, mut total_expired) = (0usize, 0usize);
        let mut loops = 0;
        loop {
            loops += 1;
            let num = self.keys.expires_len().min(KEYS_PER_LOOP);
            if num == 0 {
                self.keys.avg_ttl_ms = 0;
                break;
            }
            let sample = self.sample_expiring(num);
            let (mut expired, mut ttl_sum, mut ttl_samples) = (0usize, 0i128, 0i128);
            for (key, when_ms) in &sample {
                let ttl_ms = i128::from(*when_ms) - i128::from(now_ms);
                if ttl_ms < 0 {
                    expire::delete_expired(self, key, &mut out);
                    expired += 1;
                } else if ttl_ms > 0 {
                    ttl_sum += ttl_ms;
                    ttl_samples += 1;
                }
            }
            total_sampled += sample.len();
            total_expired += expired;
            if ttl_samples > 0 {
                let avg = (ttl_sum / ttl_samples) as i64;
                // A running average: 2 % this sample, 98 % the past.
                if self.keys.avg_ttl_ms == 0 {
                    self.keys.avg_ttl_ms = avg;
                }
                self.keys.avg_ttl_ms = (self.keys.avg_ttl_ms / 50) * 49 + avg / 50;
            }
            if loops % 16 == 0 && loops >= MAX_LOOPS {
                self.stats.expired_time_cap_reached_count += 1;
                break;
            }
            if expired * 100 / sample.len() <= ACCEPTABLE_STALE_PERCENT {
                break;
            }
        }
        let share = if total_sampled == 0 {
            0.0
        } else {
            total_expired as f64 / total_sampled as f64
        };
        self.stats.expired_stale_perc = share * 0.05 + self.stats.expired_stale_perc * 0.95;
        match ctx.effects {
            super::Effects::Build => {}
            super::Effects::Count => out.effects.iter_mut().for_each(Vec::clear),
            super::Effects::Skip => out.effects.clear(),
        }
        out.reply = Reply::Integer(total_expired as i64);
        out
    }

    /// The next `num` keys with a TTL after the cursor, wrapping to the
    /// first key at the end, and moves the cursor past them.
    fn sample_expiring(&mut self, num: usize) -> Vec<(Vec<u8>, i64)> {
        let mut sample: Vec<(Vec<u8>, i64)> = self
            .keys
            .expires_after(self.keys.cursor.as_deref())
            .take(num)
            .map(|(k, when)| (k.clone(), when))
            .collect();
        if sample.len() < num {
            let wrapped: Vec<(Vec<u8>, i64)> = self
                .keys
                .expires_after(None)
                .take(num - sample.len())
                .filter(|(k, _)| !sample.iter().any(|(s, _)| s == *k))
                .map(|(k, when)| (k.clone(), when))
                .collect();
            sample.extend(wrapped);
        }
        self.keys.cursor = sample.last().map(|(k, _)| k.clone());
        sample
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Db, ExecContext, Reply, Session};
    use super::*;

    fn run(db: &mut Db, now_ms: u64, line: &str) -> Reply {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        db.execute(&mut Session::default(), &argv, &ExecContext::at(now_ms))
            .reply
    }

    fn cycle(db: &mut Db, now_ms: u64) -> (i64, Vec<String>) {
        let done = db.active_expire_cycle(&ExecContext::at(now_ms));
        let Reply::Integer(n) = done.reply else {
            panic!("{:?}", done.reply)
        };
        let effects = done
            .effects
            .iter()
            .map(|e| String::from_utf8_lossy(&e.join(&b' ')).into_owned())
            .collect();
        (n, effects)
    }

    #[test]
    fn a_cycle_deletes_what_has_expired_and_nothing_else() {
        let mut db = Db::new();
        run(&mut db, 1_000, "SET a 1 PX 100");
        run(&mut db, 1_000, "SET b 1 PX 500");
        run(&mut db, 1_000, "SET c 1");
        assert_eq!(cycle(&mut db, 1_100), (0, vec![]), "a lives through 1100");
        assert_eq!(cycle(&mut db, 1_101), (1, vec!["DEL a".to_string()]));
        assert_eq!(db.stats.expired_keys, 1);
        assert_eq!(db.keys.len(), 2);
        assert_eq!(cycle(&mut db, 2_000).0, 1);
        assert_eq!(db.keys.len(), 1);
        assert_eq!(db.keys.avg_ttl_ms, 0, "no key with a TTL left");
    }

    #[test]
    fn many_expired_keys_go_in_repeated_loops() {
        let mut db = Db::new();
        for i in 0..1000 {
            run(&mut db, 0, &format!("SET k{i:04} v PX 10"));
        }
        // Every sample is fully expired, so the cycle loops until none is left.
        assert_eq!(cycle(&mut db, 1_000).0, 1000);
        assert!(db.keys.is_empty());
        assert_eq!(db.stats.expired_stale_perc, 0.05);
    }

    #[test]
    fn a_few_expired_keys_among_many_wait_for_the_cursor() {
        let mut db = Db::new();
        for i in 0..100 {
            let ttl = if i == 90 { 10 } else { 1_000_000 };
            run(&mut db, 0, &format!("SET k{i:03} v PX {ttl}"));
        }
        // 20 keys a loop, no expired one in the first sample: one loop.
        assert_eq!(cycle(&mut db, 1_000).0, 0);
        assert_eq!(db.keys.cursor.as_deref(), Some(b"k019".as_slice()));
        let expired: i64 = (0..4).map(|_| cycle(&mut db, 1_000).0).sum();
        assert_eq!(expired, 1, "k090 is reached by the fifth cycle");
        assert_eq!(db.keys.avg_ttl_ms, 999_000);
    }

    #[test]
    fn the_work_limit_stops_a_cycle() {
        let mut db = Db::new();
        let n = KEYS_PER_LOOP * MAX_LOOPS + 100;
        for i in 0..n {
            run(&mut db, 0, &format!("SET k{i:06} v PX 10"));
        }
        assert_eq!(cycle(&mut db, 1_000).0 as usize, KEYS_PER_LOOP * MAX_LOOPS);
        assert_eq!(db.stats.expired_time_cap_reached_count, 1);
        assert_eq!(cycle(&mut db, 1_100).0, 100);
    }
}
