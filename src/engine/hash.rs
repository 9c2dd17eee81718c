//! A hash as Redis 7.0.15 stores it (`t_hash.c`).
//!
//! ```text
//!   Hash::Listpack   [f1][v1][f2][v2]...      insertion order, lookups scan
//!        │  a field or value over hash-max-listpack-value (64) bytes,
//!        │  or more than hash-max-listpack-entries (512) fields
//!        ▼  (one way: a hash never converts back)
//!   Hash::Table      Dict<field ─▶ value>     presized to the field count
//! ```

use super::dict::Dict;
use super::listpack::{Listpack, Pos};

/// `hash-max-listpack-entries` and `hash-max-listpack-value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashLimits {
    pub max_listpack_entries: usize,
    pub max_listpack_value_bytes: usize,
}

impl Default for HashLimits {
    fn default() -> Self {
        HashLimits {
            max_listpack_entries: 512,
            max_listpack_value_bytes: 64,
        }
    }
}

/// A hash value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hash {
    Listpack(Listpack),
    Table(Dict<Vec<u8>>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Listpack::new())
    }
}

/// The field position of `field` in a hash listpack (`lpFind` with skip 1).
fn find_field(lp: &Listpack, field: &[u8]) -> Option<Pos> {
    let mut p = lp.first();
    while let Some(at) = p {
        if lp.get(at).eq_bytes(field) {
            return Some(at);
        }
        p = lp.next(at).and_then(|v| lp.next(v));
    }
    None
}

impl Hash {
    /// `OBJECT ENCODING`'s name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.len() / 2,
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, field: &[u8]) -> Option<Vec<u8>> {
        match self {
            Hash::Listpack(lp) => {
                let f = find_field(lp, field)?;
                let v = lp.next(f)?;
                Some(lp.get(v).to_bytes())
            }
            Hash::Table(d) => d.get(field).cloned(),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => find_field(lp, field).is_some(),
            Hash::Table(d) => d.contains(field),
        }
    }

    /// `hashTypeTryConversion`: converts before a write whose arguments
    /// would not fit a listpack.
    pub fn prepare_for(&mut self, args: &[Vec<u8>], limits: &HashLimits) {
        if matches!(self, Hash::Listpack(_))
            && args
                .iter()
                .any(|a| a.len() > limits.max_listpack_value_bytes)
        {
            self.convert();
        }
    }

    /// `hashTypeSet`: true when the field is new.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: &HashLimits) -> bool {
        if matches!(self, Hash::Listpack(_))
            && (field.len() > limits.max_listpack_value_bytes
                || value.len() > limits.max_listpack_value_bytes)
        {
            self.convert();
        }
        match self {
            Hash::Listpack(lp) => {
                let found = find_field(lp, field).and_then(|f| lp.next(f));
                let added = match found {
                    Some(v) => {
                        lp.replace_str(v, value);
                        false
                    }
                    None => {
                        lp.push_back(field);
                        lp.push_back(value);
                        true
                    }
                };
                if lp.len() / 2 > limits.max_listpack_entries {
                    self.convert();
                }
                added
            }
            Hash::Table(d) => match d.get_mut(field) {
                Some(v) => {
                    *v = value.to_vec();
                    false
                }
                None => d.add(field, value.to_vec()),
            },
        }
    }

    /// `hashTypeDelete`: true when the field was there.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => match find_field(lp, field) {
                Some(f) => {
                    lp.delete_from(f, 2);
                    true
                }
                None => false,
            },
            Hash::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Field-value pairs in iteration order (insertion order for a
    /// listpack, byte order for a table).
    pub fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            Hash::Listpack(lp) => {
                let items: Vec<Vec<u8>> = lp.iter().map(|(_, e)| e.to_bytes()).collect();
                items
                    .chunks(2)
                    .map(|c| (c[0].clone(), c[1].clone()))
                    .collect()
            }
            Hash::Table(d) => d.iter().map(|(f, v)| (f.clone(), v.clone())).collect(),
        }
    }

    /// `hashTypeConvertListpack`: a table presized to the field count.
    fn convert(&mut self) {
        if let Hash::Listpack(_) = self {
            let pairs = self.pairs();
            let mut d = Dict::with_expected(pairs.len());
            for (f, v) in pairs {
                d.add(&f, v);
            }
            *self = Hash::Table(d);
        }
    }
}
