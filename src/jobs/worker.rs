//! The store worker: a named thread that owns the open workspace's
//! connection and answers the UI's queries, and the job runner for long work
//! (demo generation, saving a copy) on threads of their own.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{CancelToken, Progress, ProgressSink, spawn_named};
use crate::command::{Event, JobKind};
use crate::demo::{self, DemoError, DemoOptions};
use crate::domain::money::group_thousands;
use crate::domain::{ContactId, ContactQuery, ImportRunId, WorkspaceSettings};
use crate::import::events::{self, EventImportOptions, EventTarget};
use crate::import::mapping::Mapping;
use crate::import::orders::{self, OrderImportOptions, OrderTarget};
use crate::import::read::ReadOptions;
use crate::import::values::DateOrder;
use crate::import::{self, ContactImportOptions, DuplicatePolicy, ImportError, ImportKind, Reject};
use crate::state::ImportOutcome;
use crate::store::{Interrupter, Store, StoreError};

/// A request to the store worker.
#[derive(Clone, Debug)]
pub enum Request {
    Open {
        path: PathBuf,
    },
    Create {
        path: PathBuf,
        settings: WorkspaceSettings,
    },
    QueryContacts {
        generation: u64,
        query: ContactQuery,
    },
    FetchPage {
        generation: u64,
        page: usize,
        ids: Vec<ContactId>,
    },
    FetchDetail {
        id: ContactId,
    },
    /// Send the workspace's summary again (after an import, say).
    Refresh,
    Shutdown,
}

/// Sends events to the app and wakes its UI.
#[derive(Clone)]
pub struct Notifier {
    tx: Sender<Event>,
    repaint: Option<egui::Context>,
}

impl Notifier {
    /// A notifier that sends on `tx` and repaints `ctx` (if any).
    pub fn new(tx: Sender<Event>, repaint: Option<egui::Context>) -> Self {
        Self { tx, repaint }
    }

    /// Delivers an event; a closed app is not an error.
    pub fn send(&self, event: Event) {
        let _ = self.tx.send(event);
        if let Some(ctx) = &self.repaint {
            ctx.request_repaint();
        }
    }
}

/// The app's handle on the store worker.
pub struct StoreWorker {
    tx: Sender<Request>,
    interrupter: Arc<Mutex<Option<Interrupter>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StoreWorker {
    /// Starts the worker thread.
    pub fn start(notifier: Notifier) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let interrupter = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&interrupter);
        let thread = spawn_named("tailor-store", move || serve(&rx, &notifier, &shared))?;
        Ok(Self {
            tx,
            interrupter,
            thread: Some(thread),
        })
    }

    /// Queues a request.
    pub fn send(&self, request: Request) {
        let _ = self.tx.send(request);
    }

    /// Interrupts the query running now (a newer one supersedes it).
    pub fn interrupt(&self) {
        let guard = self
            .interrupter
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(interrupter) = guard.as_ref() {
            interrupter.interrupt();
        }
    }
}

impl Drop for StoreWorker {
    fn drop(&mut self) {
        self.interrupt();
        let _ = self.tx.send(Request::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(rx: &Receiver<Request>, notifier: &Notifier, interrupter: &Mutex<Option<Interrupter>>) {
    let mut store: Option<Store> = None;
    let mut generation = 0;
    while let Ok(first) = rx.recv() {
        // Take everything queued, so superseded work is skipped.
        let mut batch = vec![first];
        loop {
            match rx.try_recv() {
                Ok(request) => batch.push(request),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let last_query = batch
            .iter()
            .rposition(|r| matches!(r, Request::QueryContacts { .. }));
        let last_detail = batch
            .iter()
            .rposition(|r| matches!(r, Request::FetchDetail { .. }));
        for (i, request) in batch.into_iter().enumerate() {
            match request {
                Request::Shutdown => return,
                Request::Open { path } => {
                    let opened = Store::open(&path);
                    install(&mut store, opened, path, notifier, interrupter);
                }
                Request::Create { path, settings } => {
                    let created = Store::create(&path, &settings);
                    install(&mut store, created, path, notifier, interrupter);
                }
                Request::Refresh => {
                    if let Some(store) = &store {
                        match store.summary() {
                            Ok(summary) => {
                                notifier.send(Event::WorkspaceRefreshed(Box::new(summary)))
                            }
                            Err(e) => notifier.send(Event::QueryFailed {
                                error: e.to_string(),
                            }),
                        }
                    }
                }
                Request::QueryContacts {
                    generation: g,
                    query,
                } => {
                    generation = generation.max(g);
                    if Some(i) != last_query {
                        continue;
                    }
                    let Some(store) = &store else { continue };
                    let started = Instant::now();
                    match store.contact_ids(&query) {
                        Ok(ids) => notifier.send(Event::ContactIds {
                            generation: g,
                            ids: Arc::new(ids),
                            elapsed_ms: started.elapsed().as_millis() as u64,
                        }),
                        Err(StoreError::Interrupted) => {}
                        Err(e) => notifier.send(Event::QueryFailed {
                            error: e.to_string(),
                        }),
                    }
                }
                Request::FetchPage {
                    generation: g,
                    page,
                    ids,
                } => {
                    if g < generation {
                        continue;
                    }
                    let Some(store) = &store else { continue };
                    match store.contact_rows(&ids) {
                        Ok(rows) => notifier.send(Event::ContactPage {
                            generation: g,
                            page,
                            rows: Arc::new(rows),
                        }),
                        Err(StoreError::Interrupted) => {}
                        Err(e) => notifier.send(Event::QueryFailed {
                            error: e.to_string(),
                        }),
                    }
                }
                Request::FetchDetail { id } => {
                    if Some(i) != last_detail {
                        continue;
                    }
                    let Some(store) = &store else { continue };
                    // A search may interrupt this query; the detail is still wanted.
                    let detail = match store.contact_detail(id) {
                        Err(StoreError::Interrupted) => store.contact_detail(id),
                        other => other,
                    };
                    match detail {
                        Ok(detail) => notifier.send(Event::ContactDetail {
                            id,
                            detail: detail.map(Box::new),
                        }),
                        Err(StoreError::Interrupted) => {}
                        Err(e) => notifier.send(Event::QueryFailed {
                            error: e.to_string(),
                        }),
                    }
                }
            }
        }
    }
}

fn install(
    slot: &mut Option<Store>,
    opened: Result<Store, StoreError>,
    path: PathBuf,
    notifier: &Notifier,
    interrupter: &Mutex<Option<Interrupter>>,
) {
    match opened.and_then(|store| store.summary().map(|summary| (store, summary))) {
        Ok((store, summary)) => {
            *interrupter.lock().unwrap_or_else(PoisonError::into_inner) = Some(store.interrupter());
            *slot = Some(store);
            notifier.send(Event::WorkspaceOpened(Box::new(summary)));
        }
        Err(e) => notifier.send(Event::WorkspaceFailed {
            path,
            error: format!("{e:#}"),
        }),
    }
}

/// Runs `work` on a named job thread, reporting `Started`, its progress and
/// one final report. Returns the thread handle so it can be joined.
pub(crate) fn run_job(
    kind: JobKind,
    label: String,
    path: PathBuf,
    notifier: Notifier,
    cancel: CancelToken,
    work: impl FnOnce(&mut dyn ProgressSink, &CancelToken) -> Result<String, JobError> + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    spawn_named("tailor-job", move || {
        let send = |progress: Progress| {
            notifier.send(Event::Job {
                kind,
                progress,
                path: path.clone(),
            });
        };
        send(Progress::Started { label });
        // Throttle reports to about 20 a second.
        let mut last = Instant::now();
        let mut report = |fraction: f32, message: &str| {
            if last.elapsed().as_millis() >= 50 {
                last = Instant::now();
                send(Progress::Progress {
                    fraction,
                    message: message.to_owned(),
                });
            }
        };
        let outcome = work(&mut report, &cancel);
        send(match outcome {
            Ok(message) => Progress::Finished { message },
            Err(JobError::Cancelled) => Progress::Cancelled,
            Err(JobError::Failed(error)) => Progress::Failed { error },
        });
    })
}

/// How a job failed.
pub(crate) enum JobError {
    Cancelled,
    Failed(String),
}

/// Generates a demo workspace at `path` on a job thread.
pub fn spawn_create_demo(
    path: PathBuf,
    options: DemoOptions,
    notifier: Notifier,
    cancel: CancelToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let target = path.clone();
    let label = format!(
        "Creating demo workspace with {} contacts",
        group_thousands(options.n_contacts)
    );
    run_job(
        JobKind::CreateDemo,
        label,
        path,
        notifier,
        cancel,
        move |report, cancel| match demo::generate(&target, &options, report, cancel) {
            Ok((_, summary)) => Ok(format!(
                "Created a demo shop with {} contacts and {} orders",
                group_thousands(summary.contacts),
                group_thousands(summary.orders)
            )),
            Err(DemoError::Cancelled) => Err(JobError::Cancelled),
            Err(e) => Err(JobError::Failed(format!("{e:#}"))),
        },
    )
}

/// Writes a copy of the workspace at `source` to `dest` on a job thread.
pub fn spawn_save_copy(
    source: PathBuf,
    dest: PathBuf,
    notifier: Notifier,
    cancel: CancelToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let label = format!("Saving a copy to {}", dest.display());
    let target = dest.clone();
    run_job(
        JobKind::SaveCopy,
        label,
        dest,
        notifier,
        cancel,
        move |report, cancel| {
            let store = Store::open(&source).map_err(|e| JobError::Failed(format!("{e:#}")))?;
            match store.save_copy(&target, report, cancel) {
                Ok(()) => Ok(format!("Saved a copy to {}", target.display())),
                Err(StoreError::Cancelled) => Err(JobError::Cancelled),
                Err(e) => Err(JobError::Failed(format!("{e:#}"))),
            }
        },
    )
}

/// Reads a file for the import wizard on a named thread.
pub fn spawn_import_preview(
    path: PathBuf,
    kind: ImportKind,
    read: ReadOptions,
    notifier: Notifier,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    spawn_named("tailor-preview", move || {
        let preview = import::build_preview(&path, kind, &read, None)
            .map(Box::new)
            .map_err(|e| format!("{e:#}"));
        notifier.send(Event::ImportPreviewed(preview));
    })
}

/// What an import job needs.
#[derive(Clone, Debug)]
pub struct ImportJob {
    pub workspace: PathBuf,
    pub file: PathBuf,
    pub kind: ImportKind,
    pub read: ReadOptions,
    pub mapping: Mapping,
    /// Column roles of an orders file.
    pub orders: Vec<(String, OrderTarget)>,
    /// Column roles of an events file.
    pub events: Vec<(String, EventTarget)>,
    pub policy: DuplicatePolicy,
    pub date_order: Option<DateOrder>,
    pub allow_resubscribe: bool,
    pub event_kind: Option<String>,
    pub now: i64,
}

/// Runs an import on a job thread; the outcome arrives as
/// `Event::ImportFinished`, then the job's final progress report.
pub fn spawn_import(
    job: ImportJob,
    notifier: Notifier,
    cancel: CancelToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let label = format!("Importing {}", job.file.display());
    let events = notifier.clone();
    let workspace = job.workspace.clone();
    run_job(
        JobKind::Import,
        label,
        workspace,
        notifier,
        cancel,
        move |report, cancel| {
            let failed = |e: &dyn std::fmt::Display| JobError::Failed(format!("{e:#}"));
            let mut store = Store::open(&job.workspace).map_err(|e| failed(&e))?;
            let result = match job.kind {
                ImportKind::Contacts => {
                    let options = ContactImportOptions {
                        read: job.read.clone(),
                        mapping: Some(job.mapping.clone()),
                        skip_unmapped: false,
                        on_duplicate: job.policy,
                        date_order: job.date_order,
                        allow_resubscribe: job.allow_resubscribe,
                        now: job.now,
                    };
                    import::import_contacts(&mut store, &job.file, &options, report, cancel)
                        .map(|(summary, rejects, headers)| (summary, None, rejects, headers))
                }
                ImportKind::Orders => {
                    let options = OrderImportOptions {
                        read: job.read.clone(),
                        mapping: Some(job.orders.clone()),
                        date_order: job.date_order,
                        now: job.now,
                    };
                    orders::import_orders(&mut store, &job.file, &options, report, cancel).map(
                        |(s, rejects, headers)| {
                            let counts = (
                                s.orders_inserted,
                                s.orders_existing,
                                s.items_inserted,
                                s.contacts_created,
                            );
                            (s.base, Some(counts), rejects, headers)
                        },
                    )
                }
                ImportKind::Events => {
                    let options = EventImportOptions {
                        read: job.read.clone(),
                        mapping: Some(job.events.clone()),
                        kind: job.event_kind.clone(),
                        date_order: job.date_order,
                        now: job.now,
                    };
                    events::import_events(&mut store, &job.file, &options, report, cancel)
                        .map(|(summary, rejects, headers)| (summary, None, rejects, headers))
                }
            };
            match result {
                Ok((summary, orders, rejects, headers)) => {
                    let message = format!(
                        "Imported {}: {} inserted, {} updated, {} rejected",
                        summary.file,
                        group_thousands(summary.inserted),
                        group_thousands(summary.updated),
                        group_thousands(summary.rejected)
                    );
                    events.send(Event::ImportFinished(Box::new(ImportOutcome {
                        summary,
                        orders,
                        rejects: Arc::new(rejects),
                        headers,
                        undone: false,
                    })));
                    Ok(message)
                }
                Err(ImportError::Cancelled) => Err(JobError::Cancelled),
                Err(e) => Err(failed(&e)),
            }
        },
    )
}

/// Undoes an import on a job thread.
pub fn spawn_undo_import(
    workspace: PathBuf,
    run: ImportRunId,
    notifier: Notifier,
    cancel: CancelToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let label = format!("Undoing import {run}");
    run_job(
        JobKind::UndoImport,
        label,
        workspace.clone(),
        notifier,
        cancel,
        move |_, _| {
            let mut store =
                Store::open(&workspace).map_err(|e| JobError::Failed(format!("{e:#}")))?;
            let (removed, restored) = store
                .undo_import(run)
                .map_err(|e| JobError::Failed(format!("{e:#}")))?;
            Ok(format!(
                "Undid the import: removed {} contacts and restored {}",
                group_thousands(removed),
                group_thousands(restored)
            ))
        },
    )
}

/// Where the rejected rows to save come from.
pub enum RejectsSource {
    /// The import just run: its file's headers and rows.
    Outcome(Vec<String>, Arc<Vec<Reject>>),
    /// An earlier import, read back from the workspace.
    Run(PathBuf, ImportRunId),
}

/// Writes rejected rows to `path` as CSV on a thread of its own; the
/// outcome arrives as a notice.
pub fn spawn_write_rejects(
    path: PathBuf,
    source: RejectsSource,
    notifier: Notifier,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    spawn_named("tailor-rejects", move || {
        let written = match source {
            RejectsSource::Outcome(headers, rejects) => {
                import::write_rejects(&path, &headers, &rejects).map(|()| rejects.len())
            }
            RejectsSource::Run(workspace, run) => Store::open(&workspace)
                .and_then(|store| store.import_rejects(run))
                .map_err(|e| ImportError::Rejects {
                    path: path.clone(),
                    reason: e.to_string(),
                })
                .and_then(|(headers, rejects)| {
                    import::write_rejects(&path, &headers, &rejects).map(|()| rejects.len())
                }),
        };
        let event = match written {
            Ok(n) => Event::Notice {
                is_error: false,
                text: format!(
                    "Saved {} to {}",
                    crate::domain::money::rows(n as u64),
                    path.display()
                ),
            },
            Err(e) => Event::Notice {
                is_error: true,
                text: format!("{e:#}"),
            },
        };
        notifier.send(event);
    })
}
