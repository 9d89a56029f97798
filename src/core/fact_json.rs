//! Streaming reader for bulk facts given as a JSON array of row objects.
//!
//! Rows are validated and written while the text is parsed, so a batch needs no memory
//! beyond its text and one row. The caller's savepoint makes the batch all-or-nothing.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::{Error, Result};
use super::facts::{FactInput, FactWriter, METRIC_NAMES};
use super::store::Store;

/// Parses `json` (an array of objects whose keys are `insert_fact_usage`'s argument
/// names) and upserts every row, or none. Returns the number of rows written.
pub fn bulk_insert_fact_usage_json(store: &mut Store, json: &str) -> Result<usize> {
    let op = "bulk_insert_fact_usage";

    store
        .write(|conn| {
            let mut writer = FactWriter::new(conn);
            let mut rejected: Option<Error> = None;

            let mut parser = serde_json::Deserializer::from_str(json);
            let parsed = parser
                .deserialize_seq(RowsVisitor {
                    writer: &mut writer,
                    rejected: &mut rejected,
                })
                .and_then(|_| parser.end());

            match (parsed, rejected) {
                (_, Some(err)) => Err(err),
                (Err(err), None) => Err(Error::invalid(format!("invalid JSON rows: {err}"))),
                (Ok(()), None) => Ok(writer.count),
            }
        })
        .map_err(|e| e.in_operation(op))
}

/// Visits the top-level array, handing each row to the writer as soon as it is parsed.
struct RowsVisitor<'w, 'c> {
    writer: &'w mut FactWriter<'c>,
    /// A row that parsed but failed validation or the write; it stops the parse.
    rejected: &'w mut Option<Error>,
}

impl<'de> Visitor<'de> for RowsVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of row objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut rows: A) -> std::result::Result<(), A::Error> {
        loop {
            let index = self.writer.count;
            let Some(row) = rows.next_element_seed(RowSeed { index })? else {
                return Ok(());
            };

            if let Err(err) = self.writer.write(&row) {
                *self.rejected = Some(err);
                return Err(de::Error::custom("row rejected"));
            }
        }
    }
}

/// Parses one row object; type errors name the row index and the field.
struct RowSeed {
    index: usize,
}

impl<'de> DeserializeSeed<'de> for RowSeed {
    type Value = FactInput<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed {
    type Value = FactInput<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "row {} to be an object", self.index)
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut row = FactInput::default();
        let mut seen = [false; 12];
        let index = self.index;
        let field_error =
            |field: &str, err: A::Error| de::Error::custom(format!("row {index}: {field}: {err}"));

        while let Some(JsonStr(key)) = map.next_key()? {
            let Some(slot) = field_slot(&key) else {
                return Err(de::Error::custom(format!(
                    "row {index}: unknown field '{key}'; expected scope, ts_iso_utc, project_id, machine_id, user_id, {}, intensity_gCo2eq_kwh",
                    METRIC_NAMES.join(", ")
                )));
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(de::Error::custom(format!(
                    "row {index}: field '{key}' appears twice"
                )));
            }

            match slot {
                0 => {
                    row.scope = map
                        .next_value::<JsonStr>()
                        .map_err(|e| field_error("scope", e))?
                        .0
                }
                1 => {
                    row.ts_iso_utc = map
                        .next_value::<JsonStr>()
                        .map_err(|e| field_error("ts_iso_utc", e))?
                        .0
                }
                2 => row.project_id = map.next_value().map_err(|e| field_error("project_id", e))?,
                3 => row.machine_id = map.next_value().map_err(|e| field_error("machine_id", e))?,
                4 => {
                    let user: Option<JsonStr> =
                        map.next_value().map_err(|e| field_error("user_id", e))?;
                    row.user_id = user.map(|u| u.0);
                }
                11 => {
                    row.intensity_gco2eq_kwh = map
                        .next_value()
                        .map_err(|e| field_error("intensity_gCo2eq_kwh", e))?
                }
                metric => {
                    let name = METRIC_NAMES[metric - 5];
                    let value: Option<f64> = map.next_value().map_err(|e| field_error(name, e))?;
                    row.metrics[metric - 5] = value.unwrap_or(0.0);
                }
            }
        }

        for (slot, field) in [(0, "scope"), (1, "ts_iso_utc")] {
            if !seen[slot] {
                return Err(de::Error::custom(format!(
                    "row {index}: missing field '{field}'"
                )));
            }
        }
        Ok(row)
    }
}

/// Position of a row key: 0 scope, 1 ts, 2 to 4 the ids, 5 to 10 the metrics, 11 the
/// intensity.
fn field_slot(key: &str) -> Option<usize> {
    match key {
        "scope" => Some(0),
        "ts_iso_utc" => Some(1),
        "project_id" => Some(2),
        "machine_id" => Some(3),
        "user_id" => Some(4),
        "intensity_gCo2eq_kwh" => Some(11),
        _ => METRIC_NAMES.iter().position(|m| *m == key).map(|i| i + 5),
    }
}

/// A JSON string that borrows from the input unless it contains escapes.
struct JsonStr<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for JsonStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct StrVisitor;

        impl<'de> Visitor<'de> for StrVisitor {
            type Value = JsonStr<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(JsonStr(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(JsonStr(Cow::Owned(v.to_owned())))
            }
        }

        d.deserialize_str(StrVisitor)
    }
}
