//! The studio driven as a person would, through egui_kittest: find widgets
//! by their labels, click and type, and check what the state shows.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tailor::domain::ContactColumn;
use tailor::state::{Preferences, Screen};
use tailor::{Startup, TailorApp};

use crate::support::{as_of, demo_workspace, raw};

const WAIT: Duration = Duration::from_secs(20);

fn studio(path: &std::path::Path) -> Harness<'static, TailorApp> {
    let ctx = egui::Context::default();
    let app = TailorApp::new(
        &ctx,
        Preferences::default(),
        as_of(),
        Startup::Open(path.to_owned()),
    )
    .expect("app starts");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut TailorApp| app.frame_ui(ui), app);
    settle(&mut harness);
    harness
}

/// Runs frames and waits for the workers until the list and its visible
/// pages are loaded.
fn settle(harness: &mut Harness<'static, TailorApp>) {
    for _ in 0..10 {
        harness.run_steps(2);
        let ready = harness.state_mut().wait_until(WAIT, |s| {
            s.workspace.is_some()
                && !s.contacts.searching
                && s.contacts.pending_pages.is_empty()
                && !s.contacts.detail_loading
        });
        assert!(ready, "the studio did not settle");
        harness.run_steps(2);
        let state = harness.state().state();
        if state.contacts.pending_pages.is_empty() && !state.contacts.searching {
            return;
        }
    }
}

#[test]
fn navigates_between_screens_by_label() {
    let shop = demo_workspace(300, 1);
    let mut harness = studio(&shop.path);
    for screen in [
        Screen::Segments,
        Screen::Templates,
        Screen::Experiments,
        Screen::Settings,
    ] {
        harness.get_by_label(screen.label()).click();
        harness.run_steps(2);
        assert_eq!(harness.state().state().screen, screen);
    }
    // Settings shows the workspace's facts.
    harness.get_by_label("Europe/Berlin");
    harness.get_by_label("2026-06-30 (pinned for this workspace)");
    harness
        .get_by_role_and_label(Role::Button, "Contacts")
        .click();
    harness.run_steps(2);
    assert_eq!(harness.state().state().screen, Screen::Contacts);
    harness.get_by_label("300 contacts");
}

#[test]
fn screens_not_built_yet_say_so() {
    let shop = demo_workspace(50, 1);
    let mut harness = studio(&shop.path);
    harness.get_by_label("Templates").click();
    harness.run_steps(2);
    harness.get_by_label("Not built yet");
}

#[test]
fn search_filters_the_contacts_table() {
    let shop = demo_workspace(800, 6);
    let mut harness = studio(&shop.path);
    harness.get_by_label("Search").click();
    harness.run_steps(1);
    harness.get_by_label("Search").type_text("schmidt");
    settle(&mut harness);

    let conn = raw(&shop.path);
    let expected: i64 = conn
        .query_row(
            "SELECT count(*) FROM contacts WHERE lower(email) LIKE '%schmidt%' \
             OR lower(first_name) LIKE '%schmidt%' OR lower(last_name) LIKE '%schmidt%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(expected > 0);
    let state = harness.state().state();
    assert_eq!(state.contacts.search, "schmidt");
    assert_eq!(state.contacts.n_rows() as i64, expected);
    harness.get_by_label(&format!("{expected} of 800 contacts match"));
    // Every visible row matches.
    for i in 0..state.contacts.n_rows().min(20) {
        let row = state.contacts.row(i).expect("loaded");
        let hay =
            format!("{:?} {:?} {:?}", row.email, row.first_name, row.last_name).to_lowercase();
        assert!(hay.contains("schmidt"), "{hay}");
    }
}

#[test]
fn sorting_by_a_header_puts_the_biggest_spender_first() {
    let shop = demo_workspace(500, 8);
    let mut harness = studio(&shop.path);
    harness.get_by_label("Total spent").click();
    settle(&mut harness);
    let state = harness.state().state();
    assert_eq!(state.contacts.sort.column, ContactColumn::TotalSpent);
    assert!(state.contacts.sort.descending);
    let top = state.contacts.row(0).expect("first row").total_spent_cents;
    let max: i64 = raw(&shop.path)
        .query_row(
            "SELECT max(t) FROM (SELECT sum(total_cents) t FROM orders GROUP BY contact_id)",
            [],
            |r| r.get(0),
        )
        .expect("max");
    assert_eq!(top, max);
}

#[test]
fn clicking_a_row_opens_the_contact_detail() {
    let shop = demo_workspace(300, 2);
    let mut harness = studio(&shop.path);
    let email = harness
        .state()
        .state()
        .contacts
        .row(0)
        .expect("first row")
        .email
        .clone();
    let email = email.expect("demo contacts have emails");
    harness.get_by_label(&email).click();
    settle(&mut harness);
    let state = harness.state().state();
    let detail = state.contacts.detail.as_ref().expect("detail loaded");
    assert_eq!(detail.row.email.as_deref(), Some(email.as_str()));
    harness.get_by_label("Email marketing consent");
    harness.get_by_label("Profile");
    harness.get_by_label(&detail.row.display_name());
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    assert!(harness.state().state().contacts.selected.is_none());
}

#[test]
fn column_chooser_adds_custom_fields() {
    let shop = demo_workspace(200, 3);
    let mut harness = studio(&shop.path);
    harness.get_by_label("Columns").click();
    harness.run_steps(2);

    harness.get_by_label("loyalty_tier").click();
    harness.run_steps(2);
    let state = harness.state().state();
    let tier = state
        .workspace
        .as_ref()
        .and_then(|w| w.custom_fields.iter().find(|f| f.name == "loyalty_tier"))
        .expect("field");
    assert!(
        state
            .visible_columns()
            .contains(&ContactColumn::Custom(tier.id))
    );
}

/// Opens the import wizard from the Contacts toolbar, as `kind`, types the
/// file's path and reads it.
fn open_wizard_on(
    harness: &mut Harness<'static, TailorApp>,
    kind: Option<&str>,
    file: &std::path::Path,
) {
    harness
        .get_by_role_and_label(Role::Button, "Import…")
        .click();
    harness.run_steps(6);
    if let Some(kind) = kind {
        harness
            .get_by_role_and_label(Role::RadioButton, kind)
            .click();
        harness.run_steps(6);
    }
    harness.get_by_label("File path").click();
    harness.run_steps(1);
    harness
        .get_by_label("File path")
        .type_text(&file.display().to_string());
    harness.run_steps(6);
    harness.get_by_label("Read file").click();
    harness.run_steps(2);
    let read = harness.state_mut().wait_until(WAIT, |s| {
        s.import
            .as_ref()
            .is_some_and(|w| !w.loading && w.preview.is_some())
    });
    assert!(read, "the preview was read");
    harness.run_steps(6);
}

#[test]
fn import_wizard_runs_end_to_end_and_can_undo() {
    let shop = demo_workspace(50, 1);
    let file = shop.dir.path().join("people.csv");
    std::fs::write(
        &file,
        "E-mail;Vorname;Nachname;Geburtstag\nneu1@example.com;Jörg;Meier;03/04/1990\nneu2@example.com;Ann;Lee;04/05/1991\nkaputt;X;Y;\n",
    )
    .expect("write");
    let mut harness = studio(&shop.path);
    open_wizard_on(&mut harness, None, &file);
    // The preview shows how the file was read.
    harness.get_by_label("Encoding");
    harness.get_by_label("Delimiter");
    let preview = harness
        .state()
        .state()
        .import
        .as_ref()
        .and_then(|w| w.preview.clone())
        .expect("preview");
    assert_eq!(
        (preview.encoding.as_str(), preview.delimiter),
        ("UTF-8", Some(b';'))
    );
    harness.get_by_label("Jörg");
    harness.get_by_label("Next").click();
    harness.run_steps(6);
    // The mapping step lists each column with its suggested target.
    harness.get_by_label("E-mail");
    let mapping = harness
        .state()
        .state()
        .import
        .as_ref()
        .and_then(|w| w.preview.as_ref())
        .map(|p| p.mapping.clone())
        .expect("mapping");
    assert!(mapping.has_identity());
    harness.get_by_label("Next").click();
    harness.run_steps(6);
    // Birthdays like 03/04/1990 read both ways: the user decides.
    harness.get_by_label("Day first (31/12/2024)").click();
    harness.run_steps(6);
    harness
        .get_by_label("Fill blanks only: keep every stored value")
        .click();
    harness.run_steps(6);
    harness.get_by_label("Import 3 rows").click();
    harness.run_steps(6);
    let done = harness.state_mut().wait_until(WAIT, |s| {
        s.job.is_none() && s.import.as_ref().is_some_and(|w| w.outcome.is_some())
    });
    if !done {
        let st = harness.state().state();
        let w = st.import.as_ref().expect("wizard");
        panic!(
            "not done: step {:?} error {:?} job {:?} notice {:?} order {:?}",
            w.step,
            w.error,
            st.job.as_ref().map(|j| j.message.clone()),
            st.notice,
            w.date_order
        );
    }
    harness.run_steps(6);
    let outcome = harness
        .state()
        .state()
        .import
        .as_ref()
        .and_then(|w| w.outcome.clone())
        .expect("outcome");
    assert_eq!((outcome.summary.inserted, outcome.summary.rejected), (2, 1));
    harness.get_by_label("Save rejected rows…");
    // The contacts list picks up the new people.
    settle(&mut harness);
    assert_eq!(
        harness
            .state()
            .state()
            .workspace
            .as_ref()
            .map(|w| w.counts.contacts),
        Some(52)
    );
    let conn = raw(&shop.path);
    let birthday: String = conn
        .query_row(
            "SELECT birthday FROM contacts WHERE email_key = 'neu1@example.com'",
            [],
            |r| r.get(0),
        )
        .expect("imported");
    assert_eq!(birthday, "1990-04-03");

    harness.get_by_label("Undo this import").click();
    harness.run_steps(6);
    let undone = harness.state_mut().wait_until(WAIT, |s| {
        s.job.is_none()
            && s.workspace
                .as_ref()
                .is_some_and(|w| w.counts.contacts == 50)
    });
    assert!(undone, "the import was undone");
    harness.run_steps(6);
    harness.get_by_label("This import was undone");
    harness.get_by_label("Close").click();
    harness.run_steps(6);
    assert!(harness.state().state().import.is_none());
}

#[test]
fn import_wizard_imports_orders_and_updates_the_metrics() {
    let shop = demo_workspace(20, 1);
    let file = shop.dir.path().join("orders.csv");
    std::fs::write(
        &file,
        "Beleg,Order Date,Email,Billing Name,Product Name,SKU,Quantity,Unit Price\n\
         A-1,2026-05-01 10:00,new.buyer@example.com,Nia Buyer,Beans,B-1,2,10.00\n\
         A-1,2026-05-01 10:00,new.buyer@example.com,Nia Buyer,Mug,M-1,1,5.50\n",
    )
    .expect("write");
    let mut harness = studio(&shop.path);
    open_wizard_on(&mut harness, Some("Orders"), &file);
    harness.get_by_label("Next").click();
    harness.run_steps(6);
    // Orders are mapped by their headers; "Beleg" means nothing to the
    // suggestions, so the user maps it to the order reference.
    harness.get_by_label("Map a column to an order reference (order number, invoice or ID)");
    harness
        .get_by_role_and_label(Role::ComboBox, "Beleg")
        .click();
    harness.run_steps(4);
    harness.get_by_label("order reference").click();
    harness.run_steps(6);
    let mapped = harness
        .state()
        .state()
        .import
        .as_ref()
        .and_then(|w| w.preview.as_ref())
        .and_then(|p| p.orders.first().map(|(_, target)| target.clone()))
        .expect("preview");
    assert_eq!(
        mapped,
        tailor::import::orders::OrderTarget::Order {
            column: tailor::import::orders::OrderColumn::Reference
        }
    );
    harness.get_by_label("Next").click();
    harness.run_steps(6);
    harness.get_by_label("Import 2 rows").click();
    harness.run_steps(2);
    assert!(harness.state_mut().wait_until(WAIT, |s| s.job.is_none()
        && s.import.as_ref().is_some_and(|w| w.outcome.is_some())));
    harness.run_steps(6);
    let outcome = harness
        .state()
        .state()
        .import
        .as_ref()
        .and_then(|w| w.outcome.clone())
        .expect("outcome");
    assert_eq!(outcome.orders, Some((1, 0, 2, 1)));
    harness.get_by_label("Orders inserted");
    let spent: i64 = raw(&shop.path)
        .query_row(
            "SELECT m.total_spent_cents FROM contacts c JOIN contact_metrics m ON m.contact_id = c.id \
             WHERE c.email_key = 'new.buyer@example.com'",
            [],
            |r| r.get(0),
        )
        .expect("metrics");
    assert_eq!(spent, 2550);
}

/// Runs frames until the builder has counted its current tree.
fn counted(harness: &mut Harness<'static, TailorApp>) {
    for _ in 0..50 {
        harness.run_steps(2);
        let done = harness
            .state_mut()
            .wait_until(Duration::from_millis(200), |s| {
                s.builder.count_due.is_none()
                    && !s.builder.counting
                    && !s.builder.sample_loading
                    && s.builder.counts.is_some()
            });
        if done {
            harness.run_steps(2);
            return;
        }
    }
    panic!("the builder did not count");
}

#[test]
fn segments_screen_lists_and_counts_the_saved_segments() {
    let shop = demo_workspace(400, 4);
    let mut harness = studio(&shop.path);
    harness
        .get_by_role_and_label(Role::Button, "Segments")
        .click();
    harness.run_steps(2);
    let listed = harness.state_mut().wait_until(WAIT, |s| {
        !s.segments.is_empty() && s.segments.iter().all(|row| row.count.is_some())
    });
    assert!(listed, "every saved segment was counted");
    harness.run_steps(2);
    let returning = harness
        .state()
        .state()
        .segments
        .iter()
        .find(|row| row.name == "Returning customers")
        .and_then(|row| row.count.clone())
        .expect("counted")
        .expect("valid");
    let expected: i64 = raw(&shop.path)
        .query_row(
            "SELECT count(*) FROM contact_metrics WHERE order_count >= 2",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(returning, expected);
    // Opening it shows the tree, its sentence and the same count.
    harness.get_by_label("Returning customers").click();
    counted(&mut harness);
    harness.get_by_label("Contacts whose order count is at least 2");
    harness.get_by_label(&format!("{expected} contacts"));
    harness.get_by_label("Order count");
    assert_eq!(
        harness.state().state().builder.saved_as.as_deref(),
        Some("Returning customers")
    );
}

#[test]
fn builder_makes_a_two_level_segment_by_clicking() {
    let shop = demo_workspace(600, 9);
    let mut harness = studio(&shop.path);
    harness
        .get_by_role_and_label(Role::Button, "Segments")
        .click();
    counted(&mut harness);
    // Top level: country is DE, picked from the workspace's own values.
    harness.get_by_label("+ Condition").click();
    counted(&mut harness);
    let loaded = harness
        .state_mut()
        .wait_until(WAIT, |s| s.field_values.contains_key("country"));
    assert!(loaded, "country suggestions arrive");
    harness.run_steps(2);
    harness.get_by_label("…").click();
    harness.run_steps(2);
    harness.get_by_label_contains("DE  (").click();
    counted(&mut harness);
    // A nested "any" group: placed an order, or tagged vip.
    harness.get_by_label("+ Group").click();
    harness.run_steps(2);
    harness
        .get_all_by_label("Country")
        .last()
        .expect("the group's condition")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Orders").click();
    harness.run_steps(2);
    harness.get_by_label("Order count").click();
    counted(&mut harness);
    harness
        .get_all_by_label("+ Condition")
        .next()
        .expect("the group's + Condition")
        .click();
    harness.run_steps(2);
    harness
        .get_all_by_label("Country")
        .last()
        .expect("the new condition")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Tag").click();
    harness.run_steps(2);
    harness
        .get_all_by_label("…")
        .last()
        .expect("tag suggestions")
        .click();
    harness.run_steps(2);
    harness.get_by_label("vip").click();
    counted(&mut harness);

    let expected: i64 = raw(&shop.path)
        .query_row(
            "SELECT count(*) FROM contacts c LEFT JOIN contact_metrics m ON m.contact_id = c.id \
             WHERE c.country = 'DE' AND (coalesce(m.order_count, 0) >= 1 OR EXISTS \
             (SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
              WHERE ct.contact_id = c.id AND t.name = 'vip'))",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(expected > 0, "the fixture has such contacts");
    let state = harness.state().state();
    assert_eq!(state.builder.error, None);
    assert_eq!(
        state.builder.counts.as_ref().map(|c| c.count),
        Some(expected)
    );
    assert_eq!(
        state.builder.read_back,
        "Contacts who are in DE and (whose order count is at least 1 or who are tagged \"vip\")"
    );
    harness.get_by_label(&format!("{expected} contacts"));

    // Undo takes back the last click; redo restores it.
    let has_vip = |harness: &Harness<'static, TailorApp>| {
        let json = harness.state().state().builder.draft.to_json().to_string();
        json.contains("\"vip\"")
    };
    harness.get_by_label("Undo").click();
    counted(&mut harness);
    assert!(!has_vip(&harness), "undo took back the tag");
    harness.get_by_label("Redo").click();
    counted(&mut harness);
    assert!(has_vip(&harness), "redo brought it back");
    assert_eq!(
        harness
            .state()
            .state()
            .builder
            .counts
            .as_ref()
            .map(|c| c.count),
        Some(expected)
    );

    // Saved under its name, it is in the workspace.
    harness.get_by_label("Save").click();
    harness.run_steps(2);
    let saved = harness
        .state_mut()
        .wait_until(WAIT, |s| s.segments.iter().any(|r| r.name == "New segment"));
    assert!(saved, "the segment is listed after saving");
    let stored: String = raw(&shop.path)
        .query_row(
            "SELECT definition_json FROM segments WHERE name = 'New segment'",
            [],
            |r| r.get(0),
        )
        .expect("stored");
    assert!(stored.contains("\"tag\": \"vip\""), "{stored}");
}

#[test]
fn import_history_undoes_the_newest_import() {
    let shop = demo_workspace(30, 1);
    {
        let mut store = tailor::store::Store::open(&shop.path).expect("open");
        for (name, body) in [
            (
                "early.csv",
                "email\nearly1@example.com\nnot an address\nearly2@example.com\n",
            ),
            ("late.csv", "email\nlate@example.com\n"),
        ] {
            let file = shop.dir.path().join(name);
            std::fs::write(&file, body).expect("write");
            tailor::import::import_contacts(
                &mut store,
                &file,
                &tailor::import::ContactImportOptions::default(),
                &mut tailor::jobs::NoProgress,
                &tailor::jobs::CancelToken::new(),
            )
            .expect("imports");
        }
    }
    let mut harness = studio(&shop.path);
    harness
        .get_by_role_and_label(Role::Button, "Import…")
        .click();
    harness.run_steps(6);
    harness.get_by_label("Earlier imports (2)").click();
    harness.run_steps(6);
    harness.get_by_label_contains("late.csv");
    harness.get_by_label_contains("early.csv");
    // The earlier import's rejected row can still be saved.
    let early = harness
        .state()
        .state()
        .workspace
        .as_ref()
        .expect("open")
        .import_runs[1]
        .id;
    // (The button opens a save dialog; the path it would return is given
    // here directly.)
    harness.get_by_role_and_label(Role::Button, "Save rejected rows…");
    let saved = shop.dir.path().join("early rejects.csv");
    harness
        .state_mut()
        .apply(tailor::command::Command::FileChosen(
            tailor::command::FileAction::SaveRunRejects(early),
            saved.clone(),
        ));
    let written = harness.state_mut().wait_until(WAIT, |s| {
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("Saved 1 row to"))
    });
    assert!(written, "{:?}", harness.state().state().notice);
    let text = std::fs::read_to_string(&saved).expect("rejects file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "line,reason,email");
    assert!(
        lines[1].starts_with("3,") && lines[1].ends_with(",not an address"),
        "{text}"
    );
    // One Undo: only the newest import can be undone.
    let mut undo_until = |contacts: i64| {
        harness.get_by_role_and_label(Role::Button, "Undo").click();
        harness.run_steps(2);
        let undone = harness.state_mut().wait_until(WAIT, |s| {
            s.job.is_none()
                && s.workspace.as_ref().is_some_and(|w| {
                    w.counts.contacts == contacts && w.import_runs[0].status == "undone"
                })
        });
        assert!(undone, "undone down to {contacts} contacts");
        harness.run_steps(6);
    };
    undo_until(32);
    // Now the earlier one is the newest that stands.
    undo_until(30);
    assert_eq!(harness.get_all_by_label("Undone").count(), 2);
}
