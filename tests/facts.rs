//! Fact validation, upsert and the bulk paths.

use std::borrow::Cow;

use serde_json::{json, Value};
use usage_db::core::fact_json::bulk_insert_fact_usage_json;
use usage_db::core::facts::{bulk_insert_fact_usage, insert_fact_usage};
use usage_db::core::{query, reference, Error, FactInput, OpenOptions, Store, UsageDbStatus};

struct Fixture {
    store: Store,
    project: i64,
    machine: i64,
}

fn fixture() -> Fixture {
    let mut store = Store::open(":memory:", OpenOptions::default()).unwrap();
    let project = reference::get_or_create_project(&mut store, "alpha-cloud").unwrap();
    let machine = reference::get_or_create_machine(&mut store, "gpu-01").unwrap();
    reference::get_or_create_user(&mut store, "u123", Some("Ada"), Some("Research")).unwrap();
    Fixture {
        store,
        project,
        machine,
    }
}

fn fact<'a>(scope: &'a str, ts: &'a str) -> FactInput<'a> {
    FactInput {
        scope: Cow::Borrowed(scope),
        ts_iso_utc: Cow::Borrowed(ts),
        ..FactInput::default()
    }
}

fn rows(store: &Store, sql: &str) -> Value {
    serde_json::from_str(&query::q(store.connection(), sql, None).unwrap()).unwrap()
}

fn fact_count(store: &Store) -> Value {
    rows(store, "SELECT count(*) AS n FROM fact_usage")[0]["n"].clone()
}

#[test]
fn every_scope_inserts_with_its_key() {
    let mut f = fixture();

    let ada = insert_fact_usage(&mut f.store, &fact("ada", "2025-10-01T00:00:00Z")).unwrap();
    let project = insert_fact_usage(
        &mut f.store,
        &FactInput {
            project_id: Some(f.project),
            ..fact("project", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap();
    let machine = insert_fact_usage(
        &mut f.store,
        &FactInput {
            machine_id: Some(f.machine),
            ..fact("machine", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap();
    let user = insert_fact_usage(
        &mut f.store,
        &FactInput {
            user_id: Some("u123".into()),
            ..fact("user", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap();

    let ids = [ada, project, machine, user];
    assert_eq!(ids, [1, 2, 3, 4]);
    let expected = json!([
        {"scope": "ada", "project_id": null, "machine_id": null, "user_id": null},
        {"scope": "project", "project_id": f.project, "machine_id": null, "user_id": null},
        {"scope": "machine", "project_id": null, "machine_id": f.machine, "user_id": null},
        {"scope": "user", "project_id": null, "machine_id": null, "user_id": "u123"},
    ]);
    let sql = "SELECT scope, project_id, machine_id, user_id FROM fact_usage ORDER BY usage_id";
    assert_eq!(rows(&f.store, sql), expected);
}

#[test]
fn upsert_replaces_metrics_and_keeps_the_id() {
    let mut f = fixture();
    let first = FactInput {
        project_id: Some(f.project),
        metrics: [0.0, 0.0, 9.1, 1.2, 1700.0, 210.0],
        ..fact("project", "2025-10-01T00:00:00Z")
    };
    let again = FactInput {
        project_id: Some(f.project),
        metrics: [0.0, 0.0, 10.0, 1.0, 1800.0, 200.0],
        ..fact("project", "2025-10-01T01:00:00+01:00")
    };

    let id = insert_fact_usage(&mut f.store, &first).unwrap();
    assert_eq!(insert_fact_usage(&mut f.store, &again).unwrap(), id);

    let sql = "SELECT usage_id, ts, busy_kwh, idle_kwh, busy_gCo2eq, idle_gCo2eq FROM fact_usage";
    let expected = json!([{"usage_id": id, "ts": "2025-10-01T00:00:00Z", "busy_kwh": 10.0, "idle_kwh": 1.0, "busy_gCo2eq": 1800.0, "idle_gCo2eq": 200.0}]);
    assert_eq!(rows(&f.store, sql), expected);
}

#[test]
fn timestamp_spellings_share_one_key() {
    let mut f = fixture();

    for ts in [
        "2025-03-01T05:00:00Z",
        "2025-03-01 05:00:00Z",
        "2025-03-01T06:00:00+01:00",
        "2025-03-01T05:00:00.000Z",
    ] {
        insert_fact_usage(&mut f.store, &fact("ada", ts)).unwrap();
    }

    assert_eq!(
        rows(&f.store, "SELECT ts FROM fact_usage"),
        json!([{"ts": "2025-03-01T05:00:00Z"}])
    );
}

#[test]
fn scope_and_key_mismatches_are_rejected() {
    let mut f = fixture();
    let (p, m) = (f.project, f.machine);
    let cases: Vec<(FactInput, String)> = vec![
        (
            fact("platform", "2025-10-01T00:00:00Z"),
            "invalid scope 'platform': expected one of ada, project, machine, user".into(),
        ),
        (
            fact("project", "2025-10-01T00:00:00Z"),
            "scope 'project' requires project_id".into(),
        ),
        (
            FactInput {
                project_id: Some(p),
                machine_id: Some(m),
                ..fact("project", "2025-10-01T01:00:00Z")
            },
            format!("scope 'project' takes only project_id, but machine_id {m} was given"),
        ),
        (
            FactInput {
                project_id: Some(p),
                ..fact("ada", "2025-10-01T00:00:00Z")
            },
            format!("scope 'ada' takes no id, but project_id {p} was given"),
        ),
        (
            FactInput {
                user_id: Some("u123".into()),
                ..fact("machine", "2025-10-01T00:00:00Z")
            },
            "scope 'machine' takes only machine_id, but user_id 'u123' was given".into(),
        ),
        (
            FactInput {
                user_id: Some("".into()),
                ..fact("user", "2025-10-01T00:00:00Z")
            },
            "invalid user_id '': must not be empty".into(),
        ),
    ];

    for (input, expected) in cases {
        let err = insert_fact_usage(&mut f.store, &input).unwrap_err();
        assert_eq!(
            err.status,
            UsageDbStatus::InvalidArgument,
            "{}",
            err.message
        );
        assert_eq!(err.message, format!("insert_fact_usage: {expected}"));
    }
    assert_eq!(fact_count(&f.store), json!(0));
}

#[test]
fn bad_metrics_are_rejected_by_name() {
    let mut f = fixture();

    for (slot, bad) in [
        (0, f64::NAN),
        (2, -1.0),
        (4, f64::INFINITY),
        (5, f64::NEG_INFINITY),
    ] {
        let mut metrics = [0.0; 6];
        metrics[slot] = bad;
        let err = insert_fact_usage(
            &mut f.store,
            &FactInput {
                metrics,
                ..fact("ada", "2025-10-01T00:00:00Z")
            },
        )
        .unwrap_err();

        let name = usage_db::core::METRIC_NAMES[slot];
        assert_eq!(err.status, UsageDbStatus::InvalidArgument);
        assert_eq!(
            err.message,
            format!("insert_fact_usage: invalid {name} {bad}: must be a finite number >= 0")
        );
    }

    let err = insert_fact_usage(
        &mut f.store,
        &FactInput {
            intensity_gco2eq_kwh: Some(-3.0),
            ..fact("ada", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap_err();
    assert!(
        err.message.contains("invalid intensity_gCo2eq_kwh -3"),
        "{}",
        err.message
    );
    assert_eq!(fact_count(&f.store), json!(0));
}

#[test]
fn bad_timestamps_are_rejected_with_the_value() {
    let mut f = fixture();

    for ts in [
        "2025-03-01T05:00:00.500Z",
        "2025-13-01T00:00:00Z",
        "yesterday",
    ] {
        let err = insert_fact_usage(&mut f.store, &fact("ada", ts)).unwrap_err();
        assert_eq!(err.status, UsageDbStatus::InvalidArgument);
        assert!(
            err.message
                .starts_with(&format!("insert_fact_usage: invalid ts_iso_utc '{ts}'")),
            "{}",
            err.message
        );
    }
}

#[test]
fn unknown_references_are_not_found() {
    let mut f = fixture();

    let err = insert_fact_usage(
        &mut f.store,
        &FactInput {
            project_id: Some(404),
            ..fact("project", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap_err();
    assert_eq!(err.status, UsageDbStatus::NotFound);
    assert_eq!(
        err.message,
        "insert_fact_usage: project_id 404 not found; create it with get_or_create_project"
    );

    let err = insert_fact_usage(
        &mut f.store,
        &FactInput {
            user_id: Some("ghost".into()),
            ..fact("user", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap_err();
    assert_eq!(err.status, UsageDbStatus::NotFound);
    assert_eq!(
        err.message,
        "insert_fact_usage: user_id 'ghost' not found; create it with get_or_create_user"
    );
    assert_eq!(fact_count(&f.store), json!(0));
}

#[test]
fn negative_zero_is_stored_as_zero() {
    let mut f = fixture();

    insert_fact_usage(
        &mut f.store,
        &FactInput {
            metrics: [-0.0; 6],
            ..fact("ada", "2025-10-01T00:00:00Z")
        },
    )
    .unwrap();

    let text = query::q(
        f.store.connection(),
        "SELECT busy_kwh FROM fact_usage",
        None,
    )
    .unwrap();
    assert_eq!(text, r#"[{"busy_kwh":0.0}]"#);
}

#[test]
fn json_bulk_writes_every_row() {
    let mut f = fixture();
    let json = json!([
        {"scope": "project", "ts_iso_utc": "2025-10-01T01:00:00Z", "project_id": f.project, "busy_kwh": 7.0, "idle_kwh": 1.0, "busy_gCo2eq": 1200, "idle_gCo2eq": 190},
        {"scope": "machine", "ts_iso_utc": "2025-10-01T01:00:00Z", "machine_id": f.machine, "busy_cpu_seconds_total": 19000, "idle_cpu_seconds_total": 5000, "intensity_gCo2eq_kwh": null},
        {"scope": "user", "ts_iso_utc": "2025-10-01T01:00:00Z", "user_id": "u\u{0031}23", "project_id": null, "busy_kwh": 3.0},
        {"scope": "ada", "ts_iso_utc": "2025-10-01T01:00:00Z", "intensity_gCo2eq_kwh": 150.5}
    ]);

    let written = bulk_insert_fact_usage_json(&mut f.store, &json.to_string()).unwrap();

    assert_eq!(written, 4);
    let sql = "SELECT scope, busy_cpu_seconds_total, busy_kwh, busy_gCo2eq, intensity_gCo2eq_kwh FROM fact_usage ORDER BY usage_id";
    let expected = json!([
        {"scope": "project", "busy_cpu_seconds_total": 0.0, "busy_kwh": 7.0, "busy_gCo2eq": 1200.0, "intensity_gCo2eq_kwh": null},
        {"scope": "machine", "busy_cpu_seconds_total": 19000.0, "busy_kwh": 0.0, "busy_gCo2eq": 0.0, "intensity_gCo2eq_kwh": null},
        {"scope": "user", "busy_cpu_seconds_total": 0.0, "busy_kwh": 3.0, "busy_gCo2eq": 0.0, "intensity_gCo2eq_kwh": null},
        {"scope": "ada", "busy_cpu_seconds_total": 0.0, "busy_kwh": 0.0, "busy_gCo2eq": 0.0, "intensity_gCo2eq_kwh": 150.5},
    ]);
    assert_eq!(rows(&f.store, sql), expected);
}

#[test]
fn json_bulk_escaped_strings_are_decoded() {
    let mut f = fixture();
    reference::get_or_create_user(&mut f.store, "Zürich-λ-电", None, None).unwrap();

    let json = r#"[{"scope":"user","ts_iso_utc":"2025-10-01T00:00:00Z","user_id":"Z\u00fcrich-\u03bb-\u7535"}]"#;
    bulk_insert_fact_usage_json(&mut f.store, json).unwrap();

    assert_eq!(
        rows(&f.store, "SELECT user_id FROM fact_usage"),
        json!([{"user_id": "Zürich-λ-电"}])
    );
}

/// Runs a JSON batch that must fail, and checks that nothing of it was stored.
fn rejected_batch(f: &mut Fixture, json: &str) -> Error {
    let before = fact_count(&f.store);
    let err = bulk_insert_fact_usage_json(&mut f.store, json).unwrap_err();
    assert_eq!(
        fact_count(&f.store),
        before,
        "a rejected batch left rows behind"
    );
    err
}

#[test]
fn json_bulk_is_all_or_nothing() {
    let mut f = fixture();
    let good = r#"{"scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z"}"#;
    let cases = [
        (format!(r#"[{good},{{"scope":"ada","ts_iso_utc":"2025-10-01T01:00:00Z","busy_kwh":-1}}]"#), UsageDbStatus::InvalidArgument, "bulk_insert_fact_usage: row 1: invalid busy_kwh -1: must be a finite number >= 0"),
        (format!(r#"[{good},{good},{{"scope":"project","ts_iso_utc":"2025-10-01T00:00:00Z","project_id":999}}]"#), UsageDbStatus::NotFound, "bulk_insert_fact_usage: row 2: project_id 999 not found; create it with get_or_create_project"),
        (format!(r#"[{good},{{"scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z","busy_kwh":"7"}}]"#), UsageDbStatus::InvalidArgument, "row 1: busy_kwh: invalid type: string \"7\""),
        (format!(r#"[{good},{{"scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z","colour":1}}]"#), UsageDbStatus::InvalidArgument, "row 1: unknown field 'colour'"),
        (format!(r#"[{good},{{"ts_iso_utc":"2025-10-01T00:00:00Z"}}]"#), UsageDbStatus::InvalidArgument, "row 1: missing field 'scope'"),
        (format!(r#"[{good},{{"scope":"ada","scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z"}}]"#), UsageDbStatus::InvalidArgument, "row 1: field 'scope' appears twice"),
        (format!(r#"[{good},{good}"#), UsageDbStatus::InvalidArgument, "invalid JSON rows"),
        (format!(r#"[{good}] trailing"#), UsageDbStatus::InvalidArgument, "invalid JSON rows"),
        (format!(r#"[{good},{{"scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z","busy_kwh":NaN}}]"#), UsageDbStatus::InvalidArgument, "invalid JSON rows"),
        (format!(r#"[{good},{{"scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z","busy_kwh":1e999}}]"#), UsageDbStatus::InvalidArgument, "row 1: busy_kwh"),
        (r#"{"scope":"ada"}"#.to_owned(), UsageDbStatus::InvalidArgument, "expected an array of row objects"),
        (r#"[[1,2]]"#.to_owned(), UsageDbStatus::InvalidArgument, "row 0 to be an object"),
    ];

    for (json, status, expected) in cases {
        let err = rejected_batch(&mut f, &json);
        assert_eq!(err.status, status, "{json}: {}", err.message);
        assert!(
            err.message.contains(expected),
            "{json}\n  got: {}\n  expected to contain: {expected}",
            err.message
        );
        assert!(
            err.message.starts_with("bulk_insert_fact_usage: "),
            "{}",
            err.message
        );
    }
}

#[test]
fn json_bulk_empty_array_writes_nothing() {
    let mut f = fixture();
    assert_eq!(bulk_insert_fact_usage_json(&mut f.store, "[]").unwrap(), 0);
    assert_eq!(
        bulk_insert_fact_usage_json(&mut f.store, " [ ] ").unwrap(),
        0
    );
}

#[test]
fn typed_bulk_is_all_or_nothing() {
    let mut f = fixture();
    let good = fact("ada", "2025-10-01T00:00:00Z");
    let bad = FactInput {
        machine_id: Some(f.machine),
        ..fact("ada", "2025-10-01T01:00:00Z")
    };

    let err = bulk_insert_fact_usage(&mut f.store, [Ok(good.clone()), Ok(good.clone()), Ok(bad)])
        .unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert_eq!(
        err.message,
        format!(
            "bulk_insert_fact_usage: row 2: scope 'ada' takes no id, but machine_id {} was given",
            f.machine
        )
    );
    assert_eq!(fact_count(&f.store), json!(0));

    assert_eq!(bulk_insert_fact_usage(&mut f.store, [Ok(good)]).unwrap(), 1);
    assert_eq!(fact_count(&f.store), json!(1));
}

#[test]
fn bulk_joins_the_callers_transaction() {
    let mut f = fixture();
    let rows_json = r#"[{"scope":"ada","ts_iso_utc":"2025-10-01T00:00:00Z"},{"scope":"ada","ts_iso_utc":"2025-10-01T01:00:00Z"}]"#;

    f.store.begin().unwrap();
    bulk_insert_fact_usage_json(&mut f.store, rows_json).unwrap();
    let failed = bulk_insert_fact_usage_json(
        &mut f.store,
        r#"[{"scope":"ada","ts_iso_utc":"2025-10-01T02:00:00Z"},{"scope":"bad","ts_iso_utc":"x"}]"#,
    );
    assert!(failed.is_err());
    assert_eq!(
        f.store.depth(),
        1,
        "a failed batch must not end the caller's transaction"
    );
    assert_eq!(fact_count(&f.store), json!(2));
    f.store.rollback().unwrap();

    assert_eq!(fact_count(&f.store), json!(0));
}

#[test]
fn database_rejects_rows_the_library_would_reject() {
    let f = fixture();
    let conn = f.store.connection();
    let bad_rows = [
        "INSERT INTO fact_usage (ts, scope) VALUES ('2025-10-01T00:00:00Z', 'project')",
        "INSERT INTO fact_usage (ts, scope, busy_kwh) VALUES ('2025-10-01T00:00:00Z', 'ada', -1)",
        "INSERT INTO fact_usage (ts, scope, busy_kwh) VALUES ('2025-10-01T00:00:00Z', 'ada', 'abc')",
        "INSERT INTO fact_usage (ts, scope, busy_kwh) VALUES ('2025-10-01T00:00:00Z', 'ada', 1e999)",
        "INSERT INTO fact_usage (ts, scope) VALUES ('2025-10-01 00:00:00', 'ada')",
        "INSERT INTO fact_usage (ts, scope) VALUES ('2030-99-99T99:99:99Z', 'ada')",
        "INSERT INTO fact_usage (ts, scope) VALUES ('2025-02-30T00:00:00Z', 'ada')",
        "INSERT INTO fact_usage (ts, scope) VALUES ('2025-10-01T00:00:00+01:00', 'ada')",
        "INSERT INTO fact_usage (ts, scope, user_id) VALUES ('2025-10-01T00:00:00Z', 'user', 'ghost')",
    ];

    for sql in bad_rows {
        assert!(conn.execute(sql, []).is_err(), "the schema accepted: {sql}");
    }
    assert_eq!(fact_count(&f.store), json!(0));
}
