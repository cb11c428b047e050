//! The demo shop: a realistic, synthetic coffee-and-tea shop written into a
//! new workspace, deterministic for a given seed and `as_of` date. New
//! customers, loyal regulars, lapsed buyers and people who never bought;
//! orders with products over three years; newsletter sends, opens and clicks
//! (two of them A/B tests); a consent mix of about 70% subscribed, 10%
//! unsubscribed and 20% unknown.

mod data;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike as _, NaiveDate};

use crate::domain::{Consent, CustomValue, FieldKind, WorkspaceSettings};
use crate::jobs::{CancelToken, ProgressSink};
use crate::store::{BulkLoad, NewContact, NewEvent, NewOrder, NewOrderItem, StoreError};

use data::{COUNTRIES, Country, PRODUCTS};

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub n_contacts: u64,
    pub seed: u64,
    /// The shop's "today": the last day of its history, pinned in the
    /// workspace so relative segments give the same answer on any day.
    pub as_of: NaiveDate,
    /// The workspace's IANA time zone.
    pub time_zone: String,
}

impl DemoOptions {
    /// The number of contacts a first-launch demo workspace gets.
    pub const DEFAULT_CONTACTS: u64 = 20_000;
}

/// What was generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub contacts: u64,
    pub orders: u64,
    pub order_items: u64,
    pub events: u64,
}

/// Why generating failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cancelled; nothing was written")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A small, fast, well-mixed generator (SplitMix64): the demo needs
/// reproducibility, not cryptographic quality.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Exponentially distributed with the given mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

const DAY: i64 = 86_400;

/// What kind of customer a generated person is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Archetype {
    NeverBought,
    OneTime,
    Returning,
    Loyal,
    Lapsed,
}

/// Product preference of a person.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Taste {
    Coffee,
    Tea,
    Both,
}

struct PlannedOrder {
    ordered_at: i64,
    items: Vec<(usize, i64)>,
}

/// Writes a demo shop to `dest` (which must not exist). On cancel or error
/// nothing is left behind.
pub fn generate(
    dest: &Path,
    options: &DemoOptions,
    progress: &mut dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<(PathBuf, DemoSummary), DemoError> {
    // The history runs up to the start of the `as_of` day, so nothing
    // generated lies in the future on that day.
    let end = options
        .as_of
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp());
    let history_start = end - 3 * 365 * DAY;
    let signup_start = history_start - 365 * DAY;

    let mut settings = WorkspaceSettings::new("Bean & Leaf Coffee Co. (demo)", &options.time_zone);
    settings.as_of = Some(options.as_of);
    let mut load = BulkLoad::create(dest, &settings, "demo", end)?;

    let product_ids = PRODUCTS
        .iter()
        .map(|p| load.add_product(p.sku, p.name, p.category))
        .collect::<Result<Vec<_>, _>>()?;
    let campaigns = data::CAMPAIGNS
        .iter()
        .map(|(name, days_ago, ab)| {
            let sent_at = end - days_ago * DAY - 14 * 3600;
            load.add_campaign(name).map(|id| (id, sent_at, *ab))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for starter in crate::domain::segment::STARTERS {
        load.add_segment(starter, end)?;
    }
    let tag_vip = load.add_tag("vip")?;
    let tag_club = load.add_tag("coffee-club")?;
    let tag_tea = load.add_tag("tea-lover")?;
    let tag_gift = load.add_tag("gift-buyer")?;
    let tag_wholesale = load.add_tag("wholesale")?;
    let field_tier = load.add_custom_field("loyalty_tier", FieldKind::Text, signup_start)?;
    let field_roast = load.add_custom_field("preferred_roast", FieldKind::Text, signup_start)?;
    let field_sms = load.add_custom_field("sms_opt_in", FieldKind::Bool, signup_start)?;

    let total_weight: u32 = COUNTRIES.iter().map(|c| c.weight).sum();
    let mut rng = Rng(options.seed ^ 0x5441_494C_4F52);
    let mut email_counts: HashMap<String, u32> = HashMap::new();
    let mut summary = DemoSummary::default();
    let mut next_order_ref = 100_001_u64;

    for i in 0..options.n_contacts {
        if i.is_multiple_of(2_000) {
            if cancel.is_cancelled() {
                return Err(DemoError::Cancelled);
            }
            let fraction = 0.8 * i as f32 / options.n_contacts.max(1) as f32;
            progress.report(
                fraction,
                &format!("Generating contacts ({i} of {})", options.n_contacts),
            );
        }

        // Who they are.
        let mut pick = rng.below(u64::from(total_weight)) as u32;
        let country = COUNTRIES
            .iter()
            .find(|c| {
                if pick < c.weight {
                    true
                } else {
                    pick -= c.weight;
                    false
                }
            })
            .unwrap_or(&COUNTRIES[0]);
        let (city, region, postal_pattern, tz) = *rng.pick(country.cities);
        let first = *if rng.chance(0.5) {
            rng.pick(country.female)
        } else {
            rng.pick(country.male)
        };
        let last = *rng.pick(country.last);
        let email = make_email(&mut rng, first, last, &mut email_counts);
        let created_at = signup_start + ((end - signup_start) as f64 * rng.unit().sqrt()) as i64;

        // What they bought.
        let archetype = match rng.unit() {
            u if u < 0.35 => Archetype::NeverBought,
            u if u < 0.60 => Archetype::OneTime,
            u if u < 0.82 => Archetype::Returning,
            u if u < 0.92 => Archetype::Loyal,
            _ => Archetype::Lapsed,
        };
        let taste = match rng.unit() {
            u if u < 0.55 => Taste::Coffee,
            u if u < 0.80 => Taste::Tea,
            _ => Taste::Both,
        };
        let orders = plan_orders(
            &mut rng,
            archetype,
            taste,
            created_at.max(history_start),
            end,
        );
        let company = (rng.chance(0.03)).then(|| *rng.pick(data::COMPANIES));

        // Consent.
        let consent = match rng.unit() {
            u if u < 0.70 => Consent::Subscribed,
            u if u < 0.80 => Consent::Unsubscribed,
            _ => Consent::Unknown,
        };
        let unsubscribed_at = (consent == Consent::Unsubscribed)
            .then(|| created_at + ((end - created_at) as f64 * rng.unit()) as i64);

        let contact = NewContact {
            email: Some(email),
            customer_id: (!orders.is_empty()).then(|| format!("C{:07}", i + 1)),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            phone: rng.chance(0.45).then(|| make_phone(&mut rng, country)),
            company: company.map(str::to_owned),
            city: Some(city.to_owned()),
            region: Some(region.to_owned()),
            country: Some(country.code.to_owned()),
            postal_code: Some(fill_pattern(&mut rng, postal_pattern)),
            birthday: rng
                .chance(0.6)
                .then(|| make_birthday(&mut rng, options.as_of)),
            language: Some(country.language.to_owned()),
            time_zone: Some(tz.to_owned()),
            created_at,
            consent: (consent != Consent::Unknown).then_some(consent),
            consent_changed_at: match consent {
                Consent::Subscribed => Some(created_at),
                Consent::Unsubscribed => unsubscribed_at,
                Consent::Unknown => None,
            },
        };
        let id = load.add_contact(&contact)?;
        summary.contacts += 1;
        if consent != Consent::Unknown {
            load.add_consent_change(id, Consent::Subscribed, created_at)?;
        }
        if let Some(at) = unsubscribed_at {
            load.add_consent_change(id, Consent::Unsubscribed, at)?;
        }

        let mut total_spent = 0;
        let (mut tea_items, mut all_items) = (0, 0);
        let (mut bought_club, mut bought_gift) = (false, false);
        for order in &orders {
            let total: i64 = order
                .items
                .iter()
                .map(|&(product, qty)| PRODUCTS[product].price_cents * qty)
                .sum();
            total_spent += total;
            let order_id = load.add_order(&NewOrder {
                contact: id,
                reference: format!("#{next_order_ref}"),
                ordered_at: order.ordered_at,
                total_cents: total,
                currency: "EUR",
            })?;
            next_order_ref += 1;
            summary.orders += 1;
            for &(product, quantity) in &order.items {
                let item = NewOrderItem {
                    product: product_ids[product],
                    quantity,
                    unit_price_cents: PRODUCTS[product].price_cents,
                };
                load.add_order_item(order_id, &item)?;
                summary.order_items += 1;
                all_items += 1;
                match PRODUCTS[product].category {
                    data::TEA => tea_items += 1,
                    data::SUBSCRIPTION => bought_club = true,
                    data::GIFTS => bought_gift = true,
                    _ => {}
                }
            }
        }

        if total_spent >= 40_000 {
            load.tag_contact(id, tag_vip)?;
        }
        if bought_club {
            load.tag_contact(id, tag_club)?;
        }
        if all_items >= 3 && tea_items * 2 > all_items {
            load.tag_contact(id, tag_tea)?;
        }
        if bought_gift {
            load.tag_contact(id, tag_gift)?;
        }
        if company.is_some() {
            load.tag_contact(id, tag_wholesale)?;
        }
        if !orders.is_empty() {
            let tier = match total_spent {
                t if t < 10_000 => "Bronze",
                t if t < 30_000 => "Silver",
                t if t < 80_000 => "Gold",
                _ => "Platinum",
            };
            load.set_custom_value(id, field_tier, &CustomValue::Text(tier.to_owned()))?;
        }
        if taste != Taste::Tea && rng.chance(0.4) {
            let roast = *rng.pick(data::ROASTS);
            load.set_custom_value(id, field_roast, &CustomValue::Text(roast.to_owned()))?;
        }
        if rng.chance(0.25) {
            load.set_custom_value(id, field_sms, &CustomValue::Bool(rng.chance(0.6)))?;
        }

        // Newsletter engagement: sends while subscribed, some opens, fewer clicks.
        if consent != Consent::Unknown {
            let engagement = rng.unit().powi(2) * 0.8;
            for &(campaign, sent_at, ab) in &campaigns {
                let subscribed_then =
                    created_at < sent_at && unsubscribed_at.is_none_or(|at| at > sent_at);
                if !subscribed_then {
                    continue;
                }
                let variant = ab.then(|| if rng.chance(0.5) { "A" } else { "B" });
                // Variant B's subject line opens a little better.
                let open_p = engagement * if variant == Some("B") { 1.15 } else { 1.0 };
                let mut event = NewEvent {
                    contact: id,
                    kind: "email_sent",
                    occurred_at: sent_at,
                    campaign: Some(campaign),
                    variant,
                    value: None,
                };
                load.add_event(&event)?;
                summary.events += 1;
                if rng.chance(open_p) {
                    event.kind = "email_open";
                    event.occurred_at = sent_at + 60 + rng.exponential(6.0 * 3600.0) as i64;
                    load.add_event(&event)?;
                    summary.events += 1;
                    if rng.chance(0.22) {
                        event.kind = "email_click";
                        event.occurred_at += 20 + rng.below(300) as i64;
                        load.add_event(&event)?;
                        summary.events += 1;
                    }
                }
            }
        }
    }

    if cancel.is_cancelled() {
        return Err(DemoError::Cancelled);
    }
    let summary_json = serde_json::json!({
        "contacts": summary.contacts,
        "orders": summary.orders,
        "order_items": summary.order_items,
        "events": summary.events,
        "seed": options.seed,
        "as_of": options.as_of.to_string(),
    })
    .to_string();
    let mut finish_progress =
        |fraction: f32, message: &str| progress.report(0.8 + 0.2 * fraction, message);
    let path = load.finish(end, &summary_json, &mut finish_progress)?;
    Ok((path, summary))
}

fn plan_orders(
    rng: &mut Rng,
    archetype: Archetype,
    taste: Taste,
    active_from: i64,
    end: i64,
) -> Vec<PlannedOrder> {
    let (max_orders, mean_gap_days, stop_at) = match archetype {
        Archetype::NeverBought => return Vec::new(),
        Archetype::OneTime => (1, 0.0, end),
        Archetype::Returning => (rng.range(2, 6), 80.0, end),
        Archetype::Loyal => (30, 35.0, end),
        Archetype::Lapsed => (rng.range(2, 8), 50.0, end - rng.range(200, 500) * DAY),
    };
    let mut orders = Vec::new();
    let mut at = active_from + (rng.exponential(12.0) * DAY as f64) as i64;
    let subscriber = archetype == Archetype::Loyal && rng.chance(0.3);
    while at <= stop_at && (orders.len() as i64) < max_orders {
        orders.push(PlannedOrder {
            ordered_at: at,
            items: plan_items(rng, taste, at, subscriber),
        });
        let gap = mean_gap_days * (0.5 + rng.unit());
        at += ((gap.max(1.0)) * DAY as f64) as i64 + rng.below(DAY as u64) as i64;
    }
    orders
}

fn plan_items(rng: &mut Rng, taste: Taste, at: i64, subscriber: bool) -> Vec<(usize, i64)> {
    let month = chrono::DateTime::from_timestamp(at, 0).map_or(1, |t| t.month());
    let gift_season = month >= 11;
    let n_items = match rng.unit() {
        u if u < 0.50 => 1,
        u if u < 0.82 => 2,
        u if u < 0.95 => 3,
        _ => 4,
    };
    let mut items: Vec<(usize, i64)> = Vec::with_capacity(n_items);
    if subscriber {
        let sku = if taste == Taste::Tea {
            "SUB-TEA-MON"
        } else {
            "SUB-COF-MON"
        };
        if let Some(index) = PRODUCTS.iter().position(|p| p.sku == sku) {
            items.push((index, 1));
        }
    }
    while items.len() < n_items {
        let category = match rng.unit() {
            u if gift_season && u < 0.25 => data::GIFTS,
            u if u < 0.12 => data::EQUIPMENT,
            u if u < 0.16 => data::GIFTS,
            _ => match taste {
                Taste::Coffee => data::COFFEE,
                Taste::Tea => data::TEA,
                Taste::Both if rng.chance(0.5) => data::COFFEE,
                Taste::Both => data::TEA,
            },
        };
        let candidates: Vec<usize> = PRODUCTS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.category == category)
            .map(|(i, _)| i)
            .collect();
        let product = *rng.pick(&candidates);
        if items.iter().all(|&(p, _)| p != product) {
            let quantity = if rng.chance(0.15) { 2 } else { 1 };
            items.push((product, quantity));
        }
    }
    items
}

/// ASCII form of a name for an email address: lower case, no spaces or
/// apostrophes, diacritics folded as people type them.
fn email_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars().flat_map(char::to_lowercase) {
        match ch {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'å' | 'á' | 'à' | 'â' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'î' | 'ï' => out.push('i'),
            'ó' | 'ô' => out.push('o'),
            'ú' | 'û' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

fn make_email(rng: &mut Rng, first: &str, last: &str, counts: &mut HashMap<String, u32>) -> String {
    let (f, l) = (email_part(first), email_part(last));
    let initial = f.chars().next().map(String::from).unwrap_or_default();
    let local = match rng.below(6) {
        0 | 1 => format!("{f}.{l}"),
        2 => format!("{f}{l}"),
        3 => format!("{initial}.{l}"),
        4 => format!("{f}_{l}"),
        _ => format!("{l}.{f}"),
    };
    let domain = *rng.pick(data::EMAIL_DOMAINS);
    let base = format!("{local}@{domain}");
    let n = counts.entry(base).or_insert(0);
    *n += 1;
    let mut email = if *n == 1 {
        format!("{local}@{domain}")
    } else {
        format!("{local}{n}@{domain}")
    };
    // A few people type their address with capitals; identity ignores case.
    if rng.chance(0.02) {
        email = email
            .char_indices()
            .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
            .collect();
    }
    email
}

fn fill_pattern(rng: &mut Rng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.below(10) as u8),
            'A' => char::from(b'A' + rng.below(26) as u8),
            other => other,
        })
        .collect()
}

fn make_phone(rng: &mut Rng, country: &Country) -> String {
    format!(
        "{}{}",
        country.phone_prefix,
        fill_pattern(rng, "### ### ####")
    )
}

fn make_birthday(rng: &mut Rng, as_of: NaiveDate) -> String {
    let year = as_of.year() - rng.range(18, 75) as i32;
    let day_of_year = rng.range(1, 365) as u32;
    NaiveDate::from_yo_opt(year, day_of_year)
        .map(|d| d.to_string())
        .unwrap_or_else(|| format!("{year}-01-01"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_parts_fold_diacritics() {
        assert_eq!(email_part("Müller"), "mueller");
        assert_eq!(email_part("de Jong"), "dejong");
        assert_eq!(email_part("Lefèvre"), "lefevre");
        assert_eq!(email_part("Côté"), "cote");
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        for _ in 0..1000 {
            let x = a.range(3, 9);
            assert_eq!(x, b.range(3, 9));
            assert!((3..=9).contains(&x));
        }
    }
}
