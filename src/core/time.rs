//! Timestamp normalisation: every accepted spelling of an instant becomes one fixed-width
//! UTC text, `YYYY-MM-DDTHH:MM:SSZ`, so that text order is time order and one hour has
//! one key.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::error::{Error, Result};

/// Length of the stored form, `2025-10-01T00:00:00Z`.
pub const CANONICAL_LEN: usize = 20;

const EXPECTED: &str =
    "expected an ISO 8601 UTC timestamp such as 2025-10-01T00:00:00Z or 2025-10-01T02:00:00+02:00";

/// Normalises `value` to `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Accepts a `T` or a space between date and time, a zone of `Z` or `±HH:MM` (none means
/// UTC), and a fractional second only when it is zero. `field` names the parameter in the
/// error, which repeats the value.
pub fn normalize_timestamp(field: &str, value: &str) -> Result<String> {
    normalize_timestamp_borrowed(field, value).map(Cow::into_owned)
}

/// Like [`normalize_timestamp`], but borrows `value` when it is already in the stored
/// form, which saves an allocation per row of a bulk ingest.
pub fn normalize_timestamp_borrowed<'a>(field: &str, value: &'a str) -> Result<Cow<'a, str>> {
    if let Some(canonical) = canonical_fast_path(value) {
        return Ok(Cow::Borrowed(canonical));
    }

    let instant = parse_instant(value).ok_or_else(|| invalid(field, value, EXPECTED))?;

    // chrono represents a leap second as 59 s plus a second's worth of nanoseconds.
    if instant.timestamp_subsec_nanos() >= 1_000_000_000 {
        return Err(invalid(
            field,
            value,
            "leap seconds (:60) are not supported because stored timestamps are UTC without them; use :59 or the next minute",
        ));
    }
    if instant.timestamp_subsec_nanos() != 0 {
        return Err(invalid(
            field,
            value,
            "fractional seconds must be zero because facts are keyed by whole seconds",
        ));
    }

    let year = chrono::Datelike::year(&instant);
    if !(1..=9999).contains(&year) {
        return Err(invalid(
            field,
            value,
            "the year in UTC must be between 0001 and 9999",
        ));
    }

    Ok(Cow::Owned(instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

/// Normalises a half-open window `[from, to)`; `from` after `to` is an error.
pub fn normalize_window(from: &str, to: &str) -> Result<(String, String)> {
    let from_utc = normalize_timestamp("from", from)?;
    let to_utc = normalize_timestamp("to", to)?;

    if from_utc > to_utc {
        return Err(Error::invalid(format!(
            "window start from '{from}' is later than its end to '{to}'"
        )));
    }
    Ok((from_utc, to_utc))
}

/// Accepts input already in the stored form without a full parse, which matters for bulk
/// ingest. Returns `None` for anything else, which then takes the general path.
fn canonical_fast_path(value: &str) -> Option<&str> {
    let b = value.as_bytes();
    if b.len() != CANONICAL_LEN || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }

    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = &b[range];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let year = number(0..4)?;
    let (month, day) = (number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);

    let date_ok = year >= 1 && NaiveDate::from_ymd_opt(year as i32, month, day).is_some();
    (date_ok && hour < 24 && minute < 60 && second < 60).then_some(value)
}

fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(zoned) = DateTime::parse_from_rfc3339(value) {
        return Some(zoned.with_timezone(&Utc));
    }

    // No zone given: the parameter is UTC by contract.
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

fn invalid(field: &str, value: &str, why: &str) -> Error {
    Error::invalid(format!("invalid {field} '{value}': {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_instant_share_a_key() {
        for input in [
            "2025-03-01T05:00:00Z",
            "2025-03-01 05:00:00Z",
            "2025-03-01T06:00:00+01:00",
            "2025-03-01T05:00:00.000Z",
            "2025-03-01T05:00:00",
            "2025-03-01T00:00:00-05:00",
        ] {
            assert_eq!(
                normalize_timestamp("ts", input).unwrap(),
                "2025-03-01T05:00:00Z",
                "{input}"
            );
        }
    }

    #[test]
    fn invalid_timestamps_are_rejected() {
        for input in [
            "2025-03-01T05:00:00.500Z",
            "2025-13-01T00:00:00Z",
            "2025-02-30T00:00:00Z",
            "yesterday",
            "",
            "2025-03-01",
            "2025-03-01T24:00:00Z",
            "2025-03-01T23:59:60Z",
            "0000-01-01T00:00:00Z",
        ] {
            let err = normalize_timestamp("ts_iso_utc", input).unwrap_err();
            assert_eq!(err.status, crate::UsageDbStatus::InvalidArgument, "{input}");
            assert!(err.message.contains("ts_iso_utc"), "{}", err.message);
            assert!(
                err.message.contains(&format!("'{input}'")),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn offset_crossing_midnight_moves_the_date() {
        assert_eq!(
            normalize_timestamp("ts", "2025-01-01T00:30:00+01:00").unwrap(),
            "2024-12-31T23:30:00Z"
        );
    }

    #[test]
    fn window_end_before_start_is_rejected() {
        assert!(normalize_window("2025-01-02T00:00:00Z", "2025-01-01T00:00:00Z").is_err());
        assert!(normalize_window("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z").is_ok());
    }
}
