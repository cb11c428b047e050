//! The import wizard: choose a file, check how it was read, check what each
//! column becomes, decide about duplicates, consent and dates, run with
//! progress and Cancel, and read the summary (with "Save rejected rows…"
//! and "Undo this import").

use egui::{RichText, Ui};

use super::theme;
use super::widgets::{format_count, muted_ui, section_ui};
use crate::command::{Command, FileAction};
use crate::domain::money::rows;
use crate::domain::time::{format_instant, parse_time_zone};
use crate::domain::{ContactField, FieldKind, WorkspaceSummary};
use crate::import::events::EventTarget;
use crate::import::mapping::Target;
use crate::import::orders::{self, OrderTarget};
use crate::import::read::FileKind;
use crate::import::values::DateOrder;
use crate::import::{DuplicatePolicy, ImportKind, ImportPreview};
use crate::state::{AppState, ImportStep, ImportWizard};

/// Encodings offered when the user overrides detection.
const ENCODINGS: [&str; 7] = [
    "UTF-8",
    "UTF-16LE",
    "UTF-16BE",
    "windows-1252",
    "ISO-8859-1",
    "ISO-8859-15",
    "macintosh",
];

/// Draws the wizard window if it is open.
pub fn import_window_ui(ctx: &egui::Context, state: &AppState, out: &mut Vec<Command>) {
    let Some(wizard) = &state.import else { return };
    let mut open = true;
    egui::Window::new("Import")
        .id(egui::Id::unique("import_wizard"))
        .open(&mut open)
        .collapsible(false)
        .resizable(true)
        .default_size([880.0, 560.0])
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            steps_ui(ui, wizard);
            ui.separator();
            match wizard.step {
                ImportStep::File => {
                    file_step_ui(ui, wizard, out);
                    if let Some(workspace) = &state.workspace {
                        history_ui(ui, workspace, state.job.is_some(), out);
                    }
                }
                ImportStep::Preview => preview_step_ui(ui, wizard, out),
                ImportStep::Mapping => mapping_step_ui(ui, wizard, out),
                ImportStep::Options => options_step_ui(ui, wizard, out),
                ImportStep::Running => running_step_ui(ui, state, out),
                ImportStep::Done => done_step_ui(ui, wizard, out),
            }
        });
    if !open {
        out.push(Command::ImportClose);
    }
}

fn steps_ui(ui: &mut Ui, wizard: &ImportWizard) {
    let steps = [
        (ImportStep::File, "1 File"),
        (ImportStep::Preview, "2 Preview"),
        (ImportStep::Mapping, "3 Columns"),
        (ImportStep::Options, "4 Options"),
        (ImportStep::Done, "5 Summary"),
    ];
    ui.horizontal(|ui| {
        for (step, label) in steps {
            let current = wizard.step == step
                || (step == ImportStep::Done && wizard.step == ImportStep::Running);
            let text = RichText::new(label);
            ui.label(if current {
                text.strong().color(theme::accent(ui.visuals()))
            } else {
                text.color(theme::muted(ui.visuals()))
            });
        }
    });
}

fn error_ui(ui: &mut Ui, wizard: &ImportWizard) {
    if let Some(error) = &wizard.error {
        let color = theme::danger(ui.visuals());
        ui.label(RichText::new(error).color(color));
    }
}

fn nav_ui(
    ui: &mut Ui,
    back: Option<ImportStep>,
    next: Option<(&str, Command, bool)>,
    out: &mut Vec<Command>,
) {
    ui.add_space(theme::BLOCK_GAP);
    ui.horizontal(|ui| {
        if let Some(step) = back
            && ui.button("Back").clicked()
        {
            out.push(Command::ImportGo(step));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if let Some((label, command, enabled)) = next
                && ui.add_enabled(enabled, egui::Button::new(label)).clicked()
            {
                out.push(command);
            }
        });
    });
}

fn file_step_ui(ui: &mut Ui, wizard: &ImportWizard, out: &mut Vec<Command>) {
    ui.label("What does the file hold?");
    ui.horizontal(|ui| {
        for kind in ImportKind::ALL {
            if ui.radio(wizard.kind == kind, kind.label()).clicked() {
                out.push(Command::ImportSetKind(kind));
            }
        }
    });
    muted_ui(
        ui,
        match wizard.kind {
            ImportKind::Contacts => {
                "One row a person: a customer list, a newsletter audience, CRM leads"
            }
            ImportKind::Orders => "One row an order line: a shop's order or payment export",
            ImportKind::Events => {
                "One row an event: email sends, opens or clicks, page views, conversions"
            }
        },
    );
    ui.add_space(theme::BLOCK_GAP);
    ui.horizontal(|ui| {
        let label = ui.label("File path");
        let mut text = wizard.path_text.clone();
        let response = ui.add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(420.0)
                .hint_text("/path/to/export.csv"),
        );
        if response.labelled_by(label.id).changed() {
            out.push(Command::ImportSetPath(text));
        }
        if ui.button("Choose…").clicked() {
            out.push(Command::PickFile(FileAction::ImportFile));
        }
    });
    muted_ui(
        ui,
        "CSV, TSV, TXT, XLSX, XLS or ODS; you can also drop a file on the window",
    );
    error_ui(ui, wizard);
    if wizard.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the file…");
        });
    }
    let ready = !wizard.path_text.trim().is_empty() && !wizard.loading;
    nav_ui(
        ui,
        None,
        Some(("Read file", Command::ImportLoadPreview, ready)),
        out,
    );
}

/// The imports recorded in the workspace, newest first; the newest
/// finished one can be undone from here.
fn history_ui(ui: &mut Ui, workspace: &WorkspaceSummary, busy: bool, out: &mut Vec<Command>) {
    let runs: Vec<_> = workspace
        .import_runs
        .iter()
        .filter(|r| r.kind != "demo")
        .collect();
    if runs.is_empty() {
        return;
    }
    ui.add_space(theme::BLOCK_GAP);
    let tz = parse_time_zone(&workspace.settings.time_zone);
    egui::CollapsingHeader::new(format!("Earlier imports ({})", runs.len()))
        .id_salt("import_history")
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(220.0)
                .show(ui, |ui| {
                    egui::Grid::new("import_history_grid")
                        .num_columns(6)
                        .striped(true)
                        .show(ui, |ui| {
                            for run in runs {
                                ui.label(format_instant(run.started_at, tz));
                                ui.label(format!("{} · {}", run.kind, run.file_name));
                                let mut counts = format!(
                                    "{}: {} new, {} updated, {} rejected",
                                    rows(run.rows),
                                    format_count(run.inserted as usize),
                                    format_count(run.updated as usize),
                                    format_count(run.rejected as usize)
                                );
                                if let Some(orders) = run.orders_inserted {
                                    counts.push_str(&format!(
                                        "; {} orders",
                                        format_count(orders as usize)
                                    ));
                                }
                                muted_ui(ui, &counts);
                                match run.status.as_str() {
                                    "undone" => muted_ui(ui, "Undone"),
                                    "running" => muted_ui(ui, "Did not finish"),
                                    _ => muted_ui(ui, "Imported"),
                                }
                                if run.undoable {
                                    let button = ui
                                        .add_enabled(!busy, egui::Button::new("Undo"))
                                        .on_hover_text(
                                            "Remove the contacts it added and restore the ones it \
                                         changed. Only the newest import can be undone.",
                                        );
                                    if button.clicked() {
                                        out.push(Command::ImportUndoRun(run.id));
                                    }
                                } else {
                                    ui.label("");
                                }
                                if run.saved_rejects > 0 {
                                    let button =
                                        ui.button("Save rejected rows…").on_hover_text(format!(
                                            "Write the {} this import turned away, with \
                                             their line and reason, to a CSV file",
                                            rows(run.saved_rejects.max(0) as u64)
                                        ));
                                    if button.clicked() {
                                        out.push(Command::PickFile(FileAction::SaveRunRejects(
                                            run.id,
                                        )));
                                    }
                                } else {
                                    ui.label("");
                                }
                                ui.end_row();
                            }
                        });
                });
        });
}

fn delimiter_label(delimiter: Option<u8>) -> String {
    match delimiter {
        Some(b'\t') => "Tab".to_owned(),
        Some(b',') => "Comma".to_owned(),
        Some(b';') => "Semicolon".to_owned(),
        Some(b'|') => "Pipe".to_owned(),
        Some(other) => char::from(other).to_string(),
        None => "Detect".to_owned(),
    }
}

fn preview_step_ui(ui: &mut Ui, wizard: &ImportWizard, out: &mut Vec<Command>) {
    let Some(preview) = &wizard.preview else {
        error_ui(ui, wizard);
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(preview.path.display().to_string()).strong());
        muted_ui(
            ui,
            format!(
                "{}{}",
                rows(preview.n_rows as u64),
                match preview.blank_rows {
                    0 => String::new(),
                    n => format!(", {n} blank rows skipped"),
                }
            ),
        );
    });
    if preview.file_kind == FileKind::Text {
        ui.horizontal(|ui| {
            ui.label("Encoding");
            let detected = format!(
                "{}{}",
                preview.encoding,
                if preview.had_bom { " (with BOM)" } else { "" }
            );
            egui::ComboBox::from_id_salt("import_encoding")
                .selected_text(
                    wizard
                        .read
                        .encoding
                        .clone()
                        .unwrap_or_else(|| format!("Detected: {detected}")),
                )
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(
                            wizard.read.encoding.is_none(),
                            format!("Detected: {detected}"),
                        )
                        .clicked()
                    {
                        out.push(Command::ImportSetEncoding(None));
                    }
                    for encoding in ENCODINGS {
                        let selected = wizard.read.encoding.as_deref() == Some(encoding);
                        if ui.selectable_label(selected, encoding).clicked() {
                            out.push(Command::ImportSetEncoding(Some(encoding.to_owned())));
                        }
                    }
                });
            ui.label("Delimiter");
            egui::ComboBox::from_id_salt("import_delimiter")
                .selected_text(match wizard.read.delimiter {
                    None => format!("Detected: {}", delimiter_label(preview.delimiter)),
                    some => delimiter_label(some),
                })
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(wizard.read.delimiter.is_none(), "Detect")
                        .clicked()
                    {
                        out.push(Command::ImportSetDelimiter(None));
                    }
                    for delimiter in [b',', b';', b'\t', b'|'] {
                        if ui
                            .selectable_label(
                                wizard.read.delimiter == Some(delimiter),
                                delimiter_label(Some(delimiter)),
                            )
                            .clicked()
                        {
                            out.push(Command::ImportSetDelimiter(Some(delimiter)));
                        }
                    }
                });
        });
    } else {
        ui.horizontal(|ui| {
            ui.label("Sheet");
            egui::ComboBox::from_id_salt("import_sheet")
                .selected_text(preview.sheet.clone().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for sheet in &preview.sheets {
                        if ui
                            .selectable_label(preview.sheet.as_ref() == Some(sheet), sheet)
                            .clicked()
                        {
                            out.push(Command::ImportSetSheet(Some(sheet.clone())));
                        }
                    }
                });
        });
    }
    if wizard.loading {
        ui.spinner();
    }
    error_ui(ui, wizard);
    ui.add_space(theme::BLOCK_GAP / 2.0);
    rows_table_ui(ui, preview);
    nav_ui(
        ui,
        Some(ImportStep::File),
        Some((
            "Next",
            Command::ImportGo(ImportStep::Mapping),
            !wizard.loading,
        )),
        out,
    );
}

fn rows_table_ui(ui: &mut Ui, preview: &ImportPreview) {
    egui::ScrollArea::both()
        .id_salt("import_rows")
        .max_height(300.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("import_rows_grid")
                .striped(true)
                .min_col_width(60.0)
                .show(ui, |ui| {
                    for header in &preview.headers {
                        ui.label(RichText::new(header).strong());
                    }
                    ui.end_row();
                    for row in &preview.first_rows {
                        for cell in row {
                            let text: String = cell.chars().take(40).collect();
                            ui.add(egui::Label::new(text.replace('\n', " ⏎ ")).truncate());
                        }
                        ui.end_row();
                    }
                });
        });
}

/// The targets a contacts column can map to.
fn target_choices(column: &str) -> Vec<Target> {
    let mut choices = vec![Target::Skip];
    choices.extend(
        ContactField::ALL
            .iter()
            .map(|&field| Target::Field { field }),
    );
    choices.extend([
        Target::FullName,
        Target::Consent,
        Target::OptOutTime,
        Target::OptInTime,
        Target::Tags,
    ]);
    choices.extend(
        [
            FieldKind::Text,
            FieldKind::Number,
            FieldKind::Date,
            FieldKind::Bool,
        ]
        .map(|kind| Target::Custom {
            name: column.to_owned(),
            kind,
        }),
    );
    choices
}

/// A drop-down choosing column `index`'s target among `choices`, labelled
/// by the column's name (`label`).
#[allow(clippy::too_many_arguments)]
fn target_combo_ui<T: Clone + PartialEq>(
    ui: &mut Ui,
    label: egui::Id,
    index: usize,
    current: &T,
    choices: Vec<T>,
    describe: impl Fn(&T) -> String,
    choose: impl Fn(usize, T) -> Command,
    out: &mut Vec<Command>,
) {
    egui::ComboBox::from_id_salt(("import_target", index))
        .width(200.0)
        .selected_text(describe(current))
        .show_ui(ui, |ui| {
            for choice in choices {
                if ui
                    .selectable_label(choice == *current, describe(&choice))
                    .clicked()
                {
                    out.push(choose(index, choice));
                }
            }
        })
        .response
        .labelled_by(label);
}

fn mapping_step_ui(ui: &mut Ui, wizard: &ImportWizard, out: &mut Vec<Command>) {
    let Some(preview) = &wizard.preview else {
        return;
    };
    let has_identity = preview.has_identity();
    egui::ScrollArea::vertical()
        .id_salt("import_mapping")
        .max_height(340.0)
        .show(ui, |ui| {
            egui::Grid::new("import_mapping_grid")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    ui.label(RichText::new("Column").strong());
                    ui.label(RichText::new("Examples").strong());
                    ui.label(RichText::new("Imports as").strong());
                    ui.end_row();
                    for (index, header) in preview.headers.iter().enumerate() {
                        let label = ui.label(header).id;
                        let examples = preview
                            .samples
                            .get(index)
                            .map(|s| s.join(" · "))
                            .unwrap_or_default();
                        let examples = RichText::new(examples).color(theme::muted(ui.visuals()));
                        // Left-aligned in a fixed width, cut with an ellipsis.
                        ui.allocate_ui_with_layout(
                            egui::vec2(280.0, 18.0),
                            egui::Layout::left_to_right(egui::Align::Center),
                            |ui| {
                                ui.set_min_width(280.0);
                                ui.add(egui::Label::new(examples).truncate());
                            },
                        );
                        match wizard.kind {
                            ImportKind::Contacts => {
                                let current = preview
                                    .mapping
                                    .target(header)
                                    .cloned()
                                    .unwrap_or(Target::Skip);
                                target_combo_ui(
                                    ui,
                                    label,
                                    index,
                                    &current,
                                    target_choices(header),
                                    Target::describe,
                                    Command::ImportSetTarget,
                                    out,
                                );
                            }
                            ImportKind::Orders => {
                                if let Some((_, current)) = preview.orders.get(index) {
                                    target_combo_ui(
                                        ui,
                                        label,
                                        index,
                                        current,
                                        OrderTarget::choices(),
                                        orders::describe,
                                        Command::ImportSetOrderTarget,
                                        out,
                                    );
                                }
                            }
                            ImportKind::Events => {
                                if let Some((_, current)) = preview.events.get(index) {
                                    target_combo_ui(
                                        ui,
                                        label,
                                        index,
                                        current,
                                        EventTarget::choices(),
                                        |t| t.describe(),
                                        Command::ImportSetEventTarget,
                                        out,
                                    );
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    let missing = preview.missing_column();
    let color = theme::danger(ui.visuals());
    if !has_identity {
        ui.label(
            RichText::new("Map a column to email or customer_id: contacts are matched by them")
                .color(color),
        );
    }
    if let Some(missing) = missing {
        ui.label(RichText::new(format!("Map a column to {missing}")).color(color));
    }
    nav_ui(
        ui,
        Some(ImportStep::Preview),
        Some((
            "Next",
            Command::ImportGo(ImportStep::Options),
            has_identity && missing.is_none(),
        )),
        out,
    );
}

fn options_step_ui(ui: &mut Ui, wizard: &ImportWizard, out: &mut Vec<Command>) {
    let Some(preview) = &wizard.preview else {
        return;
    };
    if wizard.kind == ImportKind::Contacts {
        section_ui(ui, "Contacts already in the workspace");
        for (policy, label) in [
            (
                DuplicatePolicy::Update,
                "Update them: values in the file replace stored ones",
            ),
            (
                DuplicatePolicy::FillBlanks,
                "Fill blanks only: keep every stored value",
            ),
            (DuplicatePolicy::Skip, "Leave them as they are"),
        ] {
            if ui.radio(wizard.policy == policy, label).clicked() {
                out.push(Command::ImportSetPolicy(policy));
            }
        }
        section_ui(ui, "Email consent");
        let consent_column = preview
            .mapping
            .columns
            .iter()
            .any(|c| matches!(c.target, Target::Consent | Target::OptOutTime));
        match (preview.mapping.file_consent, consent_column) {
            (Some(consent), _) => {
                ui.label(format!(
                    "This is a Mailchimp export: everyone in it is {}",
                    consent.label().to_lowercase()
                ));
            }
            (None, true) => {
                ui.label("Consent comes from the file's consent column");
            }
            (None, false) => {
                ui.label("The file says nothing about consent: new contacts get unknown consent, existing ones keep theirs");
            }
        }
        muted_ui(ui, "Unsubscribes in the file always apply");
        let mut allow = wizard.allow_resubscribe;
        if ui
            .checkbox(
                &mut allow,
                "Re-subscribe contacts who had unsubscribed, where the file says subscribed",
            )
            .changed()
        {
            out.push(Command::ImportSetResubscribe(allow));
        }
        if wizard.allow_resubscribe {
            let color = theme::danger(ui.visuals());
            ui.label(
                RichText::new("Only if these people gave their consent again (GDPR, CAN-SPAM)")
                    .color(color),
            );
        }
    }
    if wizard.kind == ImportKind::Events && !preview.has_event_kind() {
        section_ui(ui, "Kind of event");
        ui.horizontal(|ui| {
            let label = ui.label("Every row is a");
            let mut kind = wizard.event_kind.clone();
            let response = ui.add(
                egui::TextEdit::singleline(&mut kind)
                    .hint_text("email_click")
                    .desired_width(180.0),
            );
            if response.labelled_by(label.id).changed() {
                out.push(Command::ImportSetEventKind(kind));
            }
        });
    }
    let mut needs_order = false;
    for (column, examples) in preview.ambiguous_dates() {
        needs_order = true;
        section_ui(ui, "Dates");
        ui.label(format!(
            "{column} has dates that read both ways, like {}",
            examples.join(", ")
        ));
    }
    if needs_order {
        ui.horizontal(|ui| {
            if ui
                .radio(
                    wizard.date_order == Some(DateOrder::DayFirst),
                    "Day first (31/12/2024)",
                )
                .clicked()
            {
                out.push(Command::ImportSetDateOrder(Some(DateOrder::DayFirst)));
            }
            if ui
                .radio(
                    wizard.date_order == Some(DateOrder::MonthFirst),
                    "Month first (12/31/2024)",
                )
                .clicked()
            {
                out.push(Command::ImportSetDateOrder(Some(DateOrder::MonthFirst)));
            }
        });
    }
    error_ui(ui, wizard);
    let ready = !needs_order || wizard.date_order.is_some();
    let label = format!("Import {}", rows(preview.n_rows as u64));
    nav_ui(
        ui,
        Some(ImportStep::Mapping),
        Some((&label, Command::ImportRun, ready)),
        out,
    );
}

fn running_step_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.add_space(theme::BLOCK_GAP);
    match &state.job {
        Some(job) => {
            ui.label(&job.label);
            ui.add(egui::ProgressBar::new(job.fraction).show_percentage());
            muted_ui(ui, &job.message);
            ui.add_space(theme::BLOCK_GAP);
            if ui.button("Cancel import").clicked() {
                out.push(Command::CancelJob);
            }
            muted_ui(
                ui,
                "Cancelling rolls everything back: the workspace stays as it was",
            );
        }
        None => {
            ui.spinner();
        }
    }
}

fn done_step_ui(ui: &mut Ui, wizard: &ImportWizard, out: &mut Vec<Command>) {
    let Some(outcome) = &wizard.outcome else {
        return;
    };
    let s = &outcome.summary;
    if outcome.undone {
        ui.label(RichText::new("This import was undone").strong());
    }
    egui::Grid::new("import_summary")
        .num_columns(2)
        .show(ui, |ui| {
            let mut row = |label: &str, n: u64| {
                muted_ui(ui, label);
                ui.label(format_count(n as usize));
                ui.end_row();
            };
            row("Rows", s.rows);
            row("Inserted", s.inserted);
            row("Updated", s.updated);
            row("Unchanged", s.unchanged);
            row("Duplicates in the file", s.duplicates_in_file);
            row("Rejected", s.rejected);
            if s.blank_rows > 0 {
                row("Blank rows skipped", s.blank_rows);
            }
            if let Some((orders, existing, lines, created)) = outcome.orders {
                row("Orders inserted", orders);
                row("Orders already in the workspace", existing);
                row("Order lines", lines);
                row("Contacts created", created);
            }
            if s.resubscribes_blocked > 0 {
                row("Kept unsubscribed", s.resubscribes_blocked);
            }
        });
    if !s.custom_fields_created.is_empty() {
        ui.label(format!(
            "New custom fields: {}",
            s.custom_fields_created.join(", ")
        ));
    }
    if !s.warnings.is_empty() {
        egui::CollapsingHeader::new(format!("{} warnings", s.n_warnings)).show(ui, |ui| {
            for warning in &s.warnings {
                ui.label(warning);
            }
        });
    }
    if !outcome.rejects.is_empty() {
        egui::CollapsingHeader::new(format!(
            "{} not imported",
            rows(outcome.rejects.len() as u64)
        ))
        .show(ui, |ui| {
            for reject in outcome.rejects.iter().take(50) {
                ui.label(format!("Line {}: {}", reject.line, reject.reason));
            }
        });
    }
    ui.add_space(theme::BLOCK_GAP);
    ui.horizontal(|ui| {
        if !outcome.rejects.is_empty() && ui.button("Save rejected rows…").clicked() {
            out.push(Command::PickFile(FileAction::SaveRejects));
        }
        if !outcome.undone && ui.button("Undo this import").clicked() {
            out.push(Command::ImportUndo);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Close").clicked() {
                out.push(Command::ImportClose);
            }
        });
    });
}
