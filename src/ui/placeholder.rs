//! Screens that later releases fill in. Each says plainly what it will do;
//! none pretends to work.

use egui::{RichText, Ui};

use super::theme;
use super::widgets::muted_ui;
use crate::state::Screen;

/// What a screen will do, in the user's words.
fn plan(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Templates => &[
            "Write email and landing-page templates with merge fields, conditions and loops \
             (Jinja syntax), with linting for unknown fields and a coverage check that shows \
             how many recipients have every value a template uses.",
        ],
        Screen::Preview => &[
            "Pick a segment and a template and page through each recipient's rendered email or \
             page before anything is exported, with a mode that hides names and emails on \
             screen for demos.",
        ],
        Screen::Experiments => &[
            "Set up A/B tests with a deterministic split and a holdout, import their results, \
             and read click-through, conversion and revenue per recipient as plots with \
             confidence intervals, p-values and the sample size you need.",
        ],
        Screen::Contacts | Screen::Segments | Screen::Settings => &[],
    }
}

/// Draws the "not built yet" page of `screen`.
pub fn placeholder_ui(ui: &mut Ui, screen: Screen) {
    ui.add_space(theme::BLOCK_GAP);
    ui.heading(screen.label());
    ui.add_space(theme::BLOCK_GAP);
    egui::Frame::new()
        .fill(theme::info_fill(ui.visuals()))
        .inner_margin(16)
        .corner_radius(6)
        .show(ui, |ui| {
            ui.set_max_width(640.0);
            ui.label(RichText::new("Not built yet").strong());
            ui.add_space(4.0);
            for line in plan(screen) {
                ui.label(*line);
                ui.add_space(4.0);
            }
            muted_ui(
                ui,
                "Until then, the Contacts screen shows everything in the workspace.",
            );
        });
}
