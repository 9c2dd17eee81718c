//! The explorer driven by its labels, as a learner would, with no window
//! (egui_kittest over AccessKit).
//!
//! ```text
//!   Harness(1280×800) ── click "Step ▶" / "◀ Back" / "▶ Play" / the timeline slider
//!                     ── open "▾ Scenarios", pick S02, paste a broken RON file
//!                     └─ read what the panels say: lanes, XINFO numbers, ledgers
//! ```
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use streamlab::gui::Explorer;

fn harness(id: &str) -> Harness<'static, Explorer> {
    let mut app = Explorer::new(id, None, None);
    app.explore_all();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        // New grids (the lab panel's) take a few passes to size.
        .with_max_steps(12)
        // A character no bundled font draws fails the test instead of
        // showing the learner a box.
        .with_context_setup(|ctx| {
            streamlab::gui::setup_style(ctx);
            ctx.set_missing_glyph_policy(egui::MissingGlyphPolicy::Panic);
        })
        .build_ui_state(|ui, app: &mut Explorer| app.show(ui), app);
    h.run();
    h
}

fn step_label(h: &Harness<'_, Explorer>) -> String {
    let w = h.state().world();
    format!("step {} /", w.step)
}

#[test]
fn step_forward_and_back_by_the_buttons() {
    let mut h = harness("S01");
    assert_eq!(h.state().world().step, 0);
    h.get_by_label_contains("Space to play");
    for _ in 0..3 {
        h.get_by_label("Step ▶").click();
        h.run();
    }
    assert_eq!(h.state().world().step, 3);
    h.get_by_label_contains(&step_label(&h));
    h.get_by_label("◀ Back").click();
    h.run();
    assert_eq!(h.state().world().step, 2);
    // The narrative shows the command of step 2 as typed and its reply.
    let record = h.state().player().last_record().unwrap().clone();
    assert_eq!(record.step, 1);
    let names = h.state().player().sim().actor_names().to_vec();
    let command = streamlab::sim::trace::command_text(record.command.as_ref().unwrap());
    h.get_by_label(&format!("{}> {command}", record.who_name(&names)));
    assert!(!record.caption(&names).is_empty());
}

#[test]
fn keys_move_time_and_play_advances() {
    let mut h = harness("S01");
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert_eq!(h.state().world().step, 1);
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowRight);
    h.run();
    assert_eq!(h.state().world().step, 11);
    h.key_press(egui::Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().world().step, 10);
    h.key_press(egui::Key::End);
    h.run();
    assert!(h.state().player().at_end());
    h.key_press(egui::Key::Home);
    h.run();
    assert_eq!(h.state().world().step, 0);
    h.get_by_label("▶ Play").click();
    for _ in 0..30 {
        h.step();
    }
    assert!(h.state().world().step > 0, "playing moves forward");
    h.get_by_label("‖ Pause").click();
    h.run();
    let here = h.state().world().step;
    for _ in 0..10 {
        h.step();
    }
    assert_eq!(h.state().world().step, here, "paused stays put");
}

#[test]
fn the_timeline_slider_seeks_exactly() {
    let mut h = harness("S02");
    let total = h.state().player().total_steps().unwrap();
    h.get_by_label("Timeline")
        .set_value_accesskit((total / 2) as f64);
    h.run();
    assert_eq!(h.state().world().step, total / 2);
}

#[test]
fn a_crashed_consumer_lane_holds_its_entries_until_the_reaper_claims_them() {
    let mut h = harness("S01");
    h.get_by_label("Groups & PEL").click();
    // Third caption: the first reaper tick at 30 s; c1 died at 1.35 s.
    for _ in 0..3 {
        h.get_by_label("Next caption ▶▶").click();
        h.run();
    }
    h.get_by_label_contains("▲ first reaper tick");
    h.get_by_label("● c1");
    h.get_by_label(" † crashed");
    h.get_by_label("7 pending");
    // Fourth caption: the claim at 90 s moves the seven to the reaper.
    h.get_by_label("Next caption ▶▶").click();
    h.run();
    for _ in 0..3 {
        h.get_by_label("Step ▶").click();
        h.run();
    }
    let w = h.state().world();
    let lanes = &w.stream("orders").unwrap().groups[0].lanes;
    assert_eq!(
        lanes.iter().find(|l| l.name == "c1").unwrap().pending_count,
        0
    );
    h.get_by_label("● reaper");
}

#[test]
fn the_stream_tab_shows_the_tree_with_xinfo_numbers() {
    let mut h = harness("S06");
    h.key_press(egui::Key::End);
    h.run();
    let s = h.state().world().streams[0].clone();
    h.get_by_label(&format!("XINFO STREAM {}", s.key));
    h.get_by_label_contains(&format!(
        "{} rax nodes",
        streamlab::gui::theme::thousands(s.radix_tree_nodes)
    ));
    h.get_by_label_contains(&format!(
        "Macro node {}",
        s.node.as_ref().unwrap().master_id
    ));
}

#[test]
fn kafka_vs_pel_shows_both_ledgers_live() {
    let mut h = harness("S02");
    h.get_by_label("Kafka vs PEL").click();
    h.key_press(egui::Key::End);
    h.run();
    let w = h.state().world().clone();
    assert!(w.has_kafka);
    h.get_by_label("Kafka: one committed offset per partition");
    h.get_by_label("Redis: every delivered entry, in the PEL");
    // The duplicates row: the two sides differ in S02, and both numbers show.
    let (ledger_redis, ledger_kafka) = w.ledgers.clone().expect("the tab shows the ledgers");
    let redis = streamlab::gui::theme::thousands(ledger_redis.duplicates);
    let kafka = streamlab::gui::theme::thousands(ledger_kafka.duplicates);
    assert_ne!(
        redis, kafka,
        "S02's lesson: Kafka re-reads from the committed offset"
    );
    h.get_by_label("duplicates");
    assert!(!h.query_all_by_label(&kafka).collect::<Vec<_>>().is_empty());
}

#[test]
fn pick_another_scenario_and_reject_a_broken_file() {
    let mut h = harness("S01");
    h.get_by_label("S01 ▾ Scenarios").click();
    h.run();
    h.get_by_label("S02").click();
    h.run();
    assert_eq!(h.state().source().id, "S02");
    let title = h.state().player().scenario().meta.title.clone();
    h.get_by_label(&title);
    // A broken RON text: the error names where, the run stays.
    h.state_mut()
        .picker_paste("Scenario(meta: (id: \"X\", title: 5))");
    h.run();
    h.get_by_label("Load pasted RON").click();
    h.run();
    h.get_by_label_contains("pasted.ron:1:");
    assert_eq!(h.state().source().id, "S02");
}
