//! A record whose processing fails: Kafka's side of S03's poison message.
//!
//! ```text
//!   process r ── fails ──┬─ SeekBack:   drop the rest of the batch, position = r.offset,
//!                        │              poll again ─▶ r again ─▶ fails again … the
//!                        │              partition makes no progress behind it
//!                        ├─ Skip:       go on with r+1; the next commit passes r: lost
//!                        └─ DeadLetter: append r to the other topic, go on with r+1
//! ```
//!
//! Why the consumer must choose: the broker keeps one committed offset per
//! partition and no per-record acknowledgement or delivery count (Kafka
//! docs, design: "Consumer Position"), so nothing on the broker notices
//! that one record keeps failing, and nothing can dead-letter it by a count
//! the way a Redis claimer reads XPENDING's delivery counter (S03). Client
//! frameworks decide in the application: Spring Kafka's DefaultErrorHandler
//! seeks back and retries, then recovers by publishing to a `.DLT` topic;
//! KIP-1034 proposes a dead-letter queue for Kafka Streams.

use super::config::OnFailure;
use super::consumer::Fetched;
use super::{KafkaAction, KafkaWorld, Out};

impl KafkaWorld {
    /// Consumer `c` finished processing `f` and the processing failed.
    pub(crate) fn on_failed_record(&mut self, c: usize, f: Fetched, t: u64, out: &mut Out) {
        let name = self.consumers[c].cfg.name.clone();
        match self.consumers[c].cfg.on_failure.clone() {
            OnFailure::SeekBack => {
                let cs = &mut self.consumers[c];
                let dropped = cs.queue.len();
                cs.queue.clear();
                cs.positions.insert(f.p, f.offset);
                out.story(
                    t,
                    &name,
                    KafkaAction::Done,
                    format!("process {} failed: seek({})", f.offset, f.offset),
                    format!(
                        "no per-record ack in Kafka: the consumer seeks back to the failed record ({dropped} fetched record(s) behind it dropped) and the partition waits behind it"
                    ),
                );
                if !self.consumers[c].is_async() {
                    self.schedule_poll(c, t);
                }
            }
            OnFailure::Skip => {
                out.story(
                    t,
                    &name,
                    KafkaAction::Done,
                    format!("process {} failed: skipped", f.offset),
                    "the consumer logs the failure and goes on; the next commit moves past the record".into(),
                );
                self.start_next(c, t, out);
            }
            OnFailure::DeadLetter(topic) => {
                // check_config made sure the topic exists.
                if let Ok(ti) = self.topic_index(&topic) {
                    let at = self.append(ti, 0, f.msg, None, t);
                    out.story(
                        t,
                        &name,
                        KafkaAction::Done,
                        format!("process {} failed: sent to {topic}@{at}", f.offset),
                        format!("the consumer publishes the record to {topic} and goes on; its partition keeps flowing"),
                    );
                    self.advance_hw(ti, 0, t, out);
                }
                self.start_next(c, t, out);
            }
        }
    }
}
