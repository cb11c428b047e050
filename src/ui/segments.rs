//! The Segments screen: saved segments and their overlap on the left, the
//! visual builder in the middle (nested all / any / none groups, a field
//! picker, typed value editors, a live count beside every condition), and
//! the result on the right: the count, the sentence it reads as, a sample of
//! members, and why any one contact is in or out.
//!
//! The builder edits a copy of the draft and, when something changed, emits
//! the whole new tree as one command; the app keeps undo and counts it.

use std::collections::HashMap;

use chrono::NaiveDate;
use egui::{RichText, Ui};

use super::theme;
use super::widgets::{Icon, format_count, icon_button_ui, muted_ui, section_ui};
use crate::command::{Command, FileAction};
use crate::domain::FieldKind;
use crate::domain::segment::{Match, STARTERS, Unit};
use crate::domain::segment_draft::{
    ACTIVITY_OPS, DraftCondition, DraftFilter, DraftGroup, DraftItem, Section, Shape, Subject,
    WindowKind, choices, error_node, ops_for, subject_label,
};
use crate::state::AppState;

/// Draws the Segments screen.
pub fn segments_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.add_space(theme::BLOCK_GAP / 2.0);
    toolbar_ui(ui, state, out);
    ui.add_space(theme::BLOCK_GAP / 2.0);
    egui::Panel::left("segment_list")
        .default_size(240.0)
        .size_range(200.0..=420.0)
        .resizable(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("segment_list_scroll")
                .show(ui, |ui| saved_list_ui(ui, state, out));
        });
    egui::Panel::right("segment_result")
        .default_size(380.0)
        .size_range(300.0..=640.0)
        .resizable(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("segment_result_scroll")
                .show(ui, |ui| result_ui(ui, state, out));
        });
    egui::CentralPanel::no_frame().show(ui, |ui| {
        builder_ui(ui, state, out);
    });
}

fn toolbar_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading("Segments");
        ui.add_space(theme::BLOCK_GAP);
        if ui.button("New segment").clicked() {
            out.push(Command::SegmentNew);
        }
        ui.menu_button("Start from…", |ui| {
            for (i, text) in STARTERS.iter().enumerate() {
                let name = serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| v["name"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                if ui.button(name).clicked() {
                    out.push(Command::SegmentStarter(i));
                    ui.close();
                }
            }
        });
        if ui.button("Open file…").clicked() {
            out.push(Command::PickFile(FileAction::ImportSegment));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Recount").clicked() {
                out.push(Command::RefreshSegments);
            }
            muted_ui(ui, format!("as of {}", state.as_of()));
            if let Some((name, _)) = &state.deleted_segment
                && ui.button(format!("Undo delete of {name}")).clicked()
            {
                out.push(Command::SegmentUndoDelete);
            }
        });
    });
}

fn saved_list_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    section_ui(ui, "Saved segments");
    if state.segments.is_empty() {
        muted_ui(ui, "None saved yet");
    }
    for row in &state.segments {
        let open = state.builder.saved_as.as_deref() == Some(row.name.as_str());
        ui.horizontal(|ui| {
            let mut compare = state.overlap.names.contains(&row.name);
            if ui
                .checkbox(&mut compare, "")
                .on_hover_text("Compare")
                .changed()
            {
                out.push(Command::SegmentToggleOverlap(row.name.clone()));
            }
            let count = match &row.count {
                None => "…".to_owned(),
                Some(Ok(n)) => format_count((*n).max(0) as usize),
                Some(Err(_)) => "invalid".to_owned(),
            };
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let count = RichText::new(count).color(theme::muted(ui.visuals()));
                ui.add(egui::Label::new(count).selectable(false));
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    let button = egui::Button::selectable(open, &row.name).truncate();
                    if ui.add(button).on_hover_text(&row.description).clicked() {
                        out.push(Command::SegmentOpen(row.name.clone()));
                    }
                });
            });
        });
    }
    overlap_ui(ui, state);
}

fn overlap_ui(ui: &mut Ui, state: &AppState) {
    section_ui(ui, "Overlap");
    let names = &state.overlap.names;
    if names.len() < 2 {
        muted_ui(
            ui,
            "Tick two or more saved segments to see how they overlap.",
        );
        return;
    }
    match &state.overlap.result {
        None => {
            ui.spinner();
        }
        Some(Err(error)) => {
            ui.colored_label(theme::danger(ui.visuals()), error);
        }
        Some(Ok(overlap)) => {
            let (matrix, any) = (&overlap.matrix, &overlap.any);
            muted_ui(
                ui,
                "Contacts in both the row's and the column's segment; % of the row.",
            );
            egui::Grid::new("overlap_grid")
                .striped(true)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    for i in 0..names.len() {
                        ui.label(RichText::new(format!("{}", i + 1)).strong());
                    }
                    ui.end_row();
                    for (i, name) in names.iter().enumerate() {
                        ui.label(RichText::new(format!("{} {name}", i + 1)).strong());
                        for (j, both) in matrix[i].iter().enumerate() {
                            let size = matrix[i][i].max(1);
                            let text = if i == j {
                                format_count((*both).max(0) as usize)
                            } else {
                                format!(
                                    "{} ({:.0}%)",
                                    format_count((*both).max(0) as usize),
                                    100.0 * *both as f64 / size as f64
                                )
                            };
                            ui.label(text);
                        }
                        ui.end_row();
                    }
                });
            ui.label(format!(
                "In any of them: {}",
                format_count((*any).max(0) as usize)
            ));
        }
    }
}

fn result_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let b = &state.builder;
    let total = state.workspace.as_ref().map_or(0, |w| w.counts.contacts);
    ui.add_space(theme::BLOCK_GAP / 2.0);
    match (&b.error, b.total) {
        (Some(_), _) => {
            ui.label(
                RichText::new("Not counted")
                    .heading()
                    .color(theme::muted(ui.visuals())),
            );
        }
        (None, Some(members)) => {
            ui.horizontal(|ui| {
                let text = RichText::new(format!(
                    "{} contacts",
                    format_count(members.max(0) as usize)
                ))
                .heading()
                .strong();
                let text = if b.totalling {
                    text.color(theme::muted(ui.visuals()))
                } else {
                    text
                };
                ui.label(text);
                if b.totalling || b.counting {
                    ui.spinner();
                }
            });
            let share = 100.0 * members as f64 / (total.max(1)) as f64;
            let timing = b
                .count_ms
                .map_or_else(String::new, |ms| format!(" · counted in {ms} ms"));
            muted_ui(
                ui,
                format!(
                    "{share:.1}% of {} contacts{timing}",
                    format_count(total as usize)
                ),
            );
        }
        (None, None) => {
            ui.horizontal(|ui| {
                ui.label(RichText::new("Counting…").heading());
                ui.spinner();
            });
        }
    }
    if let Some(error) = &b.count_error {
        ui.colored_label(theme::danger(ui.visuals()), error);
    }
    ui.add_space(theme::BLOCK_GAP / 2.0);
    match &b.error {
        Some(error) => {
            egui::Frame::new()
                .fill(theme::error_fill(ui.visuals()))
                .inner_margin(8)
                .corner_radius(4)
                .show(ui, |ui| {
                    ui.add(egui::Label::new(format!("{}: {}", error.path, error.message)).wrap());
                });
        }
        None => {
            egui::Frame::new()
                .fill(theme::info_fill(ui.visuals()))
                .inner_margin(8)
                .corner_radius(4)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.add(egui::Label::new(&b.read_back).wrap());
                });
        }
    }
    sample_ui(ui, state, out);
    explain_ui(ui, state, out);
}

fn display_name(row: &crate::domain::ContactRow) -> String {
    let name = [row.first_name.as_deref(), row.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if name.trim().is_empty() {
        row.email
            .clone()
            .or_else(|| row.customer_id.clone())
            .unwrap_or_else(|| format!("#{}", row.id.0))
    } else {
        name
    }
}

/// How a contact is found for explain: email, else customer ID, else `#id`.
fn contact_key(row: &crate::domain::ContactRow) -> String {
    row.email
        .clone()
        .or_else(|| row.customer_id.clone())
        .unwrap_or_else(|| format!("#{}", row.id.0))
}

fn sample_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let b = &state.builder;
    section_ui(ui, "Members");
    let count = b.total.map_or(0, |n| n.max(0) as usize);
    let pages = count.div_ceil(crate::jobs::segments::SAMPLE_PAGE).max(1);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                b.page > 0 && b.error.is_none(),
                egui::Button::new("Previous"),
            )
            .clicked()
        {
            out.push(Command::SegmentPage(b.page - 1));
        }
        ui.label(format!("Page {} of {}", b.page + 1, format_count(pages)));
        if ui
            .add_enabled(
                b.page + 1 < pages && b.error.is_none(),
                egui::Button::new("Next"),
            )
            .clicked()
        {
            out.push(Command::SegmentPage(b.page + 1));
        }
        if b.sample_loading {
            ui.spinner();
        }
    });
    let Some(rows) = &b.sample else {
        return;
    };
    if rows.is_empty() {
        muted_ui(ui, "No members");
        return;
    }
    let width = ui.available_width();
    let cell = |ui: &mut Ui, w: f32, text: RichText| {
        ui.allocate_ui_with_layout(
            egui::vec2(w, 18.0),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_min_width(w);
                ui.add(egui::Label::new(text).truncate().selectable(false));
            },
        );
    };
    for row in rows {
        ui.horizontal(|ui| {
            let muted = theme::muted(ui.visuals());
            cell(ui, width * 0.34, RichText::new(display_name(row)));
            cell(
                ui,
                width * 0.40,
                RichText::new(row.email.as_deref().unwrap_or("—")).color(muted),
            );
            cell(
                ui,
                26.0,
                RichText::new(row.country.as_deref().unwrap_or("")),
            );
            if ui
                .small_button("Why?")
                .on_hover_text("Show which conditions this contact meets")
                .clicked()
            {
                out.push(Command::SegmentExplain(contact_key(row)));
            }
        });
    }
}

fn explain_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let b = &state.builder;
    section_ui(ui, "Explain a contact");
    ui.horizontal(|ui| {
        let mut who = b.explain_text.clone();
        let response = ui.add(
            egui::TextEdit::singleline(&mut who)
                .hint_text("Email or customer ID")
                .desired_width(200.0),
        );
        if response.changed() {
            out.push(Command::SegmentSetExplain(who.clone()));
        }
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Explain").clicked() || entered {
            out.push(Command::SegmentExplain(who));
        }
        if b.explaining {
            ui.spinner();
        }
    });
    match &b.explanation {
        None => muted_ui(
            ui,
            "Pick a member's Why?, or type anyone's email, to see which conditions they meet.",
        ),
        Some(Err(error)) => {
            ui.colored_label(theme::danger(ui.visuals()), error);
        }
        Some(Ok(found)) => {
            let (row, explanation) = found.as_ref();
            let verdict = if explanation.member {
                "is in"
            } else {
                "is not in"
            };
            let color = if explanation.member {
                theme::success(ui.visuals())
            } else {
                theme::danger(ui.visuals())
            };
            ui.label(
                RichText::new(format!(
                    "{} {verdict} {}",
                    display_name(row),
                    b.draft.name.trim()
                ))
                .strong()
                .color(color),
            );
            for (description, met) in &explanation.reasons {
                ui.horizontal_wrapped(|ui| {
                    mark_ui(ui, *met);
                    ui.label(
                        description
                            .trim_start_matches("who ")
                            .trim_start_matches("whose "),
                    );
                });
            }
            muted_ui(
                ui,
                "Marks beside the conditions on the left show every level.",
            );
        }
    }
}

/// A "meets" or "fails" mark.
fn mark_ui(ui: &mut Ui, met: bool) {
    let (text, color) = if met {
        ("meets", theme::success(ui.visuals()))
    } else {
        ("fails", theme::danger(ui.visuals()))
    };
    super::widgets::chip_ui(ui, text, Some(color));
}

/// What the tree's drawing needs besides the draft.
struct TreeView<'a> {
    state: &'a AppState,
    counts: HashMap<&'a [usize], i64>,
    /// Top-level cumulative counts (an "all" segment).
    cumulative: Vec<Option<i64>>,
    marks: HashMap<&'a [usize], bool>,
    error: Option<(Vec<usize>, String)>,
    stale: bool,
}

/// What the user did to the tree this frame.
#[derive(Default)]
struct Edit {
    changed: bool,
    /// Set while only typing changed things.
    typing: Option<String>,
    clicked: bool,
    structural: Option<Structural>,
    wanted_values: Vec<String>,
}

impl Edit {
    fn typed(&mut self, key: String) {
        self.changed = true;
        self.typing = Some(key);
    }

    fn clicked(&mut self) {
        self.changed = true;
        self.clicked = true;
    }
}

enum Structural {
    AddCondition(Vec<usize>),
    AddGroup(Vec<usize>),
    Remove(Vec<usize>),
    Move(Vec<usize>, bool),
}

fn path_key(path: &[usize]) -> String {
    path.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn builder_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let b = &state.builder;
    let mut draft = b.draft.clone();
    let mut edit = Edit::default();
    ui.add_space(theme::BLOCK_GAP / 2.0);
    ui.horizontal(|ui| {
        let response = ui.add(
            egui::TextEdit::singleline(&mut draft.name)
                .hint_text("Segment name")
                .font(egui::TextStyle::Heading)
                .desired_width(280.0),
        );
        if response.changed() {
            edit.typed("name".to_owned());
        }
        if b.unsaved() {
            super::widgets::chip_ui(ui, "unsaved", Some(theme::accent(ui.visuals())));
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("Save").clicked() {
            out.push(Command::SegmentSave);
        }
        if ui.button("Duplicate").clicked() {
            out.push(Command::SegmentDuplicate);
        }
        if ui
            .add_enabled(b.saved_as.is_some(), egui::Button::new("Delete"))
            .clicked()
        {
            out.push(Command::SegmentDelete);
        }
        ui.separator();
        if ui
            .add_enabled(!b.undo.is_empty(), egui::Button::new("Undo"))
            .clicked()
        {
            out.push(Command::SegmentUndo);
        }
        if ui
            .add_enabled(!b.redo.is_empty(), egui::Button::new("Redo"))
            .clicked()
        {
            out.push(Command::SegmentRedo);
        }
        ui.separator();
        if ui.button("Export file…").clicked() {
            out.push(Command::PickFile(FileAction::ExportSegment));
        }
        if ui
            .add_enabled(b.error.is_none(), egui::Button::new("Export members…"))
            .clicked()
        {
            out.push(Command::PickFile(FileAction::ExportMembers));
        }
    });
    ui.add_space(theme::BLOCK_GAP / 2.0);
    let all = draft.root.matching == Match::All;
    let view = TreeView {
        state,
        counts: b
            .counts
            .iter()
            .flat_map(|c| c.nodes.iter().map(|(p, n)| (p.as_slice(), *n)))
            .collect(),
        cumulative: b
            .counts
            .as_ref()
            .map(|c| {
                c.conditions
                    .iter()
                    .map(|c| c.cumulative.filter(|_| all))
                    .collect()
            })
            .unwrap_or_default(),
        marks: match &b.explanation {
            Some(Ok(found)) => found
                .1
                .nodes
                .iter()
                .map(|(p, m)| (p.as_slice(), *m))
                .collect(),
            _ => HashMap::new(),
        },
        error: b
            .error
            .as_ref()
            .map(|e| (error_node(&e.path), e.message.clone())),
        stale: b.counting || b.error.is_some(),
    };
    egui::ScrollArea::vertical()
        .id_salt("segment_tree")
        .show(ui, |ui| {
            let mut path = Vec::new();
            group_ui(ui, &view, &mut draft.root, &mut path, &mut edit);
        });
    for field in std::mem::take(&mut edit.wanted_values) {
        out.push(Command::SegmentWantValues(field));
    }
    if let Some(op) = edit.structural.take() {
        let fresh = || {
            DraftCondition::new(Subject::Field {
                name: "country".to_owned(),
                kind: FieldKind::Text,
            })
        };
        match op {
            Structural::AddCondition(path) => draft.add_condition(&path, fresh()),
            Structural::AddGroup(path) => draft.add_group(&path, fresh()),
            Structural::Remove(path) => draft.remove(&path),
            Structural::Move(path, up) => draft.move_item(&path, up),
        }
        edit.clicked();
    }
    if edit.changed && draft != b.draft {
        let coalesce = if edit.clicked { None } else { edit.typing };
        out.push(Command::SegmentEdit {
            draft: Box::new(draft),
            coalesce,
        });
    }
}

fn match_label(matching: Match) -> &'static str {
    match matching {
        Match::All => "all",
        Match::Any => "any",
        Match::None => "none",
    }
}

/// A count beside a node: alone, and with the conditions above (top level).
fn count_ui(ui: &mut Ui, view: &TreeView<'_>, path: &[usize]) {
    let Some(n) = view.counts.get(path) else {
        return;
    };
    let mut text = format_count((*n).max(0) as usize);
    if let [i] = path
        && let Some(Some(cumulative)) = view.cumulative.get(*i)
        && *i > 0
    {
        text = format!(
            "{text} · {} with the above",
            format_count((*cumulative).max(0) as usize)
        );
    }
    let color = if view.stale {
        theme::muted(ui.visuals()).gamma_multiply(0.6)
    } else {
        theme::muted(ui.visuals())
    };
    // A long condition row leaves little room: the count shortens to fit
    // rather than run over the value editors, and the hover says it whole.
    let hover = format!(
        "{text}\n\nContacts who meet this on its own (and, at the top, with every condition above)"
    );
    ui.add(
        egui::Label::new(RichText::new(text).color(color))
            .selectable(false)
            .truncate(),
    )
    .on_hover_text(hover);
}

/// Remove, move down and move up for the node at `path` (right to left).
fn node_buttons_ui(ui: &mut Ui, path: &[usize], len: usize, edit: &mut Edit) {
    let index = *path.last().unwrap_or(&0);
    if icon_button_ui(ui, Icon::Remove, "Remove", true).clicked() {
        edit.structural = Some(Structural::Remove(path.to_vec()));
    }
    if icon_button_ui(ui, Icon::Down, "Move down", index + 1 < len).clicked() {
        edit.structural = Some(Structural::Move(path.to_vec(), false));
    }
    if icon_button_ui(ui, Icon::Up, "Move up", index > 0).clicked() {
        edit.structural = Some(Structural::Move(path.to_vec(), true));
    }
}

fn group_ui(
    ui: &mut Ui,
    view: &TreeView<'_>,
    group: &mut DraftGroup,
    path: &mut Vec<usize>,
    edit: &mut Edit,
) {
    let root = path.is_empty();
    ui.horizontal(|ui| {
        ui.label(if root { "Contacts who match" } else { "Match" });
        egui::ComboBox::from_id_salt(("match", path_key(path)))
            .selected_text(match_label(group.matching))
            .width(60.0)
            .show_ui(ui, |ui| {
                for matching in [Match::All, Match::Any, Match::None] {
                    if ui
                        .selectable_label(group.matching == matching, match_label(matching))
                        .clicked()
                        && group.matching != matching
                    {
                        group.matching = matching;
                        edit.clicked();
                    }
                }
            });
        ui.label(if root { "of these conditions" } else { "of:" });
    });
    let len = group.items.len();
    if len == 0 {
        muted_ui(
            ui,
            if group.matching == Match::Any {
                "No conditions: an empty \"any\" group matches nobody."
            } else {
                "No conditions yet: every contact matches. Add one below."
            },
        );
    }
    for (i, item) in group.items.iter_mut().enumerate() {
        path.push(i);
        match item {
            DraftItem::Condition(condition) => condition_ui(ui, view, condition, path, len, edit),
            DraftItem::Group(inner) => {
                let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
                egui::Frame::new()
                    .stroke(stroke)
                    .inner_margin(8)
                    .corner_radius(6)
                    .show(ui, |ui| {
                        ui.horizontal(|ui| {
                            mark_for(ui, view, path);
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    node_buttons_ui(ui, path, len, edit);
                                    count_ui(ui, view, path);
                                },
                            );
                        });
                        group_ui(ui, view, inner, path, edit);
                    });
                error_for(ui, view, path, true);
            }
        }
        path.pop();
        ui.add_space(2.0);
    }
    ui.horizontal(|ui| {
        if ui.button("+ Condition").clicked() {
            edit.structural = Some(Structural::AddCondition(path.clone()));
        }
        if ui.button("+ Group").clicked() {
            edit.structural = Some(Structural::AddGroup(path.clone()));
        }
    });
}

/// The explain mark for a node, when a contact is being explained.
fn mark_for(ui: &mut Ui, view: &TreeView<'_>, path: &[usize]) {
    if let Some(met) = view.marks.get(path) {
        mark_ui(ui, *met);
    }
}

/// The validation error at a node, under it.
fn error_for(ui: &mut Ui, view: &TreeView<'_>, path: &[usize], group: bool) {
    if let Some((at, message)) = &view.error {
        let here = at.as_slice() == path;
        // A group's own error (its match or list) sits at the group.
        if here && (group || !at.is_empty()) {
            ui.colored_label(theme::danger(ui.visuals()), message);
        }
    }
}

fn condition_ui(
    ui: &mut Ui,
    view: &TreeView<'_>,
    condition: &mut DraftCondition,
    path: &[usize],
    len: usize,
    edit: &mut Edit,
) {
    let key = path_key(path);
    egui::Frame::new()
        .fill(theme::chip_fill(ui.visuals()))
        .inner_margin(egui::Margin::symmetric(8, 4))
        .corner_radius(4)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                mark_for(ui, view, path);
                subject_ui(ui, view, condition, &key, edit);
                op_and_value_ui(ui, view, condition, &key, edit);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    node_buttons_ui(ui, path, len, edit);
                    count_ui(ui, view, path);
                });
            });
            if let Subject::Activity(kind) = &condition.subject {
                let orders = kind == "order";
                window_ui(ui, view.state.as_of(), condition, &key, edit);
                filters_ui(ui, view, condition, orders, &key, edit);
            }
            error_for(ui, view, path, false);
        });
}

fn subject_ui(
    ui: &mut Ui,
    view: &TreeView<'_>,
    condition: &mut DraftCondition,
    key: &str,
    edit: &mut Edit,
) {
    let custom = view
        .state
        .workspace
        .as_ref()
        .map(|w| w.custom_fields.as_slice())
        .unwrap_or_default();
    let all = choices(custom, &view.state.catalog.event_kinds);
    let label = subject_label(&condition.subject);
    ui.push_id(("subject", key), |ui| {
        ui.menu_button(RichText::new(label).strong(), |ui| {
            for section in Section::ALL {
                let here: Vec<_> = all.iter().filter(|c| c.section == section).collect();
                match here.as_slice() {
                    [] => {}
                    [only] if only.label != section.label() && here.len() == 1 => {
                        if ui.button(&only.label).clicked() {
                            condition.set_subject(only.subject.clone());
                            edit.clicked();
                            ui.close();
                        }
                    }
                    _ => {
                        ui.menu_button(section.label(), |ui| {
                            for choice in here {
                                if ui.button(&choice.label).clicked() {
                                    condition.set_subject(choice.subject.clone());
                                    edit.clicked();
                                    ui.close();
                                }
                            }
                        });
                    }
                }
            }
        });
    });
}

/// The width a combo box needs to show `text` and its arrow.
fn fit_width(ui: &Ui, text: &str) -> f32 {
    let galley = egui::WidgetText::from(text).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Button,
    );
    galley.size().x + 2.0 * ui.spacing().button_padding.x + ui.spacing().icon_width + 4.0
}

/// A combo box over `(value, label)` pairs.
fn pick_ui(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    current: &mut String,
    options: &[(&str, &str)],
    edit: &mut Edit,
) {
    let selected = options
        .iter()
        .find(|(v, _)| *v == current.as_str())
        .map_or(current.as_str(), |(_, l)| l)
        .to_owned();
    egui::ComboBox::from_id_salt(id)
        .width(fit_width(ui, &selected))
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for (value, label) in options {
                if ui.selectable_label(current == value, *label).clicked() && current != value {
                    *current = (*value).to_owned();
                    edit.clicked();
                }
            }
        });
}

fn unit_ui(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    unit: &mut Unit,
    edit: &mut Edit,
) {
    let label = |u: Unit| match u {
        Unit::Days => "days",
        Unit::Weeks => "weeks",
        Unit::Months => "months",
    };
    egui::ComboBox::from_id_salt(id)
        .selected_text(label(*unit))
        .width(fit_width(ui, label(*unit)))
        .show_ui(ui, |ui| {
            for u in [Unit::Days, Unit::Weeks, Unit::Months] {
                if ui.selectable_label(*unit == u, label(u)).clicked() && *unit != u {
                    *unit = u;
                    edit.clicked();
                }
            }
        });
}

fn text_box(ui: &mut Ui, text: &mut String, width: f32, hint: &str, key: String, edit: &mut Edit) {
    let response = ui.add(
        egui::TextEdit::singleline(text)
            .desired_width(width)
            .hint_text(hint),
    );
    if response.changed() {
        edit.typed(key);
    }
}

/// A menu of suggested values; picking one sets (or, for lists, adds) it.
fn suggestions_ui(
    ui: &mut Ui,
    id: &str,
    value: &mut String,
    list: bool,
    options: &[(String, Option<i64>)],
    edit: &mut Edit,
) {
    if options.is_empty() {
        return;
    }
    ui.push_id(("suggest", id), |ui| {
        ui.menu_button("…", |ui| {
            let mut list_ui = |ui: &mut Ui| {
                for (option, count) in options {
                    let label = match count {
                        Some(n) => format!("{option}  ({})", format_count((*n).max(0) as usize)),
                        None => option.clone(),
                    };
                    if ui.button(label).clicked() {
                        if list {
                            let mut items: Vec<String> = value
                                .split(',')
                                .map(|v| v.trim().to_owned())
                                .filter(|v| !v.is_empty())
                                .collect();
                            if !items.iter().any(|v| v.eq_ignore_ascii_case(option)) {
                                items.push(option.clone());
                            }
                            *value = items.join(", ");
                        } else {
                            *value = option.clone();
                        }
                        edit.clicked();
                        ui.close();
                    }
                }
            };
            // Short lists need no scrolling (and stay simple to click).
            if options.len() > 15 {
                egui::ScrollArea::vertical()
                    .max_height(320.0)
                    .show(ui, list_ui);
            } else {
                list_ui(ui);
            }
        })
        .response
        .on_hover_text("Suggestions");
    });
}

fn date_box(ui: &mut Ui, as_of: NaiveDate, text: &mut String, key: String, edit: &mut Edit) {
    text_box(ui, text, 90.0, "YYYY-MM-DD", key.clone(), edit);
    use chrono::Datelike as _;
    let day = text.trim().parse::<NaiveDate>().unwrap_or(as_of);
    let Ok(mut picked) =
        jiff::civil::Date::new(day.year() as i16, day.month() as i8, day.day() as i8)
    else {
        return;
    };
    let before = picked;
    ui.add(
        egui_extras::DatePickerButton::new(&mut picked)
            .id_salt(&key)
            .calendar_week(false),
    );
    if picked != before {
        *text = format!(
            "{:04}-{:02}-{:02}",
            picked.year(),
            picked.month(),
            picked.day()
        );
        edit.clicked();
    }
}

fn op_and_value_ui(
    ui: &mut Ui,
    view: &TreeView<'_>,
    condition: &mut DraftCondition,
    key: &str,
    edit: &mut Edit,
) {
    let state = view.state;
    match condition.subject.clone() {
        Subject::Consent => {
            ui.label("is");
            pick_ui(
                ui,
                ("consent", key),
                &mut condition.value,
                &[
                    ("subscribed", "subscribed"),
                    ("unsubscribed", "unsubscribed"),
                    ("unknown", "unknown"),
                ],
                edit,
            );
            return;
        }
        Subject::Tag => {
            pick_ui(
                ui,
                ("tag_op", key),
                &mut condition.op,
                &[("has", "is"), ("has_not", "is not")],
                edit,
            );
            text_box(
                ui,
                &mut condition.value,
                120.0,
                "tag",
                format!("{key}.v"),
                edit,
            );
            let options: Vec<(String, Option<i64>)> = state
                .catalog
                .tags
                .iter()
                .map(|t| (t.clone(), None))
                .collect();
            suggestions_ui(ui, key, &mut condition.value, false, &options, edit);
            return;
        }
        Subject::Segment => {
            pick_ui(
                ui,
                ("segment_op", key),
                &mut condition.op,
                &[("in", "is"), ("not_in", "is not")],
                edit,
            );
            let names: Vec<&str> = state
                .segments
                .iter()
                .map(|r| r.name.as_str())
                .filter(|n| Some(*n) != state.builder.saved_as.as_deref())
                .collect();
            let options: Vec<(&str, &str)> = names.iter().map(|n| (*n, *n)).collect();
            pick_ui(ui, ("segment", key), &mut condition.value, &options, edit);
            return;
        }
        Subject::Activity(_) => {
            pick_ui(ui, ("op", key), &mut condition.op, &ACTIVITY_OPS, edit);
        }
        Subject::Field { kind, .. } => {
            pick_ui(ui, ("op", key), &mut condition.op, ops_for(kind), edit);
        }
    }
    let as_of = state.as_of();
    match condition.shape() {
        Shape::None => {}
        Shape::Text | Shape::List => {
            let list = condition.shape() == Shape::List;
            let hint = if list { "DE, FR" } else { "value" };
            text_box(
                ui,
                &mut condition.value,
                if list { 160.0 } else { 130.0 },
                hint,
                format!("{key}.v"),
                edit,
            );
            if let Subject::Field { name, .. } = &condition.subject {
                match state.field_values.get(name) {
                    Some(values) => {
                        let options: Vec<(String, Option<i64>)> =
                            values.iter().map(|(v, n)| (v.clone(), Some(*n))).collect();
                        suggestions_ui(ui, key, &mut condition.value, list, &options, edit);
                    }
                    None => edit.wanted_values.push(name.clone()),
                }
            }
        }
        Shape::Number => text_box(
            ui,
            &mut condition.value,
            70.0,
            "number",
            format!("{key}.v"),
            edit,
        ),
        Shape::NumberPair => {
            text_box(
                ui,
                &mut condition.value,
                60.0,
                "from",
                format!("{key}.v"),
                edit,
            );
            ui.label("and");
            text_box(
                ui,
                &mut condition.value2,
                60.0,
                "to",
                format!("{key}.v2"),
                edit,
            );
        }
        Shape::Date => date_box(ui, as_of, &mut condition.value, format!("{key}.v"), edit),
        Shape::DatePair => {
            date_box(ui, as_of, &mut condition.value, format!("{key}.v"), edit);
            ui.label("and");
            date_box(ui, as_of, &mut condition.value2, format!("{key}.v2"), edit);
        }
        Shape::Span => {
            text_box(
                ui,
                &mut condition.value,
                44.0,
                "14",
                format!("{key}.v"),
                edit,
            );
            unit_ui(ui, ("unit", key), &mut condition.unit, edit);
            if condition.op == "more_than_ago" {
                ui.label("ago");
            }
        }
    }
}

fn window_ui(
    ui: &mut Ui,
    as_of: NaiveDate,
    condition: &mut DraftCondition,
    key: &str,
    edit: &mut Edit,
) {
    ui.horizontal(|ui| {
        ui.add_space(24.0);
        let mut measure = if condition.sum { "sum" } else { "count" }.to_owned();
        let what = if matches!(&condition.subject, Subject::Activity(k) if k == "order") {
            [
                ("count", "counting orders"),
                ("sum", "summing order totals"),
            ]
        } else {
            [
                ("count", "counting events"),
                ("sum", "summing event values"),
            ]
        };
        pick_ui(ui, ("measure", key), &mut measure, &what, edit);
        condition.sum = measure == "sum";
        let w = &mut condition.window;
        egui::ComboBox::from_id_salt(("window", key))
            .width(fit_width(ui, w.kind.label()))
            .selected_text(w.kind.label())
            .show_ui(ui, |ui| {
                for kind in WindowKind::ALL {
                    if ui.selectable_label(w.kind == kind, kind.label()).clicked() && w.kind != kind
                    {
                        w.kind = kind;
                        edit.clicked();
                    }
                }
            });
        match w.kind {
            WindowKind::AllTime => {}
            WindowKind::Last => {
                text_box(ui, &mut w.amount, 44.0, "90", format!("{key}.w"), edit);
                unit_ui(ui, ("wunit", key), &mut w.unit, edit);
            }
            WindowKind::BetweenAgo => {
                text_box(ui, &mut w.amount, 44.0, "60", format!("{key}.w"), edit);
                ui.label("and");
                text_box(ui, &mut w.amount2, 44.0, "30", format!("{key}.w2"), edit);
                unit_ui(ui, ("wunit", key), &mut w.unit, edit);
                ui.label("ago");
            }
            WindowKind::Before | WindowKind::After => {
                date_box(ui, as_of, &mut w.date, format!("{key}.wd"), edit);
            }
            WindowKind::Between => {
                date_box(ui, as_of, &mut w.date, format!("{key}.wd"), edit);
                ui.label("and");
                date_box(ui, as_of, &mut w.date2, format!("{key}.wd2"), edit);
            }
        }
    });
}

fn filters_ui(
    ui: &mut Ui,
    view: &TreeView<'_>,
    condition: &mut DraftCondition,
    orders: bool,
    key: &str,
    edit: &mut Edit,
) {
    let properties: &[(&str, &str)] = if orders {
        &[
            ("category", "category"),
            ("product", "product"),
            ("sku", "SKU"),
        ]
    } else {
        &[("campaign", "campaign"), ("variant", "variant")]
    };
    let catalog = &view.state.catalog;
    let mut remove = None;
    for (i, filter) in condition.filters.iter_mut().enumerate() {
        let fkey = format!("{key}.f{i}");
        ui.horizontal(|ui| {
            ui.add_space(24.0);
            ui.label("where");
            pick_ui(ui, ("fprop", &fkey), &mut filter.property, properties, edit);
            pick_ui(
                ui,
                ("fop", &fkey),
                &mut filter.op,
                &ops_for(FieldKind::Text)[..8],
                edit,
            );
            let list = matches!(filter.op.as_str(), "in" | "not_in");
            text_box(
                ui,
                &mut filter.value,
                140.0,
                "value",
                format!("{fkey}.v"),
                edit,
            );
            let source = match filter.property.as_str() {
                "category" => &catalog.categories,
                "product" => &catalog.products,
                "campaign" => &catalog.campaigns,
                _ => &Vec::new(),
            };
            let options: Vec<(String, Option<i64>)> =
                source.iter().map(|v| (v.clone(), None)).collect();
            suggestions_ui(ui, &fkey, &mut filter.value, list, &options, edit);
            if ui
                .small_button("✕")
                .on_hover_text("Remove this filter")
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        condition.filters.remove(i);
        edit.clicked();
    }
    ui.horizontal(|ui| {
        ui.add_space(24.0);
        if ui.small_button("+ where").clicked() {
            condition.filters.push(DraftFilter {
                property: properties[0].0.to_owned(),
                op: "is".to_owned(),
                value: String::new(),
            });
            edit.clicked();
        }
    });
}
