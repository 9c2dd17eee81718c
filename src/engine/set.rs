//! A set as Redis 7.0.15 stores it (`t_set.c`; 7.0 has no listpack sets).
//!
//! ```text
//!   first member an integer? ─yes─▶ Set::Intset   sorted integers
//!            │ no                      │ a non-integer member, or more than
//!            │                         │ set-max-intset-entries (512)
//!            ▼                         ▼ (one way)
//!   Set::Table  Dict<member>  ◀────────┘ presized to the intset's length
//! ```

use super::dict::Dict;
use super::id::string2ll;
use super::intset::Intset;

/// `set-max-intset-entries`'s default.
pub const DEFAULT_MAX_INTSET_ENTRIES: usize = 512;

/// A set value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Set {
    Intset(Intset),
    Table(Dict<()>),
}

impl Set {
    /// `setTypeCreate`: the encoding follows the first member.
    pub fn for_first_member(member: &[u8]) -> Set {
        match string2ll(member) {
            Some(_) => Set::Intset(Intset::new()),
            None => Set::Table(Dict::new()),
        }
    }

    /// `OBJECT ENCODING`'s name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(s) => s.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `setTypeAdd`: true when the member is new.
    pub fn add(&mut self, member: &[u8], max_intset_entries: usize) -> bool {
        match self {
            Set::Intset(s) => match string2ll(member) {
                Some(v) => {
                    if !s.insert(v) {
                        return false;
                    }
                    if s.len() > max_intset_entries.min(1 << 30) {
                        self.convert();
                    }
                    true
                }
                None => {
                    self.convert();
                    let Set::Table(d) = self else {
                        unreachable!("just converted")
                    };
                    d.add(member, ())
                }
            },
            Set::Table(d) => d.add(member, ()),
        }
    }

    /// `setTypeRemove`: true when the member was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Set::Intset(s) => string2ll(member).is_some_and(|v| s.remove(v)),
            Set::Table(d) => d.remove(member).is_some(),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Set::Intset(s) => string2ll(member).is_some_and(|v| s.contains(v)),
            Set::Table(d) => d.contains(member),
        }
    }

    /// Members in iteration order (ascending integers, or byte order).
    pub fn members(&self) -> Vec<Vec<u8>> {
        match self {
            Set::Intset(s) => s
                .values()
                .iter()
                .map(|v| v.to_string().into_bytes())
                .collect(),
            Set::Table(d) => d.iter().map(|(m, _)| m.clone()).collect(),
        }
    }

    /// `setTypeConvert`: a table presized to the intset's length.
    fn convert(&mut self) {
        if let Set::Intset(s) = self {
            let mut d = Dict::with_expected(s.len());
            for v in s.values() {
                d.add(v.to_string().as_bytes(), ());
            }
            *self = Set::Table(d);
        }
    }
}
