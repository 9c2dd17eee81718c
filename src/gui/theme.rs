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

pub use crate::view::format::{bytes, duration, thousands};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consumer_keeps_its_colour() {
        assert_eq!(consumer("alice"), consumer("alice"));
    }
}
