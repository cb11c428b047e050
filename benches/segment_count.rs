//! Times the three-condition behavioral segment of the README ("in DE or
//! FR, subscribed, at least 2 orders in the last 365 days") on a
//! 1,000,000-contact workspace: the headline count the builder shows first,
//! the full count with every condition alone and cumulatively, and the same
//! question as handwritten SQL run through the same SQLite.
//!
//! `cargo bench --bench segment_count` uses TAILOR_BENCH_WORKSPACE if set,
//! else generates a 1,000,000-contact demo first (about a minute).
//! Targets (issue 4): the count in at most 100 ms and no slower than 1.2×
//! the handwritten SQL.

use std::time::Instant;

use chrono::{NaiveDate, TimeZone as _};
use tailor::demo::{self, DemoOptions};
use tailor::domain::segment::parse_segment;
use tailor::jobs::{CancelToken, NoProgress};
use tailor::store::Store;

const SEGMENT: &str = r#"{"name": "Three", "match": "all", "conditions": [
  {"field": "country", "op": "in", "value": ["DE", "FR"]},
  {"consent": "subscribed"},
  {"activity": "order", "measure": "count", "op": ">=", "value": 2,
   "window": {"last": {"amount": 365, "unit": "days"}}}
]}"#;

/// The median of `runs` timings of `f`, in milliseconds, and its last answer.
fn median_ms<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last.expect("at least one run"))
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
    let store = Store::open(&path).expect("opens");
    let settings = store.settings().expect("settings");
    let as_of = settings.as_of.unwrap_or(as_of);
    let segment = parse_segment(SEGMENT, &store.segment_schema().expect("schema")).expect("valid");

    // Warm the page cache once, as a user's second count would be.
    let _ = store.segment_total(&segment, as_of).expect("counts");
    let (total_ms, total) = median_ms(7, || store.segment_total(&segment, as_of).expect("counts"));
    let (full_ms, full) = median_ms(3, || store.segment_counts(&segment, as_of).expect("counts"));
    assert_eq!(full.count, total, "both ways agree");

    let tz: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let since = tz
        .from_local_datetime(
            &(as_of - chrono::Days::new(365))
                .and_hms_opt(0, 0, 0)
                .expect("midnight"),
        )
        .earliest()
        .expect("a local midnight")
        .timestamp();
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("raw connection");
    let handwritten = "SELECT count(*) FROM contacts c \
         WHERE c.country IN ('DE', 'FR') AND c.consent_status = 'subscribed' \
         AND (SELECT count(*) FROM orders o WHERE o.contact_id = c.id AND o.ordered_at >= ?1) >= 2";
    let (hand_ms, hand) = median_ms(7, || {
        conn.query_row(handwritten, [since], |r| r.get::<_, i64>(0))
            .expect("handwritten")
    });
    assert_eq!(hand, total, "the handwritten SQL agrees");

    println!("segment: {}", tailor::domain::segment::read_back(&segment));
    println!("members: {total}");
    println!("count (headline, what the builder shows first): {total_ms:.0} ms (target ≤ 100 ms)");
    println!(
        "handwritten SQL: {hand_ms:.0} ms; ratio {:.2}× (target ≤ 1.2×)",
        total_ms / hand_ms
    );
    println!("count with every condition alone and cumulative: {full_ms:.0} ms");
}
