//! Import of customer lists from real-world files: read (encoding,
//! delimiter, workbook sheets), map columns, validate and clean values,
//! dedupe within the file and against the workspace, honour consent, and
//! write everything in one transaction that can be undone.
//!
//! The pure parts (`read`, `mapping`, `values`, row parsing) are
//! separate from the job ([`import_contacts`]), which is a plain function
//! taking progress and a cancel token, run by the CLI and the studio alike.

pub mod events;
pub mod mapping;
pub mod orders;
pub mod read;
pub mod rows;
pub mod values;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::time::parse_time_zone;
use crate::domain::{Consent, ContactField, CustomFieldId, CustomValue, FieldKind};
use crate::jobs::{CancelToken, ProgressSink};
use crate::store::{ContactValues, ExistingContact, ImportTx, Store, StoreError};
use mapping::{Mapping, Target};
use read::{ReadOptions, SourceTable};
use rows::{Row, Rows};
use values::DateOrder;

/// Why an import could not run. Row-level problems are not errors: those
/// rows are rejected with a reason and the rest is imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error(
        "the file has no column with the contacts' email or customer ID (its columns are: {}); \
         map one with a mapping file",
        headers.join(", ")
    )]
    NoIdentity { headers: Vec<String> },
    #[error("the file has no column with {what} (its columns are: {}); map one with a mapping file", headers.join(", "))]
    MissingColumn { what: String, headers: Vec<String> },
    #[error("the mapping names column {column:?}, which the file does not have")]
    UnknownColumn { column: String },
    #[error(
        "column {column:?} has dates that read either way (e.g. {}); choose day-first or month-first",
        examples.join(", ")
    )]
    AmbiguousDates {
        column: String,
        examples: Vec<String>,
    },
    #[error("cannot write rejected rows to {path}: {reason}")]
    Rejects { path: PathBuf, reason: String },
    #[error("cancelled; the workspace was not changed")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to do with a row whose contact already exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicatePolicy {
    /// Non-blank values in the file overwrite the stored ones.
    #[default]
    Update,
    /// Only fields that are blank in the workspace are filled.
    FillBlanks,
    /// Existing contacts are left as they are (an unsubscribe still counts).
    Skip,
}

/// How to run a contacts import.
#[derive(Clone, Debug, Default)]
pub struct ContactImportOptions {
    pub read: ReadOptions,
    /// The column mapping; suggested from the headers when `None`.
    pub mapping: Option<Mapping>,
    /// Drop columns that match no contact field instead of creating custom
    /// fields for them.
    pub skip_unmapped: bool,
    pub on_duplicate: DuplicatePolicy,
    /// How dates that read both ways are read.
    pub date_order: Option<DateOrder>,
    /// The user confirmed that subscribed values in the file may turn
    /// unsubscribed contacts back into subscribed ones.
    pub allow_resubscribe: bool,
    /// "Now", for created and updated times.
    pub now: i64,
}

/// The outcome of an import. `rows` always equals `inserted + updated +
/// unchanged + duplicates_in_file + rejected`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub file: String,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub duplicates_in_file: u64,
    pub rejected: u64,
    /// Rows with no value at all, which are not counted as rows.
    pub blank_rows: u64,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
    pub custom_fields_created: Vec<String>,
    /// Contacts that stayed unsubscribed although the file said subscribed.
    pub resubscribes_blocked: u64,
    /// Values dropped or doubtful, with their line (at most 100 listed).
    pub warnings: Vec<String>,
    pub n_warnings: u64,
    /// The import run, for undo.
    pub run_id: i64,
    /// What each column was mapped to.
    pub mapping: Vec<(String, String)>,
}

impl ImportSummary {
    /// An empty summary for importing `table`, read from `path`.
    pub fn for_table(path: &Path, table: &SourceTable) -> Self {
        Self {
            file: file_name(path),
            rows: table.rows.len() as u64,
            blank_rows: table.blank_rows as u64,
            encoding: table.encoding.clone(),
            delimiter: table.delimiter.map(|d| match d {
                b'\t' => "tab".to_owned(),
                other => char::from(other).to_string(),
            }),
            sheet: table.sheet.clone(),
            ..Self::default()
        }
    }
}

/// How many rows the contacts importer's parsing thread hands over at once.
const PARSE_CHUNK: usize = 2048;

/// Rows of a text file the contacts importer reads before it knows whether
/// the rest can be read as the import goes (at least the rows
/// [`uses_decimal_comma`] looks at).
const HEAD_ROWS: usize = 1000;

/// Called for each item of an import's main loop: every 500 items it stops
/// the import if cancelled and reports progress over most of the job
/// (`total` may be an estimate).
pub(crate) fn checkpoint(
    index: usize,
    total: usize,
    what: &str,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<(), ImportError> {
    if index.is_multiple_of(500) {
        if cancel.is_cancelled() {
            return Err(ImportError::Cancelled);
        }
        let total = total.max(index + 1);
        progress.report_items((0.05, 0.95), index as u64, total as u64, what);
    }
    Ok(())
}

/// The file name of `path`, for summaries and the import log.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub use crate::domain::Reject;

/// What a column does, resolved against the workspace.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    Skip,
    Field(ContactField),
    FullName,
    Consent,
    OptOutTime,
    OptInTime,
    Tags,
    Custom(CustomFieldId, FieldKind),
}

impl Action {
    fn reads_dates(&self) -> bool {
        matches!(
            self,
            Self::Field(ContactField::Birthday | ContactField::CreatedAt)
                | Self::OptOutTime
                | Self::OptInTime
                | Self::Custom(_, FieldKind::Date)
        )
    }

    /// The contact fields this column can fill.
    fn fields(&self) -> Vec<ContactField> {
        match self {
            Self::Field(field) => vec![*field],
            Self::FullName => vec![ContactField::FirstName, ContactField::LastName],
            _ => Vec::new(),
        }
    }
}

/// A row turned into contact values, or the reason it cannot be.
#[derive(Clone, Debug, PartialEq)]
struct ParsedRow {
    pub line: usize,
    pub values: ContactValues,
    /// The key of its email, if it has one.
    pub email_key: Option<String>,
    pub warnings: Vec<String>,
}

/// Who a row is, for finding repeats within a file: its email key, or
/// its customer ID when it has no email.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Identity {
    Email(String),
    Customer(String),
}

/// Everything `parse_row` needs to know about the columns.
struct Plan {
    headers: Vec<String>,
    actions: Vec<Action>,
    date_orders: Vec<Option<DateOrder>>,
    decimal_comma: bool,
    tz: Tz,
    /// When consent without a time of its own counts as given.
    now: i64,
    file_consent: Option<Consent>,
}

/// The date order of each column that holds dates (`reads_dates[i]`): the
/// user's choice, else what the column's own unambiguous values show. A
/// column with ambiguous dates and no way to decide is an error.
pub(crate) fn resolve_date_orders(
    table: &SourceTable,
    reads_dates: &[bool],
    chosen: Option<DateOrder>,
) -> Result<Vec<Option<DateOrder>>, ImportError> {
    let mut orders = Vec::with_capacity(reads_dates.len());
    for (i, &dated) in reads_dates.iter().enumerate() {
        if !dated {
            orders.push(None);
            continue;
        }
        let column_values = || table.rows.column(i).map(values::clean_cell);
        let (mut day_first, mut month_first) = (false, false);
        for value in column_values() {
            match values::date_order_hint(value) {
                Some(DateOrder::DayFirst) => day_first = true,
                Some(DateOrder::MonthFirst) => month_first = true,
                None => {}
            }
        }
        let hinted = match (day_first, month_first) {
            (true, false) => Some(DateOrder::DayFirst),
            (false, true) => Some(DateOrder::MonthFirst),
            _ => None,
        };
        let order = chosen.or(hinted);
        if order.is_none() {
            let examples: Vec<String> = column_values()
                .filter(|v| values::is_ambiguous_date(v))
                .take(3)
                .map(str::to_owned)
                .collect();
            if !examples.is_empty() {
                return Err(ImportError::AmbiguousDates {
                    column: table.headers[i].clone(),
                    examples,
                });
            }
        }
        orders.push(order);
    }
    Ok(orders)
}

/// Each header's target in `mapping` (`skip` for headers it leaves out).
/// A mapping naming a column the file does not have is an error.
pub(crate) fn targets_by_header<T: Clone>(
    headers: &[String],
    mapping: &[(String, T)],
    skip: T,
) -> Result<Vec<T>, ImportError> {
    if let Some((column, _)) = mapping.iter().find(|(c, _)| !headers.contains(c)) {
        return Err(ImportError::UnknownColumn {
            column: column.clone(),
        });
    }
    Ok(headers
        .iter()
        .map(|h| {
            mapping
                .iter()
                .find(|(c, _)| c == h)
                .map_or_else(|| skip.clone(), |(_, t)| t.clone())
        })
        .collect())
}

/// Splits a tags cell on commas and semicolons, dropping stray quotes.
fn split_tags(cell: &str) -> Vec<String> {
    cell.split([',', ';'])
        .map(|t| t.trim().trim_matches('"').trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row as the parser hands it over.
enum Parsed {
    Row(ParsedRow),
    Rejected(String),
    /// The same contact as an earlier row, on this line.
    Duplicate(usize),
}

/// Parses a row and checks it against the rows before it (`seen`: each
/// identity's first line).
fn parse_new(plan: &Plan, row: Row<'_>, seen: &mut foldhash::HashMap<Identity, usize>) -> Parsed {
    match parse_row(plan, row) {
        Err(reason) => Parsed::Rejected(reason),
        Ok((parsed, identity)) => match seen.entry(identity) {
            std::collections::hash_map::Entry::Occupied(first) => Parsed::Duplicate(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(parsed.line);
                Parsed::Row(parsed)
            }
        },
    }
}

/// Rows parsed on the parsing thread, with the rows they came from.
struct Chunk {
    rows: Rows,
    parsed: Vec<Parsed>,
}

/// Where the parsing thread takes rows from: those read already, then,
/// if a text is still being read, its remaining records.
struct Feed<'a> {
    read: &'a Rows,
    next: usize,
    rest: Option<read::Records<'a>>,
}

impl Feed<'_> {
    /// Fills `rows` with the next rows, up to `n`; false when none are left.
    fn fill(&mut self, rows: &mut Rows, n: usize) -> Result<bool, String> {
        rows.clear();
        let end = self.read.len().min(self.next + n);
        for row in (self.next..end).map(|i| self.read.get(i)) {
            rows.push(row.line(), row.cells())?;
        }
        self.next = end;
        if let Some(rest) = &mut self.rest {
            rest.read_rows(rows, n - rows.len())?;
        }
        Ok(!rows.is_empty())
    }

    /// Blank records of the text read as the import went, if it was.
    fn blank_rows(&self) -> Option<usize> {
        self.rest.as_ref().map(read::Records::blank_rows)
    }
}

/// Reads the rest of a text still being read into `table`.
fn read_rest(table: &mut SourceTable, rest: &mut Option<read::Records<'_>>) -> Result<(), String> {
    if let Some(mut records) = rest.take() {
        records.read_rest(&mut table.rows)?;
        table.blank_rows = records.blank_rows();
    }
    Ok(())
}

/// Inserts the new contacts waiting in `pending` (indexes into `chunk`).
fn insert_pending(
    import: &mut ImportTx<'_>,
    chunk: &[Parsed],
    pending: &mut Vec<usize>,
) -> Result<(), ImportError> {
    if pending.is_empty() {
        return Ok(());
    }
    let rows: Vec<(&ContactValues, Option<&str>)> = pending
        .iter()
        .filter_map(|&k| match &chunk[k] {
            Parsed::Row(row) => Some((&row.values, row.email_key.as_deref())),
            _ => None,
        })
        .collect();
    import.insert_many(&rows)?;
    pending.clear();
    Ok(())
}

fn parse_row(plan: &Plan, row: Row<'_>) -> Result<(ParsedRow, Identity), String> {
    let line = row.line();
    let mut values = ContactValues::default();
    let mut warnings = Vec::new();
    let mut full_name = None;
    let mut consent_word = None;
    let mut opted_out_at = None;
    let mut opted_in_at = None;
    let mut damaged_customer_id = None;
    for (i, action) in plan.actions.iter().enumerate() {
        let value = values::clean_cell(row.cell(i));
        if value.is_empty() {
            continue;
        }
        let column = &plan.headers[i];
        let date = |value: &str| {
            values::parse_date(value, plan.date_orders[i]).map_err(|e| format!("{column}: {e}"))
        };
        match action {
            Action::Skip => {}
            Action::Field(field) => match field {
                ContactField::Email => {
                    if !values::is_valid_email(value) {
                        return Err(format!("{column}: {value:?} is not a valid email address"));
                    }
                    values.fields.push((*field, value.to_owned()));
                }
                ContactField::CustomerId | ContactField::Phone | ContactField::PostalCode
                    if values::is_scientific_notation(value) =>
                {
                    if *field == ContactField::CustomerId {
                        damaged_customer_id = Some(value.to_owned());
                    }
                    warnings.push(format!(
                        "line {line}: {column} {value:?} was turned into scientific notation by a \
                         spreadsheet; the real value is lost and was not imported"
                    ));
                }
                ContactField::Country => {
                    let code =
                        values::country_code(value).map_or_else(|| value.to_owned(), str::to_owned);
                    values.fields.push((*field, code));
                }
                ContactField::Birthday => {
                    values.fields.push((*field, date(value)?.date.to_string()));
                }
                ContactField::CreatedAt => values.created_at = Some(date(value)?.instant(plan.tz)),
                _ => values.fields.push((*field, value.to_owned())),
            },
            Action::FullName => full_name = Some(value.to_owned()),
            Action::Consent => {
                consent_word =
                    values::parse_consent(value).map_err(|e| format!("{column}: {e}"))?;
            }
            Action::OptOutTime => {
                let at = values::parse_date(value, plan.date_orders[i])
                    .ok()
                    .map(|d| d.instant(plan.tz));
                opted_out_at = Some(at);
            }
            Action::OptInTime => match values::parse_date(value, plan.date_orders[i]) {
                Ok(date) => opted_in_at = Some(date.instant(plan.tz)),
                Err(e) => warnings.push(format!(
                    "line {line}: {column} {value:?} is no time ({e}); consent given counts \
                     from the import"
                )),
            },
            Action::Tags => values.tags.extend(split_tags(value)),
            Action::Custom(field, kind) => {
                let parsed = match kind {
                    FieldKind::Text => Some(CustomValue::Text(value.to_owned())),
                    FieldKind::Number => {
                        values::parse_number(value, plan.decimal_comma).map(CustomValue::Number)
                    }
                    FieldKind::Bool => values::parse_bool(value).map(CustomValue::Bool),
                    FieldKind::Date => Some(CustomValue::Text(date(value)?.date.to_string())),
                };
                match parsed {
                    Some(parsed) => values.custom.push((*field, parsed)),
                    None => warnings.push(format!(
                        "line {line}: {column} {value:?} is not a {} and was not imported",
                        kind.as_str()
                    )),
                }
            }
        }
    }
    if let Some(full) = full_name {
        let has = |f| values.field(f).is_some();
        let (first, last) = values::split_name(&full);
        if !has(ContactField::FirstName) && !has(ContactField::LastName) {
            values
                .fields
                .extend(first.map(|v| (ContactField::FirstName, v)));
            values
                .fields
                .extend(last.map(|v| (ContactField::LastName, v)));
        }
    }
    // An opt-out time outranks any other consent information; an opt-in
    // time dates a subscription the file states.
    let dated = |consent| match (consent, opted_in_at) {
        (Consent::Subscribed, Some(at)) => (consent, at),
        _ => (consent, plan.now),
    };
    values.consent = match (opted_out_at, consent_word) {
        (Some(at), _) => Some((Consent::Unsubscribed, at.unwrap_or(plan.now))),
        (None, Some(consent)) => Some(dated(consent)),
        (None, None) => plan.file_consent.map(dated),
    };
    let email_key = values.field(ContactField::Email).map(values::email_key);
    let identity = if let Some(key) = &email_key {
        Identity::Email(key.clone())
    } else if let Some(id) = values.field(ContactField::CustomerId) {
        Identity::Customer(id.to_owned())
    } else if let Some(damaged) = damaged_customer_id {
        return Err(format!(
            "no email, and the customer ID {damaged:?} was damaged by a spreadsheet (scientific notation)"
        ));
    } else {
        return Err("no email address or customer ID".to_owned());
    };
    let parsed = ParsedRow {
        line,
        values,
        email_key,
        warnings,
    };
    Ok((parsed, identity))
}

/// Whether the file writes decimal commas: no comma delimiter, and numbers
/// like `261,96` in it.
pub(crate) fn uses_decimal_comma(table: &SourceTable) -> bool {
    table.delimiter.is_some_and(|d| d != b',')
        && table.rows.iter().take(200).any(|row| {
            row.cells().any(|c| {
                let c = c.trim();
                c.split_once(',').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && a.chars()
                            .all(|ch| ch.is_ascii_digit() || ch == '-' || ch == '.')
                        && (1..=3).contains(&b.len())
                        && b.chars().all(|ch| ch.is_ascii_digit())
                })
            })
        })
}

/// What an existing contact gets from a row under `policy`; `blocked` is
/// set when the row would have re-subscribed an unsubscribed contact.
pub fn changes_for(
    existing: &ExistingContact,
    row: &ContactValues,
    policy: DuplicatePolicy,
    allow_resubscribe: bool,
) -> (ContactValues, bool) {
    let mut changes = ContactValues::default();
    let mut blocked = false;
    if let Some((consent, at)) = row.consent {
        let allowed = match (existing.consent, consent) {
            (current, new) if current == new => false,
            // An unsubscribe is always honoured, whatever the policy.
            (_, Consent::Unsubscribed) => true,
            (Consent::Unsubscribed, Consent::Subscribed) => {
                blocked = !allow_resubscribe;
                allow_resubscribe && policy != DuplicatePolicy::Skip
            }
            (Consent::Unknown, _) => policy != DuplicatePolicy::Skip,
            _ => policy == DuplicatePolicy::Update,
        };
        if allowed {
            changes.consent = Some((consent, at));
        }
    }
    if policy == DuplicatePolicy::Skip {
        return (changes, blocked);
    }
    let overwrite = policy == DuplicatePolicy::Update;
    for (field, value) in &row.fields {
        match existing.fields.get(field) {
            None => changes.fields.push((*field, value.clone())),
            Some(current) if overwrite && current != value => {
                changes.fields.push((*field, value.clone()))
            }
            Some(_) => {}
        }
    }
    for tag in &row.tags {
        let known = existing
            .tags
            .iter()
            .chain(&changes.tags)
            .any(|t| t.eq_ignore_ascii_case(tag));
        if !known {
            changes.tags.push(tag.clone());
        }
    }
    for (field, value) in &row.custom {
        match existing.custom.get(field) {
            None => changes.custom.push((*field, value.clone())),
            Some(current) if overwrite && current != value => {
                changes.custom.push((*field, value.clone()))
            }
            Some(_) => {}
        }
    }
    (changes, blocked)
}

pub(crate) fn is_empty(changes: &ContactValues) -> bool {
    changes.fields.is_empty()
        && changes.consent.is_none()
        && changes.tags.is_empty()
        && changes.custom.is_empty()
        && changes.created_at.is_none()
}

pub(crate) const MAX_WARNINGS: usize = 100;

/// Imports contacts from `path` into `store`: one transaction, rolled back
/// on error or cancel. Returns the summary and the rejected rows.
pub fn import_contacts(
    store: &mut Store,
    path: &Path,
    options: &ContactImportOptions,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<(ImportSummary, Vec<Reject>, Vec<String>), ImportError> {
    let result = import_contacts_tx(store, path, options, progress, cancel);
    store.end_bulk_import();
    result
}

fn import_contacts_tx(
    store: &mut Store,
    path: &Path,
    options: &ContactImportOptions,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<(ImportSummary, Vec<Reject>, Vec<String>), ImportError> {
    progress.report(0.0, "Reading the file");
    let read_error = |reason| ImportError::Read {
        path: path.to_owned(),
        reason,
    };
    let bytes = read::read_file(path)?;
    let text = read::decode_text(&bytes, &options.read).map_err(read_error)?;
    // Of a text file, the header and the first rows are read now and the
    // rest while the import runs, on the parsing thread, unless something
    // needs every value first: the mapping (to infer a custom field's type)
    // or, below, the order of a date column's days and months.
    let (mut table, mut rest) = match &text {
        Some(text) => {
            let (table, rest) = text.read(HEAD_ROWS).map_err(read_error)?;
            (table, Some(rest))
        }
        None => (
            read::read_bytes(&bytes, &options.read).map_err(read_error)?,
            None,
        ),
    };
    let by_name = match &options.mapping {
        Some(mapping) => Some(mapping.clone()),
        None => mapping::suggest_by_name(&table.headers, options.skip_unmapped),
    };
    let mapping = match by_name {
        Some(mapping) => mapping,
        None => {
            read_rest(&mut table, &mut rest).map_err(read_error)?;
            mapping::suggest(&table.headers, &table.rows, options.skip_unmapped)
        }
    };
    // How many rows there are: those read, or about as many as the text
    // has lines while it is still being read.
    let rows_estimate = match &rest {
        Some(records) if !records.is_done() => records.rows_estimate().max(table.rows.len()),
        _ => table.rows.len(),
    };
    progress.report(0.02, "Preparing");
    for column in &mapping.columns {
        if !table.headers.contains(&column.column) {
            return Err(ImportError::UnknownColumn {
                column: column.column.clone(),
            });
        }
    }
    if !mapping.has_identity() {
        return Err(ImportError::NoIdentity {
            headers: table.headers.clone(),
        });
    }
    let tz = parse_time_zone(&store.settings()?.time_zone);
    let file_name = file_name(path);
    let mapping_json = serde_json::to_string(&mapping).unwrap_or_default();

    let mut summary = ImportSummary::for_table(path, &table);
    store.prepare_bulk_import(rows_estimate)?;
    let mut import = store.begin_import("contacts", &file_name, &mapping_json, options.now)?;
    let mut actions = Vec::with_capacity(table.headers.len());
    for header in &table.headers {
        let target = mapping.target(header).cloned().unwrap_or(Target::Skip);
        summary.mapping.push((header.clone(), target.describe()));
        actions.push(match target {
            Target::Skip => Action::Skip,
            Target::Field { field } => Action::Field(field),
            Target::FullName => Action::FullName,
            Target::Consent => Action::Consent,
            Target::OptOutTime => Action::OptOutTime,
            Target::OptInTime => Action::OptInTime,
            Target::Tags => Action::Tags,
            Target::Custom { name, kind } => {
                let (id, kind, created) = import.ensure_custom_field(&name, kind)?;
                if created {
                    summary.custom_fields_created.push(name);
                }
                Action::Custom(id, kind)
            }
        });
    }
    import.expect_fields(actions.iter().flat_map(Action::fields));
    import.expect_contacts(rows_estimate)?;
    let chosen_order = options
        .date_order
        .or(mapping.date_order.map(DateOrder::from));
    // A date column's order is decided by every value in it. (The actions
    // know, not the mapping: an existing custom field keeps its type.)
    let reads_dates: Vec<bool> = actions.iter().map(Action::reads_dates).collect();
    if chosen_order.is_none() && reads_dates.contains(&true) {
        read_rest(&mut table, &mut rest).map_err(read_error)?;
    }
    let date_orders = resolve_date_orders(&table, &reads_dates, chosen_order)?;
    let plan = Plan {
        headers: table.headers.clone(),
        decimal_comma: uses_decimal_comma(&table),
        actions,
        date_orders,
        tz,
        now: options.now,
        file_consent: mapping.file_consent,
    };

    let mut rejects = Vec::new();
    let mut feed = Feed {
        read: &table.rows,
        next: 0,
        rest,
    };
    let mut done = 0;
    // Rows are read (when not read already), parsed, validated and checked
    // for repeats on a second thread, a chunk at a time, while this one
    // looks contacts up and writes. Chunks go back to the parser to be
    // freed there (freeing another thread's allocations is slow) and their
    // row buffers reused. If this side stops (an error, a cancel), the
    // channels close and the parser stops too.
    let blank_rows = std::thread::scope(|scope| -> Result<Option<usize>, ImportError> {
        let (sender, parsed_chunks) = std::sync::mpsc::sync_channel::<Result<Chunk, String>>(32);
        let (recycle, used_chunks) = std::sync::mpsc::channel::<Chunk>();
        let plan = &plan;
        let width = table.headers.len();
        let parser = std::thread::Builder::new()
            .name("import-parse".to_owned())
            .spawn_scoped(scope, move || {
                let mut seen: foldhash::HashMap<Identity, usize> = HashMap::default();
                let mut spare = Vec::new();
                loop {
                    while let Ok(used) = used_chunks.try_recv() {
                        spare.push(used.rows);
                    }
                    let mut rows = spare.pop().unwrap_or_else(|| Rows::new(width));
                    let chunk = match feed.fill(&mut rows, PARSE_CHUNK) {
                        Ok(false) => break,
                        Ok(true) => Ok(Chunk {
                            parsed: rows
                                .iter()
                                .map(|row| parse_new(plan, row, &mut seen))
                                .collect(),
                            rows,
                        }),
                        Err(reason) => Err(reason),
                    };
                    let failed = chunk.is_err();
                    if sender.send(chunk).is_err() || failed {
                        break;
                    }
                }
                drop(sender);
                // Free what comes back until the writer is done.
                for used in used_chunks {
                    drop(used);
                }
                feed.blank_rows()
            })
            .map_err(|e| read_error(format!("cannot start the parsing thread: {e}")))?;
        for chunk in parsed_chunks {
            let chunk = chunk.map_err(read_error)?;
            // New contacts wait here to be inserted many at a time.
            let mut pending: Vec<usize> = Vec::with_capacity(chunk.parsed.len());
            for (k, (parsed, source)) in chunk.parsed.iter().zip(chunk.rows.iter()).enumerate() {
                checkpoint(done, rows_estimate, "Importing contacts", progress, cancel)?;
                done += 1;
                let mut reject = |reason: String, summary: &mut ImportSummary, duplicate: bool| {
                    if duplicate {
                        summary.duplicates_in_file += 1;
                    } else {
                        summary.rejected += 1;
                    }
                    rejects.push(Reject {
                        line: source.line(),
                        reason,
                        cells: source.to_vec(),
                    });
                };
                let row = match parsed {
                    Parsed::Row(row) => row,
                    Parsed::Rejected(reason) => {
                        reject(reason.clone(), &mut summary, false);
                        continue;
                    }
                    Parsed::Duplicate(first) => {
                        reject(format!("duplicate of line {first}"), &mut summary, true);
                        continue;
                    }
                };
                summary.n_warnings += row.warnings.len() as u64;
                for warning in &row.warnings {
                    if summary.warnings.len() < MAX_WARNINGS {
                        summary.warnings.push(warning.clone());
                    }
                }
                let customer_id = row.values.field(ContactField::CustomerId);
                let by_email = match &row.email_key {
                    Some(key) => import.find_by_email(key)?,
                    None => None,
                };
                let by_customer = match customer_id {
                    Some(id) => import.find_by_customer_id(id)?,
                    None => None,
                };
                let found = match (by_email, by_customer) {
                    (Some(a), Some(b)) if a != b => {
                        reject(
                            format!(
                                "customer ID {:?} belongs to another contact than email {:?}",
                                customer_id.unwrap_or_default(),
                                row.email_key.as_deref().unwrap_or_default()
                            ),
                            &mut summary,
                            false,
                        );
                        continue;
                    }
                    (Some(id), _) | (None, Some(id)) => id,
                    (None, None) => {
                        pending.push(k);
                        summary.inserted += 1;
                        continue;
                    }
                };
                // The contact may be one of those waiting.
                insert_pending(&mut import, &chunk.parsed, &mut pending)?;
                let existing = import.load(found)?;
                let (changes, blocked) = changes_for(
                    &existing,
                    &row.values,
                    options.on_duplicate,
                    options.allow_resubscribe,
                );
                if blocked {
                    summary.resubscribes_blocked += 1;
                }
                if is_empty(&changes) {
                    summary.unchanged += 1;
                } else {
                    import.update(&existing, &changes)?;
                    summary.updated += 1;
                }
            }
            insert_pending(&mut import, &chunk.parsed, &mut pending)?;
            // Freed by the parser; if it has stopped, freed here.
            let _ = recycle.send(chunk);
        }
        drop(recycle);
        parser
            .join()
            .map_err(|_| read_error("the parsing thread failed".to_owned()))
    })?;
    summary.rows = done as u64;
    summary.blank_rows = blank_rows.unwrap_or(table.blank_rows) as u64;
    if cancel.is_cancelled() {
        return Err(ImportError::Cancelled);
    }
    for reject in &rejects {
        import.reject(reject.line, &reject.reason, &reject.cells)?;
    }
    progress.report(0.97, "Saving");
    summary.run_id = import.run().0;
    let summary_json = serde_json::to_string(&summary).unwrap_or_default();
    import.commit(&summary_json, false)?;
    progress.report(1.0, "Done");
    Ok((summary, rejects, table.headers))
}

/// Writes rejected rows as CSV: line, reason, then the original columns.
pub fn write_rejects(
    path: &Path,
    headers: &[String],
    rejects: &[Reject],
) -> Result<(), ImportError> {
    let error = |e: &dyn std::fmt::Display| ImportError::Rejects {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut writer = csv::Writer::from_path(path).map_err(|e| error(&e))?;
    let mut header = vec!["line".to_owned(), "reason".to_owned()];
    header.extend(headers.iter().cloned());
    writer.write_record(&header).map_err(|e| error(&e))?;
    for reject in rejects {
        let mut record = vec![reject.line.to_string(), reject.reason.clone()];
        record.extend(reject.cells.iter().cloned());
        writer.write_record(&record).map_err(|e| error(&e))?;
    }
    writer.flush().map_err(|e| error(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContactId;

    fn existing(consent: Consent) -> ExistingContact {
        ExistingContact {
            id: ContactId(1),
            fields: HashMap::from([(ContactField::FirstName, "Ann".to_owned())]),
            consent,
            tags: vec!["VIP".to_owned()],
            custom: HashMap::new(),
        }
    }

    fn row(consent: Option<Consent>) -> ContactValues {
        ContactValues {
            fields: vec![
                (ContactField::FirstName, "Anna".into()),
                (ContactField::City, "Berlin".into()),
            ],
            consent: consent.map(|c| (c, 0)),
            tags: vec!["vip".into(), "new".into()],
            ..ContactValues::default()
        }
    }

    #[test]
    fn update_overwrites_fill_blanks_does_not() {
        let (changes, _) = changes_for(
            &existing(Consent::Unknown),
            &row(None),
            DuplicatePolicy::Update,
            false,
        );
        assert_eq!(changes.fields.len(), 2);
        assert_eq!(changes.tags, vec!["new".to_owned()]);
        let (changes, _) = changes_for(
            &existing(Consent::Unknown),
            &row(None),
            DuplicatePolicy::FillBlanks,
            false,
        );
        assert_eq!(
            changes.fields,
            vec![(ContactField::City, "Berlin".to_owned())]
        );
        let (changes, _) = changes_for(
            &existing(Consent::Unknown),
            &row(None),
            DuplicatePolicy::Skip,
            false,
        );
        assert!(is_empty(&changes));
    }

    #[test]
    fn unsubscribed_stays_unsubscribed_without_confirmation() {
        let sub = row(Some(Consent::Subscribed));
        let (changes, blocked) = changes_for(
            &existing(Consent::Unsubscribed),
            &sub,
            DuplicatePolicy::Update,
            false,
        );
        assert!(blocked);
        assert_eq!(changes.consent, None);
        let (changes, blocked) = changes_for(
            &existing(Consent::Unsubscribed),
            &sub,
            DuplicatePolicy::Update,
            true,
        );
        assert!(!blocked);
        assert_eq!(changes.consent, Some((Consent::Subscribed, 0)));
        // An unsubscribe is honoured even when existing contacts are skipped.
        let unsub = row(Some(Consent::Unsubscribed));
        let (changes, _) = changes_for(
            &existing(Consent::Subscribed),
            &unsub,
            DuplicatePolicy::Skip,
            false,
        );
        assert_eq!(changes.consent, Some((Consent::Unsubscribed, 0)));
        // No consent column: consent never changes.
        let (changes, _) = changes_for(
            &existing(Consent::Unsubscribed),
            &row(None),
            DuplicatePolicy::Update,
            true,
        );
        assert_eq!(changes.consent, None);
    }

    #[test]
    fn tags_split_and_lose_stray_quotes() {
        assert_eq!(
            split_tags("\"Lorem Editors\", vip;;b2b "),
            vec!["Lorem Editors", "vip", "b2b"]
        );
    }
}

/// What a file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    #[default]
    Contacts,
    Orders,
    Events,
}

impl ImportKind {
    /// Every kind, in the order the wizard offers them.
    pub const ALL: [Self; 3] = [Self::Contacts, Self::Orders, Self::Events];

    /// Sentence-case label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Contacts => "Contacts",
            Self::Orders => "Orders",
            Self::Events => "Events",
        }
    }
}

/// What the import wizard shows before anything is written: how the file
/// was read, its first rows, and the suggested mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportPreview {
    pub path: PathBuf,
    pub kind: ImportKind,
    pub file_kind: read::FileKind,
    pub encoding: String,
    pub had_bom: bool,
    pub delimiter: Option<u8>,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub headers: Vec<String>,
    /// The first rows, as read.
    pub first_rows: Vec<Vec<String>>,
    /// Up to three distinct non-blank values of each column.
    pub samples: Vec<Vec<String>>,
    pub n_rows: usize,
    pub blank_rows: usize,
    /// The contacts mapping (for contacts files).
    pub mapping: Mapping,
    /// Each column's role in an orders file (empty for other kinds).
    pub orders: Vec<(String, orders::OrderTarget)>,
    /// Each column's role in an events file (empty for other kinds).
    pub events: Vec<(String, events::EventTarget)>,
    /// Columns that hold dates reading either way, with examples, whatever
    /// they are mapped to: see [`ImportPreview::ambiguous_dates`].
    pub ambiguous: Vec<(usize, Vec<String>)>,
}

impl ImportPreview {
    /// Whether column `index` is read as dates.
    pub fn reads_dates(&self, index: usize) -> bool {
        match self.kind {
            ImportKind::Contacts => self
                .headers
                .get(index)
                .and_then(|h| self.mapping.target(h))
                .is_some_and(target_reads_dates),
            ImportKind::Orders => self.orders.get(index).is_some_and(|(_, t)| t.reads_dates()),
            ImportKind::Events => self.events.get(index).is_some_and(|(_, t)| t.reads_dates()),
        }
    }

    /// The columns read as dates whose values read both ways, with
    /// examples: the user must say which order they are in.
    pub fn ambiguous_dates(&self) -> Vec<(&str, &[String])> {
        self.ambiguous
            .iter()
            .filter(|(i, _)| self.reads_dates(*i))
            .map(|(i, examples)| (self.headers[*i].as_str(), examples.as_slice()))
            .collect()
    }

    /// Whether a column identifies contacts (an email or customer ID).
    pub fn has_identity(&self) -> bool {
        match self.kind {
            ImportKind::Contacts => self.mapping.has_identity(),
            ImportKind::Orders => self.orders.iter().any(|(_, t)| t.is_identity()),
            ImportKind::Events => self.events.iter().any(|(_, t)| t.is_identity()),
        }
    }

    /// The column an orders or events mapping still lacks besides the
    /// identity (as the importer would report it), with the kind of every
    /// event taken as given: the wizard asks for it when no column has it.
    pub fn missing_column(&self) -> Option<&'static str> {
        match self.kind {
            ImportKind::Contacts => None,
            ImportKind::Orders => {
                let targets: Vec<_> = self.orders.iter().map(|(_, t)| t.clone()).collect();
                orders::missing_column(&targets)
            }
            ImportKind::Events => {
                let roles: Vec<_> = self.events.iter().map(|(_, t)| *t).collect();
                events::missing_column(&roles, true)
            }
        }
    }

    /// Whether an events file has a column for the kind of each event.
    pub fn has_event_kind(&self) -> bool {
        self.events.iter().any(|(_, t)| {
            *t == events::EventTarget::Event {
                column: events::EventColumn::Kind,
            }
        })
    }
}

/// Whether a contacts target holds dates.
fn target_reads_dates(target: &Target) -> bool {
    matches!(
        target,
        Target::Field {
            field: ContactField::Birthday | ContactField::CreatedAt
        } | Target::OptOutTime
            | Target::OptInTime
            | Target::Custom {
                kind: FieldKind::Date,
                ..
            }
    )
}

/// The columns holding dates that nothing decides the order of, with
/// examples. Only columns whose first values look like dates are read.
fn ambiguous_date_columns(
    table: &SourceTable,
    samples: &[Vec<String>],
) -> Vec<(usize, Vec<String>)> {
    (0..table.headers.len())
        .filter(|&i| {
            samples.get(i).is_some_and(|s| {
                s.iter()
                    .any(|v| values::is_ambiguous_date(v) || values::parse_date(v, None).is_ok())
            })
        })
        .filter_map(|i| {
            let only: Vec<bool> = (0..table.headers.len()).map(|j| j == i).collect();
            match resolve_date_orders(table, &only, None) {
                Err(ImportError::AmbiguousDates { examples, .. }) => Some((i, examples)),
                _ => None,
            }
        })
        .collect()
}

/// Reads a file and suggests how to import it as `kind`.
pub fn build_preview(
    path: &Path,
    kind: ImportKind,
    read_options: &ReadOptions,
    mapping: Option<Mapping>,
) -> Result<ImportPreview, ImportError> {
    let table = read::read_path(path, read_options)?;
    let samples: Vec<Vec<String>> = (0..table.headers.len())
        .map(|i| {
            let mut seen: Vec<String> = Vec::new();
            for cell in table.rows.column(i) {
                let value = values::clean_cell(cell);
                if !value.is_empty() && !seen.iter().any(|s| s == value) {
                    seen.push(value.chars().take(60).collect());
                    if seen.len() == 3 {
                        break;
                    }
                }
            }
            seen
        })
        .collect();
    let mut preview_mapping = Mapping::default();
    let (mut order_targets, mut event_targets) = (Vec::new(), Vec::new());
    match kind {
        ImportKind::Contacts => {
            preview_mapping =
                mapping.unwrap_or_else(|| mapping::suggest(&table.headers, &table.rows, false));
        }
        ImportKind::Orders => order_targets = orders::suggest(&table.headers, &table.rows),
        ImportKind::Events => event_targets = events::suggest(&table.headers, &table.rows),
    }
    let ambiguous = ambiguous_date_columns(&table, &samples);
    Ok(ImportPreview {
        path: path.to_owned(),
        kind,
        file_kind: table.kind,
        encoding: table.encoding.clone(),
        had_bom: table.had_bom,
        delimiter: table.delimiter,
        sheet: table.sheet.clone(),
        sheets: table.sheets.clone(),
        first_rows: table.rows.iter().take(8).map(|row| row.to_vec()).collect(),
        samples,
        n_rows: table.rows.len(),
        blank_rows: table.blank_rows,
        ambiguous,
        headers: table.headers,
        mapping: preview_mapping,
        orders: order_targets,
        events: event_targets,
    })
}
