//! The per-key access clock behind `OBJECT IDLETIME` and `RESTORE ...
//! IDLETIME`, as Redis 7.0 keeps it under a non-LFU `maxmemory-policy`
//! (the default, `noeviction`, is one).
//!
//! ```text
//!   now_ms ──▶ clock_at: (now_ms / 1000) mod 2^24      LRU_CLOCK, one tick a second
//!
//!   a key's lru ── set when the value is created, and by every lookup
//!                  that is not NOTOUCH (lookupKey)
//!
//!   idle = clock - lru                      (the clock wrapped: clock + MAX - lru)
//!          ×1000 ms, /1000 for IDLETIME     (estimateObjectIdleTime)
//! ```
//!
//! Redis stores the 24 bits in the object header (`robj.lru`); the engine
//! stores them beside each value (`keyspace::Keyspace`). Redis reads the
//! clock from a copy its cron refreshes every 100 ms; the engine computes
//! it from the command's time, so a second boundary may be crossed up to
//! 100 ms earlier here than in Redis. The LFU half of the same field
//! (`OBJECT FREQ`) is not kept: the engine only runs the default policy,
//! where Redis does not keep it either.

/// `LRU_CLOCK_RESOLUTION`: one tick of the clock.
pub const RESOLUTION_MS: u64 = 1000;

/// `LRU_CLOCK_MAX`: the clock counts in 24 bits.
pub const CLOCK_MAX: u32 = (1 << 24) - 1;

/// The clock at `now_ms` (`getLRUClock`).
pub fn clock_at(now_ms: u64) -> u32 {
    ((now_ms / RESOLUTION_MS) & u64::from(CLOCK_MAX)) as u32
}

/// How long ago, in ms, a key last stamped `lru` was accessed when the
/// clock reads `clock` (`estimateObjectIdleTime`). A clock that wrapped
/// since is unwrapped once, as Redis does.
pub fn idle_ms(clock: u32, lru: u32) -> u64 {
    let ticks = if clock >= lru {
        u64::from(clock - lru)
    } else {
        u64::from(clock) + u64::from(CLOCK_MAX - lru)
    };
    ticks * RESOLUTION_MS
}

/// The stamp that makes a key `idle_s` seconds idle at `clock`
/// (`objectSetLRUOrLFU` for RESTORE ... IDLETIME). An idle time longer
/// than the clock's range wraps into the 24-bit field as the C bitfield
/// assignment does.
pub fn stamp_for_idle(clock: u32, idle_s: i64) -> u32 {
    let idle_ticks = idle_s.wrapping_mul(1000) / RESOLUTION_MS as i64;
    let mut stamp = i64::from(clock).wrapping_sub(idle_ticks);
    if stamp < 0 {
        stamp = stamp.wrapping_add(i64::from(CLOCK_MAX));
    }
    (stamp as u64 & u64::from(CLOCK_MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_ticks_once_a_second_and_wraps_at_24_bits() {
        assert_eq!(clock_at(999), 0);
        assert_eq!(clock_at(1_000), 1);
        assert_eq!(
            clock_at(1_700_000_000_123),
            (1_700_000_000 & 0xff_ffff) as u32
        );
        assert_eq!(clock_at(u64::from(CLOCK_MAX) * 1000 + 1000), 0);
    }

    #[test]
    fn idle_time_unwraps_the_clock_once() {
        assert_eq!(idle_ms(100, 90), 10_000);
        assert_eq!(idle_ms(5, 5), 0);
        // The clock wrapped: 16 ticks passed, Redis counts 15 (it adds
        // LRU_CLOCK_MAX, not 2^24).
        assert_eq!(idle_ms(5, CLOCK_MAX - 10), 15_000);
    }

    #[test]
    fn restore_idletime_sets_the_stamp_back() {
        let clock = clock_at(1_700_000_000_000);
        let stamp = stamp_for_idle(clock, 1000);
        assert_eq!(idle_ms(clock, stamp) / 1000, 1000);
        // Further back than the clock reads: it wraps below zero.
        assert_eq!(stamp_for_idle(10, 20), CLOCK_MAX - 10);
        assert_eq!(idle_ms(10, CLOCK_MAX - 10) / 1000, 20);
    }
}
