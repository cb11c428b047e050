//! Segments: a tree of conditions over contacts, read from the public
//! `*.segment.json` format (see the README), validated against the
//! workspace's fields into a typed [`Segment`] before any SQL is written,
//! and read back as a plain-language sentence.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::{Consent, ContactField, CustomFieldDef, CustomFieldId, FieldKind};

/// How a group combines its conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    All,
    Any,
    /// None of the conditions holds.
    None,
}

/// A group of conditions.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub matching: Match,
    pub conditions: Vec<Condition>,
}

/// A validated segment: a named group.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub name: String,
    pub root: Group,
}

/// One condition of a segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Group(Group),
    Field {
        field: FieldRef,
        op: FieldOp,
    },
    Tag {
        tag: String,
        has: bool,
    },
    Activity(Activity),
    /// Another segment, inlined (cycles are refused when validating).
    Segment {
        name: String,
        inside: bool,
        root: Box<Group>,
    },
    Consent(Consent),
}

/// A field a condition reads.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldRef {
    /// A built-in text field (the column of the same name).
    Text(ContactField),
    Birthday,
    CreatedAt,
    OrderCount,
    TotalSpent,
    AverageOrderValue,
    FirstOrderAt,
    LastOrderAt,
    DaysSinceLastOrder,
    Custom(CustomFieldDef),
}

impl FieldRef {
    /// The field's type.
    pub fn kind(&self) -> FieldKind {
        match self {
            Self::Text(_) => FieldKind::Text,
            Self::Birthday | Self::CreatedAt | Self::FirstOrderAt | Self::LastOrderAt => {
                FieldKind::Date
            }
            Self::OrderCount
            | Self::TotalSpent
            | Self::AverageOrderValue
            | Self::DaysSinceLastOrder => FieldKind::Number,
            Self::Custom(def) => def.kind,
        }
    }

    /// The name used in segment files.
    pub fn name(&self) -> String {
        match self {
            Self::Text(field) => field.name().to_owned(),
            Self::Birthday => "birthday".to_owned(),
            Self::CreatedAt => "created_at".to_owned(),
            Self::OrderCount => "order_count".to_owned(),
            Self::TotalSpent => "total_spent".to_owned(),
            Self::AverageOrderValue => "average_order_value".to_owned(),
            Self::FirstOrderAt => "first_order_at".to_owned(),
            Self::LastOrderAt => "last_order_at".to_owned(),
            Self::DaysSinceLastOrder => "days_since_last_order".to_owned(),
            Self::Custom(def) => def.name.clone(),
        }
    }
}

/// A comparison of numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn parse(op: &str) -> Option<Self> {
        Some(match op {
            "=" => Self::Eq,
            "!=" => Self::Ne,
            "<" => Self::Lt,
            "<=" => Self::Le,
            ">" => Self::Gt,
            ">=" => Self::Ge,
            _ => return None,
        })
    }

    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::Eq => "exactly",
            Self::Ne => "other than",
            Self::Lt => "fewer than",
            Self::Le => "at most",
            Self::Gt => "more than",
            Self::Ge => "at least",
        }
    }
}

/// A length of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub amount: u32,
    pub unit: Unit,
}

/// The unit of a [`Span`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Days,
    Weeks,
    Months,
}

impl Span {
    /// `day` moved back by this span.
    pub fn before(self, day: NaiveDate) -> NaiveDate {
        match self.unit {
            Unit::Days => day - chrono::Days::new(u64::from(self.amount)),
            Unit::Weeks => day - chrono::Days::new(7 * u64::from(self.amount)),
            Unit::Months => day
                .checked_sub_months(chrono::Months::new(self.amount))
                .unwrap_or(day),
        }
    }

    /// `day` moved forward by this span.
    pub fn after(self, day: NaiveDate) -> NaiveDate {
        match self.unit {
            Unit::Days => day + chrono::Days::new(u64::from(self.amount)),
            Unit::Weeks => day + chrono::Days::new(7 * u64::from(self.amount)),
            Unit::Months => day
                .checked_add_months(chrono::Months::new(self.amount))
                .unwrap_or(day),
        }
    }

    fn words(self) -> String {
        let unit = match (self.unit, self.amount) {
            (Unit::Days, 1) => "day",
            (Unit::Days, _) => "days",
            (Unit::Weeks, 1) => "week",
            (Unit::Weeks, _) => "weeks",
            (Unit::Months, 1) => "month",
            (Unit::Months, _) => "months",
        };
        format!("{} {unit}", self.amount)
    }
}

/// What a field condition tests.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldOp {
    Is(String),
    IsNot(String),
    Contains(String),
    NotContains(String),
    StartsWith(String),
    EndsWith(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Compare(Cmp, f64),
    Between(f64, f64),
    Before(NaiveDate),
    After(NaiveDate),
    On(NaiveDate),
    DatesBetween(NaiveDate, NaiveDate),
    InLast(Span),
    MoreThanAgo(Span),
    InNext(Span),
    AnniversaryInNext(Span),
    IsBlank,
    IsNotBlank,
    IsTrue,
    IsFalse,
}

/// When activity counts.
#[derive(Clone, Debug, PartialEq)]
pub enum Window {
    AllTime,
    Last(Span),
    /// From `from` ago to `to` ago (from the older bound to the newer).
    BetweenAgo {
        from: u32,
        to: u32,
        unit: Unit,
    },
    Before(NaiveDate),
    After(NaiveDate),
    Between(NaiveDate, NaiveDate),
}

/// A filter on the orders or events an activity condition counts.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityFilter {
    /// `sku`, `product`, `category` (orders) or `campaign`, `variant` (events).
    pub property: String,
    pub op: FieldOp,
}

/// What a contact did: orders, or events of a kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// `None` for orders, else the event kind.
    pub event_kind: Option<String>,
    /// Sum (order total, or event value) instead of count.
    pub sum: bool,
    pub op: FieldOp,
    pub window: Window,
    pub filters: Vec<ActivityFilter>,
}

/// A segment file that does not say what it should, with where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SegmentError {
    /// Where in the file: `conditions[2].value`.
    pub path: String,
    pub message: String,
}

/// What validation knows about the workspace.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub custom_fields: Vec<CustomFieldDef>,
    /// Saved segments by lower-cased name, as their JSON.
    pub segments: HashMap<String, Value>,
}

fn err(path: &str, message: impl Into<String>) -> SegmentError {
    SegmentError {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn text<'v>(value: &'v Value, path: &str) -> Result<&'v str, SegmentError> {
    value
        .as_str()
        .ok_or_else(|| err(path, format!("expected text, found {value}")))
}

fn number(value: &Value, path: &str) -> Result<f64, SegmentError> {
    value
        .as_f64()
        .ok_or_else(|| err(path, format!("expected a number, found {value}")))
}

fn date(value: &Value, path: &str) -> Result<NaiveDate, SegmentError> {
    let text = text(value, path)?;
    text.parse()
        .map_err(|_| err(path, format!("{text:?} is not a date (YYYY-MM-DD)")))
}

fn unit(value: &Value, path: &str) -> Result<Unit, SegmentError> {
    match text(value, path)? {
        "days" | "day" => Ok(Unit::Days),
        "weeks" | "week" => Ok(Unit::Weeks),
        "months" | "month" => Ok(Unit::Months),
        other => Err(err(
            path,
            format!("unknown unit {other:?} (days, weeks or months)"),
        )),
    }
}

fn span(value: &Value, path: &str) -> Result<Span, SegmentError> {
    let amount = value["amount"]
        .as_u64()
        .filter(|n| *n <= 100_000)
        .ok_or_else(|| {
            err(
                &format!("{path}.amount"),
                "expected a whole number of days, weeks or months",
            )
        })?;
    Ok(Span {
        amount: amount as u32,
        unit: unit(&value["unit"], &format!("{path}.unit"))?,
    })
}

fn text_list(value: &Value, path: &str) -> Result<Vec<String>, SegmentError> {
    let items = value
        .as_array()
        .ok_or_else(|| err(path, "expected a list of values"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(err(
                &format!("{path}[{i}]"),
                format!("expected text, found {other}"),
            )),
        })
        .collect()
}

/// Parses an op and its value for a field of `kind`.
fn field_op(kind: FieldKind, op: &str, value: &Value, path: &str) -> Result<FieldOp, SegmentError> {
    let vpath = format!("{path}.value");
    let wrong = || {
        let valid = match kind {
            FieldKind::Text => {
                "is, is_not, contains, not_contains, starts_with, ends_with, in, not_in, is_blank, is_not_blank"
            }
            FieldKind::Number => "=, !=, <, <=, >, >=, between, is_blank, is_not_blank",
            FieldKind::Date => {
                "before, after, on, between, in_last, more_than_ago, in_next, anniversary_in_next, is_blank, is_not_blank"
            }
            FieldKind::Bool => "is_true, is_false",
        };
        err(
            &format!("{path}.op"),
            format!(
                "{op:?} is not an operator for a {} field (use {valid})",
                kind.as_str()
            ),
        )
    };
    let text_value = |v: &Value| -> Result<String, SegmentError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(err(&vpath, format!("expected text, found {other}"))),
        }
    };
    Ok(match (kind, op) {
        (FieldKind::Bool, "is_true") => FieldOp::IsTrue,
        (FieldKind::Bool, "is_false") => FieldOp::IsFalse,
        (FieldKind::Bool, _) => return Err(wrong()),
        (_, "is_blank") => FieldOp::IsBlank,
        (_, "is_not_blank") => FieldOp::IsNotBlank,
        (FieldKind::Text, "is") => FieldOp::Is(text_value(value)?),
        (FieldKind::Text, "is_not") => FieldOp::IsNot(text_value(value)?),
        (FieldKind::Text, "contains") => FieldOp::Contains(text_value(value)?),
        (FieldKind::Text, "not_contains") => FieldOp::NotContains(text_value(value)?),
        (FieldKind::Text, "starts_with") => FieldOp::StartsWith(text_value(value)?),
        (FieldKind::Text, "ends_with") => FieldOp::EndsWith(text_value(value)?),
        (FieldKind::Text, "in") => FieldOp::In(text_list(value, &vpath)?),
        (FieldKind::Text, "not_in") => FieldOp::NotIn(text_list(value, &vpath)?),
        (FieldKind::Number, "between") => {
            let pair = value
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| err(&vpath, "expected [low, high]"))?;
            FieldOp::Between(number(&pair[0], &vpath)?, number(&pair[1], &vpath)?)
        }
        (FieldKind::Number, op) => match Cmp::parse(op) {
            Some(cmp) => FieldOp::Compare(cmp, number(value, &vpath)?),
            None => return Err(wrong()),
        },
        (FieldKind::Date, "before") => FieldOp::Before(date(value, &vpath)?),
        (FieldKind::Date, "after") => FieldOp::After(date(value, &vpath)?),
        (FieldKind::Date, "on") => FieldOp::On(date(value, &vpath)?),
        (FieldKind::Date, "between") => {
            let pair = value
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| err(&vpath, "expected [first date, last date]"))?;
            FieldOp::DatesBetween(date(&pair[0], &vpath)?, date(&pair[1], &vpath)?)
        }
        (FieldKind::Date, "in_last") => FieldOp::InLast(span(value, &vpath)?),
        (FieldKind::Date, "more_than_ago") => FieldOp::MoreThanAgo(span(value, &vpath)?),
        (FieldKind::Date, "in_next") => FieldOp::InNext(span(value, &vpath)?),
        (FieldKind::Date, "anniversary_in_next") => {
            FieldOp::AnniversaryInNext(span(value, &vpath)?)
        }
        _ => return Err(wrong()),
    })
}

/// The field a segment file names: a built-in field or metric, else a
/// custom field (case-insensitive).
pub fn resolve_field(name: &str, custom_fields: &[CustomFieldDef]) -> Option<FieldRef> {
    builtin_field(name).or_else(|| {
        custom_fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .cloned()
            .map(FieldRef::Custom)
    })
}

fn builtin_field(name: &str) -> Option<FieldRef> {
    Some(match name {
        "birthday" => FieldRef::Birthday,
        "created_at" => FieldRef::CreatedAt,
        "order_count" => FieldRef::OrderCount,
        "total_spent" => FieldRef::TotalSpent,
        "average_order_value" => FieldRef::AverageOrderValue,
        "first_order_at" => FieldRef::FirstOrderAt,
        "last_order_at" => FieldRef::LastOrderAt,
        "days_since_last_order" => FieldRef::DaysSinceLastOrder,
        other => FieldRef::Text(
            ContactField::TEXT
                .into_iter()
                .find(|f| f.name() == other && *f != ContactField::Birthday)?,
        ),
    })
}

fn window(value: &Value, path: &str) -> Result<Window, SegmentError> {
    if value.is_null() {
        return Ok(Window::AllTime);
    }
    let object = value
        .as_object()
        .ok_or_else(|| err(path, "expected a window object"))?;
    let (key, inner) = object
        .iter()
        .next()
        .ok_or_else(|| err(path, "empty window"))?;
    let inner_path = format!("{path}.{key}");
    Ok(match key.as_str() {
        "last" => Window::Last(span(inner, &inner_path)?),
        "between_ago" => {
            let bound = |k: &str| {
                inner[k]
                    .as_u64()
                    .map(|n| n as u32)
                    .ok_or_else(|| err(&format!("{inner_path}.{k}"), "expected a whole number"))
            };
            let (from, to) = (bound("from")?, bound("to")?);
            if from < to {
                return Err(err(
                    &inner_path,
                    "\"from\" is the older bound and must be at least \"to\"",
                ));
            }
            Window::BetweenAgo {
                from,
                to,
                unit: unit(&inner["unit"], &format!("{inner_path}.unit"))?,
            }
        }
        "before" => Window::Before(date(inner, &inner_path)?),
        "after" => Window::After(date(inner, &inner_path)?),
        "between" => {
            let pair = inner
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| err(&inner_path, "expected [first date, last date]"))?;
            Window::Between(date(&pair[0], &inner_path)?, date(&pair[1], &inner_path)?)
        }
        other => {
            return Err(err(
                path,
                format!("unknown window {other:?} (last, between_ago, before, after, between)"),
            ));
        }
    })
}

struct Validator<'s> {
    schema: &'s Schema,
    /// Segments being expanded, to refuse cycles.
    stack: Vec<String>,
}

impl Validator<'_> {
    fn group(&mut self, value: &Value, path: &str) -> Result<Group, SegmentError> {
        let matching = match value["match"].as_str() {
            Some("all") => Match::All,
            Some("any") => Match::Any,
            Some("none") => Match::None,
            _ => {
                return Err(err(
                    &format!("{path}match"),
                    "expected \"all\", \"any\" or \"none\"",
                ));
            }
        };
        let items = value["conditions"].as_array().ok_or_else(|| {
            err(
                &format!("{path}conditions"),
                "expected a list of conditions",
            )
        })?;
        let conditions = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.condition(item, &format!("{path}conditions[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(Group {
            matching,
            conditions,
        })
    }

    fn condition(&mut self, value: &Value, path: &str) -> Result<Condition, SegmentError> {
        if !value.is_object() {
            return Err(err(path, "expected a condition object"));
        }
        if value.get("match").is_some() {
            return Ok(Condition::Group(self.group(value, &format!("{path}."))?));
        }
        let op = value["op"].as_str();
        if let Some(name) = value.get("field") {
            let name = text(name, &format!("{path}.field"))?;
            let field = match builtin_field(name) {
                Some(field) => field,
                None => FieldRef::Custom(
                    self.schema
                        .custom_fields
                        .iter()
                        .find(|f| f.name.eq_ignore_ascii_case(name))
                        .cloned()
                        .ok_or_else(|| {
                            err(&format!("{path}.field"), format!("unknown field {name:?}"))
                        })?,
                ),
            };
            let op = op.ok_or_else(|| err(&format!("{path}.op"), "missing op"))?;
            let op = field_op(field.kind(), op, &value["value"], path)?;
            return Ok(Condition::Field { field, op });
        }
        if let Some(tag) = value.get("tag") {
            let has = match op {
                Some("has") | None => true,
                Some("has_not") => false,
                Some(other) => {
                    return Err(err(
                        &format!("{path}.op"),
                        format!("{other:?} is not a tag operator (has, has_not)"),
                    ));
                }
            };
            return Ok(Condition::Tag {
                tag: text(tag, &format!("{path}.tag"))?.to_owned(),
                has,
            });
        }
        if let Some(consent) = value.get("consent") {
            let word = text(consent, &format!("{path}.consent"))?;
            let consent = Consent::parse(word).ok_or_else(|| {
                err(
                    &format!("{path}.consent"),
                    format!("{word:?} is not subscribed, unsubscribed or unknown"),
                )
            })?;
            return Ok(Condition::Consent(consent));
        }
        if let Some(segment) = value.get("segment") {
            let name = text(segment, &format!("{path}.segment"))?;
            let inside = match op {
                Some("in") | None => true,
                Some("not_in") => false,
                Some(other) => {
                    return Err(err(
                        &format!("{path}.op"),
                        format!("{other:?} is not a segment operator (in, not_in)"),
                    ));
                }
            };
            let key = name.to_lowercase();
            if self.stack.contains(&key) {
                let mut chain = self.stack.clone();
                chain.push(key);
                return Err(err(
                    path,
                    format!("segment {name:?} refers to itself ({})", chain.join(" → ")),
                ));
            }
            let definition = self.schema.segments.get(&key).ok_or_else(|| {
                err(
                    &format!("{path}.segment"),
                    format!("no saved segment named {name:?}"),
                )
            })?;
            self.stack.push(key);
            let root = self.group(definition, &format!("{path}<{name}>."))?;
            self.stack.pop();
            return Ok(Condition::Segment {
                name: name.to_owned(),
                inside,
                root: Box::new(root),
            });
        }
        if let Some(activity) = value.get("activity") {
            let kind = text(activity, &format!("{path}.activity"))?;
            let event_kind = (kind != "order").then(|| kind.to_owned());
            let sum = match value["measure"].as_str() {
                Some("count") | None => false,
                Some("sum") => true,
                Some(other) => {
                    return Err(err(
                        &format!("{path}.measure"),
                        format!("{other:?} is not a measure (count, sum)"),
                    ));
                }
            };
            let op = op.ok_or_else(|| err(&format!("{path}.op"), "missing op"))?;
            let op = field_op(FieldKind::Number, op, &value["value"], path)?;
            if matches!(op, FieldOp::IsBlank | FieldOp::IsNotBlank) {
                return Err(err(
                    &format!("{path}.op"),
                    "activity compares a count or a sum",
                ));
            }
            let window = window(&value["window"], &format!("{path}.window"))?;
            let mut filters = Vec::new();
            for (i, filter) in value["where"].as_array().into_iter().flatten().enumerate() {
                let fpath = format!("{path}.where[{i}]");
                let property = text(&filter["property"], &format!("{fpath}.property"))?.to_owned();
                let allowed: &[&str] = if event_kind.is_none() {
                    &["sku", "product", "category"]
                } else {
                    &["campaign", "variant"]
                };
                if !allowed.contains(&property.as_str()) {
                    return Err(err(
                        &format!("{fpath}.property"),
                        format!("{property:?} is not one of {}", allowed.join(", ")),
                    ));
                }
                let fop = text(&filter["op"], &format!("{fpath}.op"))?;
                filters.push(ActivityFilter {
                    property,
                    op: field_op(FieldKind::Text, fop, &filter["value"], &fpath)?,
                });
            }
            return Ok(Condition::Activity(Activity {
                event_kind,
                sum,
                op,
                window,
                filters,
            }));
        }
        Err(err(
            path,
            "a condition needs one of field, tag, activity, segment, consent or match",
        ))
    }
}

/// Parses and validates a segment file's JSON.
pub fn parse_segment(json: &str, schema: &Schema) -> Result<Segment, SegmentError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| err(&format!("line {}", e.line()), e.to_string()))?;
    validate(&value, schema)
}

/// Validates a segment's JSON value.
pub fn validate(value: &Value, schema: &Schema) -> Result<Segment, SegmentError> {
    let name = value["name"]
        .as_str()
        .ok_or_else(|| err("name", "a segment file needs a \"name\""))?
        .to_owned();
    let mut validator = Validator {
        schema,
        stack: vec![name.to_lowercase()],
    };
    let root = validator.group(value, "")?;
    Ok(Segment { name, root })
}

fn quote_list(values: &[String], joiner: &str) -> String {
    match values {
        [] => String::new(),
        [one] => format!("\"{one}\""),
        [rest @ .., last] => format!(
            "{} {joiner} \"{last}\"",
            rest.iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn op_words(op: &FieldOp) -> String {
    match op {
        FieldOp::Is(v) => format!("is \"{v}\""),
        FieldOp::IsNot(v) => format!("is not \"{v}\""),
        FieldOp::Contains(v) => format!("contains \"{v}\""),
        FieldOp::NotContains(v) => format!("does not contain \"{v}\""),
        FieldOp::StartsWith(v) => format!("starts with \"{v}\""),
        FieldOp::EndsWith(v) => format!("ends with \"{v}\""),
        FieldOp::In(v) => format!("is {}", quote_list(v, "or")),
        FieldOp::NotIn(v) => format!("is neither {}", quote_list(v, "nor")),
        FieldOp::Compare(cmp, n) => format!("is {} {n}", cmp.words()),
        FieldOp::Between(a, b) => format!("is between {a} and {b}"),
        FieldOp::Before(d) => format!("is before {d}"),
        FieldOp::After(d) => format!("is after {d}"),
        FieldOp::On(d) => format!("is on {d}"),
        FieldOp::DatesBetween(a, b) => format!("is between {a} and {b}"),
        FieldOp::InLast(s) => format!("is in the last {}", s.words()),
        FieldOp::MoreThanAgo(s) => format!("is more than {} ago", s.words()),
        FieldOp::InNext(s) => format!("is in the next {}", s.words()),
        FieldOp::AnniversaryInNext(s) => format!("comes round in the next {}", s.words()),
        FieldOp::IsBlank => "is blank".to_owned(),
        FieldOp::IsNotBlank => "is not blank".to_owned(),
        FieldOp::IsTrue => "is true".to_owned(),
        FieldOp::IsFalse => "is false".to_owned(),
    }
}

fn window_words(window: &Window) -> String {
    match window {
        Window::AllTime => String::new(),
        Window::Last(span) => format!(" in the last {}", span.words()),
        Window::BetweenAgo { from, to, unit } => {
            let unit = match unit {
                Unit::Days => "days",
                Unit::Weeks => "weeks",
                Unit::Months => "months",
            };
            format!(" between {from} and {to} {unit} ago")
        }
        Window::Before(d) => format!(" before {d}"),
        Window::After(d) => format!(" after {d}"),
        Window::Between(a, b) => format!(" between {a} and {b}"),
    }
}

/// Describes one condition as a clause after "Contacts who …".
pub fn describe(condition: &Condition) -> String {
    match condition {
        Condition::Group(group) => format!("({})", describe_group(group)),
        Condition::Field {
            field: FieldRef::Text(ContactField::Country),
            op: FieldOp::Is(v),
        } => {
            format!("who are in {v}")
        }
        Condition::Field {
            field: FieldRef::Text(ContactField::Country),
            op: FieldOp::In(v),
        } => {
            format!("who are in {}", v.join(" or "))
        }
        Condition::Field { field, op } => format!("whose {} {}", field_words(field), op_words(op)),
        Condition::Tag { tag, has: true } => format!("who are tagged \"{tag}\""),
        Condition::Tag { tag, has: false } => format!("who are not tagged \"{tag}\""),
        Condition::Consent(consent) => format!("who are {}", consent.as_str()),
        Condition::Segment {
            name, inside: true, ..
        } => format!("who are in segment \"{name}\""),
        Condition::Segment {
            name,
            inside: false,
            ..
        } => format!("who are not in segment \"{name}\""),
        Condition::Activity(activity) => describe_activity(activity),
    }
}

/// A field's name as words: "order count", "last order", "loyalty_tier".
fn field_words(field: &FieldRef) -> String {
    match field {
        FieldRef::Text(f) => f.name().replace('_', " "),
        FieldRef::Birthday => "birthday".to_owned(),
        FieldRef::CreatedAt => "date added".to_owned(),
        FieldRef::OrderCount => "order count".to_owned(),
        FieldRef::TotalSpent => "total spent".to_owned(),
        FieldRef::AverageOrderValue => "average order".to_owned(),
        FieldRef::FirstOrderAt => "first order".to_owned(),
        FieldRef::LastOrderAt => "last order".to_owned(),
        FieldRef::DaysSinceLastOrder => "days since the last order".to_owned(),
        FieldRef::Custom(def) => def.name.clone(),
    }
}

fn describe_activity(activity: &Activity) -> String {
    let window = window_words(&activity.window);
    let filters: Vec<String> = activity
        .filters
        .iter()
        .map(|f| format!("{} {}", f.property, op_words(&f.op)))
        .collect();
    let filters = if filters.is_empty() {
        String::new()
    } else {
        format!(" where {}", filters.join(" and "))
    };
    let times = |n: f64| if n == 1.0 { "time" } else { "times" };
    match (&activity.event_kind, activity.sum, &activity.op) {
        (None, false, FieldOp::Compare(Cmp::Eq, n)) if *n == 0.0 => {
            format!("who placed no orders{window}{filters}")
        }
        (None, false, FieldOp::Compare(cmp, n)) => {
            let orders = if *n == 1.0 { "order" } else { "orders" };
            format!("who placed {} {n} {orders}{window}{filters}", cmp.words())
        }
        (None, true, op) => format!("whose orders{window}{filters} total {}", amount_words(op)),
        (Some(kind), false, FieldOp::Compare(Cmp::Eq, n)) if *n == 0.0 => {
            format!("who never {}{window}{filters}", event_words(kind))
        }
        (Some(kind), false, FieldOp::Compare(cmp, n)) => {
            format!(
                "who {} {} {n} {}{window}{filters}",
                event_words(kind),
                cmp.words(),
                times(*n)
            )
        }
        (Some(kind), true, op) => {
            format!(
                "whose {} values{window}{filters} total {}",
                kind.replace('_', " "),
                amount_words(op)
            )
        }
        (_, false, op) => format!("whose activity count{window}{filters} {}", op_words(op)),
    }
}

/// A compared amount: "at least 100", "between 10 and 20".
fn amount_words(op: &FieldOp) -> String {
    match op {
        FieldOp::Compare(cmp, n) => format!("{} {n}", cmp.words()),
        FieldOp::Between(a, b) => format!("between {a} and {b}"),
        other => op_words(other),
    }
}

/// An event kind as a past-tense verb phrase.
fn event_words(kind: &str) -> String {
    match kind {
        "email_click" => "clicked an email".to_owned(),
        "email_open" => "opened an email".to_owned(),
        "email_sent" => "were sent an email".to_owned(),
        "page_view" => "viewed a page".to_owned(),
        "conversion" => "converted".to_owned(),
        other => format!("had \"{}\"", other.replace('_', " ")),
    }
}

fn describe_group(group: &Group) -> String {
    let described: Vec<String> = group.conditions.iter().map(describe).collect();
    // "who are in DE and are subscribed", not "… and who are subscribed".
    let parts: Vec<String> = described
        .iter()
        .enumerate()
        .map(|(i, part)| {
            match (
                i.checked_sub(1).map(|j| &described[j]),
                part.strip_prefix("who "),
            ) {
                (Some(previous), Some(rest))
                    if previous.starts_with("who ") && group.matching != Match::None =>
                {
                    rest.to_owned()
                }
                _ => part.clone(),
            }
        })
        .collect();
    match group.matching {
        Match::All => parts.join(" and "),
        Match::Any => parts.join(" or "),
        Match::None => format!("who match none of: {}", parts.join("; ")),
    }
}

/// The whole segment as a sentence: "Contacts who are in DE or FR and are
/// subscribed and placed at least 2 orders in the last 365 days".
pub fn read_back(segment: &Segment) -> String {
    if segment.root.conditions.is_empty() {
        return match segment.root.matching {
            Match::Any => "No contacts (an empty \"any\" group matches nobody)".to_owned(),
            _ => "All contacts".to_owned(),
        };
    }
    format!("Contacts {}", describe_group(&segment.root))
}

/// The ids of custom fields a segment reads.
pub fn custom_fields_used(group: &Group, out: &mut Vec<CustomFieldId>) {
    for condition in &group.conditions {
        match condition {
            Condition::Group(inner) => custom_fields_used(inner, out),
            Condition::Segment { root, .. } => custom_fields_used(root, out),
            Condition::Field {
                field: FieldRef::Custom(def),
                ..
            } => out.push(def.id),
            _ => {}
        }
    }
}

/// Ready-made segments from the brief, saved in every demo workspace and
/// offered as starting points: new vs returning customers, bought in the
/// last 90 days vs not, lapsed VIPs, birthdays in the next 14 days, engaged
/// but never bought, and the unsubscribed (for suppression).
pub const STARTERS: [&str; 8] = [
    include_str!("../../assets/segments/new-customers.segment.json"),
    include_str!("../../assets/segments/returning-customers.segment.json"),
    include_str!("../../assets/segments/bought-last-90-days.segment.json"),
    include_str!("../../assets/segments/not-bought-last-90-days.segment.json"),
    include_str!("../../assets/segments/lapsed-vips.segment.json"),
    include_str!("../../assets/segments/birthday-next-14-days.segment.json"),
    include_str!("../../assets/segments/engaged-never-bought.segment.json"),
    include_str!("../../assets/segments/unsubscribed-suppression.segment.json"),
];
