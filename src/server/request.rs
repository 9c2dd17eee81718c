//! Reading commands out of a client's query buffer, as Redis's networking.c
//! does (`processInputBuffer`, `processMultibulkBuffer`, `processInlineBuffer`).
//!
//! ```text
//!   query buffer:  *3\r\n$4\r\nXLEN\r\n ...  PING\r\n  *2\r\n$3\r\nXL|
//!                  └── multibulk (starts with '*') ┘└ inline ┘└ partial: kept
//!                                                              in the parser,
//!                                                              resumed on the
//!                                                              next read
//!   RequestParser { kind, args_left, bulk_len, args }   one per connection
//! ```
//!
//! The parser is resumable: a command split across TCP reads keeps its
//! already-complete arguments and its position in the protocol, so a
//! megabyte-sized pipeline or a 512 MB bulk is read once, not re-scanned
//! on every read. Errors are Redis's, word for word; after one the
//! connection is closed once the error reply is written.

use crate::engine::Argv;
use crate::engine::id::string2ll;

/// An inline command, or a multibulk or bulk header, may not be longer
/// than this without its line end (`PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_BYTES: usize = 64 * 1024;

/// The largest bulk argument accepted (`proto-max-bulk-len`, 512 MB).
pub const BULK_MAX_BYTES: i64 = 512 * 1024 * 1024;

/// The largest multibulk count Redis 7.0 accepts (`INT_MAX`). Argument
/// vectors grow as arguments arrive, so a huge count costs nothing until
/// the client actually sends that many arguments.
pub const MULTIBULK_MAX_COUNT: i64 = i32::MAX as i64;

/// A malformed request: the client gets `-ERR <message>` and is closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError {
    /// The text after `ERR `, e.g. `Protocol error: invalid bulk length`.
    pub message: String,
}

impl ProtocolError {
    fn new(what: &str) -> ProtocolError {
        ProtocolError {
            message: format!("Protocol error: {what}"),
        }
    }

    /// The full error reply text, `ERR Protocol error: ...`.
    pub fn reply_text(&self) -> String {
        format!("ERR {}", self.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Inline,
    Multibulk,
}

/// Where one connection is in the request it is reading.
#[derive(Debug, Default)]
pub struct RequestParser {
    /// The request type, decided by the first byte of a request.
    kind: Option<Kind>,
    /// Arguments still to read in the current multibulk; 0 between requests.
    args_left: usize,
    /// Length of the bulk being read, once its `$N` header has been parsed.
    bulk_len: Option<usize>,
    /// The arguments of the current multibulk read so far.
    args: Argv,
}

impl RequestParser {
    /// A parser waiting for the start of a request.
    pub fn new() -> RequestParser {
        RequestParser::default()
    }

    /// Reads the next complete command from `buf[*pos..]`, advancing `*pos`
    /// past everything consumed.
    ///
    /// `Ok(Some(argv))` is a command; it may be empty (`*0\r\n`, a blank
    /// line), which Redis skips. `Ok(None)` means more bytes are needed.
    pub fn next(&mut self, buf: &[u8], pos: &mut usize) -> Result<Option<Argv>, ProtocolError> {
        if *pos >= buf.len() {
            return Ok(None);
        }
        let kind = *self.kind.get_or_insert(if buf[*pos] == b'*' {
            Kind::Multibulk
        } else {
            Kind::Inline
        });
        let parsed = match kind {
            Kind::Inline => parse_inline(buf, pos),
            Kind::Multibulk => self.parse_multibulk(buf, pos),
        };
        if !matches!(parsed, Ok(None)) {
            self.kind = None;
        }
        parsed
    }

    fn parse_multibulk(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
    ) -> Result<Option<Argv>, ProtocolError> {
        if self.args_left == 0 {
            let Some(cr) = find(buf, *pos, b'\r') else {
                if buf.len() - *pos > INLINE_MAX_BYTES {
                    return Err(ProtocolError::new("too big mbulk count string"));
                }
                return Ok(None);
            };
            if cr + 1 >= buf.len() {
                return Ok(None);
            }
            let count = match string2ll(&buf[*pos + 1..cr]) {
                Some(n) if n <= MULTIBULK_MAX_COUNT => n,
                _ => return Err(ProtocolError::new("invalid multibulk length")),
            };
            *pos = cr + 2;
            if count <= 0 {
                return Ok(Some(Vec::new()));
            }
            self.args_left = count as usize;
            self.args = Vec::with_capacity(self.args_left.min(1024));
        }
        while self.args_left > 0 {
            let bulk_len = match self.bulk_len {
                Some(n) => n,
                None => {
                    let Some(cr) = find(buf, *pos, b'\r') else {
                        if buf.len() - *pos > INLINE_MAX_BYTES {
                            return Err(ProtocolError::new("too big bulk count string"));
                        }
                        return Ok(None);
                    };
                    if cr + 1 >= buf.len() {
                        return Ok(None);
                    }
                    if buf[*pos] != b'$' {
                        let got = char::from(buf[*pos]);
                        return Err(ProtocolError::new(&format!("expected '$', got '{got}'")));
                    }
                    let n = match string2ll(&buf[*pos + 1..cr]) {
                        Some(n) if (0..=BULK_MAX_BYTES).contains(&n) => n as usize,
                        _ => return Err(ProtocolError::new("invalid bulk length")),
                    };
                    *pos = cr + 2;
                    self.bulk_len = Some(n);
                    n
                }
            };
            // Redis skips the two bytes after the data without checking
            // that they are CRLF; so do we.
            if buf.len() - *pos < bulk_len + 2 {
                return Ok(None);
            }
            self.args.push(buf[*pos..*pos + bulk_len].to_vec());
            *pos += bulk_len + 2;
            self.bulk_len = None;
            self.args_left -= 1;
        }
        Ok(Some(std::mem::take(&mut self.args)))
    }
}

fn parse_inline(buf: &[u8], pos: &mut usize) -> Result<Option<Argv>, ProtocolError> {
    let Some(newline) = find(buf, *pos, b'\n') else {
        if buf.len() - *pos > INLINE_MAX_BYTES {
            return Err(ProtocolError::new("too big inline request"));
        }
        return Ok(None);
    };
    let line_end = if newline > *pos && buf[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    };
    let Some(args) = crate::engine::split_args::split_args(&buf[*pos..line_end]) else {
        return Err(ProtocolError::new("unbalanced quotes in request"));
    };
    *pos = newline + 1;
    Ok(Some(args))
}

fn find(buf: &[u8], from: usize, byte: u8) -> Option<usize> {
    buf[from..]
        .iter()
        .position(|&b| b == byte)
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in chunks of `chunk` bytes, collecting commands or the
    /// first error, as a connection would.
    fn feed(input: &[u8], chunk: usize) -> (Vec<Argv>, Option<String>) {
        let mut parser = RequestParser::new();
        let mut buf = Vec::new();
        let mut pos = 0;
        let mut commands = Vec::new();
        for piece in input.chunks(chunk.max(1)) {
            buf.extend_from_slice(piece);
            loop {
                match parser.next(&buf, &mut pos) {
                    Ok(Some(argv)) => commands.push(argv),
                    Ok(None) => break,
                    Err(e) => return (commands, Some(e.reply_text())),
                }
            }
            buf.drain(..pos);
            pos = 0;
        }
        (commands, None)
    }

    fn argv(words: &[&str]) -> Argv {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn pipelined_multibulk_and_inline_in_any_split() {
        let input = b"*2\r\n$4\r\nXLEN\r\n$1\r\ns\r\nPING\r\n*1\r\n$4\r\nPING\r\nXADD s 1-1 f v\n";
        let expected = vec![
            argv(&["XLEN", "s"]),
            argv(&["PING"]),
            argv(&["PING"]),
            argv(&["XADD", "s", "1-1", "f", "v"]),
        ];
        for chunk in 1..input.len() {
            let (commands, err) = feed(input, chunk);
            assert_eq!(err, None, "chunk {chunk}");
            assert_eq!(commands, expected, "chunk {chunk}");
        }
    }

    #[test]
    fn binary_bulks_may_hold_crlf() {
        let (commands, err) = feed(b"*1\r\n$4\r\na\r\nb\r\n", 3);
        assert_eq!(err, None);
        assert_eq!(commands, vec![vec![b"a\r\nb".to_vec()]]);
    }

    #[test]
    fn empty_requests_are_empty_argv() {
        let (commands, err) = feed(b"*0\r\n*-1\r\n\r\n   \r\n", 100);
        assert_eq!(err, None);
        assert_eq!(commands, vec![Vec::<Vec<u8>>::new(); 4]);
    }

    #[test]
    fn protocol_errors_match_redis() {
        let cases: &[(&[u8], &str)] = &[
            (b"*abc\r\n", "invalid multibulk length"),
            (b"*2147483648\r\n", "invalid multibulk length"),
            (b"*1\r\n$-1\r\n", "invalid bulk length"),
            (b"*1\r\n$536870913\r\n", "invalid bulk length"),
            (b"*1\r\n$x\r\n", "invalid bulk length"),
            (b"*1\r\n:5\r\n", "expected '$', got ':'"),
            (b"SET k \"v\r\n", "unbalanced quotes in request"),
        ];
        for (input, message) in cases {
            let (_, err) = feed(input, 100);
            assert_eq!(
                err,
                Some(format!("ERR Protocol error: {message}")),
                "{input:?}"
            );
        }
    }

    #[test]
    fn over_long_lines_are_rejected_without_a_line_end() {
        let long = vec![b'a'; INLINE_MAX_BYTES + 1];
        assert_eq!(
            feed(&long, 4096).1,
            Some("ERR Protocol error: too big inline request".into())
        );
        let mut mbulk = b"*".to_vec();
        mbulk.extend(std::iter::repeat_n(b'1', INLINE_MAX_BYTES + 1));
        assert_eq!(
            feed(&mbulk, 4096).1,
            Some("ERR Protocol error: too big mbulk count string".into())
        );
        let mut bulk = b"*1\r\n$".to_vec();
        bulk.extend(std::iter::repeat_n(b'1', INLINE_MAX_BYTES + 1));
        assert_eq!(
            feed(&bulk, 4096).1,
            Some("ERR Protocol error: too big bulk count string".into())
        );
        // Exactly the limit is still waiting for more.
        assert_eq!(feed(&long[..INLINE_MAX_BYTES], 4096), (vec![], None));
    }

    #[test]
    fn commands_before_an_error_are_kept() {
        let (commands, err) = feed(b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n", 5);
        assert_eq!(commands, vec![argv(&["PING"]), argv(&["PING"])]);
        assert_eq!(
            err,
            Some("ERR Protocol error: invalid multibulk length".into())
        );
    }
}
