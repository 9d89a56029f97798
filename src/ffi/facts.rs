//! Facts through the C ABI: one typed row, a C array of rows, or a JSON array of rows.

use std::borrow::Cow;
use std::ffi::c_char;

use crate::core::fact_json::bulk_insert_fact_usage_json;
use crate::core::facts::{self, FactInput};
use crate::core::{Error, Result, UsageDbStatus};
use crate::ffi::boundary::{run, with_store};
use crate::ffi::handle::UsageDb;
use crate::ffi::strings::{optional_text, required_text};

/// One hourly usage fact.
///
/// `scope` is `"ada"`, `"project"`, `"machine"` or `"user"`, and only the key of that
/// scope may be set: `has_project_id` for project, `has_machine_id` for machine, a
/// non-NULL `user_id` for user, none for ada. Metrics are finite and >= 0; set unused ones
/// to 0. Zero-initialise the struct (`UsageDbFact f = {0};`) and fill in what applies.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_snake_case)]
pub struct UsageDbFact {
    /// `"ada"`, `"project"`, `"machine"` or `"user"`.
    pub scope: *const c_char,
    /// Start of the hour the fact covers, as `2025-10-01T00:00:00Z` or another ISO 8601
    /// form (see the header's notes on time). Any whole second is accepted and is a key
    /// of its own.
    pub ts_iso_utc: *const c_char,
    /// Whether `project_id` is set.
    pub has_project_id: bool,
    pub project_id: i64,
    /// Whether `machine_id` is set.
    pub has_machine_id: bool,
    pub machine_id: i64,
    /// The user's string id, or NULL when absent.
    pub user_id: *const c_char,
    pub busy_cpu_seconds_total: f64,
    pub idle_cpu_seconds_total: f64,
    pub busy_kwh: f64,
    pub idle_kwh: f64,
    pub busy_gCo2eq: f64,
    pub idle_gCo2eq: f64,
    /// Whether `intensity_gCo2eq_kwh` is set. Without it, reads compute the intensity as
    /// carbon over energy.
    pub has_intensity: bool,
    pub intensity_gCo2eq_kwh: f64,
}

/// An ada-scope fact with NULL strings, no ids, no intensity and all metrics 0, like the
/// C idiom `UsageDbFact fact = {0};`.
impl Default for UsageDbFact {
    fn default() -> Self {
        UsageDbFact {
            scope: std::ptr::null(),
            ts_iso_utc: std::ptr::null(),
            has_project_id: false,
            project_id: 0,
            has_machine_id: false,
            machine_id: 0,
            user_id: std::ptr::null(),
            busy_cpu_seconds_total: 0.0,
            idle_cpu_seconds_total: 0.0,
            busy_kwh: 0.0,
            idle_kwh: 0.0,
            busy_gCo2eq: 0.0,
            idle_gCo2eq: 0.0,
            has_intensity: false,
            intensity_gCo2eq_kwh: 0.0,
        }
    }
}

impl UsageDbFact {
    /// Borrows the struct's strings as a core fact.
    ///
    /// # Safety
    /// The string pointers are NULL or NUL-terminated strings that outlive the result.
    unsafe fn as_input(&self, operation: &str) -> Result<FactInput<'_>> {
        Ok(FactInput {
            scope: Cow::Borrowed(required_text(operation, "scope", self.scope)?),
            ts_iso_utc: Cow::Borrowed(required_text(operation, "ts_iso_utc", self.ts_iso_utc)?),
            project_id: self.has_project_id.then_some(self.project_id),
            machine_id: self.has_machine_id.then_some(self.machine_id),
            user_id: optional_text(operation, "user_id", self.user_id)?.map(Cow::Borrowed),
            metrics: [
                self.busy_cpu_seconds_total,
                self.idle_cpu_seconds_total,
                self.busy_kwh,
                self.idle_kwh,
                self.busy_gCo2eq,
                self.idle_gCo2eq,
            ],
            intensity_gco2eq_kwh: self.has_intensity.then_some(self.intensity_gCo2eq_kwh),
        })
    }
}

/// Inserts one fact, or replaces the metrics of the fact with the same scope, hour and
/// key, and returns its id in `*out_usage_id` (NULL if not wanted). Bad input gives
/// `USAGE_DB_STATUS_INVALID_ARGUMENT`; an unknown project, machine or user id gives
/// `USAGE_DB_STATUS_NOT_FOUND`. Nothing is written on failure.
///
/// # Safety
/// `db` is NULL or a live handle; `fact` points to a valid struct whose strings live for
/// the call; `out_usage_id` is NULL or points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_insert_fact_usage(
    db: *mut UsageDb,
    fact: *const UsageDbFact,
    out_usage_id: *mut i64,
) -> UsageDbStatus {
    let op = "insert_fact_usage";
    run(op, || {
        let fact = fact
            .as_ref()
            .ok_or_else(|| Error::invalid(format!("{op}: fact is NULL")))?;
        let input = fact.as_input(op)?;

        let usage_id = with_store(db, op, |store| facts::insert_fact_usage(store, &input))?;
        if let Some(out) = out_usage_id.as_mut() {
            *out = usage_id;
        }
        Ok(())
    })
}

/// Upserts `count` facts from a C array, all or none: the first bad row fails the call
/// with a message naming its index and field, and nothing of the batch is written. Inside
/// an open transaction the batch becomes part of it. `*out_count` (NULL if not wanted)
/// receives the number of rows written.
///
/// # Safety
/// `db` is NULL or a live handle; `rows` points to `count` valid structs (it may be NULL
/// when `count` is 0); `out_count` is NULL or points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_bulk_insert_fact_usage_array(
    db: *mut UsageDb,
    rows: *const UsageDbFact,
    count: usize,
    out_count: *mut usize,
) -> UsageDbStatus {
    let op = "bulk_insert_fact_usage";
    run(op, || {
        let rows: &[UsageDbFact] = match (rows.is_null(), count) {
            (_, 0) => &[],
            (true, _) => {
                return Err(Error::invalid(format!(
                    "{op}: rows is NULL but count is {count}"
                )))
            }
            (false, _) => std::slice::from_raw_parts(rows, count),
        };
        // The core prefixes conversion errors with the operation and row index.
        let inputs = rows.iter().map(|row| row.as_input(""));

        let written = with_store(db, op, |store| facts::bulk_insert_fact_usage(store, inputs))?;
        if let Some(out) = out_count.as_mut() {
            *out = written;
        }
        Ok(())
    })
}

/// Upserts facts given as a JSON array of objects, all or none. Each object's keys are
/// `scope`, `ts_iso_utc`, `project_id`, `machine_id`, `user_id`, the six metric names and
/// `intensity_gCo2eq_kwh`; absent or null ids and metrics mean absent and 0. The first bad
/// row fails the call with a message naming its index and field, and nothing of the
/// batch is written. Rows are parsed and written as a stream, so memory stays small for
/// large batches. `*out_count` (NULL if not wanted) receives the number of rows written.
///
/// # Safety
/// `db` is NULL or a live handle; `rows_json` is a NUL-terminated UTF-8 string;
/// `out_count` is NULL or points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_bulk_insert_fact_usage(
    db: *mut UsageDb,
    rows_json: *const c_char,
    out_count: *mut usize,
) -> UsageDbStatus {
    let op = "bulk_insert_fact_usage";
    run(op, || {
        let json = required_text(op, "rows_json", rows_json)?;

        let written = with_store(db, op, |store| bulk_insert_fact_usage_json(store, json))?;
        if let Some(out) = out_count.as_mut() {
            *out = written;
        }
        Ok(())
    })
}
