//! A link to a moment of a run, branch included: what the web page's URL
//! carries and the native "copy link" gives.
//!
//! ```text
//!   ?scenario=S01&seed=7&step=120
//!    &set=reaper.min_idle_ms:5000                  what-if knobs, applied first
//!    &act=40:Fault(CrashActor("c2"))               actions: after_step:RON, in order
//!    &act=41:Command("XPENDING orders g")
//! ```
//!
//! Values are percent-encoded. A link is data enough to rebuild the
//! branch: the scenario, the seed, the knob changes, the actions.

use crate::scenario::schema::{Action, ActionSpec};

use super::knobs::{KnobValue, from_param, to_param};

/// Where the web demo is served by the README's instructions; a native
/// "copy link" points there.
pub const WEB_DEMO_PAGE: &str = "http://127.0.0.1:8765/index.html";

/// Everything a link says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    /// Bundled scenario id (`S01`).
    pub scenario: String,
    pub seed: Option<u64>,
    /// Steps done (`u64::MAX`: the end).
    pub step: Option<u64>,
    /// What-if knob changes, in order.
    pub sets: Vec<(String, KnobValue)>,
    /// The branch's actions, in step order.
    pub acts: Vec<ActionSpec>,
}

impl Link {
    /// The query string, starting with `?`.
    pub fn to_query(&self) -> String {
        let mut q = format!("?scenario={}", encode(&self.scenario));
        if let Some(seed) = self.seed {
            q.push_str(&format!("&seed={seed}"));
        }
        match self.step {
            Some(u64::MAX) => q.push_str("&step=end"),
            Some(n) => q.push_str(&format!("&step={n}")),
            None => {}
        }
        for (id, v) in &self.sets {
            q.push_str(&format!("&set={}", encode(&to_param(id, v))));
        }
        for a in &self.acts {
            let ron = action_ron(&a.action);
            q.push_str(&format!(
                "&act={}",
                encode(&format!("{}:{ron}", a.after_step))
            ));
        }
        q
    }

    /// Reads a query string (with or without `?`, or a whole URL); a part
    /// that does not read is an error naming it.
    pub fn parse(text: &str) -> Result<Link, String> {
        let query = text.split_once('?').map_or(text, |(_, q)| q);
        let mut link = Link {
            scenario: "S02".into(),
            ..Link::default()
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v).ok_or_else(|| format!("'{k}' is not percent-encoded text"))?;
            match k {
                "scenario" => link.scenario = v,
                "seed" => {
                    link.seed = Some(
                        v.parse()
                            .map_err(|_| format!("seed '{v}' is not a number"))?,
                    )
                }
                "step" if v == "end" => link.step = Some(u64::MAX),
                "step" => {
                    link.step = Some(
                        v.parse()
                            .map_err(|_| format!("step '{v}' is not a number"))?,
                    )
                }
                "set" => link.sets.push(from_param(&v)?),
                "act" => link.acts.push(parse_act(&v)?),
                // Unknown parameters (a tracker's, say) are not ours to refuse.
                _ => {}
            }
        }
        Ok(link)
    }
}

/// One action as compact RON (`Fault(CrashActor("c2"))`).
pub fn action_ron(action: &Action) -> String {
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES);
    options
        .to_string(action)
        .unwrap_or_else(|e| format!("<unwritable action: {e}>"))
}

fn parse_act(text: &str) -> Result<ActionSpec, String> {
    let (step, ron_text) = text
        .split_once(':')
        .ok_or_else(|| format!("act '{text}' is not step:action"))?;
    let after_step = step
        .parse()
        .map_err(|_| format!("act '{text}': '{step}' is not a step number"))?;
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let action = options
        .from_str(ron_text)
        .map_err(|e| format!("act '{text}': {}", e.code))?;
    Ok(ActionSpec { after_step, action })
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (and a form's `+` for a space); `None` if malformed.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::FaultKind;

    #[test]
    fn a_link_reads_back_as_written() {
        let link = Link {
            scenario: "S01".into(),
            seed: Some(7),
            step: Some(120),
            sets: vec![
                ("reaper.min_idle_ms".into(), KnobValue::Int(5000)),
                ("redis.appendfsync".into(), KnobValue::Choice(0)),
            ],
            acts: vec![
                ActionSpec {
                    after_step: 40,
                    action: Action::Fault(FaultKind::CrashActor("c2".into())),
                },
                ActionSpec {
                    after_step: 41,
                    action: Action::Command("XADD orders * f \"a b&c=d%\"".into()),
                },
            ],
        };
        let q = link.to_query();
        assert!(!q[1..].contains(['?', ' ', '"']), "{q}");
        assert_eq!(Link::parse(&q).unwrap(), link);
        assert_eq!(Link::parse(&format!("{WEB_DEMO_PAGE}{q}")).unwrap(), link);
    }

    #[test]
    fn a_bad_part_is_named() {
        let e = Link::parse("?scenario=S01&act=12:Fault(Explode)").unwrap_err();
        assert!(e.contains("act '12:Fault(Explode)'"), "{e}");
        let e = Link::parse("?seed=x").unwrap_err();
        assert!(e.contains("seed 'x'"), "{e}");
        let e = Link::parse("?act=%zz").unwrap_err();
        assert!(e.contains("'act'"), "{e}");
    }
}
