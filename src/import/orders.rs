//! Import of orders (one row per order line, as shops export them) and of
//! behavioral events. Orders are grouped by their reference; order-level
//! values may appear on the first line only (Shopify). Contacts are linked
//! by email or customer ID and created, with consent unknown, when missing.

use std::collections::HashMap;
use std::path::Path;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::mapping::{self, ContactField, Target, fold};
use super::read::SourceTable;
use super::rows::{Row, Rows};
use super::values::{self, DateOrder};
use super::{
    DuplicatePolicy, ImportError, ImportSummary, MAX_WARNINGS, Reject, changes_for, checkpoint,
    is_empty, resolve_date_orders, uses_decimal_comma,
};
use crate::domain::time::parse_time_zone;
use crate::domain::{ContactId, WorkspaceSettings};
use crate::jobs::{CancelToken, ProgressSink};
use crate::store::{ContactValues, ImportTx, Store};

/// What a column of an order file feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderColumn {
    Reference,
    OrderedAt,
    Total,
    Currency,
    Status,
    Sku,
    Product,
    Category,
    Quantity,
    UnitPrice,
    LineTotal,
}

impl OrderColumn {
    const ALL: [Self; 11] = [
        Self::Reference,
        Self::OrderedAt,
        Self::Total,
        Self::Currency,
        Self::Status,
        Self::Sku,
        Self::Product,
        Self::Category,
        Self::Quantity,
        Self::UnitPrice,
        Self::LineTotal,
    ];

    /// Folded header names, best first.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Reference => &[
                "ordernumber",
                "orderid",
                "orderno",
                "invoiceno",
                "invoicenumber",
                "invoice",
                "invoiceid",
                "ordername",
                "orderreference",
                "transactionid",
                "chargeid",
                "paymentid",
                // German, French, Spanish exports.
                "bestellnummer",
                "bestellnr",
                "auftragsnummer",
                "rechnungsnummer",
                "numérodecommande",
                "numerodecommande",
                "numérocommande",
                "númerodepedido",
                "numerodepedido",
            ],
            Self::OrderedAt => &[
                "orderdate",
                "createdat",
                "invoicedate",
                "createddateutc",
                "createddate",
                "orderedat",
                "purchasedate",
                "transactiondate",
                "date",
                "paidat",
                "paiddate",
                "created",
                "bestelldatum",
                "rechnungsdatum",
                "datum",
                "datedecommande",
                "fechadepedido",
                "fecha",
            ],
            Self::Total => &[
                "total",
                "ordertotal",
                "grandtotal",
                "totalprice",
                "totalamount",
                "amount",
                "gesamtbetrag",
                "gesamtsumme",
                "betrag",
                "summe",
                "montanttotal",
                "montant",
                "importetotal",
                "importe",
            ],
            Self::Currency => &[
                "currency",
                "ordercurrency",
                "currencycode",
                "währung",
                "waehrung",
                "devise",
                "moneda",
            ],
            Self::Status => &["financialstatus", "status", "paymentstatus", "orderstatus"],
            Self::Sku => &[
                "lineitemsku",
                "sku",
                "stockcode",
                "productid",
                "productcode",
                "itemsku",
                "variantsku",
                "artikelnummer",
                "artikelnr",
            ],
            Self::Product => &[
                "lineitemname",
                "productname",
                "description",
                "product",
                "itemname",
                "item",
                "producttitle",
                "artikelname",
                "artikel",
                "produktname",
                "produkt",
                "bezeichnung",
                "produit",
                "article",
                "producto",
            ],
            Self::Category => &[
                "category",
                "productcategory",
                "producttype",
                "subcategory",
                "kategorie",
                "catégorie",
                "categoría",
                "categoria",
            ],
            Self::Quantity => &[
                "lineitemquantity",
                "quantity",
                "qty",
                "itemquantity",
                "menge",
                "anzahl",
                "quantité",
                "cantidad",
            ],
            Self::UnitPrice => &[
                "lineitemprice",
                "unitprice",
                "price",
                "itemprice",
                "einzelpreis",
                "stückpreis",
                "preis",
                "prixunitaire",
                "prix",
                "preciounitario",
                "precio",
            ],
            Self::LineTotal => &[
                "itemtotal",
                "linetotal",
                "lineitemtotal",
                "sales",
                "linesubtotal",
            ],
        }
    }
}

/// A column's role in an order file: an order column, a contact field
/// (for linking and for creating missing contacts), or nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to")]
pub enum OrderTarget {
    Skip,
    Order { column: OrderColumn },
    Contact { field: ContactField },
    FullName,
}

impl OrderTarget {
    /// Every target a column can take, in the order the wizard lists them.
    pub fn choices() -> Vec<Self> {
        let mut choices = vec![Self::Skip];
        choices.extend(OrderColumn::ALL.map(|column| Self::Order { column }));
        choices.extend(
            ContactField::ALL
                .iter()
                .filter(|&&field| field != ContactField::CreatedAt)
                .map(|&field| Self::Contact { field }),
        );
        choices.push(Self::FullName);
        choices
    }

    /// Whether the column holds dates.
    pub fn reads_dates(&self) -> bool {
        *self
            == Self::Order {
                column: OrderColumn::OrderedAt,
            }
    }

    /// Whether the column identifies contacts (an email or customer ID).
    pub fn is_identity(&self) -> bool {
        matches!(
            self,
            Self::Contact {
                field: ContactField::Email | ContactField::CustomerId
            }
        )
    }
}

/// Suggests an order file's mapping from its headers and values.
pub fn suggest(headers: &[String], rows: &Rows) -> Vec<(String, OrderTarget)> {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let mut targets: Vec<Option<OrderTarget>> = vec![None; headers.len()];
    // The share of rows with a value in column `i`.
    let filled = |i: usize| {
        let n = rows.column(i).filter(|v| !v.trim().is_empty()).count();
        n as f64 / rows.len().max(1) as f64
    };
    // Shopify calls the order number "Name" (#1001).
    let is_hash_numbered = |i: usize| {
        let mut values = rows
            .column(i)
            .filter(|v| !v.trim().is_empty())
            .take(20)
            .peekable();
        values.peek().is_some() && values.all(|v| v.trim().starts_with('#'))
    };
    let shopify_name = folded
        .iter()
        .position(|h| h == "name")
        .filter(|&i| is_hash_numbered(i));
    for column in OrderColumn::ALL {
        let mut best = column
            .synonyms()
            .iter()
            .filter_map(|s| {
                folded
                    .iter()
                    .position(|h| h == s)
                    .filter(|&i| targets[i].is_none())
            })
            // A reference must be on (nearly) every line; Stripe's "Invoice ID" is often empty.
            .find(|&i| column != OrderColumn::Reference || filled(i) >= 0.9);
        if column == OrderColumn::Reference {
            let weak = best.is_some_and(|i| {
                ["transactionid", "chargeid", "paymentid"].contains(&folded[i].as_str())
            });
            if best.is_none() || weak {
                best = shopify_name.or(best);
            }
            if best.is_none() {
                // Stripe has only the charge's "id".
                best = folded
                    .iter()
                    .position(|h| h == "id")
                    .filter(|&i| filled(i) >= 0.9);
            }
        }
        if let Some(i) = best {
            targets[i] = Some(OrderTarget::Order { column });
        }
    }
    // Without quantities or SKUs the file lists payments, not order lines:
    // a "Description" there is no product.
    let has_lines = targets.iter().flatten().any(|t| {
        matches!(
            t,
            OrderTarget::Order {
                column: OrderColumn::Quantity | OrderColumn::Sku
            }
        )
    });
    if !has_lines {
        for target in &mut targets {
            if matches!(
                target,
                Some(OrderTarget::Order {
                    column: OrderColumn::Product | OrderColumn::Category
                })
            ) {
                *target = None;
            }
        }
    }
    let contact = mapping::suggest(headers, rows, true);
    headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let target = targets[i]
                .clone()
                .unwrap_or_else(|| match contact.target(header) {
                    Some(Target::Field { field }) if *field != ContactField::CreatedAt => {
                        OrderTarget::Contact { field: *field }
                    }
                    Some(Target::FullName) => OrderTarget::FullName,
                    _ => OrderTarget::Skip,
                });
            (header.clone(), target)
        })
        .collect()
}

/// A short description of a target for tables and summaries.
pub fn describe(target: &OrderTarget) -> String {
    match target {
        OrderTarget::Skip => "skipped".to_owned(),
        OrderTarget::Order { column } => match column {
            OrderColumn::Reference => "order reference",
            OrderColumn::OrderedAt => "order date",
            OrderColumn::Total => "order total",
            OrderColumn::Currency => "currency",
            OrderColumn::Status => "order status",
            OrderColumn::Sku => "SKU",
            OrderColumn::Product => "product",
            OrderColumn::Category => "category",
            OrderColumn::Quantity => "quantity",
            OrderColumn::UnitPrice => "unit price",
            OrderColumn::LineTotal => "line total",
        }
        .to_owned(),
        OrderTarget::Contact { field } => field.name().to_owned(),
        OrderTarget::FullName => "full name (split)".to_owned(),
    }
}

/// How to run an orders import.
#[derive(Clone, Debug, Default)]
pub struct OrderImportOptions {
    pub read: super::read::ReadOptions,
    /// The mapping; suggested when `None`.
    pub mapping: Option<Vec<(String, OrderTarget)>>,
    pub date_order: Option<DateOrder>,
    pub now: i64,
}

/// Statuses of payments and orders that are not purchases.
const NOT_PURCHASED: &[&str] = &[
    "failed",
    "canceled",
    "cancelled",
    "voided",
    "refunded",
    "declined",
    "expired",
    "trash",
    "payment failed",
    "chargeback",
];

/// One line of an order file, parsed.
struct Line {
    line: usize,
    cells_index: usize,
    reference: String,
    email: Option<String>,
    customer_id: Option<String>,
    contact: ContactValues,
    ordered_at: Option<i64>,
    total_cents: Option<i64>,
    currency: Option<String>,
    status: Option<String>,
    product: Option<(Option<String>, String, Option<String>)>,
    quantity: i64,
    unit_price_cents: Option<i64>,
    line_total_cents: Option<i64>,
}

struct Columns {
    targets: Vec<OrderTarget>,
    date_orders: Vec<Option<DateOrder>>,
    decimal_comma: bool,
    tz: Tz,
    headers: Vec<String>,
}

fn parse_line(cols: &Columns, row: Row<'_>) -> Result<Line, String> {
    let (index, line) = (row.index(), row.line());
    let mut parsed = Line {
        line,
        cells_index: index,
        reference: String::new(),
        email: None,
        customer_id: None,
        contact: ContactValues::default(),
        ordered_at: None,
        total_cents: None,
        currency: None,
        status: None,
        product: None,
        quantity: 1,
        unit_price_cents: None,
        line_total_cents: None,
    };
    let (mut sku, mut name, mut category) = (None, None, None);
    let mut full_name = None;
    for (i, target) in cols.targets.iter().enumerate() {
        let value = values::clean_cell(row.cell(i));
        if value.is_empty() {
            continue;
        }
        let column = &cols.headers[i];
        let money = |v: &str| {
            values::parse_cents(v, cols.decimal_comma)
                .ok_or_else(|| format!("{column}: {v:?} is not an amount"))
        };
        match target {
            OrderTarget::Skip => {}
            OrderTarget::Order { column: c } => match c {
                OrderColumn::Reference => parsed.reference = value.to_owned(),
                OrderColumn::OrderedAt => {
                    let date = values::parse_date(value, cols.date_orders[i])
                        .map_err(|e| format!("{column}: {e}"))?;
                    parsed.ordered_at = Some(date.instant(cols.tz));
                }
                OrderColumn::Total => parsed.total_cents = Some(money(value)?),
                OrderColumn::Currency => parsed.currency = Some(value.to_uppercase()),
                OrderColumn::Status => parsed.status = Some(value.to_lowercase()),
                OrderColumn::Sku => sku = Some(value.to_owned()),
                OrderColumn::Product => name = Some(value.to_owned()),
                OrderColumn::Category => category = Some(value.to_owned()),
                OrderColumn::Quantity => {
                    let quantity = values::parse_number(value, cols.decimal_comma)
                        .filter(|q| q.fract() == 0.0)
                        .ok_or_else(|| format!("{column}: {value:?} is not a whole quantity"))?;
                    parsed.quantity = quantity as i64;
                }
                OrderColumn::UnitPrice => parsed.unit_price_cents = Some(money(value)?),
                OrderColumn::LineTotal => parsed.line_total_cents = Some(money(value)?),
            },
            OrderTarget::Contact { field } => match field {
                ContactField::Email => {
                    if !values::is_valid_email(value) {
                        return Err(format!("{column}: {value:?} is not a valid email address"));
                    }
                    parsed.email = Some(value.to_owned());
                    parsed.contact.fields.push((*field, value.to_owned()));
                }
                ContactField::CustomerId if values::is_scientific_notation(value) => {
                    return Err(format!(
                        "{column}: {value:?} was damaged by a spreadsheet (scientific notation)"
                    ));
                }
                ContactField::CustomerId => {
                    parsed.customer_id = Some(value.to_owned());
                    parsed.contact.fields.push((*field, value.to_owned()));
                }
                ContactField::Country => {
                    let code =
                        values::country_code(value).map_or_else(|| value.to_owned(), str::to_owned);
                    parsed.contact.fields.push((*field, code));
                }
                ContactField::Phone | ContactField::PostalCode
                    if values::is_scientific_notation(value) => {}
                ContactField::Birthday | ContactField::CreatedAt => {}
                _ => parsed.contact.fields.push((*field, value.to_owned())),
            },
            OrderTarget::FullName => full_name = Some(value.to_owned()),
        }
    }
    if let Some(full) = full_name
        && parsed.contact.field(ContactField::FirstName).is_none()
        && parsed.contact.field(ContactField::LastName).is_none()
    {
        let (first, last) = values::split_name(&full);
        parsed
            .contact
            .fields
            .extend(first.map(|v| (ContactField::FirstName, v)));
        parsed
            .contact
            .fields
            .extend(last.map(|v| (ContactField::LastName, v)));
    }
    if let Some(name) = name.or_else(|| sku.clone()) {
        parsed.product = Some((sku, name, category));
    }
    if parsed.reference.is_empty() {
        return Err("no order reference".to_owned());
    }
    Ok(parsed)
}

/// Finds the contact of an order by email, then customer ID; creates it
/// (consent unknown) when missing, and fills its blank fields from the
/// order file. Returns the contact and whether it was created.
pub(crate) fn link_contact(
    import: &mut ImportTx<'_>,
    email: Option<&str>,
    customer_id: Option<&str>,
    contact: &ContactValues,
) -> Result<(ContactId, bool), ImportError> {
    let by_email = match email {
        Some(email) => import.find_by_email(&values::email_key(email))?,
        None => None,
    };
    let by_customer = match (&by_email, customer_id) {
        (None, Some(id)) => import.find_by_customer_id(id)?,
        _ => None,
    };
    match by_email.or(by_customer) {
        Some(id) => {
            let existing = import.load(id)?;
            let mut contact = contact.clone();
            // Never take over a customer ID another contact holds.
            if let Some(customer_id) = customer_id
                && import
                    .find_by_customer_id(customer_id)?
                    .is_some_and(|other| other != id)
            {
                contact
                    .fields
                    .retain(|(f, _)| *f != ContactField::CustomerId);
            }
            let (changes, _) = changes_for(&existing, &contact, DuplicatePolicy::FillBlanks, false);
            if !is_empty(&changes) {
                import.update(&existing, &changes)?;
            }
            Ok((id, false))
        }
        None => Ok((import.insert(contact)?, true)),
    }
}

/// The outcome of an orders import, in the same terms as a contacts import
/// (`rows` are order lines) plus order counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OrderImportSummary {
    #[serde(flatten)]
    pub base: ImportSummary,
    pub orders_inserted: u64,
    /// Orders whose reference the workspace already had (left as they were).
    pub orders_existing: u64,
    pub items_inserted: u64,
    pub contacts_created: u64,
}

/// The column an orders mapping (`targets`, one per column) still lacks
/// besides the contact's identity: the order reference, then the date.
pub fn missing_column(targets: &[OrderTarget]) -> Option<&'static str> {
    let has = |column| targets.contains(&OrderTarget::Order { column });
    if !has(OrderColumn::Reference) {
        Some("an order reference (order number, invoice or ID)")
    } else if !has(OrderColumn::OrderedAt) {
        Some("an order date")
    } else {
        None
    }
}

/// Imports orders from `path`. One transaction; derived metrics are
/// refreshed when it commits.
pub fn import_orders(
    store: &mut Store,
    path: &Path,
    options: &OrderImportOptions,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<(OrderImportSummary, Vec<Reject>, Vec<String>), ImportError> {
    progress.report(0.0, "Reading the file");
    let table: SourceTable = super::read::read_path(path, &options.read)?;
    let mapping = options
        .mapping
        .clone()
        .unwrap_or_else(|| suggest(&table.headers, &table.rows));
    let targets = super::targets_by_header(&table.headers, &mapping, OrderTarget::Skip)?;
    if let Some(what) = missing_column(&targets) {
        return Err(ImportError::MissingColumn {
            what: what.to_owned(),
            headers: table.headers.clone(),
        });
    }
    if !targets.iter().any(OrderTarget::is_identity) {
        return Err(ImportError::NoIdentity {
            headers: table.headers.clone(),
        });
    }
    let settings: WorkspaceSettings = store.settings()?;
    let reads_dates: Vec<bool> = targets.iter().map(OrderTarget::reads_dates).collect();
    let cols = Columns {
        date_orders: resolve_date_orders(&table, &reads_dates, options.date_order)?,
        decimal_comma: uses_decimal_comma(&table),
        tz: parse_time_zone(&settings.time_zone),
        headers: table.headers.clone(),
        targets,
    };
    let file_name = super::file_name(path);
    let mut summary = OrderImportSummary {
        base: ImportSummary {
            mapping: cols
                .headers
                .iter()
                .zip(&cols.targets)
                .map(|(c, t)| (c.clone(), describe(t)))
                .collect(),
            ..ImportSummary::for_table(path, &table)
        },
        ..OrderImportSummary::default()
    };

    // Group the lines by order reference, keeping the file's order.
    let mut rejects: Vec<Reject> = Vec::new();
    let mut groups: Vec<Vec<Line>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for row in table.rows.iter() {
        match parse_line(&cols, row) {
            Ok(parsed) => {
                let group = *group_of.entry(parsed.reference.clone()).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[group].push(parsed);
            }
            Err(reason) => rejects.push(Reject {
                line: row.line(),
                reason,
                cells: row.to_vec(),
            }),
        }
    }
    summary.base.rejected = rejects.len() as u64;

    let mapping_json = serde_json::to_string(&mapping).unwrap_or_default();
    let mut import = store.begin_import("orders", &file_name, &mapping_json, options.now)?;
    for (g, lines) in groups.iter().enumerate() {
        checkpoint(g, groups.len(), "Importing orders", progress, cancel)?;
        let first_with = |f: &dyn Fn(&Line) -> bool| lines.iter().find(|l| f(l));
        let reference = &lines[0].reference;
        let reject_all = |reason: String, rejects: &mut Vec<Reject>| {
            for line in lines {
                rejects.push(Reject {
                    line: line.line,
                    reason: reason.clone(),
                    cells: table.rows.get(line.cells_index).to_vec(),
                });
            }
        };
        let status = first_with(&|l| l.status.is_some()).and_then(|l| l.status.clone());
        if let Some(status) = status.filter(|s| NOT_PURCHASED.contains(&s.as_str())) {
            reject_all(
                format!("order {reference} has status {status:?}, not a purchase"),
                &mut rejects,
            );
            summary.base.rejected += lines.len() as u64;
            continue;
        }
        let Some(identity) = first_with(&|l| l.email.is_some() || l.customer_id.is_some()) else {
            reject_all(
                format!("order {reference} has no email or customer ID"),
                &mut rejects,
            );
            summary.base.rejected += lines.len() as u64;
            continue;
        };
        let Some(ordered_at) = first_with(&|l| l.ordered_at.is_some()).and_then(|l| l.ordered_at)
        else {
            reject_all(format!("order {reference} has no date"), &mut rejects);
            summary.base.rejected += lines.len() as u64;
            continue;
        };
        if import.order_exists(reference)? {
            summary.orders_existing += 1;
            summary.base.unchanged += lines.len() as u64;
            continue;
        }
        let (contact, created) = link_contact(
            &mut import,
            identity.email.as_deref(),
            identity.customer_id.as_deref(),
            &identity.contact,
        )?;
        summary.contacts_created += u64::from(created);
        let line_total = |l: &Line| {
            l.line_total_cents
                .or_else(|| l.unit_price_cents.map(|p| p * l.quantity))
        };
        let total = first_with(&|l| l.total_cents.is_some())
            .and_then(|l| l.total_cents)
            .unwrap_or_else(|| lines.iter().filter_map(line_total).sum());
        let currency = first_with(&|l| l.currency.is_some())
            .and_then(|l| l.currency.clone())
            .unwrap_or_else(|| settings.currency.clone());
        let order = import.insert_order(contact, reference, ordered_at, total, &currency)?;
        summary.orders_inserted += 1;
        for line in lines {
            if let Some((sku, name, category)) = &line.product {
                let product = import.product_id(sku.as_deref(), name, category.as_deref())?;
                let unit = line.unit_price_cents.unwrap_or_else(|| {
                    let quantity = line.quantity.max(1);
                    let total = line.line_total_cents.unwrap_or(0);
                    (total * 2 + quantity * total.signum()) / (2 * quantity)
                });
                import.insert_order_item(order, product, line.quantity, unit)?;
                summary.items_inserted += 1;
            }
        }
        summary.base.inserted += lines.len() as u64;
    }
    if cancel.is_cancelled() {
        return Err(ImportError::Cancelled);
    }
    rejects.sort_by_key(|r| r.line);
    for reject in &rejects {
        import.reject(reject.line, &reject.reason, &reject.cells)?;
    }
    summary.base.n_warnings = summary.base.warnings.len() as u64;
    summary.base.warnings.truncate(MAX_WARNINGS);
    summary.base.run_id = import.run().0;
    progress.report(0.97, "Saving and updating order metrics");
    let summary_json = serde_json::to_string(&summary).unwrap_or_default();
    import.commit(&summary_json, true)?;
    progress.report(1.0, "Done");
    Ok((summary, rejects, table.headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_french_headers_map_to_order_columns() {
        let order = |column| OrderTarget::Order { column };
        let expected = [
            order(OrderColumn::Reference),
            order(OrderColumn::OrderedAt),
            OrderTarget::Contact {
                field: ContactField::Email,
            },
            order(OrderColumn::Product),
            order(OrderColumn::Quantity),
            order(OrderColumn::UnitPrice),
        ];
        for headers in [
            [
                "Bestellnummer",
                "Datum",
                "E-Mail",
                "Artikel",
                "Menge",
                "Preis",
            ],
            [
                "Numéro de commande",
                "Date de commande",
                "Courriel",
                "Produit",
                "Quantité",
                "Prix unitaire",
            ],
        ] {
            let headers: Vec<String> = headers.map(str::to_owned).to_vec();
            let row = ["1001", "2026-05-01", "a@b.de", "Tee", "2", "3,50"].map(str::to_owned);
            let rows = Rows::from_cells(6, [(2, row.to_vec())]);
            let targets: Vec<OrderTarget> = suggest(&headers, &rows)
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            assert_eq!(targets, expected, "{headers:?}");
        }
    }

    #[test]
    fn names_the_missing_reference_then_date() {
        let order = |column| OrderTarget::Order { column };
        let email = OrderTarget::Contact {
            field: ContactField::Email,
        };
        assert_eq!(
            missing_column(&[email.clone(), order(OrderColumn::OrderedAt)]),
            Some("an order reference (order number, invoice or ID)")
        );
        assert_eq!(
            missing_column(&[email.clone(), order(OrderColumn::Reference)]),
            Some("an order date")
        );
        let complete = [
            email,
            order(OrderColumn::Reference),
            order(OrderColumn::OrderedAt),
        ];
        assert_eq!(missing_column(&complete), None);
    }
}
