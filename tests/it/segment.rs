//! Segments: every operator, window and group kind, checked against counts
//! computed here in Rust from the fixture's rows (not by running the same
//! SQL twice).

use std::collections::HashMap;

use chrono::{Datelike as _, NaiveDate, TimeZone as _};
use chrono_tz::Tz;
use tailor::domain::segment::{parse_segment, read_back};
use tailor::domain::{Consent, ContactQuery, ContactRow, CustomValue};
use tailor::store::Store;

use crate::support::{as_of, demo_workspace, raw};

struct Fixture {
    _shop: crate::support::DemoWorkspace,
    store: Store,
    rows: Vec<ContactRow>,
    /// contact id → (ordered_at, total_cents, categories)
    orders: HashMap<i64, Vec<(i64, i64, Vec<String>)>>,
    /// contact id → (kind, occurred_at, campaign)
    events: HashMap<i64, Vec<(String, i64, Option<String>)>>,
    tz: Tz,
}

fn fixture() -> Fixture {
    let shop = demo_workspace(1500, 21);
    let store = Store::open(&shop.path).expect("open");
    let ids = store.contact_ids(&ContactQuery::default()).expect("ids");
    let rows = store.contact_rows(&ids).expect("rows");
    let conn = raw(&shop.path);
    let mut orders: HashMap<i64, Vec<(i64, i64, Vec<String>)>> = HashMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT o.contact_id, o.ordered_at, o.total_cents, \
             (SELECT group_concat(p.category, '|') FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = o.id) \
             FROM orders o",
        )
        .expect("prepare");
    let found = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .expect("query");
    for row in found {
        let (contact, at, total, categories) = row.expect("row");
        let categories = categories
            .unwrap_or_default()
            .split('|')
            .map(str::to_owned)
            .collect();
        orders
            .entry(contact)
            .or_default()
            .push((at, total, categories));
    }
    let mut events: HashMap<i64, Vec<(String, i64, Option<String>)>> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT e.contact_id, e.kind, e.occurred_at, c.name FROM events e LEFT JOIN campaigns c ON c.id = e.campaign_id")
        .expect("prepare");
    let found = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .expect("query");
    for row in found {
        let (contact, kind, at, campaign) = row.expect("row");
        events
            .entry(contact)
            .or_default()
            .push((kind, at, campaign));
    }
    Fixture {
        _shop: shop,
        store,
        rows,
        orders,
        events,
        tz: "Europe/Berlin".parse().expect("tz"),
    }
}

impl Fixture {
    fn count(&self, json: &str) -> i64 {
        let schema = self.store.segment_schema().expect("schema");
        let segment = parse_segment(json, &schema).unwrap_or_else(|e| panic!("{json}: {e}"));
        let counts = self.store.segment_counts(&segment, as_of()).expect("count");
        // The columns in memory and the one SQL query agree on every node.
        let by_sql = self
            .store
            .segment_counts_sql(&segment, as_of())
            .expect("count by SQL");
        assert_eq!(counts, by_sql, "{json}");
        assert_eq!(
            self.store
                .segment_total_sql(&segment, as_of())
                .expect("total"),
            counts.count,
            "{json}"
        );
        counts.count
    }

    fn expect(&self, json: &str, test: impl Fn(&ContactRow) -> bool) -> i64 {
        let expected = self.rows.iter().filter(|r| test(r)).count() as i64;
        assert_eq!(self.count(json), expected, "{json}");
        expected
    }

    fn day(&self, instant: i64) -> NaiveDate {
        self.tz
            .timestamp_opt(instant, 0)
            .single()
            .expect("valid")
            .date_naive()
    }

    fn custom(&self, row: &ContactRow, name: &str) -> Option<CustomValue> {
        let fields = self.store.custom_fields().expect("fields");
        let id = fields.iter().find(|f| f.name == name)?.id;
        row.custom
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, v)| v.clone())
    }
}

fn segment(conditions: &str) -> String {
    format!(r#"{{"name": "Test", "match": "all", "conditions": [{conditions}]}}"#)
}

fn fold(value: &Option<String>) -> String {
    value.as_deref().unwrap_or_default().trim().to_lowercase()
}

#[test]
fn text_operators_are_case_insensitive_and_never_match_blanks() {
    let f = fixture();
    assert!(
        f.expect(
            &segment(r#"{"field": "country", "op": "is", "value": " de "}"#),
            |r| fold(&r.country) == "de"
        ) > 0
    );
    f.expect(
        &segment(r#"{"field": "country", "op": "is_not", "value": "DE"}"#),
        |r| !fold(&r.country).is_empty() && fold(&r.country) != "de",
    );
    f.expect(
        &segment(r#"{"field": "country", "op": "in", "value": ["DE", "fr"]}"#),
        |r| ["de", "fr"].contains(&fold(&r.country).as_str()),
    );
    f.expect(
        &segment(r#"{"field": "country", "op": "not_in", "value": ["DE", "FR"]}"#),
        |r| !fold(&r.country).is_empty() && !["de", "fr"].contains(&fold(&r.country).as_str()),
    );
    assert!(
        f.expect(
            &segment(r#"{"field": "first_name", "op": "starts_with", "value": "AN"}"#),
            |r| fold(&r.first_name).starts_with("an")
        ) > 0
    );
    f.expect(
        &segment(r#"{"field": "email", "op": "ends_with", "value": ".org"}"#),
        |r| fold(&r.email).ends_with(".org"),
    );
    f.expect(
        &segment(r#"{"field": "city", "op": "contains", "value": "BER"}"#),
        |r| fold(&r.city).contains("ber"),
    );
    f.expect(
        &segment(r#"{"field": "city", "op": "not_contains", "value": "ber"}"#),
        |r| !fold(&r.city).is_empty() && !fold(&r.city).contains("ber"),
    );
    let blank = f.expect(&segment(r#"{"field": "phone", "op": "is_blank"}"#), |r| {
        fold(&r.phone).is_empty()
    });
    let not_blank = f.expect(
        &segment(r#"{"field": "phone", "op": "is_not_blank"}"#),
        |r| !fold(&r.phone).is_empty(),
    );
    assert_eq!(blank + not_blank, f.rows.len() as i64);
    f.expect(
        &segment(r#"{"field": "loyalty_tier", "op": "is", "value": "gold"}"#),
        |r| matches!(f.custom(r, "loyalty_tier"), Some(CustomValue::Text(t)) if t == "Gold"),
    );
}

#[test]
fn number_operators_cover_metrics_with_blanks_for_no_orders() {
    let f = fixture();
    assert!(
        f.expect(
            &segment(r#"{"field": "total_spent", "op": ">=", "value": 100}"#),
            |r| r.total_spent_cents >= 10_000
        ) > 0
    );
    f.expect(
        &segment(r#"{"field": "total_spent", "op": "<", "value": 12.5}"#),
        |r| r.total_spent_cents < 1250,
    );
    f.expect(
        &segment(r#"{"field": "order_count", "op": "between", "value": [2, 5]}"#),
        |r| (2..=5).contains(&r.order_count),
    );
    f.expect(
        &segment(r#"{"field": "order_count", "op": "=", "value": 0}"#),
        |r| r.order_count == 0,
    );
    f.expect(
        &segment(r#"{"field": "order_count", "op": "!=", "value": 1}"#),
        |r| r.order_count != 1,
    );
    f.expect(
        &segment(r#"{"field": "average_order_value", "op": "<=", "value": 30}"#),
        |r| r.order_count > 0 && (r.total_spent_cents as f64 / r.order_count as f64) <= 3000.0,
    );
    f.expect(
        &segment(r#"{"field": "average_order_value", "op": "is_blank"}"#),
        |r| r.order_count == 0,
    );
    for (op, test) in [
        (">", Box::new(|d: i64| d > 60) as Box<dyn Fn(i64) -> bool>),
        (">=", Box::new(|d: i64| d >= 60)),
        ("<", Box::new(|d: i64| d < 60)),
        ("<=", Box::new(|d: i64| d <= 60)),
        ("=", Box::new(|d: i64| d == 60)),
        ("!=", Box::new(|d: i64| d != 60)),
    ] {
        let json = segment(&format!(
            r#"{{"field": "days_since_last_order", "op": "{op}", "value": 60}}"#
        ));
        f.expect(&json, |r| {
            r.last_order_at
                .is_some_and(|at| test((as_of() - f.day(at)).num_days()))
        });
    }
    f.expect(
        &segment(r#"{"field": "days_since_last_order", "op": "between", "value": [30, 90]}"#),
        |r| {
            r.last_order_at
                .is_some_and(|at| (30..=90).contains(&(as_of() - f.day(at)).num_days()))
        },
    );
}

#[test]
fn date_operators_resolve_against_as_of_inclusively() {
    let f = fixture();
    let birthday = |r: &ContactRow| {
        r.birthday
            .as_deref()
            .and_then(|b| b.parse::<NaiveDate>().ok())
    };
    f.expect(
        &segment(r#"{"field": "birthday", "op": "before", "value": "1970-01-01"}"#),
        |r| birthday(r).is_some_and(|b| b < NaiveDate::from_ymd_opt(1970, 1, 1).expect("date")),
    );
    f.expect(
        &segment(r#"{"field": "birthday", "op": "after", "value": "1990-06-15"}"#),
        |r| birthday(r).is_some_and(|b| b > NaiveDate::from_ymd_opt(1990, 6, 15).expect("date")),
    );
    f.expect(
        &segment(
            r#"{"field": "birthday", "op": "between", "value": ["1980-01-01", "1989-12-31"]}"#,
        ),
        |r| birthday(r).is_some_and(|b| b.year() >= 1980 && b.year() <= 1989),
    );
    f.expect(
        &segment(r#"{"field": "birthday", "op": "is_blank"}"#),
        |r| birthday(r).is_none(),
    );
    let in_next = |b: NaiveDate, days: i64| {
        (0..=days).any(|k| {
            let d = as_of() + chrono::Duration::days(k);
            (d.month(), d.day()) == (b.month(), b.day())
        })
    };
    assert!(f.expect(&segment(r#"{"field": "birthday", "op": "anniversary_in_next", "value": {"amount": 14, "unit": "days"}}"#), |r| birthday(r).is_some_and(|b| in_next(b, 14))) > 0);
    let created = |r: &ContactRow| f.day(r.created_at);
    f.expect(
        &segment(
            r#"{"field": "created_at", "op": "in_last", "value": {"amount": 30, "unit": "days"}}"#,
        ),
        |r| {
            let d = created(r);
            d >= as_of() - chrono::Duration::days(30) && d <= as_of()
        },
    );
    f.expect(
        &segment(
            r#"{"field": "created_at", "op": "in_last", "value": {"amount": 2, "unit": "weeks"}}"#,
        ),
        |r| {
            let d = created(r);
            d >= as_of() - chrono::Duration::days(14) && d <= as_of()
        },
    );
    f.expect(
        &segment(
            r#"{"field": "created_at", "op": "in_last", "value": {"amount": 3, "unit": "months"}}"#,
        ),
        |r| {
            let d = created(r);
            d >= NaiveDate::from_ymd_opt(2026, 3, 30).expect("date") && d <= as_of()
        },
    );
    f.expect(&segment(r#"{"field": "last_order_at", "op": "more_than_ago", "value": {"amount": 90, "unit": "days"}}"#), |r| {
        r.last_order_at.is_some_and(|at| f.day(at) < as_of() - chrono::Duration::days(90))
    });
    f.expect(
        &segment(r#"{"field": "last_order_at", "op": "on", "value": "2026-06-01"}"#),
        |r| {
            r.last_order_at
                .is_some_and(|at| f.day(at) == NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"))
        },
    );
    f.expect(
        &segment(r#"{"field": "sms_opt_in", "op": "is_true"}"#),
        |r| matches!(f.custom(r, "sms_opt_in"), Some(CustomValue::Bool(true))),
    );
    f.expect(
        &segment(r#"{"field": "sms_opt_in", "op": "is_false"}"#),
        |r| matches!(f.custom(r, "sms_opt_in"), Some(CustomValue::Bool(false))),
    );
}

#[test]
fn tags_consent_and_activity_with_windows_and_filters() {
    let f = fixture();
    f.expect(&segment(r#"{"tag": "VIP", "op": "has"}"#), |r| {
        r.tags.iter().any(|t| t == "vip")
    });
    f.expect(&segment(r#"{"tag": "vip", "op": "has_not"}"#), |r| {
        !r.tags.iter().any(|t| t == "vip")
    });
    f.expect(&segment(r#"{"consent": "subscribed"}"#), |r| {
        r.consent == Some(Consent::Subscribed)
    });
    let orders = |r: &ContactRow| f.orders.get(&r.id.0).cloned().unwrap_or_default();
    let events = |r: &ContactRow| f.events.get(&r.id.0).cloned().unwrap_or_default();
    let from = as_of() - chrono::Duration::days(90);
    assert!(f.expect(
        &segment(r#"{"activity": "order", "measure": "count", "op": ">=", "value": 2, "window": {"last": {"amount": 90, "unit": "days"}}, "where": [{"property": "category", "op": "is", "value": "coffee"}]}"#),
        |r| orders(r).iter().filter(|(at, _, cats)| f.day(*at) >= from && f.day(*at) <= as_of() && cats.iter().any(|c| c == "Coffee")).count() >= 2,
    ) > 0);
    f.expect(
        &segment(r#"{"activity": "order", "measure": "sum", "op": ">=", "value": 100}"#),
        |r| orders(r).iter().map(|(_, t, _)| t).sum::<i64>() >= 10_000,
    );
    let last_30 = as_of() - chrono::Duration::days(30);
    let never_clicked = f.expect(
        &segment(r#"{"activity": "email_click", "measure": "count", "op": "=", "value": 0, "window": {"last": {"amount": 30, "unit": "days"}}}"#),
        |r| !events(r).iter().any(|(k, at, _)| k == "email_click" && f.day(*at) >= last_30),
    );
    assert!(
        never_clicked > f.rows.len() as i64 / 2,
        "contacts who never clicked are included"
    );
    f.expect(
        &segment(r#"{"activity": "email_open", "op": ">=", "value": 1, "window": {"between_ago": {"from": 100, "to": 50, "unit": "days"}}, "where": [{"property": "campaign", "op": "contains", "value": "autumn"}]}"#),
        |r| events(r).iter().any(|(k, at, c)| {
            let d = f.day(*at);
            k == "email_open" && d >= as_of() - chrono::Duration::days(100) && d <= as_of() - chrono::Duration::days(50)
                && c.as_deref().is_some_and(|c| c.to_lowercase().contains("autumn"))
        }),
    );
    f.expect(
        &segment(r#"{"activity": "order", "op": ">=", "value": 1, "window": {"between": ["2026-01-01", "2026-03-31"]}}"#),
        |r| orders(r).iter().any(|(at, _, _)| {
            let d = f.day(*at);
            d >= NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") && d <= NaiveDate::from_ymd_opt(2026, 3, 31).expect("date")
        }),
    );
}

#[test]
fn groups_nest_to_any_depth() {
    let f = fixture();
    let json = r#"{"name": "Nested", "match": "all", "conditions": [
        {"consent": "subscribed"},
        {"match": "any", "conditions": [
            {"field": "country", "op": "is", "value": "DE"},
            {"match": "all", "conditions": [
                {"field": "country", "op": "is", "value": "FR"},
                {"field": "order_count", "op": ">=", "value": 2}
            ]}
        ]},
        {"match": "none", "conditions": [{"tag": "wholesale"}, {"field": "phone", "op": "is_blank"}]}
    ]}"#;
    f.expect(json, |r| {
        r.consent == Some(Consent::Subscribed)
            && (fold(&r.country) == "de" || (fold(&r.country) == "fr" && r.order_count >= 2))
            && !(r.tags.iter().any(|t| t == "wholesale") || fold(&r.phone).is_empty())
    });
    // "none" counts blanks as not matching, so it is the complement.
    let some = f.count(&segment(
        r#"{"field": "city", "op": "is", "value": "Berlin"}"#,
    ));
    let none = f.count(r#"{"name": "n", "match": "none", "conditions": [{"field": "city", "op": "is", "value": "Berlin"}]}"#);
    assert_eq!(some + none, f.rows.len() as i64);
    assert_eq!(
        f.count(r#"{"name": "e", "match": "any", "conditions": []}"#),
        0
    );
    assert_eq!(
        f.count(r#"{"name": "e", "match": "all", "conditions": []}"#),
        f.rows.len() as i64
    );
}

#[test]
fn nested_conditions_and_groups_are_counted_on_their_own() {
    let f = fixture();
    let json = r#"{"name": "Nested", "match": "all", "conditions": [
        {"consent": "subscribed"},
        {"match": "any", "conditions": [
            {"field": "country", "op": "is", "value": "DE"},
            {"match": "all", "conditions": [
                {"field": "country", "op": "is", "value": "FR"},
                {"field": "order_count", "op": ">=", "value": 2}
            ]}
        ]}
    ]}"#;
    let schema = f.store.segment_schema().expect("schema");
    let segment = parse_segment(json, &schema).expect("valid");
    let counts = f.store.segment_counts(&segment, as_of()).expect("count");
    let node = |path: &[usize]| {
        counts
            .nodes
            .iter()
            .find(|(p, _)| p.as_slice() == path)
            .map(|(_, n)| *n)
            .unwrap_or_else(|| panic!("no count for {path:?}"))
    };
    let n = |test: &dyn Fn(&ContactRow) -> bool| f.rows.iter().filter(|r| test(r)).count() as i64;
    let subscribed = |r: &ContactRow| r.consent == Some(Consent::Subscribed);
    let de = |r: &ContactRow| fold(&r.country) == "de";
    let fr = |r: &ContactRow| fold(&r.country) == "fr";
    let repeat = |r: &ContactRow| r.order_count >= 2;
    assert_eq!(node(&[0]), n(&subscribed));
    assert_eq!(node(&[1, 0]), n(&de));
    assert_eq!(node(&[1, 1, 0]), n(&fr));
    assert_eq!(node(&[1, 1, 1]), n(&repeat));
    assert_eq!(node(&[1, 1]), n(&|r| fr(r) && repeat(r)));
    assert_eq!(node(&[1]), n(&|r| de(r) || (fr(r) && repeat(r))));
    assert_eq!(
        counts.count,
        n(&|r| subscribed(r) && (de(r) || (fr(r) && repeat(r))))
    );
    assert_eq!(counts.conditions[1].cumulative, Some(counts.count));

    // Explain marks every node for one contact, nested ones too.
    let french_repeat = f
        .rows
        .iter()
        .find(|r| fr(r) && repeat(r) && !subscribed(r))
        .expect("a French repeat buyer who is not subscribed");
    let explained = f
        .store
        .segment_explain(&segment, french_repeat.id, as_of())
        .expect("explain")
        .expect("a contact");
    assert!(!explained.member);
    let met = |path: &[usize]| {
        explained
            .nodes
            .iter()
            .find(|(p, _)| p.as_slice() == path)
            .is_some_and(|(_, m)| *m)
    };
    assert!(!met(&[0]));
    assert!(met(&[1]) && met(&[1, 1]) && met(&[1, 1, 0]) && met(&[1, 1, 1]));
    assert!(!met(&[1, 0]));
}

#[test]
fn overlap_counts_every_pair_in_one_pass() {
    let f = fixture();
    let schema = f.store.segment_schema().expect("schema");
    let parse = |c: &str| parse_segment(&segment(c), &schema).expect("valid");
    let segments = [
        parse(r#"{"consent": "subscribed"}"#),
        parse(r#"{"field": "order_count", "op": ">=", "value": 1}"#),
        parse(r#"{"tag": "vip"}"#),
    ];
    let tests: [&dyn Fn(&ContactRow) -> bool; 3] = [
        &|r| r.consent == Some(Consent::Subscribed),
        &|r| r.order_count >= 1,
        &|r| r.tags.iter().any(|t| t == "vip"),
    ];
    let overlap = f
        .store
        .segment_overlap(&segments, as_of())
        .expect("overlap");
    let (matrix, any) = (overlap.matrix, overlap.any);
    for i in 0..3 {
        for j in 0..3 {
            let expected = f.rows.iter().filter(|r| tests[i](r) && tests[j](r)).count() as i64;
            assert_eq!(matrix[i][j], expected, "{i} ∩ {j}");
        }
    }
    let expected_any = f.rows.iter().filter(|r| tests.iter().any(|t| t(r))).count() as i64;
    assert_eq!(any, expected_any);
}

#[test]
fn renaming_updates_references_and_deleting_refuses_while_used() {
    let mut f = fixture();
    let vip = r#"{"name": "VIP", "match": "all", "conditions": [{"tag": "vip"}]}"#;
    let user = r#"{"name": "VIP subscribers", "match": "all", "conditions": [{"segment": "vip"}, {"consent": "subscribed"}]}"#;
    f.store.save_segment_as("VIP", vip, None, 0).expect("save");
    f.store
        .save_segment_as("VIP subscribers", user, None, 0)
        .expect("save");
    // A rename may not take another segment's name.
    let renamed = r#"{"name": "VIP subscribers", "match": "all", "conditions": [{"tag": "vip"}]}"#;
    let taken = f
        .store
        .save_segment_as("VIP subscribers", renamed, Some("VIP"), 1)
        .expect_err("name taken");
    assert!(taken.to_string().contains("exists already"), "{taken}");
    let renamed = r#"{"name": "Top customers", "match": "all", "conditions": [{"tag": "vip"}]}"#;
    f.store
        .save_segment_as("Top customers", renamed, Some("VIP"), 1)
        .expect("rename");
    let saved = f.store.segments().expect("list");
    let names: Vec<&str> = saved.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"Top customers") && !names.contains(&"VIP"),
        "{names:?}"
    );
    let user_json = &saved
        .iter()
        .find(|(n, _)| n == "VIP subscribers")
        .expect("kept")
        .1;
    assert!(
        user_json.contains("\"segment\":\"Top customers\""),
        "{user_json}"
    );
    // The referring segment still counts the same people.
    f.expect(user_json, |r| {
        r.tags.iter().any(|t| t == "vip") && r.consent == Some(Consent::Subscribed)
    });
    let refused = f.store.delete_segment("top customers").expect_err("in use");
    assert!(refused.to_string().contains("VIP subscribers"), "{refused}");
    let definition = f.store.delete_segment("VIP subscribers").expect("delete");
    assert!(definition.contains("Top customers"));
    f.store.delete_segment("Top customers").expect("now unused");
    assert!(
        f.store
            .segments()
            .expect("list")
            .iter()
            .all(|(n, _)| n != "VIP subscribers" && n != "Top customers")
    );
}

#[test]
fn segment_references_inline_and_cycles_are_errors() {
    let mut f = fixture();
    let vip = r#"{"name": "VIP", "match": "all", "conditions": [{"tag": "vip"}]}"#;
    f.store.save_segment("VIP", vip, 0).expect("save");
    f.expect(
        &segment(r#"{"segment": "vip", "op": "in"}, {"consent": "subscribed"}"#),
        |r| r.tags.iter().any(|t| t == "vip") && r.consent == Some(Consent::Subscribed),
    );
    f.expect(&segment(r#"{"segment": "VIP", "op": "not_in"}"#), |r| {
        !r.tags.iter().any(|t| t == "vip")
    });
    f.store
        .save_segment(
            "A",
            r#"{"name": "A", "match": "all", "conditions": [{"segment": "B"}]}"#,
            0,
        )
        .expect("save");
    f.store
        .save_segment(
            "B",
            r#"{"name": "B", "match": "all", "conditions": [{"segment": "A"}]}"#,
            0,
        )
        .expect("save");
    let schema = f.store.segment_schema().expect("schema");
    let error = parse_segment(
        r#"{"name": "A", "match": "all", "conditions": [{"segment": "B"}]}"#,
        &schema,
    )
    .expect_err("cycle");
    assert!(error.to_string().contains("refers to itself"), "{error}");
}

#[test]
fn invalid_segments_say_what_and_where() {
    let f = fixture();
    let schema = f.store.segment_schema().expect("schema");
    let check = |json: &str, path: &str, words: &str| {
        let error = parse_segment(json, &schema).expect_err("invalid");
        assert_eq!(error.path, path, "{error}");
        assert!(error.message.contains(words), "{error}");
    };
    check(
        &segment(r#"{"field": "countyr", "op": "is", "value": "DE"}"#),
        "conditions[0].field",
        "unknown field",
    );
    check(
        &segment(r#"{"field": "country", "op": ">", "value": 3}"#),
        "conditions[0].op",
        "not an operator for a text field",
    );
    check(
        &segment(r#"{"consent": "x"}, {"field": "total_spent", "op": ">=", "value": "lots"}"#),
        "conditions[0].consent",
        "subscribed",
    );
    check(
        &segment(r#"{"field": "total_spent", "op": ">=", "value": "lots"}"#),
        "conditions[0].value",
        "expected a number",
    );
    check(
        &segment(
            r#"{"match": "any", "conditions": [{"field": "birthday", "op": "in_last", "value": {"amount": 3, "unit": "years"}}]}"#,
        ),
        "conditions[0].conditions[0].value.unit",
        "unknown unit",
    );
    check(
        &segment(r#"{"segment": "Nope"}"#),
        "conditions[0].segment",
        "no saved segment",
    );
}

#[test]
fn read_back_is_a_sentence() {
    let schema = tailor::domain::segment::Schema::default();
    let segment = parse_segment(
        r#"{"name": "Regulars", "match": "all", "conditions": [
            {"field": "country", "op": "in", "value": ["Germany", "France"]},
            {"consent": "subscribed"},
            {"activity": "order", "measure": "count", "op": ">=", "value": 2, "window": {"last": {"amount": 365, "unit": "days"}}}
        ]}"#,
        &schema,
    )
    .expect("valid");
    assert_eq!(
        read_back(&segment),
        "Contacts who are in Germany or France and are subscribed and placed at least 2 orders in the last 365 days"
    );
}

#[test]
fn demo_workspaces_carry_the_starter_segments() {
    let f = fixture();
    let saved = f.store.segments().expect("segments");
    assert_eq!(saved.len(), tailor::domain::segment::STARTERS.len());
    let schema = f.store.segment_schema().expect("schema");
    for (name, json) in &saved {
        let segment = parse_segment(json, &schema).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&segment.name, name);
        f.store.segment_counts(&segment, as_of()).expect("counts");
    }
    let by_name = |name: &str| {
        saved
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, j)| j.clone())
            .expect(name)
    };
    f.expect(&by_name("Returning customers"), |r| r.order_count >= 2);
    f.expect(&by_name("Unsubscribed (suppression list)"), |r| {
        r.consent == Some(Consent::Unsubscribed)
    });
    let recent = as_of() - chrono::Duration::days(90);
    let bought = f.expect(&by_name("Bought in the last 90 days"), |r| {
        r.last_order_at.is_some_and(|at| f.day(at) >= recent)
    });
    let not_bought = f.expect(
        &by_name("Customers who have not bought in the last 90 days"),
        |r| r.order_count >= 1 && r.last_order_at.is_some_and(|at| f.day(at) < recent),
    );
    let customers = f.rows.iter().filter(|r| r.order_count >= 1).count() as i64;
    assert_eq!(
        bought + not_bought,
        customers,
        "the two starters split the customers"
    );
}

#[test]
fn explain_says_which_conditions_a_contact_meets() {
    let f = fixture();
    let schema = f.store.segment_schema().expect("schema");
    let segment = parse_segment(
        &segment(r#"{"consent": "subscribed"}, {"field": "order_count", "op": ">=", "value": 2}"#),
        &schema,
    )
    .expect("valid");
    let members = f.store.segment_members(&segment, as_of()).expect("members");
    assert!(!members.is_empty());
    let explained = f
        .store
        .segment_explain(&segment, members[0], as_of())
        .expect("explain")
        .expect("a contact");
    let (reasons, member) = (explained.reasons, explained.member);
    assert!(member);
    assert!(reasons.iter().all(|(_, met)| *met));
    let outsider = f
        .rows
        .iter()
        .find(|r| r.consent == Some(Consent::Subscribed) && r.order_count == 0)
        .expect("a subscriber who never bought");
    let explained = f
        .store
        .segment_explain(&segment, outsider.id, as_of())
        .expect("explain")
        .expect("a contact");
    let (reasons, member) = (explained.reasons, explained.member);
    assert!(!member);
    assert_eq!(
        reasons.iter().map(|(_, met)| *met).collect::<Vec<_>>(),
        [true, false]
    );
    assert_eq!(reasons[1].0, "whose order count is at least 2");
}

#[test]
fn read_back_covers_fields_activity_and_groups() {
    let schema = tailor::domain::segment::Schema::default();
    let check = |conditions: &str, expected: &str| {
        let segment = parse_segment(&segment(conditions), &schema).expect("valid");
        assert_eq!(read_back(&segment), expected);
    };
    check(
        r#"{"field": "birthday", "op": "anniversary_in_next", "value": {"amount": 14, "unit": "days"}}, {"consent": "subscribed"}"#,
        "Contacts whose birthday comes round in the next 14 days and who are subscribed",
    );
    check(
        r#"{"activity": "email_click", "op": "=", "value": 0, "window": {"last": {"amount": 30, "unit": "days"}}}"#,
        "Contacts who never clicked an email in the last 30 days",
    );
    check(
        r#"{"match": "any", "conditions": [{"tag": "vip"}, {"field": "total_spent", "op": ">=", "value": 400}]}, {"field": "last_order_at", "op": "more_than_ago", "value": {"amount": 180, "unit": "days"}}"#,
        "Contacts (who are tagged \"vip\" or whose total spent is at least 400) and whose last order is more than 180 days ago",
    );
    check(
        r#"{"activity": "order", "measure": "sum", "op": ">=", "value": 100, "where": [{"property": "category", "op": "is", "value": "Coffee"}]}"#,
        "Contacts whose orders where category is \"Coffee\" total at least 100",
    );
}

#[test]
fn counts_follow_changes_from_this_and_other_connections() {
    let f = fixture();
    let germany = segment(r#"{"field": "country", "op": "is", "value": "DE"}"#);
    let buyers = segment(r#"{"field": "order_count", "op": ">=", "value": 1}"#);
    let german = f.count(&germany);
    let with_orders = f.count(&buyers);
    assert!(german > 0 && with_orders > 0);

    // Another connection moves the French to Germany: the next count sees it.
    let other = rusqlite::Connection::open(&f._shop.path).expect("writable connection");
    let french = other
        .execute(
            "UPDATE contacts SET country = 'DE' WHERE country = 'FR'",
            [],
        )
        .expect("update") as i64;
    assert!(french > 0);
    assert_eq!(f.count(&germany), german + french);

    // Orders deleted elsewhere leave the metrics as they were until this
    // store refreshes them; then the count follows.
    other.execute("DELETE FROM orders", []).expect("delete");
    assert_eq!(f.count(&buyers), with_orders);
    let mut store = Store::open(&f._shop.path).expect("open");
    let schema = store.segment_schema().expect("schema");
    let parsed = parse_segment(&buyers, &schema).expect("valid");
    assert_eq!(
        store.segment_total(&parsed, as_of()).expect("total"),
        with_orders
    );
    store.refresh_metrics().expect("refresh");
    assert_eq!(store.segment_total(&parsed, as_of()).expect("total"), 0);
}

#[test]
fn saving_a_segment_keeps_the_counts_current() {
    let f = fixture();
    let mut store = Store::open(&f._shop.path).expect("open");
    let json = segment(r#"{"field": "country", "op": "is", "value": "DE"}"#);
    let schema = store.segment_schema().expect("schema");
    let parsed = parse_segment(&json, &schema).expect("valid");
    let german = store.segment_total(&parsed, as_of()).expect("total");
    store.save_segment("Germany", &json, 0).expect("saved");
    let other = rusqlite::Connection::open(&f._shop.path).expect("writable connection");
    other
        .execute(
            "UPDATE contacts SET country = 'FR' WHERE country = 'DE'",
            [],
        )
        .expect("update");
    store
        .save_segment("Germany again", &json, 0)
        .expect("saved");
    assert_eq!(
        store.segment_total(&parsed, as_of()).expect("total"),
        0,
        "a write elsewhere while saving still counts ({german} before)"
    );
}

/// The columns in memory answer most conditions without SQL; for each field
/// and operator they cover, they must agree with the compiled query (which
/// the tests above check against the fixture's rows). `Fixture::count`
/// asserts the agreement.
#[test]
fn the_columns_in_memory_agree_with_the_sql_on_every_field_they_cover() {
    let f = fixture();
    let span = r#"{"amount": 45, "unit": "days"}"#;
    let mut conditions: Vec<String> = Vec::new();
    for field in ["created_at", "first_order_at", "last_order_at", "birthday"] {
        for (op, value) in [
            ("before", r#""2026-03-01""#),
            ("after", r#""2025-06-30""#),
            ("on", r#""2026-10-02""#),
            ("between", r#"["2025-01-01", "2025-12-31"]"#),
            ("in_last", span),
            ("more_than_ago", span),
            ("in_next", span),
            ("anniversary_in_next", r#"{"amount": 40, "unit": "days"}"#),
        ] {
            conditions.push(format!(
                r#"{{"field": "{field}", "op": "{op}", "value": {value}}}"#
            ));
        }
        for op in ["is_blank", "is_not_blank"] {
            conditions.push(format!(r#"{{"field": "{field}", "op": "{op}"}}"#));
        }
    }
    for field in [
        "days_since_last_order",
        "order_count",
        "total_spent",
        "average_order_value",
    ] {
        for op in ["=", "!=", "<", "<=", ">", ">="] {
            for value in ["3", "60", "60.5", "0"] {
                conditions.push(format!(
                    r#"{{"field": "{field}", "op": "{op}", "value": {value}}}"#
                ));
            }
        }
        conditions.push(format!(
            r#"{{"field": "{field}", "op": "between", "value": [2.5, 90]}}"#
        ));
    }
    for field in ["city", "email", "first_name", "postal_code", "language"] {
        for (op, value) in [
            ("is", r#""berlin""#),
            ("is_not", r#""Berlin""#),
            ("contains", r#""an""#),
            ("not_contains", r#""an""#),
            ("starts_with", r#""m""#),
            ("ends_with", r#""n""#),
            ("in", r#"["Paris", "london", "en"]"#),
            ("not_in", r#"["Paris", "london", "en"]"#),
        ] {
            conditions.push(format!(
                r#"{{"field": "{field}", "op": "{op}", "value": {value}}}"#
            ));
        }
        for op in ["is_blank", "is_not_blank"] {
            conditions.push(format!(r#"{{"field": "{field}", "op": "{op}"}}"#));
        }
    }
    for (measure, value) in [("count", "1"), ("count", "3"), ("sum", "120.5")] {
        for window in [
            r#"{"last": {"amount": 90, "unit": "days"}}"#,
            r#"{"between_ago": {"from": 12, "to": 3, "unit": "months"}}"#,
            r#"{"before": "2025-06-01"}"#,
            r#"{"after": "2025-06-01"}"#,
            r#"{"between": ["2025-01-01", "2025-12-31"]}"#,
        ] {
            conditions.push(format!(
                r#"{{"activity": "order", "measure": "{measure}", "op": ">=", "value": {value}, "window": {window}}}"#
            ));
        }
        // No window: all time.
        conditions.push(format!(
            r#"{{"activity": "order", "measure": "{measure}", "op": ">=", "value": {value}}}"#
        ));
    }
    for kind in ["email_open", "email_click", "email_sent"] {
        for (measure, op, value) in [
            ("count", ">=", "1"),
            ("count", "=", "0"),
            ("count", "<", "3"),
            ("sum", ">", "0"),
        ] {
            conditions.push(format!(
                r#"{{"activity": "{kind}", "measure": "{measure}", "op": "{op}", "value": {value}, "window": {{"last": {{"amount": 60, "unit": "days"}}}}}}"#
            ));
            conditions.push(format!(
                r#"{{"activity": "{kind}", "measure": "{measure}", "op": "{op}", "value": {value}, "where": [{{"property": "campaign", "op": "contains", "value": "a"}}]}}"#
            ));
        }
    }
    for (measure, op, value) in [
        ("count", ">=", "1"),
        ("count", "=", "0"),
        ("sum", ">=", "30"),
    ] {
        conditions.push(format!(
            r#"{{"activity": "order", "measure": "{measure}", "op": "{op}", "value": {value}, "where": [{{"property": "category", "op": "is", "value": "coffee"}}]}}"#
        ));
    }
    let mut matched = 0;
    for condition in &conditions {
        if f.count(&segment(condition)) > 0 {
            matched += 1;
        }
    }
    // Not a vacuous agreement: most conditions match someone.
    assert!(
        matched * 2 > conditions.len(),
        "{matched} of {}",
        conditions.len()
    );
}

#[test]
fn the_catalog_lists_each_event_kind_once_in_order() {
    let f = fixture();
    let mut expected: Vec<String> = f
        .events
        .values()
        .flatten()
        .map(|(kind, _, _)| kind.clone())
        .collect();
    expected.sort();
    expected.dedup();
    assert!(expected.len() >= 2, "the demo has several kinds");
    let catalog = f.store.segment_catalog().expect("catalog");
    assert_eq!(catalog.event_kinds, expected);
}
