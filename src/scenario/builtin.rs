//! The bundled scenarios, compiled into the binary so the same list works
//! in the terminal, in tests and in wasm.
//!
//! ```text
//!   scenarios/s01_crash_and_reclaim.ron ──include_str!──▶ ("s01_crash_and_reclaim.ron", text)
//! ```
//!
//! tests/scenarios.rs fails when a file in scenarios/ is missing here.

macro_rules! bundled {
    ($($file:literal),* $(,)?) => {
        /// `(file name, text)` of every bundled scenario, in catalog order.
        pub const ALL: &[(&str, &str)] = &[
            $(($file, include_str!(concat!("../../scenarios/", $file)))),*
        ];
    };
}

bundled!(
    "s01_crash_and_reclaim.ron",
    "s01b_restart_same_name.ron",
    "s01c_restart_new_name.ron",
    "s01d_short_min_idle.ron",
    "s02_kafka_vs_pel.ron",
    "s02b_kafka_auto_commit_sync.ron",
    "s02c_kafka_commit_before.ron",
    "s02d_kafka_auto_commit_async.ron",
    "s02e_kafka_per_record.ron",
    "s02f_redis_count1.ron",
    "s02g_stall.ron",
    "s02h_kafka_join_timing.ron",
    "s03_poison_dlq.ron",
    "s03b_justid_antipattern.ron",
    "s03c_kafka_poison.ron",
    "s04a2_maxlen_approx_1050.ron",
    "s04a_maxlen_approx.ron",
    "s04b_maxlen_exact.ron",
    "s04c_xtrim_after.ron",
    "s04d_xtrim_limit.ron",
    "s04e_node_bytes.ron",
    "s04f_approx_trim_can_empty.ron",
    "s05_trim_vs_pel.ron",
    "s05b_dangling_purge.ron",
    "s06_rax_growth.ron",
    "s07_replay_setid.ron",
    "s07b_setid_entries_read.ron",
    "s08_failover_loss.ron",
    "s08b_slow_acks.ron",
    "s08c_wait.ron",
    "s08d_random_lag.ron",
    "s08e_partition.ron",
    "s08f_min_replicas.ron",
    "s08g_kafka_acks_all.ron",
    "s08h_primary_back.ron",
    "s08i_replica_priority.ron",
    "s08j_partition_heals.ron",
    "s08k_backlog_exceeded.ron",
    "s08l_promoted_own_disk.ron",
    "s08m_min_replicas_after_failover.ron",
    "s08n_graceful_shutdown_failover.ron",
    "s08o_wait_best_effort.ron",
    "s08p_kafka_acks_all_not_idempotent.ron",
    "s08q_partition_reconf_replicas.ron",
    "s08r_full_resync_takes_time.ron",
    "s08s_promoted_replica_rdb.ron",
    "s09a_aof_always_power_loss.ron",
    "s09b_aof_everysec_process_crash.ron",
    "s09c_aof_everysec_power_loss.ron",
    "s09d_aof_no_power_loss.ron",
    "s09e_rdb_default.ron",
    "s09f_rdb_save60.ron",
    "s09g_pel_survives_restart.ron",
    "s09h_aof_no_process_crash.ron",
    "s09i_rdb_save60_process_crash.ron",
    "s09j_graceful_shutdown.ron",
    "s09k_dirty_counts.ron",
    "s09l_everysec_slow_disk.ron",
    "s09m_replica_own_disk_restart.ron",
    "s10_name_collision.ron",
    "s10b_unique_names.ron",
    "s10c_delconsumer.ron",
    "s10d_force_claim.ron",
    "s11a_under_capacity.ron",
    "s11b_missing_acks.ron",
    "s11c_stolen_work.ron",
    "s11d_min_idle_fix.ron",
    "s12_cluster_slots.ron",
    "s13_bridge_restart.ron",
    "s13b_bridge_outage_trim.ron",
    "s13c_bridge_outage_trim_approx.ron",
    "s13d_kafka_retention_outage.ron",
);

/// The scenario `cargo run` replays without arguments.
pub const DEFAULT: &str = "s02_kafka_vs_pel.ron";

/// The text of a bundled scenario by file name (with or without `.ron`).
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    let bare = name.trim_end_matches(".ron");
    ALL.iter()
        .find(|(file, _)| *file == name || file.trim_end_matches(".ron") == bare)
        .copied()
}

/// A bundled scenario by its catalog id (`S08`, `s04a2`), case-insensitive.
/// File names start with the lower-cased id and an underscore, which
/// tests/cli_run.rs checks for every bundled file.
pub fn find_id(id: &str) -> Option<(&'static str, &'static str)> {
    let prefix = format!("{}_", id.to_ascii_lowercase());
    ALL.iter()
        .find(|(file, _)| file.starts_with(&prefix))
        .copied()
}
