//! Checks shared by every operation that takes names and numbers from a caller.

use super::error::{Error, Result};

/// Rejects an empty or all-blank name, and one with a NUL character, which C callers
/// could not read back.
pub fn check_name(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!(
            "invalid {field} '{value}': must not be empty"
        )));
    }
    if value.contains('\0') {
        return Err(Error::invalid(format!(
            "invalid {field} '{}': contains a NUL character",
            value.escape_debug()
        )));
    }
    Ok(())
}

/// Like [`check_name`] for a value that may be absent.
pub fn check_optional_name(field: &str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| check_name(field, v))
}

/// Accepts a finite, non-negative number and returns it with `-0.0` turned into `0.0`, so
/// results never print a negative zero.
pub fn check_metric(field: &str, value: f64) -> Result<f64> {
    if !value.is_finite() || value < 0.0 {
        return Err(Error::invalid(format!(
            "invalid {field} {value}: must be a finite number >= 0"
        )));
    }
    Ok(value + 0.0)
}

/// Accepts a TCP/UDP port number.
pub fn check_port(value: i64) -> Result<i64> {
    if !(0..=65535).contains(&value) {
        return Err(Error::invalid(format!(
            "invalid port {value}: must be between 0 and 65535"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_rejects_nan_infinity_and_negatives() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, -1e-300] {
            assert!(check_metric("busy_kwh", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metric_turns_negative_zero_positive() {
        let value = check_metric("busy_kwh", -0.0).unwrap();
        assert!(value.is_sign_positive());
    }

    #[test]
    fn name_rejects_blank_and_nul() {
        assert!(check_name("machine_name", "").is_err());
        assert!(check_name("machine_name", "  ").is_err());
        assert!(check_name("machine_name", "a\0b").is_err());
        assert!(check_name("machine_name", "Zürich-λ-电").is_ok());
    }
}
