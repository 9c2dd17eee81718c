//! jemalloc 5.3 size classes (x86_64: 16-byte quantum, 4 KiB pages), the
//! allocator Redis 7.0.15 is built with.
//!
//! ```text
//!   request      usable size (what malloc_usable_size / zmalloc_size report)
//!   1..=8     ─▶ 8
//!   9..=128   ─▶ next multiple of 16            16 32 48 .. 128
//!   (2^k, 2^(k+1)]  ─▶ next multiple of 2^(k-2)  160 192 224 256 | 320 .. 512 | ..
//!                       four classes per doubling
//! ```
//!
//! Redis reports `MEMORY USAGE` with `zmalloc_size`, and its listpacks grow
//! only when a write no longer fits in the usable size of their allocation,
//! so a faithful byte count needs the same rounding.

/// The usable size jemalloc gives a request of `bytes` bytes.
pub fn usable_size(bytes: usize) -> usize {
    if bytes <= 8 {
        return 8;
    }
    if bytes <= 128 {
        return bytes.div_ceil(16) * 16;
    }
    // `bytes` lies in (2^k, 2^(k+1)]; classes in that group are 2^(k-2) apart.
    let k = usize::BITS - 1 - (bytes - 1).leading_zeros();
    let step = 1usize << (k - 2);
    bytes.div_ceil(step) * step
}

#[cfg(test)]
mod tests {
    use super::usable_size;

    #[test]
    fn small_classes_are_quantum_spaced() {
        assert_eq!(usable_size(0), 8);
        assert_eq!(usable_size(1), 8);
        assert_eq!(usable_size(8), 8);
        assert_eq!(usable_size(9), 16);
        assert_eq!(usable_size(17), 32);
        assert_eq!(usable_size(33), 48);
        assert_eq!(usable_size(128), 128);
    }

    #[test]
    fn four_classes_per_doubling_above_128() {
        let expect = [
            (129, 160),
            (160, 160),
            (161, 192),
            (256, 256),
            (257, 320),
            (1025, 1280),
            (1229, 1280),
            (1490, 1536),
            (4067, 4096),
            (4096, 4096),
            (4097, 5120),
            (16385, 20480),
        ];
        for (request, usable) in expect {
            assert_eq!(usable_size(request), usable, "request {request}");
        }
    }
}
