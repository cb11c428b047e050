//! Small widgets shared by the screens.

use egui::{Color32, RichText, Ui};

use super::theme;
use crate::domain::Consent;

/// A rounded label with a coloured background.
pub fn chip_ui(ui: &mut Ui, text: &str, color: Option<Color32>) {
    let visuals = ui.visuals().clone();
    egui::Frame::new()
        .fill(theme::chip_fill(&visuals))
        .corner_radius(theme::BADGE_RADIUS)
        .inner_margin(egui::Margin::symmetric(8, 2))
        .show(ui, |ui| {
            let mut rich = RichText::new(text).small();
            if let Some(color) = color {
                rich = rich.color(color);
            }
            ui.label(rich);
        });
}

/// The consent status as a coloured chip.
pub fn consent_chip_ui(ui: &mut Ui, consent: Consent) {
    let visuals = ui.visuals().clone();
    let color = match consent {
        Consent::Subscribed => theme::success(&visuals),
        Consent::Unsubscribed => theme::danger(&visuals),
        Consent::Unknown => theme::muted(&visuals),
    };
    chip_ui(ui, consent.label(), Some(color));
}

/// A muted line of explanatory text.
pub fn muted_ui(ui: &mut Ui, text: impl Into<String>) {
    let color = theme::muted(ui.visuals());
    ui.label(RichText::new(text.into()).color(color));
}

/// A section heading inside a panel.
pub fn section_ui(ui: &mut Ui, text: &str) {
    ui.add_space(theme::BLOCK_GAP / 2.0);
    ui.label(RichText::new(text).strong());
    ui.separator();
}

/// Formats a count with thousands separators.
pub fn format_count(n: usize) -> String {
    crate::domain::money::group_thousands(n as u64)
}
