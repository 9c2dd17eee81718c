//! The lab driven by its labels, as a learner would: type into the
//! console, break something at a step, move a what-if knob, copy the link.
//!
//! ```text
//!   console   "XLEN orders" + Enter ─▶ "(integer) <the length on screen>", a branch step
//!             "XINFO st" + Tab ─▶ "XINFO STREAM ", its synopsis from COMMAND DOCS
//!   faults    S01 at step 30, c2 "crash" ─▶ a branch; the ledgers at the two ends differ
//!   what-if   S01 reaper min-idle 5000 ─▶ the claim at t=30 000 instead of 90 000
//!   link      the branch's link reopens the same run (same trace hash)
//! ```
#![cfg(feature = "gui")]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use streamlab::gui::Explorer;
use streamlab::sim::trace::Note;
use streamlab::sim::{RunOptions, Simulation};
use streamlab::view::Link;
use streamlab::view::knobs::KnobValue;

fn harness(id: &str) -> Harness<'static, Explorer> {
    let mut app = Explorer::new(id, None, None);
    app.explore_all();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
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

/// Runs frames until the branch on screen is explored to its end.
fn settle(h: &mut Harness<'static, Explorer>) {
    for _ in 0..200 {
        h.run();
        if !h.state().exploring() {
            break;
        }
    }
    h.run();
}

#[test]
fn a_command_typed_in_the_console_prints_its_reply_and_branches_the_run() {
    let mut h = harness("S01");
    h.state_mut().seek(12);
    h.run();
    let length = h.state().world().stream("orders").map_or(0, |s| s.length);
    let input = h.get_by_role(Role::TextInput);
    input.click();
    h.run();
    h.get_by_role(Role::TextInput).type_text("XLEN orders");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("step 12> XLEN orders");
    // In the console's scrollback, and in the narrative as the step's reply.
    let reply = format!("(integer) {length}");
    assert_eq!(h.query_all_by_label(&reply).count(), 2, "{reply}");
    h.get_by_label("console> XLEN orders");
    assert_eq!(
        h.state().world().step,
        13,
        "the command is a step of its own"
    );
    assert!(h.state().report().branch);
    h.get_by_label_contains("A branch of S01: 1 action(s)");

    // A blocking read is refused with the reason, and nothing changes.
    h.state_mut()
        .console_type("XREADGROUP GROUP g c9 BLOCK 0 STREAMS orders >");
    h.state_mut().console_submit();
    h.run();
    h.get_by_label_contains("(refused) XREADGROUP can block");
    assert_eq!(h.state().world().step, 13);
}

#[test]
fn tab_completes_arguments_from_command_docs_and_shows_the_synopsis() {
    let mut h = harness("S01");
    h.get_by_role(Role::TextInput).click();
    h.run();
    h.get_by_role(Role::TextInput).type_text("XINFO st");
    h.run();
    h.key_press(egui::Key::Tab);
    h.run();
    h.run();
    h.get_by_label("XINFO STREAM key [FULL [COUNT count]]  — Get information about a stream");
    // Typing goes on after the completed word, not where the cursor was.
    h.get_by_role(Role::TextInput).type_text("orders ");
    h.run();
    assert_eq!(h.state().console_input(), "XINFO STREAM orders ");
}

#[test]
fn the_stream_tab_measures_its_entries_as_a_list_and_as_hashes() {
    let mut h = harness("S01");
    h.state_mut().seek(u64::MAX);
    h.run();
    // The section is below the fold of the Stream tab.
    h.get_by_label("Stored as a list, or as a hash per entry?")
        .scroll_to_me();
    h.run();
    h.get_by_label("Stored as a list, or as a hash per entry?")
        .click();
    // The header opens over a few frames.
    for _ in 0..10 {
        h.run();
    }
    h.get_by_label("Stored as a list, or as a hash per entry?")
        .scroll_to_me();
    h.run();
    h.get_by_label("Measure at this step").click();
    h.run();
    h.run();
    // S01's 100 entries `m <n>`: the list and the hashes, each with its
    // ratio to the stream (the engine's MEMORY USAGE).
    h.get_by_label("one list");
    h.get_by_label("100 hashes");
    assert!(h.query_all_by_label_contains("x the stream").count() == 2);
}

#[test]
fn crashing_a_consumer_from_the_lab_changes_the_ledger_at_the_end() {
    let mut h = harness("S01");
    h.state_mut().seek(30);
    h.run();
    // The rows are c1, c2, reaper: c1 crashed at t=1350 (step < 30?) — find
    // c2's crash button by position among the live actors' buttons.
    let alive: Vec<String> = streamlab::view::targets::Targets::of(h.state().player())
        .actors
        .into_iter()
        .filter(|a| a.alive)
        .map(|a| a.name)
        .collect();
    let c2 = alive
        .iter()
        .position(|n| n == "c2")
        .expect("c2 runs at step 30");
    h.get_all_by_label("crash").nth(c2).unwrap().click();
    h.run();
    h.get_by_label_contains("branched at step 30: c2 crashes");
    settle(&mut h);
    h.get_by_label("Original vs branch, at their ends");
    let (original, branch) = h.state_mut().lab_endings().expect("both explored");
    assert_ne!(original.trace_hash, branch.trace_hash);
    assert!(
        streamlab::view::lab::compare(&original, &branch)
            .iter()
            .any(|r| r.differs() && r.label.starts_with("Redis")),
        "a crashed c2 changes what happened to the messages"
    );
}

fn first_claim_ms(scenario: std::sync::Arc<streamlab::scenario::Scenario>) -> u64 {
    let mut sim = Simulation::new(
        scenario,
        RunOptions {
            keep_trace: true,
            ..RunOptions::default()
        },
    );
    sim.run();
    sim.ctx
        .trace
        .drain_records()
        .into_iter()
        .find(|r| matches!(r.note, Note::Claimed(n, _) if n > 0))
        .map(|r| r.time_ms)
        .expect("the reaper claims")
}

#[test]
fn a_shorter_min_idle_makes_the_reaper_claim_at_its_first_tick() {
    let mut h = harness("S01");
    h.get_by_label("What if…");
    h.get_by_label("reaper: min-idle (ms)");
    let original = first_claim_ms(h.state().player().scenario().clone());
    assert_eq!(original, 90_000);
    h.state_mut()
        .set_knob("reaper.min_idle_ms", KnobValue::Int(5_000));
    settle(&mut h);
    assert_eq!(
        first_claim_ms(h.state().player().scenario().clone()),
        30_000
    );
    h.get_by_label_contains("0 action(s), 1 what-if change(s)");
    h.get_by_label("Original vs branch, at their ends");
}

#[test]
fn the_link_of_a_branch_reopens_the_same_run() {
    let mut h = harness("S01");
    h.state_mut().seek(25);
    h.state_mut()
        .act(streamlab::scenario::schema::Action::Fault(
            streamlab::scenario::schema::FaultKind::HangActor {
                name: "c2".into(),
                for_ms: 40_000,
            },
        ));
    h.state_mut().set_knob("reaper.count", KnobValue::Int(3));
    h.state_mut().seek(25);
    h.state_mut()
        .act(streamlab::scenario::schema::Action::Command(
            "XINFO GROUPS orders".into(),
        ));
    settle(&mut h);
    let report = h.state().report();
    let link = Link::parse(&report.link).expect("the page's own link reads back");
    let mut reopened = Explorer::from_link(&link);
    reopened.explore_all();
    assert_eq!(reopened.report().trace_hash, report.trace_hash);
    assert_eq!(reopened.report().step, report.step);
    assert!(reopened.report().branch);
    // And the saved file replays it too.
    let text = h.state().branch_ron().unwrap();
    let s = streamlab::scenario::parse_scenario("branch.ron", &text).unwrap();
    let mut sim = Simulation::new(std::sync::Arc::new(s), RunOptions::default());
    sim.run();
    let outcome = streamlab::sim::Outcome::of(&sim);
    assert_eq!(Some(outcome.trace_hash), report.trace_hash);
}

#[test]
fn the_plots_show_the_run_and_a_click_moves_the_timeline() {
    let mut h = harness("S01");
    h.get_by_label("Plots").click();
    h.run();
    h.get_by_label("PEL per consumer (XPENDING)");
    h.get_by_label("MEMORY USAGE (bytes)");
    let samples = h.state().player().series().samples.clone();
    // One sample per 300 virtual ms at most, and only when a step happens.
    assert!(samples.len() >= 20, "{} samples", samples.len());
    assert!(samples.windows(2).all(|w| w[0].time_ms < w[1].time_ms));
    // c1 crashed holding 7 entries: its PEL stays 7 until the reaper's
    // claim at 90 s, and is 0 after it.
    let pel_of = |s: &streamlab::view::series::Sample, c: &str| {
        s.pel.iter().find(|(n, _)| n == c).map_or(0, |p| p.1)
    };
    let before = samples.iter().rfind(|s| s.time_ms < 90_000).unwrap();
    let after = samples.iter().find(|s| s.time_ms > 90_000).unwrap();
    assert_eq!(pel_of(before, "c1"), 7);
    assert_eq!(pel_of(after, "c1"), 0);
    h.state_mut().seek_to_time(60_000);
    h.run();
    let t = h.state().world().time_ms;
    assert!(t.abs_diff(60_000) <= 1_000, "landed at t={t}");
}

#[test]
fn a_myth_opens_its_scenario_at_the_telling_moment() {
    let mut h = harness("S02");
    h.get_by_label("Myth vs reality").click();
    h.run();
    h.get_by_label_contains("Myth: A sidecar running XAUTOCLAIM every 30 s");
    h.get_by_label("show me: S04e at its end").click();
    h.run();
    assert_eq!(h.state().source().id, "S04e");
    assert!(h.state().player().at_end());
    // A myth told at a caption opens just after that caption.
    let sidecar = streamlab::view::myths::MYTHS
        .iter()
        .position(|m| m.claim.starts_with("A sidecar running XAUTOCLAIM"))
        .unwrap();
    h.state_mut().open_myth(sidecar);
    h.run();
    assert_eq!(h.state().source().id, "S01");
    let caption = h
        .state()
        .player()
        .caption_in_force()
        .map(|(i, m)| (i, m.text.clone()));
    let (index, text) = caption.expect("a caption in force");
    assert_eq!(index, 3);
    assert!(text.contains("claims all seven"), "{text}");
}

#[test]
fn the_replication_tab_says_what_a_crash_now_would_lose() {
    let mut h = harness("S09b");
    // Just before the scenario's process crash.
    let crash = h
        .state()
        .player()
        .markers()
        .iter()
        .find(|m| m.kind == streamlab::view::MarkerKind::Fault)
        .unwrap()
        .step;
    h.state_mut().seek(crash);
    h.get_by_label("Replication & disk").click();
    h.run();
    h.get_by_label("A fault right now would lose");
    h.get_by_label("process crash, restart from disk");
    h.get_by_label("power loss, restart from disk");
    let d = h
        .state()
        .world()
        .durability
        .clone()
        .expect("computed for the tab");
    assert!(d.persistence.contains("everysec"));
    let lost = |label: &str| {
        d.crash_now
            .iter()
            .find(|c| c.label.starts_with(label))
            .unwrap()
            .messages_lost
    };
    assert!(d.messages_on_primary > 0);
    assert_eq!(lost("process crash"), 0, "everysec: the OS has every write");
    assert!(lost("power loss") > 0, "the last second was not fsynced");
    // What the panel says is what the labels show.
    for c in &d.crash_now {
        h.get_by_label(&format!(
            "{} of {} acknowledged messages",
            streamlab::view::format::thousands(c.messages_lost),
            streamlab::view::format::thousands(d.messages_on_primary)
        ));
    }
}

#[test]
fn clicking_a_pending_entry_opens_the_inspector_with_its_xpending_line() {
    let mut h = harness("S01");
    // Just after c1's crash: it holds 4..10.
    h.state_mut()
        .next_marker(Some(streamlab::view::MarkerKind::Fault));
    h.run();
    h.get_by_label("Groups & PEL").click();
    h.run();
    h.get_by_label("4-0").click();
    h.run();
    h.get_by_label("Entry orders 4-0");
    h.get_by_label_contains("pending: 1) \"4-0\" 2) \"c1\"");
    h.get_by_label_contains("delivered to c1");
    h.get_by_label("● c1").click();
    h.run();
    h.get_by_label("Consumer c1 of group g on orders");
    h.get_by_label_contains("pending 7");
}

#[test]
fn the_live_window_loads_a_real_servers_streams_into_the_panels() {
    let Some(server) = support::reference_server("the live window") else {
        return;
    };
    let mut c = streamlab::live::resp::Client::connect("127.0.0.1", server.port).unwrap();
    for line in [
        "XADD events 1-0 kind signup",
        "XADD events 2-0 kind login",
        "XGROUP CREATE events mailer 0",
        "XREADGROUP GROUP mailer m1 COUNT 1 STREAMS events >",
    ] {
        let args: Vec<&str> = line.split(' ').collect();
        assert!(!c.cmd(&args).unwrap().is_error(), "{line}");
    }
    let mut h = harness("S01");
    h.get_by_label("Live Redis").click();
    h.run();
    h.state_mut()
        .load_live("127.0.0.1", server.port, None)
        .expect("loads");
    h.run();
    assert_eq!(h.state().source().id, "LIVE");
    let w = h.state().world();
    let s = w.stream("events").expect("the stream is shown");
    assert_eq!(s.length, 2);
    assert_eq!(s.groups[0].name, "mailer");
    assert_eq!(s.groups[0].pel_count, 1);
    h.get_by_label("XINFO STREAM events");
    // A port nobody listens on is named in the error.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = h
        .state_mut()
        .load_live("127.0.0.1", port, None)
        .unwrap_err();
    assert!(e.contains("cannot reach"), "{e}");
    assert_eq!(
        h.state().source().id,
        "LIVE",
        "a failed load keeps what is shown"
    );
}

#[test]
fn a_kafka_record_opens_in_the_inspector_with_its_committed_place() {
    let mut h = harness("S02");
    h.state_mut().seek(u64::MAX);
    h.get_by_label("Kafka vs PEL").click();
    h.run();
    let k = h
        .state()
        .world()
        .kafka
        .clone()
        .expect("S02 has a Kafka side");
    let g = &k.groups[0];
    let p = &g.partitions[0];
    let (offset, msg) = p.records[0];
    let label = format!("{}-p{} offset {offset}", g.topic, p.partition);
    h.get_by_label(&label).click();
    h.run();
    h.get_by_label(&format!(
        "Kafka record {}-{} offset {offset}",
        g.topic, p.partition
    ));
    h.get_by_label(&format!("m {msg}"));
    // Where the record stands against the group's committed offset.
    let committed = p.committed.expect("S02's group committed at its end");
    let place = if offset < committed {
        "below the committed offset"
    } else {
        "at or past the committed offset"
    };
    h.get_by_label_contains(&format!("{place} {committed}"));
}
