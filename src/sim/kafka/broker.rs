//! Broker lifecycle: crash, restart, ISR shrink and re-entry, leader election.
//!
//! ```text
//!   crash_broker(b) ──▶ partitions b led: leader = none, waiting acks=all sends fail
//!        │                └─▶ Election at +broker_session_timeout_ms +leader_election_ms
//!        └─▶ IsrShrink at +min(broker_session_timeout_ms, replica_lag_time_max_ms):
//!                         b leaves every ISR
//!
//!   Election: first live ISR member in replica order (any live replica if
//!             unclean election is on); its log is the truth, the rest is cut
//!             (acknowledged records cut = log_lost). No candidate: offline.
//!
//!   restart_broker(b) ─▶ follower: log cut to the high watermark, CatchUp at
//!        +lag (everything the leader had at the restart) ─▶ back in the ISR
//!        an offline partition whose ISR contains b elects it at once
//! ```
//!
//! Why the wait before the election: in KRaft mode (KIP-631) the controller
//! learns of a dead broker only when its heartbeats stop for
//! `broker.session.timeout.ms` (9 s by default); then it fences the broker,
//! removes it from every ISR and elects new leaders in one step
//! (ReplicationControlManager.handleBrokerFenced). Until then producers
//! and consumers of the partitions it led get errors and retry. Redis
//! Sentinel's `down-after-milliseconds` plays the same part (S08).
//!
//! Why ISR membership matters: `acks=all` waits for the ISR as it is *now*.
//! A follower that fell out makes `acks=all` with `min.insync.replicas=1`
//! acknowledge on the leader alone, exactly like `acks=1` (S08). In the
//! constant-lag model a live follower is always exactly `lag` behind, so a
//! restarted one is in sync as soon as its catch-up fetch lands.

use super::event::Ev;
use super::topic::Record;
use super::{KafkaAction, KafkaWorld, Out};

/// The trace actor of leader elections: named for its system, so a reader
/// of a mixed trace never takes it for a Redis event.
pub const CONTROLLER: &str = "kafka-controller";

impl KafkaWorld {
    pub(crate) fn on_crash_broker(&mut self, broker: u32, t: u64, out: &mut Out) {
        let name = format!("broker-{broker}");
        if !self.brokers_alive[broker as usize] {
            out.step(
                t,
                &name,
                KafkaAction::BrokerCrash,
                "crash (already down)".into(),
            );
            return;
        }
        self.brokers_alive[broker as usize] = false;
        let mut led = Vec::new();
        for (ti, topic) in self.topics.iter_mut().enumerate() {
            for (p, part) in topic.partitions.iter_mut().enumerate() {
                if part.leader == Some(broker) {
                    part.leader = None;
                    led.push((ti, p as u32, part.leader_epoch));
                }
            }
        }
        let fenced_at = t.saturating_add(self.cluster.broker_session_timeout_ms);
        out.story(
            t,
            &name,
            KafkaAction::BrokerCrash,
            "crash".into(),
            format!(
                "broker {broker} is down: it led {} partition(s); the controller fences it at {fenced_at} (broker.session.timeout.ms {} ms)",
                led.len(),
                self.cluster.broker_session_timeout_ms
            ),
        );
        for &(ti, p, epoch) in &led {
            let waiting = std::mem::take(&mut self.topics[ti].partitions[p as usize].waiting_acks);
            for (_, (pi, msg)) in waiting {
                self.send_failed(pi, msg, "NOT_LEADER_OR_FOLLOWER", t, out);
            }
            self.queue.push(
                fenced_at.saturating_add(self.cluster.leader_election_ms),
                Ev::Election { t: ti, p, epoch },
            );
        }
        // Whichever comes first: the leader's replica.lag.time.max.ms or
        // the controller fencing the broker (KIP-631).
        let shrink_ms = self
            .cluster
            .replica_lag_time_max_ms
            .min(self.cluster.broker_session_timeout_ms);
        self.queue
            .push(t.saturating_add(shrink_ms), Ev::IsrShrink { broker });
    }

    pub(crate) fn on_isr_shrink(&mut self, broker: u32, t: u64, out: &mut Out) {
        if self.brokers_alive[broker as usize] {
            return;
        }
        for ti in 0..self.topics.len() {
            for p in 0..self.topics[ti].partitions.len() as u32 {
                let part = &mut self.topics[ti].partitions[p as usize];
                if part.leader.is_some() && part.isr.remove(&broker) {
                    let isr: Vec<String> = part.isr.iter().map(|b| b.to_string()).collect();
                    out.story(
                        t,
                        &format!("broker-{broker}"),
                        KafkaAction::Isr,
                        format!("isr {}/p{p} -> [{}]", self.topics[ti].name, isr.join(",")),
                        format!("broker {broker} fell out of the ISR of p{p}"),
                    );
                    self.advance_hw(ti, p, t, out);
                }
            }
        }
    }

    pub(crate) fn on_election(&mut self, ti: usize, p: u32, epoch: u64, t: u64, out: &mut Out) {
        let unclean = self.cluster.unclean_leader_election;
        let lag = self.lag_ms();
        let alive = self.brokers_alive.clone();
        let topic_name = self.topics[ti].name.clone();
        let part = &mut self.topics[ti].partitions[p as usize];
        if part.leader_epoch != epoch || part.leader.is_some() {
            return;
        }
        let clean = part
            .replicas
            .iter()
            .copied()
            .find(|b| alive[*b as usize] && part.isr.contains(b));
        let chosen = clean.or_else(|| {
            if unclean {
                part.replicas.iter().copied().find(|b| alive[*b as usize])
            } else {
                None
            }
        });
        let Some(new_leader) = chosen else {
            out.story(
                t,
                CONTROLLER,
                KafkaAction::Election,
                format!("{topic_name}/p{p} offline"),
                "no in-sync replica is alive; the partition stays offline".into(),
            );
            return;
        };
        let new_leo = part
            .replica_leo
            .get(&new_leader)
            .copied()
            .unwrap_or(part.leo)
            .min(part.leo);
        let cut: Vec<Record> = part.records.truncate_from(new_leo);
        for r in &cut {
            if let Some(k) = r.from {
                part.by_producer.remove(&k);
            }
        }
        part.leo = new_leo;
        part.leader = Some(new_leader);
        part.leader_epoch += 1;
        part.isr.retain(|b| alive[*b as usize]);
        part.isr.insert(new_leader);
        part.replica_leo.remove(&new_leader);
        for leo in part.replica_leo.values_mut() {
            *leo = (*leo).min(new_leo);
        }
        part.hw = part.hw.min(new_leo);
        let new_epoch = part.leader_epoch;
        if part.replica_leo.values().any(|&leo| leo < new_leo) {
            // Followers still missing records the new leader has catch up
            // from it; the old leader's in-flight replication is void.
            let at = t.saturating_add(lag);
            self.queue.push(
                at,
                Ev::Replicate {
                    t: ti,
                    p,
                    epoch: new_epoch,
                    upto: new_leo,
                },
            );
        }
        let mut acked_lost = 0;
        for r in &cut {
            if r.acked {
                acked_lost += 1;
                out.ledger.log_lost(r.msg, t);
            }
        }
        out.story(
            t,
            CONTROLLER,
            KafkaAction::Election,
            format!("leader {topic_name}/p{p} -> broker-{new_leader}, truncated {}", cut.len()),
            format!(
                "new leader {new_leader} at log end {new_leo}: {} record(s) cut, {acked_lost} of them acknowledged",
                cut.len()
            ),
        );
        self.advance_hw(ti, p, t, out);
        self.reset_positions_beyond(ti, p, new_leo);
        // Owners that polled the leaderless partition are waiting for data
        // that was readable all along.
        self.wake_owners(ti, p, t);
    }

    pub(crate) fn on_restart_broker(&mut self, broker: u32, t: u64, out: &mut Out) {
        let name = format!("broker-{broker}");
        if self.brokers_alive[broker as usize] {
            out.step(
                t,
                &name,
                KafkaAction::BrokerRestart,
                "restart (already up)".into(),
            );
            return;
        }
        self.brokers_alive[broker as usize] = true;
        out.story(
            t,
            &name,
            KafkaAction::BrokerRestart,
            "restart".into(),
            format!("broker {broker} is back as a follower; it truncates to the high watermark and catches up"),
        );
        let lag = self.lag_ms();
        for ti in 0..self.topics.len() {
            for p in 0..self.topics[ti].partitions.len() as u32 {
                let part = &mut self.topics[ti].partitions[p as usize];
                if !part.replicas.contains(&broker) {
                    continue;
                }
                match part.leader {
                    Some(leader) if leader != broker => {
                        let hw = part.hw;
                        let leo = part.replica_leo.entry(broker).or_insert(hw);
                        *leo = (*leo).min(hw);
                        let (epoch, upto) = (part.leader_epoch, part.leo);
                        self.queue.push(
                            t.saturating_add(lag),
                            Ev::CatchUp {
                                t: ti,
                                p,
                                epoch,
                                broker,
                                upto,
                            },
                        );
                    }
                    Some(_) => {}
                    None => {
                        let epoch = part.leader_epoch;
                        self.queue.push(t, Ev::Election { t: ti, p, epoch });
                    }
                }
            }
        }
    }

    /// `at` = (topic, partition, leader epoch the catch-up was planned in).
    pub(crate) fn on_catch_up(
        &mut self,
        at: (usize, u32, u64),
        broker: u32,
        upto: u64,
        t: u64,
        out: &mut Out,
    ) {
        let (ti, p, epoch) = at;
        let part = &mut self.topics[ti].partitions[p as usize];
        if part.leader_epoch != epoch
            || part.leader.is_none()
            || !self.brokers_alive[broker as usize]
        {
            return;
        }
        let leo = part.replica_leo.entry(broker).or_insert(0);
        *leo = (*leo).max(upto.min(part.leo));
        if part.isr.insert(broker) {
            let isr: Vec<String> = part.isr.iter().map(|b| b.to_string()).collect();
            out.story(
                t,
                &format!("broker-{broker}"),
                KafkaAction::Isr,
                format!("isr {}/p{p} -> [{}]", self.topics[ti].name, isr.join(",")),
                format!("broker {broker} caught up and is in sync again"),
            );
        }
        self.advance_hw(ti, p, t, out);
    }
}
