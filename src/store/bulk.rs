//! Bulk loading into a brand-new workspace file, as the demo generator does:
//! one transaction, no journal, secondary indexes dropped during the load and
//! rebuilt at the end. The file is written beside its destination and renamed
//! into place only when complete, so a cancelled or failed load leaves nothing.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::{Result, Store, StoreError, partial_path};
use crate::domain::{
    Consent, ContactId, CustomFieldId, CustomValue, FieldKind, ImportRunId, OrderId,
    WorkspaceSettings,
};
use crate::jobs::ProgressSink;

/// A contact to insert.
#[derive(Clone, Debug, Default)]
pub struct NewContact {
    pub email: Option<String>,
    pub customer_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub birthday: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub created_at: i64,
    pub consent: Option<Consent>,
    pub consent_changed_at: Option<i64>,
}

/// An order to insert.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub contact: ContactId,
    pub reference: String,
    pub ordered_at: i64,
    pub total_cents: i64,
    pub currency: &'static str,
}

/// An order line to insert; `product` comes from [`BulkLoad::add_product`].
#[derive(Clone, Copy, Debug)]
pub struct NewOrderItem {
    pub product: i64,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

/// An event to insert; `campaign` comes from [`BulkLoad::add_campaign`].
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub contact: ContactId,
    pub kind: &'static str,
    pub occurred_at: i64,
    pub campaign: Option<i64>,
    pub variant: Option<&'static str>,
    pub value: Option<f64>,
}

/// A load in progress. Dropping it without [`BulkLoad::finish`] discards
/// everything, file included.
pub struct BulkLoad {
    conn: Option<Connection>,
    dest: PathBuf,
    partial: PathBuf,
    deferred_indexes: Vec<String>,
    run: ImportRunId,
    source: String,
}

impl BulkLoad {
    /// Starts loading a new workspace that will live at `dest`, which must
    /// not exist yet. `source` names where the data comes from (shown in
    /// consent history).
    pub fn create(
        dest: &Path,
        settings: &WorkspaceSettings,
        source: &str,
        started_at: i64,
    ) -> Result<Self> {
        if dest.exists() {
            return Err(StoreError::AlreadyExists {
                path: dest.to_owned(),
            });
        }
        let partial = partial_path(dest);
        let _ = std::fs::remove_file(&partial);
        let store = Store::create(&partial, settings)?;
        let conn = store.conn;
        // A new file that is discarded on failure needs no journal.
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        conn.pragma_update(None, "cache_size", -262_144)?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let deferred_indexes = {
            let mut stmt = conn.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (name, _) in &rows {
                conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            }
            rows.into_iter().map(|(_, sql)| sql).collect()
        };
        conn.execute_batch("BEGIN")?;
        conn.execute(
            "INSERT INTO import_runs (kind, file_name, started_at, status) \
             VALUES ('demo', ?1, ?2, 'running')",
            params![source, started_at],
        )?;
        let run = ImportRunId(conn.last_insert_rowid());
        Ok(Self {
            conn: Some(conn),
            dest: dest.to_owned(),
            partial,
            deferred_indexes,
            run,
            source: source.to_owned(),
        })
    }

    fn conn(&self) -> Result<&Connection> {
        self.conn.as_ref().ok_or(StoreError::Cancelled)
    }

    /// Inserts a contact; its email key is derived here.
    pub fn add_contact(&mut self, c: &NewContact) -> Result<ContactId> {
        let conn = self.conn()?;
        let email_key = c.email.as_deref().map(|e| e.trim().to_lowercase());
        let consent = c.consent.unwrap_or(Consent::Unknown);
        let source = c.consent.map(|_| self.source.as_str());
        let mut stmt = conn.prepare_cached(
            "INSERT INTO contacts (email, email_key, customer_id, first_name, last_name, phone, \
             company, city, region, country, postal_code, birthday, language, time_zone, \
             created_at, updated_at, consent_status, consent_changed_at, consent_source, \
             import_run_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, \
             ?16, ?17, ?18, ?19)",
        )?;
        stmt.execute(params![
            c.email,
            email_key,
            c.customer_id,
            c.first_name,
            c.last_name,
            c.phone,
            c.company,
            c.city,
            c.region,
            c.country,
            c.postal_code,
            c.birthday,
            c.language,
            c.time_zone,
            c.created_at,
            consent.as_str(),
            c.consent_changed_at,
            source,
            self.run.0,
        ])?;
        Ok(ContactId(conn.last_insert_rowid()))
    }

    /// Appends a consent change to a contact's history.
    pub fn add_consent_change(
        &mut self,
        contact: ContactId,
        status: Consent,
        changed_at: i64,
    ) -> Result<()> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "INSERT INTO consent_history (contact_id, status, changed_at, source, import_run_id) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        stmt.execute(params![
            contact.0,
            status.as_str(),
            changed_at,
            self.source,
            self.run.0
        ])?;
        Ok(())
    }

    /// Defines a custom field.
    pub fn add_custom_field(
        &mut self,
        name: &str,
        kind: FieldKind,
        created_at: i64,
    ) -> Result<CustomFieldId> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO custom_fields (name, kind, created_at) VALUES (?1, ?2, ?3)",
            params![name, kind.as_str(), created_at],
        )?;
        Ok(CustomFieldId(conn.last_insert_rowid()))
    }

    /// Sets a contact's value of a custom field.
    pub fn set_custom_value(
        &mut self,
        contact: ContactId,
        field: CustomFieldId,
        value: &CustomValue,
    ) -> Result<()> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "INSERT INTO custom_values (contact_id, field_id, value) VALUES (?1, ?2, ?3)",
        )?;
        match value {
            CustomValue::Text(text) => stmt.execute(params![contact.0, field.0, text])?,
            CustomValue::Number(n) => stmt.execute(params![contact.0, field.0, n])?,
            CustomValue::Bool(b) => stmt.execute(params![contact.0, field.0, i64::from(*b)])?,
        };
        Ok(())
    }

    /// Defines a tag and returns its id.
    pub fn add_tag(&mut self, name: &str) -> Result<i64> {
        let conn = self.conn()?;
        conn.execute("INSERT INTO tags (name) VALUES (?1)", [name])?;
        Ok(conn.last_insert_rowid())
    }

    /// Tags a contact.
    pub fn tag_contact(&mut self, contact: ContactId, tag: i64) -> Result<()> {
        let conn = self.conn()?;
        let mut stmt =
            conn.prepare_cached("INSERT INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)")?;
        stmt.execute(params![contact.0, tag])?;
        Ok(())
    }

    /// Defines a product and returns its id.
    pub fn add_product(&mut self, sku: &str, name: &str, category: &str) -> Result<i64> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO products (sku, name, category) VALUES (?1, ?2, ?3)",
            params![sku, name, category],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Defines a campaign and returns its id.
    pub fn add_campaign(&mut self, name: &str) -> Result<i64> {
        let conn = self.conn()?;
        conn.execute("INSERT INTO campaigns (name) VALUES (?1)", [name])?;
        Ok(conn.last_insert_rowid())
    }

    /// Saves a segment definition (its name is read from the JSON).
    pub fn add_segment(&mut self, definition_json: &str, now: i64) -> Result<()> {
        let name = serde_json::from_str::<serde_json::Value>(definition_json)
            .ok()
            .and_then(|v| v["name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "Segment".to_owned());
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO segments (name, definition_json, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![name, definition_json, now],
        )?;
        Ok(())
    }

    /// Inserts an order (its lines follow with [`BulkLoad::add_order_item`]).
    pub fn add_order(&mut self, order: &NewOrder) -> Result<OrderId> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "INSERT INTO orders (contact_id, reference, ordered_at, total_cents, currency, \
             import_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(params![
            order.contact.0,
            order.reference,
            order.ordered_at,
            order.total_cents,
            order.currency,
            self.run.0
        ])?;
        Ok(OrderId(conn.last_insert_rowid()))
    }

    /// Inserts an order line.
    pub fn add_order_item(&mut self, order: OrderId, item: &NewOrderItem) -> Result<()> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) \
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        stmt.execute(params![
            order.0,
            item.product,
            item.quantity,
            item.unit_price_cents
        ])?;
        Ok(())
    }

    /// Inserts an event.
    pub fn add_event(&mut self, event: &NewEvent) -> Result<()> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "INSERT INTO events (contact_id, kind, occurred_at, campaign_id, variant, value, \
             import_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        stmt.execute(params![
            event.contact.0,
            event.kind,
            event.occurred_at,
            event.campaign,
            event.variant,
            event.value,
            self.run.0
        ])?;
        Ok(())
    }

    /// Commits the load, rebuilds the indexes and derived metrics, and moves
    /// the file into place. `progress` gets fractions from 0 to 1.
    pub fn finish(
        mut self,
        finished_at: i64,
        summary_json: &str,
        progress: &mut dyn ProgressSink,
    ) -> Result<PathBuf> {
        let conn = self.conn.take().ok_or(StoreError::Cancelled)?;
        let result = self.complete(conn, finished_at, summary_json, progress);
        if result.is_err() {
            let _ = std::fs::remove_file(&self.partial);
        }
        result
    }

    fn complete(
        &self,
        conn: Connection,
        finished_at: i64,
        summary_json: &str,
        progress: &mut dyn ProgressSink,
    ) -> Result<PathBuf> {
        conn.execute(
            "UPDATE import_runs SET finished_at = ?1, status = 'finished', summary_json = ?2 \
             WHERE id = ?3",
            params![finished_at, summary_json, self.run.0],
        )?;
        conn.execute(
            "INSERT INTO audit_log (at, action, detail_json) VALUES (?1, 'demo_generated', ?2)",
            params![finished_at, summary_json],
        )?;
        conn.execute_batch("COMMIT")?;
        let n_steps = self.deferred_indexes.len() + 2;
        for (i, sql) in self.deferred_indexes.iter().enumerate() {
            progress.report(i as f32 / n_steps as f32, "Building indexes");
            conn.execute_batch(sql)?;
        }
        progress.report(
            (n_steps - 2) as f32 / n_steps as f32,
            "Computing order metrics",
        );
        super::refresh_all_metrics(&conn)?;
        progress.report((n_steps - 1) as f32 / n_steps as f32, "Analyzing");
        conn.execute_batch("ANALYZE")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        drop(conn);
        std::fs::rename(&self.partial, &self.dest)?;
        progress.report(1.0, "Done");
        Ok(self.dest.clone())
    }
}

impl Drop for BulkLoad {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Not finished: close without committing and remove the file.
            drop(conn);
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}
