//! Command lines an actor sends over and over, rebuilt in place.
//!
//! ```text
//!   buf.start() ─▶ push(b"XADD") push(b"s") push_u64(17) ... ─▶ buf.argv() ─▶ Ctx::exec
//!                  each part overwrites the byte buffer of the same position
//! ```
//!
//! A producer sends the same XADD but for its message number, a reader the
//! same XREADGROUP every time: keeping last command's buffers makes a
//! steady actor allocate nothing per command, where building a fresh argv
//! cost one allocation per argument (the trace copies the argv only when
//! it keeps records).

use crate::engine::Argv;
use crate::engine::id::push_decimal;
use crate::scenario::schema::Trim;

/// An argv whose byte buffers are reused from one command to the next.
#[derive(Clone, Debug, Default)]
pub struct ArgvBuf {
    parts: Argv,
    len: usize,
}

impl ArgvBuf {
    /// Starts a new command line (the old buffers stay for reuse).
    pub fn start(&mut self) -> &mut Self {
        self.len = 0;
        self
    }

    /// The next argument's buffer, emptied.
    fn next(&mut self) -> &mut Vec<u8> {
        if self.len == self.parts.len() {
            self.parts.push(Vec::new());
        }
        self.len += 1;
        let part = &mut self.parts[self.len - 1];
        part.clear();
        part
    }

    /// Appends an argument.
    pub fn push(&mut self, part: impl AsRef<[u8]>) -> &mut Self {
        self.next().extend_from_slice(part.as_ref());
        self
    }

    /// Appends a number in decimal.
    pub fn push_u64(&mut self, n: u64) -> &mut Self {
        push_decimal(self.next(), n);
        self
    }

    /// Appends `<prefix><n>` (`f1`, `f2`, ...).
    pub fn push_numbered(&mut self, prefix: &str, n: u64) -> &mut Self {
        let part = self.next();
        part.extend_from_slice(prefix.as_bytes());
        push_decimal(part, n);
        self
    }

    /// Appends `n` copies of `byte` (a payload of a given size).
    pub fn push_filled(&mut self, byte: u8, n: usize) -> &mut Self {
        self.next().resize(n, byte);
        self
    }

    /// Appends `<n>-0`, an explicit stream ID.
    pub fn push_id(&mut self, ms: u64) -> &mut Self {
        let part = self.next();
        push_decimal(part, ms);
        part.extend_from_slice(b"-0");
        self
    }

    /// Appends a trim strategy as XADD/XTRIM options (`MAXLEN [~] n
    /// [LIMIT l]` or `MINID [~] <now − age>`); nothing for [`Trim::Nothing`].
    pub fn push_trim(&mut self, trim: &Trim, unix_ms: u64) -> &mut Self {
        match trim {
            Trim::Nothing => {}
            Trim::MaxLen { n, approx, limit } => {
                self.push("MAXLEN");
                if *approx {
                    self.push("~");
                }
                self.push_u64(*n);
                if let Some(l) = limit {
                    self.push("LIMIT").push_u64(*l);
                }
            }
            Trim::MinIdAge { age_ms, approx } => {
                self.push("MINID");
                if *approx {
                    self.push("~");
                }
                self.push_u64(unix_ms.saturating_sub(*age_ms));
            }
        }
        self
    }

    /// The command line built since [`ArgvBuf::start`].
    pub fn argv(&self) -> &[Vec<u8>] {
        &self.parts[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &ArgvBuf) -> Vec<String> {
        b.argv()
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn a_shorter_command_reuses_buffers_and_shows_only_its_own_parts() {
        let mut b = ArgvBuf::default();
        b.start()
            .push("XADD")
            .push("s")
            .push_trim(
                &Trim::MaxLen {
                    n: 100,
                    approx: true,
                    limit: Some(5),
                },
                0,
            )
            .push("*")
            .push("m")
            .push_u64(0);
        assert_eq!(
            text(&b),
            [
                "XADD", "s", "MAXLEN", "~", "100", "LIMIT", "5", "*", "m", "0"
            ]
        );
        b.start()
            .push("XADD")
            .push("s")
            .push_trim(
                &Trim::MinIdAge {
                    age_ms: 1000,
                    approx: false,
                },
                5000,
            )
            .push_id(18446744073709551615);
        assert_eq!(
            text(&b),
            ["XADD", "s", "MINID", "4000", "18446744073709551615-0"]
        );
    }
}
