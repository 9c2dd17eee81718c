//! Placeholder radix tree (ordered map); replaced by the Redis-faithful rax.
use std::collections::BTreeMap;

/// Seek operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seek {
    Ge,
    Gt,
    Le,
    Lt,
}

/// Ordered byte-keyed map.
#[derive(Clone, Debug)]
pub struct Rax<V> {
    map: BTreeMap<Vec<u8>, V>,
}

impl<V> Default for Rax<V> {
    fn default() -> Self {
        Rax {
            map: BTreeMap::new(),
        }
    }
}

impl<V> Rax<V> {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn len(&self) -> u64 {
        self.map.len() as u64
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn node_count(&self) -> u64 {
        1 + self.map.len() as u64
    }
    pub fn insert(&mut self, key: &[u8], value: V) -> Option<V> {
        self.map.insert(key.to_vec(), value)
    }
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        self.map.remove(key)
    }
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key)
    }
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.map.get_mut(key)
    }
    pub fn first(&self) -> Option<(Vec<u8>, &V)> {
        self.map.iter().next().map(|(k, v)| (k.clone(), v))
    }
    pub fn last(&self) -> Option<(Vec<u8>, &V)> {
        self.map.iter().next_back().map(|(k, v)| (k.clone(), v))
    }
    pub fn seek(&self, op: Seek, key: &[u8]) -> Option<(Vec<u8>, &V)> {
        use std::ops::Bound::*;
        let k = key.to_vec();
        let r = match op {
            Seek::Ge => self.map.range((Included(k), Unbounded)).next(),
            Seek::Gt => self.map.range((Excluded(k), Unbounded)).next(),
            Seek::Le => self.map.range((Unbounded, Included(k))).next_back(),
            Seek::Lt => self.map.range((Unbounded, Excluded(k))).next_back(),
        };
        r.map(|(k, v)| (k.clone(), v))
    }
    pub fn iter(&self) -> impl Iterator<Item = (Vec<u8>, &V)> {
        self.map.iter().map(|(k, v)| (k.clone(), v))
    }
    pub fn iter_rev(&self) -> impl Iterator<Item = (Vec<u8>, &V)> {
        self.map.iter().rev().map(|(k, v)| (k.clone(), v))
    }
}
