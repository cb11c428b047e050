//! Writing an import: one transaction for the whole file, with what is
//! needed to undo it later (inserted contacts carry the run id; updated
//! ones leave a before-image in `import_undo`).

use std::collections::HashMap;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{OptionalExtension as _, Transaction, params};
use serde_json::json;

use super::{Result, Store, StoreError};
use crate::domain::contact::email_key as key_of;
use crate::domain::{
    Consent, ContactField, ContactId, CustomFieldId, CustomValue, FieldKind, ImportRun,
    ImportRunId, OrderId, Reject,
};

/// The values an import writes for one contact; blanks are left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactValues {
    /// Text fields (every field but `created_at`).
    pub fields: Vec<(ContactField, String)>,
    pub created_at: Option<i64>,
    /// The consent status and when it was given or withdrawn.
    pub consent: Option<(Consent, i64)>,
    pub tags: Vec<String>,
    pub custom: Vec<(CustomFieldId, CustomValue)>,
}

impl ContactValues {
    /// The value of a text field, if present.
    pub fn field(&self, field: ContactField) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }
}

/// A contact already in the workspace, as an import compares against it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExistingContact {
    pub id: ContactId,
    /// Non-blank text fields.
    pub fields: HashMap<ContactField, String>,
    pub consent: Consent,
    pub tags: Vec<String>,
    pub custom: HashMap<CustomFieldId, CustomValue>,
}

fn custom_to_sql(value: &CustomValue) -> Value {
    match value {
        CustomValue::Text(text) => Value::Text(text.clone()),
        CustomValue::Number(n) => Value::Real(*n),
        CustomValue::Bool(b) => Value::Integer(i64::from(*b)),
    }
}

fn custom_to_json(value: &CustomValue) -> serde_json::Value {
    match value {
        CustomValue::Text(text) => json!(text),
        CustomValue::Number(n) => json!(n),
        CustomValue::Bool(b) => json!(b),
    }
}

fn custom_from_json(value: &serde_json::Value) -> Option<CustomValue> {
    match value {
        serde_json::Value::String(s) => Some(CustomValue::Text(s.clone())),
        serde_json::Value::Number(n) => n.as_f64().map(CustomValue::Number),
        serde_json::Value::Bool(b) => Some(CustomValue::Bool(*b)),
        _ => None,
    }
}

/// An import in progress. Dropping it without [`ImportTx::commit`]
/// rolls everything back.
pub struct ImportTx<'a> {
    tx: Transaction<'a>,
    run: ImportRunId,
    source: String,
    now: i64,
    tag_ids: HashMap<String, i64>,
    field_kinds: HashMap<CustomFieldId, FieldKind>,
    product_ids: HashMap<(String, String), i64>,
    campaign_ids: HashMap<String, i64>,
    identities: Identities,
    /// The statement inserting [`INSERT_BATCH`] contacts, once written.
    batch_sql: Option<std::rc::Rc<str>>,
    /// The text fields (bits by position in [`ContactField::TEXT`]) that
    /// inserts name; the others are left NULL without binding anything.
    /// Widened when a new contact has another.
    insert_fields: u16,
}

/// Every text field, as [`ImportTx::insert_fields`] bits.
const ALL_TEXT_FIELDS: u16 = (1 << ContactField::TEXT.len()) - 1;

fn text_field_bit(field: ContactField) -> u16 {
    ContactField::TEXT
        .iter()
        .position(|f| *f == field)
        .map_or(0, |i| 1 << i)
}

/// How an import finds contacts by email key and customer ID.
enum Identities {
    /// Through the workspace's unique indexes, which each insert updates.
    Indexed,
    /// In memory. A large import drops the contacts table's indexes, keeps
    /// every identity here, and builds the indexes again at commit: one
    /// sort instead of a million random B-tree inserts. A rollback brings
    /// the old indexes back with everything else.
    Bulk {
        by_email: foldhash::HashMap<String, ContactId>,
        by_customer: foldhash::HashMap<String, ContactId>,
        /// The `CREATE INDEX` statements to run again at commit.
        indexes: Vec<String>,
    },
}

/// Contacts inserted by one statement when an import inserts many.
pub const INSERT_BATCH: usize = 32;

/// An import of at least this many rows into a workspace with at most
/// four times as many contacts loads in bulk (see [`Identities::Bulk`]).
const BULK_MIN_ROWS: usize = 20_000;

impl Store {
    /// Every recorded import, newest first.
    pub fn import_runs(&self) -> Result<Vec<ImportRun>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.kind, r.file_name, r.started_at, r.status, r.summary_json, \
             (SELECT count(*) FROM import_rejects j WHERE j.import_run_id = r.id) \
             FROM import_runs r ORDER BY r.id DESC",
        )?;
        let mut runs = stmt
            .query_map([], |r| {
                let summary: String = r.get(5)?;
                let summary: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
                let count = |key: &str| summary[key].as_u64().unwrap_or(0);
                Ok(ImportRun {
                    id: ImportRunId(r.get(0)?),
                    kind: r.get(1)?,
                    file_name: r.get(2)?,
                    started_at: r.get(3)?,
                    status: r.get(4)?,
                    rows: count("rows"),
                    inserted: count("inserted"),
                    updated: count("updated"),
                    rejected: count("rejected"),
                    orders_inserted: summary["orders_inserted"].as_u64(),
                    saved_rejects: r.get(6)?,
                    undoable: false,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if let Some(newest) = runs
            .iter_mut()
            .find(|r| r.status == "finished" && r.kind != "demo")
        {
            newest.undoable = true;
        }
        Ok(runs)
    }

    /// The rows import `run` turned away, with the headers of its file (as
    /// its summary recorded them; `Column N` for runs that recorded none).
    pub fn import_rejects(&self, run: ImportRunId) -> Result<(Vec<String>, Vec<Reject>)> {
        let summary: Option<String> = self
            .conn
            .query_row(
                "SELECT summary_json FROM import_runs WHERE id = ?1",
                [run.0],
                |r| r.get(0),
            )
            .optional()?;
        let Some(summary) = summary else {
            return Err(StoreError::Invalid(format!(
                "no import #{} in this workspace",
                run.0
            )));
        };
        let summary: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
        let mut headers: Vec<String> = summary["mapping"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|pair| pair[0].as_str().map(str::to_owned))
            .collect();
        let mut stmt = self.conn.prepare(
            "SELECT line, reason, cells_json FROM import_rejects \
             WHERE import_run_id = ?1 ORDER BY line",
        )?;
        let rejects = stmt
            .query_map([run.0], |r| {
                let cells: String = r.get(2)?;
                Ok(Reject {
                    line: r.get::<_, i64>(0)? as usize,
                    reason: r.get(1)?,
                    cells: serde_json::from_str(&cells).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let width = rejects.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        while headers.len() < width {
            headers.push(format!("Column {}", headers.len() + 1));
        }
        Ok((headers, rejects))
    }

    /// Prepares for importing about `rows` contacts before the import
    /// begins. A large import (see [`ImportTx::expect_contacts`]) into a
    /// workspace nobody else has open switches from WAL to a rollback
    /// journal for its transaction: the pages it adds are then written once,
    /// into the file, instead of twice (into the WAL, then into the file at
    /// the checkpoint). A crash meanwhile rolls back from the journal as
    /// usual. With another connection open (the studio's own), it stays WAL.
    /// Call [`Store::end_bulk_import`] afterwards, however the import ended.
    pub fn prepare_bulk_import(&mut self, rows: usize) -> Result<()> {
        if self.path.as_os_str() == ":memory:" || loads_in_bulk(&self.conn, rows)?.is_none() {
            return Ok(());
        }
        // Leaving WAL needs the workspace to ourselves: ask once, don't
        // wait. Refused (busy), the import simply stays on the WAL.
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let _refused = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
        self.conn.busy_timeout(super::BUSY_TIMEOUT)?;
        Ok(())
    }

    /// Starts an import of `kind` (`contacts`, `orders`, `events`) from the
    /// file named `file_name`, at `now`.
    pub fn begin_import(
        &mut self,
        kind: &str,
        file_name: &str,
        mapping_json: &str,
        now: i64,
    ) -> Result<ImportTx<'_>> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO import_runs (kind, file_name, started_at, status, mapping_json) \
             VALUES (?1, ?2, ?3, 'running', ?4)",
            params![kind, file_name, now, mapping_json],
        )?;
        let run = ImportRunId(tx.last_insert_rowid());
        let mut tag_ids = HashMap::new();
        {
            let mut stmt = tx.prepare("SELECT id, name FROM tags")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, name) = row?;
                tag_ids.insert(name.to_lowercase(), id);
            }
        }
        let mut field_kinds = HashMap::new();
        {
            let mut stmt = tx.prepare("SELECT id, kind FROM custom_fields")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, kind) = row?;
                field_kinds.insert(
                    CustomFieldId(id),
                    FieldKind::parse(&kind).unwrap_or(FieldKind::Text),
                );
            }
        }
        Ok(ImportTx {
            tx,
            run,
            // As `CONSENT_SOURCE` names it for the contacts this adds.
            source: format!("import of {file_name}"),
            now,
            tag_ids,
            field_kinds,
            product_ids: HashMap::new(),
            campaign_ids: HashMap::new(),
            identities: Identities::Indexed,
            batch_sql: None,
            insert_fields: ALL_TEXT_FIELDS,
        })
    }

    /// Undoes a finished import: contacts it inserted are removed (with
    /// their orders and events), contacts it updated get their earlier
    /// values, consent and tags back, and the derived metrics are
    /// recomputed. Returns how many contacts were removed and restored.
    pub fn undo_import(&mut self, run: ImportRunId) -> Result<(u64, u64)> {
        let tx = self.conn.transaction()?;
        let status: Option<String> = tx
            .query_row(
                "SELECT status FROM import_runs WHERE id = ?1",
                [run.0],
                |r| r.get(0),
            )
            .optional()?;
        // Later imports may have changed the same contacts again; undoing
        // this one first would bring back what they replaced.
        let later: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, file_name FROM import_runs \
                 WHERE id > ?1 AND status = 'finished' AND kind <> 'demo' ORDER BY id DESC LIMIT 1",
                [run.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let (Some("finished"), Some((id, file))) = (status.as_deref(), &later) {
            return Err(StoreError::Undo {
                run: run.0,
                reason: format!("a later import (#{id}, {file}) must be undone first"),
            });
        }
        match status.as_deref() {
            Some("finished") => {}
            Some(other) => {
                return Err(StoreError::Undo {
                    run: run.0,
                    reason: format!("it is {other}"),
                });
            }
            None => {
                return Err(StoreError::Undo {
                    run: run.0,
                    reason: "no such import".to_owned(),
                });
            }
        }
        let befores: Vec<(i64, String)> = {
            let mut stmt = tx.prepare(
                "SELECT contact_id, before_json FROM import_undo WHERE import_run_id = ?1",
            )?;
            stmt.query_map([run.0], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (contact, before) in &befores {
            restore(&tx, *contact, before)?;
        }
        tx.execute(
            "DELETE FROM consent_history WHERE import_run_id = ?1",
            [run.0],
        )?;
        tx.execute("DELETE FROM events WHERE import_run_id = ?1", [run.0])?;
        tx.execute("DELETE FROM orders WHERE import_run_id = ?1", [run.0])?;
        let removed = tx.execute("DELETE FROM contacts WHERE import_run_id = ?1", [run.0])?;
        super::refresh_all_metrics(&tx)?;
        tx.execute(
            "UPDATE import_runs SET status = 'undone' WHERE id = ?1",
            [run.0],
        )?;
        tx.execute(
            "INSERT INTO audit_log (at, action, detail_json) \
             SELECT finished_at, 'import_undone', json_object('run', id, 'file', file_name) \
             FROM import_runs WHERE id = ?1",
            [run.0],
        )?;
        tx.commit()?;
        Ok((removed as u64, befores.len() as u64))
    }
}

/// Whether an import of `rows` contacts loads in bulk: at least
/// [`BULK_MIN_ROWS`] of them, into a workspace with at most four times as
/// many contacts. Gives the workspace's number of contacts when it does.
fn loads_in_bulk(conn: &rusqlite::Connection, rows: usize) -> Result<Option<usize>> {
    if rows < BULK_MIN_ROWS {
        return Ok(None);
    }
    let existing: i64 = conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?;
    let existing = existing as usize;
    Ok((existing <= rows.saturating_mul(4)).then_some(existing))
}

fn restore(tx: &Transaction<'_>, contact: i64, before_json: &str) -> Result<()> {
    let before: serde_json::Value =
        serde_json::from_str(before_json).map_err(|e| StoreError::Undo {
            run: 0,
            reason: e.to_string(),
        })?;
    let text = |key: &str| before["fields"][key].as_str().map(str::to_owned);
    let mut sql = String::from("UPDATE contacts SET ");
    let mut values: Vec<Value> = Vec::new();
    for field in ContactField::TEXT {
        values.push(text(field.name()).map_or(Value::Null, Value::Text));
        sql.push_str(&format!("{} = ?{}, ", field.name(), values.len()));
    }
    let email_key = text("email").map(|e| key_of(&e));
    values.push(email_key.map_or(Value::Null, Value::Text));
    sql.push_str(&format!("email_key = ?{}, ", values.len()));
    for key in ["consent_status", "consent_source"] {
        values.push(
            before[key]
                .as_str()
                .map_or(Value::Null, |s| Value::Text(s.to_owned())),
        );
        sql.push_str(&format!("{key} = ?{}, ", values.len()));
    }
    for key in ["consent_changed_at", "updated_at"] {
        values.push(before[key].as_i64().map_or(Value::Null, Value::Integer));
        sql.push_str(&format!("{key} = ?{}, ", values.len()));
    }
    values.push(Value::Integer(contact));
    sql.truncate(sql.len() - 2);
    sql.push_str(&format!(" WHERE id = ?{}", values.len()));
    tx.execute(&sql, rusqlite::params_from_iter(values))?;

    tx.execute("DELETE FROM contact_tags WHERE contact_id = ?1", [contact])?;
    for tag in before["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_i64())
    {
        tx.execute(
            "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)",
            [contact, tag],
        )?;
    }
    tx.execute("DELETE FROM custom_values WHERE contact_id = ?1", [contact])?;
    for pair in before["custom"].as_array().into_iter().flatten() {
        if let (Some(field), Some(value)) = (pair[0].as_i64(), custom_from_json(&pair[1])) {
            tx.execute(
                "INSERT INTO custom_values (contact_id, field_id, value) VALUES (?1, ?2, ?3)",
                params![contact, field, custom_to_sql(&value)],
            )?;
        }
    }
    Ok(())
}

impl ImportTx<'_> {
    /// The run this import records.
    pub fn run(&self) -> ImportRunId {
        self.run
    }

    /// The id of a custom field named `name`, created with `kind` if it does
    /// not exist; an existing field keeps its own type, which is returned.
    pub fn ensure_custom_field(
        &mut self,
        name: &str,
        kind: FieldKind,
    ) -> Result<(CustomFieldId, FieldKind, bool)> {
        let existing = self
            .tx
            .query_row(
                "SELECT id, kind FROM custom_fields WHERE name = ?1",
                [name],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        if let Some((id, stored)) = existing {
            return Ok((
                CustomFieldId(id),
                FieldKind::parse(&stored).unwrap_or(FieldKind::Text),
                false,
            ));
        }
        self.tx.execute(
            "INSERT INTO custom_fields (name, kind, created_at) VALUES (?1, ?2, ?3)",
            params![name, kind.as_str(), self.now],
        )?;
        let id = CustomFieldId(self.tx.last_insert_rowid());
        self.field_kinds.insert(id, kind);
        Ok((id, kind, true))
    }

    /// Prepares for inserting about `rows` contacts: a large import into a
    /// workspace that is not much larger switches to bulk loading (see
    /// [`Identities::Bulk`]). Call [`ImportTx::expect_fields`] first.
    pub fn expect_contacts(&mut self, rows: usize) -> Result<()> {
        if matches!(self.identities, Identities::Bulk { .. }) {
            return Ok(());
        }
        let Some(existing) = loads_in_bulk(&self.tx, rows)? else {
            return Ok(());
        };
        // New contacts' emails are not kept (see `insert_many`).
        let mut by_email =
            foldhash::HashMap::with_capacity_and_hasher(existing, Default::default());
        let mut by_customer = foldhash::HashMap::default();
        {
            let mut stmt = self
                .tx
                .prepare("SELECT id, email_key, customer_id FROM contacts")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let id = ContactId(row.get(0)?);
                if let Some(key) = row.get::<_, Option<String>>(1)? {
                    by_email.insert(key, id);
                }
                if let Some(customer) = row.get::<_, Option<String>>(2)? {
                    by_customer.insert(customer, id);
                }
            }
        }
        // The customer-ID index leaves out contacts without one: when the
        // new contacts have none, it gets nothing from them and can stay.
        let keep_customer_index =
            self.insert_fields & text_field_bit(ContactField::CustomerId) == 0;
        let indexes: Vec<(String, String)> = {
            let mut stmt = self.tx.prepare(
                "SELECT name, sql FROM sqlite_schema \
                 WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL \
                 AND NOT (?1 AND name = 'contacts_customer_id')",
            )?;
            stmt.query_map([keep_customer_index], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        self.tx
            .pragma_update(None, "cache_size", super::BULK_CACHE_KIB)?;
        for (name, _) in &indexes {
            self.tx
                .execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        self.identities = Identities::Bulk {
            by_email,
            by_customer,
            indexes: indexes.into_iter().map(|(_, sql)| sql).collect(),
        };
        Ok(())
    }

    /// The contact with this email key, if any.
    pub fn find_by_email(&self, email_key: &str) -> Result<Option<ContactId>> {
        if let Identities::Bulk { by_email, .. } = &self.identities {
            if by_email.is_empty() {
                return Ok(None);
            }
            return Ok(by_email.get(email_key).copied());
        }
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM contacts WHERE email_key = ?1")?;
        Ok(stmt
            .query_row([email_key], |r| r.get(0).map(ContactId))
            .optional()?)
    }

    /// The contact with this customer ID, if any.
    pub fn find_by_customer_id(&self, customer_id: &str) -> Result<Option<ContactId>> {
        if let Identities::Bulk { by_customer, .. } = &self.identities {
            return Ok(by_customer.get(customer_id).copied());
        }
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM contacts WHERE customer_id = ?1")?;
        Ok(stmt
            .query_row([customer_id], |r| r.get(0).map(ContactId))
            .optional()?)
    }

    /// Keeps the in-memory identities current after `contact` got these
    /// identities (bulk loading only). `old_email_key` is the key it had.
    fn remember(
        &mut self,
        contact: ContactId,
        email_key: Option<&str>,
        old_email_key: Option<&str>,
        customer_id: Option<&str>,
    ) {
        let Identities::Bulk {
            by_email,
            by_customer,
            ..
        } = &mut self.identities
        else {
            return;
        };
        if let Some(key) = email_key {
            if let Some(old) = old_email_key.filter(|old| *old != key) {
                by_email.remove(old);
            }
            by_email.insert(key.to_owned(), contact);
        }
        if let Some(customer) = customer_id {
            by_customer.insert(customer.to_owned(), contact);
        }
    }

    /// Everything an import compares about a contact.
    pub fn load(&self, id: ContactId) -> Result<ExistingContact> {
        let columns: Vec<&str> = ContactField::TEXT.iter().map(|f| f.name()).collect();
        let sql = format!(
            "SELECT {}, consent_status FROM contacts WHERE id = ?1",
            columns.join(", ")
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let (fields, consent) = stmt.query_row([id.0], |r| {
            let mut fields = HashMap::new();
            for (i, field) in ContactField::TEXT.iter().enumerate() {
                if let Some(value) = r.get::<_, Option<String>>(i)?.filter(|v| !v.is_empty()) {
                    fields.insert(*field, value);
                }
            }
            let consent: String = r.get(ContactField::TEXT.len())?;
            Ok((fields, Consent::parse(&consent).unwrap_or(Consent::Unknown)))
        })?;
        let mut stmt = self.tx.prepare_cached(
            "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ?1",
        )?;
        let tags = stmt
            .query_map([id.0], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let mut stmt = self
            .tx
            .prepare_cached("SELECT field_id, value FROM custom_values WHERE contact_id = ?1")?;
        let mut rows = stmt.query([id.0])?;
        let mut custom = HashMap::new();
        while let Some(r) = rows.next()? {
            let field = CustomFieldId(r.get(0)?);
            let kind = self
                .field_kinds
                .get(&field)
                .copied()
                .unwrap_or(FieldKind::Text);
            let value = match (r.get_ref(1)?, kind) {
                (ValueRef::Integer(n), FieldKind::Bool) => CustomValue::Bool(n != 0),
                (ValueRef::Integer(n), _) => CustomValue::Number(n as f64),
                (ValueRef::Real(x), _) => CustomValue::Number(x),
                (ValueRef::Text(t), _) => {
                    CustomValue::Text(String::from_utf8_lossy(t).into_owned())
                }
                _ => continue,
            };
            custom.insert(field, value);
        }
        Ok(ExistingContact {
            id,
            fields,
            consent,
            tags,
            custom,
        })
    }

    fn tag_id(&mut self, name: &str) -> Result<i64> {
        let key = name.to_lowercase();
        if let Some(id) = self.tag_ids.get(&key) {
            return Ok(*id);
        }
        self.tx
            .execute("INSERT INTO tags (name) VALUES (?1)", [name])?;
        let id = self.tx.last_insert_rowid();
        self.tag_ids.insert(key, id);
        Ok(id)
    }

    fn add_tags(&mut self, contact: ContactId, tags: &[String]) -> Result<()> {
        for tag in tags {
            let tag_id = self.tag_id(tag)?;
            let mut stmt = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)",
            )?;
            stmt.execute([contact.0, tag_id])?;
        }
        Ok(())
    }

    fn set_custom(
        &mut self,
        contact: ContactId,
        custom: &[(CustomFieldId, CustomValue)],
    ) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO custom_values (contact_id, field_id, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value",
        )?;
        for (field, value) in custom {
            stmt.execute(params![contact.0, field.0, custom_to_sql(value)])?;
        }
        Ok(())
    }

    /// Appends a consent change to a contact's history. A contact's first
    /// state is kept on its row only, so before the first change that state
    /// is written to the history too; call this before updating the row.
    fn record_consent(&mut self, contact: ContactId, consent: Consent, at: i64) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "INSERT INTO consent_history (contact_id, status, changed_at, source, import_run_id) \
             SELECT id, consent_status, consent_changed_at, coalesce({}, 'import'), \
                    import_run_id \
             FROM contacts WHERE id = ?1 AND consent_changed_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM consent_history WHERE contact_id = ?1)",
            super::CONSENT_SOURCE
        ))?;
        stmt.execute([contact.0])?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO consent_history (contact_id, status, changed_at, source, import_run_id) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        stmt.execute(params![
            contact.0,
            consent.as_str(),
            at,
            self.source,
            self.run.0
        ])?;
        Ok(())
    }

    /// Inserts a new contact.
    pub fn insert(&mut self, values: &ContactValues) -> Result<ContactId> {
        self.insert_many(&[(values, None)])
    }

    /// Inserts new contacts, [`INSERT_BATCH`] to a statement (blank fields
    /// bind NULL). `email_key` is a contact's email key when the caller has
    /// it already. Returns the first contact's id; the others follow it.
    pub fn insert_many(&mut self, rows: &[(&ContactValues, Option<&str>)]) -> Result<ContactId> {
        let mut first = None;
        let mut batches = rows.chunks_exact(INSERT_BATCH);
        for batch in batches.by_ref() {
            let id = self.insert_statement(batch)?;
            first.get_or_insert(id);
        }
        for row in batches.remainder() {
            let id = self.insert_statement(std::slice::from_ref(row))?;
            first.get_or_insert(id);
        }
        let first = first.ok_or_else(|| StoreError::Invalid("no contacts to insert".to_owned()))?;
        // The first consent state lives on the contact row alone; the
        // history gets rows when it changes (see `record_consent`).
        for (offset, (values, _)) in rows.iter().enumerate() {
            let id = ContactId(first.0 + offset as i64);
            // Bulk loading keeps the new contacts' customer IDs but not their
            // emails: the contacts importer reports a second row with the
            // same email as a duplicate before it looks anyone up, so no
            // lookup asks for them. (Were one inserted twice anyway, building
            // the unique index at commit would fail the import.)
            self.remember(id, None, None, values.field(ContactField::CustomerId));
            if !values.tags.is_empty() {
                self.add_tags(id, &values.tags)?;
            }
            if !values.custom.is_empty() {
                self.set_custom(id, &values.custom)?;
            }
        }
        Ok(first)
    }

    /// Names the text fields new contacts will have (the file's mapped
    /// fields), so that inserts bind only those. A contact with another
    /// field is still inserted whole.
    pub fn expect_fields(&mut self, fields: impl IntoIterator<Item = ContactField>) {
        let mask = fields.into_iter().map(text_field_bit).fold(0, |m, b| m | b);
        if mask != self.insert_fields {
            self.insert_fields = mask;
            self.batch_sql = None;
        }
    }

    /// Inserts `rows` with one statement and returns the first one's id.
    /// SQLite gives rows of one INSERT consecutive ids when it picks them.
    fn insert_statement(&mut self, rows: &[(&ContactValues, Option<&str>)]) -> Result<ContactId> {
        let needed = rows
            .iter()
            .flat_map(|(values, _)| &values.fields)
            .fold(self.insert_fields, |m, (field, _)| {
                m | text_field_bit(*field)
            });
        if needed != self.insert_fields {
            self.insert_fields = needed;
            self.batch_sql = None;
        }
        let slots: Vec<usize> = (0..ContactField::TEXT.len())
            .filter(|i| needed & (1 << i) != 0)
            .collect();
        let width = slots.len() + 6;
        let sql = match (rows.len(), &self.batch_sql) {
            (INSERT_BATCH, Some(sql)) => sql.clone(),
            (n, _) => {
                let columns: Vec<&str> = slots
                    .iter()
                    .map(|&i| ContactField::TEXT[i].name())
                    .chain([
                        "email_key",
                        "created_at",
                        "updated_at",
                        "consent_status",
                        "consent_changed_at",
                        "import_run_id",
                    ])
                    .collect();
                let one = format!("({})", vec!["?"; width].join(", "));
                let sql: std::rc::Rc<str> = format!(
                    "INSERT INTO contacts ({}) VALUES {}",
                    columns.join(", "),
                    vec![one; n].join(", ")
                )
                .into();
                if n == INSERT_BATCH {
                    self.batch_sql = Some(sql.clone());
                }
                sql
            }
        };
        let mut stmt = self.tx.prepare_cached(&sql)?;
        for (r, (values, email_key)) in rows.iter().enumerate() {
            let mut fields: [Option<&str>; ContactField::TEXT.len()] =
                [None; ContactField::TEXT.len()];
            for (field, value) in &values.fields {
                if let Some(slot) = ContactField::TEXT.iter().position(|f| f == field) {
                    fields[slot] = Some(value.as_str());
                }
            }
            let computed;
            let email_key = match email_key {
                Some(key) => Some(*key),
                None => {
                    computed = fields[0].map(key_of);
                    computed.as_deref()
                }
            };
            let (consent, consent_at) = values.consent.unwrap_or((Consent::Unknown, self.now));
            let has_consent = values.consent.is_some();
            let at = r * width;
            for (i, &slot) in slots.iter().enumerate() {
                stmt.raw_bind_parameter(at + i + 1, fields[slot])?;
            }
            let n = slots.len();
            stmt.raw_bind_parameter(at + n + 1, email_key)?;
            stmt.raw_bind_parameter(at + n + 2, values.created_at.unwrap_or(self.now))?;
            stmt.raw_bind_parameter(at + n + 3, self.now)?;
            stmt.raw_bind_parameter(at + n + 4, consent.as_str())?;
            stmt.raw_bind_parameter(at + n + 5, has_consent.then_some(consent_at))?;
            stmt.raw_bind_parameter(at + n + 6, self.run.0)?;
        }
        stmt.raw_execute()?;
        drop(stmt);
        Ok(ContactId(
            self.tx.last_insert_rowid() - rows.len() as i64 + 1,
        ))
    }

    /// Applies `changes` to an existing contact, first saving its
    /// before-image for undo.
    pub fn update(&mut self, existing: &ExistingContact, changes: &ContactValues) -> Result<()> {
        self.snapshot(existing.id)?;
        if let Some((consent, at)) = changes.consent {
            self.record_consent(existing.id, consent, at)?;
        }
        let old_email_key = existing.fields.get(&ContactField::Email).map(|e| key_of(e));
        let new_email_key = changes.field(ContactField::Email).map(key_of);
        self.remember(
            existing.id,
            new_email_key.as_deref(),
            old_email_key.as_deref(),
            changes.field(ContactField::CustomerId),
        );
        let mut assignments: Vec<String> = Vec::new();
        let mut sql_values: Vec<Value> = Vec::new();
        let mut assign = |column: &str, value: Value| {
            sql_values.push(value);
            assignments.push(format!("{column} = ?{}", sql_values.len()));
        };
        for (field, value) in &changes.fields {
            assign(field.name(), Value::Text(value.clone()));
            if *field == ContactField::Email {
                assign("email_key", Value::Text(key_of(value)));
            }
        }
        if let Some(created_at) = changes.created_at {
            assign("created_at", Value::Integer(created_at));
        }
        if let Some((consent, at)) = changes.consent {
            assign("consent_status", Value::Text(consent.as_str().to_owned()));
            assign("consent_changed_at", Value::Integer(at));
            assign("consent_source", Value::Text(self.source.clone()));
        }
        assign("updated_at", Value::Integer(self.now));
        sql_values.push(Value::Integer(existing.id.0));
        let sql = format!(
            "UPDATE contacts SET {} WHERE id = ?{}",
            assignments.join(", "),
            sql_values.len()
        );
        self.tx
            .execute(&sql, rusqlite::params_from_iter(sql_values))?;
        self.add_tags(existing.id, &changes.tags)?;
        self.set_custom(existing.id, &changes.custom)?;
        Ok(())
    }

    /// Saves a contact's current state once per run, for undo.
    fn snapshot(&mut self, contact: ContactId) -> Result<()> {
        let mut fields = serde_json::Map::new();
        let columns: Vec<&str> = ContactField::TEXT.iter().map(|f| f.name()).collect();
        let sql = format!(
            "SELECT {}, consent_status, consent_changed_at, consent_source, updated_at FROM contacts WHERE id = ?1",
            columns.join(", ")
        );
        let n = ContactField::TEXT.len();
        let before = self.tx.query_row(&sql, [contact.0], |r| {
            for (i, field) in ContactField::TEXT.iter().enumerate() {
                fields.insert(
                    field.name().to_owned(),
                    json!(r.get::<_, Option<String>>(i)?),
                );
            }
            Ok(json!({
                "consent_status": r.get::<_, String>(n)?,
                "consent_changed_at": r.get::<_, Option<i64>>(n + 1)?,
                "consent_source": r.get::<_, Option<String>>(n + 2)?,
                "updated_at": r.get::<_, i64>(n + 3)?,
            }))
        })?;
        let tags: Vec<i64> = {
            let mut stmt = self
                .tx
                .prepare_cached("SELECT tag_id FROM contact_tags WHERE contact_id = ?1")?;
            stmt.query_map([contact.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let existing = self.load(contact)?;
        let custom: Vec<serde_json::Value> = existing
            .custom
            .iter()
            .map(|(field, value)| json!([field.0, custom_to_json(value)]))
            .collect();
        let mut before = before;
        before["fields"] = serde_json::Value::Object(fields);
        before["tags"] = json!(tags);
        before["custom"] = json!(custom);
        let mut stmt = self.tx.prepare_cached(
            "INSERT OR IGNORE INTO import_undo (import_run_id, contact_id, before_json) VALUES (?1, ?2, ?3)",
        )?;
        stmt.execute(params![self.run.0, contact.0, before.to_string()])?;
        Ok(())
    }

    /// Whether an order with this reference is already in the workspace.
    pub fn order_exists(&self, reference: &str) -> Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM orders WHERE reference = ?1")?;
        Ok(stmt.exists([reference])?)
    }

    /// The id of a product, created on first sight; a category fills a
    /// product that had none.
    pub fn product_id(
        &mut self,
        sku: Option<&str>,
        name: &str,
        category: Option<&str>,
    ) -> Result<i64> {
        let key = (sku.unwrap_or_default().to_owned(), name.to_owned());
        if let Some(id) = self.product_ids.get(&key) {
            return Ok(*id);
        }
        let found: Option<(i64, Option<String>)> = self
            .tx
            .prepare_cached(
                "SELECT id, category FROM products WHERE coalesce(sku, '') = ?1 AND name = ?2",
            )?
            .query_row(params![key.0, key.1], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let id = match found {
            Some((id, existing_category)) => {
                if existing_category.is_none() && category.is_some() {
                    self.tx.execute(
                        "UPDATE products SET category = ?1 WHERE id = ?2",
                        params![category, id],
                    )?;
                }
                id
            }
            None => {
                self.tx.execute(
                    "INSERT INTO products (sku, name, category) VALUES (?1, ?2, ?3)",
                    params![sku, name, category],
                )?;
                self.tx.last_insert_rowid()
            }
        };
        self.product_ids.insert(key, id);
        Ok(id)
    }

    /// Inserts an order.
    pub fn insert_order(
        &mut self,
        contact: ContactId,
        reference: &str,
        ordered_at: i64,
        total_cents: i64,
        currency: &str,
    ) -> Result<OrderId> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO orders (contact_id, reference, ordered_at, total_cents, currency, import_run_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(params![
            contact.0,
            reference,
            ordered_at,
            total_cents,
            currency,
            self.run.0
        ])?;
        Ok(OrderId(self.tx.last_insert_rowid()))
    }

    /// Inserts an order line.
    pub fn insert_order_item(
        &mut self,
        order: OrderId,
        product: i64,
        quantity: i64,
        unit_price_cents: i64,
    ) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (?1, ?2, ?3, ?4)",
        )?;
        stmt.execute(params![order.0, product, quantity, unit_price_cents])?;
        Ok(())
    }

    /// Whether the contact already has this event (same kind, time and
    /// campaign).
    pub fn event_exists(
        &self,
        contact: ContactId,
        kind: &str,
        occurred_at: i64,
        campaign: Option<&str>,
    ) -> Result<bool> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT 1 FROM events e LEFT JOIN campaigns c ON c.id = e.campaign_id \
             WHERE e.contact_id = ?1 AND e.kind = ?2 AND e.occurred_at = ?3 AND c.name IS ?4",
        )?;
        Ok(stmt.exists(params![contact.0, kind, occurred_at, campaign])?)
    }

    /// Inserts an event; the campaign is created on first sight.
    pub fn insert_event(
        &mut self,
        contact: ContactId,
        kind: &str,
        occurred_at: i64,
        campaign: Option<&str>,
        variant: Option<&str>,
        value: Option<f64>,
    ) -> Result<()> {
        let campaign_id = match campaign {
            Some(name) => Some(match self.campaign_ids.get(name) {
                Some(id) => *id,
                None => {
                    self.tx
                        .execute("INSERT OR IGNORE INTO campaigns (name) VALUES (?1)", [name])?;
                    let id: i64 = self.tx.query_row(
                        "SELECT id FROM campaigns WHERE name = ?1",
                        [name],
                        |r| r.get(0),
                    )?;
                    self.campaign_ids.insert(name.to_owned(), id);
                    id
                }
            }),
            None => None,
        };
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO events (contact_id, kind, occurred_at, campaign_id, variant, value, import_run_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        stmt.execute(params![
            contact.0,
            kind,
            occurred_at,
            campaign_id,
            variant,
            value,
            self.run.0
        ])?;
        Ok(())
    }

    /// Keeps a rejected row for the rejects file.
    pub fn reject(&mut self, line: usize, reason: &str, cells: &[String]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO import_rejects (import_run_id, line, reason, cells_json) VALUES (?1, ?2, ?3, ?4)",
        )?;
        stmt.execute(params![
            self.run.0,
            line as i64,
            reason,
            json!(cells).to_string()
        ])?;
        Ok(())
    }

    /// Commits the import with its summary. Derived metrics are recomputed
    /// when `orders_changed`; indexes dropped for a bulk load are built.
    pub fn commit(self, summary_json: &str, orders_changed: bool) -> Result<ImportRunId> {
        if let Identities::Bulk { indexes, .. } = &self.identities {
            // Index builds sort; a second thread helps (the parser is done).
            self.tx.pragma_update(None, "threads", 2)?;
            for sql in indexes {
                self.tx.execute_batch(sql)?;
            }
            self.tx.pragma_update(None, "threads", 0)?;
            self.tx
                .pragma_update(None, "cache_size", super::CACHE_KIB)?;
        }
        if orders_changed {
            super::refresh_all_metrics(&self.tx)?;
        }
        self.tx.execute(
            "UPDATE import_runs SET finished_at = ?1, status = 'finished', summary_json = ?2 WHERE id = ?3",
            params![self.now, summary_json, self.run.0],
        )?;
        self.tx.execute(
            "INSERT INTO audit_log (at, action, detail_json) VALUES (?1, 'import', ?2)",
            params![self.now, summary_json],
        )?;
        self.tx.commit()?;
        Ok(self.run)
    }
}
