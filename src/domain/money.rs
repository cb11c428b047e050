//! Money is kept in integer hundredths ("cents") so that sums are exact; this
//! module formats and parses it.

/// Formats `cents` as a decimal amount with two places, e.g. `1234` → `12.34`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100)
}

/// Formats `cents` with a currency code, e.g. `EUR 12.34`.
pub fn format_money(cents: i64, currency: &str) -> String {
    format!("{currency} {}", format_cents(cents))
}

/// Writes `n` with a comma between groups of three digits.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `n` rows, grouped in thousands: "1 row", "1,200 rows".
pub fn rows(n: u64) -> String {
    match n {
        1 => "1 row".to_owned(),
        n => format!("{} rows", group_thousands(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_cents() {
        let check = |cents, expected: &str| assert_eq!(format_cents(cents), expected);
        check(0, "0.00");
        check(5, "0.05");
        check(1234, "12.34");
        check(-1234, "-12.34");
        check(123_456_789, "1,234,567.89");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000_000), "1,000,000");
        assert_eq!(rows(1), "1 row");
        assert_eq!(rows(0), "0 rows");
        assert_eq!(rows(1_200), "1,200 rows");
    }
}
