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

/// A small drawn icon, for buttons where the default fonts lack a glyph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Up,
    Down,
    Remove,
}

/// A small icon button. Its accessible label is `label`, so tests and
/// screen readers find it by name; the same text shows on hover.
pub fn icon_button_ui(ui: &mut Ui, icon: Icon, label: &str, enabled: bool) -> egui::Response {
    let size = egui::vec2(18.0, 18.0);
    let sense = if enabled {
        egui::Sense::click()
    } else {
        egui::Sense::hover()
    };
    let (rect, response) = ui.allocate_exact_size(size, sense);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, label));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let color = if enabled {
            visuals.fg_stroke.color
        } else {
            ui.visuals().weak_text_color()
        };
        if response.hovered() && enabled {
            ui.painter().rect_filled(rect, 3.0, visuals.weak_bg_fill);
        }
        let c = rect.center();
        let r = 4.0;
        let stroke = egui::Stroke::new(1.5, color);
        let painter = ui.painter();
        match icon {
            Icon::Up | Icon::Down => {
                let dir = if icon == Icon::Up { -1.0 } else { 1.0 };
                let tip = c + egui::vec2(0.0, dir * r);
                painter.line_segment([c + egui::vec2(-r, -dir * r * 0.5), tip], stroke);
                painter.line_segment([c + egui::vec2(r, -dir * r * 0.5), tip], stroke);
            }
            Icon::Remove => {
                painter.line_segment([c + egui::vec2(-r, -r), c + egui::vec2(r, r)], stroke);
                painter.line_segment([c + egui::vec2(-r, r), c + egui::vec2(r, -r)], stroke);
            }
        }
    }
    response.on_hover_text(label)
}
