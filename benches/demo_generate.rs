//! Times `tailor demo` at scale: how long generating N contacts takes in this
//! build profile. Run with `cargo bench --bench demo_generate`; set
//! TAILOR_BENCH_CONTACTS (default 1,000,000) to change the size.
//! Target (issue 2): 1,000,000 contacts in under 60 s, release build.

use std::time::Instant;

use chrono::NaiveDate;
use tailor::demo::{self, DemoOptions};
use tailor::jobs::{CancelToken, NoProgress};

fn main() {
    let n_contacts: u64 = std::env::var("TAILOR_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.tailor");
    let options = DemoOptions {
        n_contacts,
        seed: 1,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 15).expect("valid date"),
        time_zone: "Europe/Berlin".to_owned(),
    };
    let started = Instant::now();
    let (path, summary) =
        demo::generate(&path, &options, &mut NoProgress, &CancelToken::new()).expect("generates");
    let seconds = started.elapsed().as_secs_f64();
    let size_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "demo_generate: {} contacts, {} orders, {} order lines, {} events in {seconds:.1} s \
         ({size_mb:.0} MB); target < 60 s: {}",
        summary.contacts,
        summary.orders,
        summary.order_items,
        summary.events,
        if seconds < 60.0 { "met" } else { "MISSED" }
    );
}
