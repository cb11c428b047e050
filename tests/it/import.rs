//! Importing contacts: every real export in shared/data/real-exports, and
//! every oddity the import handles, on small fixtures written here.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tailor::domain::{
    Consent, ContactColumn, ContactDetail, ContactQuery, ContactRow, SortSpec, WorkspaceSettings,
};
use tailor::import::values::DateOrder;
use tailor::import::{self, ContactImportOptions, DuplicatePolicy, ImportError, ImportSummary};
use tailor::jobs::{CancelToken, NoProgress};
use tailor::store::Store;

/// The real export files: from TAILOR_REAL_EXPORTS (set by .ci/run), else
/// the shared folder beside the repository.
fn real_exports() -> PathBuf {
    std::env::var_os("TAILOR_REAL_EXPORTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real-exports")
        })
}

struct Workspace {
    dir: tempfile::TempDir,
    store: Store,
}

fn workspace() -> Workspace {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::create(
        &dir.path().join("w.tailor"),
        &WorkspaceSettings::new("Test", "Europe/Berlin"),
    )
    .expect("create");
    Workspace { dir, store }
}

fn options() -> ContactImportOptions {
    ContactImportOptions {
        now: 1_780_000_000,
        ..ContactImportOptions::default()
    }
}

fn import_with(
    ws: &mut Workspace,
    path: &Path,
    options: &ContactImportOptions,
) -> Result<(ImportSummary, Vec<import::Reject>), ImportError> {
    import::import_contacts(
        &mut ws.store,
        path,
        options,
        &mut NoProgress,
        &CancelToken::new(),
    )
    .map(|(summary, rejects, _)| (summary, rejects))
}

fn import_file(ws: &mut Workspace, path: &Path) -> ImportSummary {
    let (summary, _) = import_with(ws, path, &options()).expect("imports");
    assert_adds_up(&summary);
    summary
}

fn assert_adds_up(s: &ImportSummary) {
    assert_eq!(
        s.rows,
        s.inserted + s.updated + s.unchanged + s.duplicates_in_file + s.rejected,
        "summary does not add up: {s:?}"
    );
}

/// Writes a fixture file in the workspace's folder.
fn fixture(ws: &Workspace, name: &str, bytes: &[u8]) -> PathBuf {
    let path = ws.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn rows(ws: &Workspace) -> Vec<ContactRow> {
    let query = ContactQuery {
        sort: SortSpec {
            column: ContactColumn::Email,
            descending: false,
        },
        ..Default::default()
    };
    let ids = ws.store.contact_ids(&query).expect("ids");
    ws.store.contact_rows(&ids).expect("rows")
}

fn by_email<'a>(rows: &'a [ContactRow], email: &str) -> &'a ContactRow {
    rows.iter()
        .find(|r| {
            r.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .unwrap_or_else(|| panic!("no contact {email}"))
}

fn custom(ws: &Workspace, row: &ContactRow, field: &str) -> Option<String> {
    let fields = ws.store.custom_fields().expect("fields");
    let id = fields.iter().find(|f| f.name == field)?.id;
    row.custom
        .iter()
        .find(|(f, _)| *f == id)
        .map(|(_, v)| v.display())
}

/// Everything about the contact with this email.
fn detail_of(ws: &Workspace, email: &str) -> ContactDetail {
    let id = ws
        .store
        .contact_by_email(email)
        .expect("lookup")
        .unwrap_or_else(|| panic!("no contact {email}"));
    ws.store
        .contact_detail(id)
        .expect("detail")
        .expect("exists")
}

// ---------------------------------------------------------------- real files

#[test]
fn real_contact_lists_import_one_contact_per_distinct_email() {
    let dir = real_exports();
    for (file, contacts) in [
        ("excel_semicolon_bom_contacts_keila.csv", 201),
        ("hubspot_style_contacts_import_faker.csv", 950),
        ("salesforce_leads_export_sfdc-assets.csv", 60),
        ("salesforce_leads_demo-org_excel-resaved.csv", 22),
        ("woocommerce_style_orders_synthetic.csv", 50),
        ("stripe_payments_export_testmode.csv", 2),
        ("shopify_orders_export_devstore.csv", 3),
    ] {
        let mut ws = workspace();
        let summary = import_file(&mut ws, &dir.join(file));
        assert_eq!(summary.inserted, contacts, "{file}: {summary:?}");
        assert_eq!(rows(&ws).len() as u64, contacts, "{file}");
    }
}

#[test]
fn excel_semicolon_bom_file_keeps_headers_and_accents() {
    let mut ws = workspace();
    let summary = import_file(
        &mut ws,
        &real_exports().join("excel_semicolon_bom_contacts_keila.csv"),
    );
    assert_eq!(summary.delimiter.as_deref(), Some(";"));
    assert_eq!(summary.mapping[0], ("Email".to_owned(), "email".to_owned()));
    let all = rows(&ws);
    let joel = all
        .iter()
        .find(|r| r.first_name.as_deref() == Some("Joël"))
        .expect("Joël");
    assert_eq!(joel.last_name.as_deref(), Some("Müller-Schultheiß"));
}

#[test]
fn hubspot_contact_owner_is_never_the_contacts_email() {
    let mut ws = workspace();
    let summary = import_file(
        &mut ws,
        &real_exports().join("hubspot_style_contacts_import_faker.csv"),
    );
    assert!(
        summary
            .mapping
            .contains(&("Email".to_owned(), "email".to_owned()))
    );
    assert!(
        summary
            .mapping
            .iter()
            .any(|(c, t)| c == "Contact Owner" && t.starts_with("custom"))
    );
    let all = rows(&ws);
    let owner = all
        .iter()
        .find(|r| custom(&ws, r, "Contact Owner").is_some())
        .expect("an owner");
    let owner_email = custom(&ws, owner, "Contact Owner").expect("owner");
    assert_ne!(owner.email.as_deref(), Some(owner_email.as_str()));
    // Leading zeros of postal codes survive.
    assert!(
        all.iter()
            .any(|r| r.postal_code.as_deref().is_some_and(|p| p.starts_with('0')))
    );
}

#[test]
fn mailchimp_exports_set_consent_by_file() {
    let dir = real_exports();
    for (file, consent) in [
        (
            "mailchimp_subscribed_members_export.csv",
            Consent::Subscribed,
        ),
        (
            "mailchimp_unsubscribed_members_export.csv",
            Consent::Unsubscribed,
        ),
        (
            "mailchimp_cleaned_members_export.csv",
            Consent::Unsubscribed,
        ),
    ] {
        let mut ws = workspace();
        let summary = import_file(&mut ws, &dir.join(file));
        assert_eq!(summary.inserted, 5, "{file}");
        let all = rows(&ws);
        assert!(
            all.iter().all(|r| r.consent == Some(consent)),
            "{file}: {:?}",
            all.iter().map(|r| r.consent).collect::<Vec<_>>()
        );
        // Stray spaces around names are trimmed.
        assert!(
            all.iter()
                .flat_map(|r| &r.first_name)
                .all(|n| n.trim() == n)
        );
        // Consent is dated by the file: subscriptions by their confirmation
        // (the same time as the opt-in here), unsubscribes by theirs.
        let first = &all[0];
        let detail = detail_of(&ws, first.email.as_deref().unwrap_or_default());
        let given = detail.consent_history.last().map(|c| c.changed_at);
        if consent == Consent::Subscribed {
            assert_eq!(given, Some(first.created_at), "{file}");
            assert!(
                summary
                    .custom_fields_created
                    .iter()
                    .all(|f| f != "CONFIRM_TIME")
            );
        } else {
            assert!(
                given.is_some_and(|at| at > first.created_at),
                "{file}: {given:?}"
            );
        }
    }
}

/// A column with the time consent was given dates the subscriptions the
/// file states, and nothing else.
#[test]
fn opt_in_times_date_subscriptions_only() {
    let mut ws = workspace();
    let path = fixture(
        &ws,
        "optin.csv",
        b"email,consent,consent date\n\
          yes@example.com,yes,2024-03-01 08:00\n\
          no@example.com,no,2024-03-01 08:00\n\
          odd@example.com,yes,soon\n\
          none@example.com,,2024-03-01 08:00\n",
    );
    let summary = import_file(&mut ws, &path);
    assert_eq!(
        summary.mapping[2],
        ("consent date".into(), "subscribed at".into())
    );
    assert!(
        summary.warnings.iter().any(|w| w.contains("\"soon\"")),
        "{:?}",
        summary.warnings
    );
    let given = |email: &str| {
        let detail = detail_of(&ws, email);
        (
            detail.row.consent,
            detail.consent_history.last().map(|c| c.changed_at),
        )
    };
    let march_first = given("yes@example.com").1.expect("dated");
    assert_eq!(given("yes@example.com").0, Some(Consent::Subscribed));
    assert!(march_first < 1_780_000_000, "{march_first}");
    // An unsubscribe, or a subscription whose time is unreadable, counts
    // from the import; without a consent word the time says nothing.
    assert_eq!(
        given("no@example.com"),
        (Some(Consent::Unsubscribed), Some(1_780_000_000))
    );
    assert_eq!(
        given("odd@example.com"),
        (Some(Consent::Subscribed), Some(1_780_000_000))
    );
    assert_eq!(given("none@example.com").1, None);
}

#[test]
fn mailchimp_subscribed_export_never_resubscribes_an_unsubscribe() {
    let dir = real_exports();
    let mut ws = workspace();
    import_file(
        &mut ws,
        &dir.join("mailchimp_unsubscribed_members_export.csv"),
    );
    // The same people in a subscribed export: u1…u5 become s-addresses? No:
    // write a subscribed-layout file with the unsubscribed addresses.
    let text =
        std::fs::read_to_string(dir.join("mailchimp_subscribed_members_export.csv")).expect("read");
    let text = text.replace("s1@", "u1@").replace("s2@", "u2@");
    let path = fixture(&ws, "mailchimp_subscribed_again.csv", text.as_bytes());
    let summary = import_file(&mut ws, &path);
    assert_eq!(summary.resubscribes_blocked, 2);
    let all = rows(&ws);
    assert_eq!(
        by_email(&all, "u1@example.com").consent,
        Some(Consent::Unsubscribed)
    );
    assert_eq!(
        by_email(&all, "s3@example.com").consent,
        Some(Consent::Subscribed)
    );

    let confirmed = ContactImportOptions {
        allow_resubscribe: true,
        ..options()
    };
    import_with(&mut ws, &path, &confirmed).expect("imports");
    assert_eq!(
        by_email(&rows(&ws), "u1@example.com").consent,
        Some(Consent::Subscribed)
    );
}

#[test]
fn shopify_customers_strip_apostrophes_and_flag_scientific_notation() {
    let mut ws = workspace();
    let (summary, rejects) = import_with(
        &mut ws,
        &real_exports().join("shopify_customers_export_devstore_excel-resaved.csv"),
        &options(),
    )
    .expect("imports");
    assert_adds_up(&summary);
    assert_eq!(summary.inserted, 5);
    // The three rows without email had only a damaged customer ID.
    assert_eq!(summary.rejected, 3);
    assert!(
        rejects
            .iter()
            .all(|r| r.reason.contains("scientific notation")),
        "{rejects:?}"
    );
    assert!(summary.warnings.iter().any(|w| w.contains("7.02255E+12")));
    let all = rows(&ws);
    assert!(
        all.iter().all(|r| r.customer_id.is_none()),
        "damaged IDs are not stored"
    );
    let zips: Vec<&str> = all
        .iter()
        .filter_map(|r| r.postal_code.as_deref())
        .collect();
    assert!(zips.contains(&"92591"), "{zips:?}");
    assert!(
        all.iter()
            .all(|r| r.country.as_deref().is_none_or(|c| c == "US"))
    );
    // "Accepts Email Marketing" yes/no became consent.
    assert!(all.iter().any(|r| r.consent == Some(Consent::Subscribed)));
}

#[test]
fn datablist_day_first_dates_and_in_file_duplicates() {
    let mut ws = workspace();
    let (summary, rejects) = import_with(
        &mut ws,
        &real_exports().join("datablist_customers-100_excel-resaved.csv"),
        &options(),
    )
    .expect("imports");
    assert_adds_up(&summary);
    assert_eq!(summary.rows, 102);
    assert_eq!(summary.duplicates_in_file, 2);
    let duplicate_lines: Vec<usize> = rejects
        .iter()
        .filter(|r| r.reason.starts_with("duplicate"))
        .map(|r| r.line)
        .collect();
    assert_eq!(duplicate_lines, [102, 103]);
    let all = rows(&ws);
    assert_eq!(all.iter().filter(|r| r.email.is_some()).count(), 99);
    assert_eq!(
        all.len(),
        100,
        "the row without email is kept by its customer ID"
    );
    let sheryl = all
        .iter()
        .find(|r| r.last_name.as_deref() == Some("Baxter"))
        .expect("Sheryl Baxter");
    // 24/08/2020 read day-first, as midnight in the workspace's zone.
    let created = chrono::DateTime::from_timestamp(sheryl.created_at, 0).expect("valid");
    assert_eq!(created.date_naive().to_string(), "2020-08-23"); // 22:00 UTC the day before
    assert_eq!(sheryl.country.as_deref(), Some("CL"));
}

#[test]
fn superstore_files_in_both_encodings_give_the_same_customers() {
    let dir = real_exports();
    let mut ws = workspace();
    let summary = import_file(&mut ws, &dir.join("superstore_cp1252_truncated5000.csv"));
    assert_eq!(summary.encoding, "windows-1252");
    assert_eq!(summary.inserted, 756);
    let claire = rows(&ws)
        .into_iter()
        .find(|r| r.customer_id.as_deref() == Some("CG-12520"))
        .expect("CG-12520");
    assert_eq!(
        (claire.first_name.as_deref(), claire.last_name.as_deref()),
        (Some("Claire"), Some("Gute"))
    );
    assert_eq!(claire.country.as_deref(), Some("US"));

    let mut eu = workspace();
    let summary = import_file(
        &mut eu,
        &dir.join("superstore_semicolon_bom_eu_truncated5000.csv"),
    );
    assert_eq!(summary.delimiter.as_deref(), Some(";"));
    assert_eq!(summary.inserted, 756);
    // Re-importing the other file updates nobody's identity and adds no one.
    let summary = import_file(&mut eu, &dir.join("superstore_cp1252_truncated5000.csv"));
    assert_eq!(summary.inserted, 0);
    assert_eq!(rows(&eu).len(), 756);
}

#[test]
fn uci_online_retail_needs_a_date_order_and_skips_blank_rows() {
    let path = real_exports().join("uci_online_retail_truncated.csv");
    let mut ws = workspace();
    let error = import_with(&mut ws, &path, &options()).expect_err("ambiguous");
    assert!(
        matches!(error, ImportError::AmbiguousDates { ref column, .. } if column == "InvoiceDate"),
        "{error}"
    );
    assert!(rows(&ws).is_empty(), "nothing written");
    let month_first = ContactImportOptions {
        date_order: Some(DateOrder::MonthFirst),
        ..options()
    };
    let (summary, _) = import_with(&mut ws, &path, &month_first).expect("imports");
    assert_adds_up(&summary);
    assert_eq!(summary.inserted, 50);
    assert_eq!(summary.blank_rows, 24);
    assert_eq!(summary.rejected, 1, "the line without a CustomerID");
}

#[test]
fn files_without_email_or_customer_id_are_refused() {
    let mut ws = workspace();
    let error = import_with(
        &mut ws,
        &real_exports().join("olist_order_reviews_quoted_newlines_sample.csv"),
        &options(),
    )
    .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("email or customer ID") && message.contains("review_id"),
        "{message}"
    );
}

// ------------------------------------------------------------ oddities

#[test]
fn reads_every_encoding_and_line_end() {
    let mut ws = workspace();
    let mut utf16be = vec![0xFE, 0xFF];
    for unit in "email\tname\r\nzoe@example.com\tZoë\r\n".encode_utf16() {
        utf16be.extend_from_slice(&unit.to_be_bytes());
    }
    let path = fixture(&ws, "utf16.txt", &utf16be);
    let summary = import_file(&mut ws, &path);
    assert_eq!(
        (summary.encoding.as_str(), summary.delimiter.as_deref()),
        ("UTF-16BE", Some("tab"))
    );

    let path = fixture(
        &ws,
        "cr.csv",
        b"email|first name\rcr@example.com|Ren\xE9e\r",
    );
    let summary = import_file(&mut ws, &path);
    assert_eq!(summary.encoding, "windows-1252");
    assert_eq!(
        by_email(&rows(&ws), "cr@example.com").first_name.as_deref(),
        Some("Renée")
    );

    let path = fixture(
        &ws,
        "latin9.csv",
        b"email,first name\neuro@example.com,\xA4uro\n",
    );
    let latin9 = ContactImportOptions {
        read: import::read::ReadOptions {
            encoding: Some("iso-8859-15".into()),
            ..Default::default()
        },
        ..options()
    };
    import_with(&mut ws, &path, &latin9).expect("imports");
    assert_eq!(
        by_email(&rows(&ws), "euro@example.com")
            .first_name
            .as_deref(),
        Some("€uro")
    );

    let path = fixture(
        &ws,
        "mac.csv",
        b"email,first name\nmac@example.com,Jos\x8E\n",
    );
    let mac = ContactImportOptions {
        read: import::read::ReadOptions {
            encoding: Some("macintosh".into()),
            ..Default::default()
        },
        ..options()
    };
    import_with(&mut ws, &path, &mac).expect("imports");
    assert_eq!(
        by_email(&rows(&ws), "mac@example.com")
            .first_name
            .as_deref(),
        Some("José")
    );
}

#[test]
fn quoted_fields_names_countries_tags_and_leading_zeros() {
    let mut ws = workspace();
    let path = fixture(
        &ws,
        "odd.csv",
        "Email Address,Name,Land,PLZ,Tags,Note\n\
         \" Ann@Example.com \",Ann van der Berg,Deutschland,01067,\"vip, wholesale\",\"said \"\"hi\"\", then\nleft\"\n\
         bo@example.com,Bo,United Kingdom,'02134,b2b;vip,\n"
            .as_bytes(),
    );
    import_file(&mut ws, &path);
    let all = rows(&ws);
    let ann = by_email(&all, "ann@example.com");
    assert_eq!(
        ann.email.as_deref(),
        Some("Ann@Example.com"),
        "original email kept, trimmed"
    );
    assert_eq!(
        (ann.first_name.as_deref(), ann.last_name.as_deref()),
        (Some("Ann"), Some("van der Berg"))
    );
    assert_eq!(ann.country.as_deref(), Some("DE"));
    assert_eq!(ann.postal_code.as_deref(), Some("01067"));
    assert_eq!(ann.tags, ["vip", "wholesale"]);
    assert_eq!(
        custom(&ws, ann, "Note").as_deref(),
        Some("said \"hi\", then\nleft")
    );
    let bo = by_email(&all, "bo@example.com");
    assert_eq!(bo.postal_code.as_deref(), Some("02134"));
    assert_eq!(bo.country.as_deref(), Some("GB"));
    assert_eq!(bo.tags, ["b2b", "vip"]);
}

#[test]
fn ambiguous_dates_follow_the_users_choice() {
    let mut ws = workspace();
    let path = fixture(
        &ws,
        "dates.csv",
        b"email,birthday\na@example.com,03/04/1990\nb@example.com,05/06/1985\n",
    );
    let error = import_with(&mut ws, &path, &options()).expect_err("ambiguous");
    assert!(error.to_string().contains("03/04/1990"), "{error}");
    let day_first = ContactImportOptions {
        date_order: Some(DateOrder::DayFirst),
        ..options()
    };
    import_with(&mut ws, &path, &day_first).expect("imports");
    assert_eq!(
        by_email(&rows(&ws), "a@example.com").birthday.as_deref(),
        Some("1990-04-03")
    );

    let mut ws = workspace();
    let month_first = ContactImportOptions {
        date_order: Some(DateOrder::MonthFirst),
        ..options()
    };
    let path = fixture(
        &ws,
        "dates.csv",
        b"email,birthday\na@example.com,03/04/1990\n",
    );
    import_with(&mut ws, &path, &month_first).expect("imports");
    assert_eq!(
        by_email(&rows(&ws), "a@example.com").birthday.as_deref(),
        Some("1990-03-04")
    );
}

#[test]
fn invalid_rows_are_rejected_with_line_and_reason_and_written_out() {
    let mut ws = workspace();
    let path = fixture(
        &ws,
        "bad.csv",
        b"email,birthday,consent\nok@example.com,1990-01-02,yes\nnot-an-email,,\n,,\nx@example.com,1990-02-31,\ny@example.com,,maybe\nOK@example.com,,\n",
    );
    let (summary, rejects) = import_with(&mut ws, &path, &options()).expect("imports");
    assert_adds_up(&summary);
    assert_eq!(
        (
            summary.inserted,
            summary.rejected,
            summary.duplicates_in_file
        ),
        (1, 3, 1)
    );
    assert_eq!(summary.blank_rows, 1);
    let reasons: Vec<(usize, &str)> = rejects
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert!(
        reasons[0].0 == 3 && reasons[0].1.contains("not a valid email"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].0 == 5 && reasons[1].1.contains("birthday"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].0 == 6 && reasons[2].1.contains("consent"),
        "{reasons:?}"
    );
    assert!(
        reasons[3].0 == 7 && reasons[3].1.contains("duplicate of line 2"),
        "{reasons:?}"
    );

    let out = ws.dir.path().join("rejects.csv");
    let headers = vec![
        "email".to_owned(),
        "birthday".to_owned(),
        "consent".to_owned(),
    ];
    import::write_rejects(&out, &headers, &rejects).expect("writes");
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(
        text.starts_with("line,reason,email,birthday,consent\n"),
        "{text}"
    );
    assert!(text.contains("5,"), "{text}");
}

#[test]
fn duplicate_policies_and_consent_rules_on_reimport() {
    let mut ws = workspace();
    let first = fixture(
        &ws,
        "first.csv",
        b"email,first name,city,consent\na@example.com,Ann,,no\nb@example.com,Bo,Oslo,yes\n",
    );
    import_file(&mut ws, &first);
    // Same people, new values, and no consent column.
    let second = fixture(
        &ws,
        "second.csv",
        b"EMAIL,first name,city\nA@EXAMPLE.COM,Anna,Rome\nb@example.com,Bob,Paris\n",
    );

    let fill = ContactImportOptions {
        on_duplicate: DuplicatePolicy::FillBlanks,
        ..options()
    };
    let (summary, _) = import_with(&mut ws, &second, &fill).expect("imports");
    assert_eq!(
        (summary.inserted, summary.updated, summary.unchanged),
        (0, 1, 1)
    );
    let all = rows(&ws);
    assert_eq!(
        by_email(&all, "a@example.com").first_name.as_deref(),
        Some("Ann")
    );
    assert_eq!(
        by_email(&all, "a@example.com").city.as_deref(),
        Some("Rome")
    );
    assert_eq!(
        by_email(&all, "b@example.com").city.as_deref(),
        Some("Oslo")
    );

    let skip = ContactImportOptions {
        on_duplicate: DuplicatePolicy::Skip,
        ..options()
    };
    let (summary, _) = import_with(&mut ws, &second, &skip).expect("imports");
    assert_eq!(summary.unchanged, 2);

    let (summary, _) = import_with(&mut ws, &second, &options()).expect("imports");
    assert_eq!(summary.updated, 2);
    let all = rows(&ws);
    assert_eq!(
        by_email(&all, "a@example.com").first_name.as_deref(),
        Some("Anna")
    );
    assert_eq!(
        by_email(&all, "b@example.com").city.as_deref(),
        Some("Paris")
    );
    // No consent column: consent is untouched.
    assert_eq!(
        by_email(&all, "a@example.com").consent,
        Some(Consent::Unsubscribed)
    );
    assert_eq!(
        by_email(&all, "b@example.com").consent,
        Some(Consent::Subscribed)
    );
}

#[test]
fn undo_removes_inserted_and_restores_updated_contacts() {
    let mut ws = workspace();
    let first = fixture(
        &ws,
        "first.csv",
        b"email,first name,consent,tags\na@example.com,Ann,yes,vip\n",
    );
    import_file(&mut ws, &first);
    let before = rows(&ws);
    let second = fixture(&ws, "second.csv", b"email,first name,consent,tags,tier\na@example.com,Anna,no,new,gold\nz@example.com,Zed,yes,,\n");
    let summary = import_file(&mut ws, &second);
    assert_eq!((summary.inserted, summary.updated), (1, 1));
    assert_eq!(rows(&ws).len(), 2);
    let (removed, restored) = ws
        .store
        .undo_import(tailor::domain::ImportRunId(summary.run_id))
        .expect("undo");
    assert_eq!((removed, restored), (1, 1));
    let after = rows(&ws);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].first_name, before[0].first_name);
    assert_eq!(after[0].consent, before[0].consent);
    assert_eq!(after[0].tags, before[0].tags);
    assert_eq!(after[0].custom, before[0].custom);
    assert!(
        ws.store
            .undo_import(tailor::domain::ImportRunId(summary.run_id))
            .is_err(),
        "undo twice"
    );
}

#[test]
fn consent_history_keeps_the_first_state_and_every_change() {
    let mut ws = workspace();
    let first = fixture(&ws, "first.csv", b"email,consent\na@example.com,yes\n");
    import_file(&mut ws, &first);
    let history = |ws: &Workspace| -> Vec<Consent> {
        let detail = detail_of(ws, "a@example.com");
        detail.consent_history.iter().map(|c| c.status).collect()
    };
    assert_eq!(history(&ws), [Consent::Subscribed]);
    let source = |ws: &Workspace| {
        let detail = detail_of(ws, "a@example.com");
        detail.consent_history.last().map(|c| c.source.clone())
    };
    // The import that added the contact is its consent's source.
    assert_eq!(source(&ws).as_deref(), Some("import of first.csv"));

    let second = fixture(&ws, "second.csv", b"email,consent\na@example.com,no\n");
    let summary = import_file(&mut ws, &second);
    assert_eq!(history(&ws), [Consent::Unsubscribed, Consent::Subscribed]);
    let detail = detail_of(&ws, "a@example.com");
    assert!(detail.consent_history[1].source.contains("first.csv"));
    assert!(detail.consent_history[0].source.contains("second.csv"));

    ws.store
        .undo_import(tailor::domain::ImportRunId(summary.run_id))
        .expect("undo");
    assert_eq!(history(&ws), [Consent::Subscribed]);
    assert_eq!(source(&ws).as_deref(), Some("import of first.csv"));
}

/// The contacts table's indexes, by name.
fn contact_indexes(ws: &Workspace) -> Vec<String> {
    let conn = rusqlite::Connection::open(ws.dir.path().join("w.tailor")).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'contacts' \
             AND sql IS NOT NULL ORDER BY name",
        )
        .expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names")
}

#[test]
fn large_imports_load_in_bulk_with_the_same_rules() {
    let mut ws = workspace();
    let existing = fixture(
        &ws,
        "existing.csv",
        b"email,customer id,first name,consent\nkeep@example.com,,Kay,no\nbo@example.com,C-7,Bo,yes\n",
    );
    import_file(&mut ws, &existing);
    let indexes = contact_indexes(&ws);
    assert!(
        indexes.contains(&"contacts_email_key".to_owned()),
        "{indexes:?}"
    );

    // Big enough to load in bulk: 25,000 new people, one of them twice,
    // an existing contact by email (in other case) and one by customer ID.
    let mut text = String::from("email,customer id,first name,consent\n");
    for i in 0..25_000 {
        text.push_str(&format!("p{i}@example.com,,P{i},yes\n"));
    }
    text.push_str("P17@Example.com,,Again,yes\n");
    text.push_str("KEEP@example.com,,Kim,yes\n");
    text.push_str(",C-7,Bob,\n");
    let path = fixture(&ws, "many.csv", text.as_bytes());

    // A cancelled bulk import leaves the workspace and its indexes as they
    // were; with another connection open (as in the studio) it stays in WAL.
    let reader = rusqlite::Connection::open(ws.dir.path().join("w.tailor")).expect("open");
    let cancel = CancelToken::new();
    let mut progress = |fraction: f32, _: &str| {
        if fraction > 0.5 {
            cancel.cancel();
        }
    };
    let result = import::import_contacts(&mut ws.store, &path, &options(), &mut progress, &cancel);
    assert!(matches!(result, Err(ImportError::Cancelled)));
    assert_eq!(ws.store.counts().expect("counts").contacts, 2);
    assert_eq!(contact_indexes(&ws), indexes);
    let seen: i64 = reader
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .expect("the other connection reads");
    assert_eq!(seen, 2);
    drop(reader);

    // Alone, it writes through a rollback journal and leaves WAL on after.
    let summary = import_file(&mut ws, &path);
    assert_eq!(
        (
            summary.inserted,
            summary.updated,
            summary.duplicates_in_file
        ),
        (25_000, 2, 1)
    );
    assert_eq!(contact_indexes(&ws), indexes);
    assert_eq!(ws.store.counts().expect("counts").contacts, 25_002);
    let all = rows(&ws);
    assert_eq!(
        by_email(&all, "p17@example.com").first_name.as_deref(),
        Some("P17")
    );
    assert_eq!(
        by_email(&all, "bo@example.com").first_name.as_deref(),
        Some("Bob")
    );
    // An unsubscribe is never undone without the explicit choice.
    assert_eq!(
        by_email(&all, "keep@example.com").consent,
        Some(Consent::Unsubscribed)
    );
    assert_eq!(summary.resubscribes_blocked, 1);
    let conn = rusqlite::Connection::open(ws.dir.path().join("w.tailor")).expect("open");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(integrity, "ok");
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(journal, "wal");
}

/// A file longer than the rows read before the import starts: the rest is
/// read as the import goes, with the same counts, lines and repeats.
#[test]
fn long_files_read_as_they_import_count_lines_and_repeats_alike() {
    for line_end in ["\n", "\r\n", "\r"] {
        let mut ws = workspace();
        let mut text = format!("Email,First Name,Consent{line_end}");
        let mut line = 1;
        let mut push = |row: &str, text: &mut String| {
            text.push_str(row);
            text.push_str(line_end);
            line += 1;
            line
        };
        let mut bad_line = 0;
        let mut repeat_line = 0;
        for i in 0..3_000 {
            push(&format!("p{i}@example.com,P{i},yes"), &mut text);
            if i == 1_500 {
                push(",,", &mut text);
                push("", &mut text);
            }
            if i == 2_000 {
                bad_line = push("not-an-email,X,yes", &mut text);
            }
            if i == 2_800 {
                // The same person as the file's fourth row, far past it.
                repeat_line = push("P3@Example.COM,Again,no", &mut text);
            }
        }
        let path = fixture(&ws, "long.csv", text.as_bytes());
        let (summary, rejects) = import_with(&mut ws, &path, &options()).expect("imports");
        assert_adds_up(&summary);
        assert_eq!(
            (
                summary.rows,
                summary.inserted,
                summary.rejected,
                summary.duplicates_in_file,
                summary.blank_rows
            ),
            // The empty line is no record at all; the one of empty cells
            // is a blank row.
            (3_002, 3_000, 1, 1, 1),
            "{line_end:?}"
        );
        let lines: Vec<(usize, &str)> = rejects
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(lines[0].0, bad_line, "{line_end:?}");
        assert!(lines[0].1.contains("not a valid email"), "{lines:?}");
        assert_eq!(
            lines[1],
            (repeat_line, "duplicate of line 5"),
            "{line_end:?}"
        );
        assert_eq!(rejects[1].cells, ["P3@Example.COM", "Again", "no"]);
        let all = rows(&ws);
        assert_eq!(all.len(), 3_000);
        assert_eq!(
            by_email(&all, "p2999@example.com").first_name.as_deref(),
            Some("P2999")
        );
    }
}

/// What needs a whole column (a custom field's type, the order of a date
/// column's days and months) still sees values far down a long file.
#[test]
fn long_files_infer_types_and_date_orders_from_every_row() {
    let mut ws = workspace();
    let mut text = String::from("Email,Loyalty Points,Birthday\n");
    for i in 0..2_000 {
        // Points only from row 1,500; days past 12 only at row 1,800.
        let points = if i >= 1_500 {
            format!("{i}")
        } else {
            String::new()
        };
        let birthday = if i == 1_800 {
            "25/12/1990"
        } else {
            "03/04/1990"
        };
        text.push_str(&format!("p{i}@example.com,{points},{birthday}\n"));
    }
    let path = fixture(&ws, "late.csv", text.as_bytes());
    let summary = import_file(&mut ws, &path);
    assert_eq!(summary.inserted, 2_000);
    assert_eq!(summary.custom_fields_created, ["Loyalty Points"]);
    let all = rows(&ws);
    let late = by_email(&all, "p1999@example.com");
    assert_eq!(custom(&ws, late, "Loyalty Points").as_deref(), Some("1999"));
    // Day first, as row 1,800 shows: 3 April.
    assert_eq!(late.birthday.as_deref(), Some("1990-04-03"));
}

/// A mapping may name an existing custom field with another type; the
/// field's stored type wins, and a date field still has its day/month
/// order decided by every row of a long file.
#[test]
fn long_files_decide_date_order_for_existing_date_fields() {
    use tailor::domain::FieldKind;
    use tailor::import::mapping::{ColumnMapping, Mapping, Target};
    let mut ws = workspace();
    let first = fixture(
        &ws,
        "first.csv",
        b"email,anniversary\na@example.com,2020-01-05\n",
    );
    assert_eq!(
        import_file(&mut ws, &first).custom_fields_created,
        ["anniversary"]
    );
    let mut text = String::from("email,anniversary\n");
    for i in 0..2_000 {
        let day = if i == 1_500 {
            "25/04/2020"
        } else {
            "03/04/2020"
        };
        text.push_str(&format!("p{i}@example.com,{day}\n"));
    }
    let path = fixture(&ws, "long.csv", text.as_bytes());
    let column = |column: &str, target| ColumnMapping {
        column: column.to_owned(),
        target,
    };
    let options = ContactImportOptions {
        mapping: Some(Mapping {
            columns: vec![
                column(
                    "email",
                    Target::Field {
                        field: tailor::domain::ContactField::Email,
                    },
                ),
                column(
                    "anniversary",
                    Target::Custom {
                        name: "anniversary".into(),
                        kind: FieldKind::Text,
                    },
                ),
            ],
            ..Mapping::default()
        }),
        ..options()
    };
    let (summary, _) = import_with(&mut ws, &path, &options).expect("imports");
    assert_eq!(summary.inserted, 2_000);
    let all = rows(&ws);
    let late = by_email(&all, "p1999@example.com");
    assert_eq!(
        custom(&ws, late, "anniversary").as_deref(),
        Some("2020-04-03")
    );
}

/// A large import of contacts without customer IDs keeps the customer-ID
/// index (it gets nothing from them), which still finds contacts after.
#[test]
fn bulk_imports_without_customer_ids_keep_that_index() {
    let mut ws = workspace();
    let first = fixture(
        &ws,
        "first.csv",
        b"email,customer id\nann@example.com,C-1\n",
    );
    import_file(&mut ws, &first);
    let indexes = contact_indexes(&ws);
    let mut text = String::from("email,first name\n");
    for i in 0..25_000 {
        text.push_str(&format!("p{i}@example.com,P{i}\n"));
    }
    let path = fixture(&ws, "many.csv", text.as_bytes());
    assert_eq!(import_file(&mut ws, &path).inserted, 25_000);
    assert_eq!(contact_indexes(&ws), indexes);
    let again = fixture(&ws, "again.csv", b"email,customer id\nbo@example.com,C-1\n");
    let summary = import_file(&mut ws, &again);
    assert_eq!((summary.inserted, summary.updated), (0, 1));
    assert_eq!(ws.store.counts().expect("counts").contacts, 25_001);
}

#[test]
fn cancelled_import_changes_nothing() {
    let mut ws = workspace();
    let mut text = String::from("email,first name\n");
    for i in 0..5000 {
        text.push_str(&format!("p{i}@example.com,P{i}\n"));
    }
    let path = fixture(&ws, "many.csv", text.as_bytes());
    let cancel = CancelToken::new();
    let mut progress = |fraction: f32, _: &str| {
        if fraction > 0.3 {
            cancel.cancel();
        }
    };
    let result = import::import_contacts(&mut ws.store, &path, &options(), &mut progress, &cancel);
    assert!(matches!(result, Err(ImportError::Cancelled)));
    assert!(rows(&ws).is_empty());
    assert_eq!(ws.store.counts().expect("counts").contacts, 0);
}

/// A minimal XLSX workbook with one sheet of inline strings.
fn xlsx(sheet_name: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, value) in row.iter().enumerate() {
            let col = char::from(b'A' + c as u8);
            sheet.push_str(&format!(
                r#"<c r="{col}{}" t="inlineStr"><is><t>{value}</t></is></c>"#,
                r + 1
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, content) in files {
            zip.start_file(name, options).expect("zip entry");
            zip.write_all(content.as_bytes()).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    buffer.into_inner()
}

#[test]
fn reads_workbooks_even_when_named_csv() {
    let mut ws = workspace();
    let book = xlsx(
        "Kunden",
        &[
            &["E-Mail", "Vorname", "Nachname"],
            &["k@example.com", "Käthe", "Kruse"],
        ],
    );
    let path = fixture(&ws, "exported.csv", &book);
    let summary = import_file(&mut ws, &path);
    assert_eq!(summary.sheet.as_deref(), Some("Kunden"));
    assert_eq!(
        by_email(&rows(&ws), "k@example.com").first_name.as_deref(),
        Some("Käthe")
    );

    let wrong_sheet = ContactImportOptions {
        read: import::read::ReadOptions {
            sheet: Some("Orders".into()),
            ..Default::default()
        },
        ..options()
    };
    let error = import_with(&mut ws, &path, &wrong_sheet).expect_err("no such sheet");
    assert!(error.to_string().contains("Kunden"), "{error}");
}

// ------------------------------------------------------------ orders

fn import_orders(
    ws: &mut Workspace,
    path: &Path,
    date_order: Option<DateOrder>,
) -> import::orders::OrderImportSummary {
    let options = import::orders::OrderImportOptions {
        date_order,
        now: 1_780_000_000,
        ..Default::default()
    };
    let (summary, _, _) = import::orders::import_orders(
        &mut ws.store,
        path,
        &options,
        &mut NoProgress,
        &CancelToken::new(),
    )
    .expect("imports");
    assert_adds_up(&summary.base);
    summary
}

fn order_totals(ws: &Workspace) -> std::collections::HashMap<String, (i64, String)> {
    let conn = rusqlite::Connection::open(ws.store.path()).expect("open");
    let mut stmt = conn
        .prepare("SELECT o.reference, o.total_cents, c.email FROM orders o JOIN contacts c ON c.id = o.contact_id")
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (
                r.get(1)?,
                r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            ),
        ))
    })
    .expect("query")
    .map(|r| r.expect("row"))
    .collect()
}

#[test]
fn shopify_orders_group_lines_and_refuse_orders_without_a_customer() {
    let mut ws = workspace();
    let summary = import_orders(
        &mut ws,
        &real_exports().join("shopify_orders_export_devstore.csv"),
        None,
    );
    // 19 orders, of which 10 are drafts with no email.
    assert_eq!(summary.orders_inserted + 10, 19);
    assert_eq!(summary.contacts_created, 3);
    assert_eq!(summary.base.rejected, 22);
    let totals = order_totals(&ws);
    assert_eq!(
        totals["#1004"],
        (3495, "ayumu.hirano@example.com".to_owned())
    );
    assert_eq!(totals["#1005"].0, 163_555);
    // The contact's derived metrics are current.
    let ayumu = by_email(&rows(&ws), "ayumu.hirano@example.com").clone();
    let orders: Vec<i64> = totals
        .values()
        .filter(|(_, e)| e == "ayumu.hirano@example.com")
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(ayumu.order_count, orders.len() as i64);
    assert_eq!(ayumu.total_spent_cents, orders.iter().sum::<i64>());
    assert_eq!(
        ayumu.consent,
        Some(Consent::Unknown),
        "created contacts have unknown consent"
    );

    // Importing the same file again changes nothing.
    let again = import_orders(
        &mut ws,
        &real_exports().join("shopify_orders_export_devstore.csv"),
        None,
    );
    assert_eq!(
        (again.orders_inserted, again.orders_existing),
        (0, summary.orders_inserted)
    );
}

#[test]
fn order_exports_import_one_order_per_reference() {
    let dir = real_exports();
    for (file, date_order, orders, contacts) in [
        ("woocommerce_style_orders_synthetic.csv", None, 50, 50),
        ("stripe_payments_export_testmode.csv", None, 3, 2),
        ("superstore_cp1252_truncated5000.csv", None, 2475, 756),
        (
            "superstore_semicolon_bom_eu_truncated5000.csv",
            None,
            2475,
            756,
        ),
        (
            "uci_online_retail_truncated.csv",
            Some(DateOrder::MonthFirst),
            67,
            50,
        ),
    ] {
        let mut ws = workspace();
        let summary = import_orders(&mut ws, &dir.join(file), date_order);
        assert_eq!(
            (summary.orders_inserted, summary.contacts_created),
            (orders, contacts),
            "{file}: {summary:?}"
        );
        assert_eq!(
            ws.store.counts().expect("counts").orders as u64,
            orders,
            "{file}"
        );
    }
}

#[test]
fn order_lines_sum_to_order_totals_and_link_existing_contacts() {
    let mut ws = workspace();
    let contacts = fixture(
        &ws,
        "people.csv",
        b"email,first name\nRyan.Moore82@example.com,Ryan\n",
    );
    import_file(&mut ws, &contacts);
    let summary = import_orders(
        &mut ws,
        &real_exports().join("woocommerce_style_orders_synthetic.csv"),
        None,
    );
    assert_eq!(
        summary.contacts_created, 49,
        "the existing contact was linked by email, ignoring case"
    );
    let ryan = by_email(&rows(&ws), "ryan.moore82@example.com").clone();
    assert_eq!(ryan.first_name.as_deref(), Some("Ryan"));
    assert_eq!(ryan.order_count, 1);
    assert_eq!(ryan.total_spent_cents, 85_525);
    let detail = ws
        .store
        .contact_detail(ryan.id)
        .expect("detail")
        .expect("exists");
    let items = &detail.orders[0].items;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].quantity, 2);
    assert_eq!(items[0].unit_price_cents, 21_616, "432.32 for two");
}

#[test]
fn superstore_eu_reads_decimal_commas() {
    let mut ws = workspace();
    import_orders(
        &mut ws,
        &real_exports().join("superstore_semicolon_bom_eu_truncated5000.csv"),
        None,
    );
    let totals = order_totals(&ws);
    // CA-2020-152156: 261,96 + 731,94
    assert_eq!(totals["CA-2020-152156"].0, 99_390);
}

// ------------------------------------------------------------ events

/// The events of the contact with `email`, newest first.
fn events_of(ws: &Workspace, email: &str) -> Vec<tailor::domain::EventView> {
    let id = by_email(&rows(ws), email).id;
    ws.store
        .contact_detail(id)
        .expect("detail")
        .expect("exists")
        .events
}

#[test]
fn events_link_contacts_normalise_kinds_and_skip_repeats() {
    let mut ws = workspace();
    let people = fixture(&ws, "people.csv", b"email\nann@example.com\n");
    import_file(&mut ws, &people);
    let path = fixture(
        &ws,
        "events.csv",
        b"Email,Event,Timestamp,Campaign,Variant,Value\n\
          ANN@example.com,Opened,2026-03-01 10:00:00,Spring sale,B,\n\
          ann@example.com,clicked,2026-03-01 10:02:00,Spring sale,B,\n\
          new@example.com,purchase,2026-03-02T09:00:00Z,,,49.90\n\
          new@example.com,purchase,2026-03-02T09:00:00Z,,,49.90\n\
          bad,opened,2026-03-01 10:00:00,,,\n",
    );
    let options = import::events::EventImportOptions {
        now: 1_780_000_000,
        ..Default::default()
    };
    let run = |ws: &mut Workspace| {
        import::events::import_events(
            &mut ws.store,
            &path,
            &options,
            &mut NoProgress,
            &CancelToken::new(),
        )
        .expect("imports")
        .0
    };
    let summary = run(&mut ws);
    assert_adds_up(&summary);
    assert_eq!(
        (
            summary.inserted,
            summary.duplicates_in_file,
            summary.rejected
        ),
        (3, 1, 1)
    );
    let all = rows(&ws);
    assert_eq!(all.len(), 2, "new@example.com was created");
    let events = events_of(&ws, "ann@example.com");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["email_click", "email_open"]);
    assert_eq!(events[0].campaign.as_deref(), Some("Spring sale"));
    assert_eq!(events[0].variant.as_deref(), Some("B"));

    let again = run(&mut ws);
    assert_eq!((again.inserted, again.unchanged), (0, 3));
}

#[test]
fn click_exports_take_the_kind_from_the_user() {
    let mut ws = workspace();
    let path = fixture(&ws, "clicks.csv", b"Email Address,Clicked At,URL\na@example.com,2026-01-05 08:00,https://shop.example/beans\n");
    let without_kind = import::events::EventImportOptions {
        now: 1_780_000_000,
        ..Default::default()
    };
    let error = import::events::import_events(
        &mut ws.store,
        &path,
        &without_kind,
        &mut NoProgress,
        &CancelToken::new(),
    )
    .expect_err("needs a kind");
    assert!(error.to_string().contains("kind of event"), "{error}");
    let with_kind = import::events::EventImportOptions {
        kind: Some("click".into()),
        ..without_kind
    };
    let (summary, _, _) = import::events::import_events(
        &mut ws.store,
        &path,
        &with_kind,
        &mut NoProgress,
        &CancelToken::new(),
    )
    .expect("imports");
    assert_eq!(summary.inserted, 1);
    assert_eq!(events_of(&ws, "a@example.com")[0].kind, "email_click");
}

#[test]
fn an_events_mapping_names_columns_the_headers_do_not() {
    use import::events::{EventColumn, EventImportOptions, EventTarget};
    let mut ws = workspace();
    let path = fixture(
        &ws,
        "activity.csv",
        b"Wer,Wann,Was,Notiz
ann@example.com,2026-03-01 10:00,Opened,first
",
    );
    let suggested = import::events::suggest(
        &[
            "Wer".to_owned(),
            "Wann".to_owned(),
            "Was".to_owned(),
            "Notiz".to_owned(),
        ],
        &import::rows::Rows::default(),
    );
    assert!(suggested.iter().all(|(_, t)| *t == EventTarget::Skip));
    let run = |ws: &mut Workspace, mapping: Vec<(String, EventTarget)>| {
        let options = EventImportOptions {
            mapping: Some(mapping),
            now: 1_780_000_000,
            ..Default::default()
        };
        import::events::import_events(
            &mut ws.store,
            &path,
            &options,
            &mut NoProgress,
            &CancelToken::new(),
        )
    };
    let event = |column| EventTarget::Event { column };
    let mut mapping = vec![
        (
            "Wer".to_owned(),
            EventTarget::Contact {
                field: import::mapping::ContactField::Email,
            },
        ),
        ("Wann".to_owned(), event(EventColumn::OccurredAt)),
        ("Was".to_owned(), event(EventColumn::Kind)),
        ("Wo".to_owned(), event(EventColumn::Campaign)),
    ];
    let error = run(&mut ws, mapping.clone()).expect_err("no column Wo");
    assert!(error.to_string().contains("Wo"), "{error}");
    assert!(rows(&ws).is_empty(), "nothing was written");
    mapping.pop();
    let (summary, _, _) = run(&mut ws, mapping).expect("imports");
    assert_eq!(summary.inserted, 1);
    assert_eq!(events_of(&ws, "ann@example.com")[0].kind, "email_open");
}

#[test]
fn the_history_lists_imports_newest_first_and_undoes_only_the_newest() {
    let mut ws = workspace();
    let first = fixture(
        &ws,
        "first.csv",
        b"email,first name\na@example.com,Ann\nb@example.com,Bo\nnot an email,Cy\n",
    );
    let first = import_file(&mut ws, &first);
    let second = fixture(
        &ws,
        "second.csv",
        b"email,first name\na@example.com,Anna\nc@example.com,Cleo\n",
    );
    let second = import_file(&mut ws, &second);

    let runs = ws.store.import_runs().expect("runs");
    let files: Vec<&str> = runs.iter().map(|r| r.file_name.as_str()).collect();
    assert_eq!(files, ["second.csv", "first.csv"]);
    let (newest, older) = (&runs[0], &runs[1]);
    assert_eq!(
        (
            newest.rows,
            newest.inserted,
            newest.updated,
            newest.rejected
        ),
        (2, 1, 1, 0)
    );
    assert_eq!(
        (
            older.rows,
            older.inserted,
            older.rejected,
            older.saved_rejects
        ),
        (3, 2, 1, 1)
    );
    assert!(newest.undoable && !older.undoable);
    assert_eq!(
        ws.store.summary().expect("summary").import_runs,
        runs,
        "the workspace summary carries the history"
    );

    // The older one would bring back what the newer one replaced.
    let error = ws
        .store
        .undo_import(tailor::domain::ImportRunId(first.run_id))
        .expect_err("refused");
    assert!(
        error.to_string().contains("second.csv"),
        "names the import to undo first: {error}"
    );
    assert_eq!(rows(&ws).len(), 3, "nothing changed");

    ws.store
        .undo_import(tailor::domain::ImportRunId(second.run_id))
        .expect("undo the newest");
    let runs = ws.store.import_runs().expect("runs");
    assert_eq!(runs[0].status, "undone");
    assert!(!runs[0].undoable && runs[1].undoable);
    ws.store
        .undo_import(tailor::domain::ImportRunId(first.run_id))
        .expect("then the older");
    assert!(rows(&ws).is_empty());
}
