//! What the UI asks for (`Command`) and what workers report (`Event`). The UI
//! only pushes commands; `app.rs` applies them and the events in one place.

use std::path::PathBuf;
use std::sync::Arc;

use crate::domain::segment_draft::Draft;
use crate::domain::{
    ContactColumn, ContactDetail, ContactId, ContactRow, ImportRunId, WorkspaceSummary,
};
use crate::import::events::EventTarget;
use crate::import::mapping::Target;
use crate::import::orders::OrderTarget;
use crate::import::values::DateOrder;
use crate::import::{DuplicatePolicy, ImportKind, ImportPreview};
use crate::jobs::Progress;
use crate::state::{ImportOutcome, ImportStep, Screen, SegmentRow, ThemeChoice};
use crate::store::{Explanation, Overlap, SegmentCatalog, SegmentCounts};

/// A request from the UI. Applied after the frame that emitted it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Navigate(Screen),
    /// Replace the contacts search text (runs the search, debounced).
    SetSearch(String),
    /// Sort on a column; on the current sort column this flips the direction.
    SortBy(ContactColumn),
    /// Rows of this page of the current list are needed for display.
    LoadPage(usize),
    SelectContact(Option<ContactId>),
    ToggleColumn(ContactColumn),
    /// Ask the user for a path with a file dialog, then act on it.
    PickFile(FileAction),
    /// Act on a path the user chose.
    FileChosen(FileAction, PathBuf),
    CancelJob,
    SetTheme(ThemeChoice),
    DismissNotice,
    /// Open the import wizard, on a file if one was dropped.
    ImportOpen(Option<PathBuf>),
    ImportClose,
    ImportSetPath(String),
    ImportSetKind(ImportKind),
    /// Read the chosen file again with the current options.
    ImportLoadPreview,
    ImportSetEncoding(Option<String>),
    ImportSetDelimiter(Option<u8>),
    ImportSetSheet(Option<String>),
    /// Map column `usize` of a contacts file to a target.
    ImportSetTarget(usize, Target),
    /// Map column `usize` of an orders file to a target.
    ImportSetOrderTarget(usize, OrderTarget),
    /// Map column `usize` of an events file to a target.
    ImportSetEventTarget(usize, EventTarget),
    ImportSetPolicy(DuplicatePolicy),
    ImportSetDateOrder(Option<DateOrder>),
    ImportSetResubscribe(bool),
    ImportSetEventKind(String),
    ImportGo(ImportStep),
    ImportRun,
    ImportUndo,
    /// Undo a finished import from the history (only the newest can be).
    ImportUndoRun(crate::domain::ImportRunId),
    /// Count the saved segments again.
    RefreshSegments,
    /// Start an empty segment in the builder.
    SegmentNew,
    /// Start from one of the ready-made segments (`STARTERS[i]`).
    SegmentStarter(usize),
    /// Open a saved segment in the builder.
    SegmentOpen(String),
    /// The builder's tree after an edit. Edits with the same coalesce key in
    /// a row (typing in one box) undo as one, and count after a pause.
    SegmentEdit {
        draft: Box<Draft>,
        coalesce: Option<String>,
    },
    SegmentUndo,
    SegmentRedo,
    SegmentSave,
    SegmentDuplicate,
    SegmentDelete,
    /// Bring back the segment deleted last.
    SegmentUndoDelete,
    /// Show this page of the member sample.
    SegmentPage(usize),
    SegmentSetExplain(String),
    /// Explain the contact with this email, customer ID or `#id`.
    SegmentExplain(String),
    /// Suggestions for a text field are wanted (by field name).
    SegmentWantValues(String),
    /// Add or remove a saved segment from the overlap comparison.
    SegmentToggleOverlap(String),
}

/// What a chosen file path is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAction {
    NewWorkspace,
    NewDemoWorkspace,
    OpenWorkspace,
    SaveCopy,
    /// The file to import.
    ImportFile,
    /// Where to save the rejected rows of the import just run.
    SaveRejects,
    /// Where to save the rejected rows of an earlier import.
    SaveRunRejects(ImportRunId),
    /// A `.segment.json` file to open in the builder.
    ImportSegment,
    /// Where to write the builder's segment as `.segment.json`.
    ExportSegment,
    /// Where to write the builder's segment's members as CSV.
    ExportMembers,
}

/// Which background job reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    CreateDemo,
    SaveCopy,
    Import,
    UndoImport,
    ExportMembers,
}

/// A report from a worker thread.
#[derive(Clone, Debug)]
pub enum Event {
    WorkspaceOpened(Box<WorkspaceSummary>),
    WorkspaceFailed {
        path: PathBuf,
        error: String,
    },
    ContactIds {
        generation: u64,
        ids: Arc<Vec<ContactId>>,
        elapsed_ms: u64,
    },
    ContactPage {
        generation: u64,
        page: usize,
        rows: Arc<Vec<ContactRow>>,
    },
    ContactDetail {
        id: ContactId,
        detail: Option<Box<ContactDetail>>,
    },
    /// A query failed (an interrupted, superseded query is not reported).
    QueryFailed {
        error: String,
    },
    Job {
        kind: JobKind,
        progress: Progress,
        path: PathBuf,
    },
    /// A file dialog closed; `None` when the user cancelled.
    DialogClosed {
        action: FileAction,
        path: Option<PathBuf>,
    },
    /// The workspace's counts and fields after a change.
    WorkspaceRefreshed(Box<WorkspaceSummary>),
    ImportPreviewed(Result<Box<ImportPreview>, String>),
    /// An import finished (its job reports `Finished` right after).
    ImportFinished(Box<ImportOutcome>),
    /// Something to tell the user.
    Notice {
        is_error: bool,
        text: String,
    },
    /// The saved segments, before they are counted.
    SegmentsListed(Vec<SegmentRow>),
    /// One saved segment's count.
    SegmentCounted {
        name: String,
        count: Result<i64, String>,
    },
    /// The builder's segment's member count.
    BuilderTotal {
        generation: u64,
        result: Result<i64, String>,
        elapsed_ms: u64,
    },
    /// The builder's segment counted condition by condition.
    BuilderCounted {
        generation: u64,
        result: Result<SegmentCounts, String>,
        elapsed_ms: u64,
    },
    /// A page of the builder's member sample.
    BuilderPage {
        generation: u64,
        page: usize,
        rows: Result<Vec<ContactRow>, String>,
    },
    BuilderExplained {
        generation: u64,
        result: Result<Box<(ContactRow, Explanation)>, String>,
    },
    SegmentCatalogLoaded(Box<SegmentCatalog>),
    /// Suggestions for a text field, most common first.
    FieldValues {
        key: String,
        values: Vec<(String, i64)>,
    },
    SegmentSaved {
        name: String,
        json: String,
        result: Result<(), String>,
    },
    /// A segment was deleted; its definition, for undo.
    SegmentDeleted {
        name: String,
        result: Result<String, String>,
    },
    OverlapCounted {
        generation: u64,
        result: Result<Overlap, String>,
    },
    /// A segment file was read for the builder.
    SegmentFileRead(Result<Box<serde_json::Value>, String>),
}
