//! Placeholder macro node (plain vector); replaced by the listpack encoding.
use super::StreamId;

/// One entry position.
#[derive(Clone, Debug)]
pub struct NodeEntry {
    pub id: StreamId,
    pub deleted: bool,
    pos: usize,
}

/// A macro node.
#[derive(Clone, Debug)]
pub struct Node {
    master: StreamId,
    entries: Vec<(StreamId, bool, Vec<(Vec<u8>, Vec<u8>)>)>,
    bytes: usize,
    live: u64,
    deleted: u64,
}

impl Node {
    pub fn new(master_id: StreamId, pairs: &[(&[u8], &[u8])], _prealloc_bytes: usize) -> Node {
        let mut n = Node {
            master: master_id,
            entries: Vec::new(),
            bytes: 7 + 10,
            live: 0,
            deleted: 0,
        };
        n.append(master_id, pairs);
        n
    }
    pub fn append(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])]) {
        self.bytes += 8 + pairs
            .iter()
            .map(|(f, v)| f.len() + v.len() + 4)
            .sum::<usize>();
        self.entries.push((
            id,
            false,
            pairs
                .iter()
                .map(|(f, v)| (f.to_vec(), v.to_vec()))
                .collect(),
        ));
        self.live += 1;
    }
    pub fn master_id(&self) -> StreamId {
        self.master
    }
    pub fn lp_bytes(&self) -> usize {
        self.bytes
    }
    pub fn live(&self) -> u64 {
        self.live
    }
    pub fn deleted(&self) -> u64 {
        self.deleted
    }
    pub fn iter(&self) -> impl Iterator<Item = NodeEntry> + '_ {
        self.entries.iter().enumerate().map(|(i, e)| NodeEntry {
            id: e.0,
            deleted: e.1,
            pos: i,
        })
    }
    pub fn iter_rev(&self) -> impl Iterator<Item = NodeEntry> + '_ {
        self.entries
            .iter()
            .enumerate()
            .rev()
            .map(|(i, e)| NodeEntry {
                id: e.0,
                deleted: e.1,
                pos: i,
            })
    }
    pub fn fields(&self, e: &NodeEntry) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.entries[e.pos].2.clone()
    }
    pub fn mark_deleted(&mut self, id: StreamId) -> bool {
        for e in &mut self.entries {
            if e.0 == id && !e.1 {
                e.1 = true;
                self.live -= 1;
                self.deleted += 1;
                return true;
            }
        }
        false
    }
    pub fn first_live(&self) -> Option<StreamId> {
        self.entries.iter().find(|e| !e.1).map(|e| e.0)
    }
    pub fn last_live(&self) -> Option<StreamId> {
        self.entries.iter().rev().find(|e| !e.1).map(|e| e.0)
    }
    pub fn shrink_to_fit(&mut self) {}
    pub fn heap_bytes(&self) -> usize {
        self.bytes
    }
}
