//! What the console knows of a command's arguments: read from the engine's
//! COMMAND DOCS, as a client reads it, and drawn as the docs draw it.
//!
//! ```text
//!   COMMAND DOCS xadd ─▶ arguments: [ {name key, type key},
//!                                     {name nomkstream, type pure-token, token NOMKSTREAM, flags [optional]},
//!                                     {name trim, type block, flags [optional], arguments [...]}, … ]
//!        │ Usage::of("XADD")
//!        ▼
//!   synopsis  XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]
//!   tokens    NOMKSTREAM MAXLEN MINID = ~ LIMIT *       (what Tab completes)
//!   XINFO     subcommands STREAM GROUPS CONSUMERS HELP   (completed first)
//! ```

use crate::engine::Reply;
use crate::engine::cmd::docs::{docs, field};

/// One argument of a command, as COMMAND DOCS describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    /// `key`, `string`, `integer`, `double`, `pattern`, `unix-time`,
    /// `pure-token`, `oneof` or `block`.
    pub kind: String,
    /// The keyword that introduces it (`LIMIT`), or is it (`NOMKSTREAM`).
    pub token: Option<String>,
    pub optional: bool,
    pub multiple: bool,
    /// The alternatives of a `oneof`, the parts of a `block`.
    pub children: Vec<Arg>,
}

/// What the console shows and completes for one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage {
    /// The name as typed for display (`XADD`, `XINFO STREAM`).
    pub name: String,
    pub summary: String,
    pub args: Vec<Arg>,
    /// A container's subcommands (`STREAM`, `GROUPS`, …), upper case.
    pub subcommands: Vec<String>,
}

impl Usage {
    /// The usage of `name` (`xadd`, `xinfo|stream`), or `None` if the
    /// engine has no such command.
    pub fn of(name: &str) -> Option<Usage> {
        let doc = docs(name)?;
        let subcommands = match field(&doc, "subcommands") {
            Some(Reply::Array(subs)) => subs
                .iter()
                .step_by(2)
                .filter_map(|n| match n {
                    Reply::Bulk(n) => String::from_utf8_lossy(n)
                        .split_once('|')
                        .map(|(_, s)| s.to_ascii_uppercase()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Some(Usage {
            name: name.replace('|', " ").to_ascii_uppercase(),
            summary: text(field(&doc, "summary")),
            args: args_of(field(&doc, "arguments")),
            subcommands,
        })
    }

    /// The one-line synopsis, as the command reference writes it.
    pub fn synopsis(&self) -> String {
        let mut out = self.name.clone();
        if !self.subcommands.is_empty() {
            out.push_str(&format!(" <{}>", self.subcommands.join(" | ")));
        }
        for a in &self.args {
            out.push(' ');
            out.push_str(&a.synopsis());
        }
        out
    }

    /// The keywords Tab can complete: the subcommands of a container,
    /// else every token of the argument tree (once each, in doc order).
    pub fn tokens(&self) -> Vec<String> {
        if !self.subcommands.is_empty() {
            return self.subcommands.clone();
        }
        let mut out = Vec::new();
        for a in &self.args {
            a.collect_tokens(&mut out);
        }
        out
    }
}

impl Arg {
    /// `[LIMIT count]`, `<* | id>`, `field value [field value ...]`.
    pub fn synopsis(&self) -> String {
        let inner = match self.kind.as_str() {
            "pure-token" => self.token.clone().unwrap_or_else(|| self.name.clone()),
            "oneof" => {
                let alts: Vec<String> = self.children.iter().map(Arg::synopsis).collect();
                let alts = alts.join(" | ");
                let alts = if self.optional {
                    alts
                } else {
                    format!("<{alts}>")
                };
                with_token(&self.token, alts)
            }
            "block" => {
                let parts: Vec<String> = self.children.iter().map(Arg::synopsis).collect();
                with_token(&self.token, parts.join(" "))
            }
            _ => with_token(&self.token, self.name.clone()),
        };
        let inner = if self.multiple {
            format!("{inner} [{inner} ...]")
        } else {
            inner
        };
        if self.optional {
            format!("[{inner}]")
        } else {
            inner
        }
    }

    fn collect_tokens(&self, out: &mut Vec<String>) {
        if let Some(t) = &self.token {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
        for c in &self.children {
            c.collect_tokens(out);
        }
    }
}

fn with_token(token: &Option<String>, rest: String) -> String {
    match token {
        Some(t) => format!("{t} {rest}"),
        None => rest,
    }
}

fn text(reply: Option<&Reply>) -> String {
    match reply {
        Some(Reply::Bulk(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(Reply::Status(s)) => s.clone(),
        _ => String::new(),
    }
}

fn args_of(reply: Option<&Reply>) -> Vec<Arg> {
    let Some(Reply::Array(items)) = reply else {
        return Vec::new();
    };
    items.iter().map(arg_of).collect()
}

fn arg_of(doc: &Reply) -> Arg {
    let flags: Vec<String> = match field(doc, "flags") {
        Some(Reply::Array(f)) => f.iter().map(|r| text(Some(r))).collect(),
        _ => Vec::new(),
    };
    let token = Some(text(field(doc, "token"))).filter(|t| !t.is_empty());
    Arg {
        name: text(field(doc, "name")),
        kind: text(field(doc, "type")),
        token,
        optional: flags.iter().any(|f| f == "optional"),
        multiple: flags
            .iter()
            .any(|f| f == "multiple" || f == "multiple_token"),
        children: args_of(field(doc, "arguments")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xadd_reads_as_the_command_reference_writes_it() {
        let u = Usage::of("xadd").unwrap();
        assert_eq!(
            u.synopsis(),
            "XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]"
        );
        assert_eq!(u.summary, "Appends a new entry to a stream");
        assert_eq!(
            u.tokens(),
            vec!["NOMKSTREAM", "MAXLEN", "MINID", "=", "~", "LIMIT", "*"]
        );
    }

    #[test]
    fn a_container_offers_its_subcommands_and_each_has_its_own_usage() {
        let u = Usage::of("xinfo").unwrap();
        assert_eq!(u.tokens(), vec!["STREAM", "GROUPS", "CONSUMERS", "HELP"]);
        let s = Usage::of("xinfo|stream").unwrap();
        assert_eq!(s.synopsis(), "XINFO STREAM key [FULL [COUNT count]]");
        assert!(Usage::of("nosuch").is_none());
    }
}
