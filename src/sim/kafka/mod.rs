//! Kafka consumer-group model, the comparison side of the simulator.
//!
//! Filled in by the following commits: topic logs with replication, the
//! group coordinator, consumers with their commit policies, producers.
