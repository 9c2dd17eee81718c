//! CONFIG GET / SET / RESETSTAT for the settings the engine honours, with
//! config.c's parsing, bounds and error texts.
//!
//! ```text
//!   CONFIG SET name value [name value ...]
//!     1. every name known and not repeated  ─▶ Unknown option ... / duplicate parameter
//!     2. every value parsed and in bounds   ─▶ CONFIG SET failed (possibly related to ...)
//!     3. all applied together, or none
//! ```
//!
//! A changed limit applies as Redis applies it: a list keeps the fill it
//! was created with (`quicklistSetOptions` runs at creation), a hash or set
//! converts on its next write that crosses the new limit.

use super::super::db::{Config, Db};
use super::super::id::string2ll;
use super::super::{Executed, Reply};
use super::{Call, SYNTAX, text};
use crate::engine::glob;

/// How a value is parsed: `INTEGER_CONFIG` or `MEMORY_CONFIG` (config.c).
#[derive(Clone, Copy)]
enum Kind {
    Integer { min: i64, max: i64 },
    Memory,
}

/// One setting: its name, the pre-7.0 alias, how to read and write it.
struct Param {
    name: &'static str,
    alias: Option<&'static str>,
    kind: Kind,
    get: fn(&Config) -> i64,
    set: fn(&mut Config, i64),
}

/// The settings CONFIG SET accepts, in config.c's table order.
const PARAMS: &[Param] = &[
    Param {
        name: "list-max-listpack-size",
        alias: Some("list-max-ziplist-size"),
        kind: Kind::Integer {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        get: |c| i64::from(c.list_fill),
        set: |c, v| c.list_fill = v as i32,
    },
    Param {
        name: "set-max-intset-entries",
        alias: None,
        kind: Kind::Integer {
            min: 0,
            max: i64::MAX,
        },
        get: |c| c.set_max_intset_entries as i64,
        set: |c, v| c.set_max_intset_entries = v as usize,
    },
    Param {
        name: "hash-max-listpack-entries",
        alias: Some("hash-max-ziplist-entries"),
        kind: Kind::Integer {
            min: 0,
            max: i64::MAX,
        },
        get: |c| c.hash_limits.max_listpack_entries as i64,
        set: |c, v| c.hash_limits.max_listpack_entries = v as usize,
    },
    Param {
        name: "hash-max-listpack-value",
        alias: Some("hash-max-ziplist-value"),
        kind: Kind::Memory,
        get: |c| c.hash_limits.max_listpack_value_bytes as i64,
        set: |c, v| c.hash_limits.max_listpack_value_bytes = v as usize,
    },
    Param {
        name: "stream-node-max-bytes",
        alias: None,
        kind: Kind::Memory,
        get: |c| c.node_limits.max_bytes as i64,
        set: |c, v| c.node_limits.max_bytes = v as u64,
    },
    Param {
        name: "stream-node-max-entries",
        alias: None,
        kind: Kind::Integer {
            min: 0,
            max: i64::MAX,
        },
        get: |c| c.node_limits.max_entries as i64,
        set: |c, v| c.node_limits.max_entries = v as u64,
    },
];

/// Read-only answers for settings a client asks about at start.
const FIXED: &[(&str, &str)] = &[("appendonly", "no"), ("save", ""), ("databases", "1")];

fn find(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| {
        name.eq_ignore_ascii_case(p.name.as_bytes())
            || p.alias
                .is_some_and(|a| name.eq_ignore_ascii_case(a.as_bytes()))
    })
}

/// CONFIG GET pattern [pattern ...]: every name or alias a pattern
/// matches, each once. Redis's order follows its config dict's hash; this
/// one is the table's.
pub fn config_get(db: &mut Db, call: &Call, out: &mut Executed) {
    let patterns: Vec<Vec<u8>> = call.argv[2..]
        .iter()
        .map(|p| p.to_ascii_lowercase())
        .collect();
    let hit = |name: &str| patterns.iter().any(|p| glob::matches(p, name.as_bytes()));
    let mut items = Vec::new();
    for p in PARAMS {
        let value = (p.get)(&db.config).to_string();
        for name in std::iter::once(p.name).chain(p.alias) {
            if hit(name) {
                items.push(Reply::bulk(name));
                items.push(Reply::bulk(&value));
            }
        }
    }
    for (name, value) in FIXED {
        if hit(name) {
            items.push(Reply::bulk(name));
            items.push(Reply::bulk(value));
        }
    }
    out.reply = Reply::Array(items);
}

pub fn config_set(db: &mut Db, call: &Call, out: &mut Executed) {
    if !call.argc().is_multiple_of(2) {
        out.reply = Reply::err(SYNTAX);
        return;
    }
    let pairs: Vec<&[Vec<u8>]> = call.argv[2..].chunks(2).collect();
    let mut params = Vec::with_capacity(pairs.len());
    for (i, pair) in pairs.iter().enumerate() {
        let Some(param) = find(&pair[0]) else {
            out.reply = Reply::err(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                text(&pair[0])
            ));
            return;
        };
        // Repeating a name is refused; a name and its alias are not compared.
        if pairs[..i]
            .iter()
            .any(|earlier| earlier[0].eq_ignore_ascii_case(&pair[0]))
        {
            out.reply = failed(&pair[0], "duplicate parameter");
            return;
        }
        params.push(param);
    }
    let mut config = db.config;
    for (param, pair) in params.into_iter().zip(&pairs) {
        match parse(param.kind, &pair[1]) {
            Ok(value) => (param.set)(&mut config, value),
            Err(why) => {
                out.reply = failed(&pair[0], &why);
                return;
            }
        }
    }
    db.config = config;
    out.reply = Reply::ok();
}

fn failed(name: &[u8], why: &str) -> Reply {
    Reply::err(format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
        text(name)
    ))
}

/// `numericParseString` then `numericBoundaryCheck`.
fn parse(kind: Kind, value: &[u8]) -> Result<i64, String> {
    let (parsed, min, max) = match kind {
        Kind::Integer { min, max } => {
            let v = string2ll(value)
                .ok_or_else(|| "argument couldn't be parsed into an integer".to_string())?;
            (i128::from(v), min, max)
        }
        Kind::Memory => {
            let v = memtoull(value).ok_or_else(|| "argument must be a memory value".to_string())?;
            (i128::from(v), 0, i64::MAX)
        }
    };
    if parsed < i128::from(min) || parsed > i128::from(max) {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(parsed as i64)
}

/// util.c `memtoull`: digits and an optional unit (b, k, kb, m, mb, g, gb,
/// any case). Its quirks are Redis's: no digits reads as 0, `strtoull`
/// saturates a too-long number, and the unit multiplies with wrap-around.
fn memtoull(value: &[u8]) -> Option<u64> {
    if value.first() == Some(&b'-') {
        return None;
    }
    let digits_end = value
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(value.len());
    let (digits, unit) = value.split_at(digits_end);
    let unit = unit.to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // The digits are copied into a 128-byte buffer first.
    if digits.len() >= 128 {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .unwrap_or(u64::MAX);
    }
    Some(n.wrapping_mul(mul))
}

/// CONFIG RESETSTAT: the counters `resetServerStats`,
/// `resetCommandTableStats` and `resetErrorTableStats` clear.
pub fn config_resetstat(db: &mut Db, call: &Call, out: &mut Executed) {
    db.stats.reset(call.now_ms());
    db.host.reset_counters();
    out.reply = Reply::ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memtoull_keeps_redis_quirks() {
        assert_eq!(memtoull(b"1KB"), Some(1024));
        assert_eq!(memtoull(b"k"), Some(0));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"+5"), None);
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1.5k"), None);
        assert_eq!(memtoull(b"99999999999999999999999"), Some(u64::MAX));
        // 20000000000 GiB wraps below 2^63, which 7.0.15 then accepts.
        assert_eq!(
            memtoull(b"20000000000gb"),
            Some(20_000_000_000u64.wrapping_mul(1 << 30))
        );
    }

    #[test]
    fn bounds_are_checked_after_parsing() {
        let memory = Kind::Memory;
        assert!(
            parse(memory, b"9223372036854775808")
                .unwrap_err()
                .contains("between 0 and")
        );
        let int = Kind::Integer {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        };
        assert_eq!(
            parse(int, b"99999999999").unwrap_err(),
            "argument must be between -2147483648 and 2147483647 inclusive"
        );
        assert_eq!(parse(int, b"-7"), Ok(-7));
    }
}
