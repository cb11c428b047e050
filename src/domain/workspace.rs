//! Workspace-wide settings and the summary the status bar and `tailor info`
//! show.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::contact::CustomFieldDef;
use super::ids::ImportRunId;

/// Settings stored in the workspace's `settings` table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkspaceSettings {
    pub name: String,
    /// IANA time zone name; relative dates and day boundaries use it.
    pub time_zone: String,
    /// ISO 4217 code used for display when an amount has none.
    pub currency: String,
    /// BCP 47 locale for number and date display.
    pub locale: String,
    /// A pinned "today" for reproducible demos; `None` means the real date.
    pub as_of: Option<NaiveDate>,
}

impl WorkspaceSettings {
    /// Settings for a new workspace named `name` in time zone `time_zone`.
    pub fn new(name: &str, time_zone: &str) -> Self {
        Self {
            name: name.to_owned(),
            time_zone: time_zone.to_owned(),
            currency: "EUR".to_owned(),
            locale: "en".to_owned(),
            as_of: None,
        }
    }

    /// The name a new workspace at `path` gets unless given one: its
    /// file's name without the extension.
    pub fn name_for(path: &std::path::Path) -> String {
        path.file_stem().map_or_else(
            || "Workspace".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        )
    }
}

/// Row counts of the main tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WorkspaceCounts {
    pub contacts: i64,
    pub orders: i64,
    pub order_items: i64,
    pub events: i64,
    pub segments: i64,
    pub templates: i64,
}

/// What the app knows about the open workspace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkspaceSummary {
    pub path: PathBuf,
    pub schema_version: i64,
    pub settings: WorkspaceSettings,
    pub counts: WorkspaceCounts,
    pub custom_fields: Vec<CustomFieldDef>,
    /// Every recorded import, newest first.
    pub import_runs: Vec<ImportRun>,
}

/// A row an import turned away: its line in the file, why, and its cells.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reject {
    pub line: usize,
    pub reason: String,
    pub cells: Vec<String>,
}

/// One recorded import, for the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportRun {
    pub id: ImportRunId,
    /// `contacts`, `orders`, `events` or `demo`.
    pub kind: String,
    pub file_name: String,
    /// Seconds since the epoch.
    pub started_at: i64,
    /// `running`, `finished` or `undone`.
    pub status: String,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub rejected: u64,
    /// For order files.
    pub orders_inserted: Option<u64>,
    /// Rejected rows kept with the run.
    pub saved_rejects: i64,
    /// Whether it is the newest finished import: only that one can be
    /// undone, since later imports may have changed the same contacts.
    pub undoable: bool,
}
