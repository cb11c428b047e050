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
    harness.get_by_label("Segments").click();
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
