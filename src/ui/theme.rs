//! Design tokens: every colour, size and spacing the screens use lives here,
//! for the light and the dark theme alike.
// The only module allowed to name raw colours (see clippy.toml).
#![allow(clippy::disallowed_methods)]

use egui::{Color32, Visuals};

/// Width of the left navigation.
pub const NAV_WIDTH: f32 = 176.0;
/// Default width of the contact detail panel.
pub const DETAIL_WIDTH: f32 = 380.0;
/// Height of a contacts table row.
pub const ROW_HEIGHT: f32 = 22.0;
/// Height of the table header.
pub const HEADER_HEIGHT: f32 = 26.0;
/// Space between blocks of a screen.
pub const BLOCK_GAP: f32 = 12.0;
/// Corner radius of badges and chips.
pub const BADGE_RADIUS: u8 = 8;

/// The brand accent.
pub fn accent(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0xE0, 0xA4, 0x6A)
    } else {
        Color32::from_rgb(0x9A, 0x4F, 0x1C)
    }
}

/// Text that is there for context only.
pub fn muted(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_gray(150)
    } else {
        Color32::from_gray(105)
    }
}

/// Good news: subscribed, finished.
pub fn success(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0x7B, 0xC9, 0x8A)
    } else {
        Color32::from_rgb(0x1E, 0x7A, 0x3A)
    }
}

/// Bad news: unsubscribed, errors.
pub fn danger(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0xF2, 0x8B, 0x82)
    } else {
        Color32::from_rgb(0xB3, 0x26, 0x1E)
    }
}

/// Background of a chip or badge.
pub fn chip_fill(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_gray(48)
    } else {
        Color32::from_gray(232)
    }
}

/// Background of an information banner.
pub fn info_fill(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0x2A, 0x33, 0x3D)
    } else {
        Color32::from_rgb(0xE6, 0xEF, 0xF8)
    }
}

/// Background of an error banner.
pub fn error_fill(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0x4A, 0x24, 0x22)
    } else {
        Color32::from_rgb(0xFB, 0xE4, 0xE2)
    }
}

/// Applies Tailor's style to both themes.
pub fn install(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 3.0);
        style.spacing.interact_size.y = 22.0;
        let accent_color = accent(&style.visuals);
        style.visuals.selection.bg_fill = accent_color.linear_multiply(0.35);
        style.visuals.hyperlink_color = accent_color;
    });
}
