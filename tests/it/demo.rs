//! The demo shop: deterministic per seed, internally consistent, realistic
//! mixes, and all-or-nothing.

use tailor::demo::{self, DemoError};
use tailor::domain::{ContactColumn, ContactQuery, SortSpec};
use tailor::jobs::{CancelToken, NoProgress};
use tailor::store::Store;

use crate::support::{demo_options, demo_workspace, raw};

fn all_rows(path: &std::path::Path) -> Vec<tailor::domain::ContactRow> {
    let store = Store::open(path).expect("open");
    let query = ContactQuery {
        sort: SortSpec {
            column: ContactColumn::Email,
            descending: false,
        },
        ..ContactQuery::default()
    };
    let ids = store.contact_ids(&query).expect("ids");
    store.contact_rows(&ids).expect("rows")
}

#[test]
fn same_seed_gives_same_data() {
    let a = demo_workspace(400, 42);
    let b = demo_workspace(400, 42);
    assert_eq!(a.summary, b.summary);
    assert_eq!(all_rows(&a.path), all_rows(&b.path));
    let c = demo_workspace(400, 43);
    assert_ne!(all_rows(&a.path), all_rows(&c.path));
}

#[test]
fn counts_match_the_summary_and_metrics_match_orders() {
    let shop = demo_workspace(1500, 7);
    let store = Store::open(&shop.path).expect("open");
    let counts = store.counts().expect("counts");
    assert_eq!(counts.contacts as u64, shop.summary.contacts);
    assert_eq!(counts.orders as u64, shop.summary.orders);
    assert_eq!(counts.order_items as u64, shop.summary.order_items);
    assert_eq!(counts.events as u64, shop.summary.events);
    assert_eq!(shop.summary.contacts, 1500);
    // Roughly two orders a contact, as a real small shop has.
    let per_contact = shop.summary.orders as f64 / 1500.0;
    assert!(
        (1.5..3.5).contains(&per_contact),
        "orders per contact {per_contact}"
    );

    // Recompute every contact's metrics independently from the order lines.
    let conn = raw(&shop.path);
    let mut stmt = conn
        .prepare(
            "SELECT o.contact_id, count(DISTINCT o.id), sum(i.quantity * i.unit_price_cents) \
             FROM orders o JOIN order_items i ON i.order_id = o.id GROUP BY o.contact_id",
        )
        .expect("prepare");
    let expected: std::collections::HashMap<i64, (i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    for row in all_rows(&shop.path) {
        let (count, spent) = expected.get(&row.id.0).copied().unwrap_or((0, 0));
        assert_eq!(
            (row.order_count, row.total_spent_cents),
            (count, spent),
            "contact {}",
            row.id
        );
        assert_eq!(row.customer_id.is_some(), count > 0);
    }
}

#[test]
fn consent_mix_is_about_70_10_20_and_history_agrees() {
    let shop = demo_workspace(3000, 3);
    let conn = raw(&shop.path);
    let share = |status: &str| -> f64 {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM contacts WHERE consent_status = ?1",
                [status],
                |r| r.get(0),
            )
            .expect("count");
        n as f64 / 3000.0
    };
    assert!((share("subscribed") - 0.70).abs() < 0.04);
    assert!((share("unsubscribed") - 0.10).abs() < 0.03);
    assert!((share("unknown") - 0.20).abs() < 0.03);
    // Every contact's current status is the last entry of its history.
    let mismatches: i64 = conn
        .query_row(
            "SELECT count(*) FROM contacts c WHERE c.consent_status <> 'unknown' AND \
             c.consent_status <> (SELECT h.status FROM consent_history h \
             WHERE h.contact_id = c.id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(mismatches, 0);
    // Nobody receives newsletters after unsubscribing.
    let late_sends: i64 = conn
        .query_row(
            "SELECT count(*) FROM events e JOIN contacts c ON c.id = e.contact_id \
             WHERE e.kind = 'email_sent' AND c.consent_status = 'unsubscribed' \
             AND e.occurred_at > c.consent_changed_at",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(late_sends, 0);
}

#[test]
fn emails_are_unique_case_insensitively_and_use_reserved_domains() {
    let shop = demo_workspace(2000, 11);
    let conn = raw(&shop.path);
    let mut stmt = conn.prepare("SELECT email FROM contacts").expect("prepare");
    let emails: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    let distinct: std::collections::HashSet<String> =
        emails.iter().map(|e| e.to_lowercase()).collect();
    assert_eq!(distinct.len(), emails.len());
    for email in &emails {
        let domain = email.rsplit('@').next().unwrap_or_default().to_lowercase();
        assert!(
            domain.starts_with("example.") || domain.ends_with(".example"),
            "{email} is not at a reserved domain"
        );
    }
}

#[test]
fn cancelled_generation_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("never.tailor");
    let cancel = CancelToken::new();
    cancel.cancel();
    let result = demo::generate(&path, &demo_options(5000, 1), &mut NoProgress, &cancel);
    assert!(matches!(result, Err(DemoError::Cancelled)));
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read dir").collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn cancelling_midway_rolls_everything_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("half.tailor");
    let cancel = CancelToken::new();
    let mut reports = 0;
    let mut progress = |fraction: f32, _: &str| {
        reports += 1;
        if fraction > 0.3 {
            cancel.cancel();
        }
    };
    let result = demo::generate(&path, &demo_options(20_000, 1), &mut progress, &cancel);
    assert!(matches!(result, Err(DemoError::Cancelled)));
    assert!(reports > 3, "progress was reported along the way");
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read dir").collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn refuses_to_overwrite_an_existing_file() {
    let shop = demo_workspace(50, 1);
    let before = std::fs::read(&shop.path).expect("read");
    let result = demo::generate(
        &shop.path,
        &demo_options(50, 2),
        &mut NoProgress,
        &CancelToken::new(),
    );
    assert!(result.is_err());
    assert_eq!(std::fs::read(&shop.path).expect("read"), before);
}
