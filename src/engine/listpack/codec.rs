//! Element encodings of a listpack: the integer and string headers and the
//! backlen, each exactly as `listpack.c` writes them.
//!
//! ```text
//!   integer v      smallest of   7-bit │ 13-bit │ F1 i16 │ F2 i24 │ F3 i32 │ F4 i64
//!   string len L   header        10LLLLLL │ 1110LLLL LLLLLLLL │ F0 L(u32 LE)
//!   backlen l      7 bits a byte, high group first, bit 7 set on all but the first
//!                  l = 200:  [0000_0001] [1100_1000]
//! ```

use super::MAX_BACKLEN;

/// Writes the smallest integer encoding of `v`; returns its length (1..=9).
pub(super) fn encode_int(v: i64, out: &mut [u8]) -> usize {
    if (0..=127).contains(&v) {
        out[0] = v as u8;
        1
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u64) & 0x1FFF;
        out[0] = 0xC0 | (u >> 8) as u8;
        out[1] = u as u8;
        2
    } else if (-32768..=32767).contains(&v) {
        out[0] = 0xF1;
        out[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        3
    } else if (-8_388_608..=8_388_607).contains(&v) {
        out[0] = 0xF2;
        out[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
        4
    } else if (-2_147_483_648..=2_147_483_647).contains(&v) {
        out[0] = 0xF3;
        out[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        5
    } else {
        out[0] = 0xF4;
        out[1..9].copy_from_slice(&v.to_le_bytes());
        9
    }
}

/// Writes a string's encoding byte(s); returns their count (1, 2 or 5).
pub(super) fn encode_str_header(len: usize, out: &mut [u8]) -> usize {
    if len < 64 {
        out[0] = 0x80 | len as u8;
        1
    } else if len < 4096 {
        out[0] = 0xE0 | (len >> 8) as u8;
        out[1] = len as u8;
        2
    } else {
        out[0] = 0xF0;
        out[1..5].copy_from_slice(&(len as u32).to_le_bytes());
        5
    }
}

/// Bytes needed for the backlen of an element whose encoding+data is `l`
/// bytes. The thresholds are listpack.c's, off-by-one quirks included
/// (16383 already takes three bytes).
pub fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// Highest 7-bit group first without a continuation bit; every later byte
/// carries bit 7, so a reader starting from the right knows to go on.
pub(super) fn encode_backlen(l: usize, out: &mut [u8]) -> usize {
    let n = backlen_size(l);
    for (i, byte) in out[..n].iter_mut().enumerate() {
        let shift = 7 * (n - 1 - i);
        *byte = ((l >> shift) & 127) as u8 | if i == 0 { 0 } else { 128 };
    }
    n
}

/// Reads the backlen that ends at the last byte of `before`.
pub(super) fn decode_backlen(before: &[u8]) -> Option<usize> {
    let mut value = 0usize;
    for (k, &byte) in before.iter().rev().take(MAX_BACKLEN).enumerate() {
        value |= usize::from(byte & 127) << (7 * k);
        if byte & 128 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlen_sizes_follow_listpack_c_thresholds() {
        let cases = [
            (127, 1),
            (128, 2),
            (16382, 2),
            (16383, 3),
            (2_097_150, 3),
            (2_097_151, 4),
            (268_435_454, 4),
            (268_435_455, 5),
            (u32::MAX as usize, 5),
        ];
        for (l, size) in cases {
            assert_eq!(backlen_size(l), size, "backlen of {l}");
            let mut out = [0u8; MAX_BACKLEN];
            assert_eq!(encode_backlen(l, &mut out), size);
            assert_eq!(out[0] & 128, 0, "the leftmost byte ends a backward read");
            assert_eq!(decode_backlen(&out[..size]), Some(l), "round trip of {l}");
        }
        let mut out = [0u8; MAX_BACKLEN];
        encode_backlen(200, &mut out);
        assert_eq!(out[..2], [0b0000_0001, 0b1100_1000]);
        assert_eq!(decode_backlen(&[0x80, 0x80, 0x80, 0x80, 0x80]), None);
    }
}
