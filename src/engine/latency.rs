//! Per-command latency histograms for INFO `latencystats`, as Redis 7.0
//! keeps them: an HDR histogram from 1 ns to 1 s with 2 significant
//! digits (hdr_histogram.c, `LATENCY_HISTOGRAM_*` in server.h), read at
//! p50, p99 and p99.9.
//!
//! ```text
//!   value (ns) ─▶ bucket b: the power of two above value|255, minus 8
//!                 sub-bucket s = value >> b          (128..255, or 0..255 in bucket 0)
//!                 index = (b + 1) * 128 + s - 128
//!   counts: index ─▶ how many values landed there    (3072 counters)
//!
//!   percentile p: the first index whose running count reaches
//!                 round(p / 100 × total), reported as the highest value
//!                 that index stands for:  1000 ns ─▶ 1.003 µs
//! ```
//!
//! The engine reads no clock: the caller hands it the microseconds it
//! measured around each call (see `Stats::charge_last_usec`), which are
//! recorded as nanoseconds the way `updateCommandLatencyHistogram` does
//! (clamped to 1 ns .. 1 s).

/// `LATENCY_HISTOGRAM_MIN_VALUE`: 1 ns.
const MIN_NS: i64 = 1;
/// `LATENCY_HISTOGRAM_MAX_VALUE`: 1 s.
const MAX_NS: i64 = 1_000_000_000;
/// Two significant digits: 2 × 10² values at unit resolution need 256
/// sub-buckets, of which each bucket after the first uses the top half.
const SUB_BUCKET_COUNT: i64 = 256;
const SUB_BUCKET_HALF_COUNT: i64 = SUB_BUCKET_COUNT / 2;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE: u32 = 7;
const SUB_BUCKET_MASK: i64 = SUB_BUCKET_COUNT - 1;

/// The percentiles INFO prints (`latency-tracking-info-percentiles`'s
/// default) with the names `fillPercentileDistributionLatencies` gives them.
pub const PERCENTILES: [(&str, f64); 3] = [("p50", 50.0), ("p99", 99.0), ("p99.9", 99.9)];

/// `counts_len`: (buckets to cover 1 s, 23, + 1) × 128 counters.
const COUNTS_LEN: usize = 24 * SUB_BUCKET_HALF_COUNT as usize;

/// One command's histogram: a counter per index, as hdr_histogram keeps
/// them (24 KiB, made on the command's first recorded call), so that
/// recording a call is one increment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    counts: Box<[u64]>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; COUNTS_LEN].into_boxed_slice(),
            total: 0,
        }
    }
}

/// `get_bucket_index`: which power-of-two range `value` falls in.
fn bucket_index(value: i64) -> u32 {
    let pow2_ceiling = 64 - (value | SUB_BUCKET_MASK).leading_zeros();
    pow2_ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
}

/// `counts_index_for`.
fn counts_index(value: i64) -> u32 {
    let bucket = bucket_index(value);
    let sub_bucket = value >> bucket;
    let base = (i64::from(bucket) + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    (base + sub_bucket - SUB_BUCKET_HALF_COUNT) as u32
}

/// `hdr_value_at_index`: the lowest value an index stands for.
fn value_at_index(index: u32) -> i64 {
    let mut bucket = i64::from(index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    let mut sub_bucket = i64::from(index) & (SUB_BUCKET_HALF_COUNT - 1);
    sub_bucket += SUB_BUCKET_HALF_COUNT;
    if bucket < 0 {
        sub_bucket -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
    }
    sub_bucket << bucket
}

/// `highest_equivalent_value`: the top of the range `value` is counted in.
fn highest_equivalent(value: i64) -> i64 {
    let bucket = bucket_index(value);
    let sub_bucket = value >> bucket;
    let lowest = sub_bucket << bucket;
    let width_bucket = if sub_bucket >= SUB_BUCKET_COUNT {
        bucket + 1
    } else {
        bucket
    };
    lowest + (1i64 << width_bucket) - 1
}

impl Histogram {
    /// Records one call that took `ns` nanoseconds.
    pub fn record_ns(&mut self, ns: i64) {
        let ns = ns.clamp(MIN_NS, MAX_NS);
        self.counts[counts_index(ns) as usize] += 1;
        self.total += 1;
    }

    /// `hdr_value_at_percentile`, in nanoseconds.
    pub fn value_at_percentile(&self, percentile: f64) -> i64 {
        let wanted = (((percentile.min(100.0) / 100.0) * self.total as f64) + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut running = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            running += count;
            if running >= wanted {
                return highest_equivalent(value_at_index(index as u32));
            }
        }
        0
    }

    /// The line INFO prints for command `name`.
    pub fn info_line(&self, name: &str) -> String {
        let parts: Vec<String> = PERCENTILES
            .iter()
            .map(|(label, p)| {
                let us = self.value_at_percentile(*p) as f64 / 1000.0;
                format!("{label}={us:.3}")
            })
            .collect();
        format!("latency_percentiles_usec_{name}:{}\r\n", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(ns: i64) -> Histogram {
        let mut h = Histogram::default();
        h.record_ns(ns);
        h
    }

    #[test]
    fn a_value_reads_as_the_top_of_its_range() {
        // What 7.0.15 printed for calls of 0, 1, 2, 4, 11 and 942 µs.
        for (us, shown) in [
            (0, "0.001"),
            (1, "1.003"),
            (2, "2.007"),
            (4, "4.015"),
            (11, "11.007"),
            (12, "12.031"),
            (942, "942.079"),
        ] {
            let line = one(us * 1000).info_line("x");
            assert_eq!(
                line,
                format!("latency_percentiles_usec_x:p50={shown},p99={shown},p99.9={shown}\r\n"),
                "{us} µs"
            );
        }
        // Below 256 ns every nanosecond has its own count; above 1 s, the top.
        assert_eq!(one(200).value_at_percentile(50.0), 200);
        assert_eq!(
            one(5_000_000_000).value_at_percentile(50.0),
            highest_equivalent(MAX_NS)
        );
    }

    #[test]
    fn percentiles_count_up_to_the_rounded_rank() {
        // Two calls, 0 and 1 µs: p50 is the first (rank 1), p99 the second.
        let mut h = one(0);
        h.record_ns(1000);
        assert_eq!(
            h.info_line("exists"),
            "latency_percentiles_usec_exists:p50=0.001,p99=1.003,p99.9=1.003\r\n"
        );
        let mut many = Histogram::default();
        for us in 1..=1000 {
            many.record_ns(us * 1000);
        }
        assert_eq!(many.value_at_percentile(50.0), highest_equivalent(500_000));
        assert_eq!(many.value_at_percentile(99.9), highest_equivalent(999_000));
        assert_eq!(
            many.value_at_percentile(100.0),
            highest_equivalent(1_000_000)
        );
    }

    #[test]
    fn the_counters_cover_one_second() {
        // 1 s lands in the last bucket: 2^22 ns wide, 128 counters.
        let top = counts_index(MAX_NS) as usize;
        assert!((COUNTS_LEN - 128..COUNTS_LEN).contains(&top), "{top}");
    }

    #[test]
    fn indexes_and_values_invert() {
        for value in [1, 127, 128, 255, 256, 257, 1000, 65_535, 1_000_000, MAX_NS] {
            let back = value_at_index(counts_index(value));
            assert!(
                back <= value && value <= highest_equivalent(back),
                "{value}"
            );
        }
    }
}
