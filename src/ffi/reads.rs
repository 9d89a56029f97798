//! Reads through the C ABI. Each writes a newly allocated JSON array of objects, keyed by
//! column name, to `*out_json`; the caller frees it with `usage_db_string_free`.

use std::ffi::c_char;

use rusqlite::Connection;

use crate::core::{reports, Result, UsageDbStatus};
use crate::ffi::boundary::{run, with_store};
use crate::ffi::handle::UsageDb;
use crate::ffi::strings::{into_c_string, out_param, required_text};

/// Runs one read and hands its JSON to the caller.
unsafe fn read_json(
    db: *mut UsageDb,
    operation: &str,
    out_json: *mut *mut c_char,
    read: impl FnOnce(&Connection) -> Result<String>,
) -> UsageDbStatus {
    run(operation, || {
        let out = out_param(operation, "out_json", out_json)?;

        let json = with_store(db, operation, |store| read(store.connection()))?;
        *out = into_c_string(operation, json)?;
        Ok(())
    })
}

/// Reads a text argument, then runs the read.
unsafe fn read_named_json(
    db: *mut UsageDb,
    operation: &str,
    field: &str,
    key: *const c_char,
    out_json: *mut *mut c_char,
    read: impl FnOnce(&Connection, &str) -> Result<String>,
) -> UsageDbStatus {
    let key = match required_text(operation, field, key) {
        Ok(key) => key,
        Err(err) => return run(operation, || Err(err)),
    };
    read_json(db, operation, out_json, |conn| read(conn, key))
}

/// Reads the two window bounds, then runs the read.
unsafe fn read_window_json(
    db: *mut UsageDb,
    operation: &str,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
    read: impl FnOnce(&Connection, &str, &str) -> Result<String>,
) -> UsageDbStatus {
    let window = required_text(operation, "from", from)
        .and_then(|from| Ok((from, required_text(operation, "to", to)?)));
    let (from, to) = match window {
        Ok(window) => window,
        Err(err) => return run(operation, || Err(err)),
    };
    read_json(db, operation, out_json, |conn| read(conn, from, to))
}

/// The platform-wide (ada scope) time series, by `ts`: `ts`, the six metrics and
/// `intensity_gCo2eq_kwh`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_ada_timeseries(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "ada_timeseries", out_json, |conn| {
        reports::view(conn, "ada_timeseries", "v_ada_timeseries")
    })
}

/// All-time sums of the six metrics per project, by `cloud_project_name`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_project_totals(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "project_totals", out_json, |conn| {
        reports::view(conn, "project_totals", "v_project_totals")
    })
}

/// All-time sums of the six metrics per machine, by `machine_name`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_machine_totals(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "machine_totals", out_json, |conn| {
        reports::view(conn, "machine_totals", "v_machine_totals")
    })
}

/// All-time sums of the six metrics per group, from the user-scope facts of the
/// group's users, by `group_name`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_group_totals(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "group_totals", out_json, |conn| {
        reports::view(conn, "group_totals", "v_group_totals")
    })
}

/// All-time sums of the six metrics per user, by `user_id`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_user_totals(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "user_totals", out_json, |conn| {
        reports::view(conn, "user_totals", "v_user_totals")
    })
}

/// Averages over each project's hourly facts: `avg_busy_energy_kwh`,
/// `avg_idle_energy_kwh`, `avg_busy_carbon_gCo2eq`, `avg_idle_carbon_gCo2eq`,
/// `avg_intensity_gCo2eq_kwh`, by `cloud_project_name`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_project_averages(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "project_averages", out_json, |conn| {
        reports::view(conn, "project_averages", "v_project_averages")
    })
}

/// Averages over each machine's hourly facts, as for projects, by `machine_name`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_machine_averages(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "machine_averages", out_json, |conn| {
        reports::view(conn, "machine_averages", "v_machine_averages")
    })
}

/// Averages over the user-hour facts of each group's users, by `group_name`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_group_averages(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "group_averages", out_json, |conn| {
        reports::view(conn, "group_averages", "v_group_averages")
    })
}

/// Averages over each user's hourly facts, by `user_id`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_user_averages(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "user_averages", out_json, |conn| {
        reports::view(conn, "user_averages", "v_user_averages")
    })
}

/// Active workspaces, newest first: `workspace_id`, `started_at`, `user` (display
/// name, or the user id when there is none), `project`, `machine`, `host`, `port`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_active_workspaces(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "active_workspaces", out_json, |conn| {
        reports::view(conn, "active_workspaces", "v_active_workspaces")
    })
}

/// Every user-project membership: `user_id`, `display_name`, `group_name`,
/// `cloud_project_name`, by user then project.
///
/// # Safety
/// `db` is NULL or a live handle; `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_user_project_memberships(
    db: *mut UsageDb,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_json(db, "user_project_memberships", out_json, |conn| {
        reports::view(conn, "user_project_memberships", "v_user_project")
    })
}

/// One project's hourly series, by `ts`: `cloud_project_name`, `ts`, the six metrics
/// and `intensity_gCo2eq_kwh`. An unknown project gives `[]`.
///
/// # Safety
/// `db` is NULL or a live handle; `cloud_project_name` is a NUL-terminated UTF-8 string; `out_json`
/// points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_project_timeseries(
    db: *mut UsageDb,
    cloud_project_name: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_named_json(
        db,
        "project_timeseries",
        "cloud_project_name",
        cloud_project_name,
        out_json,
        reports::project_timeseries,
    )
}

/// One machine's hourly series, by `ts`: `machine_name`, `ts`, the six metrics and
/// `intensity_gCo2eq_kwh`. An unknown machine gives `[]`.
///
/// # Safety
/// `db` is NULL or a live handle; `machine_name` is a NUL-terminated UTF-8 string; `out_json`
/// points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_machine_timeseries(
    db: *mut UsageDb,
    machine_name: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_named_json(
        db,
        "machine_timeseries",
        "machine_name",
        machine_name,
        out_json,
        reports::machine_timeseries,
    )
}

/// One user's hourly series, by `ts`: `user_id`, `ts`, the six metrics and
/// `intensity_gCo2eq_kwh`. An unknown user gives `[]`.
///
/// # Safety
/// `db` is NULL or a live handle; `user_id` is a NUL-terminated UTF-8 string; `out_json`
/// points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_user_timeseries(
    db: *mut UsageDb,
    user_id: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_named_json(
        db,
        "user_timeseries",
        "user_id",
        user_id,
        out_json,
        reports::user_timeseries,
    )
}

/// One machine's carbon intensity over time, by `ts`: `machine_name`, `ts`,
/// `intensity_g_per_kwh` (NULL for hours without energy).
///
/// # Safety
/// `db` is NULL or a live handle; `machine_name` is a NUL-terminated UTF-8 string; `out_json`
/// points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_machine_intensity_trend(
    db: *mut UsageDb,
    machine_name: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_named_json(
        db,
        "machine_intensity_trend",
        "machine_name",
        machine_name,
        out_json,
        reports::machine_intensity_trend,
    )
}

/// Energy and carbon per project in the window, most energy first:
/// `cloud_project_name`, `energy_kwh`, `carbon_g`.
///
/// `from` and `to` are timestamps as for facts; the window is half-open
/// (`from <= ts < to`), and `from` later than `to` gives
/// `USAGE_DB_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `db` is NULL or a live handle; `from` and `to` are NUL-terminated UTF-8 strings;
/// `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_project_energy_carbon_between(
    db: *mut UsageDb,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_window_json(
        db,
        "project_energy_carbon_between",
        from,
        to,
        out_json,
        reports::project_energy_carbon_between,
    )
}

/// Each user's energy in the window, listed under every project the user is a member
/// of: `cloud_project_name`, `user_id`, `user_energy_kwh`.
///
/// `from` and `to` are timestamps as for facts; the window is half-open
/// (`from <= ts < to`), and `from` later than `to` gives
/// `USAGE_DB_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `db` is NULL or a live handle; `from` and `to` are NUL-terminated UTF-8 strings;
/// `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_user_contribution_window(
    db: *mut UsageDb,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_window_json(
        db,
        "user_contribution_window",
        from,
        to,
        out_json,
        reports::user_contribution_window,
    )
}

/// Busy and idle CPU seconds per machine in the window, highest busy share first:
/// `machine_name`, `busy_s`, `idle_s`, `busy_pct` (percent to one decimal, NULL when
/// there are no seconds).
///
/// `from` and `to` are timestamps as for facts; the window is half-open
/// (`from <= ts < to`), and `from` later than `to` gives
/// `USAGE_DB_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `db` is NULL or a live handle; `from` and `to` are NUL-terminated UTF-8 strings;
/// `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_machine_utilization_share(
    db: *mut UsageDb,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    read_window_json(
        db,
        "machine_utilization_share",
        from,
        to,
        out_json,
        reports::machine_utilization_share,
    )
}

/// The `n` groups whose users used the most energy in `[from, to)`: `group_name`,
/// `energy_kwh`, most first. A negative `n` gives `USAGE_DB_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `db` is NULL or a live handle; `from` and `to` are NUL-terminated UTF-8 strings;
/// `out_json` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_top_groups_by_energy(
    db: *mut UsageDb,
    from: *const c_char,
    to: *const c_char,
    n: i64,
    out_json: *mut *mut c_char,
) -> UsageDbStatus {
    let op = "top_groups_by_energy";
    let window =
        required_text(op, "from", from).and_then(|from| Ok((from, required_text(op, "to", to)?)));
    let (from, to) = match window {
        Ok(window) => window,
        Err(err) => return run(op, || Err(err)),
    };
    read_json(db, op, out_json, |conn| {
        reports::top_groups_by_energy(conn, from, to, n)
    })
}
