//! Shared fixtures: small demo workspaces in temporary directories.

use std::path::PathBuf;

use chrono::NaiveDate;
use tailor::demo::{self, DemoOptions, DemoSummary};
use tailor::jobs::{CancelToken, NoProgress};

/// The pinned date every fixture uses.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// Options for a demo of `n` contacts with `seed`.
pub fn demo_options(n: u64, seed: u64) -> DemoOptions {
    DemoOptions {
        n_contacts: n,
        seed,
        as_of: as_of(),
        time_zone: "Europe/Berlin".to_owned(),
    }
}

/// A demo workspace of `n` contacts in a fresh temporary directory.
pub struct DemoWorkspace {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub summary: DemoSummary,
}

/// Generates a demo workspace.
pub fn demo_workspace(n: u64, seed: u64) -> DemoWorkspace {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.tailor");
    let (path, summary) = demo::generate(
        &path,
        &demo_options(n, seed),
        &mut NoProgress,
        &CancelToken::new(),
    )
    .expect("demo generates");
    DemoWorkspace { dir, path, summary }
}

/// Opens a workspace read-only with plain rusqlite, for checks that must not
/// go through Tailor's own queries.
pub fn raw(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("raw connection")
}
