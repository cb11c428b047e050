//! Instants are stored as seconds since the Unix epoch (UTC) and shown in the
//! workspace's time zone. The core never reads the clock: callers pass "now".

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;

/// Parses an IANA time zone name, falling back to UTC for an unknown one.
pub fn parse_time_zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The system's IANA time zone, or `UTC` when it cannot be determined.
pub fn system_time_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|name| name.parse::<Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// The instant as a local date and time, e.g. `2026-03-14 09:30`.
pub fn format_instant(seconds: i64, tz: Tz) -> String {
    match DateTime::<Utc>::from_timestamp(seconds, 0) {
        Some(utc) => tz
            .from_utc_datetime(&utc.naive_utc())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => format!("@{seconds}"),
    }
}

/// The calendar day of the instant in `tz`.
pub fn local_date(seconds: i64, tz: Tz) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map(|utc| tz.from_utc_datetime(&utc.naive_utc()).date_naive())
}

/// The instant as a local date, e.g. `2026-03-14`.
pub fn format_date_of(seconds: i64, tz: Tz) -> String {
    local_date(seconds, tz).map_or_else(|| format!("@{seconds}"), |d| d.to_string())
}

/// Whole calendar days from the instant's local day to `as_of`.
pub fn days_between(seconds: i64, as_of: NaiveDate, tz: Tz) -> Option<i64> {
    local_date(seconds, tz).map(|day| (as_of - day).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_zone() {
        // 2026-01-01T00:30:00Z is still New Year's Eve in New York.
        let instant = 1_767_227_400;
        assert_eq!(format_instant(instant, Tz::UTC), "2026-01-01 00:30");
        assert_eq!(
            format_instant(instant, parse_time_zone("America/New_York")),
            "2025-12-31 19:30"
        );
        let as_of = NaiveDate::from_ymd_opt(2026, 1, 11).expect("valid date");
        assert_eq!(days_between(instant, as_of, Tz::UTC), Some(10));
        assert_eq!(parse_time_zone("Not/AZone"), Tz::UTC);
    }
}
