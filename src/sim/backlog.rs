//! The replication backlog: the tail of the replication stream a primary
//! keeps so that a replica that lost its link can continue where it was.
//!
//! ```text
//!   offsets   first ............................. last
//!   records   [(offset, argv, bytes), ...]   Σ bytes ≤ repl-backlog-size
//!
//!   replica at offset A asks to continue (PSYNC A+1):
//!     first ≤ A+1 ─▶ partial resync: send (A, last]
//!     otherwise   ─▶ full resync: copy the whole dataset
//! ```
//!
//! replication.c addReplyReplicationBacklog / masterTryPartialResynchronization:
//! the backlog is a byte ring of `repl-backlog-size`; a request for an
//! offset it no longer holds gets +FULLRESYNC. The size of a record is its
//! RESP encoding, which is what the primary writes into the ring.

use crate::engine::Argv;
use std::collections::VecDeque;

/// The recent replication stream, bounded in bytes.
#[derive(Clone, Debug, Default)]
pub struct Backlog {
    records: VecDeque<(u64, Argv, u64)>,
    bytes: u64,
    capacity_bytes: u64,
}

impl Backlog {
    /// An empty backlog of `capacity_bytes` (`repl-backlog-size`).
    pub fn new(capacity_bytes: u64) -> Backlog {
        Backlog {
            capacity_bytes,
            ..Backlog::default()
        }
    }

    /// The size it was created with.
    pub fn capacity_bytes(&self) -> u64 {
        self.capacity_bytes
    }

    /// Appends the record at `offset`, dropping the oldest ones that no
    /// longer fit.
    pub fn push(&mut self, offset: u64, argv: Argv) {
        let size = resp_bytes(&argv);
        self.records.push_back((offset, argv, size));
        self.bytes += size;
        while self.bytes > self.capacity_bytes && self.records.len() > 1 {
            if let Some((_, _, b)) = self.records.pop_front() {
                self.bytes -= b;
            }
        }
    }

    /// The records after `offset`, or `None` when the backlog no longer
    /// holds the one right after it (a full resync is needed).
    pub fn after(&self, offset: u64) -> Option<Vec<(u64, Argv)>> {
        match self.records.front() {
            Some(&(first, _, _)) if first > offset + 1 => None,
            _ => Some(
                self.records
                    .iter()
                    .filter(|r| r.0 > offset)
                    .map(|r| (r.0, r.1.clone()))
                    .collect(),
            ),
        }
    }

    /// Forgets every record after `offset`: a promoted replica's history
    /// ends where it stopped applying, and so does its backlog.
    pub fn truncate_after(&mut self, offset: u64) {
        while self.records.back().is_some_and(|r| r.0 > offset) {
            if let Some((_, _, b)) = self.records.pop_back() {
                self.bytes -= b;
            }
        }
    }
}

/// Bytes of `argv` as a RESP multi-bulk (`*n\r\n` then `$len\r\n...\r\n`).
pub fn resp_bytes(argv: &Argv) -> u64 {
    let digits = |n: usize| u64::from(n.checked_ilog10().unwrap_or(0)) + 1;
    let mut total = 1 + digits(argv.len()) + 2;
    for a in argv {
        total += 1 + digits(a.len()) + 2 + a.len() as u64 + 2;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Argv {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    #[test]
    fn resp_size_counts_headers_and_payload() {
        // *3\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n1-0\r\n
        assert_eq!(resp_bytes(&argv("XADD s 1-0")), 4 + 10 + 7 + 9);
        // Length prefixes of 1 and 3 digits: `*2`, `$0` and `$100`.
        assert_eq!(resp_bytes(&vec![Vec::new(), vec![b'x'; 100]]), 4 + 6 + 108);
    }

    #[test]
    fn a_replica_inside_the_backlog_continues_one_outside_needs_a_full_copy() {
        let one = resp_bytes(&argv("XADD s 1-0"));
        let mut b = Backlog::new(3 * one);
        for (i, id) in ["1-0", "2-0", "3-0", "4-0", "5-0"].iter().enumerate() {
            b.push(i as u64 + 1, argv(&format!("XADD s {id}")));
        }
        // Offsets 3, 4, 5 remain.
        let tail = b
            .after(2)
            .map(|v| v.iter().map(|r| r.0).collect::<Vec<_>>());
        assert_eq!(tail, Some(vec![3, 4, 5]));
        assert_eq!(b.after(4).map(|v| v.len()), Some(1));
        assert_eq!(b.after(5).map(|v| v.len()), Some(0));
        assert!(b.after(1).is_none());
        b.truncate_after(3);
        assert_eq!(b.after(2).map(|v| v.len()), Some(1));
    }
}
