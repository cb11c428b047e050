//! Counting segments over columns held in memory.
//!
//! A live count must answer in well under a second on a million contacts,
//! and a correlated SQL query cannot: it visits every candidate contact and
//! seeks its orders. So counting keeps, per workspace, the columns segments
//! ask about as compact arrays — loaded on first use, dropped when any
//! connection changes the data — and answers each condition with a bitset
//! over the contacts; groups, per-condition counts, the cumulative funnel and
//! overlaps are then bit operations.
//!
//! Conditions evaluated here (consent, the contact's own text and date
//! fields, tags, order counts and totals in a window, order metrics and
//! dates) follow the SQL compiler's semantics exactly. Email activity and
//! order activity with filters run as one query grouped by contact, built
//! from the same pieces as the compiled SQL; custom fields run as their
//! compiled SQL. Either way the result is kept until the data changes. The
//! tests check both ways agree for every operator.

use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use chrono::{Datelike as _, NaiveDate};

use super::{Compiler, DayTest, FROM, fold};
use crate::domain::segment::{Activity, Cmp, Condition, FieldOp, FieldRef, Group, Match};
use crate::store::{Result, map_interrupt};

/// A set of contacts, one bit per contact in id order.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    fn empty(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    fn full(len: usize) -> Self {
        let mut bits = Self {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        bits.clear_tail();
        bits
    }

    fn from_fn(len: usize, mut test: impl FnMut(usize) -> bool) -> Self {
        let mut bits = Self::empty(len);
        for (w, word) in bits.words.iter_mut().enumerate() {
            let base = w * 64;
            let mut value = 0u64;
            for b in 0..64.min(len - base) {
                if test(base + b) {
                    value |= 1 << b;
                }
            }
            *word = value;
        }
        bits
    }

    fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    fn assign(&mut self, i: usize, value: bool) {
        if value {
            self.set(i);
        } else {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    fn clear_tail(&mut self) {
        if !self.len.is_multiple_of(64)
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << (self.len % 64)) - 1;
        }
    }

    pub(super) fn and(&mut self, other: &Self) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    fn or(&mut self, other: &Self) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    fn not(&mut self) {
        for a in &mut self.words {
            *a = !*a;
        }
        self.clear_tail();
    }

    pub(super) fn count(&self) -> i64 {
        self.words.iter().map(|w| i64::from(w.count_ones())).sum()
    }

    /// The positions of the contacts in the set, in id order.
    pub(super) fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + bit
                })
            })
        })
    }

    pub(super) fn count_and(&self, other: &Self) -> i64 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| i64::from((a & b).count_ones()))
            .sum()
    }
}

/// One text column of `contacts`: each distinct stored value once, and
/// which of them each contact has.
struct TextColumn {
    values: Vec<Option<String>>,
    codes: Vec<u32>,
}

impl TextColumn {
    /// The contacts whose stored value passes `test`, which runs once per
    /// distinct value.
    fn matching(&self, test: impl Fn(Option<&str>) -> bool) -> Bits {
        let passes: Vec<bool> = self.values.iter().map(|v| test(v.as_deref())).collect();
        Bits::from_fn(self.codes.len(), |i| passes[self.codes[i] as usize])
    }
}

/// Every contact's orders as (when, total in cents), contact by contact.
struct OrderLists {
    /// Contact `i`'s orders are `orders[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    /// (ordered_at, total_cents), each contact's by time.
    orders: Vec<(i64, i64)>,
}

/// `contact_metrics` of one contact (none without orders).
type Metric = Option<MetricRow>;

#[derive(Clone, Copy)]
struct MetricRow {
    order_count: i64,
    total_spent_cents: i64,
    first_order_at: i64,
    last_order_at: i64,
}

/// `contact_metrics` per contact.
type Metrics = Vec<Metric>;

/// The columns loaded so far, and the SQL-evaluated conditions, for one
/// state of the data.
#[derive(Default)]
pub(in crate::store) struct Columns {
    /// `PRAGMA data_version` and this connection's total changes when the
    /// columns were loaded: if either moved, the data may have changed.
    version: Option<(i64, u64)>,
    ids: Vec<i64>,
    text: HashMap<&'static str, TextColumn>,
    orders: Option<OrderLists>,
    metrics: Option<Metrics>,
    /// `contacts.created_at`.
    created: Option<Vec<i64>>,
    /// Conditions answered by SQL, by their SQL and parameters.
    by_sql: HashMap<String, Bits>,
}

/// Whether `value` (a stored, folded text) passes a text operator, exactly as
/// the compiler's SQL decides it. `raw` is the stored value.
fn text_passes(op: &FieldOp, raw: Option<&str>) -> bool {
    // SQLite's trim() removes spaces only.
    let blank = raw.is_none_or(|r| r.trim_matches(' ').is_empty());
    let Some(raw) = raw else {
        return matches!(op, FieldOp::IsBlank);
    };
    let folded = fold(raw);
    let not_blank = !folded.is_empty();
    match op {
        FieldOp::Is(v) => folded == fold(v),
        FieldOp::IsNot(v) => not_blank && folded != fold(v),
        FieldOp::Contains(v) => folded.contains(&fold(v)),
        FieldOp::NotContains(v) => not_blank && !folded.contains(&fold(v)),
        FieldOp::StartsWith(v) => folded.starts_with(&fold(v)),
        // substr(x, -0) is the whole of x, never '' when x is not blank.
        FieldOp::EndsWith(v) => {
            let v = fold(v);
            not_blank && !v.is_empty() && folded.ends_with(&v)
        }
        FieldOp::In(values) => values.iter().any(|v| fold(v) == folded),
        // `x NOT IN (NULL)` is NULL: an empty list matches nothing.
        FieldOp::NotIn(values) => {
            not_blank && !values.is_empty() && values.iter().all(|v| fold(v) != folded)
        }
        FieldOp::IsBlank => blank,
        FieldOp::IsNotBlank => !blank,
        _ => false,
    }
}

/// A number test as the compiler's `number_op` writes it; `scale` turns
/// the segment's value into the stored unit.
fn number_passes(op: &FieldOp, scale: f64, value: Option<f64>) -> bool {
    let bound = |n: f64| (n * scale * 1e6).round() / 1e6;
    match (op, value) {
        (FieldOp::IsBlank, v) => v.is_none(),
        (FieldOp::IsNotBlank, v) => v.is_some(),
        (FieldOp::Compare(cmp, n), Some(x)) => {
            let n = bound(*n);
            match cmp {
                Cmp::Eq => x == n,
                Cmp::Ne => x != n,
                Cmp::Lt => x < n,
                Cmp::Le => x <= n,
                Cmp::Gt => x > n,
                Cmp::Ge => x >= n,
            }
        }
        (FieldOp::Between(a, b), Some(x)) => bound(*a) <= x && x <= bound(*b),
        _ => false,
    }
}

/// The `i64` an SQL integer compares as, as a float. Exact below 2^53, far
/// above any count or cent total a workspace holds.
fn float(n: i64) -> f64 {
    n as f64
}

/// A [`DayTest`] on instants, its days turned into instants once.
fn instant_test(compiler: &Compiler, test: DayTest) -> Box<dyn Fn(Option<i64>) -> bool> {
    let within = |first, last| {
        let (start, end) = compiler.day_instants(first, last);
        move |t: i64| start.is_none_or(|s| t >= s) && end.is_none_or(|e| t < e)
    };
    match test {
        DayTest::Range(first, last) => {
            let within = within(first, last);
            Box::new(move |t| t.is_some_and(&within))
        }
        DayTest::Outside(day) => {
            let within = within(Some(day), Some(day));
            Box::new(move |t| t.is_some_and(|t| !within(t)))
        }
        // strftime('%m-%d', t, 'unixepoch') reads the instant in UTC.
        DayTest::MonthDays(month_days) => Box::new(move |t| {
            t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .is_some_and(|d| {
                    let md = format!("{:02}-{:02}", d.month(), d.day());
                    month_days.contains(&md)
                })
        }),
        DayTest::Blank => Box::new(|t| t.is_none()),
        DayTest::NotBlank => Box::new(|t| t.is_some()),
        DayTest::Never => Box::new(|_| false),
    }
}

/// A [`DayTest`] on a `YYYY-MM-DD` text, compared as SQLite compares text.
fn text_day_passes(test: &DayTest, raw: Option<&str>) -> bool {
    let within = |v: &str, first: Option<NaiveDate>, last: Option<NaiveDate>| {
        !v.is_empty()
            && first.is_none_or(|f| v >= f.to_string().as_str())
            && last.is_none_or(|l| v <= l.to_string().as_str())
    };
    let blank = raw.is_none_or(str::is_empty);
    match test {
        DayTest::Range(first, last) => raw.is_some_and(|v| within(v, *first, *last)),
        DayTest::Outside(day) => raw.is_some_and(|v| !within(v, Some(*day), Some(*day))),
        // substr(v, 6, 5), in characters.
        DayTest::MonthDays(month_days) => raw.is_some_and(|v| {
            let md: String = v.chars().skip(5).take(5).collect();
            month_days.contains(&md)
        }),
        DayTest::Blank => blank,
        DayTest::NotBlank => !blank,
        DayTest::Never => false,
    }
}

impl Columns {
    /// What tells whether the data changed: `PRAGMA data_version` moves
    /// when another connection commits, total changes when this one writes.
    pub(super) fn version_of(conn: &Connection) -> Result<(i64, u64)> {
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok((data_version, conn.total_changes()))
    }

    /// Keeps the columns across a write known not to touch them (one to
    /// segment definitions), if they were current before it and no other
    /// connection wrote meanwhile.
    pub(super) fn carry_over(&mut self, before: (i64, u64), after: (i64, u64)) {
        if self.version == Some(before) && before.0 == after.0 {
            self.version = Some(after);
        }
    }

    /// Drops everything if the data changed since it was loaded.
    fn check_fresh(&mut self, conn: &Connection) -> Result<()> {
        let now = Self::version_of(conn)?;
        if self.version != Some(now) {
            let mut stmt = conn.prepare("SELECT id FROM contacts ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()
                .map_err(map_interrupt)?;
            *self = Self {
                version: Some(now),
                ids,
                ..Self::default()
            };
        }
        Ok(())
    }

    /// Where contact `id` is: at `hint`, or where it would be if ids had
    /// no gaps (usual: ids are given in order), or found by search.
    fn position(&self, id: i64, hint: usize) -> Option<usize> {
        let dense = self
            .ids
            .first()
            .and_then(|first| usize::try_from(id - first).ok());
        for guess in [Some(hint), dense].into_iter().flatten() {
            if self.ids.get(guess) == Some(&id) {
                return Some(guess);
            }
        }
        self.ids.binary_search(&id).ok()
    }

    /// A text column of `contacts`; `name` comes from the known fields,
    /// never from input.
    fn text_column(&mut self, conn: &Connection, name: &'static str) -> Result<&TextColumn> {
        if !self.text.contains_key(name) {
            let mut values: Vec<Option<String>> = vec![None];
            let mut lookup: HashMap<String, u32> = HashMap::new();
            let mut codes = vec![0u32; self.ids.len()];
            let mut stmt = conn.prepare(&format!("SELECT id, {name} FROM contacts"))?;
            let mut rows = stmt.query([])?;
            let mut hint = 0;
            while let Some(row) = rows.next().map_err(map_interrupt)? {
                let Some(at) = self.position(row.get(0)?, hint) else {
                    continue;
                };
                hint = at + 1;
                let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(1)? else {
                    continue;
                };
                let text = String::from_utf8_lossy(bytes);
                let text = text.as_ref();
                codes[at] = match lookup.get(text) {
                    Some(&code) => code,
                    None => {
                        let code = values.len() as u32;
                        values.push(Some(text.to_owned()));
                        lookup.insert(text.to_owned(), code);
                        code
                    }
                };
            }
            self.text.insert(name, TextColumn { values, codes });
        }
        Ok(&self.text[name])
    }

    fn orders(&mut self, conn: &Connection) -> Result<&OrderLists> {
        let lists = match self.orders.take() {
            Some(lists) => lists,
            None => self.load_orders(conn)?,
        };
        Ok(self.orders.insert(lists))
    }

    /// Counts each contact's orders first, then places every order in its
    /// contact's slot: no intermediate copy of 2.5M rows.
    fn load_orders(&self, conn: &Connection) -> Result<OrderLists> {
        // Both reads see one state of the workspace.
        let _snapshot = if conn.is_autocommit() {
            Some(conn.unchecked_transaction()?)
        } else {
            None
        };
        let n = self.ids.len();
        let mut starts = vec![0u32; n + 1];
        let mut stmt =
            conn.prepare("SELECT contact_id, count(*) FROM orders GROUP BY contact_id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next().map_err(map_interrupt)? {
            if let Some(at) = self.position(row.get(0)?, usize::MAX) {
                starts[at + 1] = row.get(1)?;
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut orders = vec![(0, 0); starts[n] as usize];
        let mut stmt = conn.prepare("SELECT contact_id, ordered_at, total_cents FROM orders")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next().map_err(map_interrupt)? {
            if let Some(at) = self.position(row.get(0)?, usize::MAX) {
                orders[next[at] as usize] = (row.get(1)?, row.get(2)?);
                next[at] += 1;
            }
        }
        for i in 0..n {
            orders[starts[i] as usize..starts[i + 1] as usize].sort_unstable();
        }
        Ok(OrderLists { starts, orders })
    }

    fn metrics(&mut self, conn: &Connection) -> Result<&Metrics> {
        let metrics = match self.metrics.take() {
            Some(metrics) => metrics,
            None => self.load_metrics(conn)?,
        };
        Ok(self.metrics.insert(metrics))
    }

    fn load_metrics(&self, conn: &Connection) -> Result<Metrics> {
        let mut metrics = vec![None; self.ids.len()];
        let mut stmt = conn.prepare(
            "SELECT contact_id, order_count, total_spent_cents, first_order_at, last_order_at \
             FROM contact_metrics",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next().map_err(map_interrupt)? {
            if let Some(at) = self.position(row.get(0)?, usize::MAX) {
                metrics[at] = Some(MetricRow {
                    order_count: row.get(1)?,
                    total_spent_cents: row.get(2)?,
                    first_order_at: row.get(3)?,
                    last_order_at: row.get(4)?,
                });
            }
        }
        Ok(metrics)
    }

    fn created(&mut self, conn: &Connection) -> Result<&[i64]> {
        let created = match self.created.take() {
            Some(created) => created,
            None => {
                let mut created = vec![0; self.ids.len()];
                let mut stmt = conn.prepare("SELECT id, created_at FROM contacts")?;
                let mut rows = stmt.query([])?;
                let mut hint = 0;
                while let Some(row) = rows.next().map_err(map_interrupt)? {
                    if let Some(at) = self.position(row.get(0)?, hint) {
                        created[at] = row.get(1)?;
                        hint = at + 1;
                    }
                }
                created
            }
        };
        Ok(self.created.insert(created))
    }

    /// One leaf condition as the set of contacts meeting it.
    fn leaf(
        &mut self,
        conn: &Connection,
        compiler: &Compiler,
        condition: &Condition,
    ) -> Result<Bits> {
        let n = self.ids.len();
        match condition {
            Condition::Consent(consent) => {
                let column = self.text_column(conn, "consent_status")?;
                Ok(column.matching(|v| v == Some(consent.as_str())))
            }
            Condition::Field {
                field: FieldRef::Text(field),
                op,
            } => {
                let column = self.text_column(conn, field.name())?;
                Ok(column.matching(|v| text_passes(op, v)))
            }
            Condition::Field {
                field:
                    field @ (FieldRef::OrderCount | FieldRef::TotalSpent | FieldRef::AverageOrderValue),
                op,
            } => {
                let metrics = self.metrics(conn)?;
                let (scale, value): (f64, fn(Metric) -> Option<f64>) = match field {
                    FieldRef::OrderCount => (1.0, |m| Some(float(m.map_or(0, |m| m.order_count)))),
                    FieldRef::TotalSpent => {
                        (100.0, |m| Some(float(m.map_or(0, |m| m.total_spent_cents))))
                    }
                    // total * 1.0 / count: NULL without orders, as in SQL.
                    _ => (100.0, |m| {
                        m.filter(|m| m.order_count != 0)
                            .map(|m| float(m.total_spent_cents) / float(m.order_count))
                    }),
                };
                Ok(Bits::from_fn(n, |i| {
                    number_passes(op, scale, value(metrics[i]))
                }))
            }
            Condition::Field {
                field: FieldRef::Birthday,
                op,
            } => {
                let test = compiler.day_test(op);
                let column = self.text_column(conn, "birthday")?;
                Ok(column.matching(|v| text_day_passes(&test, v)))
            }
            Condition::Field {
                field: FieldRef::CreatedAt,
                op,
            } => {
                let passes = instant_test(compiler, compiler.day_test(op));
                let created = self.created(conn)?;
                Ok(Bits::from_fn(n, |i| passes(Some(created[i]))))
            }
            Condition::Field {
                field:
                    field @ (FieldRef::FirstOrderAt
                    | FieldRef::LastOrderAt
                    | FieldRef::DaysSinceLastOrder),
                op,
            } => {
                let (test, first) = match field {
                    FieldRef::FirstOrderAt => (compiler.day_test(op), true),
                    FieldRef::LastOrderAt => (compiler.day_test(op), false),
                    _ => (compiler.days_since_test(op), false),
                };
                let passes = instant_test(compiler, test);
                let metrics = self.metrics(conn)?;
                Ok(Bits::from_fn(n, |i| {
                    passes(metrics[i].map(|m| {
                        if first {
                            m.first_order_at
                        } else {
                            m.last_order_at
                        }
                    }))
                }))
            }
            Condition::Activity(activity)
                if activity.event_kind.is_none() && activity.filters.is_empty() =>
            {
                self.orders_leaf(conn, compiler, activity)
            }
            Condition::Activity(activity) => self.grouped_activity_leaf(conn, compiler, activity),
            // The tag's rows by the tag index, rather than a lookup per contact.
            Condition::Tag { tag, has } => {
                let mut bits = self.ids_of(
                    conn,
                    "SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id \
                     WHERE t.name = ?1",
                    vec![Value::Text(tag.trim().to_owned())],
                )?;
                if !has {
                    bits.not();
                }
                Ok(bits)
            }
            Condition::Segment { inside, root, .. } => {
                let mut bits = self.group(conn, compiler, root, &mut Vec::new(), None)?;
                if !inside {
                    bits.not();
                }
                Ok(bits)
            }
            other => self.sql_leaf(conn, compiler, other),
        }
    }

    fn orders_leaf(
        &mut self,
        conn: &Connection,
        compiler: &Compiler,
        activity: &Activity,
    ) -> Result<Bits> {
        let n = self.ids.len();
        let (start, end) = match compiler.window_days(&activity.window) {
            Some((first, last)) => compiler.day_instants(first, last),
            None => (None, None),
        };
        let (start, end) = (start.unwrap_or(i64::MIN), end.unwrap_or(i64::MAX));
        let orders = self.orders(conn)?;
        let scale = Compiler::activity_scale(activity);
        Ok(Bits::from_fn(n, |i| {
            let mine = &orders.orders[orders.starts[i] as usize..orders.starts[i + 1] as usize];
            // Each contact's orders are sorted by time.
            let from = mine.partition_point(|&(t, _)| t < start);
            let to = mine.partition_point(|&(t, _)| t < end);
            let measured = if activity.sum {
                mine[from..to].iter().map(|&(_, cents)| cents).sum::<i64>()
            } else {
                (to - from) as i64
            };
            number_passes(&activity.op, scale, Some(float(measured)))
        }))
    }

    /// A condition evaluated by its SQL, kept until the data changes.
    fn sql_leaf(
        &mut self,
        conn: &Connection,
        compiler: &Compiler,
        condition: &Condition,
    ) -> Result<Bits> {
        let mut sub = compiler.fresh();
        let sql = format!("SELECT c.id {FROM} WHERE {}", sub.condition_raw(condition));
        self.ids_of(conn, &sql, sub.params)
    }

    /// The contacts whose ids a query returns, kept by the query and its
    /// parameters until the data changes.
    fn ids_of(&mut self, conn: &Connection, sql: &str, params: Vec<Value>) -> Result<Bits> {
        let key = format!("{sql}\n{params:?}");
        self.kept(key, |this| {
            let mut bits = Bits::empty(this.ids.len());
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(row) = rows.next().map_err(map_interrupt)? {
                if let Some(at) = this.position(row.get(0)?, usize::MAX) {
                    bits.set(at);
                }
            }
            Ok(bits)
        })
    }

    /// The set kept under `key`, or `compute`d and kept until the data
    /// changes.
    fn kept(&mut self, key: String, compute: impl FnOnce(&Self) -> Result<Bits>) -> Result<Bits> {
        if let Some(bits) = self.by_sql.get(&key) {
            return Ok(bits.clone());
        }
        let bits = compute(self)?;
        // Typing into a condition answered by SQL makes a new one for every
        // keystroke; keep memory bounded.
        if self.by_sql.len() >= 64 {
            self.by_sql.clear();
        }
        self.by_sql.insert(key, bits.clone());
        Ok(bits)
    }

    /// Email activity, or orders with filters: one grouped query measures
    /// every contact with such rows (the rest measure 0), kept until the
    /// data changes.
    fn grouped_activity_leaf(
        &mut self,
        conn: &Connection,
        compiler: &Compiler,
        activity: &Activity,
    ) -> Result<Bits> {
        let mut sub = compiler.fresh();
        let sql = sub.activity_grouped(activity);
        let key = format!("{sql}\n{:?}\n{:?}", sub.params, activity.op);
        self.kept(key, |this| {
            let scale = Compiler::activity_scale(activity);
            let n = this.ids.len();
            let mut bits = if number_passes(&activity.op, scale, Some(0.0)) {
                Bits::full(n)
            } else {
                Bits::empty(n)
            };
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(sub.params))?;
            while let Some(row) = rows.next().map_err(map_interrupt)? {
                if let Some(at) = this.position(row.get(0)?, usize::MAX) {
                    bits.assign(at, number_passes(&activity.op, scale, Some(row.get(1)?)));
                }
            }
            Ok(bits)
        })
    }

    /// A group as the set of contacts meeting it. With `nodes`, records
    /// every node below it by path, in the order the SQL plan lists them.
    fn group(
        &mut self,
        conn: &Connection,
        compiler: &Compiler,
        group: &Group,
        path: &mut Vec<usize>,
        mut nodes: Option<&mut Vec<(Vec<usize>, Bits)>>,
    ) -> Result<Bits> {
        let n = self.ids.len();
        let mut result = match group.matching {
            Match::All => Bits::full(n),
            Match::Any | Match::None => Bits::empty(n),
        };
        for (i, condition) in group.conditions.iter().enumerate() {
            path.push(i);
            let bits = match condition {
                Condition::Group(inner) => {
                    self.group(conn, compiler, inner, path, nodes.as_deref_mut())?
                }
                leaf => self.leaf(conn, compiler, leaf)?,
            };
            match group.matching {
                Match::All => result.and(&bits),
                Match::Any | Match::None => result.or(&bits),
            }
            if let Some(nodes) = nodes.as_deref_mut() {
                nodes.push((path.clone(), bits));
            }
            path.pop();
        }
        if group.matching == Match::None {
            result.not();
        }
        Ok(result)
    }

    /// A segment's members, and with `nodes` every node's members.
    pub(super) fn evaluate(
        &mut self,
        conn: &Connection,
        compiler: &Compiler,
        root: &Group,
        nodes: Option<&mut Vec<(Vec<usize>, Bits)>>,
    ) -> Result<Bits> {
        self.check_fresh(conn)?;
        self.group(conn, compiler, root, &mut Vec::new(), nodes)
    }

    /// The id of the contact at a position of a set.
    pub(super) fn id_at(&self, at: usize) -> i64 {
        self.ids[at]
    }
}

impl Bits {
    /// The union of sets, counted.
    pub(super) fn union_count(sets: &[Bits]) -> i64 {
        let Some((first, rest)) = sets.split_first() else {
            return 0;
        };
        let mut all = first.clone();
        for set in rest {
            all.or(set);
        }
        all.count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count_and_combine_up_to_the_last_word() {
        let a = Bits::from_fn(130, |i| i % 2 == 0);
        let b = Bits::from_fn(130, |i| i % 3 == 0);
        assert_eq!(a.count(), 65);
        assert_eq!(b.count(), 44);
        assert_eq!(a.count_and(&b), 22);
        let mut none = a.clone();
        none.not();
        assert_eq!(none.count(), 65, "the unused tail bits stay clear");
        assert_eq!(Bits::full(130).count(), 130);
    }

    #[test]
    fn text_tests_treat_blanks_as_sql_does() {
        let is_not = FieldOp::IsNot("de".into());
        assert!(!text_passes(&is_not, None));
        assert!(!text_passes(&is_not, Some("  ")));
        assert!(text_passes(&is_not, Some("FR")));
        assert!(!text_passes(&FieldOp::NotIn(vec![]), Some("FR")));
        assert!(!text_passes(&FieldOp::EndsWith(String::new()), Some("FR")));
        assert!(text_passes(&FieldOp::StartsWith(String::new()), Some("FR")));
        // trim() in SQLite removes spaces but not tabs.
        assert!(!text_passes(&FieldOp::IsBlank, Some("\t")));
        assert!(text_passes(&FieldOp::IsBlank, Some("  ")));
        assert!(text_passes(&FieldOp::IsBlank, None));
    }
}
