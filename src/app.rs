//! The eframe app: drains worker events (`logic`), draws the screens (`ui`),
//! and applies the commands the UI emitted. This is the one place where
//! `AppState` changes.

mod segments;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::command::{Command, Event, FileAction, JobKind};
use crate::demo::DemoOptions;
use crate::domain::ImportRunId;
use crate::domain::time::system_time_zone;
use crate::domain::{ContactQuery, SortSpec, WorkspaceSettings};
use crate::jobs::segments::SegmentWorker;
use crate::jobs::worker::{self, Notifier, Request, StoreWorker};
use crate::jobs::{CancelToken, Progress, spawn_named};
use crate::state::{
    AppState, ContactsView, ImportStep, ImportWizard, JobStatus, Notice, PAGE_SIZE, Preferences,
    Screen, ThemeChoice,
};

/// The eframe storage key of [`Preferences`].
pub const PREFS_KEY: &str = "tailor.prefs";

/// What the app does when it starts.
#[derive(Clone, Debug)]
pub enum Startup {
    /// Open this workspace.
    Open(PathBuf),
    /// Generate a demo workspace here, then open it.
    CreateDemo(PathBuf, DemoOptions),
    /// Start with no workspace.
    Empty,
}

/// How many pages of rows stay cached around the visible part of the list.
const MAX_CACHED_PAGES: usize = 40;

/// The Tailor studio.
pub struct TailorApp {
    state: AppState,
    worker: StoreWorker,
    segment_worker: SegmentWorker,
    /// Fields whose suggestions were asked for.
    values_requested: HashSet<String>,
    notifier: Notifier,
    events: Receiver<Event>,
    commands: Vec<Command>,
    /// The generation the shown ids belong to; page fetches use it.
    ids_generation: u64,
    job_thread: Option<std::thread::JoinHandle<()>>,
    dialog_open: bool,
    applied_theme: Option<ThemeChoice>,
}

impl TailorApp {
    /// Starts the store worker and acts on `startup`.
    pub fn new(
        ctx: &egui::Context,
        prefs: Preferences,
        today: NaiveDate,
        startup: Startup,
    ) -> std::io::Result<Self> {
        crate::ui::theme::install(ctx);
        let (tx, events) = std::sync::mpsc::channel();
        let notifier = Notifier::new(tx, Some(ctx.clone()));
        let worker = StoreWorker::start(notifier.clone())?;
        let segment_worker = SegmentWorker::start(notifier.clone())?;
        let mut state = AppState::new(prefs, today);
        state.builder = segments::fresh_builder();
        let mut app = Self {
            state,
            worker,
            segment_worker,
            values_requested: HashSet::new(),
            notifier,
            events,
            commands: Vec::new(),
            ids_generation: 0,
            job_thread: None,
            dialog_open: false,
            applied_theme: None,
        };
        match startup {
            Startup::Open(path) => app.open(path),
            Startup::CreateDemo(path, options) => app.create_demo(path, options),
            Startup::Empty => {}
        }
        Ok(app)
    }

    /// The state the UI draws.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Applies every event the workers have sent so far.
    pub fn handle_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.on_event(event);
        }
    }

    /// Waits up to `timeout` for worker events until `done` holds; returns
    /// whether it does. For tests and headless benchmarks.
    pub fn wait_until(&mut self, timeout: Duration, done: impl Fn(&AppState) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        self.handle_events();
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => self.on_event(event),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    return done(&self.state);
                }
            }
        }
        true
    }

    /// Draws one frame and applies the commands it emitted.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        self.handle_events();
        self.apply_theme(ui.ctx());
        crate::ui::root_ui(ui, &self.state, &mut self.commands);
        for command in std::mem::take(&mut self.commands) {
            self.apply(command);
        }
        self.segment_tick(ui.ctx());
    }

    fn apply_theme(&mut self, ctx: &egui::Context) {
        if self.applied_theme != Some(self.state.prefs.theme) {
            self.applied_theme = Some(self.state.prefs.theme);
            ctx.set_theme(match self.state.prefs.theme {
                ThemeChoice::System => egui::ThemePreference::System,
                ThemeChoice::Light => egui::ThemePreference::Light,
                ThemeChoice::Dark => egui::ThemePreference::Dark,
            });
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Navigate(screen) => {
                self.state.screen = screen;
                if screen == Screen::Segments {
                    self.count_segments();
                    if self.state.builder.generation == 0 {
                        self.builder_changed(false);
                    }
                }
            }
            Command::RefreshSegments => self.count_segments(),
            Command::SetSearch(text) => {
                if text != self.state.contacts.search {
                    self.state.contacts.search = text;
                    self.query_contacts();
                }
            }
            Command::SortBy(column) => {
                let sort = &mut self.state.contacts.sort;
                *sort = if sort.column == column {
                    SortSpec {
                        column,
                        descending: !sort.descending,
                    }
                } else {
                    SortSpec {
                        column,
                        descending: column.is_numeric(),
                    }
                };
                self.query_contacts();
            }
            Command::LoadPage(page) => self.load_page(page),
            Command::SelectContact(id) => {
                let contacts = &mut self.state.contacts;
                contacts.selected = id;
                contacts.detail = None;
                contacts.detail_loading = id.is_some();
                if let Some(id) = id {
                    self.worker.send(Request::FetchDetail { id });
                }
            }
            Command::ToggleColumn(column) => {
                let columns = &mut self.state.prefs.visible_columns;
                if let Some(pos) = columns.iter().position(|c| *c == column) {
                    if columns.len() > 1 {
                        columns.remove(pos);
                    }
                } else {
                    columns.push(column);
                }
            }
            Command::PickFile(action) => self.pick_file(action),
            Command::FileChosen(action, path) => self.file_chosen(action, path),
            Command::CancelJob => {
                if let Some(job) = &self.state.job {
                    job.cancel.cancel();
                }
            }
            Command::SetTheme(theme) => self.state.prefs.theme = theme,
            Command::DismissNotice => self.state.notice = None,
            Command::SegmentNew
            | Command::SegmentStarter(_)
            | Command::SegmentOpen(_)
            | Command::SegmentEdit { .. }
            | Command::SegmentUndo
            | Command::SegmentRedo
            | Command::SegmentSave
            | Command::SegmentDuplicate
            | Command::SegmentDelete
            | Command::SegmentUndoDelete
            | Command::SegmentPage(_)
            | Command::SegmentSetExplain(_)
            | Command::SegmentExplain(_)
            | Command::SegmentWantValues(_)
            | Command::SegmentToggleOverlap(_) => self.apply_segment(command),
            other => self.apply_import(other),
        }
    }

    /// Applies the import wizard's commands.
    fn apply_import(&mut self, command: Command) {
        if let Command::ImportOpen(path) = command {
            if self.state.workspace.is_none() {
                self.notice(true, "Open a workspace before importing");
                return;
            }
            let mut wizard = ImportWizard::default();
            if let Some(path) = path {
                wizard.path_text = path.display().to_string();
            }
            let load = !wizard.path_text.is_empty();
            self.state.import = Some(wizard);
            if load {
                self.load_import_preview();
            }
            return;
        }
        let Some(wizard) = self.state.import.as_mut() else {
            return;
        };
        match command {
            // A running import is cancelled with its own button first.
            Command::ImportClose if wizard.step != ImportStep::Running => self.state.import = None,
            Command::ImportSetPath(text) => wizard.path_text = text,
            Command::ImportSetKind(kind) => {
                wizard.kind = kind;
                if wizard.preview.is_some() {
                    self.load_import_preview();
                }
            }
            Command::ImportLoadPreview => self.load_import_preview(),
            Command::ImportSetEncoding(encoding) => {
                wizard.read.encoding = encoding;
                self.load_import_preview();
            }
            Command::ImportSetDelimiter(delimiter) => {
                wizard.read.delimiter = delimiter;
                self.load_import_preview();
            }
            Command::ImportSetSheet(sheet) => {
                wizard.read.sheet = sheet;
                self.load_import_preview();
            }
            Command::ImportSetTarget(index, target) => {
                if let Some(column) = wizard
                    .preview
                    .as_mut()
                    .and_then(|p| p.mapping.columns.get_mut(index))
                {
                    column.target = target;
                }
            }
            Command::ImportSetOrderTarget(index, target) => {
                if let Some((_, column)) = wizard
                    .preview
                    .as_mut()
                    .and_then(|p| p.orders.get_mut(index))
                {
                    *column = target;
                }
            }
            Command::ImportSetEventTarget(index, target) => {
                if let Some((_, column)) = wizard
                    .preview
                    .as_mut()
                    .and_then(|p| p.events.get_mut(index))
                {
                    *column = target;
                }
            }
            Command::ImportSetPolicy(policy) => wizard.policy = policy,
            Command::ImportSetDateOrder(order) => wizard.date_order = order,
            Command::ImportSetResubscribe(allow) => wizard.allow_resubscribe = allow,
            Command::ImportSetEventKind(kind) => wizard.event_kind = kind,
            Command::ImportGo(step) => wizard.step = step,
            Command::ImportRun => self.run_import(),
            Command::ImportUndo => {
                let run = wizard
                    .outcome
                    .as_ref()
                    .filter(|o| !o.undone)
                    .map(|o| ImportRunId(o.summary.run_id));
                if let Some(run) = run {
                    self.undo_import(run);
                }
            }
            Command::ImportUndoRun(run) => self.undo_import(run),
            _ => {}
        }
    }

    /// Starts a background job unless one is running already (a second job
    /// is refused, never interleaved). `spawn` gets the notifier and the
    /// job's cancel token. Returns whether the job started.
    fn launch_job(
        &mut self,
        kind: JobKind,
        label: &str,
        spawn: impl FnOnce(Notifier, CancelToken) -> std::io::Result<std::thread::JoinHandle<()>>,
    ) -> bool {
        if self.state.job.is_some() {
            self.notice(
                true,
                "Another job is running; wait for it or cancel it first",
            );
            return false;
        }
        let cancel = CancelToken::new();
        match spawn(self.notifier.clone(), cancel.clone()) {
            Ok(thread) => {
                self.job_thread = Some(thread);
                self.state.job = Some(JobStatus {
                    kind,
                    label: label.to_owned(),
                    fraction: 0.0,
                    message: String::new(),
                    cancel,
                });
                true
            }
            Err(e) => {
                self.notice(true, format!("Could not start the job: {e}"));
                false
            }
        }
    }

    /// Undoes an import on a job thread (the workspace refreshes after).
    fn undo_import(&mut self, run: ImportRunId) {
        let Some(workspace) = self.state.workspace.as_ref().map(|w| w.path.clone()) else {
            return;
        };
        self.launch_job(
            JobKind::UndoImport,
            "Undoing the import",
            |notifier, cancel| worker::spawn_undo_import(workspace, run, notifier, cancel),
        );
    }

    /// Lists the saved segments and counts them off the UI thread, on the
    /// segments worker (whose columns in memory the builder shares).
    fn count_segments(&mut self) {
        if self.state.workspace.is_none() {
            return;
        }
        for row in &mut self.state.segments {
            row.count = None;
        }
        self.segment_worker
            .send(crate::jobs::segments::SegmentRequest::List {
                as_of: self.state.as_of(),
            });
    }

    fn load_import_preview(&mut self) {
        let Some(wizard) = self.state.import.as_mut() else {
            return;
        };
        let path = PathBuf::from(wizard.path_text.trim());
        if wizard.path_text.trim().is_empty() {
            wizard.error = Some("Choose a file to import".to_owned());
            return;
        }
        wizard.loading = true;
        wizard.error = None;
        let spawned = worker::spawn_import_preview(
            path,
            wizard.kind,
            wizard.read.clone(),
            self.notifier.clone(),
        );
        if let Err(e) = spawned {
            wizard.loading = false;
            wizard.error = Some(format!("Could not read the file: {e}"));
        }
    }

    fn run_import(&mut self) {
        let Some(workspace) = self.state.workspace.as_ref().map(|w| w.path.clone()) else {
            return;
        };
        let Some(wizard) = self.state.import.as_ref() else {
            return;
        };
        let Some(preview) = &wizard.preview else {
            return;
        };
        let job = worker::ImportJob {
            workspace,
            file: preview.path.clone(),
            kind: wizard.kind,
            read: wizard.read.clone(),
            mapping: preview.mapping.clone(),
            orders: preview.orders.clone(),
            events: preview.events.clone(),
            policy: wizard.policy,
            date_order: wizard.date_order,
            allow_resubscribe: wizard.allow_resubscribe,
            event_kind: Some(wizard.event_kind.trim().to_owned()).filter(|k| !k.is_empty()),
            now: chrono::Utc::now().timestamp(),
        };
        let started = self.launch_job(JobKind::Import, "Importing", |notifier, cancel| {
            worker::spawn_import(job, notifier, cancel)
        });
        if started && let Some(wizard) = self.state.import.as_mut() {
            wizard.step = ImportStep::Running;
            wizard.error = None;
        }
    }

    fn notice(&mut self, is_error: bool, text: impl Into<String>) {
        self.state.notice = Some(Notice {
            is_error,
            text: text.into(),
        });
    }

    fn open(&mut self, path: PathBuf) {
        self.state.opening = Some(path.clone());
        self.worker.send(Request::Open { path });
    }

    fn create_demo(&mut self, path: PathBuf, options: DemoOptions) {
        self.launch_job(
            JobKind::CreateDemo,
            "Creating demo workspace",
            |notifier, cancel| worker::spawn_create_demo(path, options, notifier, cancel),
        );
    }

    fn pick_file(&mut self, action: FileAction) {
        if self.dialog_open {
            return;
        }
        self.dialog_open = true;
        let notifier = self.notifier.clone();
        // File names suggested for the builder's segment.
        let suggested: String = self
            .state
            .builder
            .draft
            .name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
            .collect();
        let spawned = spawn_named("tailor-dialog", move || {
            let dialog = rfd::FileDialog::new().add_filter("Tailor workspace", &["tailor"]);
            let path = match action {
                FileAction::OpenWorkspace => dialog.set_title("Open workspace").pick_file(),
                FileAction::NewWorkspace => dialog
                    .set_title("New workspace")
                    .set_file_name("Workspace.tailor")
                    .save_file(),
                FileAction::NewDemoWorkspace => dialog
                    .set_title("New demo workspace")
                    .set_file_name("Demo shop.tailor")
                    .save_file(),
                FileAction::SaveCopy => dialog
                    .set_title("Save a copy")
                    .set_file_name("Copy.tailor")
                    .save_file(),
                FileAction::ImportFile => rfd::FileDialog::new()
                    .set_title("Import a file")
                    .add_filter(
                        "Spreadsheets and text",
                        &["csv", "tsv", "txt", "xlsx", "xls", "ods"],
                    )
                    .pick_file(),
                FileAction::SaveRejects | FileAction::SaveRunRejects(_) => rfd::FileDialog::new()
                    .set_title("Save rejected rows")
                    .add_filter("CSV", &["csv"])
                    .set_file_name("rejected rows.csv")
                    .save_file(),
                FileAction::ImportSegment => rfd::FileDialog::new()
                    .set_title("Open a segment file")
                    .add_filter("Segment file", &["json"])
                    .pick_file(),
                FileAction::ExportSegment => rfd::FileDialog::new()
                    .set_title("Export the segment")
                    .add_filter("Segment file", &["json"])
                    .set_file_name(format!("{suggested}.segment.json"))
                    .save_file(),
                FileAction::ExportMembers => rfd::FileDialog::new()
                    .set_title("Export the members")
                    .add_filter("CSV", &["csv"])
                    .set_file_name(format!("{suggested} members.csv"))
                    .save_file(),
            };
            notifier.send(Event::DialogClosed { action, path });
        });
        if let Err(e) = spawned {
            self.dialog_open = false;
            self.notice(true, format!("Could not open a file dialog: {e}"));
        }
    }

    fn save_rejects(&mut self, path: PathBuf, source: worker::RejectsSource) {
        if let Err(e) = worker::spawn_write_rejects(path, source, self.notifier.clone()) {
            self.notice(true, format!("Could not save the rows: {e}"));
        }
    }

    fn file_chosen(&mut self, action: FileAction, path: PathBuf) {
        let path = with_tailor_extension(path, action);
        match action {
            FileAction::ImportFile => {
                if let Some(wizard) = self.state.import.as_mut() {
                    wizard.path_text = path.display().to_string();
                    self.load_import_preview();
                }
            }
            FileAction::SaveRejects => {
                let outcome = self.state.import.as_ref().and_then(|w| w.outcome.as_ref());
                if let Some(outcome) = outcome {
                    let source = worker::RejectsSource::Outcome(
                        outcome.headers.clone(),
                        Arc::clone(&outcome.rejects),
                    );
                    self.save_rejects(path, source);
                }
            }
            FileAction::SaveRunRejects(run) => {
                if let Some(workspace) = self.state.workspace.as_ref() {
                    let source = worker::RejectsSource::Run(workspace.path.clone(), run);
                    self.save_rejects(path, source);
                }
            }
            FileAction::ImportSegment | FileAction::ExportSegment | FileAction::ExportMembers => {
                self.segment_file_chosen(action, path)
            }
            FileAction::OpenWorkspace => self.open(path),
            FileAction::NewWorkspace => {
                let name = WorkspaceSettings::name_for(&path);
                self.state.opening = Some(path.clone());
                let settings = WorkspaceSettings::new(&name, &system_time_zone());
                self.worker.send(Request::Create { path, settings });
            }
            FileAction::NewDemoWorkspace => {
                let options = DemoOptions {
                    n_contacts: DemoOptions::DEFAULT_CONTACTS,
                    seed: 1,
                    as_of: self.state.today,
                    time_zone: system_time_zone(),
                };
                self.create_demo(path, options);
            }
            FileAction::SaveCopy => {
                let Some(source) = self.state.workspace.as_ref().map(|w| w.path.clone()) else {
                    self.notice(true, "Open a workspace first");
                    return;
                };
                self.launch_job(JobKind::SaveCopy, "Saving a copy", |notifier, cancel| {
                    worker::spawn_save_copy(source, path, notifier, cancel)
                });
            }
        }
    }

    /// Starts a new contacts query for the current search and sort; the
    /// running one is interrupted and its answer dropped.
    fn query_contacts(&mut self) {
        if self.state.workspace.is_none() {
            return;
        }
        let contacts = &mut self.state.contacts;
        contacts.generation += 1;
        contacts.searching = true;
        let query = ContactQuery {
            search: contacts.search.clone(),
            sort: contacts.sort,
            as_of: Some(self.state.today),
        };
        self.worker.interrupt();
        self.worker.send(Request::QueryContacts {
            generation: contacts.generation,
            query,
        });
    }

    fn load_page(&mut self, page: usize) {
        let contacts = &mut self.state.contacts;
        let Some(ids) = &contacts.ids else { return };
        if contacts.pages.contains_key(&page) || contacts.pending_pages.contains(&page) {
            return;
        }
        let start = page * PAGE_SIZE;
        if start >= ids.len() {
            return;
        }
        let end = (start + PAGE_SIZE).min(ids.len());
        contacts.pending_pages.insert(page);
        self.worker.send(Request::FetchPage {
            generation: self.ids_generation,
            page,
            ids: ids[start..end].to_vec(),
        });
    }

    fn on_event(&mut self, event: Event) {
        let Some(event) = self.on_segment_event(event) else {
            return;
        };
        match event {
            Event::WorkspaceOpened(summary) => {
                self.state.opening = None;
                self.segments_workspace_opened(summary.path.clone());
                self.state.prefs.remember(summary.path.clone());
                self.state.workspace = Some(*summary);
                self.state.contacts = ContactsView {
                    sort: self.state.contacts.sort,
                    ..ContactsView::default()
                };
                self.ids_generation = 0;
                self.query_contacts();
            }
            Event::WorkspaceFailed { path, error } => {
                self.state.opening = None;
                if self.state.prefs.last_workspace.as_deref() == Some(path.as_path()) {
                    self.state.prefs.last_workspace = None;
                }
                self.notice(true, error);
            }
            Event::ContactIds {
                generation,
                ids,
                elapsed_ms,
            } => {
                let contacts = &mut self.state.contacts;
                if generation != contacts.generation {
                    return;
                }
                self.ids_generation = generation;
                contacts.ids = Some(ids);
                contacts.searching = false;
                contacts.query_ms = Some(elapsed_ms);
                contacts.pages.clear();
                contacts.pending_pages.clear();
            }
            Event::ContactPage {
                generation,
                page,
                rows,
            } => {
                if generation != self.ids_generation {
                    return;
                }
                let contacts = &mut self.state.contacts;
                contacts.pending_pages.remove(&page);
                contacts.pages.insert(page, rows);
                if contacts.pages.len() > MAX_CACHED_PAGES {
                    // Keep the pages nearest the one that just arrived.
                    let mut loaded: Vec<usize> = contacts.pages.keys().copied().collect();
                    loaded.sort_by_key(|p| p.abs_diff(page));
                    for far in loaded.into_iter().skip(MAX_CACHED_PAGES) {
                        contacts.pages.remove(&far);
                    }
                }
            }
            Event::ContactDetail { id, detail } => {
                let contacts = &mut self.state.contacts;
                if contacts.selected == Some(id) {
                    contacts.detail = detail;
                    contacts.detail_loading = false;
                }
            }
            Event::QueryFailed { error } => {
                self.state.contacts.searching = false;
                self.notice(true, error);
            }
            Event::Job {
                kind,
                progress,
                path,
            } => self.on_job(kind, progress, &path),
            Event::WorkspaceRefreshed(summary) => {
                self.state.workspace = Some(*summary);
                self.segments_data_changed();
                self.query_contacts();
                if let Some(id) = self.state.contacts.selected {
                    self.state.contacts.detail_loading = true;
                    self.worker.send(Request::FetchDetail { id });
                }
            }
            Event::ImportPreviewed(result) => {
                if let Some(wizard) = self.state.import.as_mut() {
                    wizard.loading = false;
                    match result {
                        Ok(preview) => {
                            wizard.read.sheet = preview.sheet.clone();
                            wizard.preview = Some(preview);
                            if wizard.step == ImportStep::File {
                                wizard.step = ImportStep::Preview;
                            }
                        }
                        Err(error) => wizard.error = Some(error),
                    }
                }
            }
            Event::ImportFinished(outcome) => {
                if let Some(wizard) = self.state.import.as_mut() {
                    wizard.outcome = Some(*outcome);
                    wizard.step = ImportStep::Done;
                }
            }
            Event::Notice { is_error, text } => self.notice(is_error, text),
            Event::SegmentsListed(rows) => self.state.segments = rows,
            Event::SegmentCounted { name, count } => {
                if let Some(row) = self.state.segments.iter_mut().find(|r| r.name == name) {
                    row.count = Some(count);
                }
            }
            Event::DialogClosed { action, path } => {
                self.dialog_open = false;
                if let Some(path) = path {
                    self.file_chosen(action, path);
                }
            }
            Event::BuilderTotal { .. }
            | Event::BuilderCounted { .. }
            | Event::BuilderPage { .. }
            | Event::BuilderExplained { .. }
            | Event::SegmentCatalogLoaded(_)
            | Event::FieldValues { .. }
            | Event::SegmentSaved { .. }
            | Event::SegmentDeleted { .. }
            | Event::OverlapCounted { .. }
            | Event::SegmentFileRead(_) => {
                unreachable!("on_segment_event handles the segment events")
            }
        }
    }

    fn on_job(&mut self, kind: JobKind, progress: Progress, path: &Path) {
        if progress.is_final() {
            self.state.job = None;
            if let Some(thread) = self.job_thread.take() {
                let _ = thread.join();
            }
        }
        match progress {
            Progress::Started { label } => {
                if let Some(job) = &mut self.state.job {
                    job.label = label;
                }
            }
            Progress::Progress { fraction, message } => {
                if let Some(job) = &mut self.state.job {
                    job.fraction = fraction;
                    job.message = message;
                }
            }
            Progress::Finished { message } => {
                self.notice(false, message);
                match kind {
                    JobKind::CreateDemo => self.open(path.to_owned()),
                    JobKind::Import => self.worker.send(Request::Refresh),
                    JobKind::UndoImport => {
                        if let Some(outcome) =
                            self.state.import.as_mut().and_then(|w| w.outcome.as_mut())
                        {
                            outcome.undone = true;
                        }
                        self.worker.send(Request::Refresh);
                    }
                    JobKind::SaveCopy | JobKind::ExportMembers => {}
                }
            }
            Progress::Failed { error } => {
                self.return_wizard_to_options(kind, Some(error.clone()));
                self.notice(true, error);
            }
            Progress::Cancelled => {
                self.return_wizard_to_options(kind, None);
                self.notice(false, "Cancelled; nothing was changed");
            }
        }
    }

    /// After a failed or cancelled import, the wizard goes back to its
    /// options with the error shown.
    fn return_wizard_to_options(&mut self, kind: JobKind, error: Option<String>) {
        if kind == JobKind::Import
            && let Some(wizard) = self.state.import.as_mut()
        {
            wizard.step = ImportStep::Options;
            wizard.error = error;
        }
    }

    /// The preferences to persist.
    pub fn prefs(&self) -> &Preferences {
        &self.state.prefs
    }
}

/// Adds `.tailor` to a workspace path chosen for writing without one.
fn with_tailor_extension(path: PathBuf, action: FileAction) -> PathBuf {
    let writes_workspace = matches!(
        action,
        FileAction::NewWorkspace | FileAction::NewDemoWorkspace | FileAction::SaveCopy
    );
    if writes_workspace && path.extension().is_none() {
        path.with_extension("tailor")
    } else {
        path
    }
}

impl Drop for TailorApp {
    fn drop(&mut self) {
        if let Some(job) = &self.state.job {
            job.cancel.cancel();
        }
        if let Some(thread) = self.job_thread.take() {
            let _ = thread.join();
        }
    }
}

impl eframe::App for TailorApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.handle_events();
        self.apply_theme(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.state.prefs);
    }
}

/// Decides what the studio opens: the workspace named on the command line,
/// else the last one used, else the demo workspace in the user's data
/// directory, generated on first launch.
pub fn startup_for(workspace: Option<PathBuf>, prefs: &Preferences, today: NaiveDate) -> Startup {
    if let Some(path) = workspace {
        return Startup::Open(path);
    }
    if let Some(path) = prefs.last_workspace.as_ref().filter(|p| p.is_file()) {
        return Startup::Open(path.clone());
    }
    let Some(dir) = eframe::storage_dir("Tailor") else {
        return Startup::Empty;
    };
    let demo = dir.join("Demo shop.tailor");
    if demo.is_file() {
        return Startup::Open(demo);
    }
    if std::fs::create_dir_all(&dir).is_err() {
        return Startup::Empty;
    }
    Startup::CreateDemo(
        demo,
        DemoOptions {
            n_contacts: DemoOptions::DEFAULT_CONTACTS,
            seed: 1,
            as_of: today,
            time_zone: system_time_zone(),
        },
    )
}
