//! The record of a run: one compact record per step, formatted only on demand.
//!
//! ```text
//!   StepRecord { step, time_ms, actor, command: Option<argv>, reply: Option<Reply>, note }
//!        │
//!        ├─ hash  ── FNV-1a over every record, always kept (trace_hash, determinism)
//!        └─ lines ── kept only when tracing is on; text built by `line()` / `caption()`
//! ```
//!
//! The hot path stores bytes and enums; strings are built when someone
//! prints, so a long untraced run pays for hashing and nothing else.

use crate::engine::{Argv, Reply};

/// Who acted in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Preloading streams and groups at t=0.
    Setup,
    /// The actor with this declaration index.
    Actor(u32),
    /// A fault.
    Fault,
    /// The Redis server's own timers (fsync, replication, failover).
    Server,
    /// A probe (read-only command).
    Probe,
    /// A narrative caption from the scenario.
    Narrator,
    /// A command typed into the explorer's console (a fork's action).
    Console,
}

/// What a step meant, beyond its command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// Nothing to add.
    Plain,
    /// Began processing a stream entry (message number).
    Started(String, u64),
    /// Finished processing successfully.
    Completed(String, u64),
    /// Processing failed (poison): no ack.
    Failed(String, u64),
    /// Read returned this many entries.
    Got(u64),
    /// A blocking read parked the client.
    Parked,
    /// A blocking read timed out.
    TimedOut,
    /// A non-blocking read found nothing new.
    NothingNew,
    /// A claim took this many entries; this many were gone from the stream.
    Claimed(u64, u64),
    /// XPENDING listed this many entries.
    PendingRows(u64),
    /// XTRIM removed this many entries.
    Trimmed(u64),
    /// XACK removed this many of the IDs it was given.
    Acked(u64, u64),
    /// The command got an error reply.
    Refused,
    /// Replica number `.0` (declaration order) applied `.1` writes.
    Applied(u64, u64),
    /// Free text (faults, server events, captions).
    Text(String),
}

/// One step of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRecord {
    /// 0-based step number.
    pub step: u64,
    /// Virtual ms.
    pub time_ms: u64,
    /// Who acted.
    pub who: Who,
    /// The command sent, if any.
    pub command: Option<Argv>,
    /// Its reply.
    pub reply: Option<Reply>,
    /// Meaning.
    pub note: Note,
}

impl StepRecord {
    /// Name of the acting party given the actor names.
    pub fn who_name<'a>(&self, actor_names: &'a [String]) -> &'a str {
        match self.who {
            Who::Setup => "setup",
            Who::Fault => "fault",
            Who::Server => "redis",
            Who::Probe => "probe",
            Who::Narrator => "narrator",
            Who::Console => "console",
            Who::Actor(i) => actor_names.get(i as usize).map_or("?", |s| s.as_str()),
        }
    }

    /// The one-line narrative caption.
    pub fn caption(&self, actor_names: &[String]) -> String {
        let who = self.who_name(actor_names);
        match &self.note {
            Note::Plain => match &self.command {
                Some(argv) => format!("{who} sends {}", command_text(argv)),
                None => who.to_string(),
            },
            Note::Started(id, m) => format!("{who} starts processing {id} (msg {m})"),
            Note::Completed(id, m) => format!("{who} finished {id} (msg {m})"),
            Note::Failed(id, m) => format!("{who} failed on {id} (msg {m}): no ack"),
            Note::Got(n) => format!("{who} received {n} entries"),
            Note::Parked => format!("{who} blocks waiting for new entries"),
            Note::TimedOut => format!("{who}'s blocking read timed out"),
            Note::NothingNew => format!("{who} finds nothing new"),
            Note::Claimed(n, 0) => format!("{who} claims {n} entries"),
            Note::Claimed(n, d) => {
                format!("{who} claims {n} entries; {d} pending entries were gone and leave the PEL")
            }
            Note::PendingRows(n) => format!("{who} sees {n} pending entries idle long enough"),
            Note::Trimmed(n) => format!("{who} trims {n} entries (the PEL is not consulted)"),
            Note::Acked(n, k) if n == k => format!("{who} acknowledges {n}"),
            Note::Acked(n, k) => format!(
                "{who} acknowledges {n} of {k}: the rest were no longer pending (XACK does not check the owner)"
            ),
            Note::Refused => format!("{who} gets an error"),
            Note::Applied(r, n) => format!("replica #{} applies {n} write(s)", r + 1),
            Note::Text(t) => format!("{who}: {t}"),
        }
    }

    /// The compact trace line used by goldens and the determinism test:
    /// `step time actor | command -> reply | caption`.
    pub fn line(&self, actor_names: &[String]) -> String {
        let mut s = format!(
            "{} t={} {}",
            self.step,
            self.time_ms,
            self.who_name(actor_names)
        );
        if let Some(argv) = &self.command {
            s.push_str(" | ");
            s.push_str(&command_text(argv));
        }
        if let Some(reply) = &self.reply {
            s.push_str(" -> ");
            s.push_str(&compact_reply(reply));
        }
        match &self.note {
            Note::Plain => {}
            _ => {
                s.push_str(" # ");
                s.push_str(&self.caption(actor_names));
            }
        }
        s
    }
}

/// A command as a one-line string, quoting arguments with spaces.
pub fn command_text(argv: &[Vec<u8>]) -> String {
    let parts: Vec<String> = argv
        .iter()
        .map(|a| {
            let t = String::from_utf8_lossy(a);
            if t.is_empty() || t.contains(' ') || t.contains('"') {
                format!("{t:?}")
            } else {
                t.into_owned()
            }
        })
        .collect();
    parts.join(" ")
}

/// A reply on one line (nested arrays in brackets).
pub fn compact_reply(reply: &Reply) -> String {
    let mut out = String::new();
    write_compact(reply, &mut out);
    out
}

fn write_compact(reply: &Reply, out: &mut String) {
    match reply {
        Reply::Status(s) => out.push_str(s),
        Reply::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
        }
        Reply::Integer(n) => out.push_str(&format!("(integer) {n}")),
        Reply::Bulk(b) => out.push_str(&format!("{:?}", String::from_utf8_lossy(b))),
        Reply::Nil | Reply::NilArray => out.push_str("(nil)"),
        Reply::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(item, out);
            }
            out.push(']');
        }
    }
}

/// Every step's record (when kept) and a running hash of all of them.
#[derive(Clone, Debug)]
pub struct Trace {
    keep: bool,
    records: Vec<StepRecord>,
    /// The newest record once drained, so the last step stays readable.
    last_drained: Option<StepRecord>,
    hashed_bytes: u64,
    hash: u64,
    steps: u64,
    scratch: Vec<u8>,
}

impl Trace {
    /// A trace that keeps records when `keep` is set.
    pub fn new(keep: bool) -> Trace {
        Trace {
            keep,
            records: Vec::new(),
            last_drained: None,
            hashed_bytes: 0,
            hash: 0xcbf2_9ce4_8422_2325,
            steps: 0,
            scratch: Vec::new(),
        }
    }

    /// Appends one step; returns its number.
    pub fn record(
        &mut self,
        time_ms: u64,
        who: Who,
        command: Option<&[Vec<u8>]>,
        reply: Option<&Reply>,
        note: Note,
    ) -> u64 {
        let step = self.steps;
        self.steps += 1;
        self.mix(&time_ms.to_le_bytes());
        let who_code: u64 = match who {
            Who::Setup => 1 << 40,
            Who::Fault => 2 << 40,
            Who::Server => 3 << 40,
            Who::Probe => 4 << 40,
            Who::Narrator => 5 << 40,
            Who::Console => 6 << 40,
            Who::Actor(i) => i as u64,
        };
        self.mix(&who_code.to_le_bytes());
        if let Some(argv) = command {
            for a in argv {
                self.mix(&(a.len() as u64).to_le_bytes());
                self.mix(a);
            }
        }
        if let Some(r) = reply {
            let mut buf = std::mem::take(&mut self.scratch);
            buf.clear();
            r.write_resp(&mut buf);
            self.mix(&buf);
            self.scratch = buf;
        }
        match &note {
            Note::Plain => self.mix(b"P"),
            Note::Started(id, m) | Note::Completed(id, m) | Note::Failed(id, m) => {
                let tag: &[u8] = match note {
                    Note::Started(..) => b"S",
                    Note::Completed(..) => b"C",
                    _ => b"F",
                };
                self.mix(tag);
                self.mix(id.as_bytes());
                self.mix(&m.to_le_bytes());
            }
            Note::Got(n) => {
                self.mix(b"G");
                self.mix(&n.to_le_bytes());
            }
            Note::Parked => self.mix(b"K"),
            Note::TimedOut => self.mix(b"T"),
            Note::NothingNew => self.mix(b"N"),
            Note::Refused => self.mix(b"R"),
            Note::Claimed(a, b) | Note::Acked(a, b) | Note::Applied(a, b) => {
                self.mix(match note {
                    Note::Claimed(..) => b"L",
                    Note::Acked(..) => b"A",
                    _ => b"Y",
                });
                self.mix(&a.to_le_bytes());
                self.mix(&b.to_le_bytes());
            }
            Note::PendingRows(n) | Note::Trimmed(n) => {
                self.mix(if matches!(note, Note::Trimmed(..)) {
                    b"M"
                } else {
                    b"W"
                });
                self.mix(&n.to_le_bytes());
            }
            Note::Text(t) => {
                self.mix(b"X");
                self.mix(t.as_bytes());
            }
        }
        if self.keep {
            self.records.push(StepRecord {
                step,
                time_ms,
                who,
                command: command.map(<[Vec<u8>]>::to_vec),
                reply: reply.cloned(),
                note,
            });
        }
        step
    }

    fn mix(&mut self, bytes: &[u8]) {
        self.hashed_bytes += bytes.len() as u64;
        for &b in bytes {
            self.hash ^= b as u64;
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Steps recorded so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Bytes the hash has read so far (every step's command, reply and
    /// note): a measure of the work done, for spacing checkpoints.
    pub fn hashed_bytes(&self) -> u64 {
        self.hashed_bytes
    }

    /// The running hash of every step.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The kept records (empty when tracing is off).
    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    /// Moves the kept records out (the hash and step count stay, and a
    /// copy of the newest record for [`Trace::last_record`]).
    pub fn drain_records(&mut self) -> Vec<StepRecord> {
        let out = std::mem::take(&mut self.records);
        if let Some(r) = out.last() {
            self.last_drained = Some(r.clone());
        }
        out
    }

    /// The record of the newest step, drained or not (`None` when tracing
    /// is off or nothing happened yet).
    pub fn last_record(&self) -> Option<&StepRecord> {
        self.records.last().or(self.last_drained.as_ref())
    }

    /// True when records are kept.
    pub fn keeps_records(&self) -> bool {
        self.keep
    }

    /// Starts or stops keeping records; the hash covers every step either
    /// way. A timeline replaying steps it already recorded once turns it
    /// off (their records would be thrown away).
    pub fn set_keep(&mut self, keep: bool) {
        self.keep = keep;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Argv {
        s.split(' ').map(|p| p.as_bytes().to_vec()).collect()
    }

    #[test]
    fn hash_depends_on_content_and_not_on_keeping() {
        let mut a = Trace::new(true);
        let mut b = Trace::new(false);
        for t in [&mut a, &mut b] {
            t.record(
                5,
                Who::Actor(0),
                Some(&argv("XLEN s")),
                Some(&Reply::Integer(3)),
                Note::Plain,
            );
        }
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.records().len(), 1);
        assert!(b.records().is_empty());
        let mut c = Trace::new(false);
        c.record(
            5,
            Who::Actor(0),
            Some(&argv("XLEN s")),
            Some(&Reply::Integer(4)),
            Note::Plain,
        );
        assert_ne!(a.hash(), c.hash());
    }

    #[test]
    fn line_shows_time_actor_command_reply_and_caption() {
        let mut t = Trace::new(true);
        t.record(
            1000,
            Who::Actor(1),
            Some(&argv("XACK s g 4-0")),
            Some(&Reply::Integer(1)),
            Note::Completed("4-0".into(), 4),
        );
        let names = vec!["c1".to_string(), "c2".to_string()];
        assert_eq!(
            t.records()[0].line(&names),
            "0 t=1000 c2 | XACK s g 4-0 -> (integer) 1 # c2 finished 4-0 (msg 4)"
        );
    }

    #[test]
    fn compact_reply_nests() {
        let r = Reply::Array(vec![
            Reply::bulk("0-0"),
            Reply::Array(vec![]),
            Reply::NilArray,
        ]);
        assert_eq!(compact_reply(&r), "[\"0-0\", [], (nil)]");
    }
}
