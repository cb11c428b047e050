//! Contacts as the Contacts screen and the CLI see them: the list columns,
//! the list query (search and sort), a page row and the full detail.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ids::{ContactId, CustomFieldId};
use super::money::format_cents;
use super::time::{days_between, format_date_of, format_instant};

/// Email marketing consent of a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Subscribed,
    Unsubscribed,
    Unknown,
}

impl Consent {
    /// The value stored in the database and written to files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscribed => "subscribed",
            Self::Unsubscribed => "unsubscribed",
            Self::Unknown => "unknown",
        }
    }

    /// Parses the stored form; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "subscribed" => Some(Self::Subscribed),
            "unsubscribed" => Some(Self::Unsubscribed),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }

    /// Sentence-case label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::Subscribed => "Subscribed",
            Self::Unsubscribed => "Unsubscribed",
            Self::Unknown => "Unknown",
        }
    }
}

/// The type of a custom field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Bool,
}

impl FieldKind {
    /// The value stored in `custom_fields.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Bool => "bool",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "text" => Some(Self::Text),
            "number" => Some(Self::Number),
            "date" => Some(Self::Date),
            "bool" => Some(Self::Bool),
            _ => None,
        }
    }
}

/// A user-defined, typed contact field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldDef {
    pub id: CustomFieldId,
    pub name: String,
    pub kind: FieldKind,
}

/// A custom field's value for one contact.
#[derive(Clone, Debug, PartialEq)]
pub enum CustomValue {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl CustomValue {
    /// How the value reads in a table cell or a CSV file.
    pub fn display(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Self::Number(n) => n.to_string(),
            Self::Bool(true) => "true".to_owned(),
            Self::Bool(false) => "false".to_owned(),
        }
    }
}

/// A built-in contact field that imports and edits write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactField {
    Email,
    CustomerId,
    FirstName,
    LastName,
    Phone,
    Company,
    City,
    Region,
    Country,
    PostalCode,
    Birthday,
    Language,
    TimeZone,
    CreatedAt,
}

impl ContactField {
    /// Every field, in the order the mapping table lists them.
    pub const ALL: [Self; 14] = [
        Self::Email,
        Self::CustomerId,
        Self::FirstName,
        Self::LastName,
        Self::Phone,
        Self::Company,
        Self::City,
        Self::Region,
        Self::Country,
        Self::PostalCode,
        Self::Birthday,
        Self::Language,
        Self::TimeZone,
        Self::CreatedAt,
    ];

    /// The field's name in files, segments and templates (also its column
    /// in the `contacts` table).
    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::CustomerId => "customer_id",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Phone => "phone",
            Self::Company => "company",
            Self::City => "city",
            Self::Region => "region",
            Self::Country => "country",
            Self::PostalCode => "postal_code",
            Self::Birthday => "birthday",
            Self::Language => "language",
            Self::TimeZone => "time_zone",
            Self::CreatedAt => "created_at",
        }
    }

    /// The fields that hold text: all but `created_at`, an instant.
    pub const TEXT: [Self; 13] = [
        Self::Email,
        Self::CustomerId,
        Self::FirstName,
        Self::LastName,
        Self::Phone,
        Self::Company,
        Self::City,
        Self::Region,
        Self::Country,
        Self::PostalCode,
        Self::Birthday,
        Self::Language,
        Self::TimeZone,
    ];
}

/// A column of the contacts table. Every built-in field, the derived metrics
/// and each custom field can be shown and sorted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContactColumn {
    Email,
    FirstName,
    LastName,
    CustomerId,
    Phone,
    Company,
    City,
    Region,
    Country,
    PostalCode,
    Birthday,
    Language,
    TimeZone,
    Consent,
    Tags,
    OrderCount,
    TotalSpent,
    AverageOrderValue,
    FirstOrder,
    LastOrder,
    DaysSinceLastOrder,
    CreatedAt,
    Custom(CustomFieldId),
}

impl ContactColumn {
    /// Built-in columns in the order the column chooser lists them.
    pub const BUILT_IN: [Self; 22] = [
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::CustomerId,
        Self::Phone,
        Self::Company,
        Self::City,
        Self::Region,
        Self::Country,
        Self::PostalCode,
        Self::Birthday,
        Self::Language,
        Self::TimeZone,
        Self::Consent,
        Self::Tags,
        Self::OrderCount,
        Self::TotalSpent,
        Self::AverageOrderValue,
        Self::FirstOrder,
        Self::LastOrder,
        Self::DaysSinceLastOrder,
        Self::CreatedAt,
    ];

    /// Columns a new workspace shows.
    pub fn default_visible() -> Vec<Self> {
        vec![
            Self::Email,
            Self::FirstName,
            Self::LastName,
            Self::Country,
            Self::Consent,
            Self::OrderCount,
            Self::TotalSpent,
            Self::LastOrder,
            Self::CreatedAt,
        ]
    }

    /// The field name used in files, segments and templates (DESIGN.md).
    pub fn field_name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::CustomerId => "customer_id",
            Self::Phone => "phone",
            Self::Company => "company",
            Self::City => "city",
            Self::Region => "region",
            Self::Country => "country",
            Self::PostalCode => "postal_code",
            Self::Birthday => "birthday",
            Self::Language => "language",
            Self::TimeZone => "time_zone",
            Self::Consent => "email_consent",
            Self::Tags => "tags",
            Self::OrderCount => "order_count",
            Self::TotalSpent => "total_spent",
            Self::AverageOrderValue => "average_order_value",
            Self::FirstOrder => "first_order_at",
            Self::LastOrder => "last_order_at",
            Self::DaysSinceLastOrder => "days_since_last_order",
            Self::CreatedAt => "created_at",
            Self::Custom(_) => "custom",
        }
    }

    /// Sentence-case header for built-in columns; custom columns use the
    /// field's own name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "Email",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::CustomerId => "Customer ID",
            Self::Phone => "Phone",
            Self::Company => "Company",
            Self::City => "City",
            Self::Region => "Region",
            Self::Country => "Country",
            Self::PostalCode => "Postal code",
            Self::Birthday => "Birthday",
            Self::Language => "Language",
            Self::TimeZone => "Time zone",
            Self::Consent => "Email consent",
            Self::Tags => "Tags",
            Self::OrderCount => "Orders",
            Self::TotalSpent => "Total spent",
            Self::AverageOrderValue => "Average order",
            Self::FirstOrder => "First order",
            Self::LastOrder => "Last order",
            Self::DaysSinceLastOrder => "Days since last order",
            Self::CreatedAt => "Created",
            Self::Custom(_) => "Custom field",
        }
    }

    /// Whether the column holds numbers (right-aligned, sorted high first on
    /// the first click).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Self::OrderCount
                | Self::TotalSpent
                | Self::AverageOrderValue
                | Self::DaysSinceLastOrder
        )
    }

    /// Whether the table can sort on this column. Tags are a set and have no
    /// natural order.
    pub fn is_sortable(self) -> bool {
        !matches!(self, Self::Tags)
    }
}

/// Which column the list is sorted on, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortSpec {
    pub column: ContactColumn,
    pub descending: bool,
}

impl Default for SortSpec {
    fn default() -> Self {
        Self {
            column: ContactColumn::CreatedAt,
            descending: true,
        }
    }
}

/// What the contacts list shows: a free-text search and a sort.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactQuery {
    /// Words matched (case-insensitively, anywhere) against email, first and
    /// last name and customer ID; every word must match one of them.
    pub search: String,
    pub sort: SortSpec,
    /// The date that "days since last order" counts to.
    pub as_of: Option<NaiveDate>,
}

impl ContactQuery {
    /// The search split into words, each at most 100 characters.
    pub fn search_words(&self) -> Vec<String> {
        self.search
            .split_whitespace()
            .map(|word| word.chars().take(100).collect())
            .collect()
    }
}

/// One row of the contacts table, with every built-in column and the custom
/// values the row has.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactRow {
    pub id: ContactId,
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
    pub consent: Option<Consent>,
    pub created_at: i64,
    pub updated_at: i64,
    pub order_count: i64,
    pub total_spent_cents: i64,
    pub first_order_at: Option<i64>,
    pub last_order_at: Option<i64>,
    pub tags: Vec<String>,
    pub custom: Vec<(CustomFieldId, CustomValue)>,
}

impl ContactRow {
    /// The display name: "First Last", or the email when there is no name.
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            name
        } else if let Some(email) = &self.email {
            email.clone()
        } else {
            self.customer_id.clone().unwrap_or_default()
        }
    }

    /// Average order value in cents; `None` without orders.
    pub fn average_order_cents(&self) -> Option<i64> {
        (self.order_count > 0).then(|| {
            // Round half away from zero, as a person would.
            let n = self.order_count;
            (self.total_spent_cents * 2 + n.signum() * n) / (2 * n)
        })
    }

    /// The text of one cell. Blank values are empty strings; a contact with
    /// no orders has 0 orders and 0.00 spent, and blank order dates.
    pub fn cell_text(&self, column: ContactColumn, tz: Tz, as_of: Option<NaiveDate>) -> String {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        match column {
            ContactColumn::Email => text(&self.email),
            ContactColumn::FirstName => text(&self.first_name),
            ContactColumn::LastName => text(&self.last_name),
            ContactColumn::CustomerId => text(&self.customer_id),
            ContactColumn::Phone => text(&self.phone),
            ContactColumn::Company => text(&self.company),
            ContactColumn::City => text(&self.city),
            ContactColumn::Region => text(&self.region),
            ContactColumn::Country => text(&self.country),
            ContactColumn::PostalCode => text(&self.postal_code),
            ContactColumn::Birthday => text(&self.birthday),
            ContactColumn::Language => text(&self.language),
            ContactColumn::TimeZone => text(&self.time_zone),
            ContactColumn::Consent => self
                .consent
                .map(|c| c.label().to_owned())
                .unwrap_or_default(),
            ContactColumn::Tags => self.tags.join(", "),
            ContactColumn::OrderCount => self.order_count.to_string(),
            ContactColumn::TotalSpent => format_cents(self.total_spent_cents),
            ContactColumn::AverageOrderValue => self
                .average_order_cents()
                .map(format_cents)
                .unwrap_or_default(),
            ContactColumn::FirstOrder => self
                .first_order_at
                .map(|at| format_date_of(at, tz))
                .unwrap_or_default(),
            ContactColumn::LastOrder => self
                .last_order_at
                .map(|at| format_date_of(at, tz))
                .unwrap_or_default(),
            ContactColumn::DaysSinceLastOrder => match (self.last_order_at, as_of) {
                (Some(at), Some(as_of)) => days_between(at, as_of, tz)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            },
            ContactColumn::CreatedAt => format_instant(self.created_at, tz),
            ContactColumn::Custom(field) => self
                .custom
                .iter()
                .find(|(id, _)| *id == field)
                .map(|(_, value)| value.display())
                .unwrap_or_default(),
        }
    }
}

/// A change of consent, as kept in the history.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsentChange {
    pub status: Consent,
    pub changed_at: i64,
    pub source: String,
}

/// One order line.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderItemView {
    pub sku: Option<String>,
    pub product: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

/// An order with its lines.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderView {
    pub reference: String,
    pub ordered_at: i64,
    pub total_cents: i64,
    pub currency: String,
    pub items: Vec<OrderItemView>,
}

/// One behavioral event.
#[derive(Clone, Debug, PartialEq)]
pub struct EventView {
    pub kind: String,
    pub occurred_at: i64,
    pub campaign: Option<String>,
    pub variant: Option<String>,
    pub value: Option<f64>,
}

/// Everything the detail panel shows about one contact.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactDetail {
    pub row: ContactRow,
    pub consent_source: Option<String>,
    pub consent_changed_at: Option<i64>,
    pub consent_history: Vec<ConsentChange>,
    /// Custom values with their field names, in field order.
    pub custom: Vec<(CustomFieldDef, CustomValue)>,
    /// Newest first.
    pub orders: Vec<OrderView>,
    /// Newest first, at most `EVENT_LIMIT`.
    pub events: Vec<EventView>,
    /// All events of the contact, including those not loaded.
    pub n_events: i64,
}

impl ContactDetail {
    /// How many events the detail panel loads.
    pub const EVENT_LIMIT: usize = 200;
}

/// The identity an email is deduplicated by: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_order_rounds_half_away_from_zero() {
        let row = |count, cents| ContactRow {
            order_count: count,
            total_spent_cents: cents,
            ..ContactRow::default()
        };
        assert_eq!(row(0, 0).average_order_cents(), None);
        assert_eq!(row(3, 1000).average_order_cents(), Some(333));
        assert_eq!(row(2, 1001).average_order_cents(), Some(501));
        assert_eq!(row(4, 1002).average_order_cents(), Some(251));
    }

    #[test]
    fn blank_metrics_for_contacts_without_orders() {
        let row = ContactRow::default();
        let as_of = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert_eq!(
            row.cell_text(ContactColumn::OrderCount, Tz::UTC, as_of),
            "0"
        );
        assert_eq!(
            row.cell_text(ContactColumn::TotalSpent, Tz::UTC, as_of),
            "0.00"
        );
        assert_eq!(row.cell_text(ContactColumn::LastOrder, Tz::UTC, as_of), "");
        assert_eq!(
            row.cell_text(ContactColumn::DaysSinceLastOrder, Tz::UTC, as_of),
            ""
        );
        assert_eq!(
            row.cell_text(ContactColumn::AverageOrderValue, Tz::UTC, as_of),
            ""
        );
    }

    #[test]
    fn search_words_split_on_whitespace() {
        let query = ContactQuery {
            search: "  anna  schmidt ".into(),
            ..ContactQuery::default()
        };
        assert_eq!(query.search_words(), vec!["anna", "schmidt"]);
    }
}
