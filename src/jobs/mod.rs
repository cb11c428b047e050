//! Background work: the progress protocol, the cancel token, and named
//! worker threads. A job is a plain function `run(.., progress, cancel)` so it
//! can be tested without threads; `spawn_job` runs it on a named thread.

pub mod segments;
pub mod worker;

use crate::domain::money::group_thousands;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared flag a long operation polls; setting it asks the operation to stop
/// and roll back.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that has not been cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the operation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a long operation reports, in the order `Started`, any number of
/// `Progress`, then exactly one of `Finished`, `Failed` or `Cancelled`.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Started { label: String },
    Progress { fraction: f32, message: String },
    Finished { message: String },
    Failed { error: String },
    Cancelled,
}

impl Progress {
    /// Whether this report ends the job.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Finished { .. } | Self::Failed { .. } | Self::Cancelled
        )
    }
}

/// Where a running operation sends its progress. Reports are cheap; callers
/// may report as often as they like and the sink throttles.
pub trait ProgressSink {
    /// Reports the fraction done (0..=1) and what is happening.
    fn report(&mut self, fraction: f32, message: &str);

    /// Reports `done` of `total` items (rows, orders) of a step that spans
    /// `span` of the whole job. Sinks that show a rate override this.
    fn report_items(&mut self, span: (f32, f32), done: u64, total: u64, what: &str) {
        let fraction = span.0 + (span.1 - span.0) * done as f32 / total.max(1) as f32;
        let (done, total) = (group_thousands(done), group_thousands(total));
        self.report(fraction, &format!("{what}: {done} of {total}"));
    }
}

/// A sink that drops every report, for tests and quiet CLI runs.
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn report(&mut self, _fraction: f32, _message: &str) {}
}

impl<F: FnMut(f32, &str)> ProgressSink for F {
    fn report(&mut self, fraction: f32, message: &str) {
        self(fraction, message);
    }
}

/// Spawns a named thread. Every thread Tailor starts has a name, so a stack
/// dump or profiler says what it is.
pub fn spawn_named<F, T>(name: &str, f: F) -> std::io::Result<std::thread::JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    std::thread::Builder::new().name(name.to_owned()).spawn(f)
}
