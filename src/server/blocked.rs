//! Clients parked in a blocking read (XREAD/XREADGROUP ... BLOCK).
//!
//! ```text
//!   by_key:    "s1" ─▶ [c7, c3, c9]      FIFO: the first to block is served first
//!              "s2" ─▶ [c3]
//!   by_client: c3 ─▶ Parked { keys [s1 s2], retry_argv, timeout_reply, deadline_ms }
//!   deadlines: {(1700000000500, c3), (1700000001000, c9)}   c7 waits forever
//! ```
//!
//! This is blocked.c's bookkeeping without the rest of Redis: the engine
//! says a command would block and hands over the non-blocking form of the
//! read to retry; the event loop retries it when a watched key is
//! signalled and answers the stored timeout reply when the deadline passes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::engine::{Argv, BlockRequest, Reply};

/// A client's identifier in the event loop (its mio token).
pub type ClientId = usize;

/// What the loop keeps for one blocked client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parked {
    /// Keys whose signals wake this client.
    pub keys: Vec<Vec<u8>>,
    /// The read to run again, without BLOCK.
    pub retry_argv: Argv,
    /// Sent when the deadline passes (the null array).
    pub timeout_reply: Reply,
    /// Absolute wall-clock deadline in ms; `None` waits forever.
    pub deadline_ms: Option<u64>,
    /// The blocking call's commandstats slot and the µs it took, for the
    /// statistics Redis updates when the client is served
    /// (`updateStatsOnUnblock`).
    pub call: Option<(usize, u64)>,
}

/// Every blocked client, indexed by key and by deadline.
#[derive(Debug, Default)]
pub struct BlockedClients {
    by_client: BTreeMap<ClientId, Parked>,
    by_key: BTreeMap<Vec<u8>, VecDeque<ClientId>>,
    deadlines: BTreeSet<(u64, ClientId)>,
}

impl BlockedClients {
    /// No client blocked.
    pub fn new() -> BlockedClients {
        BlockedClients::default()
    }

    /// How many clients are blocked (`INFO clients` `blocked_clients`).
    pub fn len(&self) -> usize {
        self.by_client.len()
    }

    /// True when no client is blocked.
    pub fn is_empty(&self) -> bool {
        self.by_client.is_empty()
    }

    /// True when `id` is blocked.
    pub fn contains(&self, id: ClientId) -> bool {
        self.by_client.contains_key(&id)
    }

    /// Parks `id` on `request`'s keys. A timeout of 0 never expires.
    pub fn park(&mut self, id: ClientId, request: BlockRequest, timeout_reply: Reply, now_ms: u64) {
        self.unpark(id);
        let deadline_ms =
            (request.timeout_ms > 0).then(|| now_ms.saturating_add(request.timeout_ms));
        let mut keys: Vec<Vec<u8>> = Vec::with_capacity(request.keys.len());
        for key in request.keys {
            if !keys.contains(&key) {
                self.by_key.entry(key.clone()).or_default().push_back(id);
                keys.push(key);
            }
        }
        if let Some(deadline_ms) = deadline_ms {
            self.deadlines.insert((deadline_ms, id));
        }
        self.by_client.insert(
            id,
            Parked {
                keys,
                retry_argv: request.retry_argv,
                timeout_reply,
                deadline_ms,
                call: None,
            },
        );
    }

    /// Remembers the blocking call of `id` (see [`Parked::call`]).
    pub fn remember_call(&mut self, id: ClientId, slot: usize, usec: u64) {
        if let Some(parked) = self.by_client.get_mut(&id) {
            parked.call = Some((slot, usec));
        }
    }

    /// The blocking call of `id`, if remembered.
    pub fn call_of(&self, id: ClientId) -> Option<(usize, u64)> {
        self.by_client.get(&id).and_then(|p| p.call)
    }

    /// Removes `id` from every index, returning what it was waiting for.
    pub fn unpark(&mut self, id: ClientId) -> Option<Parked> {
        let parked = self.by_client.remove(&id)?;
        for key in &parked.keys {
            if let Some(queue) = self.by_key.get_mut(key) {
                queue.retain(|&c| c != id);
                if queue.is_empty() {
                    self.by_key.remove(key);
                }
            }
        }
        if let Some(deadline_ms) = parked.deadline_ms {
            self.deadlines.remove(&(deadline_ms, id));
        }
        Some(parked)
    }

    /// The clients waiting on `key`, first blocked first.
    pub fn waiting_on(&self, key: &[u8]) -> Vec<ClientId> {
        self.by_key
            .get(key)
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The command to retry for `id`.
    pub fn retry_argv(&self, id: ClientId) -> Option<&Argv> {
        self.by_client.get(&id).map(|p| &p.retry_argv)
    }

    /// How many wait with a deadline (BLOCK other than 0).
    pub fn with_deadline(&self) -> usize {
        self.deadlines.len()
    }

    /// The earliest deadline, for the poll timeout.
    pub fn nearest_deadline_ms(&self) -> Option<u64> {
        self.deadlines.first().map(|&(ms, _)| ms)
    }

    /// Unparks every client whose deadline is at or before `now_ms`,
    /// earliest first, returning each with its timeout reply.
    pub fn expire(&mut self, now_ms: u64) -> Vec<(ClientId, Reply)> {
        let due: Vec<ClientId> = self
            .deadlines
            .iter()
            .take_while(|&&(ms, _)| ms <= now_ms)
            .map(|&(_, id)| id)
            .collect();
        due.into_iter()
            .filter_map(|id| self.unpark(id).map(|p| (id, p.timeout_reply)))
            .collect()
    }
}

/// Narrows a retry (`XREAD|XREADGROUP ... STREAMS k1..kn id1..idn`) to
/// the one signalled key: blocked.c serves a reader from the key that
/// became ready, not from every key it waits on, so entries that arrived
/// on its other keys in the same transaction are not delivered with it.
/// Returns the retry unchanged when its shape is not the expected one.
pub fn retry_for_key(retry_argv: &Argv, key: &[u8]) -> Argv {
    let is = |i: usize, word: &[u8]| {
        retry_argv
            .get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word))
    };
    // XREADGROUP GROUP g c | XREAD, then COUNT n, optional NOACK, STREAMS.
    let mut at = if is(0, b"XREADGROUP") && is(1, b"GROUP") {
        4
    } else if is(0, b"XREAD") {
        1
    } else {
        return retry_argv.clone();
    };
    if is(at, b"COUNT") {
        at += 2;
    }
    if is(at, b"NOACK") {
        at += 1;
    }
    if !is(at, b"STREAMS") {
        return retry_argv.clone();
    }
    let streams = &retry_argv[at + 1..];
    if !streams.len().is_multiple_of(2) || streams.len() <= 2 {
        return retry_argv.clone();
    }
    let (keys, ids) = streams.split_at(streams.len() / 2);
    let Some(i) = keys.iter().position(|k| k.as_slice() == key) else {
        return retry_argv.clone();
    };
    let mut narrowed = retry_argv[..=at].to_vec();
    narrowed.push(keys[i].clone());
    narrowed.push(ids[i].clone());
    narrowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(keys: &[&str], timeout_ms: u64) -> BlockRequest {
        BlockRequest {
            keys: keys.iter().map(|k| k.as_bytes().to_vec()).collect(),
            timeout_ms,
            retry_argv: vec![b"XREAD".to_vec()],
        }
    }

    #[test]
    fn waiters_are_served_first_come_first_served() {
        let mut blocked = BlockedClients::new();
        blocked.park(7, request(&["s"], 0), Reply::NilArray, 1000);
        blocked.park(3, request(&["s", "t"], 0), Reply::NilArray, 1000);
        blocked.park(9, request(&["s"], 0), Reply::NilArray, 1000);
        assert_eq!(blocked.waiting_on(b"s"), vec![7, 3, 9]);
        assert_eq!(blocked.waiting_on(b"t"), vec![3]);
        assert!(blocked.unpark(3).is_some());
        assert_eq!(blocked.waiting_on(b"s"), vec![7, 9]);
        assert_eq!(blocked.waiting_on(b"t"), Vec::<ClientId>::new());
        assert_eq!(blocked.len(), 2);
    }

    #[test]
    fn deadlines_expire_in_order_and_zero_waits_forever() {
        let mut blocked = BlockedClients::new();
        blocked.park(1, request(&["s"], 500), Reply::NilArray, 1000);
        blocked.park(2, request(&["s"], 0), Reply::NilArray, 1000);
        blocked.park(3, request(&["s"], 100), Reply::NilArray, 1000);
        assert_eq!(blocked.nearest_deadline_ms(), Some(1100));
        assert_eq!(blocked.expire(1099), vec![]);
        assert_eq!(
            blocked.expire(1500),
            vec![(3, Reply::NilArray), (1, Reply::NilArray)]
        );
        assert_eq!(blocked.nearest_deadline_ms(), None);
        assert!(blocked.contains(2));
        assert_eq!(blocked.waiting_on(b"s"), vec![2]);
    }

    fn argv(line: &str) -> Argv {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn a_retry_narrows_to_the_signalled_key() {
        let read = argv("XREAD COUNT 10 STREAMS a STREAMS 1-1 2-2");
        assert_eq!(
            retry_for_key(&read, b"STREAMS"),
            argv("XREAD COUNT 10 STREAMS STREAMS 2-2")
        );
        assert_eq!(
            retry_for_key(&read, b"a"),
            argv("XREAD COUNT 10 STREAMS a 1-1")
        );
        let group = argv("XREADGROUP GROUP STREAMS c COUNT 5 NOACK STREAMS s t > >");
        assert_eq!(
            retry_for_key(&group, b"t"),
            argv("XREADGROUP GROUP STREAMS c COUNT 5 NOACK STREAMS t >")
        );
        // One key, an unknown key or an unexpected shape: unchanged.
        let single = argv("XREAD COUNT 1 STREAMS s 0-0");
        assert_eq!(retry_for_key(&single, b"s"), single);
        assert_eq!(retry_for_key(&read, b"zzz"), read);
        let odd = argv("XREAD BLOCK 5 STREAMS a b 1 2");
        assert_eq!(retry_for_key(&odd, b"a"), odd);
    }

    #[test]
    fn a_repeated_key_is_watched_once() {
        let mut blocked = BlockedClients::new();
        blocked.park(1, request(&["s", "s"], 0), Reply::NilArray, 0);
        assert_eq!(blocked.waiting_on(b"s"), vec![1]);
        blocked.unpark(1);
        assert!(blocked.is_empty());
    }
}
