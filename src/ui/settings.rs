//! The Settings screen: the workspace's settings and facts, and appearance.

use egui::Ui;

use super::theme;
use super::widgets::{format_count, muted_ui, section_ui};
use crate::command::Command;
use crate::state::{AppState, ThemeChoice};

/// Draws the Settings screen.
pub fn settings_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.add_space(theme::BLOCK_GAP);
    ui.heading("Settings");
    ui.set_max_width(640.0);

    if let Some(workspace) = &state.workspace {
        section_ui(ui, "Workspace");
        let settings = &workspace.settings;
        egui::Grid::new("workspace_grid")
            .num_columns(2)
            .show(ui, |ui| {
                let mut row = |label: &str, value: String| {
                    muted_ui(ui, label);
                    ui.label(value);
                    ui.end_row();
                };
                row("Name", settings.name.clone());
                row("File", workspace.path.display().to_string());
                row("Time zone", settings.time_zone.clone());
                row("Currency", settings.currency.clone());
                row("Locale", settings.locale.clone());
                row(
                    "Today is",
                    match settings.as_of {
                        Some(day) => format!("{day} (pinned for this workspace)"),
                        None => format!("{} (the real date)", state.today),
                    },
                );
                row("Schema version", workspace.schema_version.to_string());
            });
        section_ui(ui, "Contents");
        let counts = &workspace.counts;
        egui::Grid::new("counts_grid")
            .num_columns(2)
            .show(ui, |ui| {
                let mut row = |label: &str, n: i64| {
                    muted_ui(ui, label);
                    ui.label(format_count(n.max(0) as usize));
                    ui.end_row();
                };
                row("Contacts", counts.contacts);
                row("Orders", counts.orders);
                row("Order lines", counts.order_items);
                row("Events", counts.events);
                row("Segments", counts.segments);
                row("Templates", counts.templates);
                row("Custom fields", workspace.custom_fields.len() as i64);
            });
    }

    section_ui(ui, "Appearance");
    ui.horizontal(|ui| {
        for (choice, label) in [
            (ThemeChoice::System, "Follow the system"),
            (ThemeChoice::Light, "Light"),
            (ThemeChoice::Dark, "Dark"),
        ] {
            if ui.radio(state.prefs.theme == choice, label).clicked() {
                out.push(Command::SetTheme(choice));
            }
        }
    });
}
