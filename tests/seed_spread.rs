//! S08d's statistical claim: with a replica lag drawn from Uniform[50, 450]
//! every 1 000 ms, the failover loses between 5 and 45 acknowledged writes
//! for every seed, and 25 ± 5 on average over 20 seeds.
//!
//! ```text
//!   seeds 1..=20 ─▶ run s08d_random_lag ─▶ ledger.redis.log_lost ─▶ each in [5, 45], mean in [20, 30]
//! ```

use std::sync::Arc;
use streamlab::scenario::{builtin, parse_scenario};
use streamlab::sim::{Outcome, RunOptions, Simulation};

#[test]
fn random_lag_loss_stays_in_its_window_and_averages_25() {
    let (file, text) = builtin::find("s08d_random_lag").expect("bundled");
    let s = Arc::new(parse_scenario(file, text).expect("parses"));
    let mut losses = Vec::new();
    for seed in 1..=20u64 {
        let mut sim = Simulation::new(
            s.clone(),
            RunOptions {
                seed: Some(seed),
                invariant_every: Some(0),
                ..RunOptions::default()
            },
        );
        sim.run();
        let lost = Outcome::of(&sim).redis.log_lost;
        assert!(
            (5..=45).contains(&lost),
            "seed {seed}: log_lost {lost} outside [5, 45]"
        );
        losses.push(lost);
    }
    let mean_x20: u64 = losses.iter().sum();
    assert!(
        (400..=600).contains(&mean_x20),
        "mean log_lost {}/20 outside 25 ± 5 ({losses:?})",
        mean_x20
    );
    let distinct: std::collections::BTreeSet<u64> = losses.iter().copied().collect();
    assert!(
        distinct.len() > 5,
        "the seed barely changes the loss: {losses:?}"
    );
}
