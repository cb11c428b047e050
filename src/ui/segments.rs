//! The Segments screen: the workspace's saved segments, what each means in
//! plain language, and how many contacts it has today. The visual builder
//! comes next; until then segments are written as `.segment.json` files.

use egui::{RichText, Ui};

use super::theme;
use super::widgets::{format_count, muted_ui};
use crate::command::Command;
use crate::state::AppState;

/// Draws the Segments screen.
pub fn segments_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.add_space(theme::BLOCK_GAP);
    ui.horizontal(|ui| {
        ui.heading("Segments");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Recount").clicked() {
                out.push(Command::RefreshSegments);
            }
            muted_ui(ui, format!("as of {}", state.as_of()));
        });
    });
    ui.add_space(theme::BLOCK_GAP / 2.0);
    egui::Frame::new()
        .fill(theme::info_fill(ui.visuals()))
        .inner_margin(12)
        .corner_radius(6)
        .show(ui, |ui| {
            ui.label(
            "The visual builder comes next: nested all / any / none groups, live counts for each \
             condition, and why a contact is in or out.",
        );
            muted_ui(
                ui,
                "Today, write a segment as a .segment.json file (see the README) and save it with \
             `tailor segment save`; it is counted here.",
            );
        });
    ui.add_space(theme::BLOCK_GAP);
    if state.segments.is_empty() {
        muted_ui(ui, "No saved segments yet");
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("segments_list")
        .show(ui, |ui| {
            ui.set_max_width(820.0);
            for row in &state.segments {
                egui::Frame::new()
                    .fill(theme::chip_fill(ui.visuals()))
                    .inner_margin(12)
                    .corner_radius(6)
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal(|ui| {
                            ui.label(RichText::new(&row.name).strong());
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| match &row.count {
                                    None => {
                                        ui.spinner();
                                    }
                                    Some(Ok(n)) => {
                                        let text = format!(
                                            "{} contacts",
                                            format_count((*n).max(0) as usize)
                                        );
                                        ui.label(RichText::new(text).strong());
                                    }
                                    Some(Err(error)) => {
                                        ui.label(
                                            RichText::new(error).color(theme::danger(ui.visuals())),
                                        );
                                    }
                                },
                            );
                        });
                        let description =
                            RichText::new(&row.description).color(theme::muted(ui.visuals()));
                        ui.add(egui::Label::new(description).wrap());
                    });
                ui.add_space(theme::BLOCK_GAP / 2.0);
            }
        });
}
