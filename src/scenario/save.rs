//! [`Scenario`] back to RON text: how a branch made in the explorer
//! becomes a file that `streamlab run` replays.
//!
//! ```text
//!   Scenario ──serde──▶ RON (every field spelt out) ──parse_scenario──▶ the same Scenario
//! ```
//!
//! The text spells out every field, defaults included, so that what a file
//! means does not depend on the defaults of the version that reads it.

use super::schema::Scenario;
use ron::extensions::Extensions;

/// The scenario as RON, preceded by `header` as `//` comment lines.
pub fn to_ron(scenario: &Scenario, header: &str) -> Result<String, String> {
    let config = ron::ser::PrettyConfig::new()
        .indentor("  ".to_string())
        .separate_tuple_members(false)
        // As the bundled files are written: `Consumer(name: …)`, not
        // `Consumer((name: …))`, and `Some` left implicit.
        .extensions(Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME);
    let body = ron::ser::to_string_pretty(scenario, config).map_err(|e| e.to_string())?;
    let mut text: String = header.lines().map(|l| format!("// {l}\n")).collect();
    text.push_str(&body);
    text.push('\n');
    Ok(text)
}
