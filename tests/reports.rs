//! Every read, with exact expected values on a small dataset, and the index use that
//! keeps series and windows independent of the fact table's size.

use serde_json::{json, Value};
use usage_db::core::fact_json::bulk_insert_fact_usage_json;
use usage_db::core::reference::{self, ProjectRef};
use usage_db::core::{query, reports, OpenOptions, Store, UsageDbStatus};

const DAY1: &str = "2025-10-01T00:00:00Z";
const DAY2: &str = "2025-10-02T00:00:00Z";

/// Two projects, two machines, three users in two groups, two hours of facts.
fn dataset() -> Store {
    let mut store = Store::open(":memory:", OpenOptions::default()).unwrap();
    let alpha = reference::get_or_create_project(&mut store, "alpha").unwrap();
    let beta = reference::get_or_create_project(&mut store, "beta").unwrap();
    let m1 = reference::get_or_create_machine(&mut store, "m1").unwrap();
    let m2 = reference::get_or_create_machine(&mut store, "m2").unwrap();
    reference::get_or_create_user(&mut store, "u1", Some("Ada"), Some("Research")).unwrap();
    reference::get_or_create_user(&mut store, "u2", Some("Bob"), Some("Research")).unwrap();
    reference::get_or_create_user(&mut store, "u3", None, Some("Ops")).unwrap();
    reference::map_user_project(&mut store, "u1", ProjectRef::Name("alpha")).unwrap();
    reference::map_user_project(&mut store, "u1", ProjectRef::Name("beta")).unwrap();
    reference::map_user_project(&mut store, "u3", ProjectRef::Name("beta")).unwrap();

    let rows = json!([
        {"scope": "ada", "ts_iso_utc": "2025-10-01T00:00:00Z", "busy_kwh": 10.0, "idle_kwh": 2.0, "busy_gCo2eq": 1000.0, "idle_gCo2eq": 200.0},
        {"scope": "ada", "ts_iso_utc": "2025-10-01T01:00:00Z", "busy_kwh": 4.0, "idle_kwh": 0.0, "busy_gCo2eq": 600.0, "idle_gCo2eq": 0.0, "intensity_gCo2eq_kwh": 140.0},
        {"scope": "project", "ts_iso_utc": "2025-10-01T00:00:00Z", "project_id": alpha, "busy_kwh": 6.0, "idle_kwh": 1.0, "busy_gCo2eq": 600.0, "idle_gCo2eq": 100.0},
        {"scope": "project", "ts_iso_utc": "2025-10-01T01:00:00Z", "project_id": alpha, "busy_kwh": 2.0, "idle_kwh": 0.0, "busy_gCo2eq": 300.0, "idle_gCo2eq": 0.0},
        {"scope": "project", "ts_iso_utc": "2025-10-01T00:00:00Z", "project_id": beta, "busy_kwh": 4.0, "idle_kwh": 1.0, "busy_gCo2eq": 400.0, "idle_gCo2eq": 100.0},
        {"scope": "project", "ts_iso_utc": "2025-10-02T00:00:00Z", "project_id": beta, "busy_kwh": 50.0},
        {"scope": "machine", "ts_iso_utc": "2025-10-01T00:00:00Z", "machine_id": m1, "busy_cpu_seconds_total": 3000.0, "idle_cpu_seconds_total": 600.0, "busy_kwh": 8.0, "idle_kwh": 1.0, "busy_gCo2eq": 800.0, "idle_gCo2eq": 100.0},
        {"scope": "machine", "ts_iso_utc": "2025-10-01T01:00:00Z", "machine_id": m1, "busy_cpu_seconds_total": 1000.0, "idle_cpu_seconds_total": 2600.0},
        {"scope": "machine", "ts_iso_utc": "2025-10-01T00:00:00Z", "machine_id": m2, "busy_cpu_seconds_total": 0.0, "idle_cpu_seconds_total": 0.0},
        {"scope": "user", "ts_iso_utc": "2025-10-01T00:00:00Z", "user_id": "u1", "busy_kwh": 3.0, "idle_kwh": 1.0, "busy_gCo2eq": 300.0, "idle_gCo2eq": 100.0},
        {"scope": "user", "ts_iso_utc": "2025-10-01T01:00:00Z", "user_id": "u1", "busy_kwh": 1.0, "idle_kwh": 0.0, "busy_gCo2eq": 150.0, "idle_gCo2eq": 0.0},
        {"scope": "user", "ts_iso_utc": "2025-10-01T00:00:00Z", "user_id": "u2", "busy_kwh": 2.0, "idle_kwh": 0.0, "busy_gCo2eq": 200.0, "idle_gCo2eq": 0.0},
        {"scope": "user", "ts_iso_utc": "2025-10-01T00:00:00Z", "user_id": "u3", "busy_kwh": 5.0, "idle_kwh": 1.0, "busy_gCo2eq": 500.0, "idle_gCo2eq": 100.0}
    ]);
    bulk_insert_fact_usage_json(&mut store, &rows.to_string()).unwrap();
    store
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("reads return valid JSON")
}

fn view(store: &Store, name: &str) -> Value {
    parse(&reports::view(store.connection(), name, name).unwrap())
}

#[test]
fn ada_timeseries_computes_or_keeps_intensity() {
    let store = dataset();

    let expected = json!([
        {"ts": "2025-10-01T00:00:00Z", "busy_cpu_seconds_total": 0.0, "idle_cpu_seconds_total": 0.0, "busy_kwh": 10.0, "idle_kwh": 2.0, "busy_gCo2eq": 1000.0, "idle_gCo2eq": 200.0, "intensity_gCo2eq_kwh": 100.0},
        {"ts": "2025-10-01T01:00:00Z", "busy_cpu_seconds_total": 0.0, "idle_cpu_seconds_total": 0.0, "busy_kwh": 4.0, "idle_kwh": 0.0, "busy_gCo2eq": 600.0, "idle_gCo2eq": 0.0, "intensity_gCo2eq_kwh": 140.0},
    ]);
    assert_eq!(view(&store, "v_ada_timeseries"), expected);
}

#[test]
fn entity_timeseries_are_filtered_and_ordered() {
    let store = dataset();
    let conn = store.connection();

    let alpha = parse(&reports::project_timeseries(conn, "alpha").unwrap());
    assert_eq!(alpha.as_array().unwrap().len(), 2);
    assert_eq!(alpha[0]["cloud_project_name"], json!("alpha"));
    assert_eq!(alpha[0]["ts"], json!("2025-10-01T00:00:00Z"));
    assert_eq!(alpha[0]["intensity_gCo2eq_kwh"], json!(100.0));
    assert_eq!(alpha[1]["intensity_gCo2eq_kwh"], json!(150.0));

    let m2 = parse(&reports::machine_timeseries(conn, "m2").unwrap());
    assert_eq!(
        m2[0]["intensity_gCo2eq_kwh"],
        Value::Null,
        "no energy means no intensity"
    );

    let u1 = parse(&reports::user_timeseries(conn, "u1").unwrap());
    let hours: Vec<_> = u1
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ts"].clone())
        .collect();
    assert_eq!(
        hours,
        [json!("2025-10-01T00:00:00Z"), json!("2025-10-01T01:00:00Z")]
    );

    assert_eq!(reports::project_timeseries(conn, "nope").unwrap(), "[]");
}

#[test]
fn totals_sum_per_key() {
    let store = dataset();

    let projects = view(&store, "v_project_totals");
    assert_eq!(
        projects,
        json!([
            {"cloud_project_name": "alpha", "busy_cpu_seconds_total": 0.0, "idle_cpu_seconds_total": 0.0, "busy_kwh": 8.0, "idle_kwh": 1.0, "busy_gCo2eq": 900.0, "idle_gCo2eq": 100.0},
            {"cloud_project_name": "beta", "busy_cpu_seconds_total": 0.0, "idle_cpu_seconds_total": 0.0, "busy_kwh": 54.0, "idle_kwh": 1.0, "busy_gCo2eq": 400.0, "idle_gCo2eq": 100.0},
        ])
    );

    let machines = view(&store, "v_machine_totals");
    assert_eq!(machines[0]["machine_name"], json!("m1"));
    assert_eq!(machines[0]["busy_cpu_seconds_total"], json!(4000.0));
    assert_eq!(machines[0]["idle_cpu_seconds_total"], json!(3200.0));

    let groups = view(&store, "v_group_totals");
    let energy: Vec<_> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group_name"].clone(), g["busy_kwh"].clone()))
        .collect();
    assert_eq!(
        energy,
        [(json!("Ops"), json!(5.0)), (json!("Research"), json!(6.0))]
    );

    let users = view(&store, "v_user_totals");
    let energy: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["user_id"].clone(), u["busy_kwh"].clone()))
        .collect();
    assert_eq!(
        energy,
        [
            (json!("u1"), json!(4.0)),
            (json!("u2"), json!(2.0)),
            (json!("u3"), json!(5.0))
        ]
    );
}

#[test]
fn averages_are_over_hourly_rows() {
    let store = dataset();

    let projects = view(&store, "v_project_averages");
    assert_eq!(
        projects[0],
        json!({"cloud_project_name": "alpha", "avg_busy_energy_kwh": 4.0, "avg_idle_energy_kwh": 0.5, "avg_busy_carbon_gCo2eq": 450.0, "avg_idle_carbon_gCo2eq": 50.0, "avg_intensity_gCo2eq_kwh": 125.0})
    );

    let machines = view(&store, "v_machine_averages");
    assert_eq!(
        machines[0]["avg_intensity_gCo2eq_kwh"],
        json!(100.0),
        "hours without energy are skipped"
    );
    assert_eq!(machines[1]["avg_intensity_gCo2eq_kwh"], Value::Null);

    let groups = view(&store, "v_group_averages");
    assert_eq!(groups[1]["group_name"], json!("Research"));
    assert_eq!(groups[1]["avg_busy_energy_kwh"], json!(2.0));

    let users = view(&store, "v_user_averages");
    assert_eq!(users[0]["user_id"], json!("u1"));
    assert_eq!(users[0]["avg_busy_energy_kwh"], json!(2.0));
    assert_eq!(users[0]["avg_intensity_gCo2eq_kwh"], json!(125.0));
}

#[test]
fn project_energy_window_is_half_open() {
    let store = dataset();
    let conn = store.connection();

    let day1 = parse(&reports::project_energy_carbon_between(conn, DAY1, DAY2).unwrap());
    assert_eq!(
        day1,
        json!([
            {"cloud_project_name": "alpha", "energy_kwh": 9.0, "carbon_g": 1000.0},
            {"cloud_project_name": "beta", "energy_kwh": 5.0, "carbon_g": 500.0},
        ])
    );

    let later =
        parse(&reports::project_energy_carbon_between(conn, DAY2, "2025-10-03T00:00:00Z").unwrap());
    assert_eq!(
        later,
        json!([{"cloud_project_name": "beta", "energy_kwh": 50.0, "carbon_g": 0.0}])
    );

    assert_eq!(
        reports::project_energy_carbon_between(conn, DAY1, DAY1).unwrap(),
        "[]"
    );
}

#[test]
fn top_groups_limits_and_orders() {
    let store = dataset();
    let conn = store.connection();

    let top = parse(&reports::top_groups_by_energy(conn, DAY1, DAY2, 10).unwrap());
    assert_eq!(
        top,
        json!([{"group_name": "Research", "energy_kwh": 7.0}, {"group_name": "Ops", "energy_kwh": 6.0}])
    );

    let top1 = parse(&reports::top_groups_by_energy(conn, DAY1, DAY2, 1).unwrap());
    assert_eq!(top1, json!([{"group_name": "Research", "energy_kwh": 7.0}]));
    assert_eq!(
        reports::top_groups_by_energy(conn, DAY1, DAY2, 0).unwrap(),
        "[]"
    );

    let err = reports::top_groups_by_energy(conn, DAY1, DAY2, -1).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert_eq!(
        err.message,
        "top_groups_by_energy: invalid n -1: must be >= 0"
    );
}

#[test]
fn user_contribution_lists_every_membership() {
    let store = dataset();

    let rows = parse(&reports::user_contribution_window(store.connection(), DAY1, DAY2).unwrap());

    assert_eq!(
        rows,
        json!([
            {"cloud_project_name": "alpha", "user_id": "u1", "user_energy_kwh": 5.0},
            {"cloud_project_name": "beta", "user_id": "u3", "user_energy_kwh": 6.0},
            {"cloud_project_name": "beta", "user_id": "u1", "user_energy_kwh": 5.0},
        ])
    );
}

#[test]
fn utilization_share_rounds_and_nulls() {
    let store = dataset();

    let rows = parse(&reports::machine_utilization_share(store.connection(), DAY1, DAY2).unwrap());

    assert_eq!(
        rows,
        json!([
            {"machine_name": "m1", "busy_s": 4000.0, "idle_s": 3200.0, "busy_pct": 55.6},
            {"machine_name": "m2", "busy_s": 0.0, "idle_s": 0.0, "busy_pct": null},
        ])
    );
}

#[test]
fn intensity_trend_renames_the_column() {
    let store = dataset();

    let rows = parse(&reports::machine_intensity_trend(store.connection(), "m1").unwrap());

    assert_eq!(
        rows,
        json!([
            {"machine_name": "m1", "ts": "2025-10-01T00:00:00Z", "intensity_g_per_kwh": 100.0},
            {"machine_name": "m1", "ts": "2025-10-01T01:00:00Z", "intensity_g_per_kwh": null},
        ])
    );
}

#[test]
fn window_bounds_are_normalised_and_checked() {
    let store = dataset();
    let conn = store.connection();

    let shifted = reports::project_energy_carbon_between(
        conn,
        "2025-10-01T02:00:00+02:00",
        "2025-10-01 23:59:59",
    )
    .unwrap();
    assert_eq!(
        shifted,
        reports::project_energy_carbon_between(conn, DAY1, DAY2).unwrap()
    );

    let err = reports::machine_utilization_share(conn, DAY2, DAY1).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert!(
        err.message
            .starts_with("machine_utilization_share: window start"),
        "{}",
        err.message
    );

    let err = reports::user_contribution_window(conn, "today", DAY2).unwrap_err();
    assert_eq!(err.message, "user_contribution_window: invalid from 'today': expected an ISO 8601 UTC timestamp such as 2025-10-01T00:00:00Z or 2025-10-01T02:00:00+02:00");
}

#[test]
fn fresh_database_reads_are_empty() {
    let store = Store::open(":memory:", OpenOptions::default()).unwrap();
    let conn = store.connection();
    let views = [
        "v_ada_timeseries",
        "v_project_timeseries",
        "v_machine_timeseries",
        "v_user_timeseries",
        "v_project_totals",
        "v_machine_totals",
        "v_group_totals",
        "v_user_totals",
        "v_project_averages",
        "v_machine_averages",
        "v_group_averages",
        "v_user_averages",
        "v_active_workspaces",
        "v_user_project",
    ];

    for name in views {
        assert_eq!(reports::view(conn, name, name).unwrap(), "[]", "{name}");
    }
    assert_eq!(
        reports::project_energy_carbon_between(conn, DAY1, DAY2).unwrap(),
        "[]"
    );
    assert_eq!(
        reports::top_groups_by_energy(conn, DAY1, DAY2, 5).unwrap(),
        "[]"
    );
    assert_eq!(
        reports::user_contribution_window(conn, DAY1, DAY2).unwrap(),
        "[]"
    );
    assert_eq!(
        reports::machine_utilization_share(conn, DAY1, DAY2).unwrap(),
        "[]"
    );
    assert_eq!(reports::machine_intensity_trend(conn, "m1").unwrap(), "[]");
}

#[test]
fn equal_inputs_give_identical_json() {
    let first = dataset();
    let second = dataset();

    for name in [
        "v_project_totals",
        "v_group_averages",
        "v_user_project",
        "v_machine_timeseries",
    ] {
        let a = reports::view(first.connection(), name, name).unwrap();
        let b = reports::view(second.connection(), name, name).unwrap();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn whole_reals_stay_floats_in_json() {
    let store = dataset();

    let text =
        reports::project_energy_carbon_between(store.connection(), DAY2, "2025-10-03T00:00:00Z")
            .unwrap();

    assert_eq!(
        text,
        r#"[{"cloud_project_name":"beta","energy_kwh":50.0,"carbon_g":0.0}]"#
    );
}

/// Returns the `EXPLAIN QUERY PLAN` detail lines of `sql`.
fn plan(store: &Store, sql: &str, params: &[&str]) -> Vec<String> {
    let mut statement = store
        .connection()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    for (i, value) in params.iter().take(statement.parameter_count()).enumerate() {
        statement.raw_bind_parameter(i + 1, value).unwrap();
    }
    let mut rows = statement.raw_query();
    let mut details = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        details.push(row.get::<_, String>(3).unwrap());
    }
    details
}

#[test]
fn series_read_index_ranges() {
    let store = dataset();
    let cases = [
        (
            "SELECT * FROM v_project_timeseries WHERE cloud_project_name = ?1 ORDER BY ts",
            vec!["alpha"],
            "ux_fact_project (project_id=?)",
        ),
        (
            "SELECT * FROM v_machine_timeseries WHERE machine_name = ?1 ORDER BY ts",
            vec!["m1"],
            "ux_fact_machine (machine_id=?)",
        ),
        (
            "SELECT * FROM v_user_timeseries WHERE user_id = ?1 ORDER BY ts",
            vec!["u1"],
            "ux_fact_user (user_id=?)",
        ),
    ];

    for (sql, params, expected_index) in cases {
        let details = plan(&store, sql, &params);
        assert!(
            details.iter().any(|d| d.contains(expected_index)),
            "{sql}\n{details:?}"
        );
        assert!(
            !details.iter().any(|d| d.starts_with("SCAN f")),
            "{sql} scans the fact table: {details:?}"
        );
        assert!(
            !details
                .iter()
                .any(|d| d.contains("TEMP B-TREE FOR ORDER BY")),
            "{sql} sorts: {details:?}"
        );
    }
}

#[test]
fn window_reports_read_index_ranges() {
    let store = dataset();
    let cases = [
        (
            reports::PROJECT_ENERGY_CARBON_BETWEEN_SQL,
            "ix_fact_project_ts (ts>? AND ts<?)",
        ),
        (
            reports::TOP_GROUPS_BY_ENERGY_SQL,
            "ix_fact_user_ts (ts>? AND ts<?)",
        ),
        (
            reports::USER_CONTRIBUTION_WINDOW_SQL,
            "ix_fact_user_ts (ts>? AND ts<?)",
        ),
        (
            reports::MACHINE_UTILIZATION_SHARE_SQL,
            "ix_fact_machine_ts (ts>? AND ts<?)",
        ),
    ];

    for (sql, expected_index) in cases {
        let details = plan(&store, sql, &[DAY1, DAY2, "10"]);
        assert!(
            details.iter().any(|d| d.contains(expected_index)),
            "{sql}\n{details:?}"
        );
        assert!(
            !details.iter().any(|d| d.starts_with("SCAN f")),
            "{sql} scans the fact table: {details:?}"
        );
        let scanned: Vec<_> = details
            .iter()
            .filter(|d| d.starts_with("SCAN") && !d.starts_with("SCAN w"))
            .collect();
        assert!(scanned.is_empty(), "{sql} scans a table: {scanned:?}");
    }
}

#[test]
fn q_reads_views_by_name() {
    let store = dataset();

    let text = query::q(
        store.connection(),
        "SELECT cloud_project_name, busy_kwh + idle_kwh AS energy_kwh FROM v_project_totals ORDER BY energy_kwh DESC LIMIT 10",
        None,
    )
    .unwrap();

    assert_eq!(
        parse(&text),
        json!([{"cloud_project_name": "beta", "energy_kwh": 55.0}, {"cloud_project_name": "alpha", "energy_kwh": 9.0}])
    );
}
