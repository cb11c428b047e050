//! Parsing and cleaning of single cell values as real exports write them:
//! emails, consent words, dates in ISO, US and European forms, numbers with
//! decimal commas, country names, and the damage spreadsheets do.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use chrono_tz::Tz;

use crate::domain::Consent;

/// Cleans a raw cell: trims spaces (including no-break spaces) and strips
/// the leading apostrophe spreadsheets add to keep digits as text
/// (Shopify's `'92591`).
pub fn clean_cell(raw: &str) -> &str {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{feff}');
    match trimmed.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit() || c == '+') => rest,
        _ => trimmed,
    }
}

/// Whether a value is a number a spreadsheet rewrote in scientific notation
/// (`7.02255E+12`): the digits it stood for are lost.
pub fn is_scientific_notation(value: &str) -> bool {
    let upper = value.to_ascii_uppercase();
    let Some((mantissa, exponent)) = upper.split_once('E') else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

pub use crate::domain::contact::email_key;

/// Whether `email` looks like a deliverable address: one `@`, a non-empty
/// local part, a dotted domain with a top-level part of two or more
/// letters, and no spaces or control characters.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') || email.len() > 254 {
        return false;
    }
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"'))
    {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let mut labels = 0;
    let mut last = "";
    for label in domain.split('.') {
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.chars().count() >= 2 && last.chars().all(char::is_alphabetic)
}

/// `value` trimmed and lower-cased, with `-` and `_` read as spaces, for
/// matching against a list of words. Short ASCII values (nearly every
/// cell) are folded into `buf` without allocating.
fn fold_word<'b>(value: &str, buf: &'b mut [u8; 24]) -> Cow<'b, str> {
    let value = value.trim();
    if value.len() > buf.len() || !value.is_ascii() {
        return Cow::Owned(value.to_lowercase().replace(['-', '_'], " "));
    }
    let folded = &mut buf[..value.len()];
    for (out, b) in folded.iter_mut().zip(value.bytes()) {
        *out = match b {
            b'-' | b'_' => b' ',
            b => b.to_ascii_lowercase(),
        };
    }
    // ASCII in, ASCII out.
    Cow::Borrowed(std::str::from_utf8(folded).unwrap_or_default())
}

/// Reads a consent cell: yes/no, true/false, 1/0, subscribed, unsubscribed,
/// cleaned, opted in/out and a few more. Blank is `None` ("no information").
pub fn parse_consent(value: &str) -> Result<Option<Consent>, String> {
    let mut buf = [0; 24];
    Ok(Some(match &*fold_word(value, &mut buf) {
        "" => return Ok(None),
        "yes" | "y" | "true" | "1" | "subscribed" | "subscribe" | "opted in" | "opt in"
        | "optin" | "granted" | "ja" | "oui" | "si" | "sí" | "x" | "confirmed" => {
            Consent::Subscribed
        }
        "no" | "n" | "false" | "0" | "unsubscribed" | "unsubscribe" | "opted out" | "opt out"
        | "optout" | "cleaned" | "bounced" | "revoked" | "denied" | "nein" | "non"
        | "complained" => Consent::Unsubscribed,
        "unknown" | "pending" | "not subscribed" | "never subscribed" | "transactional" | "n/a" => {
            Consent::Unknown
        }
        _ => {
            return Err(format!(
                "{value:?} is not a consent value (use yes/no, subscribed/unsubscribed)"
            ));
        }
    }))
}

/// Reads a boolean cell (`true`/`false`, `yes`/`no`, `1`/`0`).
pub fn parse_bool(value: &str) -> Option<bool> {
    let mut buf = [0; 24];
    match &*fold_word(value, &mut buf) {
        "true" | "yes" | "y" | "1" | "ja" | "oui" | "wahr" => Some(true),
        "false" | "no" | "n" | "0" | "nein" | "non" | "falsch" => Some(false),
        _ => None,
    }
}

/// Whether a boolean-looking value is a word (not just 0/1, which is more
/// often a number).
pub fn is_bool_word(value: &str) -> bool {
    parse_bool(value).is_some() && !matches!(value.trim(), "0" | "1")
}

/// Normalises a number as written to plain `-1234.5` form, accepting
/// `1,234.50`, `1.234,50`, `261,96`, currency symbols, a trailing `%` and
/// spaces as thousands separators. `decimal_comma` says how to read a lone
/// comma (`1,234` vs `1,5`).
fn normalize_number(value: &str, decimal_comma: bool) -> Option<String> {
    let mut text: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '$' | '€' | '£' | '¥' | '%'))
        .collect();
    if text.is_empty() {
        return None;
    }
    let (has_dot, has_comma) = (text.contains('.'), text.contains(','));
    if has_dot && has_comma {
        // The separator that comes last is the decimal one.
        if text.rfind(',') > text.rfind('.') {
            text = text.replace('.', "").replace(',', ".");
        } else {
            text = text.replace(',', "");
        }
    } else if has_comma {
        text = if decimal_comma {
            text.replace(',', ".")
        } else {
            text.replace(',', "")
        };
    }
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(|_| text)
}

/// Reads a number (see [`normalize_number`] for the forms accepted).
pub fn parse_number(value: &str, decimal_comma: bool) -> Option<f64> {
    normalize_number(value, decimal_comma)?.parse().ok()
}

/// Reads a money amount into exact hundredths, rounding half away from
/// zero on the decimal digits as written (no binary floating point).
pub fn parse_cents(value: &str, decimal_comma: bool) -> Option<i64> {
    let text = normalize_number(value, decimal_comma)?;
    if text.contains(['e', 'E']) {
        return parse_number(value, decimal_comma).map(|n| (n * 100.0).round() as i64);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut fraction_digits = fraction.chars().map(|c| c.to_digit(10).map(i64::from));
    let tenths = fraction_digits.next().flatten().unwrap_or(0);
    let hundredths = fraction_digits.next().flatten().unwrap_or(0);
    let round_up = fraction_digits.next().flatten().unwrap_or(0) >= 5;
    let cents = whole.checked_mul(100)? + tenths * 10 + hundredths + i64::from(round_up);
    Some(if negative { -cents } else { cents })
}

/// Which way an ambiguous date such as `03/04/2024` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// A date or timestamp as read from a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedDate {
    pub date: NaiveDate,
    /// The time of day, if the cell had one.
    pub time: Option<chrono::NaiveTime>,
    /// Offset from UTC in seconds, if the cell said (`Z`, `+0000`, `-04:00`).
    pub offset_seconds: Option<i32>,
}

impl ParsedDate {
    /// The instant, reading a time without offset in `tz` (a time-less date
    /// is midnight there).
    pub fn instant(&self, tz: Tz) -> i64 {
        let local = NaiveDateTime::new(self.date, self.time.unwrap_or_default());
        match self.offset_seconds {
            Some(offset) => local.and_utc().timestamp() - i64::from(offset),
            None => tz
                .from_local_datetime(&local)
                .earliest()
                .map_or_else(|| local.and_utc().timestamp(), |t| t.timestamp()),
        }
    }
}

/// The numeric parts of a slash/dash/dot date, with a flag for whether the
/// year came first.
fn date_parts(text: &str) -> Option<(u32, u32, i32, bool)> {
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let nums: Vec<i64> = parts.iter().map(|p| p.parse().unwrap_or(-1)).collect();
    if parts[0].len() == 4 {
        return Some((nums[1] as u32, nums[2] as u32, nums[0] as i32, true));
    }
    let year = match parts[2].len() {
        4 => nums[2] as i32,
        // Two-digit years: 00–69 are 2000s, 70–99 are 1900s (as Excel does).
        2 if nums[2] < 70 => 2000 + nums[2] as i32,
        2 => 1900 + nums[2] as i32,
        _ => return None,
    };
    Some((nums[0] as u32, nums[1] as u32, year, false))
}

/// What an unresolved `a/b/yyyy` date says about the column's order: day
/// first (`a > 12`), month first (`b > 12`) or either.
pub fn date_order_hint(value: &str) -> Option<DateOrder> {
    let first = value.split([' ', 'T']).next()?;
    let (a, b, _, year_first) = date_parts(first)?;
    if year_first {
        return None;
    }
    match (a > 12, b > 12) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// Whether a value is a date whose day and month could be swapped.
pub fn is_ambiguous_date(value: &str) -> bool {
    let Some(first) = value.split([' ', 'T']).next() else {
        return false;
    };
    match date_parts(first) {
        Some((a, b, _, false)) => a <= 12 && b <= 12 && a != b,
        _ => false,
    }
}

fn parse_time(text: &str) -> Option<(chrono::NaiveTime, Option<i32>)> {
    let mut text = text.trim();
    let mut offset = None;
    if let Some(rest) = text.strip_suffix('Z') {
        text = rest;
        offset = Some(0);
    } else if let Some(pos) = text.rfind(['+', '-']).filter(|&p| p > 0) {
        let zone: String = text[pos + 1..].chars().filter(|c| *c != ':').collect();
        if zone.len() == 4 && zone.chars().all(|c| c.is_ascii_digit()) {
            let hours: i32 = zone[..2].parse().ok()?;
            let minutes: i32 = zone[2..].parse().ok()?;
            let sign = if text[pos..].starts_with('-') { -1 } else { 1 };
            offset = Some(sign * (hours * 3600 + minutes * 60));
            text = text[..pos].trim();
        }
    }
    let upper = text.to_ascii_uppercase();
    let (clock, pm) = if let Some(rest) = upper.strip_suffix("PM") {
        (rest.trim().to_owned(), Some(true))
    } else if let Some(rest) = upper.strip_suffix("AM") {
        (rest.trim().to_owned(), Some(false))
    } else {
        (upper, None)
    };
    let clock = clock.split('.').next().unwrap_or_default();
    let parts: Vec<u32> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (mut hour, minute, second) = match parts.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    Some((
        chrono::NaiveTime::from_hms_opt(hour, minute, second)?,
        offset,
    ))
}

/// Reads a date or timestamp: ISO (`2024-03-01`, `2024-03-01T09:30:00Z`,
/// `2025-05-11 09:55:16 -0400`), or `d/m/y` and `m/d/y` with `/`, `-` or `.`,
/// two- or four-digit years and an optional `9:30`, `09:30:15` or `2:18 AM`.
/// `order` decides dates that read both ways; without it they are errors.
pub fn parse_date(value: &str, order: Option<DateOrder>) -> Result<ParsedDate, String> {
    let text = value.trim();
    let (date_text, time_text) = match text.find(['T', ' ']) {
        Some(pos) => (&text[..pos], Some(&text[pos + 1..])),
        None => (text, None),
    };
    let (a, b, year, year_first) =
        date_parts(date_text).ok_or_else(|| format!("{value:?} is not a date"))?;
    let (month, day) = if year_first {
        (a, b)
    } else {
        match (a > 12, b > 12, order) {
            (true, true, _) => return Err(format!("{value:?} is not a date")),
            (true, false, _) => (b, a),
            (false, true, _) => (a, b),
            (false, false, Some(DateOrder::DayFirst)) => (b, a),
            (false, false, Some(DateOrder::MonthFirst)) => (a, b),
            (false, false, None) if a == b => (a, b),
            (false, false, None) => {
                return Err(format!("{value:?} reads as day-first or month-first"));
            }
        }
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("{value:?} is not a real date"))?;
    let (time, offset_seconds) = match time_text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let (time, offset) =
                parse_time(t).ok_or_else(|| format!("{value:?} has no valid time"))?;
            (Some(time), offset)
        }
        None => (None, None),
    };
    Ok(ParsedDate {
        date,
        time,
        offset_seconds,
    })
}

/// Splits a full name into first and last name at the first space
/// ("Claire Gute" → "Claire", "Gute"; "Ludwig van Beethoven" → "Ludwig",
/// "van Beethoven").
pub fn split_name(full: &str) -> (Option<String>, Option<String>) {
    let full = full.trim();
    match full.split_once(char::is_whitespace) {
        Some((first, last)) => (
            Some(first.to_owned()),
            Some(last.trim().to_owned()).filter(|l| !l.is_empty()),
        ),
        None if full.is_empty() => (None, None),
        None => (Some(full.to_owned()), None),
    }
}

/// ISO 3166-1 alpha-2 codes and the names people write for them (English,
/// and the country's own name where it differs). Lower-case, no dots.
const COUNTRIES: &[(&str, &[&str])] = &[
    ("AR", &["argentina"]),
    ("AT", &["austria", "österreich", "osterreich"]),
    ("AU", &["australia"]),
    ("BE", &["belgium", "belgië", "belgique", "belgien"]),
    ("BG", &["bulgaria"]),
    ("BR", &["brazil", "brasil"]),
    ("CA", &["canada"]),
    ("CH", &["switzerland", "schweiz", "suisse", "svizzera"]),
    ("CL", &["chile"]),
    ("CN", &["china", "people's republic of china"]),
    ("CO", &["colombia"]),
    ("CZ", &["czech republic", "czechia", "česko"]),
    ("DE", &["germany", "deutschland"]),
    ("DK", &["denmark", "danmark"]),
    ("EE", &["estonia"]),
    ("EG", &["egypt"]),
    ("ES", &["spain", "españa", "espana"]),
    ("FI", &["finland", "suomi"]),
    ("FR", &["france"]),
    (
        "GB",
        &[
            "united kingdom",
            "uk",
            "great britain",
            "britain",
            "england",
            "scotland",
            "wales",
            "northern ireland",
        ],
    ),
    ("GH", &["ghana"]),
    ("GR", &["greece", "hellas"]),
    ("HK", &["hong kong"]),
    ("HR", &["croatia", "hrvatska"]),
    ("HU", &["hungary", "magyarország"]),
    ("ID", &["indonesia"]),
    ("IE", &["ireland", "éire"]),
    ("IL", &["israel"]),
    ("IN", &["india"]),
    ("IS", &["iceland", "ísland"]),
    ("IT", &["italy", "italia"]),
    ("JP", &["japan", "nippon"]),
    ("KE", &["kenya"]),
    ("KR", &["south korea", "korea", "republic of korea"]),
    ("LT", &["lithuania"]),
    ("LU", &["luxembourg"]),
    ("LV", &["latvia"]),
    ("MA", &["morocco"]),
    ("MX", &["mexico", "méxico"]),
    ("MY", &["malaysia"]),
    ("NG", &["nigeria"]),
    (
        "NL",
        &["netherlands", "the netherlands", "nederland", "holland"],
    ),
    ("NO", &["norway", "norge"]),
    ("NZ", &["new zealand"]),
    ("PE", &["peru", "perú"]),
    ("PH", &["philippines"]),
    ("PK", &["pakistan"]),
    ("PL", &["poland", "polska"]),
    ("PT", &["portugal"]),
    ("RO", &["romania", "românia"]),
    ("RS", &["serbia"]),
    ("RU", &["russia", "russian federation"]),
    ("SA", &["saudi arabia"]),
    ("SE", &["sweden", "sverige"]),
    ("SG", &["singapore"]),
    ("SI", &["slovenia"]),
    ("SK", &["slovakia"]),
    ("TH", &["thailand"]),
    ("TR", &["turkey", "türkiye", "turkiye"]),
    ("TW", &["taiwan"]),
    ("UA", &["ukraine"]),
    ("AE", &["united arab emirates", "uae"]),
    (
        "US",
        &[
            "united states",
            "united states of america",
            "usa",
            "us",
            "america",
        ],
    ),
    ("VN", &["vietnam", "viet nam"]),
    ("ZA", &["south africa"]),
];

/// The ISO 3166-1 alpha-2 code of a country name or code, if recognised.
pub fn country_code(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.len() == 2 {
        // Most files write codes already.
        let code = COUNTRIES
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(value));
        if let Some((code, _)) = code {
            return Some(code);
        }
    }
    let folded: String = value
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| *c != '.')
        .collect();
    if folded.is_empty() {
        return None;
    }
    COUNTRIES.iter().find_map(|(code, names)| {
        (folded.eq_ignore_ascii_case(code) || names.contains(&folded.as_str())).then_some(*code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_cells() {
        assert_eq!(clean_cell("  'Lorem \u{a0}"), "'Lorem");
        assert_eq!(clean_cell("'92591"), "92591");
        assert_eq!(clean_cell("'+49 30 1234"), "+49 30 1234");
        assert_eq!(clean_cell(" 06652 "), "06652");
    }

    #[test]
    fn detects_scientific_notation() {
        for damaged in ["7.02255E+12", "9.19961E+11", "1E+05", "3,5E+10"] {
            assert!(is_scientific_notation(damaged), "{damaged}");
        }
        for fine in ["92591", "E12", "Eve", "12E", "+49 30"] {
            assert!(!is_scientific_notation(fine), "{fine}");
        }
    }

    #[test]
    fn validates_emails() {
        for good in [
            "a@example.com",
            "Russel.winfield@example.com",
            "x+y@sub.example.co.uk",
            "jörg@exämple.de",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "a@b.c",
            "a b@example.com",
            "@example.com",
            "a@@example.com",
            "a@example..com",
            "a.@example.com",
            "a@-x.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn parses_consent_words() {
        let check =
            |v: &str, expected: Option<Consent>| assert_eq!(parse_consent(v), Ok(expected), "{v}");
        check("yes", Some(Consent::Subscribed));
        check("TRUE", Some(Consent::Subscribed));
        check("1", Some(Consent::Subscribed));
        check("Subscribed", Some(Consent::Subscribed));
        check("no", Some(Consent::Unsubscribed));
        check("0", Some(Consent::Unsubscribed));
        check("cleaned", Some(Consent::Unsubscribed));
        check("unsubscribed", Some(Consent::Unsubscribed));
        check("", None);
        // Folded without allocating when short and ASCII, with it otherwise.
        check("  Opted-In ", Some(Consent::Subscribed));
        check("OPT_OUT", Some(Consent::Unsubscribed));
        check("Sí", Some(Consent::Subscribed));
        check("never subscribed", Some(Consent::Unknown));
        assert!(parse_consent("maybe").is_err());
        assert!(parse_consent("not a consent word at all, far too long").is_err());
        assert_eq!(parse_bool(" WAHR "), Some(true));
    }

    #[test]
    fn parses_numbers_in_both_conventions() {
        let check = |v: &str, comma: bool, expected: Option<f64>| {
            assert_eq!(parse_number(v, comma), expected, "{v}")
        };
        check("1234.5", false, Some(1234.5));
        check("1,234.50", false, Some(1234.5));
        check("1.234,50", true, Some(1234.5));
        check("261,96", true, Some(261.96));
        check("€ 12,00", true, Some(12.0));
        check("-1199", false, Some(-1199.0));
        check("abc", false, None);
        assert_eq!(parse_cents("27600.00", false), Some(2_760_000));
        assert_eq!(parse_cents("0.285", false), Some(29));
        assert_eq!(parse_cents("-0.285", false), Some(-29));
        assert_eq!(parse_cents("261,96", true), Some(26196));
        assert_eq!(parse_cents("12", false), Some(1200));
    }

    #[test]
    fn parses_dates_in_real_shapes() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
        let check = |v: &str, order, expected: NaiveDate| {
            assert_eq!(parse_date(v, order).map(|p| p.date), Ok(expected), "{v}");
        };
        check("2024-08-18", None, ymd(2024, 8, 18));
        check("2025-05-11 09:55:16 -0400", None, ymd(2025, 5, 11));
        check("2024-04-08T10:11:12.000+0000", None, ymd(2024, 4, 8));
        check("24/08/2020", None, ymd(2020, 8, 24));
        check("02/24/26", None, ymd(2026, 2, 24));
        check("02/24/26 02:18 AM", None, ymd(2026, 2, 24));
        check(
            "12/1/2010 8:26",
            Some(DateOrder::MonthFirst),
            ymd(2010, 12, 1),
        );
        check("6-14-2016", None, ymd(2016, 6, 14));
        check("08/11/2020", Some(DateOrder::DayFirst), ymd(2020, 11, 8));
        check("01.02.2021", Some(DateOrder::DayFirst), ymd(2021, 2, 1));
        assert!(parse_date("03/04/2021", None).is_err());
        assert!(parse_date("31/02/2021", None).is_err());
        assert!(parse_date("soon", None).is_err());

        let with_offset = parse_date("2025-05-11 09:55:16 -0400", None).expect("parses");
        assert_eq!(with_offset.instant(Tz::UTC), 1_746_971_716);
        let pm = parse_date("02/24/26 02:18 PM", None).expect("parses");
        assert_eq!(pm.time, chrono::NaiveTime::from_hms_opt(14, 18, 0));
        assert_eq!(date_order_hint("24/08/2020"), Some(DateOrder::DayFirst));
        assert_eq!(date_order_hint("02/24/26"), Some(DateOrder::MonthFirst));
        assert_eq!(date_order_hint("02/03/26"), None);
    }

    #[test]
    fn splits_names_and_normalises_countries() {
        assert_eq!(
            split_name("Claire Gute"),
            (Some("Claire".into()), Some("Gute".into()))
        );
        assert_eq!(
            split_name("Ludwig van Beethoven"),
            (Some("Ludwig".into()), Some("van Beethoven".into()))
        );
        assert_eq!(split_name("Cher"), (Some("Cher".into()), None));
        assert_eq!(country_code("United States"), Some("US"));
        assert_eq!(country_code("U.S.A."), Some("US"));
        assert_eq!(country_code("Deutschland"), Some("DE"));
        assert_eq!(country_code("gb"), Some("GB"));
        assert_eq!(country_code(" de "), Some("DE"));
        assert_eq!(country_code("UK"), Some("GB"));
        assert_eq!(country_code("Atlantis"), None);
    }
}
