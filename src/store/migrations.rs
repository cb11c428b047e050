//! The schema migrations, embedded from `migrations/NNNN_name.sql` and applied
//! in order; `PRAGMA user_version` records how far a file has come.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const STEPS: [&str; 3] = [
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_contact_list_indexes.sql"),
    include_str!("../../migrations/0003_import_undo.sql"),
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = STEPS.len() as i64;

fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// Applies every pending migration in one transaction.
pub(super) fn to_latest(conn: &mut Connection) -> Result<(), String> {
    migrations().to_latest(conn).map_err(|e| e.to_string())
}

/// Checks that every migration applies cleanly to an empty database.
#[cfg(test)]
pub(super) fn validate() -> Result<(), String> {
    migrations().validate().map_err(|e| e.to_string())
}
