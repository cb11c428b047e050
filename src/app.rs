//! The eframe app: drains worker events (`logic`), draws the screens (`ui`),
//! and applies the commands the UI emitted. This is the one place where
//! `AppState` changes.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::command::{Command, Event, FileAction, JobKind};
use crate::demo::DemoOptions;
use crate::domain::time::system_time_zone;
use crate::domain::{ContactQuery, SortSpec, WorkspaceSettings};
use crate::jobs::worker::{self, Notifier, Request, StoreWorker};
use crate::jobs::{CancelToken, Progress, spawn_named};
use crate::state::{
    AppState, ContactsView, JobStatus, Notice, PAGE_SIZE, Preferences, ThemeChoice,
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
        let mut app = Self {
            state: AppState::new(prefs, today),
            worker,
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
            Command::Navigate(screen) => self.state.screen = screen,
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
        if self.state.job.is_some() {
            self.notice(
                true,
                "Another job is running; wait for it or cancel it first",
            );
            return;
        }
        let cancel = CancelToken::new();
        match worker::spawn_create_demo(path, options, self.notifier.clone(), cancel.clone()) {
            Ok(thread) => {
                self.job_thread = Some(thread);
                self.state.job = Some(JobStatus {
                    kind: JobKind::CreateDemo,
                    label: "Creating demo workspace".to_owned(),
                    fraction: 0.0,
                    message: String::new(),
                    cancel,
                });
            }
            Err(e) => self.notice(true, format!("Could not start the job: {e}")),
        }
    }

    fn pick_file(&mut self, action: FileAction) {
        if self.dialog_open {
            return;
        }
        self.dialog_open = true;
        let notifier = self.notifier.clone();
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
            };
            notifier.send(Event::DialogClosed { action, path });
        });
        if let Err(e) = spawned {
            self.dialog_open = false;
            self.notice(true, format!("Could not open a file dialog: {e}"));
        }
    }

    fn file_chosen(&mut self, action: FileAction, path: PathBuf) {
        let path = with_tailor_extension(path, action);
        match action {
            FileAction::OpenWorkspace => self.open(path),
            FileAction::NewWorkspace => {
                let name = path.file_stem().map_or_else(
                    || "Workspace".to_owned(),
                    |s| s.to_string_lossy().into_owned(),
                );
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
                if self.state.job.is_some() {
                    self.notice(
                        true,
                        "Another job is running; wait for it or cancel it first",
                    );
                    return;
                }
                let cancel = CancelToken::new();
                match worker::spawn_save_copy(source, path, self.notifier.clone(), cancel.clone()) {
                    Ok(thread) => {
                        self.job_thread = Some(thread);
                        self.state.job = Some(JobStatus {
                            kind: JobKind::SaveCopy,
                            label: "Saving a copy".to_owned(),
                            fraction: 0.0,
                            message: String::new(),
                            cancel,
                        });
                    }
                    Err(e) => self.notice(true, format!("Could not start the job: {e}")),
                }
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
        match event {
            Event::WorkspaceOpened(summary) => {
                self.state.opening = None;
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
            Event::DialogClosed { action, path } => {
                self.dialog_open = false;
                if let Some(path) = path {
                    self.file_chosen(action, path);
                }
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
                if kind == JobKind::CreateDemo {
                    self.open(path.to_owned());
                }
            }
            Progress::Failed { error } => self.notice(true, error),
            Progress::Cancelled => self.notice(false, "Cancelled; nothing was changed"),
        }
    }

    /// The preferences to persist.
    pub fn prefs(&self) -> &Preferences {
        &self.state.prefs
    }
}

/// Adds `.tailor` to a workspace path chosen for writing without one.
fn with_tailor_extension(path: PathBuf, action: FileAction) -> PathBuf {
    if action != FileAction::OpenWorkspace && path.extension().is_none() {
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
