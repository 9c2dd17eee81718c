//! How a fetched batch reads in the trace: `[500..509]` for one partition,
//! `p0[1..3] p1[7]` for several; runs of consecutive offsets collapse.

use super::consumer::Fetched;
use std::collections::BTreeMap;

/// `[500..509]` for one partition, `p0[1..3] p1[7]` for several.
pub(crate) fn fmt_batch(partitions: usize, batch: &[Fetched]) -> String {
    let mut by: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for f in batch {
        by.entry(f.p).or_default().push(f.offset);
    }
    let mut parts = Vec::new();
    for (p, offsets) in by {
        let mut runs: Vec<String> = Vec::new();
        let mut i = 0;
        while i < offsets.len() {
            let mut j = i;
            while j + 1 < offsets.len() && offsets[j + 1] == offsets[j] + 1 {
                j += 1;
            }
            runs.push(if j > i {
                format!("{}..{}", offsets[i], offsets[j])
            } else {
                offsets[i].to_string()
            });
            i = j + 1;
        }
        let body = format!("[{}]", runs.join(", "));
        parts.push(if partitions == 1 {
            body
        } else {
            format!("p{p}{body}")
        });
    }
    if parts.is_empty() {
        "[]".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kafka::consumer::Fetched;

    #[test]
    fn batch_text_compresses_runs() {
        let f = |p, offset| Fetched {
            p,
            offset,
            msg: offset,
        };
        assert_eq!(
            fmt_batch(1, &[f(0, 500), f(0, 501), f(0, 502)]),
            "[500..502]"
        );
        assert_eq!(fmt_batch(1, &[f(0, 1), f(0, 3), f(0, 4)]), "[1, 3..4]");
        assert_eq!(fmt_batch(2, &[f(0, 1), f(1, 7)]), "p0[1] p1[7]");
        assert_eq!(fmt_batch(1, &[]), "[]");
    }
}
