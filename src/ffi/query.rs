//! The SQL escape hatch through the C ABI.

use std::ffi::c_char;

use crate::core::{query, UsageDbStatus};
use crate::ffi::boundary::{run, with_store};
use crate::ffi::handle::UsageDb;
use crate::ffi::strings::{into_c_string, optional_text, out_param, required_text};

/// Runs exactly one read-only SQL statement and writes its rows to `*out_json` as a JSON
/// array of objects keyed by column name; free it with `usage_db_string_free`.
///
/// `params_json` is NULL, a JSON array bound to `?` / `?NNN` parameters by position, or
/// a JSON object bound to `:name`, `@name` or `$name` parameters (keys may omit the
/// prefix). Text that could write, attach a file, control a transaction or change a
/// setting, anywhere in it, gives `USAGE_DB_STATUS_READ_ONLY_VIOLATION` and nothing is
/// run; more than one statement or bad params give `USAGE_DB_STATUS_INVALID_ARGUMENT`;
/// SQL that does not prepare gives `USAGE_DB_STATUS_SQL_ERROR`. Views named `v_*` are the
/// stable interface.
///
/// # Safety
/// `db` is NULL or a live handle; `sql` is a NUL-terminated UTF-8 string; `params_json`
/// is NULL or one; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_q(
    db: *mut UsageDb,
    sql: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    let op = "q";
    run(op, || {
        let out = out_param(op, "out_json", out_json)?;
        let sql = required_text(op, "sql", sql)?;
        let params = optional_text(op, "params_json", params_json)?;

        let json = with_store(db, op, |store| query::q(store.connection(), sql, params))?;
        *out = into_c_string(op, json)?;
        Ok(())
    })
}

/// Runs exactly one SQL statement that may write, atomically, and writes the number of
/// rows it changed to `*out_changes` (NULL if not wanted). Parameters are as for
/// `usage_db_q`. The schema's constraints still apply; transaction control and
/// ATTACH/DETACH give `USAGE_DB_STATUS_SQL_ERROR`. Meant for maintenance such as
/// deleting old facts, not for user-supplied text.
///
/// # Safety
/// `db` is NULL or a live handle; `sql` is a NUL-terminated UTF-8 string; `params_json`
/// is NULL or one; `out_changes` is NULL or points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_execute_write(
    db: *mut UsageDb,
    sql: *const c_char,
    params_json: *const c_char,
    out_changes: *mut i64,
) -> UsageDbStatus {
    let op = "execute_write";
    run(op, || {
        let sql = required_text(op, "sql", sql)?;
        let params = optional_text(op, "params_json", params_json)?;

        let changed = with_store(db, op, |store| query::execute_write(store, sql, params))?;
        if let Some(out) = out_changes.as_mut() {
            *out = i64::try_from(changed).unwrap_or(i64::MAX);
        }
        Ok(())
    })
}
