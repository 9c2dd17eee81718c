//! The bundled scenarios, compiled into the binary so the same list works
//! in the terminal, in tests and in wasm.
//!
//! ```text
//!   scenarios/s01_crash_and_reclaim.ron ──include_str!──▶ ("s01_crash_and_reclaim.ron", text)
//! ```
//!
//! tests/scenarios.rs fails when a file in scenarios/ is missing here.

macro_rules! bundled {
    ($($file:literal),* $(,)?) => {
        /// `(file name, text)` of every bundled scenario, in catalog order.
        pub const ALL: &[(&str, &str)] = &[
            $(($file, include_str!(concat!("../../scenarios/", $file)))),*
        ];
    };
}

bundled!(
    "s01_crash_and_reclaim.ron",
    "s02_kafka_vs_pel.ron",
);

/// The scenario `cargo run` replays without arguments.
pub const DEFAULT: &str = "s02_kafka_vs_pel.ron";

/// The text of a bundled scenario by file name (with or without `.ron`).
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    let bare = name.trim_end_matches(".ron");
    ALL.iter()
        .find(|(file, _)| *file == name || file.trim_end_matches(".ron") == bare)
        .copied()
}
