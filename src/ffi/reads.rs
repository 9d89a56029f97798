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

/// Defines an extern function that reads a whole view.
macro_rules! view_read {
    ($(#[$doc:meta])* $name:ident, $operation:literal, $view:literal) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `db` is NULL or a live handle; `out_json` points to writable storage for a
        /// pointer.
        #[no_mangle]
        pub unsafe extern "C" fn $name(db: *mut UsageDb, out_json: *mut *mut c_char) -> UsageDbStatus {
            read_json(db, $operation, out_json, |conn| reports::view(conn, $operation, $view))
        }
    };
}

view_read!(
    /// The platform-wide (ada scope) time series, by `ts`: `ts`, the six metrics and
    /// `intensity_gCo2eq_kwh`.
    usage_db_ada_timeseries, "ada_timeseries", "v_ada_timeseries"
);
view_read!(
    /// All-time sums of the six metrics per project, by `cloud_project_name`.
    usage_db_project_totals, "project_totals", "v_project_totals"
);
view_read!(
    /// All-time sums of the six metrics per machine, by `machine_name`.
    usage_db_machine_totals, "machine_totals", "v_machine_totals"
);
view_read!(
    /// All-time sums of the six metrics per group, from the user-scope facts of the
    /// group's users, by `group_name`.
    usage_db_group_totals, "group_totals", "v_group_totals"
);
view_read!(
    /// All-time sums of the six metrics per user, by `user_id`.
    usage_db_user_totals, "user_totals", "v_user_totals"
);
view_read!(
    /// Averages over each project's hourly facts: `avg_busy_energy_kwh`,
    /// `avg_idle_energy_kwh`, `avg_busy_carbon_gCo2eq`, `avg_idle_carbon_gCo2eq`,
    /// `avg_intensity_gCo2eq_kwh`, by `cloud_project_name`.
    usage_db_project_averages, "project_averages", "v_project_averages"
);
view_read!(
    /// Averages over each machine's hourly facts, as for projects, by `machine_name`.
    usage_db_machine_averages, "machine_averages", "v_machine_averages"
);
view_read!(
    /// Averages over the user-hour facts of each group's users, by `group_name`.
    usage_db_group_averages, "group_averages", "v_group_averages"
);
view_read!(
    /// Averages over each user's hourly facts, by `user_id`.
    usage_db_user_averages, "user_averages", "v_user_averages"
);
view_read!(
    /// Active workspaces, newest first: `workspace_id`, `started_at`, `user` (display
    /// name, or the user id when there is none), `project`, `machine`, `host`, `port`.
    usage_db_active_workspaces, "active_workspaces", "v_active_workspaces"
);
view_read!(
    /// Every user-project membership: `user_id`, `display_name`, `group_name`,
    /// `cloud_project_name`, by user then project.
    usage_db_user_project_memberships, "user_project_memberships", "v_user_project"
);

/// Defines an extern function that reads one named series.
macro_rules! named_read {
    ($(#[$doc:meta])* $name:ident, $operation:literal, $arg:ident, $report:path) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `db` is NULL or a live handle; the name is a NUL-terminated UTF-8 string;
        /// `out_json` points to writable storage for a pointer.
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            db: *mut UsageDb,
            $arg: *const c_char,
            out_json: *mut *mut c_char,
        ) -> UsageDbStatus {
            let key = match required_text($operation, stringify!($arg), $arg) {
                Ok(key) => key,
                Err(err) => return run($operation, || Err(err)),
            };
            read_json(db, $operation, out_json, |conn| $report(conn, key))
        }
    };
}

named_read!(
    /// One project's hourly series, by `ts`: `cloud_project_name`, `ts`, the six metrics
    /// and `intensity_gCo2eq_kwh`. An unknown project gives `[]`.
    usage_db_project_timeseries, "project_timeseries", cloud_project_name, reports::project_timeseries
);
named_read!(
    /// One machine's hourly series, by `ts`: `machine_name`, `ts`, the six metrics and
    /// `intensity_gCo2eq_kwh`. An unknown machine gives `[]`.
    usage_db_machine_timeseries, "machine_timeseries", machine_name, reports::machine_timeseries
);
named_read!(
    /// One user's hourly series, by `ts`: `user_id`, `ts`, the six metrics and
    /// `intensity_gCo2eq_kwh`. An unknown user gives `[]`.
    usage_db_user_timeseries, "user_timeseries", user_id, reports::user_timeseries
);
named_read!(
    /// One machine's carbon intensity over time, by `ts`: `machine_name`, `ts`,
    /// `intensity_g_per_kwh` (NULL for hours without energy).
    usage_db_machine_intensity_trend, "machine_intensity_trend", machine_name, reports::machine_intensity_trend
);

/// Defines an extern function that reads a report over the window `[from, to)`.
macro_rules! window_read {
    ($(#[$doc:meta])* $name:ident, $operation:literal, $report:path) => {
        $(#[$doc])*
        ///
        /// `from` and `to` are timestamps as for facts; the window is half-open
        /// (`from <= ts < to`), and `from` later than `to` gives
        /// `USAGE_DB_STATUS_INVALID_ARGUMENT`.
        ///
        /// # Safety
        /// `db` is NULL or a live handle; `from` and `to` are NUL-terminated UTF-8
        /// strings; `out_json` points to writable storage for a pointer.
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            db: *mut UsageDb,
            from: *const c_char,
            to: *const c_char,
            out_json: *mut *mut c_char,
        ) -> UsageDbStatus {
            let window = required_text($operation, "from", from)
                .and_then(|from| Ok((from, required_text($operation, "to", to)?)));
            let (from, to) = match window {
                Ok(window) => window,
                Err(err) => return run($operation, || Err(err)),
            };
            read_json(db, $operation, out_json, |conn| $report(conn, from, to))
        }
    };
}

window_read!(
    /// Energy and carbon per project in the window, most energy first:
    /// `cloud_project_name`, `energy_kwh`, `carbon_g`.
    usage_db_project_energy_carbon_between, "project_energy_carbon_between", reports::project_energy_carbon_between
);
window_read!(
    /// Each user's energy in the window, listed under every project the user is a member
    /// of: `cloud_project_name`, `user_id`, `user_energy_kwh`.
    usage_db_user_contribution_window, "user_contribution_window", reports::user_contribution_window
);
window_read!(
    /// Busy and idle CPU seconds per machine in the window, highest busy share first:
    /// `machine_name`, `busy_s`, `idle_s`, `busy_pct` (percent to one decimal, NULL when
    /// there are no seconds).
    usage_db_machine_utilization_share, "machine_utilization_share", reports::machine_utilization_share
);

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
