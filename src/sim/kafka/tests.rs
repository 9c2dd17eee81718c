//! Unit tests of the model's pieces; the S02 rows live in tests/kafka_model.rs.
