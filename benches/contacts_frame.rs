//! Drives the Contacts screen headlessly over a large workspace and reports
//! the UI thread's time per frame (layout plus tessellation: everything the
//! CPU does for a frame except the GPU upload) while the table scrolls, and
//! the process's peak memory.
//!
//! `cargo bench --bench contacts_frame` uses TAILOR_BENCH_WORKSPACE if set,
//! else generates a 1,000,000-contact demo first (about a minute).
//! Targets (issue 2): under 8 ms a frame, under 300 MB.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tailor::demo::{self, DemoOptions};
use tailor::jobs::{CancelToken, NoProgress};
use tailor::state::Preferences;
use tailor::{Startup, TailorApp};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 15).expect("valid date");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = match std::env::var_os("TAILOR_BENCH_WORKSPACE") {
        Some(path) => path.into(),
        None => {
            let path = dir.path().join("bench.tailor");
            let options = DemoOptions {
                n_contacts: 1_000_000,
                seed: 1,
                as_of,
                time_zone: "Europe/Berlin".to_owned(),
            };
            eprintln!("generating a 1,000,000-contact workspace…");
            demo::generate(&path, &options, &mut NoProgress, &CancelToken::new())
                .expect("generates")
                .0
        }
    };

    let ctx = egui::Context::default();
    let mut app = TailorApp::new(&ctx, Preferences::default(), as_of, Startup::Open(path))
        .expect("app starts");
    let started = Instant::now();
    assert!(
        app.wait_until(Duration::from_secs(120), |s| s.contacts.ids.is_some()),
        "the contact list did not load"
    );
    let n_rows = app.state().contacts.n_rows();
    println!(
        "contacts_frame: {n_rows} rows listed in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
    let frame = |app: &mut TailorApp, events: Vec<egui::Event>| -> f64 {
        let input = egui::RawInput {
            screen_rect: Some(screen),
            events,
            ..Default::default()
        };
        let t = Instant::now();
        let output = ctx.run_ui(input, |ui| app.frame_ui(ui));
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        t.elapsed().as_secs_f64() * 1e3
    };
    // Warm up: fonts, first pages.
    for _ in 0..30 {
        frame(&mut app, Vec::new());
        app.wait_until(Duration::from_millis(5), |_| false);
    }

    let wheel = |dy: f32| {
        vec![
            egui::Event::PointerMoved(egui::pos2(640.0, 400.0)),
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dy),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::default(),
            },
        ]
    };
    let mut times = Vec::new();
    // Steady scrolling: 600 frames of a fast wheel (about 20 rows a frame).
    for _ in 0..600 {
        times.push(frame(&mut app, wheel(-440.0)));
        app.handle_events();
    }
    // Jumps: drag far down the list as a user grabbing the scroll bar would.
    for step in 0..200 {
        let dy = if step % 2 == 0 { -200_000.0 } else { -5_000.0 };
        times.push(frame(&mut app, wheel(dy)));
        app.handle_events();
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "contacts_frame: {} frames, mean {mean:.2} ms, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, \
         max {:.2} ms; peak memory {:.0} MB (targets: < 8 ms a frame, < 300 MB)",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        times[times.len() - 1],
        peak_rss_mb(),
    );
    let loaded = app.state().contacts.pages.len();
    println!("contacts_frame: {loaded} pages cached at the end");
}
