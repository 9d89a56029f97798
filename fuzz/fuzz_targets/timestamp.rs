//! The timestamp parser: any text either fails as an invalid argument naming the field,
//! or yields the stored form, which the schema's CHECK accepts and which normalises to
//! itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use usage_db::core::time::{normalize_timestamp, normalize_window};
use usage_db::UsageDbStatus;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    match normalize_timestamp("ts_iso_utc", text) {
        Ok(stored) => {
            assert!(is_stored_form(&stored), "{text:?} normalised to {stored:?}");
            let again = normalize_timestamp("ts_iso_utc", &stored);
            assert_eq!(
                again.as_deref(),
                Ok(stored.as_str()),
                "{text:?} is not stable"
            );

            let window = normalize_window(text, text).expect("an empty window is valid");
            assert_eq!(window, (stored.clone(), stored));
        }
        Err(err) => {
            assert_eq!(
                err.status,
                UsageDbStatus::InvalidArgument,
                "{}",
                err.message
            );
            assert!(err.message.contains("ts_iso_utc"), "{}", err.message);
        }
    }
});

/// `YYYY-MM-DDTHH:MM:SSZ`, the shape the fact table's CHECK constraint requires.
fn is_stored_form(ts: &str) -> bool {
    let bytes = ts.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";

    bytes.len() == shape.len()
        && bytes
            .iter()
            .zip(shape)
            .all(|(&byte, &expected)| match expected {
                b'd' => byte.is_ascii_digit(),
                other => byte == other,
            })
}
