//! The schema migrations, embedded from `migrations/NNNN_name.sql` and applied
//! in order; `PRAGMA user_version` records how far a file has come.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const STEPS: [&str; 5] = [
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_contact_list_indexes.sql"),
    include_str!("../../migrations/0003_import_undo.sql"),
    include_str!("../../migrations/0004_cheap_checks.sql"),
    include_str!("../../migrations/0005_partial_customer_index.sql"),
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = STEPS.len() as i64;

fn migrations() -> Migrations<'static> {
    Migrations::new(
        STEPS
            .iter()
            .map(|sql| M::up(sql).foreign_key_check())
            .collect(),
    )
}

/// Applies every pending migration in one transaction. Foreign keys are
/// off meanwhile, as SQLite's recipe for rebuilding a table requires
/// (dropping a parent table would otherwise cascade), and each migration
/// ends with a foreign key check.
pub(super) fn to_latest(conn: &mut Connection) -> Result<(), String> {
    let enforced: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(|e| e.to_string())?;
    let result = migrations().to_latest(conn).map_err(|e| e.to_string());
    if enforced {
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| e.to_string())?;
    }
    result
}

/// Checks that every migration applies cleanly to an empty database.
#[cfg(test)]
pub(super) fn validate() -> Result<(), String> {
    migrations().validate().map_err(|e| e.to_string())
}
