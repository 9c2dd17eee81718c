//! LZF, the compression of long strings in RDB files and DUMP payloads,
//! producing exactly the bytes of Redis 7.0.15's `lzf_c.c` (built as
//! Redis builds it: `VERY_FAST`, `HLOG` 16) and reading `lzf_d.c`'s format.
//!
//! ```text
//!   000LLLLL  L+1 literal bytes follow               (1..32 bytes)
//!   LLLooooo oooooooo            copy L+2 bytes from o+1 back   (L 1..6)
//!   111ooooo LLLLLLLL oooooooo   copy L+9 bytes from o+1 back   (offset ≤ 8192)
//!
//!   compressor: walk the input; a hash of the next 3 bytes names a slot
//!   holding the last position with that hash; when the 3 bytes there are
//!   the same and at most 8 KB back, extend the match (up to 264 bytes),
//!   emit a back reference, and hash only the last two positions it covered
//! ```
//!
//! The slot table starts empty for every string. (`lzf_c.c` leaves it
//! uninitialised on the stack, `INIT_HTAB` 0, so a slot can still point
//! where a previous string had a match candidate; a fresh process starts
//! from zeroed pages, which is this.)

/// `HLOG`: the slot table has 2^16 entries.
const HASH_LOG: u32 = 16;
const HASH_SLOTS: usize = 1 << HASH_LOG;
/// The longest literal run one control byte covers.
const MAX_LITERAL_RUN: usize = 1 << 5;
/// The farthest a back reference reaches.
const MAX_OFFSET: usize = 1 << 13;
/// The longest back reference (`(1 << 8) + (1 << 3)`).
const MAX_REFERENCE: usize = (1 << 8) + (1 << 3);

/// `FRST`: the hash seed from the first two bytes at `at`.
fn first(input: &[u8], at: usize) -> u32 {
    (u32::from(input[at]) << 8) | u32::from(input[at + 1])
}

/// `NEXT`: shifts in the third byte at `at`.
fn next(hash: u32, input: &[u8], at: usize) -> u32 {
    (hash << 8) | u32::from(input[at + 2])
}

/// `IDX` in its `VERY_FAST` form.
fn slot(hash: u32) -> usize {
    ((hash >> (3 * 8 - HASH_LOG)).wrapping_sub(hash.wrapping_mul(5)) as usize) & (HASH_SLOTS - 1)
}

/// Compresses `input` into at most `out_limit` bytes (`lzf_compress`);
/// `None` when it does not fit, which is how Redis learns compression
/// does not pay (it asks for at least 4 bytes saved).
pub fn compress(input: &[u8], out_limit: usize) -> Option<Vec<u8>> {
    Compressor::new().compress(input, out_limit)
}

/// The slot table, kept between strings so that a payload with many
/// strings (a stream's nodes) allocates it once; the slots a string used
/// are cleared after it, so every string still starts from an empty table.
pub struct Compressor {
    /// Positions; 0 means "none", as position 0 can never be a match
    /// candidate (`ref > in_data`).
    table: Vec<u32>,
    /// Slots written by the current string.
    touched: Vec<usize>,
}

impl Default for Compressor {
    fn default() -> Self {
        Compressor::new()
    }
}

impl Compressor {
    pub fn new() -> Compressor {
        Compressor {
            table: vec![0u32; HASH_SLOTS],
            touched: Vec::new(),
        }
    }

    /// [`compress`] with this table.
    pub fn compress(&mut self, input: &[u8], out_limit: usize) -> Option<Vec<u8>> {
        let out = compress_with(&mut self.table, &mut self.touched, input, out_limit);
        for slot in self.touched.drain(..) {
            self.table[slot] = 0;
        }
        out
    }
}

fn compress_with(
    table: &mut [u32],
    touched: &mut Vec<usize>,
    input: &[u8],
    out_limit: usize,
) -> Option<Vec<u8>> {
    let in_len = input.len();
    if in_len == 0 || out_limit == 0 {
        return None;
    }
    // Room for the control byte a run reserves one past the limit, which
    // the C code's `out_len + 1` buffer also allows.
    let mut out = vec![0u8; out_limit + 4];
    let out_end = out_limit;
    let mut ip = 0usize;
    let mut lit = 0usize;
    let mut op = 1usize; // the first literal run's control byte is out[0]
    let mut hash = if in_len >= 2 { first(input, 0) } else { 0 };
    while ip + 2 < in_len {
        hash = next(hash, input, ip);
        let at = slot(hash);
        let candidate = table[at] as usize;
        table[at] = ip as u32;
        touched.push(at);
        let off = ip.wrapping_sub(candidate).wrapping_sub(1);
        let found = candidate > 0
            && candidate < ip
            && off < MAX_OFFSET
            && input[candidate + 2] == input[ip + 2]
            && input[candidate] == input[ip]
            && input[candidate + 1] == input[ip + 1];
        if found {
            let mut len = 2usize;
            let max_len = (in_len - ip - len).min(MAX_REFERENCE);
            if op + 3 + 1 >= out_end && op - usize::from(lit == 0) + 3 + 1 >= out_end {
                return None;
            }
            out[op - lit - 1] = (lit as u8).wrapping_sub(1); // close the literal run
            op -= usize::from(lit == 0); // an empty run takes no byte
            len = extend_match(input, candidate, ip, len, max_len);
            len -= 2; // the format stores length − 2
            ip += 1;
            if len < 7 {
                out[op] = ((off >> 8) + (len << 5)) as u8;
                op += 1;
            } else {
                out[op] = ((off >> 8) + (7 << 5)) as u8;
                out[op + 1] = (len - 7) as u8;
                op += 2;
            }
            out[op] = off as u8;
            op += 1;
            lit = 0;
            op += 1; // reserve the next run's control byte
            ip += len + 1;
            if ip + 2 >= in_len {
                break;
            }
            // VERY_FAST: hash the last two positions the match covered.
            ip -= 2;
            hash = first(input, ip);
            hash = next(hash, input, ip);
            table[slot(hash)] = ip as u32;
            touched.push(slot(hash));
            ip += 1;
            hash = next(hash, input, ip);
            table[slot(hash)] = ip as u32;
            touched.push(slot(hash));
            ip += 1;
        } else {
            if op >= out_end {
                return None;
            }
            lit += 1;
            out[op] = input[ip];
            op += 1;
            ip += 1;
            if lit == MAX_LITERAL_RUN {
                out[op - lit - 1] = (lit - 1) as u8;
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_end {
        return None;
    }
    while ip < in_len {
        lit += 1;
        out[op] = input[ip];
        op += 1;
        ip += 1;
        if lit == MAX_LITERAL_RUN {
            out[op - lit - 1] = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    out[op - lit - 1] = (lit as u8).wrapping_sub(1);
    op -= usize::from(lit == 0);
    out.truncate(op);
    Some(out)
}

/// How far the match at `ip` against `candidate` reaches: the unrolled
/// sixteen steps of `lzf_c.c` (taken without a bound check when more than
/// 16 bytes may match, so a match can run one or two bytes past
/// `max_len`), then byte by byte up to `max_len`. Returns the length.
fn extend_match(
    input: &[u8],
    candidate: usize,
    ip: usize,
    mut len: usize,
    max_len: usize,
) -> usize {
    if max_len > 16 {
        for _ in 0..16 {
            len += 1;
            if input[candidate + len] != input[ip + len] {
                return len;
            }
        }
    }
    loop {
        len += 1;
        if !(len < max_len && input[candidate + len] == input[ip + len]) {
            return len;
        }
    }
}

/// Why a compressed string did not decompress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LzfError {
    /// The output would exceed the announced length (`E2BIG`).
    TooBig,
    /// A run or reference points outside the data (`EINVAL`).
    Invalid,
}

/// Decompresses `input` into at most `out_limit` bytes (`lzf_decompress`).
pub fn decompress(input: &[u8], out_limit: usize) -> Result<Vec<u8>, LzfError> {
    let mut out: Vec<u8> = Vec::with_capacity(out_limit);
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < (1 << 5) {
            let run = ctrl + 1;
            if out.len() + run > out_limit {
                return Err(LzfError::TooBig);
            }
            if ip + run > input.len() {
                return Err(LzfError::Invalid);
            }
            out.extend_from_slice(&input[ip..ip + run]);
            ip += run;
        } else {
            let mut len = ctrl >> 5;
            let mut back = ((ctrl & 0x1f) << 8) + 1;
            if ip >= input.len() {
                return Err(LzfError::Invalid);
            }
            if len == 7 {
                len += usize::from(input[ip]);
                ip += 1;
                if ip >= input.len() {
                    return Err(LzfError::Invalid);
                }
            }
            back += usize::from(input[ip]);
            ip += 1;
            if out.len() + len + 2 > out_limit {
                return Err(LzfError::TooBig);
            }
            if back > out.len() {
                return Err(LzfError::Invalid);
            }
            // Byte by byte: a reference may overlap what it produces.
            let from = out.len() - back;
            for i in 0..len + 2 {
                let b = out[from + i];
                out.push(b);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Compressor, compress, decompress};

    #[test]
    fn a_reused_table_starts_every_string_empty() {
        let first = b"abcdefgh-abcdefgh-abcdefgh-abcdefgh-".repeat(4);
        let second = b"xyz abcdefgh-abcdefgh 123 abcdefgh-abcd".repeat(3);
        let mut shared = Compressor::new();
        shared.compress(&first, first.len());
        assert_eq!(
            shared.compress(&second, second.len()),
            compress(&second, second.len())
        );
    }

    fn round_trip(input: &[u8]) {
        let packed = compress(input, input.len() + 64).expect("room enough");
        assert_eq!(decompress(&packed, input.len()).unwrap(), input);
    }

    #[test]
    fn round_trips_text_runs_and_noise() {
        round_trip(b"a");
        round_trip(b"abcabcabcabcabcabcabcabcabcabcabcabc");
        round_trip(&[b'x'; 1000]);
        let noise: Vec<u8> = (0u32..5000)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        round_trip(&noise);
        let text: Vec<u8> = b"field-1 value-1 field-2 value-2 "
            .iter()
            .cycle()
            .take(10_000)
            .copied()
            .collect();
        round_trip(&text);
    }

    #[test]
    fn matches_redis_bytes_for_a_run() {
        // DUMP of SET k (40 × 'a') on redis-server 7.0.15 carries the LZF
        // bytes 01 61 61 e0 1b 00 01 61 61: two literals, a 36-byte copy
        // from 1 back (length byte 0x1b = 36 − 9), two literals.
        let packed = compress(&[b'a'; 40], 36).unwrap();
        assert_eq!(
            packed,
            [0x01, 0x61, 0x61, 0xe0, 0x1b, 0x00, 0x01, 0x61, 0x61]
        );
    }

    #[test]
    fn matches_redis_bytes_for_repeated_text() {
        // SET k to this sentence three times on redis-server 7.0.15: DUMP
        // holds 00 c3 2f 40 72 (string, LZF, 47 packed bytes, 114 bytes
        // long) and then exactly these 47 bytes.
        let input = b"the stream holds far more than a list ".repeat(3);
        let redis: [u8; 47] = [
            0x1f, 0x74, 0x68, 0x65, 0x20, 0x73, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x20, 0x68, 0x6f,
            0x6c, 0x64, 0x73, 0x20, 0x66, 0x61, 0x72, 0x20, 0x6d, 0x6f, 0x72, 0x65, 0x20, 0x74,
            0x68, 0x61, 0x6e, 0x20, 0x61, 0x04, 0x20, 0x6c, 0x69, 0x73, 0x74, 0x20, 0x0b, 0xe0,
            0x3f, 0x25, 0x01, 0x74, 0x20,
        ];
        assert_eq!(compress(&input, input.len() - 4).unwrap(), redis);
        assert_eq!(decompress(&redis, input.len()).unwrap(), input);
    }

    #[test]
    fn refuses_when_the_output_does_not_fit() {
        let noise: Vec<u8> = (0u8..=255).collect();
        assert_eq!(compress(&noise, noise.len() - 4), None);
    }

    #[test]
    fn rejects_references_before_the_start_and_overlong_output() {
        assert!(decompress(&[0x20, 0x05], 10).is_err());
        assert!(decompress(&[0x03, b'a', b'b'], 10).is_err());
        assert!(decompress(&[0x01, b'a', b'b'], 1).is_err());
    }
}
