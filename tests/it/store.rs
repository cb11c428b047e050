//! The workspace store: migrations, upgrades, refusals, queries and copies.

use tailor::domain::{ContactColumn, ContactQuery, SortSpec, WorkspaceSettings};
use tailor::jobs::{CancelToken, NoProgress};
use tailor::store::{LATEST_VERSION, Store, StoreError};

use crate::support::{demo_workspace, raw};

const V1_SCHEMA: &str = include_str!("../../migrations/0001_init.sql");

/// Writes a workspace as Tailor's schema version 1 wrote it, with one contact.
fn write_v1_workspace(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(V1_SCHEMA).expect("v1 schema");
    conn.execute_batch(
        "PRAGMA application_id = 1413564748; PRAGMA user_version = 1;
         INSERT INTO contacts (email, email_key, first_name, created_at, updated_at,
                               consent_status, consent_changed_at, consent_source)
         VALUES ('Ada@Example.com', 'ada@example.com', 'Ada', 1700000000, 1700000000,
                 'unsubscribed', 1700000100, 'manual');
         INSERT INTO consent_history (contact_id, status, changed_at, source)
         VALUES (1, 'subscribed', 1700000000, 'signup form'),
                (1, 'unsubscribed', 1700000100, 'manual');
         INSERT INTO tags (name) VALUES ('VIP');
         INSERT INTO contact_tags (contact_id, tag_id) VALUES (1, 1);",
    )
    .expect("v1 data");
}

#[test]
fn old_workspace_is_backed_up_then_upgraded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.tailor");
    write_v1_workspace(&path);

    let store = Store::open(&path).expect("upgrades");
    assert_eq!(store.schema_version().expect("version"), LATEST_VERSION);
    assert!(
        store
            .contact_by_email("ADA@example.com")
            .expect("lookup")
            .is_some()
    );

    // Rebuilt tables keep their rows, their links and their rules.
    let id = store
        .contact_by_email("ada@example.com")
        .expect("lookup")
        .expect("kept");
    let detail = store.contact_detail(id).expect("detail").expect("exists");
    assert_eq!(detail.consent_history.len(), 2);
    assert_eq!(detail.row.tags, ["VIP"]);
    drop(store);
    let conn = raw(&path);
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("fk check");
    assert_eq!(violations, 0);
    let bad = conn.execute(
        "INSERT INTO contacts (email_key, created_at, updated_at, consent_status) \
         VALUES ('x@example.com', 0, 0, 'maybe')",
        [],
    );
    assert!(bad.is_err(), "the consent rule survives the rebuild");

    let backup = dir.path().join("old.v1-backup.tailor");
    assert!(backup.is_file(), "backup written");
    let version: i64 = raw(&backup)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, 1);
}

#[test]
fn newer_workspace_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.tailor");
    write_v1_workspace(&path);
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA user_version = 99;")
            .expect("bump");
    }
    let before = std::fs::read(&path).expect("read");
    let error = Store::open(&path).expect_err("refused");
    assert!(
        matches!(error, StoreError::TooNew { found: 99, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("newer Tailor"), "{error}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn non_workspaces_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("notes.tailor");
    std::fs::write(
        &text,
        "this is not a database at all, just some text. ".repeat(100),
    )
    .expect("write");
    let error = Store::open(&text).expect_err("refused");
    assert!(
        error.to_string().contains("not an SQLite database"),
        "{error}"
    );

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .expect("open")
        .execute_batch("CREATE TABLE t (x INTEGER);")
        .expect("create");
    let error = Store::open(&other).expect_err("refused");
    assert!(error.to_string().contains("another program"), "{error}");

    let missing = dir.path().join("missing.tailor");
    let error = Store::open(&missing).expect_err("refused");
    assert!(matches!(error, StoreError::NotFound { .. }));
    assert!(!missing.exists(), "opening must not create a file");
}

#[test]
fn settings_round_trip() {
    let mut store = Store::open_in_memory(&WorkspaceSettings::new("A", "UTC")).expect("store");
    let mut settings = WorkspaceSettings::new("Client X", "America/Chicago");
    settings.currency = "USD".to_owned();
    settings.as_of = chrono::NaiveDate::from_ymd_opt(2026, 2, 28);
    store.set_settings(&settings).expect("write");
    assert_eq!(store.settings().expect("read"), settings);
    settings.as_of = None;
    store.set_settings(&settings).expect("write");
    assert_eq!(store.settings().expect("read"), settings);
}

#[test]
fn search_matches_every_word_case_insensitively() {
    let shop = demo_workspace(1200, 5);
    let store = Store::open(&shop.path).expect("open");
    let all = store.contact_ids(&ContactQuery::default()).expect("ids");
    let rows = store.contact_rows(&all).expect("rows");
    assert_eq!(rows.len(), 1200);

    let check = |search: &str| {
        let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
        let expected: std::collections::BTreeSet<i64> = rows
            .iter()
            .filter(|r| {
                words.iter().all(|w| {
                    [&r.email, &r.first_name, &r.last_name, &r.customer_id]
                        .into_iter()
                        .flatten()
                        .any(|field| field.to_lowercase().contains(w))
                })
            })
            .map(|r| r.id.0)
            .collect();
        let query = ContactQuery {
            search: search.to_owned(),
            ..ContactQuery::default()
        };
        let found: std::collections::BTreeSet<i64> = store
            .contact_ids(&query)
            .expect("ids")
            .into_iter()
            .map(|id| id.0)
            .collect();
        assert_eq!(found, expected, "search {search:?}");
        found.len()
    };
    assert!(check("anna") > 0);
    assert!(check("SMITH") > 0);
    assert!(check("example.net") > 0);
    assert!(check("c00000") > 0);
    check("anna example.com");
    assert_eq!(check("%"), 0, "wildcards are literal");
    assert_eq!(check("zzzz-nobody"), 0);
}

#[test]
fn sorting_orders_values_with_blanks_last() {
    let shop = demo_workspace(800, 9);
    let store = Store::open(&shop.path).expect("open");
    let sorted = |column, descending| {
        let query = ContactQuery {
            sort: SortSpec { column, descending },
            ..Default::default()
        };
        store
            .contact_rows(&store.contact_ids(&query).expect("ids"))
            .expect("rows")
    };
    let by_spend = sorted(ContactColumn::TotalSpent, true);
    assert!(
        by_spend
            .windows(2)
            .all(|w| w[0].total_spent_cents >= w[1].total_spent_cents)
    );
    let by_spend_up = sorted(ContactColumn::TotalSpent, false);
    assert!(
        by_spend_up
            .windows(2)
            .all(|w| w[0].total_spent_cents <= w[1].total_spent_cents)
    );

    for descending in [false, true] {
        let by_last_order = sorted(ContactColumn::LastOrder, descending);
        let first_blank = by_last_order
            .iter()
            .position(|r| r.last_order_at.is_none())
            .expect("some blank");
        assert!(
            by_last_order[first_blank..]
                .iter()
                .all(|r| r.last_order_at.is_none())
        );
        let dated: Vec<i64> = by_last_order[..first_blank]
            .iter()
            .filter_map(|r| r.last_order_at)
            .collect();
        assert!(dated.windows(2).all(|w| if descending {
            w[0] >= w[1]
        } else {
            w[0] <= w[1]
        }));
    }

    let by_last_name = sorted(ContactColumn::LastName, false);
    let names: Vec<String> = by_last_name
        .iter()
        .map(|r| r.last_name.clone().unwrap_or_default().to_lowercase())
        .collect();
    // SQLite's NOCASE folds ASCII only; compare on ASCII-folded names.
    let ascii: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    assert!(ascii.windows(2).all(|w| w[0] <= w[1]));
    // Within a last name, first names are in order.
    let full: Vec<(String, String)> = by_last_name
        .iter()
        .map(|r| {
            let fold = |v: &Option<String>| v.clone().unwrap_or_default().to_ascii_lowercase();
            (fold(&r.last_name), fold(&r.first_name))
        })
        .collect();
    assert!(
        full.windows(2).all(|w| w[0] <= w[1]),
        "last, then first name"
    );

    let fields = store.custom_fields().expect("fields");
    let tier = fields
        .iter()
        .find(|f| f.name == "loyalty_tier")
        .expect("tier field");
    let by_tier = sorted(ContactColumn::Custom(tier.id), false);
    let tiers: Vec<Option<String>> = by_tier
        .iter()
        .map(|r| {
            r.custom
                .iter()
                .find(|(id, _)| *id == tier.id)
                .map(|(_, v)| v.display())
        })
        .collect();
    let first_blank = tiers.iter().position(Option::is_none).expect("some blank");
    assert!(tiers[first_blank..].iter().all(Option::is_none));
    assert!(tiers[..first_blank].windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn detail_has_orders_items_events_and_consent_history() {
    let shop = demo_workspace(600, 2);
    let store = Store::open(&shop.path).expect("open");
    let query = ContactQuery {
        sort: SortSpec {
            column: ContactColumn::OrderCount,
            descending: true,
        },
        ..Default::default()
    };
    let top = store.contact_ids(&query).expect("ids")[0];
    let detail = store.contact_detail(top).expect("detail").expect("exists");
    assert_eq!(detail.orders.len() as i64, detail.row.order_count);
    let total: i64 = detail.orders.iter().map(|o| o.total_cents).sum();
    assert_eq!(total, detail.row.total_spent_cents);
    for order in &detail.orders {
        let lines: i64 = order
            .items
            .iter()
            .map(|i| i.quantity * i.unit_price_cents)
            .sum();
        assert_eq!(lines, order.total_cents, "order {}", order.reference);
    }
    assert!(
        detail
            .orders
            .windows(2)
            .all(|w| w[0].ordered_at >= w[1].ordered_at)
    );
    assert!(
        store
            .contact_detail(tailor::domain::ContactId(999_999))
            .expect("query")
            .is_none()
    );
}

#[test]
fn save_copy_writes_a_complete_standalone_file_or_nothing() {
    let shop = demo_workspace(300, 4);
    let store = Store::open(&shop.path).expect("open");
    let dest = shop.dir.path().join("copy.tailor");
    let mut fractions = Vec::new();
    let mut progress = |f: f32, _: &str| fractions.push(f);
    store
        .save_copy(&dest, &mut progress, &CancelToken::new())
        .expect("copy");
    assert_eq!(fractions.last().copied(), Some(1.0));
    let copy = Store::open(&dest).expect("open copy");
    assert_eq!(
        copy.counts().expect("counts"),
        store.counts().expect("counts")
    );

    let cancelled = shop.dir.path().join("cancelled.tailor");
    let cancel = CancelToken::new();
    cancel.cancel();
    let result = store.save_copy(&cancelled, &mut NoProgress, &cancel);
    assert!(matches!(result, Err(StoreError::Cancelled)));
    assert!(!cancelled.exists());
    assert!(!shop.dir.path().join("cancelled.tailor.partial").exists());
}

#[test]
fn inserts_keep_fields_beyond_the_ones_announced() {
    use tailor::domain::ContactField;
    use tailor::store::ContactValues;
    let mut store = Store::open_in_memory(&WorkspaceSettings::new("T", "UTC")).expect("store");
    let mut import = store
        .begin_import("contacts", "t.csv", "{}", 1)
        .expect("begin");
    // Announced: email and first name; the second contact also has a company.
    import.expect_fields([ContactField::Email, ContactField::FirstName]);
    let values = |email: &str, company: Option<&str>| ContactValues {
        fields: [
            (ContactField::Email, email),
            (ContactField::FirstName, "Jo"),
        ]
        .into_iter()
        .chain(company.map(|c| (ContactField::Company, c)))
        .map(|(f, v)| (f, v.to_owned()))
        .collect(),
        ..ContactValues::default()
    };
    let (a, b) = (
        values("a@example.com", None),
        values("b@example.com", Some("Acme")),
    );
    import
        .insert_many(&[(&a, None), (&b, None)])
        .expect("inserts");
    import.commit("{}", false).expect("commit");
    let ids = store.contact_ids(&ContactQuery::default()).expect("ids");
    let rows = store.contact_rows(&ids).expect("rows");
    let company = |email: &str| {
        rows.iter()
            .find(|r| r.email.as_deref() == Some(email))
            .map(|r| (r.first_name.clone(), r.company.clone()))
    };
    assert_eq!(company("a@example.com"), Some((Some("Jo".into()), None)));
    assert_eq!(
        company("b@example.com"),
        Some((Some("Jo".into()), Some("Acme".into())))
    );
}
