//! The egui screens. UI code reads `AppState` and pushes `Command`s; it never
//! touches the store or changes state itself.

mod contacts;
mod placeholder;
mod settings;
mod shell;
pub mod theme;
pub mod widgets;

use crate::command::Command;
use crate::state::{AppState, Screen};

/// Draws the whole window.
pub fn root_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    shell::menu_bar_ui(ui, state, out);
    shell::status_bar_ui(ui, state, out);
    shell::navigation_ui(ui, state, out);
    egui::CentralPanel::default().show(ui, |ui| {
        shell::notice_ui(ui, state, out);
        if state.workspace.is_none() {
            shell::welcome_ui(ui, state, out);
            return;
        }
        match state.screen {
            Screen::Contacts => contacts::contacts_ui(ui, state, out),
            Screen::Settings => settings::settings_ui(ui, state, out),
            other => placeholder::placeholder_ui(ui, other),
        }
    });
}
