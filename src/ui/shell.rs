//! The frame around every screen: menu bar, navigation, status bar, notice
//! banner and the welcome page shown without a workspace.

use egui::{RichText, Ui};

use super::theme;
use super::widgets::{format_count, muted_ui};
use crate::command::{Command, FileAction};
use crate::state::{AppState, Screen};

/// The File / View / Help menu bar.
pub fn menu_bar_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::top("menu_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("New workspace…").clicked() {
                    out.push(Command::PickFile(FileAction::NewWorkspace));
                    ui.close();
                }
                if ui.button("New demo workspace…").clicked() {
                    out.push(Command::PickFile(FileAction::NewDemoWorkspace));
                    ui.close();
                }
                if ui.button("Open workspace…").clicked() {
                    out.push(Command::PickFile(FileAction::OpenWorkspace));
                    ui.close();
                }
                ui.menu_button("Open recent", |ui| {
                    if state.prefs.recent.is_empty() {
                        muted_ui(ui, "No recent workspaces");
                    }
                    for path in &state.prefs.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            out.push(Command::FileChosen(FileAction::OpenWorkspace, path.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                let has_workspace = state.workspace.is_some();
                if ui
                    .add_enabled(has_workspace, egui::Button::new("Import…"))
                    .clicked()
                {
                    out.push(Command::ImportOpen(None));
                    ui.close();
                }
                ui.separator();
                let can_copy = state.workspace.is_some();
                if ui
                    .add_enabled(can_copy, egui::Button::new("Save a copy…"))
                    .clicked()
                {
                    out.push(Command::PickFile(FileAction::SaveCopy));
                    ui.close();
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("View", |ui| {
                for screen in Screen::ALL {
                    if ui.button(screen.label()).clicked() {
                        out.push(Command::Navigate(screen));
                        ui.close();
                    }
                }
            });
            if let Some(workspace) = &state.workspace {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(&workspace.settings.name).strong());
                });
            }
        });
    });
}

/// The left navigation.
pub fn navigation_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::left("navigation")
        .exact_size(theme::NAV_WIDTH)
        .show(ui, |ui| {
            ui.add_space(theme::BLOCK_GAP);
            let accent = theme::accent(ui.visuals());
            ui.label(RichText::new("Tailor").heading().strong().color(accent));
            muted_ui(ui, "Campaign studio");
            ui.add_space(theme::BLOCK_GAP);
            for screen in Screen::ALL {
                let selected = state.screen == screen;
                let button = egui::Button::selectable(selected, screen.label())
                    .min_size(egui::vec2(ui.available_width(), 28.0));
                if ui.add(button).clicked() && !selected {
                    out.push(Command::Navigate(screen));
                }
            }
        });
}

/// The status bar: contact count, workspace path, running job.
pub fn status_bar_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            match &state.workspace {
                Some(workspace) => {
                    let n = workspace.counts.contacts.max(0) as usize;
                    ui.label(format!("Contacts: {}", format_count(n)));
                    ui.separator();
                    muted_ui(ui, workspace.path.display().to_string());
                }
                None => muted_ui(ui, "No workspace open"),
            }
            if let Some(path) = &state.opening {
                ui.separator();
                ui.spinner();
                ui.label(format!("Opening {}", path.display()));
            }
            if let Some(job) = &state.job {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Cancel").clicked() {
                        out.push(Command::CancelJob);
                    }
                    ui.add(
                        egui::ProgressBar::new(job.fraction)
                            .desired_width(180.0)
                            .show_percentage(),
                    );
                    let text = if job.message.is_empty() {
                        &job.label
                    } else {
                        &job.message
                    };
                    ui.label(text);
                });
            }
        });
    });
}

/// A dismissible banner with the latest notice.
pub fn notice_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(notice) = &state.notice else { return };
    let visuals = ui.visuals().clone();
    let (fill, color) = if notice.is_error {
        (theme::error_fill(&visuals), theme::danger(&visuals))
    } else {
        (theme::info_fill(&visuals), visuals.text_color())
    };
    egui::Frame::new()
        .fill(fill)
        .inner_margin(8)
        .corner_radius(4)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&notice.text).color(color));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Dismiss").clicked() {
                        out.push(Command::DismissNotice);
                    }
                });
            });
        });
    ui.add_space(theme::BLOCK_GAP / 2.0);
}

/// Shown when no workspace is open.
pub fn welcome_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.add_space(80.0);
        ui.heading("Welcome to Tailor");
        muted_ui(
            ui,
            "Import customers, segment them, personalize, preview and export, offline",
        );
        ui.add_space(theme::BLOCK_GAP * 2.0);
        if let Some(job) = &state.job {
            ui.label(&job.label);
            ui.add(
                egui::ProgressBar::new(job.fraction)
                    .desired_width(320.0)
                    .show_percentage(),
            );
            muted_ui(ui, &job.message);
            return;
        }
        if state.opening.is_some() {
            ui.spinner();
            return;
        }
        if ui.button("New demo workspace…").clicked() {
            out.push(Command::PickFile(FileAction::NewDemoWorkspace));
        }
        if ui.button("Open workspace…").clicked() {
            out.push(Command::PickFile(FileAction::OpenWorkspace));
        }
        if ui.button("New workspace…").clicked() {
            out.push(Command::PickFile(FileAction::NewWorkspace));
        }
    });
}
