//! Producers: send schedule, acks, retries and idempotent sessions.
//!
//! ```text
//!   send(m) ─▶ idempotent and earlier sends to p wait for a retry? ─▶ join them, in order
//!              partition leader? ──no──▶ NOT_LEADER ─▶ retry after backoff
//!                 │yes
//!                 ├─ acks=all and |ISR| < min.insync ─▶ NOT_ENOUGH_REPLICAS ─▶ retry
//!                 ├─ idempotent and (producer, session, seq) already in log ─▶ no new record
//!                 └─ append at leo
//!                      acks=0 ── acknowledged when sent (even if nothing was stored)
//!                      acks=1 ── acknowledged on the leader's append
//!                      acks=all ─ acknowledged when the high watermark passes it
//! ```
//!
//! Why sessions: idempotence de-duplicates a retry by (producer id,
//! sequence), and a restarted producer gets a new id, so a re-send after a
//! restart is a new record (scenario S13's Kafka duplicates). A send that
//! is not acknowledged within `delivery_timeout_ms` or `retries` resends is
//! dropped; the ledger then never counts it as acknowledged.

use super::config::{Acks, KafkaProducer, KafkaSchedule};
use super::event::Ev;
use super::retry::RetryQueue;
use super::topic::ProducerKey;
use super::{KafkaAction, KafkaWorld, Out};
use crate::sim::ledger::MsgId;
use crate::sim::shared_log::SharedLog;
use std::collections::BTreeMap;

/// What a send came to by the end of the millisecond it was made in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProduceOutcome {
    /// Acknowledged; `offset` is `None` for an acks=0 send nothing stored.
    Acked { partition: u32, offset: Option<u64> },
    /// Still waiting for the ISR or for a retry.
    Pending { partition: u32 },
    /// Given up.
    Failed(String),
}

#[derive(Clone, Debug)]
pub(crate) struct InFlight {
    pub partition: u32,
    pub seq: u64,
    pub attempts: u32,
    pub first_ms: u64,
    /// The partition's retry round count when it joined the retry queue.
    pub joined_round: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct ProducerState {
    pub cfg: KafkaProducer,
    pub topic: usize,
    pub session: u64,
    scheduled_sends: u64,
    next_msg: MsgId,
    round_robin: u32,
    next_seq: BTreeMap<u32, u64>,
    pub inflight: BTreeMap<MsgId, InFlight>,
    /// Failed sends per partition, waiting for a shared retry round.
    pub retry: BTreeMap<u32, RetryQueue>,
    pub acked: u64,
    pub failed: u64,
    pub acked_log: SharedLog<(MsgId, u64)>,
}

impl ProducerState {
    pub(crate) fn new(cfg: KafkaProducer, topic: usize) -> ProducerState {
        ProducerState {
            next_msg: cfg.first_msg_id,
            cfg,
            topic,
            session: 0,
            scheduled_sends: 0,
            round_robin: 0,
            next_seq: BTreeMap::new(),
            inflight: BTreeMap::new(),
            retry: BTreeMap::new(),
            acked: 0,
            failed: 0,
            acked_log: SharedLog::default(),
        }
    }

    /// Time of the `k`-th scheduled send (0-based), if there is one.
    pub(crate) fn send_time(&self, k: u64) -> Option<u64> {
        match &self.cfg.schedule {
            KafkaSchedule::Every {
                interval_ms,
                offset_ms,
                count,
                until_ms,
            } => {
                if count.is_some_and(|n| k >= n) || (*interval_ms == 0 && k > 0) {
                    return None;
                }
                let at = offset_ms.checked_add(k.checked_mul(*interval_ms)?)?;
                if until_ms.is_some_and(|u| at > u) {
                    None
                } else {
                    Some(at)
                }
            }
            KafkaSchedule::At(times) => times.get(k as usize).copied(),
            KafkaSchedule::Manual => None,
        }
    }
}

impl KafkaWorld {
    pub(crate) fn on_producer_tick(&mut self, pi: usize, t: u64, out: &mut Out) {
        let pr = &mut self.producers[pi];
        let msg = pr.next_msg;
        pr.next_msg += 1;
        pr.scheduled_sends += 1;
        if let Some(next) = pr.send_time(pr.scheduled_sends) {
            self.queue.push(next.max(t), Ev::ProducerTick { pi });
        }
        self.new_send(pi, msg, t, out);
    }

    /// Starts sending `msg`: picks its partition and sequence number.
    pub(crate) fn new_send(&mut self, pi: usize, msg: MsgId, t: u64, out: &mut Out) -> u32 {
        let parts = self.topics[self.producers[pi].topic].partitions.len() as u32;
        let pr = &mut self.producers[pi];
        let partition = match pr.cfg.partition {
            Some(p) => p,
            None => {
                let p = pr.round_robin % parts;
                pr.round_robin = pr.round_robin.wrapping_add(1);
                p
            }
        };
        let seq = pr.next_seq.entry(partition).or_insert(0);
        let this_seq = *seq;
        *seq += 1;
        pr.inflight.insert(
            msg,
            InFlight {
                partition,
                seq: this_seq,
                attempts: 0,
                first_ms: t,
                joined_round: 0,
            },
        );
        out.ledger.produced(msg, t);
        if self.queue_behind_retries(pi, msg, partition) {
            return partition;
        }
        self.attempt(pi, msg, t, out);
        partition
    }

    /// An idempotent producer keeps each partition's order across retries
    /// (`enable.idempotence`, default true since Kafka 3.0, KIP-679; order
    /// holds with `max.in.flight.requests.per.connection` ≤ 5, KAFKA-5494):
    /// a new record for a partition whose earlier records wait for a retry
    /// joins the back of that queue instead of overtaking them. Without
    /// idempotence and more than one request in flight, the producer config
    /// doc warns that a retry can land after later records, which is what
    /// the model then does.
    fn queue_behind_retries(&mut self, pi: usize, msg: MsgId, partition: u32) -> bool {
        let pr = &mut self.producers[pi];
        if !pr.cfg.idempotent {
            return false;
        }
        let Some(q) = pr.retry.get_mut(&partition).filter(|q| !q.msgs.is_empty()) else {
            return false;
        };
        if let Some(inf) = pr.inflight.get_mut(&msg) {
            inf.joined_round = q.rounds;
            q.msgs.push_back(msg);
        }
        true
    }

    pub(crate) fn attempt(&mut self, pi: usize, msg: MsgId, t: u64, out: &mut Out) {
        let pr = &self.producers[pi];
        let (ti, acks, session) = (pr.topic, pr.cfg.acks, pr.session);
        let Some(inf) = pr.inflight.get(&msg).cloned() else {
            return;
        };
        let p = inf.partition;
        let key = ProducerKey {
            producer: pi,
            session,
            seq: inf.seq,
        };
        let part = &self.topics[ti].partitions[p as usize];
        if part.leader.is_none() {
            if acks == Acks::Zero {
                // Fire and forget: the producer counts it as sent.
                self.producers[pi].inflight.remove(&msg);
                self.producers[pi].acked += 1;
                self.producers[pi].acked_log.push((msg, t));
                out.ledger.produced_acked(msg, t);
                out.ledger.log_lost(msg, t);
                out.story(
                    t,
                    &self.producers[pi].cfg.name,
                    KafkaAction::Send,
                    format!("send m{msg} -> p{p} (acks=0, no leader)"),
                    format!("m{msg} was sent into a partition without a leader and never stored"),
                );
                return;
            }
            self.send_failed(pi, msg, "NOT_LEADER_OR_FOLLOWER", t, out);
            return;
        }
        if acks == Acks::All && (part.isr.len() as u32) < self.cluster.min_insync_replicas {
            self.send_failed(pi, msg, "NOT_ENOUGH_REPLICAS", t, out);
            return;
        }
        let existing = if self.producers[pi].cfg.idempotent {
            part.by_producer.get(&key).copied()
        } else {
            None
        };
        let offset = match existing {
            Some(o) => {
                out.step_with(t, &self.producers[pi].cfg.name, KafkaAction::Send, || {
                    format!("send m{msg} -> p{p}: duplicate of @{o}, not stored")
                });
                o
            }
            None => {
                let o = self.append(ti, p, msg, Some(key), t);
                out.step_with(t, &self.producers[pi].cfg.name, KafkaAction::Send, || {
                    format!("send m{msg} -> p{p}@{o}")
                });
                if out.ledger.is_log_lost(msg) {
                    out.ledger.back_in_log(msg, t);
                }
                o
            }
        };
        match acks {
            Acks::Zero | Acks::One => {
                self.ack_send(pi, ti, p, offset, msg, t, out);
                self.advance_hw(ti, p, t, out);
            }
            Acks::All => {
                let part = &mut self.topics[ti].partitions[p as usize];
                if offset < part.hw {
                    self.ack_send(pi, ti, p, offset, msg, t, out);
                } else {
                    part.waiting_acks.insert(offset, (pi, msg));
                    self.advance_hw(ti, p, t, out);
                }
            }
        }
    }

    /// Where `msg` stands now, for callers that send through the API.
    pub(crate) fn outcome(&self, pi: usize, msg: MsgId, p: u32) -> ProduceOutcome {
        let pr = &self.producers[pi];
        if pr.inflight.contains_key(&msg) {
            return ProduceOutcome::Pending { partition: p };
        }
        match pr.acked_log.iter().rev().find(|a| a.0 == msg) {
            Some(_) => {
                let part = &self.topics[pr.topic].partitions[p as usize];
                let offset = part
                    .records
                    .iter()
                    .rev()
                    .find(|(_, r)| r.msg == msg)
                    .map(|(o, _)| o);
                ProduceOutcome::Acked {
                    partition: p,
                    offset,
                }
            }
            None => ProduceOutcome::Failed(format!("message {msg} was dropped")),
        }
    }

    /// The producer learns that `msg` is stored at `offset`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ack_send(
        &mut self,
        pi: usize,
        ti: usize,
        p: u32,
        offset: u64,
        msg: MsgId,
        t: u64,
        out: &mut Out,
    ) {
        let pr = &mut self.producers[pi];
        let Some(inf) = pr.inflight.remove(&msg) else {
            return;
        };
        pr.acked += 1;
        pr.acked_log.push((msg, t));
        if let Some(r) = self.topics[ti].partitions[p as usize]
            .records
            .get_mut(offset)
        {
            r.acked = true;
        }
        out.ledger.produced_acked(msg, t);
        if pr.cfg.acks == Acks::All && t > inf.first_ms {
            out.step_with(t, &pr.cfg.name, KafkaAction::Ack, || {
                format!("ack m{msg} p{p}@{offset}")
            });
        }
    }

    /// A producer process restart: a new producer id, in-flight sends gone.
    pub(crate) fn restart_producer_now(&mut self, pi: usize, t: u64, out: &mut Out) {
        let pr = &mut self.producers[pi];
        pr.session += 1;
        pr.next_seq.clear();
        pr.retry.clear();
        let dropped = std::mem::take(&mut pr.inflight).len();
        let name = pr.cfg.name.clone();
        out.story(
            t,
            &name,
            KafkaAction::ProducerRestart,
            format!("restart (session {})", self.producers[pi].session),
            format!("new producer id; {dropped} unacknowledged send(s) abandoned; idempotence starts afresh"),
        );
    }
}
