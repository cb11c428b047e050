//! Times the three-condition behavioral segment of the README ("in DE or
//! FR, subscribed, at least 2 orders in the last 365 days") on a
//! 1,000,000-contact workspace: the first count after opening (which loads
//! the columns it needs into memory), the count after that (what every edit
//! in the builder costs: the headline, and every condition alone and
//! cumulatively), an edited segment, and the same question as one compiled
//! SQL query and as handwritten SQL run through the same SQLite.
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

/// The same segment after an edit in the builder: another threshold and
/// window, and Austria added.
const EDITED: &str = r#"{"name": "Three", "match": "all", "conditions": [
  {"field": "country", "op": "in", "value": ["DE", "FR", "AT"]},
  {"consent": "subscribed"},
  {"activity": "order", "measure": "count", "op": ">=", "value": 3,
   "window": {"last": {"amount": 180, "unit": "days"}}}
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
    let schema = store.segment_schema().expect("schema");
    let segment = parse_segment(SEGMENT, &schema).expect("valid");
    let edited = parse_segment(EDITED, &schema).expect("valid");

    // Warm the page cache once, as a user's second count would be, then
    // count on a freshly opened store: the columns load on first use.
    let _ = store.segment_total_sql(&segment, as_of).expect("counts");
    drop(store);
    let store = Store::open(&path).expect("opens");
    let (first_ms, first) = median_ms(1, || store.segment_counts(&segment, as_of).expect("counts"));
    let (total_ms, total) = median_ms(9, || store.segment_total(&segment, as_of).expect("counts"));
    let (full_ms, full) = median_ms(9, || store.segment_counts(&segment, as_of).expect("counts"));
    let (edit_ms, edit) = median_ms(9, || store.segment_counts(&edited, as_of).expect("counts"));
    let (sql_ms, by_sql) = median_ms(3, || {
        store.segment_counts_sql(&segment, as_of).expect("counts")
    });
    let (sql_total_ms, sql_total) = median_ms(3, || {
        store.segment_total_sql(&segment, as_of).expect("counts")
    });
    assert_eq!(full, by_sql, "the columns and the SQL agree on every count");
    assert_eq!((first.count, full.count, sql_total), (total, total, total));
    assert_eq!(
        edit,
        store.segment_counts_sql(&edited, as_of).expect("counts"),
        "and on the edited segment"
    );

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
    println!("first count after opening (loads the columns): {first_ms:.0} ms");
    println!("headline count: {total_ms:.1} ms (target ≤ 100 ms)");
    println!("every condition alone and cumulative: {full_ms:.1} ms");
    println!("the edited segment, all counts: {edit_ms:.1} ms");
    println!(
        "handwritten SQL: {hand_ms:.0} ms; ratio {:.3}× (target ≤ 1.2×)",
        total_ms / hand_ms
    );
    println!("compiled SQL, headline: {sql_total_ms:.0} ms; all counts: {sql_ms:.0} ms");
}
