//! Import of behavioral events, one row each: an ESP's send, open or click
//! export, page views, conversions. Contacts are linked by email or
//! customer ID and created (consent unknown) when missing; events already
//! in the workspace are not added twice.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::mapping::{self, ContactField, Target, fold};
use super::orders::link_contact;
use super::rows::Rows;
use super::values::{self, DateOrder};
use super::{
    ImportError, ImportSummary, Reject, checkpoint, resolve_date_orders, uses_decimal_comma,
};
use crate::domain::time::parse_time_zone;
use crate::jobs::{CancelToken, ProgressSink};
use crate::store::{ContactValues, Store};

/// What a column of an events file feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventColumn {
    Kind,
    OccurredAt,
    Campaign,
    Variant,
    Value,
}

impl EventColumn {
    const ALL: [Self; 5] = [
        Self::Kind,
        Self::OccurredAt,
        Self::Campaign,
        Self::Variant,
        Self::Value,
    ];

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Kind => &[
                "kind",
                "event",
                "eventtype",
                "type",
                "action",
                "activity",
                "eventname",
            ],
            Self::OccurredAt => &[
                "occurredat",
                "timestamp",
                "time",
                "datetime",
                "eventtime",
                "date",
                "clickedat",
                "openedat",
                "sentat",
                "createdat",
            ],
            Self::Campaign => &[
                "campaign",
                "campaignname",
                "campaigntitle",
                "mailing",
                "subject",
            ],
            Self::Variant => &["variant", "abvariant", "testvariant", "version", "group"],
            Self::Value => &["value", "revenue", "amount"],
        }
    }
}

/// How to run an events import.
#[derive(Clone, Debug, Default)]
pub struct EventImportOptions {
    pub read: super::read::ReadOptions,
    /// Each column's role; suggested from the headers when `None`.
    pub mapping: Option<Vec<(String, EventTarget)>>,
    /// The kind of every event, for files without a kind column (a click
    /// export, say): `email_click`.
    pub kind: Option<String>,
    pub date_order: Option<DateOrder>,
    pub now: i64,
}

/// An event kind as Tailor names it: `opened` → `email_open`, `Clicked` →
/// `email_click`, others lower-cased with underscores.
pub fn normalize_kind(kind: &str) -> String {
    let folded = kind.trim().to_lowercase().replace([' ', '-'], "_");
    match folded.as_str() {
        "open" | "opened" | "opens" | "email_opened" => "email_open".to_owned(),
        "click" | "clicked" | "clicks" | "email_clicked" => "email_click".to_owned(),
        "send" | "sent" | "delivered" | "email_delivered" => "email_sent".to_owned(),
        "pageview" | "page_viewed" | "view" => "page_view".to_owned(),
        "purchase" | "converted" | "order" => "conversion".to_owned(),
        _ => folded,
    }
}

/// A column's role in an events file: an event column, a contact field
/// (for linking and for creating missing contacts), or nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to")]
pub enum EventTarget {
    Skip,
    Event { column: EventColumn },
    Contact { field: ContactField },
}

impl EventTarget {
    /// Every target a column can take, in the order the wizard lists them.
    pub fn choices() -> Vec<Self> {
        let mut choices = vec![Self::Skip];
        choices.extend(EventColumn::ALL.map(|column| Self::Event { column }));
        choices.extend(
            EVENT_CONTACT_FIELDS
                .iter()
                .map(|&field| Self::Contact { field }),
        );
        choices
    }

    /// A short description for tables and summaries.
    pub fn describe(self) -> String {
        match self {
            Self::Skip => "skipped",
            Self::Event { column } => match column {
                EventColumn::Kind => "event kind",
                EventColumn::OccurredAt => "event time",
                EventColumn::Campaign => "campaign",
                EventColumn::Variant => "variant",
                EventColumn::Value => "value",
            },
            Self::Contact { field } => field.name(),
        }
        .to_owned()
    }

    /// Whether the column holds dates.
    pub fn reads_dates(self) -> bool {
        self == Self::Event {
            column: EventColumn::OccurredAt,
        }
    }

    /// Whether the column identifies contacts (an email or customer ID).
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            Self::Contact {
                field: ContactField::Email | ContactField::CustomerId
            }
        )
    }
}

/// The contact fields an events file can carry: identities, and names for
/// contacts it creates.
const EVENT_CONTACT_FIELDS: [ContactField; 4] = [
    ContactField::Email,
    ContactField::CustomerId,
    ContactField::FirstName,
    ContactField::LastName,
];

/// Suggests each column's role from its header.
pub fn suggest(headers: &[String], rows: &Rows) -> Vec<(String, EventTarget)> {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let mut targets = vec![EventTarget::Skip; headers.len()];
    for column in EventColumn::ALL {
        let found = column.synonyms().iter().find_map(|s| {
            folded
                .iter()
                .position(|h| h == s)
                .filter(|&i| targets[i] == EventTarget::Skip)
        });
        if let Some(i) = found {
            targets[i] = EventTarget::Event { column };
        }
    }
    let contact_mapping = mapping::suggest(headers, rows, true);
    for (i, header) in headers.iter().enumerate() {
        if targets[i] == EventTarget::Skip
            && let Some(Target::Field { field }) = contact_mapping.target(header)
            && EVENT_CONTACT_FIELDS.contains(field)
        {
            targets[i] = EventTarget::Contact { field: *field };
        }
    }
    headers.iter().cloned().zip(targets).collect()
}

/// The column an events mapping (`roles`, one per column) still lacks
/// besides the contact's identity: the time, then the kind of event unless
/// every row's kind is given (`kind_given`).
pub fn missing_column(roles: &[EventTarget], kind_given: bool) -> Option<&'static str> {
    let has = |column| roles.contains(&EventTarget::Event { column });
    if !has(EventColumn::OccurredAt) {
        Some("the time of each event")
    } else if !kind_given && !has(EventColumn::Kind) {
        Some("the kind of event (or give the kind of every row, e.g. email_click)")
    } else {
        None
    }
}

/// Imports events from `path`; the summary's `inserted` counts new events
/// and `unchanged` those already present.
pub fn import_events(
    store: &mut Store,
    path: &Path,
    options: &EventImportOptions,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<(ImportSummary, Vec<Reject>, Vec<String>), ImportError> {
    progress.report(0.0, "Reading the file");
    let table = super::read::read_path(path, &options.read)?;
    let mapping = options
        .mapping
        .clone()
        .unwrap_or_else(|| suggest(&table.headers, &table.rows));
    let roles = super::targets_by_header(&table.headers, &mapping, EventTarget::Skip)?;
    if !roles.iter().any(|r| r.is_identity()) {
        return Err(ImportError::NoIdentity {
            headers: table.headers.clone(),
        });
    }
    if let Some(what) = missing_column(&roles, options.kind.is_some()) {
        return Err(ImportError::MissingColumn {
            what: what.to_owned(),
            headers: table.headers.clone(),
        });
    }
    let tz = parse_time_zone(&store.settings()?.time_zone);
    let reads_dates: Vec<bool> = roles.iter().map(|r| r.reads_dates()).collect();
    let date_orders = resolve_date_orders(&table, &reads_dates, options.date_order)?;
    let decimal_comma = uses_decimal_comma(&table);
    let file_name = super::file_name(path);
    let mut summary = ImportSummary::for_table(path, &table);
    summary.mapping = table
        .headers
        .iter()
        .zip(&roles)
        .map(|(h, t)| (h.clone(), t.describe()))
        .collect();
    let mapping_json = serde_json::to_string(&mapping).unwrap_or_default();
    let mut import = store.begin_import("events", &file_name, &mapping_json, options.now)?;
    let mut rejects = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in table.rows.iter().enumerate() {
        checkpoint(i, table.rows.len(), "Importing events", progress, cancel)?;
        let line = row.line();
        let parsed = (|| -> Result<_, String> {
            let mut contact = ContactValues::default();
            let (mut kind, mut at, mut campaign, mut variant, mut value) =
                (options.kind.clone(), None, None, None, None);
            for (c, role) in roles.iter().enumerate() {
                let cell = values::clean_cell(row.cell(c));
                if cell.is_empty() {
                    continue;
                }
                let column = &table.headers[c];
                match role {
                    EventTarget::Skip => {}
                    EventTarget::Contact {
                        field: ContactField::Email,
                    } if !values::is_valid_email(cell) => {
                        return Err(format!("{column}: {cell:?} is not a valid email address"));
                    }
                    EventTarget::Contact { field } => {
                        contact.fields.push((*field, cell.to_owned()))
                    }
                    EventTarget::Event { column: role } => match role {
                        EventColumn::Kind => kind = Some(cell.to_owned()),
                        EventColumn::OccurredAt => {
                            let date = values::parse_date(cell, date_orders[c])
                                .map_err(|e| format!("{column}: {e}"))?;
                            at = Some(date.instant(tz));
                        }
                        EventColumn::Campaign => campaign = Some(cell.to_owned()),
                        EventColumn::Variant => variant = Some(cell.to_owned()),
                        EventColumn::Value => {
                            value = Some(
                                values::parse_number(cell, decimal_comma)
                                    .ok_or_else(|| format!("{column}: {cell:?} is not a number"))?,
                            );
                        }
                    },
                }
            }
            let kind = kind.map(|k| normalize_kind(&k)).ok_or("no event kind")?;
            let at = at.ok_or("no event time")?;
            if contact.field(ContactField::Email).is_none()
                && contact.field(ContactField::CustomerId).is_none()
            {
                return Err("no email address or customer ID".to_owned());
            }
            Ok((contact, kind, at, campaign, variant, value))
        })();
        let (contact, kind, at, campaign, variant, value) = match parsed {
            Ok(parsed) => parsed,
            Err(reason) => {
                summary.rejected += 1;
                rejects.push(Reject {
                    line,
                    reason,
                    cells: row.to_vec(),
                });
                continue;
            }
        };
        let email = contact.field(ContactField::Email).map(str::to_owned);
        let customer_id = contact.field(ContactField::CustomerId).map(str::to_owned);
        let identity = email
            .as_deref()
            .map(values::email_key)
            .or(customer_id.clone())
            .unwrap_or_default();
        if !seen.insert((
            identity,
            kind.clone(),
            at,
            campaign.clone(),
            variant.clone(),
        )) {
            summary.duplicates_in_file += 1;
            rejects.push(Reject {
                line,
                reason: "the same event appears earlier in the file".to_owned(),
                cells: row.to_vec(),
            });
            continue;
        }
        let (contact_id, _) = link_contact(
            &mut import,
            email.as_deref(),
            customer_id.as_deref(),
            &contact,
        )?;
        if import.event_exists(contact_id, &kind, at, campaign.as_deref())? {
            summary.unchanged += 1;
            continue;
        }
        import.insert_event(
            contact_id,
            &kind,
            at,
            campaign.as_deref(),
            variant.as_deref(),
            value,
        )?;
        summary.inserted += 1;
    }
    if cancel.is_cancelled() {
        return Err(ImportError::Cancelled);
    }
    for reject in &rejects {
        import.reject(reject.line, &reject.reason, &reject.cells)?;
    }
    summary.run_id = import.run().0;
    let summary_json = serde_json::to_string(&summary).unwrap_or_default();
    import.commit(&summary_json, false)?;
    progress.report(1.0, "Done");
    Ok((summary, rejects, table.headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_normalised() {
        assert_eq!(normalize_kind("Opened"), "email_open");
        assert_eq!(normalize_kind("click"), "email_click");
        assert_eq!(normalize_kind("Page View"), "page_view");
        assert_eq!(normalize_kind("webinar_attended"), "webinar_attended");
    }

    #[test]
    fn names_the_missing_time_then_kind() {
        let event = |column| EventTarget::Event { column };
        assert_eq!(
            missing_column(&[event(EventColumn::Kind)], false),
            Some("the time of each event")
        );
        let timed = [event(EventColumn::OccurredAt), EventTarget::Skip];
        assert!(missing_column(&timed, false).is_some_and(|w| w.starts_with("the kind")));
        assert_eq!(missing_column(&timed, true), None);
    }
}
