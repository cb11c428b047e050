//! The state the UI reads. It changes only in `app.rs`, by applying commands
//! and worker events; UI code gets a shared reference.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use std::time::Instant;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::command::JobKind;
use crate::domain::segment::SegmentError;
use crate::domain::segment_draft::Draft;
use crate::domain::time::parse_time_zone;
use crate::domain::{
    ContactColumn, ContactDetail, ContactId, ContactRow, SortSpec, WorkspaceSummary,
};
use crate::import::read::ReadOptions;
use crate::import::values::DateOrder;
use crate::import::{DuplicatePolicy, ImportKind, ImportPreview, ImportSummary, Reject};
use crate::jobs::CancelToken;
use crate::store::{Explanation, Overlap, SegmentCatalog, SegmentCounts};

/// The screens of the left navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    Contacts,
    Segments,
    Templates,
    Preview,
    Experiments,
    Settings,
}

impl Screen {
    /// Every screen, in navigation order.
    pub const ALL: [Self; 6] = [
        Self::Contacts,
        Self::Segments,
        Self::Templates,
        Self::Preview,
        Self::Experiments,
        Self::Settings,
    ];

    /// The navigation label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Contacts => "Contacts",
            Self::Segments => "Segments",
            Self::Templates => "Templates",
            Self::Preview => "Preview",
            Self::Experiments => "Experiments",
            Self::Settings => "Settings",
        }
    }
}

/// The colour theme the user chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

/// The small set of preferences kept between runs (eframe storage). Domain
/// data never goes here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    pub last_workspace: Option<PathBuf>,
    /// Most recent first, at most `MAX_RECENT`.
    pub recent: Vec<PathBuf>,
    pub theme: ThemeChoice,
    pub visible_columns: Vec<ContactColumn>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            last_workspace: None,
            recent: Vec::new(),
            theme: ThemeChoice::System,
            visible_columns: ContactColumn::default_visible(),
        }
    }
}

impl Preferences {
    /// How many recent workspaces the File menu lists.
    pub const MAX_RECENT: usize = 8;

    /// Records `path` as the most recently opened workspace.
    pub fn remember(&mut self, path: PathBuf) {
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path.clone());
        self.recent.truncate(Self::MAX_RECENT);
        self.last_workspace = Some(path);
    }
}

/// A background job the status bar shows.
#[derive(Clone, Debug)]
pub struct JobStatus {
    pub kind: JobKind,
    pub label: String,
    pub fraction: f32,
    pub message: String,
    pub cancel: CancelToken,
}

/// A message shown in a banner until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub is_error: bool,
    pub text: String,
}

/// The steps of the import wizard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportStep {
    /// Choose the file and what it holds.
    #[default]
    File,
    /// Check how it was read.
    Preview,
    /// Check or change what each column becomes.
    Mapping,
    /// Duplicates, consent and dates.
    Options,
    /// The import runs.
    Running,
    /// What happened.
    Done,
}

/// The outcome of an import, for the wizard's last step.
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    pub summary: ImportSummary,
    /// Orders, lines and contacts created, for an orders import.
    pub orders: Option<(u64, u64, u64, u64)>,
    pub rejects: Arc<Vec<Reject>>,
    pub headers: Vec<String>,
    pub undone: bool,
}

/// The import wizard.
#[derive(Clone, Debug, Default)]
pub struct ImportWizard {
    pub step: ImportStep,
    pub kind: ImportKind,
    pub path_text: String,
    pub read: ReadOptions,
    pub preview: Option<Box<ImportPreview>>,
    /// A preview is being read.
    pub loading: bool,
    pub error: Option<String>,
    pub policy: DuplicatePolicy,
    pub date_order: Option<DateOrder>,
    pub allow_resubscribe: bool,
    /// The kind of every event, for event files without a kind column.
    pub event_kind: String,
    pub outcome: Option<ImportOutcome>,
}

/// Rows per page fetched from the store.
pub const PAGE_SIZE: usize = 100;

/// The contacts list: its query, the ordered ids, and the pages loaded so far.
#[derive(Clone, Debug, Default)]
pub struct ContactsView {
    pub search: String,
    pub sort: SortSpec,
    /// Increases with every new query; results of older ones are dropped.
    pub generation: u64,
    /// The ids of the current query, in order; `None` before the first answer.
    pub ids: Option<Arc<Vec<ContactId>>>,
    /// Whether a query newer than `ids` is running.
    pub searching: bool,
    pub query_ms: Option<u64>,
    pub pages: HashMap<usize, Arc<Vec<ContactRow>>>,
    pub pending_pages: HashSet<usize>,
    pub selected: Option<ContactId>,
    pub detail: Option<Box<ContactDetail>>,
    pub detail_loading: bool,
}

impl ContactsView {
    /// The row at `index` of the list, if its page is loaded.
    pub fn row(&self, index: usize) -> Option<&ContactRow> {
        self.pages
            .get(&(index / PAGE_SIZE))
            .and_then(|rows| rows.get(index % PAGE_SIZE))
    }

    /// The number of rows in the current list.
    pub fn n_rows(&self) -> usize {
        self.ids.as_ref().map_or(0, |ids| ids.len())
    }
}

/// Everything the UI reads.
#[derive(Clone, Debug)]
pub struct AppState {
    pub screen: Screen,
    pub workspace: Option<WorkspaceSummary>,
    /// Set while a workspace is being opened or created.
    pub opening: Option<PathBuf>,
    pub contacts: ContactsView,
    pub job: Option<JobStatus>,
    pub notice: Option<Notice>,
    pub import: Option<ImportWizard>,
    /// The saved segments and their counts, for the Segments screen.
    pub segments: Vec<SegmentRow>,
    /// The segment being built.
    pub builder: SegmentBuilder,
    /// Tags, event kinds and order properties the builder offers.
    pub catalog: SegmentCatalog,
    /// Suggested values of text fields, by field name.
    pub field_values: HashMap<String, Vec<(String, i64)>>,
    /// Saved segments picked for comparison, and their overlap.
    pub overlap: OverlapView,
    /// The segment deleted last (name, definition), until undone.
    pub deleted_segment: Option<(String, String)>,
    pub prefs: Preferences,
    /// The real date, used when the workspace pins no `as_of`.
    pub today: NaiveDate,
}

/// A saved segment on the Segments screen.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentRow {
    pub name: String,
    /// The saved definition.
    pub json: String,
    /// The plain-language read-back, or why the definition is invalid.
    pub description: String,
    /// `None` while counting.
    pub count: Option<Result<i64, String>>,
}

/// The segment builder: the tree being edited, its undo history, and what
/// the worker last said about it.
#[derive(Clone, Debug, Default)]
pub struct SegmentBuilder {
    pub draft: Draft,
    /// The saved segment this draft was opened from (`None` for a new one).
    pub saved_as: Option<String>,
    /// The JSON last saved or opened, to tell unsaved changes.
    pub saved_json: Option<serde_json::Value>,
    pub undo: Vec<(Draft, Option<String>)>,
    pub redo: Vec<(Draft, Option<String>)>,
    /// The coalesce key of the last edit.
    pub coalesce: Option<String>,
    /// Increases with every edit; answers about older trees are dropped.
    pub generation: u64,
    /// Why the draft is not a valid segment yet.
    pub error: Option<SegmentError>,
    /// The plain-language sentence of the valid draft.
    pub read_back: String,
    /// The member count (possibly of an older tree while `totalling`).
    pub total: Option<i64>,
    pub totalling: bool,
    /// How long the member count took.
    pub count_ms: Option<u64>,
    /// Every condition's count (possibly of an older tree while `counting`).
    pub counts: Option<SegmentCounts>,
    pub count_error: Option<String>,
    pub counting: bool,
    /// When a count is due after typing pauses.
    pub count_due: Option<Instant>,
    pub page: usize,
    pub sample: Option<Vec<ContactRow>>,
    pub sample_loading: bool,
    pub explain_text: String,
    pub explaining: bool,
    pub explanation: Option<Result<Box<(ContactRow, Explanation)>, String>>,
}

impl SegmentBuilder {
    /// Whether the draft differs from what was saved or opened.
    pub fn unsaved(&self) -> bool {
        self.saved_json.as_ref() != Some(&self.draft.to_json())
    }
}

/// Saved segments chosen for the overlap view.
#[derive(Clone, Debug, Default)]
pub struct OverlapView {
    pub names: Vec<String>,
    pub generation: u64,
    /// `matrix[i][j]`: contacts in both; and the number in any.
    pub result: Option<Result<Overlap, String>>,
}

impl AppState {
    /// A fresh state with the given preferences.
    pub fn new(prefs: Preferences, today: NaiveDate) -> Self {
        Self {
            screen: Screen::Contacts,
            workspace: None,
            opening: None,
            contacts: ContactsView::default(),
            job: None,
            notice: None,
            import: None,
            segments: Vec::new(),
            builder: SegmentBuilder::default(),
            catalog: SegmentCatalog::default(),
            field_values: HashMap::new(),
            overlap: OverlapView::default(),
            deleted_segment: None,
            prefs,
            today,
        }
    }

    /// The workspace's time zone (UTC with no workspace).
    pub fn time_zone(&self) -> Tz {
        self.workspace
            .as_ref()
            .map_or(Tz::UTC, |w| parse_time_zone(&w.settings.time_zone))
    }

    /// The date relative values count to: the workspace's pinned `as_of`,
    /// else today.
    pub fn as_of(&self) -> NaiveDate {
        self.workspace
            .as_ref()
            .and_then(|w| w.settings.as_of)
            .unwrap_or(self.today)
    }

    /// The visible columns that exist in this workspace.
    pub fn visible_columns(&self) -> Vec<ContactColumn> {
        self.prefs
            .visible_columns
            .iter()
            .copied()
            .filter(|column| match column {
                ContactColumn::Custom(id) => self
                    .workspace
                    .as_ref()
                    .is_some_and(|w| w.custom_fields.iter().any(|f| f.id == *id)),
                _ => true,
            })
            .collect()
    }

    /// The header of a column: built-in label or the custom field's name.
    pub fn column_label(&self, column: ContactColumn) -> String {
        match column {
            ContactColumn::Custom(id) => self
                .workspace
                .as_ref()
                .and_then(|w| w.custom_fields.iter().find(|f| f.id == id))
                .map_or_else(|| "Custom field".to_owned(), |f| f.name.clone()),
            _ => column.label().to_owned(),
        }
    }
}
