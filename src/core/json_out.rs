//! Query results as JSON text: an array of objects keyed by column name.

use std::fmt::Write;

use rusqlite::types::ValueRef;
use rusqlite::Statement;

use super::error::{Error, Result};

/// Runs a prepared, bound statement and writes every row as a JSON object.
///
/// INTEGER becomes a JSON integer, REAL a JSON number that always has a fraction or
/// exponent (`2.0`), so bindings read it back as a float; a non-finite REAL becomes
/// `null` because JSON has no such token. TEXT is a string, NULL is `null`, and a BLOB is
/// a lowercase hex string.
pub fn rows_to_json(statement: &mut Statement, context: &str) -> Result<String> {
    let sqlite = |e: rusqlite::Error| Error::from_sqlite(context, &e);
    let keys: Vec<String> = statement
        .column_names()
        .iter()
        .map(|name| json_string(name))
        .collect();

    let mut out = String::from("[");
    let mut rows = statement.raw_query();
    let mut first_row = true;

    while let Some(row) = rows.next().map_err(sqlite)? {
        out.push_str(if first_row { "{" } else { ",{" });
        first_row = false;

        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(key);
            out.push(':');
            write_value(&mut out, row.get_ref(i).map_err(sqlite)?);
        }
        out.push('}');
    }

    out.push(']');
    Ok(out)
}

fn write_value(out: &mut String, value: ValueRef) {
    match value {
        ValueRef::Null => out.push_str("null"),
        ValueRef::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        ValueRef::Real(r) if r.is_finite() => {
            // Rust's Debug form is the shortest text that parses back to the same double,
            // keeps ".0" on whole numbers and writes large ones as `1e300`: all valid JSON.
            let _ = write!(out, "{:?}", r + 0.0);
        }
        ValueRef::Real(_) => out.push_str("null"),
        ValueRef::Text(bytes) => out.push_str(&json_string(&String::from_utf8_lossy(bytes))),
        ValueRef::Blob(bytes) => {
            out.push('"');
            for byte in bytes {
                let _ = write!(out, "{byte:02x}");
            }
            out.push('"');
        }
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "null".to_owned())
}
