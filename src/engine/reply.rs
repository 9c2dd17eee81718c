//! Replies, as a RESP2 client sees them.
//!
//! ```text
//!   Reply::Status("OK")        +OK\r\n             redis-cli: OK
//!   Reply::Error("ERR x")      -ERR x\r\n          redis-cli: (error) ERR x
//!   Reply::Integer(5)          :5\r\n              redis-cli: (integer) 5
//!   Reply::Bulk(b"v")          $1\r\nv\r\n         redis-cli: "v"
//!   Reply::Nil                 $-1\r\n             redis-cli: (nil)
//!   Reply::NilArray            *-1\r\n             redis-cli: (nil)
//!   Reply::Array([..])         *N\r\n...           redis-cli: 1) ... / (empty array)
//! ```

use super::id::push_decimal;

/// One RESP2 reply value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A status line such as `OK` or `PONG`.
    Status(String),
    /// An error line, including its code (`ERR ...`, `WRONGTYPE ...`).
    Error(String),
    /// A signed integer.
    Integer(i64),
    /// A binary-safe string.
    Bulk(Vec<u8>),
    /// The null bulk string.
    Nil,
    /// The null array (XREAD with nothing to return, a timed-out BLOCK).
    NilArray,
    /// An array of replies.
    Array(Vec<Reply>),
}

impl Reply {
    /// `+OK`.
    pub fn ok() -> Reply {
        Reply::Status("OK".to_string())
    }

    /// An error reply from its full text (`"ERR syntax error"`).
    pub fn err(text: impl Into<String>) -> Reply {
        Reply::Error(text.into())
    }

    /// A bulk string from anything byte-like.
    pub fn bulk(bytes: impl AsRef<[u8]>) -> Reply {
        Reply::Bulk(bytes.as_ref().to_vec())
    }

    /// True for error replies.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// Appends the RESP2 encoding of this reply to `out`.
    pub fn write_resp(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Status(s) => {
                out.push(b'+');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Error(s) => {
                out.push(b'-');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Integer(n) => {
                out.push(b':');
                if *n < 0 {
                    out.push(b'-');
                }
                push_decimal(out, n.unsigned_abs());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Bulk(b) => {
                out.push(b'$');
                push_decimal(out, b.len() as u64);
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
            Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Reply::Array(items) => {
                out.push(b'*');
                push_decimal(out, items.len() as u64);
                out.extend_from_slice(b"\r\n");
                for item in items {
                    item.write_resp(out);
                }
            }
        }
    }

    /// The RESP2 encoding as a fresh buffer.
    pub fn to_resp(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_resp(&mut out);
        out
    }

    /// The text `redis-cli --no-raw` prints for this reply (without the
    /// final newline), so transcripts and the console read exactly like
    /// a terminal session against Redis.
    pub fn to_cli_text(&self) -> String {
        let mut out = String::new();
        cli_format(self, 0, &mut out);
        if out.ends_with('\n') {
            out.pop();
        }
        out
    }
}

/// Port of redis-cli's `cliFormatReplyTTY`: nested arrays start on their
/// parent's index line and their later lines are indented to line up.
fn cli_format(reply: &Reply, indent: usize, out: &mut String) {
    match reply {
        Reply::Status(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Error(s) => {
            out.push_str("(error) ");
            out.push_str(s);
            out.push('\n');
        }
        Reply::Integer(n) => {
            out.push_str(&format!("(integer) {n}\n"));
        }
        Reply::Bulk(b) => {
            out.push_str(&quote_cli(b));
            out.push('\n');
        }
        Reply::Nil | Reply::NilArray => out.push_str("(nil)\n"),
        Reply::Array(items) if items.is_empty() => out.push_str("(empty array)\n"),
        Reply::Array(items) => {
            let width = items.len().to_string().len();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&" ".repeat(indent));
                }
                let label = format!("{:>width$}) ", i + 1);
                out.push_str(&label);
                cli_format(item, indent + label.len(), out);
            }
        }
    }
}

/// redis-cli's `sdscatrepr`: a double-quoted string with C-style escapes.
pub fn quote_cli(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x07 => s.push_str("\\a"),
            0x08 => s.push_str("\\b"),
            _ if b.is_ascii_graphic() || b == b' ' => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_arrays_print_like_redis_cli() {
        let entry = Reply::Array(vec![
            Reply::bulk("1-1"),
            Reply::Array(vec![Reply::bulk("a"), Reply::bulk("1")]),
        ]);
        assert_eq!(entry.to_cli_text(), "1) \"1-1\"\n2) 1) \"a\"\n   2) \"1\"");
        let wide = Reply::Array((0..10).map(Reply::Integer).collect());
        assert!(wide.to_cli_text().starts_with(" 1) (integer) 0\n"));
        assert!(wide.to_cli_text().ends_with("\n10) (integer) 9"));
    }

    #[test]
    fn resp_encoding_round_trips_the_shapes() {
        let r = Reply::Array(vec![Reply::Nil, Reply::Integer(-3), Reply::ok()]);
        assert_eq!(r.to_resp(), b"*3\r\n$-1\r\n:-3\r\n+OK\r\n");
        // Integers are written without the formatting machinery: the
        // extremes and zero must still read as `i64`'s Display.
        for n in [0, 7, -7, 1234567890, i64::MIN, i64::MAX] {
            assert_eq!(
                Reply::Integer(n).to_resp(),
                format!(":{n}\r\n").into_bytes()
            );
        }
        let long = Reply::bulk(vec![b'x'; 1234]);
        assert!(long.to_resp().starts_with(b"$1234\r\n"));
    }
}
