//! The workspace store: the only module that names `rusqlite`. It opens and
//! creates `.tailor` files, applies the migrations in `migrations/`, and
//! answers typed queries. Everything above it sees domain types only.

mod bulk;
mod contacts;
mod import;
mod migrations;
mod segment;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, params};

pub use bulk::{BulkLoad, NewContact, NewEvent, NewOrder, NewOrderItem};
pub use import::{ContactValues, ExistingContact, ImportTx};
pub use migrations::LATEST_VERSION;
pub use segment::{ConditionCount, Explanation, Overlap, SegmentCatalog, SegmentCounts};

use crate::domain::{
    ContactId, CustomFieldDef, CustomFieldId, FieldKind, WorkspaceCounts, WorkspaceSettings,
    WorkspaceSummary,
};
use crate::jobs::{CancelToken, ProgressSink};

/// `PRAGMA application_id` of a Tailor workspace ("TAIL").
const APPLICATION_ID: i32 = 0x5441_494C;

/// What can go wrong in the store, with what the user needs to act on it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: no such workspace file")]
    NotFound { path: PathBuf },
    #[error("{path}: a file already exists there")]
    AlreadyExists { path: PathBuf },
    #[error("{path}: not a Tailor workspace ({reason})")]
    NotAWorkspace { path: PathBuf, reason: String },
    #[error(
        "{path}: written by a newer Tailor (schema version {found}; this version reads up to \
         {supported}). Update Tailor to open it; the file was not changed"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path}: could not upgrade the schema from version {from}: {reason}")]
    Upgrade {
        path: PathBuf,
        from: i64,
        reason: String,
    },
    #[error("could not write a copy to {path}: {reason}")]
    Copy { path: PathBuf, reason: String },
    #[error("cannot undo import {run}: {reason}")]
    Undo { run: i64, reason: String },
    /// A request the workspace's contents refuse (a name taken, say).
    #[error("{0}")]
    Invalid(String),
    #[error("cancelled")]
    Cancelled,
    #[error("the query was interrupted")]
    Interrupted,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    fn from_open(path: &Path, error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Self::NotAWorkspace {
                path: path.to_owned(),
                reason: "the file is not an SQLite database".to_owned(),
            },
            Some(rusqlite::ErrorCode::OperationInterrupted) => Self::Interrupted,
            _ => Self::Sqlite(error),
        }
    }
}

/// Turns an interrupted query into `StoreError::Interrupted`.
fn map_interrupt(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => StoreError::Interrupted,
        _ => StoreError::Sqlite(error),
    }
}

/// Result type of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Interrupts whatever query the store's connection runs now, from any
/// thread. Used to cancel a superseded search.
pub struct Interrupter(rusqlite::InterruptHandle);

impl Interrupter {
    /// Interrupts the running query, if any.
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

/// The page cache per connection, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = -32_000;

/// A contact's consent source, as SQL over `contacts`. An import leaves
/// `consent_source` blank on the contacts it adds (a million copies of
/// its name made large imports slower), and the source is then the import
/// that added the contact, named as `ImportTx` names its source.
const CONSENT_SOURCE: &str = "coalesce(consent_source, \
     (SELECT 'import of ' || file_name FROM import_runs \
      WHERE import_runs.id = contacts.import_run_id))";

/// How long a statement waits for another connection's write to finish.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// The page cache while a bulk import writes: large enough that its dirty
/// pages stay in memory until commit instead of spilling to the WAL early.
const BULK_CACHE_KIB: i64 = -400_000;

/// An open workspace.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Columns held in memory for counting segments, loaded on first use.
    columns: RefCell<segment::Columns>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens an existing workspace. A workspace from an older Tailor is copied
    /// to `<name>.v<N>-backup.tailor` and then upgraded; one from a newer
    /// Tailor is refused without being changed.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(StoreError::NotFound {
                path: path.to_owned(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_open(path, e))?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
            columns: RefCell::default(),
        };
        store.check_identity()?;
        let version = store.schema_version()?;
        if version > LATEST_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found: version,
                supported: LATEST_VERSION,
            });
        }
        store.configure()?;
        if version < LATEST_VERSION {
            let backup = backup_path(path, version);
            store.save_copy(&backup, &mut crate::jobs::NoProgress, &CancelToken::new())?;
            migrations::to_latest(&mut store.conn).map_err(|reason| StoreError::Upgrade {
                path: path.to_owned(),
                from: version,
                reason,
            })?;
        }
        Ok(store)
    }

    /// Creates a new, empty workspace file at `path`.
    pub fn create(path: &Path, settings: &WorkspaceSettings) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open(path).map_err(|e| StoreError::from_open(path, e))?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
            columns: RefCell::default(),
        };
        store.initialize(settings)?;
        Ok(store)
    }

    /// A workspace in memory with every migration applied: for tests.
    pub fn open_in_memory(settings: &WorkspaceSettings) -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let mut store = Self {
            conn,
            path: PathBuf::from(":memory:"),
            columns: RefCell::default(),
        };
        store.initialize(settings)?;
        Ok(store)
    }

    fn initialize(&mut self, settings: &WorkspaceSettings) -> Result<()> {
        self.conn
            .pragma_update(None, "application_id", APPLICATION_ID)?;
        self.configure()?;
        migrations::to_latest(&mut self.conn).map_err(|reason| StoreError::Upgrade {
            path: self.path.clone(),
            from: 0,
            reason,
        })?;
        self.set_settings(settings)?;
        Ok(())
    }

    /// Ends what [`Store::prepare_bulk_import`] began, whether the import
    /// committed or rolled back: the page cache a bulk import took is given
    /// back and the journal is WAL again.
    pub fn end_bulk_import(&self) {
        // Failing leaves a larger cache, which is harmless, or the rollback
        // journal, which the next `Store::open` turns back into WAL.
        let _ = self.conn.pragma_update(None, "cache_size", CACHE_KIB);
        if self.path.as_os_str() != ":memory:" {
            let _ = self.conn.pragma_update(None, "journal_mode", "WAL");
        }
    }

    fn configure(&self) -> Result<()> {
        // WAL lets the UI's reader and a job's writer work at once.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        // Sorts and segment counts use temporary tables; keep them off disk.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Segments compare text trimmed and case-insensitively, with full
        // Unicode case folding (SQLite's lower() folds ASCII only).
        self.conn.create_scalar_function(
            "tailor_fold",
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8
                | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                Ok(match ctx.get_raw(0) {
                    rusqlite::types::ValueRef::Text(bytes) => Some(segment::fold_bytes(bytes)),
                    rusqlite::types::ValueRef::Null => None,
                    other => Some(segment::fold(&match other {
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        _ => String::new(),
                    })),
                })
            },
        )?;
        Ok(())
    }

    fn check_identity(&self) -> Result<()> {
        let app_id: i32 = self
            .conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(|e| StoreError::from_open(&self.path, e))?;
        if app_id == APPLICATION_ID {
            return Ok(());
        }
        let n_tables: i64 =
            self.conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
        let reason = if n_tables == 0 {
            "the database is empty".to_owned()
        } else {
            "it is an SQLite database of another program".to_owned()
        };
        Err(StoreError::NotAWorkspace {
            path: self.path.clone(),
            reason,
        })
    }

    /// The path of the workspace file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// A handle that interrupts this connection's running query.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.conn.get_interrupt_handle())
    }

    /// Reads the workspace settings.
    pub fn settings(&self) -> Result<WorkspaceSettings> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?;
        let mut read = |key: &str| -> Result<Option<String>> {
            Ok(stmt
                .query_row([key], |row| row.get::<_, String>(0))
                .optional()?)
        };
        let defaults = WorkspaceSettings::new("Workspace", "UTC");
        Ok(WorkspaceSettings {
            name: read("name")?.unwrap_or(defaults.name),
            time_zone: read("time_zone")?.unwrap_or(defaults.time_zone),
            currency: read("currency")?.unwrap_or(defaults.currency),
            locale: read("locale")?.unwrap_or(defaults.locale),
            as_of: read("as_of")?.and_then(|text| text.parse().ok()),
        })
    }

    /// Writes the workspace settings.
    pub fn set_settings(&mut self, settings: &WorkspaceSettings) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert = tx.prepare(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?;
            upsert.execute(params!["name", settings.name])?;
            upsert.execute(params!["time_zone", settings.time_zone])?;
            upsert.execute(params!["currency", settings.currency])?;
            upsert.execute(params!["locale", settings.locale])?;
            match settings.as_of {
                Some(day) => {
                    upsert.execute(params!["as_of", day.to_string()])?;
                }
                None => {
                    tx.execute("DELETE FROM settings WHERE key = 'as_of'", [])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Row counts of the main tables.
    pub fn counts(&self) -> Result<WorkspaceCounts> {
        let count = |table: &str| -> Result<i64> {
            Ok(self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                    row.get(0)
                })?)
        };
        Ok(WorkspaceCounts {
            contacts: count("contacts")?,
            orders: count("orders")?,
            order_items: count("order_items")?,
            events: count("events")?,
            segments: count("segments")?,
            templates: count("templates")?,
        })
    }

    /// The custom fields, in creation order.
    pub fn custom_fields(&self) -> Result<Vec<CustomFieldDef>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, kind FROM custom_fields ORDER BY id")?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut fields = Vec::new();
        for row in rows {
            let (id, name, kind) = row?;
            // The CHECK constraint keeps `kind` valid; text is the safe reading.
            let kind = FieldKind::parse(&kind).unwrap_or(FieldKind::Text);
            fields.push(CustomFieldDef {
                id: CustomFieldId(id),
                name,
                kind,
            });
        }
        Ok(fields)
    }

    /// Everything the app shows about the workspace as a whole.
    pub fn summary(&self) -> Result<WorkspaceSummary> {
        Ok(WorkspaceSummary {
            path: self.path.clone(),
            schema_version: self.schema_version()?,
            settings: self.settings()?,
            counts: self.counts()?,
            custom_fields: self.custom_fields()?,
            import_runs: self.import_runs()?,
        })
    }

    /// Writes a consistent copy of the workspace to `dest` with SQLite's
    /// online backup, reporting progress. The copy is written beside `dest`
    /// and renamed into place, so a cancelled or failed copy leaves nothing.
    pub fn save_copy(
        &self,
        dest: &Path,
        progress: &mut dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Result<()> {
        let copy_error = |reason: String| StoreError::Copy {
            path: dest.to_owned(),
            reason,
        };
        let partial = partial_path(dest);
        let _ = std::fs::remove_file(&partial);
        let result = (|| -> Result<()> {
            let mut target = Connection::open(&partial).map_err(|e| copy_error(e.to_string()))?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)
                    .map_err(|e| copy_error(e.to_string()))?;
                loop {
                    if cancel.is_cancelled() {
                        return Err(StoreError::Cancelled);
                    }
                    let step = backup.step(256).map_err(|e| copy_error(e.to_string()))?;
                    let p = backup.progress();
                    let fraction = if p.pagecount > 0 {
                        1.0 - p.remaining as f32 / p.pagecount as f32
                    } else {
                        1.0
                    };
                    progress.report(fraction, "Copying workspace");
                    match step {
                        rusqlite::backup::StepResult::Done => break,
                        rusqlite::backup::StepResult::More => {}
                        _ => std::thread::sleep(std::time::Duration::from_millis(5)),
                    }
                }
            }
            // A copy is a standalone file: fold the WAL back in.
            target
                .pragma_update(None, "journal_mode", "DELETE")
                .map_err(|e| copy_error(e.to_string()))?;
            drop(target);
            std::fs::rename(&partial, dest).map_err(|e| copy_error(e.to_string()))?;
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    /// Recomputes the derived order metrics of every contact.
    pub fn refresh_metrics(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        refresh_all_metrics(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Looks a contact up by email (case-insensitive) for the CLI and tests.
    pub fn contact_by_email(&self, email: &str) -> Result<Option<ContactId>> {
        let key = email.trim().to_lowercase();
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM contacts WHERE email_key = ?1",
                [key],
                |row| row.get(0).map(ContactId),
            )
            .optional()?)
    }
}

/// Recomputes `contact_metrics` from `orders` for every contact.
fn refresh_all_metrics(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM contact_metrics;
         INSERT INTO contact_metrics
             (contact_id, order_count, total_spent_cents, first_order_at, last_order_at)
         SELECT contact_id, count(*), sum(total_cents), min(ordered_at), max(ordered_at)
         FROM orders GROUP BY contact_id;",
    )
}

/// `dest` with `.partial` appended: where a file is written before it is
/// renamed into place.
pub fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    dest.with_file_name(name)
}

/// Where the pre-upgrade copy of a version-`version` workspace goes: beside
/// it, never overwriting an earlier backup.
fn backup_path(path: &Path, version: i64) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = path.with_file_name(format!("{stem}.v{version}-backup.tailor"));
    let mut n = 2;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{stem}.v{version}-backup-{n}.tailor"));
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        migrations::validate().expect("migrations are valid");
    }

    #[test]
    fn in_memory_store_is_at_latest_version() {
        let store =
            Store::open_in_memory(&WorkspaceSettings::new("Test", "Europe/Berlin")).expect("store");
        assert_eq!(store.schema_version().expect("version"), LATEST_VERSION);
        let settings = store.settings().expect("settings");
        assert_eq!(settings.name, "Test");
        assert_eq!(settings.time_zone, "Europe/Berlin");
        assert_eq!(store.counts().expect("counts"), WorkspaceCounts::default());
    }
}
