//! Frame cost of the whole explorer UI at a step of a run whose stream holds
//! 1,000,000 entries and whose group has 10,000 pending entries.
//!
//! ```text
//!   scenario: preload 1M entries, two consumers read 5,000 each (10k pending)
//!   per tab (Stream, Groups & PEL, Kafka vs PEL, Plots, Replication & disk),
//!   with the lab panel and the console open: a headless egui Context runs
//!   the UI frame by frame (layout and tessellation, as eframe does before
//!   handing triangles to the GPU)
//!   reported: median and max CPU ms per frame (target ≤ 8 ms), and the cost
//!   of one step (the view models rebuilt) at that size
//!
//!   cargo bench --bench explorer
//! ```

use std::time::Instant;

use streamlab::gui::{Explorer, Tab};

const BENCH_RON: &str = r#"Scenario(
  meta: (id: "BENCH", title: "1M entries, 10k pending", learning_goal: "frame time at scale",
         seed: 1, duration_ms: 10),
  streams: [(key: "s", preload: Count(n: 1000000, from: 1), groups: [(name: "g", start: "0")])],
  actors: [
    Admin(name: "admin", commands: [
      (1, "XREADGROUP GROUP g alice COUNT 5000 STREAMS s >"),
      (2, "XREADGROUP GROUP g bob COUNT 5000 STREAMS s >"),
    ]),
  ],
)"#;

const FRAMES: usize = 60;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let mut app = Explorer::new("S01", None, None);
    let t = Instant::now();
    app.load_text("bench.ron", BENCH_RON, None)
        .expect("bench scenario loads");
    app.explore_all();
    // Past the explorer's look-ahead cap: play on to the end of the run.
    while app.player().total_steps().is_none() {
        let next = app.player().position() + 200_000;
        app.seek(next);
    }
    app.seek(u64::MAX);
    println!(
        "load and run to the end: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let w = app.world();
    let s = &w.streams[0];
    println!(
        "stream: {} entries, {} macro nodes, {} rax nodes; group pending {}",
        s.length, s.radix_tree_keys, s.radix_tree_nodes, s.groups[0].pel_count
    );
    assert!(s.length >= 1_000_000 && s.groups[0].pel_count >= 10_000);

    let ctx = egui::Context::default();
    streamlab::gui::setup_style(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    };
    for tab in [
        Tab::Stream,
        Tab::Groups,
        Tab::KafkaVsPel,
        Tab::Plots,
        Tab::Durability,
    ] {
        app.set_tab(tab);
        let mut ms = Vec::with_capacity(FRAMES);
        for _ in 0..FRAMES {
            let t = Instant::now();
            let out = ctx.run_ui(input(), |ui| app.show(ui));
            let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let max = ms.iter().cloned().fold(0.0, f64::max);
        println!(
            "frame, {tab:?} tab: median {:.2} ms, max {:.2} ms ({FRAMES} frames)",
            median(&mut ms),
            max
        );
    }
    let mut ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let w = streamlab::view::World::of(app.player(), None, None, false);
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(w);
    }
    println!(
        "view models rebuilt (World::of) at this step: median {:.1} ms",
        median(&mut ms)
    );
    let mut ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let l = app.player().sim().ledger_view();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(l.redis.summary());
    }
    println!(
        "  of which the ledgers as of this step (ledger_view): median {:.1} ms",
        median(&mut ms)
    );
    let mut ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        app.step_back();
        app.seek(u64::MAX);
        ms.push(t.elapsed().as_secs_f64() * 1e3 / 2.0);
    }
    println!(
        "one step with the last tab (Replication & disk) open (seek + view models rebuilt): median {:.1} ms",
        median(&mut ms)
    );
}
