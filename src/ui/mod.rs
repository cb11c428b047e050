//! The egui screens. UI code reads `AppState` and pushes `Command`s; it never
//! touches the store or changes state itself.

mod contacts;
mod import;
mod placeholder;
mod segments;
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
            Screen::Segments => segments::segments_ui(ui, state, out),
            Screen::Settings => settings::settings_ui(ui, state, out),
            other => placeholder::placeholder_ui(ui, other),
        }
    });
    import::import_window_ui(ui.ctx(), state, out);
    // A file dropped on the window opens the import wizard on it.
    let dropped = ui.ctx().input(|i| {
        i.raw
            .dropped_files
            .iter()
            .find_map(|f| Some(f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()))
    });
    if let Some(path) = dropped {
        out.push(Command::ImportOpen(Some(path)));
    }
}
