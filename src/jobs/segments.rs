//! The segment worker: a named thread with its own connection to the open
//! workspace that answers the builder — live counts, member samples,
//! explain, overlap, suggestions — and saves or deletes segments. Counting
//! is kept apart from the contacts list's worker, so a slow count never
//! holds up scrolling, and a newer count interrupts an older one.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chrono::NaiveDate;

use super::worker::Notifier;
use super::{CancelToken, ProgressSink, spawn_named};
use crate::command::Event;
use crate::domain::segment::{self, FieldRef, Segment};
use crate::domain::{ContactId, ContactRow};
use crate::state::SegmentRow;
use crate::store::{Interrupter, Store, StoreError};

/// Members shown per page of the builder's sample.
pub const SAMPLE_PAGE: usize = 25;

/// How many suggestions a text field offers.
const SUGGESTIONS: usize = 40;

/// A request to the segment worker.
#[derive(Clone, Debug)]
pub enum SegmentRequest {
    Open(PathBuf),
    /// Count a segment, then send the first page of its members.
    Count {
        generation: u64,
        segment: Box<Segment>,
        as_of: NaiveDate,
    },
    Page {
        generation: u64,
        segment: Box<Segment>,
        as_of: NaiveDate,
        page: usize,
    },
    /// Explain one contact, found by email, customer ID or `#id`.
    Explain {
        generation: u64,
        segment: Box<Segment>,
        as_of: NaiveDate,
        who: String,
    },
    Catalog,
    Values {
        key: String,
        field: FieldRef,
    },
    Save {
        name: String,
        json: String,
        previous: Option<String>,
        now: i64,
    },
    Delete {
        name: String,
    },
    Overlap {
        generation: u64,
        segments: Vec<Segment>,
        as_of: NaiveDate,
    },
    /// List the saved segments, then count each.
    List {
        as_of: NaiveDate,
    },
    Shutdown,
}

/// How the app interrupts the worker's store: only while it runs a count,
/// page, explain or overlap (work a newer request makes stale), never the
/// catalog, a save or the saved-segment list, which nothing replaces.
#[derive(Default)]
struct Interrupts {
    handle: Option<Interrupter>,
    armed: bool,
}

/// The app's handle on the segment worker.
pub struct SegmentWorker {
    tx: Sender<SegmentRequest>,
    interrupter: Arc<Mutex<Interrupts>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SegmentWorker {
    /// Starts the worker thread.
    pub fn start(notifier: Notifier) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let interrupter = Arc::new(Mutex::new(Interrupts::default()));
        let shared = Arc::clone(&interrupter);
        let thread = spawn_named("tailor-segments", move || serve(&rx, &notifier, &shared))?;
        Ok(Self {
            tx,
            interrupter,
            thread: Some(thread),
        })
    }

    /// Queues a request.
    pub fn send(&self, request: SegmentRequest) {
        let _ = self.tx.send(request);
    }

    /// Interrupts the query running now if it is a count, page, explain or
    /// overlap: a newer request supersedes it.
    pub fn interrupt(&self) {
        self.stop_running(true);
    }

    /// Interrupts the query running now; `only_stale` leaves alone work that
    /// nothing replaces (see [`Interrupts`]).
    fn stop_running(&self, only_stale: bool) {
        let guard = self
            .interrupter
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if (guard.armed || !only_stale)
            && let Some(interrupter) = guard.handle.as_ref()
        {
            interrupter.interrupt();
        }
    }
}

impl Drop for SegmentWorker {
    fn drop(&mut self) {
        // Closing stops whatever runs, stale or not.
        self.stop_running(false);
        let _ = self.tx.send(SegmentRequest::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn text(e: &StoreError) -> String {
    format!("{e:#}")
}

/// Finds a contact by email, customer ID, or `#id`.
fn find_contact(store: &Store, who: &str) -> Result<Option<ContactId>, StoreError> {
    let who = who.trim();
    if let Some(id) = who.strip_prefix('#').and_then(|n| n.parse().ok()) {
        return Ok(Some(ContactId(id)));
    }
    match store.contact_by_email(who)? {
        Some(id) => Ok(Some(id)),
        None => store.contact_by_customer_id(who),
    }
}

fn serve(rx: &Receiver<SegmentRequest>, notifier: &Notifier, interrupter: &Mutex<Interrupts>) {
    let mut store: Option<Store> = None;
    // The newest count asked for; older counts, pages and explains are skipped.
    let mut newest = 0;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        loop {
            match rx.try_recv() {
                Ok(request) => batch.push(request),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        for request in &batch {
            if let SegmentRequest::Count { generation, .. } = request {
                newest = newest.max(*generation);
            }
        }
        for request in batch {
            if let SegmentRequest::Open(path) = &request {
                match Store::open(path) {
                    Ok(opened) => {
                        interrupter
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .handle = Some(opened.interrupter());
                        store = Some(opened);
                    }
                    Err(e) => notifier.send(Event::Notice {
                        is_error: true,
                        text: text(&e),
                    }),
                }
                continue;
            }
            if matches!(request, SegmentRequest::Shutdown) {
                return;
            }
            let Some(store) = store.as_mut() else {
                continue;
            };
            let stale_when_replaced = matches!(
                request,
                SegmentRequest::Count { .. }
                    | SegmentRequest::Page { .. }
                    | SegmentRequest::Explain { .. }
                    | SegmentRequest::Overlap { .. }
            );
            let arm = |armed: bool| {
                interrupter
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .armed = armed;
            };
            arm(stale_when_replaced);
            handle(store, request, newest, notifier);
            arm(false);
        }
    }
}

fn sample_page(
    store: &Store,
    segment: &Segment,
    as_of: NaiveDate,
    page: usize,
) -> Result<Vec<ContactRow>, StoreError> {
    let ids = store.segment_member_page(segment, as_of, page * SAMPLE_PAGE, SAMPLE_PAGE)?;
    store.contact_rows(&ids)
}

fn handle(store: &mut Store, request: SegmentRequest, newest: u64, notifier: &Notifier) {
    match request {
        SegmentRequest::Open(_) | SegmentRequest::Shutdown => {}
        SegmentRequest::Count {
            generation,
            segment,
            as_of,
        } => {
            if generation < newest {
                return;
            }
            // The headline count first (the fastest query), then the first
            // page of members, then every condition's own count.
            let started = Instant::now();
            let total = match store.segment_total(&segment, as_of) {
                Err(StoreError::Interrupted) => return,
                other => other.map_err(|e| text(&e)),
            };
            let failed = total.is_err();
            notifier.send(Event::BuilderTotal {
                generation,
                result: total,
                elapsed_ms: started.elapsed().as_millis() as u64,
            });
            if failed {
                return;
            }
            match sample_page(store, &segment, as_of, 0) {
                Err(StoreError::Interrupted) => return,
                rows => notifier.send(Event::BuilderPage {
                    generation,
                    page: 0,
                    rows: rows.map_err(|e| text(&e)),
                }),
            }
            let started = Instant::now();
            let result = match store.segment_counts(&segment, as_of) {
                Err(StoreError::Interrupted) => return,
                other => other.map_err(|e| text(&e)),
            };
            notifier.send(Event::BuilderCounted {
                generation,
                result,
                elapsed_ms: started.elapsed().as_millis() as u64,
            });
        }
        SegmentRequest::Page {
            generation,
            segment,
            as_of,
            page,
        } => {
            if generation < newest {
                return;
            }
            match sample_page(store, &segment, as_of, page) {
                Err(StoreError::Interrupted) => {}
                rows => notifier.send(Event::BuilderPage {
                    generation,
                    page,
                    rows: rows.map_err(|e| text(&e)),
                }),
            }
        }
        SegmentRequest::Explain {
            generation,
            segment,
            as_of,
            who,
        } => {
            let explain = || -> Result<_, StoreError> {
                let Some(id) = find_contact(store, &who)? else {
                    return Ok(None);
                };
                let Some(row) = store.contact_rows(&[id])?.pop() else {
                    return Ok(None);
                };
                Ok(store
                    .segment_explain(&segment, id, as_of)?
                    .map(|explanation| (row, explanation)))
            };
            // A newer count may interrupt this; the explanation is still wanted.
            let result = match explain() {
                Err(StoreError::Interrupted) => explain(),
                other => other,
            };
            let result = match result {
                Ok(Some(found)) => Ok(Box::new(found)),
                Ok(None) => Err(format!("no contact with email or customer ID {who:?}")),
                Err(e) => Err(text(&e)),
            };
            notifier.send(Event::BuilderExplained { generation, result });
        }
        SegmentRequest::Catalog => match store.segment_catalog() {
            Ok(catalog) => notifier.send(Event::SegmentCatalogLoaded(Box::new(catalog))),
            Err(e) => notifier.send(Event::Notice {
                is_error: true,
                text: text(&e),
            }),
        },
        SegmentRequest::Values { key, field } => {
            let values = store.field_values(&field, SUGGESTIONS).unwrap_or_default();
            notifier.send(Event::FieldValues { key, values });
        }
        SegmentRequest::Save {
            name,
            json,
            previous,
            now,
        } => {
            let result = store
                .save_segment_as(&name, &json, previous.as_deref(), now)
                .map_err(|e| text(&e));
            notifier.send(Event::SegmentSaved { name, json, result });
        }
        SegmentRequest::Delete { name } => {
            let result = store.delete_segment(&name).map_err(|e| text(&e));
            notifier.send(Event::SegmentDeleted { name, result });
        }
        SegmentRequest::Overlap {
            generation,
            segments,
            as_of,
        } => {
            let result = match store.segment_overlap(&segments, as_of) {
                Err(StoreError::Interrupted) => store.segment_overlap(&segments, as_of),
                other => other,
            };
            notifier.send(Event::OverlapCounted {
                generation,
                result: result.map_err(|e| text(&e)),
            });
        }
        SegmentRequest::List { as_of } => {
            list_and_count_segments(store, as_of, notifier);
        }
    }
}

/// Lists the saved segments, then counts them one by one, on the worker's
/// store, so the columns it loads for counting serve the builder too (the
/// builder's interrupts never reach it: see [`Interrupts`]).
fn list_and_count_segments(store: &Store, as_of: NaiveDate, notifier: &Notifier) {
    let (saved, schema) = match store
        .segments()
        .and_then(|s| store.segment_schema().map(|schema| (s, schema)))
    {
        Ok(found) => found,
        Err(e) => {
            notifier.send(Event::Notice {
                is_error: true,
                text: format!("{e:#}"),
            });
            return;
        }
    };
    let parsed: Vec<(String, String, Result<Segment, String>)> = saved
        .into_iter()
        .map(|(name, json)| {
            let segment = segment::parse_segment(&json, &schema).map_err(|e| format!("{e}"));
            (name, json, segment)
        })
        .collect();
    let rows = parsed
        .iter()
        .map(|(name, json, segment)| SegmentRow {
            name: name.clone(),
            json: json.clone(),
            description: match segment {
                Ok(segment) => segment::read_back(segment),
                Err(error) => format!("Invalid: {error}"),
            },
            count: segment.as_ref().err().map(|e| Err(e.clone())),
        })
        .collect();
    notifier.send(Event::SegmentsListed(rows));
    for (name, _, segment) in parsed {
        if let Ok(segment) = segment {
            let count = store
                .segment_total(&segment, as_of)
                .map_err(|e| format!("{e:#}"));
            notifier.send(Event::SegmentCounted { name, count });
        }
    }
}

/// Exports a segment's members to CSV on a job thread, with progress and
/// cancel; the file appears only when complete.
pub fn spawn_export_members(
    workspace: PathBuf,
    segment: Segment,
    as_of: NaiveDate,
    out: PathBuf,
    notifier: Notifier,
    cancel: CancelToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let label = format!("Exporting the members of {}", segment.name);
    super::worker::run_job(
        crate::command::JobKind::ExportMembers,
        label,
        workspace.clone(),
        notifier,
        cancel,
        move |report: &mut dyn ProgressSink, cancel: &CancelToken| {
            let failed =
                |e: &dyn std::fmt::Display| super::worker::JobError::Failed(format!("{e:#}"));
            let store = Store::open(&workspace).map_err(|e| failed(&e))?;
            report.report(0.0, "Finding the members");
            let ids = store
                .segment_members(&segment, as_of)
                .map_err(|e| failed(&e))?;
            match crate::export::export_members_csv(&store, &out, &ids, report, cancel) {
                Ok(n) => Ok(format!(
                    "Exported {} members of {} to {}",
                    crate::domain::money::group_thousands(n),
                    segment.name,
                    out.display()
                )),
                Err(crate::export::ExportError::Cancelled) => {
                    Err(super::worker::JobError::Cancelled)
                }
                Err(e) => Err(failed(&e)),
            }
        },
    )
}

/// Reads a `.segment.json` file on a named thread.
pub fn spawn_read_segment_file(path: PathBuf, notifier: Notifier) -> std::io::Result<()> {
    spawn_named("tailor-segment-file", move || {
        let result = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|text| {
                serde_json::from_str::<serde_json::Value>(&text).map_err(|e| {
                    format!(
                        "{}: not a segment file (line {}: {e})",
                        path.display(),
                        e.line()
                    )
                })
            });
        notifier.send(Event::SegmentFileRead(result.map(Box::new)));
    })
    .map(|_| ())
}

/// Writes a segment file on a named thread and reports where.
pub fn spawn_write_segment_file(
    path: PathBuf,
    json: String,
    notifier: Notifier,
) -> std::io::Result<()> {
    spawn_named("tailor-segment-file", move || {
        let event = match std::fs::write(&path, json) {
            Ok(()) => Event::Notice {
                is_error: false,
                text: format!("Saved the segment file {}", path.display()),
            },
            Err(e) => Event::Notice {
                is_error: true,
                text: format!("{}: {e}", path.display()),
            },
        };
        notifier.send(event);
    })
    .map(|_| ())
}
