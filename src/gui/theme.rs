//! The visual language shared by every panel: one colour per consumer,
//! kept across panels; greys for the dead; one accent for "just changed".

use egui::Color32;

/// Consumer colours, in the order names are first met (stable per name).
const PALETTE: [Color32; 8] = [
    Color32::from_rgb(0x4e, 0x9a, 0xf1), // blue
    Color32::from_rgb(0xf2, 0x8e, 0x2b), // orange
    Color32::from_rgb(0x59, 0xa1, 0x4f), // green
    Color32::from_rgb(0xe1, 0x57, 0x59), // red
    Color32::from_rgb(0xb0, 0x7a, 0xa1), // purple
    Color32::from_rgb(0x76, 0xb7, 0xb2), // teal
    Color32::from_rgb(0xed, 0xc9, 0x48), // yellow
    Color32::from_rgb(0xff, 0x9d, 0xa7), // pink
];

/// What just changed this step.
pub const CHANGED: Color32 = Color32::from_rgb(0xff, 0xd6, 0x4a);
/// A crashed or absent client.
pub const DEAD: Color32 = Color32::from_gray(110);
/// Faults and errors.
pub const FAULT: Color32 = Color32::from_rgb(0xe5, 0x48, 0x4d);
/// Captions (narrative markers).
pub const CAPTION: Color32 = Color32::from_rgb(0x6c, 0xc5, 0xff);
/// Node and box fill.
pub const BOX: Color32 = Color32::from_rgb(0x2b, 0x30, 0x3a);
/// Kafka's committed offset.
pub const COMMITTED: Color32 = Color32::from_rgb(0x9b, 0xe5, 0x64);

/// The colour of consumer `name`. Names ending in a Kafka twin's suffix
/// share their hue family because the scenarios name them alike
/// (`alice` / `ka`): the colour comes from a stable hash of the name.
pub fn consumer(name: &str) -> Color32 {
    // FNV-1a: stable across runs and platforms (no RandomState).
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    PALETTE[(h % PALETTE.len() as u32) as usize]
}

/// Thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds as a short duration: 950 ms, 12.5 s, 3 min 20 s.
pub fn duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// Bytes with a unit: 980 B, 12.4 KB, 3.1 MB (powers of 1024, as Redis's INFO).
pub fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_units() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(duration(950), "950 ms");
        assert_eq!(duration(12_500), "12.5 s");
        assert_eq!(duration(200_000), "3 min 20 s");
        assert_eq!(bytes(1229), "1.2 KB");
    }

    #[test]
    fn a_consumer_keeps_its_colour() {
        assert_eq!(consumer("alice"), consumer("alice"));
    }
}
