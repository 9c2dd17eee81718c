//! What the step says in words: the command as typed at redis-cli, the
//! reply as redis-cli prints it, and one sentence of what changed.
//!
//! ```text
//!   step 41 / 98   t = 125 ms   chapter 2 of 4: "A crashes mid-batch …"
//!   alice> XACK s g 1700000000000-1
//!   (integer) 1
//!   alice finished 1700000000000-1 (msg 2)
//! ```

use crate::sim::trace::{StepRecord, Who, command_text};

/// The narrative of one step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Narrative {
    /// Who acted (actor name, `fault`, `redis`, `setup`, …); empty at step 0.
    pub who: String,
    /// The command as redis-cli would show it typed, if the step sent one.
    pub command: Option<String>,
    /// The reply as `redis-cli` prints it (multi-line for arrays).
    pub reply: Option<String>,
    /// Whether the reply was an error.
    pub reply_is_error: bool,
    /// One sentence of what the step meant.
    pub sentence: String,
    /// The step was a fault.
    pub is_fault: bool,
    /// The step was a caption.
    pub is_caption: bool,
}

/// Longest reply text shown in full; longer ones are cut at a line end
/// with a count of what was left out.
pub const MAX_REPLY_LINES: usize = 40;

impl Narrative {
    /// The narrative of `record` (the step that led to the position).
    pub fn of(record: Option<&StepRecord>, actor_names: &[String]) -> Narrative {
        let Some(r) = record else {
            return Narrative {
                sentence: "Nothing has happened yet.".into(),
                ..Narrative::default()
            };
        };
        let reply = r
            .reply
            .as_ref()
            .map(|reply| clip_lines(&reply.to_cli_text()));
        Narrative {
            who: r.who_name(actor_names).to_string(),
            command: r.command.as_ref().map(|argv| command_text(argv)),
            reply_is_error: matches!(r.reply, Some(crate::engine::Reply::Error(_))),
            reply,
            sentence: sentence(&r.caption(actor_names)),
            is_fault: r.who == Who::Fault,
            is_caption: r.who == Who::Narrator,
        }
    }
}

/// A caption as a sentence ending with a full stop. Not capitalised: it
/// usually starts with a name (`c1`, `alice`), which must read as typed.
fn sentence(caption: &str) -> String {
    let mut s = caption
        .strip_prefix("narrator: ")
        .unwrap_or(caption)
        .trim()
        .to_string();
    if s.is_empty() {
        return s;
    }
    if !s.ends_with(['.', '!', '?', ':']) {
        s.push('.');
    }
    s
}

fn clip_lines(text: &str) -> String {
    let total = text.lines().count();
    if total <= MAX_REPLY_LINES {
        return text.to_string();
    }
    let mut out: Vec<&str> = text.lines().take(MAX_REPLY_LINES).collect();
    let rest = format!("… {} more lines", total - MAX_REPLY_LINES);
    out.push(&rest);
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Reply;
    use crate::sim::trace::Note;

    fn record(reply: Reply) -> StepRecord {
        StepRecord {
            step: 3,
            time_ms: 10,
            who: Who::Actor(0),
            command: Some(vec![
                b"XACK".to_vec(),
                b"s".to_vec(),
                b"g".to_vec(),
                b"1-0".to_vec(),
            ]),
            reply: Some(reply),
            note: Note::Acked(1, 1),
        }
    }

    #[test]
    fn command_and_reply_read_as_redis_cli_shows_them() {
        let names = vec!["alice".to_string()];
        let n = Narrative::of(Some(&record(Reply::Integer(1))), &names);
        assert_eq!(n.who, "alice");
        assert_eq!(n.command.as_deref(), Some("XACK s g 1-0"));
        assert_eq!(n.reply.as_deref(), Some("(integer) 1"));
        assert_eq!(n.sentence, "alice acknowledges 1.");
        assert!(!n.reply_is_error);
    }

    #[test]
    fn errors_are_flagged_and_long_replies_clipped() {
        let names = vec!["alice".to_string()];
        let n = Narrative::of(Some(&record(Reply::err("NOGROUP no group"))), &names);
        assert!(n.reply_is_error);
        let many = Reply::Array((0..100).map(Reply::Integer).collect());
        let n = Narrative::of(Some(&record(many)), &names);
        let text = n.reply.unwrap();
        assert_eq!(text.lines().count(), MAX_REPLY_LINES + 1);
        assert!(text.ends_with("… 60 more lines"));
    }

    #[test]
    fn before_the_first_step_nothing_happened() {
        let n = Narrative::of(None, &[]);
        assert!(n.command.is_none());
        assert_eq!(n.sentence, "Nothing has happened yet.");
    }
}
