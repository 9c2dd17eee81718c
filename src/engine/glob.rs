//! Glob patterns as KEYS, SCAN MATCH and CONFIG GET read them: Redis's
//! `stringmatchlen`, quirks included.
//!
//! ```text
//!   *        any run of bytes (runs of * collapse)
//!   ?        one byte
//!   [abc]    one of; [^abc] none of; [a-z] a range (reversed ranges work);
//!            \] escapes inside; an unclosed [ matches what it listed so far
//!   \x       x literally
//! ```

/// A byte of the pattern, or NUL past its end (the C string's terminator).
fn at(pattern: &[u8], i: usize) -> u8 {
    pattern.get(i).copied().unwrap_or(0)
}

/// Whether `string` matches `pattern` (case-sensitive).
pub fn matches(pattern: &[u8], string: &[u8]) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    while p < pattern.len() && s < string.len() {
        match pattern[p] {
            b'*' => {
                while at(pattern, p + 1) == b'*' && p + 1 < pattern.len() {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while s < string.len() {
                    if matches(&pattern[p + 1..], &string[s..]) {
                        return true;
                    }
                    s += 1;
                }
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let negate = at(pattern, p) == b'^';
                if negate {
                    p += 1;
                }
                let c = string[s];
                let mut hit = false;
                loop {
                    let left = pattern.len().saturating_sub(p);
                    if at(pattern, p) == b'\\' && left >= 2 {
                        p += 1;
                        hit |= pattern[p] == c;
                    } else if at(pattern, p) == b']' {
                        break;
                    } else if left == 0 {
                        p -= 1;
                        break;
                    } else if left >= 3 && pattern[p + 1] == b'-' {
                        let (a, b) = (pattern[p], pattern[p + 2]);
                        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                        hit |= (lo..=hi).contains(&c);
                        p += 2;
                    } else {
                        hit |= pattern[p] == c;
                    }
                    p += 1;
                }
                if hit == negate {
                    return false;
                }
                s += 1;
            }
            b'\\' if pattern.len() - p >= 2 => {
                p += 1;
                if pattern[p] != string[s] {
                    return false;
                }
                s += 1;
            }
            other => {
                if other != string[s] {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while p < pattern.len() && pattern[p] == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && s == string.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn redis_glob_cases() {
        let yes = [
            ("*", "abc"),
            ("a*", "a"),
            ("a*c", "abbbc"),
            ("h?llo", "hello"),
            ("h[ae]llo", "hallo"),
            ("h[^e]llo", "hallo"),
            ("h[a-b]llo", "hbllo"),
            ("h[b-a]llo", "hallo"),
            ("a\\*b", "a*b"),
            ("x[\\]]", "x]"),
            ("user:*:name", "user:42:name"),
        ];
        for (p, s) in yes {
            assert!(matches(p.as_bytes(), s.as_bytes()), "{p} ~ {s}");
        }
        let no = [
            ("", "a"),
            // The loop needs a byte of the string: "*" does not match "".
            ("*", ""),
            ("a", ""),
            ("?", ""),
            ("h[^e]llo", "hello"),
            ("h[a-b]llo", "hcllo"),
            ("a*c", "abd"),
            ("a\\*b", "axb"),
        ];
        for (p, s) in no {
            assert!(!matches(p.as_bytes(), s.as_bytes()), "{p} !~ {s}");
        }
    }
}
