//! Column mapping: which column of a file feeds which contact field, found
//! from the header by name and synonyms, and the typed custom field every
//! other column becomes. A mapping can be saved as JSON and reused.

use super::rows::Rows;
use serde::{Deserialize, Serialize};

use super::values::{self, DateOrder};
use crate::domain::{Consent, FieldKind};

pub use crate::domain::ContactField;

/// Header names that mean `field`, folded (lower case, letters and digits
/// only), best first.
fn synonyms(field: ContactField) -> &'static [&'static str] {
    match field {
        ContactField::Email => &[
            "email",
            "emailaddress",
            "email1",
            "e mail",
            "mail",
            "customeremail",
            "billingemail",
            "contactemail",
            "primaryemail",
            "emailadresse",
            "courriel",
            "correo",
            "correoelectronico",
        ],
        ContactField::CustomerId => &[
            "customerid",
            "customerno",
            "customernumber",
            "clientid",
            "contactid",
            "kundennummer",
            "kundenid",
            "externalid",
            "memberid",
        ],
        ContactField::FirstName => &[
            "firstname",
            "first",
            "givenname",
            "forename",
            "vorname",
            "prenom",
            "nombre",
            "billingfirstname",
            "fname",
        ],
        ContactField::LastName => &[
            "lastname",
            "last",
            "surname",
            "familyname",
            "nachname",
            "nom",
            "apellido",
            "apellidos",
            "billinglastname",
            "lname",
        ],
        ContactField::Phone => &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "mobilephone",
            "mobilephonenumber",
            "mobilenumber",
            "cellphone",
            "phone1",
            "billingphone",
            "telefon",
            "telefono",
            "handy",
        ],
        ContactField::Company => &[
            "company",
            "companyname",
            "organization",
            "organisation",
            "firma",
            "unternehmen",
            "billingcompany",
            "employer",
            "account",
            "accountname",
        ],
        ContactField::City => &[
            "city",
            "town",
            "ort",
            "stadt",
            "billingcity",
            "ville",
            "ciudad",
        ],
        ContactField::Region => &[
            "region",
            "state",
            "province",
            "stateregion",
            "stateprovince",
            "county",
            "bundesland",
            "billingstate",
            "provincecode",
            "statecode",
        ],
        ContactField::Country => &[
            "country",
            "countrycode",
            "countryregion",
            "cc",
            "land",
            "pays",
            "pais",
            "billingcountry",
        ],
        ContactField::PostalCode => &[
            "zip",
            "zipcode",
            "postalcode",
            "postcode",
            "plz",
            "postleitzahl",
            "billingpostcode",
            "codepostal",
            "cp",
        ],
        ContactField::Birthday => &[
            "birthday",
            "birthdate",
            "dateofbirth",
            "dob",
            "geburtstag",
            "geburtsdatum",
        ],
        ContactField::Language => &["language", "lang", "locale", "sprache", "preferredlanguage"],
        ContactField::TimeZone => &["timezone", "tz"],
        ContactField::CreatedAt => &[
            "createdat",
            "createdate",
            "createddate",
            "datecreated",
            "created",
            "signupdate",
            "signedupat",
            "subscriptiondate",
            "subscribedat",
            "joined",
            "optintime",
        ],
    }
}

/// What a column feeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to")]
pub enum Target {
    /// Not imported.
    Skip,
    Field {
        field: ContactField,
    },
    /// A full name, split into first and last name.
    FullName,
    /// Email marketing consent as words (yes/no, subscribed/unsubscribed…).
    Consent,
    /// A time of opting out (Mailchimp's `UNSUB_TIME`, `CLEAN_TIME`): a value
    /// means unsubscribed.
    OptOutTime,
    /// A time of opting in (Mailchimp's `CONFIRM_TIME`): when a contact the
    /// file marks subscribed gave consent. Alone it means nothing.
    OptInTime,
    /// Tags, separated by commas or semicolons.
    Tags,
    /// A typed custom field of this name.
    Custom {
        name: String,
        kind: FieldKind,
    },
}

impl Target {
    /// A short description for tables and summaries.
    pub fn describe(&self) -> String {
        match self {
            Self::Skip => "skipped".to_owned(),
            Self::Field { field } => field.name().to_owned(),
            Self::FullName => "full name (split)".to_owned(),
            Self::Consent => "email consent".to_owned(),
            Self::OptOutTime => "unsubscribed at".to_owned(),
            Self::OptInTime => "subscribed at".to_owned(),
            Self::Tags => "tags".to_owned(),
            Self::Custom { name, kind } => format!("custom {} ({})", name, kind.as_str()),
        }
    }
}

/// One column's mapping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub column: String,
    #[serde(flatten)]
    pub target: Target,
}

/// A whole file's mapping, as saved with `--mapping MAP.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<ColumnMapping>,
    /// How ambiguous dates read; `None` until a user decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrderChoice>,
    /// The consent of everyone in the file where no column says otherwise
    /// (a Mailchimp "subscribed members" export, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_consent: Option<Consent>,
}

/// The serializable form of [`DateOrder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrderChoice {
    DayFirst,
    MonthFirst,
}

impl From<DateOrderChoice> for DateOrder {
    fn from(choice: DateOrderChoice) -> Self {
        match choice {
            DateOrderChoice::DayFirst => Self::DayFirst,
            DateOrderChoice::MonthFirst => Self::MonthFirst,
        }
    }
}

impl Mapping {
    /// The target of `column`, if mapped.
    pub fn target(&self, column: &str) -> Option<&Target> {
        self.columns
            .iter()
            .find(|c| c.column == column)
            .map(|c| &c.target)
    }

    /// Whether some column gives the contact's identity (email or customer ID).
    pub fn has_identity(&self) -> bool {
        self.columns.iter().any(|c| {
            matches!(
                c.target,
                Target::Field {
                    field: ContactField::Email | ContactField::CustomerId
                }
            )
        })
    }
}

/// Folds a header for matching: lower case, letters and digits only.
pub(crate) fn fold(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Header names (folded) that carry consent words.
const CONSENT_HEADERS: &[&str] = &[
    "acceptsemailmarketing",
    "acceptsmarketing",
    "emailmarketing",
    "emailmarketingconsent",
    "emailconsent",
    "marketingconsent",
    "subscribed",
    "subscriptionstatus",
    "emailoptin",
    "optin",
    "newsletter",
    "newsletteroptin",
    "emailsubscription",
    "emailsubscriptionstatus",
    "consent",
    "marketingoptin",
    "hasoptedoutofemail",
    "emailoptout",
];

/// Header names whose value is a time of opting out.
const OPT_OUT_HEADERS: &[&str] = &[
    "unsubtime",
    "cleantime",
    "unsubscribedat",
    "unsubscribedate",
    "optouttime",
];

/// Header names (folded) of the time consent was given.
const OPT_IN_HEADERS: &[&str] = &[
    "confirmtime",
    "optindate",
    "optedinat",
    "consentdate",
    "consentgivenat",
];

/// Header names of a full name to split.
const FULL_NAME_HEADERS: &[&str] = &[
    "name",
    "fullname",
    "customername",
    "contactname",
    "billingname",
    "membername",
];

const TAG_HEADERS: &[&str] = &["tags", "tag", "labels", "label", "segments"];

/// Suggests a mapping from the headers and the values under them.
/// `skip_unmapped` drops columns that match no field instead of making
/// them custom fields.
pub fn suggest(headers: &[String], rows: &Rows, skip_unmapped: bool) -> Mapping {
    let (targets, folded) = targets_by_name(headers);
    let columns = headers
        .iter()
        .zip(targets)
        .enumerate()
        .map(|(i, (header, target))| {
            let target = target.unwrap_or_else(|| match infer_kind(rows.column(i)) {
                None => Target::Skip,
                Some(_) if skip_unmapped => Target::Skip,
                Some(kind) => Target::Custom {
                    name: custom_name(header),
                    kind,
                },
            });
            ColumnMapping {
                column: header.clone(),
                target,
            }
        })
        .collect();
    Mapping {
        columns,
        date_order: None,
        file_consent: mailchimp_consent(&folded),
    }
}

/// The mapping [`suggest`] gives whatever the values, when the headers
/// alone decide it: every column is named for a target, or the columns
/// that are not are skipped.
pub fn suggest_by_name(headers: &[String], skip_unmapped: bool) -> Option<Mapping> {
    let (targets, _) = targets_by_name(headers);
    if !skip_unmapped && targets.iter().any(Option::is_none) {
        return None;
    }
    Some(suggest(headers, &Rows::new(headers.len()), skip_unmapped))
}

/// Each header's target as its name suggests (`None` for names matching
/// no target), and the headers folded for matching.
fn targets_by_name(headers: &[String]) -> (Vec<Option<Target>>, Vec<String>) {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let mut targets: Vec<Option<Target>> = vec![None; headers.len()];
    // Built-in fields: for each field the best-ranked synonym wins, so
    // "Email" beats "Billing Email" and a column like "Contact Owner" is
    // never taken for the contact's email.
    for field in ContactField::ALL {
        let best = synonyms(field).iter().find_map(|synonym| {
            folded
                .iter()
                .position(|h| h == synonym)
                .filter(|&i| targets[i].is_none())
        });
        if let Some(i) = best {
            targets[i] = Some(Target::Field { field });
        }
    }
    let has_names = targets.iter().flatten().any(|t| {
        matches!(
            t,
            Target::Field {
                field: ContactField::FirstName | ContactField::LastName
            }
        )
    });
    let mut has_consent = false;
    for (i, header) in folded.iter().enumerate() {
        if targets[i].is_some() {
            continue;
        }
        let fold_str = header.as_str();
        targets[i] = if CONSENT_HEADERS.contains(&fold_str) && !has_consent {
            has_consent = true;
            // Salesforce's HasOptedOutOfEmail says the opposite of consent.
            if fold_str.contains("optedout") || fold_str.contains("optout") {
                Some(Target::Skip)
            } else {
                Some(Target::Consent)
            }
        } else if OPT_OUT_HEADERS.contains(&fold_str) {
            Some(Target::OptOutTime)
        } else if OPT_IN_HEADERS.contains(&fold_str) {
            Some(Target::OptInTime)
        } else if FULL_NAME_HEADERS.contains(&fold_str) {
            Some(if has_names {
                Target::Skip
            } else {
                Target::FullName
            })
        } else if TAG_HEADERS.contains(&fold_str)
            && !targets.iter().flatten().any(|t| *t == Target::Tags)
        {
            Some(Target::Tags)
        } else {
            None
        };
    }
    (targets, folded)
}

/// Mailchimp exports an audience as three files with one layout: the
/// subscribed members, and the unsubscribed and cleaned ones, which add
/// `UNSUB_*` or `CLEAN_*` columns. Everyone in the first is subscribed.
fn mailchimp_consent(folded_headers: &[String]) -> Option<Consent> {
    let has = |name: &str| folded_headers.iter().any(|h| h == name);
    let is_mailchimp =
        has("emailaddress") && has("memberrating") && has("leid") && has("optintime");
    if !is_mailchimp {
        return None;
    }
    if has("unsubtime") || has("cleantime") {
        Some(Consent::Unsubscribed)
    } else {
        Some(Consent::Subscribed)
    }
}

/// A custom field name from a header: trimmed, inner spaces kept.
fn custom_name(header: &str) -> String {
    header.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Infers a custom field's type from its values; `None` when every value
/// is blank (nothing to import). Numbers with leading zeros (postcodes,
/// IDs) and damaged scientific notation stay text.
pub fn infer_kind<'a>(values: impl Iterator<Item = &'a str>) -> Option<FieldKind> {
    let (mut n, mut bools, mut numbers, mut dates) = (0, 0, 0, 0);
    for raw in values {
        let value = values::clean_cell(raw);
        if value.is_empty() {
            continue;
        }
        n += 1;
        if values::is_bool_word(value) {
            bools += 1;
        }
        let leading_zero = value.len() > 1
            && value.starts_with('0')
            && !value.starts_with("0.")
            && !value.starts_with("0,");
        if !leading_zero
            && !values::is_scientific_notation(value)
            && values::parse_number(value, false).is_some()
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ','))
        {
            numbers += 1;
        }
        if values::parse_date(value, Some(DateOrder::DayFirst)).is_ok() {
            dates += 1;
        }
    }
    Some(match n {
        0 => return None,
        _ if bools == n => FieldKind::Bool,
        _ if numbers == n => FieldKind::Number,
        _ if dates == n => FieldKind::Date,
        _ => FieldKind::Text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn maps_common_headers_and_synonyms() {
        let mapping = suggest(
            &headers(&[
                "E-mail",
                "Vorname",
                "Nachname",
                "PLZ",
                "Accepts Email Marketing",
                "Tags",
                "Contact Owner",
            ]),
            &Rows::from_cells(
                7,
                [(
                    2,
                    vec![
                        "a@example.com".into(),
                        "A".into(),
                        "B".into(),
                        "01234".into(),
                        "yes".into(),
                        "x".into(),
                        "o@example.com".into(),
                    ],
                )],
            ),
            false,
        );
        let target = |c: &str| mapping.target(c).cloned();
        assert_eq!(
            target("E-mail"),
            Some(Target::Field {
                field: ContactField::Email
            })
        );
        assert_eq!(
            target("Vorname"),
            Some(Target::Field {
                field: ContactField::FirstName
            })
        );
        assert_eq!(
            target("Nachname"),
            Some(Target::Field {
                field: ContactField::LastName
            })
        );
        assert_eq!(
            target("PLZ"),
            Some(Target::Field {
                field: ContactField::PostalCode
            })
        );
        assert_eq!(target("Accepts Email Marketing"), Some(Target::Consent));
        assert_eq!(target("Tags"), Some(Target::Tags));
        // A second email-like column is never the contact's email.
        assert_eq!(
            target("Contact Owner"),
            Some(Target::Custom {
                name: "Contact Owner".into(),
                kind: FieldKind::Text
            })
        );
        assert!(mapping.has_identity());
    }

    #[test]
    fn prefers_the_plain_email_column() {
        let mapping = suggest(
            &headers(&["billing_email", "customer_email", "Email"]),
            &Rows::default(),
            true,
        );
        assert_eq!(
            mapping.target("Email"),
            Some(&Target::Field {
                field: ContactField::Email
            })
        );
        assert_eq!(mapping.target("billing_email"), Some(&Target::Skip));
    }

    #[test]
    fn suggests_by_name_only_when_values_cannot_change_it() {
        let named = headers(&["E-Mail", "Vorname", "Tags"]);
        let rows = Rows::from_cells(3, [(2, vec!["a@b.de".into(), "Jo".into(), "x".into()])]);
        assert_eq!(
            suggest_by_name(&named, false),
            Some(suggest(&named, &rows, false))
        );
        // An unknown column becomes a custom field of its values' type, or
        // nothing when it is blank: the values decide, unless it is skipped.
        let unknown = headers(&["Email", "Loyalty"]);
        assert_eq!(suggest_by_name(&unknown, false), None);
        let skipped = suggest_by_name(&unknown, true).expect("skipping needs no values");
        assert_eq!(skipped.target("Loyalty"), Some(&Target::Skip));
    }

    #[test]
    fn infers_custom_field_types() {
        let kind = |values: &[&str]| infer_kind(values.iter().copied());
        assert_eq!(kind(&["1", "2.5", "-3"]), Some(FieldKind::Number));
        assert_eq!(kind(&["06652", "12345"]), Some(FieldKind::Text));
        assert_eq!(kind(&["yes", "no", ""]), Some(FieldKind::Bool));
        assert_eq!(kind(&["2024-01-02", "24/08/2020"]), Some(FieldKind::Date));
        assert_eq!(kind(&["7.02255E+12"]), Some(FieldKind::Text));
        assert_eq!(kind(&["", " "]), None);
    }
}
