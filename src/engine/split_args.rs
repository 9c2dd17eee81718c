//! Splitting an inline command line into arguments, as `sdssplitargs` does.
//!
//! ```text
//!   XADD s * msg "hello world\n" 'it''s'
//!   └──┘ └┘└┘└─┘ └─────────────┘ └─────┘
//!    1    2 3  4        5            6 ── error: a closing quote must be
//!                                         followed by a space or the end
//! ```
//!
//! redis-cli splits what is typed at its prompt this way, and it, or
//! redis-benchmark, can send commands as plain text lines (`PING\r\n`), as
//! telnet users always do: the server splits inline commands with it, and
//! scenarios and the explorer's console split their command lines with it. Redis splits such a line on
//! whitespace, honouring double quotes (with `\n \r \t \b \a \\ \" \xHH`
//! escapes) and single quotes (with only `\'`). An unterminated quote, or
//! a closing quote glued to the next word, makes the whole line invalid.

/// Splits `line` into arguments, or returns `None` for unbalanced quotes.
///
/// The line is a C string in Redis: a NUL byte ends it.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let end = line.iter().position(|&b| b == 0).unwrap_or(line.len());
    let line = &line[..end];
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_c_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = at(i);
            if in_double {
                if c == b'\\' && at(i + 1) == b'x' && is_hex(at(i + 2)) && is_hex(at(i + 3)) {
                    current.push(hex_value(at(i + 2)) * 16 + hex_value(at(i + 3)));
                    i += 3;
                } else if c == b'\\' && at(i + 1) != 0 {
                    i += 1;
                    current.push(match at(i) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(i + 1) != 0 && !is_c_space(at(i + 1)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(i + 1) == b'\'' {
                    i += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(i + 1) != 0 && !is_c_space(at(i + 1)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    other => current.push(other),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn splits_on_whitespace_runs() {
        assert_eq!(
            split("  XADD\ts  *\r\nf v "),
            Some(vec![
                "XADD".into(),
                "s".into(),
                "*".into(),
                "f".into(),
                "v".into()
            ])
        );
        assert_eq!(split("   "), Some(vec![]));
    }

    #[test]
    fn vertical_tab_only_separates_between_words() {
        // Leading blanks are skipped with isspace(), but inside a word only
        // space, tab, CR and LF end it: Redis keeps the \v.
        assert_eq!(
            split("\x0bPING a\x0bb"),
            Some(vec!["PING".into(), "a\x0bb".into()])
        );
    }

    #[test]
    fn double_quotes_take_escapes() {
        assert_eq!(
            split(r#"SET k "a b\n\x41\"""#),
            Some(vec!["SET".into(), "k".into(), "a b\nA\"".into()])
        );
        assert_eq!(split(r#""\xZZ""#), Some(vec!["xZZ".into()]));
    }

    #[test]
    fn single_quotes_only_escape_the_quote() {
        assert_eq!(split(r"'it\'s \n'"), Some(vec![r"it's \n".into()]));
    }

    #[test]
    fn quotes_join_with_the_preceding_word() {
        assert_eq!(
            split(r#"ab"c d" e"#),
            Some(vec!["abc d".into(), "e".into()])
        );
    }

    #[test]
    fn unbalanced_or_glued_quotes_fail() {
        assert_eq!(split(r#"SET k "abc"#), None);
        assert_eq!(split(r#"SET k "abc"def"#), None);
        assert_eq!(split("SET k 'abc"), None);
        assert_eq!(split("SET k 'a'b"), None);
    }

    #[test]
    fn a_nul_byte_ends_the_line() {
        assert_eq!(split_args(b"PING\0 ignored"), Some(vec![b"PING".to_vec()]));
    }
}
