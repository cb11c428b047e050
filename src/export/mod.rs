//! Exports: writing workspace data to files other tools read. For now the
//! full contact list as CSV; campaign exports (.eml, HTML, ESP CSV) follow.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::domain::money::format_cents;
use crate::domain::{ContactField, ContactId, ContactRow};
use crate::jobs::{CancelToken, ProgressSink};
use crate::store::{Store, StoreError, partial_path};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {reason}")]
    Write {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("cancelled; nothing was written")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Makes a cell safe to open in a spreadsheet: a value that would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
/// leading apostrophe, as OWASP recommends, unless it is a plain number.
pub fn neutralize_formula(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let plain_number = value.parse::<f64>().is_ok_and(f64::is_finite)
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    if risky && !plain_number {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

fn iso(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn text_of(row: &ContactRow, field: ContactField) -> Option<&str> {
    match field {
        ContactField::Email => row.email.as_deref(),
        ContactField::CustomerId => row.customer_id.as_deref(),
        ContactField::FirstName => row.first_name.as_deref(),
        ContactField::LastName => row.last_name.as_deref(),
        ContactField::Phone => row.phone.as_deref(),
        ContactField::Company => row.company.as_deref(),
        ContactField::City => row.city.as_deref(),
        ContactField::Region => row.region.as_deref(),
        ContactField::Country => row.country.as_deref(),
        ContactField::PostalCode => row.postal_code.as_deref(),
        ContactField::Birthday => row.birthday.as_deref(),
        ContactField::Language => row.language.as_deref(),
        ContactField::TimeZone => row.time_zone.as_deref(),
        ContactField::CreatedAt => None,
    }
}

/// Writes every contact, with every built-in field, consent, tags, the
/// derived order metrics and every custom field, to `path` as UTF-8 CSV.
/// The file is written beside `path` and renamed into place when complete.
/// Returns the number of contacts written.
pub fn export_contacts_csv(
    store: &Store,
    path: &Path,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64, ExportError> {
    export_csv(store, path, None, progress, cancel)
}

/// Writes the contacts `members` (a segment's, say), in that order, with the
/// same columns as [`export_contacts_csv`].
pub fn export_members_csv(
    store: &Store,
    path: &Path,
    members: &[ContactId],
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64, ExportError> {
    export_csv(store, path, Some(members), progress, cancel)
}

/// Rows fetched from the store at a time.
const EXPORT_CHUNK: usize = 2_000;

fn export_csv(
    store: &Store,
    path: &Path,
    members: Option<&[ContactId]>,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64, ExportError> {
    let write_error = |e: &dyn std::fmt::Display| ExportError::Write {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let partial = partial_path(path);
    let result = (|| {
        let fields = store.custom_fields()?;
        let total = match members {
            Some(ids) => ids.len().max(1) as f32,
            None => store.counts()?.contacts.max(1) as f32,
        };
        let mut writer = csv::Writer::from_path(&partial).map_err(|e| write_error(&e))?;
        let mut header: Vec<String> = ContactField::TEXT
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        header.extend(
            [
                "email_consent",
                "tags",
                "created_at",
                "updated_at",
                "order_count",
                "total_spent",
                "first_order_at",
                "last_order_at",
            ]
            .map(str::to_owned),
        );
        header.extend(fields.iter().map(|f| f.name.clone()));
        writer
            .write_record(header.iter().map(|h| neutralize_formula(h).into_owned()))
            .map_err(|e| write_error(&e))?;
        let mut after = ContactId(0);
        let mut chunks = members.map(|ids| ids.chunks(EXPORT_CHUNK));
        let mut written = 0u64;
        loop {
            if cancel.is_cancelled() {
                return Err(ExportError::Cancelled);
            }
            let rows = match chunks.as_mut() {
                Some(chunks) => match chunks.next() {
                    Some(ids) => store.contact_rows(ids)?,
                    None => break,
                },
                None => {
                    let rows = store.contacts_after(after, EXPORT_CHUNK)?;
                    let Some(last) = rows.last() else { break };
                    after = last.id;
                    rows
                }
            };
            for row in &rows {
                let mut record: Vec<String> = ContactField::TEXT
                    .iter()
                    .map(|f| text_of(row, *f).unwrap_or_default().to_owned())
                    .collect();
                record.push(
                    row.consent
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                );
                record.push(row.tags.join(", "));
                record.push(iso(row.created_at));
                record.push(iso(row.updated_at));
                record.push(row.order_count.to_string());
                record.push(format_cents(row.total_spent_cents).replace(',', ""));
                record.push(row.first_order_at.map(iso).unwrap_or_default());
                record.push(row.last_order_at.map(iso).unwrap_or_default());
                for field in &fields {
                    let value = row
                        .custom
                        .iter()
                        .find(|(id, _)| *id == field.id)
                        .map(|(_, v)| v.display());
                    record.push(value.unwrap_or_default());
                }
                writer
                    .write_record(record.iter().map(|c| neutralize_formula(c).into_owned()))
                    .map_err(|e| write_error(&e))?;
                written += 1;
            }
            progress.report(
                written as f32 / total,
                &format!("Exported {written} contacts"),
            );
        }
        writer.flush().map_err(|e| write_error(&e))?;
        drop(writer);
        std::fs::rename(&partial, path).map_err(|e| write_error(&e))?;
        Ok(written)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralizes_formulas_but_not_numbers() {
        assert_eq!(
            neutralize_formula("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(neutralize_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize_formula("+49 30 1234"), "'+49 30 1234");
        assert_eq!(neutralize_formula("-cmd"), "'-cmd");
        assert_eq!(neutralize_formula("-12.50"), "-12.50");
        assert_eq!(neutralize_formula("+7"), "+7");
        assert_eq!(neutralize_formula("Anna"), "Anna");
    }
}
