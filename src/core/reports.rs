//! The read operations: time series, totals, averages, convenience views and windowed
//! reports, each returned as a JSON array.
//!
//! Window reports read the window's rows from the scope's time index (`INDEXED BY`) and
//! sum them per key. Only then do they look up names, in an order that `CROSS JOIN`
//! fixes. Their cost therefore follows the rows inside the window, not the size of the
//! fact table or the number of keys ever seen.

use rusqlite::{Connection, ToSql};

use super::error::{Error, Result};
use super::json_out::rows_to_json;
use super::time::normalize_window;

/// SQL of [`project_energy_carbon_between`]; `?1` and `?2` are the window bounds.
pub const PROJECT_ENERGY_CARBON_BETWEEN_SQL: &str = "\
    WITH per_project AS (
        SELECT f.project_id,
               sum(f.busy_kwh + f.idle_kwh) AS energy_kwh,
               sum(f.busy_gCo2eq + f.idle_gCo2eq) AS carbon_g
        FROM fact_usage f INDEXED BY ix_fact_project_ts
        WHERE f.scope = 'project' AND f.ts >= ?1 AND f.ts < ?2
        GROUP BY f.project_id)
    SELECT p.cloud_project_name, w.energy_kwh, w.carbon_g
    FROM per_project w CROSS JOIN dim_project p
    WHERE p.project_id = w.project_id
    ORDER BY w.energy_kwh DESC, p.cloud_project_name";

/// SQL of [`top_groups_by_energy`]; `?1` and `?2` are the window bounds, `?3` the limit.
pub const TOP_GROUPS_BY_ENERGY_SQL: &str = "\
    WITH per_user AS (
        SELECT f.user_id, sum(f.busy_kwh + f.idle_kwh) AS energy_kwh
        FROM fact_usage f INDEXED BY ix_fact_user_ts
        WHERE f.scope = 'user' AND f.ts >= ?1 AND f.ts < ?2
        GROUP BY f.user_id)
    SELECT g.group_name, sum(w.energy_kwh) AS energy_kwh
    FROM per_user w CROSS JOIN dim_user u CROSS JOIN dim_group g
    WHERE u.user_id = w.user_id AND g.group_id = u.group_id
    GROUP BY g.group_id
    ORDER BY energy_kwh DESC, g.group_name
    LIMIT ?3";

/// SQL of [`user_contribution_window`]; `?1` and `?2` are the window bounds.
pub const USER_CONTRIBUTION_WINDOW_SQL: &str = "\
    WITH per_user AS (
        SELECT f.user_id, sum(f.busy_kwh + f.idle_kwh) AS user_energy_kwh
        FROM fact_usage f INDEXED BY ix_fact_user_ts
        WHERE f.scope = 'user' AND f.ts >= ?1 AND f.ts < ?2
        GROUP BY f.user_id)
    SELECT p.cloud_project_name, w.user_id, w.user_energy_kwh
    FROM per_user w
    CROSS JOIN map_user_project m
    CROSS JOIN dim_project p
    WHERE m.user_id = w.user_id AND p.project_id = m.project_id
    ORDER BY p.cloud_project_name, w.user_energy_kwh DESC, w.user_id";

/// SQL of [`machine_utilization_share`]; `?1` and `?2` are the window bounds.
pub const MACHINE_UTILIZATION_SHARE_SQL: &str = "\
    WITH per_machine AS (
        SELECT f.machine_id,
               sum(f.busy_cpu_seconds_total) AS busy_s,
               sum(f.idle_cpu_seconds_total) AS idle_s
        FROM fact_usage f INDEXED BY ix_fact_machine_ts
        WHERE f.scope = 'machine' AND f.ts >= ?1 AND f.ts < ?2
        GROUP BY f.machine_id)
    SELECT m.machine_name, w.busy_s, w.idle_s,
           round(100.0 * w.busy_s / nullif(w.busy_s + w.idle_s, 0), 1) AS busy_pct
    FROM per_machine w CROSS JOIN dim_machine m
    WHERE m.machine_id = w.machine_id
    ORDER BY busy_pct IS NULL, busy_pct DESC, m.machine_name";

/// Runs one of the report statements below with its parameters.
fn report(conn: &Connection, operation: &str, sql: &str, params: &[&dyn ToSql]) -> Result<String> {
    let sqlite = |e: rusqlite::Error| Error::from_sqlite(operation, &e);

    let mut statement = conn.prepare_cached(sql).map_err(sqlite)?;
    for (i, value) in params.iter().enumerate() {
        statement.raw_bind_parameter(i + 1, value).map_err(sqlite)?;
    }
    rows_to_json(&mut statement, operation)
}

/// Reads a whole view, in the view's own order.
pub fn view(conn: &Connection, operation: &str, view_name: &str) -> Result<String> {
    report(conn, operation, &format!("SELECT * FROM {view_name}"), &[])
}

pub fn project_timeseries(conn: &Connection, cloud_project_name: &str) -> Result<String> {
    report(
        conn,
        "project_timeseries",
        "SELECT * FROM v_project_timeseries WHERE cloud_project_name = ?1 ORDER BY ts",
        &[&cloud_project_name],
    )
}

pub fn machine_timeseries(conn: &Connection, machine_name: &str) -> Result<String> {
    report(
        conn,
        "machine_timeseries",
        "SELECT * FROM v_machine_timeseries WHERE machine_name = ?1 ORDER BY ts",
        &[&machine_name],
    )
}

pub fn user_timeseries(conn: &Connection, user_id: &str) -> Result<String> {
    report(
        conn,
        "user_timeseries",
        "SELECT * FROM v_user_timeseries WHERE user_id = ?1 ORDER BY ts",
        &[&user_id],
    )
}

pub fn machine_intensity_trend(conn: &Connection, machine_name: &str) -> Result<String> {
    report(
        conn,
        "machine_intensity_trend",
        "SELECT machine_name, ts, intensity_gCo2eq_kwh AS intensity_g_per_kwh \
         FROM v_machine_timeseries WHERE machine_name = ?1 ORDER BY ts",
        &[&machine_name],
    )
}

/// Sums energy and carbon per project in `[from, to)`, most energy first.
pub fn project_energy_carbon_between(conn: &Connection, from: &str, to: &str) -> Result<String> {
    let op = "project_energy_carbon_between";
    let (from, to) = normalize_window(from, to).map_err(|e| e.in_operation(op))?;

    report(conn, op, PROJECT_ENERGY_CARBON_BETWEEN_SQL, &[&from, &to])
}

/// Lists the `n` groups whose users used the most energy in `[from, to)`.
pub fn top_groups_by_energy(conn: &Connection, from: &str, to: &str, n: i64) -> Result<String> {
    let op = "top_groups_by_energy";
    let (from, to) = normalize_window(from, to).map_err(|e| e.in_operation(op))?;
    if n < 0 {
        return Err(Error::invalid(format!("{op}: invalid n {n}: must be >= 0")));
    }

    report(conn, op, TOP_GROUPS_BY_ENERGY_SQL, &[&from, &to, &n])
}

/// Lists each user's energy in `[from, to)` under every project the user belongs to.
pub fn user_contribution_window(conn: &Connection, from: &str, to: &str) -> Result<String> {
    let op = "user_contribution_window";
    let (from, to) = normalize_window(from, to).map_err(|e| e.in_operation(op))?;

    report(conn, op, USER_CONTRIBUTION_WINDOW_SQL, &[&from, &to])
}

/// Sums busy and idle CPU seconds per machine in `[from, to)`, with the busy share in
/// percent to one decimal, highest share first.
pub fn machine_utilization_share(conn: &Connection, from: &str, to: &str) -> Result<String> {
    let op = "machine_utilization_share";
    let (from, to) = normalize_window(from, to).map_err(|e| e.in_operation(op))?;

    report(conn, op, MACHINE_UTILIZATION_SHARE_SQL, &[&from, &to])
}
