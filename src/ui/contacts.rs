//! The Contacts screen: a virtualized table paged from the store, search,
//! sort, a column chooser and the selected contact's detail panel.

use chrono::NaiveDate;
use chrono_tz::Tz;
use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::theme;
use super::widgets::{chip_ui, consent_chip_ui, format_count, muted_ui, section_ui};
use crate::command::Command;
use crate::domain::money::{format_cents, format_money};
use crate::domain::time::{days_between, format_date_of, format_instant};
use crate::domain::{ContactColumn, ContactDetail, ContactRow};
use crate::state::{AppState, PAGE_SIZE};

/// Draws the Contacts screen.
pub fn contacts_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    toolbar_ui(ui, state, out);
    ui.add_space(4.0);
    if state.contacts.selected.is_some() {
        egui::Panel::right("contact_detail")
            .default_size(theme::DETAIL_WIDTH)
            .size_range(280.0..=640.0)
            .resizable(true)
            .show(ui, |ui| detail_ui(ui, state, out));
    }
    egui::CentralPanel::no_frame().show(ui, |ui| {
        egui::ScrollArea::horizontal()
            .id_salt("contacts_hscroll")
            .show(ui, |ui| {
                table_ui(ui, state, out);
            });
    });
}

fn toolbar_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let contacts = &state.contacts;
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        let mut search = contacts.search.clone();
        let response = ui.add(
            egui::TextEdit::singleline(&mut search)
                .hint_text("Name, email or customer ID")
                .desired_width(280.0),
        );
        let response = response.labelled_by(label.id);
        if response.changed() {
            out.push(Command::SetSearch(search));
        }
        if !contacts.search.is_empty() && ui.button("Clear").clicked() {
            out.push(Command::SetSearch(String::new()));
        }
        if contacts.searching {
            ui.spinner();
        }
        let total = state
            .workspace
            .as_ref()
            .map_or(0, |w| w.counts.contacts.max(0) as usize);
        let shown = contacts.n_rows();
        let text = match &contacts.ids {
            None => "Loading…".to_owned(),
            Some(_) if contacts.search.trim().is_empty() => {
                format!("{} contacts", format_count(shown))
            }
            Some(_) => format!(
                "{} of {} contacts match",
                format_count(shown),
                format_count(total)
            ),
        };
        ui.label(text);
        if let Some(ms) = contacts.query_ms {
            muted_ui(ui, format!("({ms} ms)"));
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            columns_menu_ui(ui, state, out);
            if ui.button("Import…").clicked() {
                out.push(Command::ImportOpen(None));
            }
        });
    });
}

fn columns_menu_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.menu_button("Columns", |ui| {
        let visible = &state.prefs.visible_columns;
        for column in ContactColumn::BUILT_IN {
            let mut on = visible.contains(&column);
            if ui.checkbox(&mut on, column.label()).changed() {
                out.push(Command::ToggleColumn(column));
            }
        }
        if let Some(workspace) = &state.workspace {
            if !workspace.custom_fields.is_empty() {
                ui.separator();
                muted_ui(ui, "Custom fields");
            }
            for field in &workspace.custom_fields {
                let column = ContactColumn::Custom(field.id);
                let mut on = visible.contains(&column);
                if ui.checkbox(&mut on, &field.name).changed() {
                    out.push(Command::ToggleColumn(column));
                }
            }
        }
    });
}

fn table_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let contacts = &state.contacts;
    let columns = state.visible_columns();
    let tz = state.time_zone();
    let as_of = state.as_of();
    let n_rows = contacts.n_rows();
    if contacts.ids.is_some() && n_rows == 0 {
        ui.add_space(theme::BLOCK_GAP);
        muted_ui(
            ui,
            if contacts.search.trim().is_empty() {
                "This workspace has no contacts yet"
            } else {
                "No contact matches the search"
            },
        );
        return;
    }

    let mut table = TableBuilder::new(ui)
        .id_salt("contacts_table")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center));
    for (i, column) in columns.iter().enumerate() {
        let width = match column {
            ContactColumn::Email => 220.0,
            ContactColumn::Tags | ContactColumn::Company => 150.0,
            ContactColumn::Country | ContactColumn::Language => 64.0,
            ContactColumn::CreatedAt => 124.0,
            c if c.is_numeric() => 84.0,
            _ => 104.0,
        };
        let spec = if i + 1 == columns.len() {
            Column::remainder().at_least(60.0)
        } else {
            Column::initial(width).at_least(40.0).clip(true)
        };
        table = table.column(spec);
    }
    // Rows the body asks for; pages are requested after the table is drawn.
    let mut wanted_pages: Vec<usize> = Vec::new();
    table
        .header(theme::HEADER_HEIGHT, |mut header| {
            for &column in &columns {
                header.col(|ui| {
                    let text = RichText::new(state.column_label(column)).strong();
                    let button = egui::Button::new(text).frame(false);
                    let response = ui.add_enabled(column.is_sortable(), button);
                    if response.clicked() {
                        out.push(Command::SortBy(column));
                    }
                    if contacts.sort.column == column {
                        sort_arrow_ui(ui, contacts.sort.descending);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT, n_rows, |mut row| {
                let index = row.index();
                match contacts.row(index) {
                    Some(contact) => {
                        row.set_selected(contacts.selected == Some(contact.id));
                        for &column in &columns {
                            row.col(|ui| cell_ui(ui, contact, column, tz, as_of));
                        }
                        if row.response().clicked() {
                            out.push(Command::SelectContact(Some(contact.id)));
                        }
                    }
                    None => {
                        let page = index / PAGE_SIZE;
                        if wanted_pages.last() != Some(&page) {
                            wanted_pages.push(page);
                        }
                        for _ in &columns {
                            row.col(|ui| {
                                ui.label(RichText::new("…").color(theme::muted(ui.visuals())));
                            });
                        }
                    }
                }
            });
        });
    out.extend(wanted_pages.into_iter().map(Command::LoadPage));
}

/// A small triangle showing the sort direction (drawn, so it needs no
/// font glyph).
fn sort_arrow_ui(ui: &mut Ui, descending: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    let (c, h) = (rect.center(), 3.5);
    let points = if descending {
        vec![
            egui::pos2(c.x - h, c.y - h / 2.0),
            egui::pos2(c.x + h, c.y - h / 2.0),
            egui::pos2(c.x, c.y + h),
        ]
    } else {
        vec![
            egui::pos2(c.x - h, c.y + h / 2.0),
            egui::pos2(c.x + h, c.y + h / 2.0),
            egui::pos2(c.x, c.y - h),
        ]
    };
    let color = theme::accent(ui.visuals());
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        color,
        egui::Stroke::NONE,
    ));
}

fn cell_ui(ui: &mut Ui, contact: &ContactRow, column: ContactColumn, tz: Tz, as_of: NaiveDate) {
    let text = contact.cell_text(column, tz, Some(as_of));
    if column.is_numeric() {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.add(egui::Label::new(text).selectable(false));
        });
    } else {
        ui.add(egui::Label::new(text).truncate().selectable(false));
    }
}

fn detail_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let contacts = &state.contacts;
    ui.horizontal(|ui| {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui.button("Close").clicked() {
                out.push(Command::SelectContact(None));
            }
        });
    });
    let Some(detail) = &contacts.detail else {
        if contacts.detail_loading {
            ui.spinner();
        } else {
            muted_ui(ui, "This contact no longer exists");
        }
        return;
    };
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            contact_detail_ui(ui, detail, state.time_zone(), state.as_of(), state);
        });
}

fn contact_detail_ui(
    ui: &mut Ui,
    detail: &ContactDetail,
    tz: Tz,
    as_of: NaiveDate,
    state: &AppState,
) {
    let row = &detail.row;
    let currency = state
        .workspace
        .as_ref()
        .map_or("EUR", |w| w.settings.currency.as_str());
    ui.heading(row.display_name());
    if let Some(email) = &row.email {
        ui.label(email);
    }
    ui.horizontal_wrapped(|ui| {
        if let Some(consent) = row.consent {
            consent_chip_ui(ui, consent);
        }
        for tag in &row.tags {
            chip_ui(ui, tag, None);
        }
    });

    section_ui(ui, "Profile");
    let profile = [
        ContactColumn::CustomerId,
        ContactColumn::FirstName,
        ContactColumn::LastName,
        ContactColumn::Phone,
        ContactColumn::Company,
        ContactColumn::City,
        ContactColumn::Region,
        ContactColumn::Country,
        ContactColumn::PostalCode,
        ContactColumn::Birthday,
        ContactColumn::Language,
        ContactColumn::TimeZone,
        ContactColumn::CreatedAt,
    ];
    egui::Grid::new("profile_grid")
        .num_columns(2)
        .striped(false)
        .show(ui, |ui| {
            for column in profile {
                let value = row.cell_text(column, tz, Some(as_of));
                if !value.is_empty() {
                    muted_ui(ui, column.label());
                    ui.label(value);
                    ui.end_row();
                }
            }
            muted_ui(ui, "Updated");
            ui.label(format_instant(row.updated_at, tz));
            ui.end_row();
        });

    if !detail.custom.is_empty() {
        section_ui(ui, "Custom fields");
        egui::Grid::new("custom_grid")
            .num_columns(2)
            .show(ui, |ui| {
                for (field, value) in &detail.custom {
                    muted_ui(ui, &field.name);
                    ui.label(value.display());
                    ui.end_row();
                }
            });
    }

    section_ui(ui, "Email marketing consent");
    if let Some(consent) = row.consent {
        let mut line = consent.label().to_owned();
        if let Some(at) = detail.consent_changed_at {
            line.push_str(&format!(" since {}", format_date_of(at, tz)));
        }
        if let Some(source) = &detail.consent_source {
            line.push_str(&format!(" (source: {source})"));
        }
        ui.label(line);
    }
    if detail.consent_history.is_empty() {
        muted_ui(ui, "No consent was ever recorded");
    }
    for change in &detail.consent_history {
        ui.horizontal(|ui| {
            muted_ui(ui, format_instant(change.changed_at, tz));
            ui.label(change.status.label());
            muted_ui(ui, format!("from {}", change.source));
        });
    }

    section_ui(ui, "Orders");
    egui::Grid::new("metrics_grid")
        .num_columns(2)
        .show(ui, |ui| {
            muted_ui(ui, "Orders");
            ui.label(row.order_count.to_string());
            ui.end_row();
            muted_ui(ui, "Total spent");
            ui.label(format_money(row.total_spent_cents, currency));
            ui.end_row();
            if let Some(average) = row.average_order_cents() {
                muted_ui(ui, "Average order");
                ui.label(format_money(average, currency));
                ui.end_row();
            }
            if let (Some(first), Some(last)) = (row.first_order_at, row.last_order_at) {
                muted_ui(ui, "First order");
                ui.label(format_date_of(first, tz));
                ui.end_row();
                muted_ui(ui, "Last order");
                let days = days_between(last, as_of, tz).unwrap_or_default();
                ui.label(format!("{} ({days} days ago)", format_date_of(last, tz)));
                ui.end_row();
            }
        });
    for order in &detail.orders {
        let title = format!(
            "{}  ·  {}  ·  {}",
            order.reference,
            format_date_of(order.ordered_at, tz),
            format_money(order.total_cents, &order.currency)
        );
        egui::CollapsingHeader::new(title)
            .id_salt(&order.reference)
            .show(ui, |ui| {
                for item in &order.items {
                    ui.horizontal(|ui| {
                        ui.label(format!("{} × {}", item.quantity, item.product));
                        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                            ui.label(format_cents(item.unit_price_cents * item.quantity));
                        });
                    });
                    let mut info = Vec::new();
                    if let Some(sku) = &item.sku {
                        info.push(sku.clone());
                    }
                    if let Some(category) = &item.category {
                        info.push(category.clone());
                    }
                    if !info.is_empty() {
                        muted_ui(ui, info.join(" · "));
                    }
                }
            });
    }

    section_ui(ui, "Activity");
    if detail.events.is_empty() {
        muted_ui(ui, "No recorded activity");
    }
    for event in &detail.events {
        ui.horizontal_wrapped(|ui| {
            muted_ui(ui, format_instant(event.occurred_at, tz));
            ui.label(event_label(&event.kind));
            if let Some(campaign) = &event.campaign {
                ui.label(RichText::new(campaign).italics());
            }
            if let Some(variant) = &event.variant {
                chip_ui(ui, &format!("variant {variant}"), None);
            }
            if let Some(value) = event.value {
                ui.label(format!("value {value}"));
            }
        });
    }
    let shown = detail.events.len() as i64;
    if detail.n_events > shown {
        muted_ui(
            ui,
            format!("{} older events not shown", detail.n_events - shown),
        );
    }
}

/// A readable name for an event kind.
fn event_label(kind: &str) -> String {
    match kind {
        "email_sent" => "Email sent".to_owned(),
        "email_open" => "Opened email".to_owned(),
        "email_click" => "Clicked in email".to_owned(),
        "page_view" => "Viewed page".to_owned(),
        "conversion" => "Converted".to_owned(),
        other => other.replace('_', " "),
    }
}
