//! CRC-64/Jones, the checksum at the end of every DUMP payload and RDB
//! file (Redis's `crc64.c`).
//!
//! ```text
//!   polynomial 0xad93d23594c935a9, reflected (processed low bit first)
//!   initial value 0, no final xor
//!   crc64("123456789") = 0xe9c6d914c4b8d9ca
//! ```
//!
//! Redis computes it eight bytes at a time with precomputed tables
//! (`crcspeed.c`); one byte at a time through one table gives the same
//! value, and payloads are small enough for that to be fast.

/// The Jones polynomial, bit-reversed for a reflected CRC.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// One table entry per byte value: the CRC of that byte alone.
const TABLE: [u64; 256] = build_table();

const fn build_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// Continues the CRC `crc` over `bytes` (`crc64(crc, s, l)`); start at 0.
pub fn crc64(mut crc: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        crc = TABLE[((crc ^ u64::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::crc64;

    #[test]
    fn matches_the_check_value_redis_tests_with() {
        // crc64.c's own test vector.
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn can_be_computed_in_pieces() {
        let whole = crc64(0, b"hello, streams");
        let split = crc64(crc64(0, b"hello, "), b"streams");
        assert_eq!(whole, split);
        assert_eq!(crc64(0, b""), 0);
    }
}
