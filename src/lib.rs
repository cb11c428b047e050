//! Tailor: an offline desktop campaign studio over one SQLite workspace file.
//!
//! Code map:
//! - [`domain`]: pure types and rules (ids, contacts, money, time); no I/O.
//! - [`store`]: the only module that names `rusqlite`; migrations, typed queries.
//! - [`demo`]: the synthetic coffee-and-tea shop behind `tailor demo`.
//! - [`import`]: reading, mapping, validating and importing real export files.
//! - [`export`]: writing workspace data out (the contact list as CSV).
//! - [`jobs`]: the progress protocol, cancel tokens, the store worker thread.
//! - [`command`] and [`state`]: what the UI asks for, what workers report, and
//!   the state the UI reads.
//! - [`app`]: the eframe app; the one place that applies commands and events.
//! - [`ui`]: egui screens; they read `AppState` and emit `Command`s.
//! - [`cli`]: the headless commands, calling the same core as the studio.
//!
//! Invariants (guarded by tests):
//! - Only `store` names `rusqlite`; nothing under `ui` names the store.
//! - Long work runs off the UI thread, reports `Progress`, can be cancelled,
//!   and never leaves a half-written workspace.
//! - The core never reads the clock: "today" (`as_of`) is passed in.

/// mimalloc rather than the system allocator: the import parses rows on one
/// thread and frees them on another, which glibc's malloc makes slow.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod app;
pub mod cli;
pub mod command;
pub mod demo;
pub mod domain;
pub mod export;
pub mod import;
pub mod jobs;
pub mod state;
pub mod store;
pub mod ui;

pub use app::{Startup, TailorApp};
