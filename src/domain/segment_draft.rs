//! The segment builder's editable tree. A [`Draft`] holds what the user has
//! typed so far, even when it does not make sense yet ("12a" as a number);
//! it turns into the public `*.segment.json` form with [`Draft::to_json`],
//! which the validator in [`super::segment`] then checks, so the errors a
//! builder shows are exactly those a segment file would get. Edits are pure
//! functions on a draft, addressed by a node's path of indices.

use serde_json::{Map, Value, json};

use super::segment::{Match, Unit};
use super::{ContactField, CustomFieldDef, FieldKind};

/// What a condition is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// A contact field (built-in, derived metric or custom) and its type.
    Field {
        name: String,
        kind: FieldKind,
    },
    Tag,
    Consent,
    /// Membership of a saved segment.
    Segment,
    /// Orders (`"order"`) or events of a kind.
    Activity(String),
}

/// When counted activity happened, as typed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WindowKind {
    #[default]
    AllTime,
    Last,
    BetweenAgo,
    Before,
    After,
    Between,
}

impl WindowKind {
    /// Every window, in menu order.
    pub const ALL: [Self; 6] = [
        Self::AllTime,
        Self::Last,
        Self::BetweenAgo,
        Self::Before,
        Self::After,
        Self::Between,
    ];

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::AllTime => "ever",
            Self::Last => "in the last",
            Self::BetweenAgo => "between … ago",
            Self::Before => "before",
            Self::After => "after",
            Self::Between => "between dates",
        }
    }
}

/// An activity condition's window, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftWindow {
    pub kind: WindowKind,
    /// `last` amount, or `between_ago`'s older bound.
    pub amount: String,
    /// `between_ago`'s newer bound.
    pub amount2: String,
    pub unit: Unit,
    /// `before`, `after`, or the first day of `between`.
    pub date: String,
    /// The last day of `between`.
    pub date2: String,
}

impl Default for DraftWindow {
    fn default() -> Self {
        Self {
            kind: WindowKind::AllTime,
            amount: "90".to_owned(),
            amount2: "0".to_owned(),
            unit: Unit::Days,
            date: String::new(),
            date2: String::new(),
        }
    }
}

/// A `where` filter of an activity condition.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftFilter {
    pub property: String,
    pub op: String,
    pub value: String,
}

/// One condition, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftCondition {
    pub subject: Subject,
    pub op: String,
    /// Text, a number, a date, a comma-separated list, a span's amount, a
    /// tag, a consent status or a segment name, depending on subject and op.
    pub value: String,
    /// The upper bound of `between`.
    pub value2: String,
    /// The unit of a span.
    pub unit: Unit,
    /// Activity measures the sum (order total, event value), not the count.
    pub sum: bool,
    pub window: DraftWindow,
    pub filters: Vec<DraftFilter>,
}

impl DraftCondition {
    /// A fresh condition on `subject` with its usual operator and value.
    pub fn new(subject: Subject) -> Self {
        let (op, value) = match &subject {
            Subject::Field { kind, .. } => match kind {
                FieldKind::Text => ("is", ""),
                FieldKind::Number => (">=", "1"),
                FieldKind::Date => ("in_last", "30"),
                FieldKind::Bool => ("is_true", ""),
            },
            Subject::Tag => ("has", ""),
            Subject::Consent => ("", "subscribed"),
            Subject::Segment => ("in", ""),
            Subject::Activity(_) => (">=", "1"),
        };
        Self {
            subject,
            op: op.to_owned(),
            value: value.to_owned(),
            value2: String::new(),
            unit: Unit::Days,
            sum: false,
            window: DraftWindow::default(),
            filters: Vec::new(),
        }
    }

    /// Changes the subject, keeping the operator and value where they still
    /// fit the new subject's type.
    pub fn set_subject(&mut self, subject: Subject) {
        let fresh = Self::new(subject.clone());
        let same_shape = match (&self.subject, &subject) {
            (Subject::Field { kind: a, .. }, Subject::Field { kind: b, .. }) => a == b,
            (Subject::Activity(_), Subject::Activity(_)) => true,
            _ => false,
        };
        if same_shape {
            self.subject = subject;
        } else {
            *self = fresh;
        }
    }

    /// The kind of value the operator compares with.
    pub fn shape(&self) -> Shape {
        match &self.subject {
            Subject::Field { kind, .. } => shape(*kind, &self.op),
            Subject::Activity(_) => shape(FieldKind::Number, &self.op),
            Subject::Tag | Subject::Consent | Subject::Segment => Shape::Text,
        }
    }
}

/// The value an operator takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    None,
    Text,
    /// Several texts, typed comma-separated.
    List,
    Number,
    NumberPair,
    Date,
    DatePair,
    /// An amount of days, weeks or months.
    Span,
}

/// The value shape of `op` on a field of `kind`.
pub fn shape(kind: FieldKind, op: &str) -> Shape {
    match (kind, op) {
        (_, "is_blank" | "is_not_blank" | "is_true" | "is_false") => Shape::None,
        (FieldKind::Text, "in" | "not_in") => Shape::List,
        (FieldKind::Text, _) => Shape::Text,
        (FieldKind::Number, "between") => Shape::NumberPair,
        (FieldKind::Number, _) => Shape::Number,
        (FieldKind::Date, "between") => Shape::DatePair,
        (FieldKind::Date, "before" | "after" | "on") => Shape::Date,
        (FieldKind::Date, _) => Shape::Span,
        (FieldKind::Bool, _) => Shape::None,
    }
}

/// The operators of a field type, with their labels, in menu order.
pub fn ops_for(kind: FieldKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        FieldKind::Text => &[
            ("is", "is"),
            ("is_not", "is not"),
            ("contains", "contains"),
            ("not_contains", "does not contain"),
            ("starts_with", "starts with"),
            ("ends_with", "ends with"),
            ("in", "is any of"),
            ("not_in", "is none of"),
            ("is_blank", "is blank"),
            ("is_not_blank", "is not blank"),
        ],
        FieldKind::Number => &[
            ("=", "="),
            ("!=", "≠"),
            ("<", "<"),
            ("<=", "≤"),
            (">", ">"),
            (">=", "≥"),
            ("between", "between"),
            ("is_blank", "is blank"),
            ("is_not_blank", "is not blank"),
        ],
        FieldKind::Date => &[
            ("in_last", "in the last"),
            ("more_than_ago", "more than"),
            ("in_next", "in the next"),
            ("anniversary_in_next", "comes round in the next"),
            ("before", "before"),
            ("after", "after"),
            ("on", "on"),
            ("between", "between"),
            ("is_blank", "is blank"),
            ("is_not_blank", "is not blank"),
        ],
        FieldKind::Bool => &[("is_true", "is true"), ("is_false", "is false")],
    }
}

/// The operators an activity measure takes (no blanks: a count is never blank).
pub const ACTIVITY_OPS: [(&str, &str); 7] = [
    (">=", "at least"),
    (">", "more than"),
    ("=", "exactly"),
    ("<=", "at most"),
    ("<", "fewer than"),
    ("!=", "not"),
    ("between", "between"),
];

/// A group of conditions, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct DraftGroup {
    pub matching: Match,
    pub items: Vec<DraftItem>,
}

impl Default for DraftGroup {
    fn default() -> Self {
        Self {
            matching: Match::All,
            items: Vec::new(),
        }
    }
}

/// A node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftItem {
    Group(DraftGroup),
    Condition(Box<DraftCondition>),
}

/// A segment being built.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub name: String,
    pub root: DraftGroup,
}

/// Where a field sits in the builder's field picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Profile,
    Consent,
    Tags,
    Orders,
    EmailActivity,
    CustomFields,
    Segments,
}

impl Section {
    /// Every section, in picker order.
    pub const ALL: [Self; 7] = [
        Self::Profile,
        Self::Consent,
        Self::Tags,
        Self::Orders,
        Self::EmailActivity,
        Self::CustomFields,
        Self::Segments,
    ];

    /// The heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::Profile => "Profile",
            Self::Consent => "Consent",
            Self::Tags => "Tags",
            Self::Orders => "Orders",
            Self::EmailActivity => "Email activity",
            Self::CustomFields => "Custom fields",
            Self::Segments => "Segments",
        }
    }
}

/// A choice in the field picker.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub section: Section,
    pub label: String,
    pub subject: Subject,
}

/// The label of a built-in field.
fn builtin_label(name: &str) -> &'static str {
    match name {
        "email" => "Email",
        "customer_id" => "Customer ID",
        "first_name" => "First name",
        "last_name" => "Last name",
        "phone" => "Phone",
        "company" => "Company",
        "city" => "City",
        "region" => "Region",
        "country" => "Country",
        "postal_code" => "Postal code",
        "birthday" => "Birthday",
        "language" => "Language",
        "time_zone" => "Time zone",
        "created_at" => "Date added",
        "order_count" => "Order count",
        "total_spent" => "Total spent",
        "average_order_value" => "Average order value",
        "first_order_at" => "First order",
        "last_order_at" => "Last order",
        "days_since_last_order" => "Days since last order",
        _ => "",
    }
}

/// The built-in fields and derived metrics, with their types.
pub fn builtin_fields() -> Vec<(Section, &'static str, FieldKind)> {
    let mut fields: Vec<(Section, &'static str, FieldKind)> = ContactField::TEXT
        .iter()
        .map(|f| {
            let kind = if *f == ContactField::Birthday {
                FieldKind::Date
            } else {
                FieldKind::Text
            };
            (Section::Profile, f.name(), kind)
        })
        .collect();
    fields.push((Section::Profile, "created_at", FieldKind::Date));
    for (name, kind) in [
        ("order_count", FieldKind::Number),
        ("total_spent", FieldKind::Number),
        ("average_order_value", FieldKind::Number),
        ("first_order_at", FieldKind::Date),
        ("last_order_at", FieldKind::Date),
        ("days_since_last_order", FieldKind::Number),
    ] {
        fields.push((Section::Orders, name, kind));
    }
    fields
}

/// The event kinds the picker always offers, with their labels.
pub const EVENT_KINDS: [(&str, &str); 5] = [
    ("email_sent", "Emails sent"),
    ("email_open", "Email opens"),
    ("email_click", "Email clicks"),
    ("page_view", "Page views"),
    ("conversion", "Conversions"),
];

/// Everything the field picker offers, by section: built-in fields and
/// metrics, consent, tags, orders, email activity (the usual kinds and any
/// other kind the workspace has), custom fields and saved segments.
pub fn choices(custom_fields: &[CustomFieldDef], event_kinds: &[String]) -> Vec<Choice> {
    let mut out: Vec<Choice> = builtin_fields()
        .into_iter()
        .map(|(section, name, kind)| Choice {
            section,
            label: builtin_label(name).to_owned(),
            subject: Subject::Field {
                name: name.to_owned(),
                kind,
            },
        })
        .collect();
    out.push(Choice {
        section: Section::Consent,
        label: "Email consent".to_owned(),
        subject: Subject::Consent,
    });
    out.push(Choice {
        section: Section::Tags,
        label: "Tag".to_owned(),
        subject: Subject::Tag,
    });
    out.push(Choice {
        section: Section::Orders,
        label: "Orders placed".to_owned(),
        subject: Subject::Activity("order".to_owned()),
    });
    let mut kinds: Vec<(String, String)> = EVENT_KINDS
        .iter()
        .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
        .collect();
    for kind in event_kinds {
        if !kinds.iter().any(|(k, _)| k == kind) && kind != "order" {
            kinds.push((kind.clone(), kind.replace('_', " ")));
        }
    }
    out.extend(kinds.into_iter().map(|(kind, label)| Choice {
        section: Section::EmailActivity,
        label,
        subject: Subject::Activity(kind),
    }));
    out.extend(custom_fields.iter().map(|f| Choice {
        section: Section::CustomFields,
        label: f.name.clone(),
        subject: Subject::Field {
            name: f.name.clone(),
            kind: f.kind,
        },
    }));
    out.push(Choice {
        section: Section::Segments,
        label: "In segment".to_owned(),
        subject: Subject::Segment,
    });
    out
}

/// The label a subject shows in the builder.
pub fn subject_label(subject: &Subject) -> String {
    match subject {
        Subject::Field { name, .. } => match builtin_label(name) {
            "" => name.clone(),
            label => label.to_owned(),
        },
        Subject::Tag => "Tag".to_owned(),
        Subject::Consent => "Email consent".to_owned(),
        Subject::Segment => "In segment".to_owned(),
        Subject::Activity(kind) if kind == "order" => "Orders placed".to_owned(),
        Subject::Activity(kind) => EVENT_KINDS
            .iter()
            .find(|(k, _)| k == kind)
            .map_or_else(|| kind.replace('_', " "), |(_, l)| (*l).to_owned()),
    }
}

fn unit_word(unit: Unit) -> &'static str {
    match unit {
        Unit::Days => "days",
        Unit::Weeks => "weeks",
        Unit::Months => "months",
    }
}

fn parse_unit(value: &Value) -> Unit {
    match value.as_str() {
        Some("weeks" | "week") => Unit::Weeks,
        Some("months" | "month") => Unit::Months,
        _ => Unit::Days,
    }
}

/// A typed number as JSON: a whole number stays whole; text that is not a
/// number stays text, so validation reports it where it is.
fn number_json(text: &str) -> Value {
    let trimmed = text.trim();
    match trimmed.parse::<f64>() {
        Ok(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 9e15 => json!(n as i64),
        Ok(n) if n.is_finite() => json!(n),
        _ => Value::String(trimmed.to_owned()),
    }
}

/// A typed whole amount as JSON.
fn amount_json(text: &str) -> Value {
    let trimmed = text.trim();
    trimmed
        .parse::<u64>()
        .map_or_else(|_| Value::String(trimmed.to_owned()), |n| json!(n))
}

fn span_json(amount: &str, unit: Unit) -> Value {
    json!({"amount": amount_json(amount), "unit": unit_word(unit)})
}

/// A JSON scalar as the text a user would type.
fn typed(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list_text(value: &Value) -> String {
    value
        .as_array()
        .map(|items| items.iter().map(typed).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|| typed(value))
}

fn match_word(matching: Match) -> &'static str {
    match matching {
        Match::All => "all",
        Match::Any => "any",
        Match::None => "none",
    }
}

impl DraftCondition {
    fn value_json(&self) -> Option<Value> {
        Some(match self.shape() {
            Shape::None => return None,
            Shape::Text => Value::String(self.value.clone()),
            Shape::List => Value::Array(
                self.value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| Value::String(v.to_owned()))
                    .collect(),
            ),
            Shape::Number => number_json(&self.value),
            Shape::NumberPair => json!([number_json(&self.value), number_json(&self.value2)]),
            Shape::Date => Value::String(self.value.trim().to_owned()),
            Shape::DatePair => json!([self.value.trim(), self.value2.trim()]),
            Shape::Span => span_json(&self.value, self.unit),
        })
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        match &self.subject {
            Subject::Field { name, .. } => {
                out.insert("field".into(), json!(name));
                out.insert("op".into(), json!(self.op));
                if let Some(value) = self.value_json() {
                    out.insert("value".into(), value);
                }
            }
            Subject::Tag => {
                out.insert("tag".into(), json!(self.value.trim()));
                out.insert("op".into(), json!(self.op));
            }
            Subject::Consent => {
                out.insert("consent".into(), json!(self.value));
            }
            Subject::Segment => {
                out.insert("segment".into(), json!(self.value));
                out.insert("op".into(), json!(self.op));
            }
            Subject::Activity(kind) => {
                out.insert("activity".into(), json!(kind));
                out.insert(
                    "measure".into(),
                    json!(if self.sum { "sum" } else { "count" }),
                );
                out.insert("op".into(), json!(self.op));
                if let Some(value) = self.value_json() {
                    out.insert("value".into(), value);
                }
                let w = &self.window;
                let window = match w.kind {
                    WindowKind::AllTime => None,
                    WindowKind::Last => Some(json!({"last": span_json(&w.amount, w.unit)})),
                    WindowKind::BetweenAgo => Some(json!({"between_ago": {
                        "from": amount_json(&w.amount),
                        "to": amount_json(&w.amount2),
                        "unit": unit_word(w.unit),
                    }})),
                    WindowKind::Before => Some(json!({"before": w.date.trim()})),
                    WindowKind::After => Some(json!({"after": w.date.trim()})),
                    WindowKind::Between => {
                        Some(json!({"between": [w.date.trim(), w.date2.trim()]}))
                    }
                };
                if let Some(window) = window {
                    out.insert("window".into(), window);
                }
                if !self.filters.is_empty() {
                    let filters: Vec<Value> = self
                        .filters
                        .iter()
                        .map(|f| {
                            let mut filter = json!({"property": f.property, "op": f.op});
                            if let Some(value) = (DraftCondition {
                                op: f.op.clone(),
                                value: f.value.clone(),
                                ..DraftCondition::new(Subject::Field {
                                    name: String::new(),
                                    kind: FieldKind::Text,
                                })
                            })
                            .value_json()
                            {
                                filter["value"] = value;
                            }
                            filter
                        })
                        .collect();
                    out.insert("where".into(), Value::Array(filters));
                }
            }
        }
        Value::Object(out)
    }

    fn from_json(value: &Value, kind_of: &dyn Fn(&str) -> FieldKind) -> Self {
        let op = value["op"].as_str().unwrap_or_default().to_owned();
        if let Some(name) = value["field"].as_str() {
            let kind = kind_of(name);
            let mut condition = Self::new(Subject::Field {
                name: name.to_owned(),
                kind,
            });
            condition.op = op;
            condition.fill_value(&value["value"]);
            return condition;
        }
        if let Some(tag) = value["tag"].as_str() {
            let mut condition = Self::new(Subject::Tag);
            condition.value = tag.to_owned();
            if !op.is_empty() {
                condition.op = op;
            }
            return condition;
        }
        if let Some(consent) = value["consent"].as_str() {
            let mut condition = Self::new(Subject::Consent);
            condition.value = consent.to_owned();
            return condition;
        }
        if let Some(segment) = value["segment"].as_str() {
            let mut condition = Self::new(Subject::Segment);
            condition.value = segment.to_owned();
            if !op.is_empty() {
                condition.op = op;
            }
            return condition;
        }
        let kind = value["activity"].as_str().unwrap_or("order").to_owned();
        let mut condition = Self::new(Subject::Activity(kind));
        condition.op = op;
        condition.sum = value["measure"].as_str() == Some("sum");
        condition.fill_value(&value["value"]);
        if let Some((key, inner)) = value["window"].as_object().and_then(|o| o.iter().next()) {
            let w = &mut condition.window;
            match key.as_str() {
                "last" => {
                    w.kind = WindowKind::Last;
                    w.amount = typed(&inner["amount"]);
                    w.unit = parse_unit(&inner["unit"]);
                }
                "between_ago" => {
                    w.kind = WindowKind::BetweenAgo;
                    w.amount = typed(&inner["from"]);
                    w.amount2 = typed(&inner["to"]);
                    w.unit = parse_unit(&inner["unit"]);
                }
                "before" => {
                    w.kind = WindowKind::Before;
                    w.date = typed(inner);
                }
                "after" => {
                    w.kind = WindowKind::After;
                    w.date = typed(inner);
                }
                _ => {
                    w.kind = WindowKind::Between;
                    w.date = typed(&inner[0]);
                    w.date2 = typed(&inner[1]);
                }
            }
        }
        condition.filters = value["where"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| DraftFilter {
                property: f["property"].as_str().unwrap_or_default().to_owned(),
                op: f["op"].as_str().unwrap_or("is").to_owned(),
                value: list_text(&f["value"]),
            })
            .collect();
        condition
    }

    /// Reads a JSON value into the typed fields for the current op.
    fn fill_value(&mut self, value: &Value) {
        match self.shape() {
            Shape::None => {}
            Shape::Text | Shape::Number | Shape::Date => self.value = typed(value),
            Shape::List => self.value = list_text(value),
            Shape::NumberPair | Shape::DatePair => {
                self.value = typed(&value[0]);
                self.value2 = typed(&value[1]);
            }
            Shape::Span => {
                self.value = typed(&value["amount"]);
                self.unit = parse_unit(&value["unit"]);
            }
        }
    }
}

impl DraftGroup {
    fn to_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("match".into(), json!(match_word(self.matching)));
        out.insert(
            "conditions".into(),
            Value::Array(
                self.items
                    .iter()
                    .map(|item| match item {
                        DraftItem::Group(group) => Value::Object(group.to_json()),
                        DraftItem::Condition(condition) => condition.to_json(),
                    })
                    .collect(),
            ),
        );
        out
    }

    fn from_json(value: &Value, kind_of: &dyn Fn(&str) -> FieldKind) -> Self {
        let matching = match value["match"].as_str() {
            Some("any") => Match::Any,
            Some("none") => Match::None,
            _ => Match::All,
        };
        let items = value["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| {
                if item.get("match").is_some() {
                    DraftItem::Group(Self::from_json(item, kind_of))
                } else {
                    DraftItem::Condition(Box::new(DraftCondition::from_json(item, kind_of)))
                }
            })
            .collect();
        Self { matching, items }
    }
}

impl Draft {
    /// The draft in the `*.segment.json` form, name first.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), json!(self.name.trim()));
        out.extend(self.root.to_json());
        Value::Object(out)
    }

    /// Reads a segment file's JSON into a draft. Lenient: what it cannot
    /// read becomes a default the validator will point at. `custom_fields`
    /// gives custom fields their types; unknown fields are taken as text.
    pub fn from_json(value: &Value, custom_fields: &[CustomFieldDef]) -> Self {
        let builtins = builtin_fields();
        let kind_of = |name: &str| {
            builtins
                .iter()
                .find(|(_, n, _)| *n == name)
                .map(|(_, _, k)| *k)
                .or_else(|| {
                    custom_fields
                        .iter()
                        .find(|f| f.name.eq_ignore_ascii_case(name))
                        .map(|f| f.kind)
                })
                .unwrap_or(FieldKind::Text)
        };
        Self {
            name: value["name"].as_str().unwrap_or_default().to_owned(),
            root: DraftGroup::from_json(value, &kind_of),
        }
    }

    /// The group at `path` (the root for an empty path).
    pub fn group_mut(&mut self, path: &[usize]) -> Option<&mut DraftGroup> {
        let mut group = &mut self.root;
        for &i in path {
            match group.items.get_mut(i) {
                Some(DraftItem::Group(inner)) => group = inner,
                _ => return None,
            }
        }
        Some(group)
    }

    /// The item at `path`.
    pub fn item_mut(&mut self, path: &[usize]) -> Option<&mut DraftItem> {
        let (last, parent) = path.split_last()?;
        self.group_mut(parent)?.items.get_mut(*last)
    }

    /// Appends a condition to the group at `group`.
    pub fn add_condition(&mut self, group: &[usize], condition: DraftCondition) {
        if let Some(group) = self.group_mut(group) {
            group.items.push(DraftItem::Condition(Box::new(condition)));
        }
    }

    /// Appends a group to the group at `group`: "any" inside "all" and "all"
    /// inside anything else, the nesting people usually mean.
    pub fn add_group(&mut self, group: &[usize], first: DraftCondition) {
        if let Some(parent) = self.group_mut(group) {
            let matching = if parent.matching == Match::All {
                Match::Any
            } else {
                Match::All
            };
            parent.items.push(DraftItem::Group(DraftGroup {
                matching,
                items: vec![DraftItem::Condition(Box::new(first))],
            }));
        }
    }

    /// Removes the item at `path`.
    pub fn remove(&mut self, path: &[usize]) {
        if let Some((last, parent)) = path.split_last()
            && let Some(group) = self.group_mut(parent)
            && *last < group.items.len()
        {
            group.items.remove(*last);
        }
    }

    /// Moves the item at `path` one place up (or down) within its group.
    pub fn move_item(&mut self, path: &[usize], up: bool) {
        if let Some((last, parent)) = path.split_last()
            && let Some(group) = self.group_mut(parent)
        {
            let other = if up {
                last.checked_sub(1)
            } else {
                Some(last + 1)
            };
            if let Some(other) = other.filter(|o| *o < group.items.len())
                && *last < group.items.len()
            {
                group.items.swap(*last, other);
            }
        }
    }
}

/// The node path of a validation error's location:
/// `conditions[1].conditions[0].value` is `[1, 0]`. Locations inside a
/// referenced segment (`conditions[2]<Other>.…`) point at the reference.
pub fn error_node(location: &str) -> Vec<usize> {
    let mut path = Vec::new();
    let mut rest = location;
    while let Some(after) = rest.strip_prefix("conditions[") {
        let Some(end) = after.find(']') else { break };
        let Ok(i) = after[..end].parse() else { break };
        path.push(i);
        rest = &after[end + 1..];
        if rest.starts_with('<') {
            break;
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::super::segment::{STARTERS, Schema, validate};
    use super::*;

    fn schema_with_starters() -> Schema {
        let mut schema = Schema::default();
        for text in STARTERS {
            let value: Value = serde_json::from_str(text).expect("starter parses");
            let name = value["name"].as_str().expect("named").to_lowercase();
            schema.segments.insert(name, value);
        }
        schema
    }

    #[test]
    fn starters_survive_a_round_trip_through_the_draft() {
        let schema = schema_with_starters();
        for text in STARTERS {
            let value: Value = serde_json::from_str(text).expect("parses");
            let draft = Draft::from_json(&value, &[]);
            let again = draft.to_json();
            assert_eq!(
                validate(&value, &schema).expect("starter valid"),
                validate(&again, &schema).expect("round trip valid"),
                "{text}"
            );
        }
    }

    #[test]
    fn every_shape_round_trips() {
        let value = json!({"name": "Mixed", "match": "any", "conditions": [
            {"field": "country", "op": "in", "value": ["DE", "FR"]},
            {"field": "total_spent", "op": "between", "value": [10, 20.5]},
            {"field": "birthday", "op": "between", "value": ["1990-01-01", "1990-12-31"]},
            {"field": "created_at", "op": "in_last", "value": {"amount": 3, "unit": "weeks"}},
            {"field": "email", "op": "is_blank"},
            {"match": "none", "conditions": [
                {"tag": "vip", "op": "has_not"},
                {"consent": "unsubscribed"},
                {"activity": "email_click", "measure": "count", "op": "=", "value": 0,
                 "window": {"between_ago": {"from": 60, "to": 30, "unit": "days"}},
                 "where": [{"property": "campaign", "op": "in", "value": ["Spring", "Fall"]}]},
                {"activity": "order", "measure": "sum", "op": ">=", "value": 100,
                 "window": {"between": ["2026-01-01", "2026-03-31"]}}
            ]}
        ]});
        let schema = Schema::default();
        let draft = Draft::from_json(&value, &[]);
        assert_eq!(
            validate(&value, &schema).expect("valid"),
            validate(&draft.to_json(), &schema).expect("valid again")
        );
    }

    #[test]
    fn typed_nonsense_is_reported_where_it_was_typed() {
        let mut draft = Draft {
            name: "Typo".to_owned(),
            ..Draft::default()
        };
        draft.add_condition(
            &[],
            DraftCondition::new(Subject::Field {
                name: "country".to_owned(),
                kind: FieldKind::Text,
            }),
        );
        let mut count = DraftCondition::new(Subject::Field {
            name: "order_count".to_owned(),
            kind: FieldKind::Number,
        });
        count.value = "2x".to_owned();
        draft.add_group(&[], count);
        let error = validate(&draft.to_json(), &Schema::default()).expect_err("2x is no number");
        assert_eq!(error.path, "conditions[1].conditions[0].value");
        assert!(error.message.contains("\"2x\""), "{}", error.message);
        assert_eq!(error_node(&error.path), vec![1, 0]);
        assert_eq!(error_node("conditions[2]<Other>.conditions[0].op"), vec![2]);
    }

    #[test]
    fn edits_add_move_and_remove_by_path() {
        let field = |name: &str| {
            DraftCondition::new(Subject::Field {
                name: name.to_owned(),
                kind: FieldKind::Text,
            })
        };
        let mut draft = Draft::default();
        draft.add_condition(&[], field("city"));
        draft.add_group(&[], field("country"));
        draft.add_condition(&[1], field("region"));
        let names = |draft: &Draft| -> Vec<String> {
            draft
                .root
                .items
                .iter()
                .map(|item| match item {
                    DraftItem::Group(g) => format!("group of {}", g.items.len()),
                    DraftItem::Condition(c) => subject_label(&c.subject),
                })
                .collect()
        };
        assert_eq!(names(&draft), ["City", "group of 2"]);
        let DraftItem::Group(group) = &draft.root.items[1] else {
            panic!("a group")
        };
        assert_eq!(group.matching, Match::Any);
        draft.move_item(&[1], true);
        assert_eq!(names(&draft), ["group of 2", "City"]);
        draft.move_item(&[0], true);
        assert_eq!(names(&draft), ["group of 2", "City"]);
        draft.remove(&[0, 0]);
        assert_eq!(names(&draft), ["group of 1", "City"]);
        draft.remove(&[0]);
        assert_eq!(names(&draft), ["City"]);
        draft.remove(&[7]);
        assert_eq!(names(&draft), ["City"]);
    }

    #[test]
    fn changing_the_subject_keeps_what_still_fits() {
        let mut condition = DraftCondition::new(Subject::Field {
            name: "city".to_owned(),
            kind: FieldKind::Text,
        });
        condition.op = "starts_with".to_owned();
        condition.value = "Ber".to_owned();
        condition.set_subject(Subject::Field {
            name: "region".to_owned(),
            kind: FieldKind::Text,
        });
        assert_eq!(
            (condition.op.as_str(), condition.value.as_str()),
            ("starts_with", "Ber")
        );
        condition.set_subject(Subject::Field {
            name: "total_spent".to_owned(),
            kind: FieldKind::Number,
        });
        assert_eq!(
            (condition.op.as_str(), condition.value.as_str()),
            (">=", "1")
        );
    }
}
