//! What the command table says about a command's keys: which arguments
//! it looks up, and who stamps their access time. `expire.rs` reads both
//! before the handler runs (expiry on lookup, the LRU stamp).
//!
//! ```text
//!   XADD s ...                  Keys::One(1)     Touch::Handler  (its get_mut stamps)
//!   DEL a b c                   Keys::From(1)    Touch::No       (expires, no lookup)
//!   XREAD ... STREAMS a b 0 0   Keys::Streams    Touch::Before
//!   RENAME src dst              Keys::Rename     dst only if src is there and differs
//!   RESTORE k ttl p [REPLACE]   Keys::Restore    k only without REPLACE
//!   SCAN cursor ...             Keys::Scan       the keys it walked, after it ran
//! ```

/// The keys a command looks up (Redis's `lookupKey*` calls, in order),
/// read from its arguments before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// None, or only ones the handler checks itself (KEYS, SCAN), or none
    /// through a lookup (MEMORY USAGE reads the dict directly).
    None,
    /// The argument at this index.
    One(u8),
    /// Every argument from this index on (DEL, EXISTS, TOUCH).
    From(u8),
    /// XREAD / XREADGROUP: the first half of what follows STREAMS.
    Streams,
    /// RENAME / RENAMENX: the source, then the destination when the
    /// source is there and differs from it.
    Rename,
    /// RESTORE: the key, unless REPLACE is given (then it is deleted
    /// without a lookup).
    Restore,
    /// SCAN: the keys its walk visits and MATCH keeps, known only after
    /// the walk (`expire::after_scan` deletes the expired ones then).
    Scan,
}

/// Who stamps a looked-up key's access time (the LRU clock, lru.rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Touch {
    /// expire.rs, before the handler runs.
    Before,
    /// The handler itself, through `Keyspace::get_mut` at the point Redis
    /// looks the key up (XADD: its one map search does both).
    Handler,
    /// Nobody: Redis's LOOKUP_NOTOUCH lookups (EXISTS, TYPE, OBJECT, TTL
    /// and its kin), and DEL, which makes no lookup.
    No,
}
