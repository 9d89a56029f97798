//! The SQL escape hatch: `q` reads and rejects anything else; `execute_write` writes.

use serde_json::{json, Value};
use usage_db::core::query::{execute_write, q};
use usage_db::core::{reference, OpenOptions, Store, UsageDbStatus};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("usage_db_query_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn q_rejects_writes_leaving_file_unchanged() {
    let dir = temp_dir("guard");
    let path = dir.join("usage.db");
    let mut store = Store::open(path.to_str().unwrap(), OpenOptions::default()).unwrap();
    reference::get_or_create_project(&mut store, "alpha").unwrap();
    store
        .connection()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let attached = dir.join("attached.db");
    let vacuumed = dir.join("copy.db");

    let rejected = [
        "DELETE FROM dim_project".to_owned(),
        "SELECT 1; DELETE FROM dim_project".to_owned(),
        "WITH x AS (SELECT 1) DELETE FROM dim_project".to_owned(),
        "DROP TABLE fact_usage".to_owned(),
        "CREATE TEMP TABLE scratch (x)".to_owned(),
        "UPDATE dim_project SET cloud_project_name = 'x'".to_owned(),
        "INSERT INTO dim_group (group_name) VALUES ('g')".to_owned(),
        format!("ATTACH '{}' AS other", attached.display()),
        "PRAGMA journal_mode=DELETE".to_owned(),
        "PRAGMA foreign_keys=OFF".to_owned(),
        "PRAGMA user_version=99".to_owned(),
        format!("VACUUM INTO '{}'", vacuumed.display()),
        "VACUUM".to_owned(),
        "BEGIN".to_owned(),
        "COMMIT".to_owned(),
        "SAVEPOINT s".to_owned(),
        "ANALYZE".to_owned(),
        "REINDEX".to_owned(),
    ];

    for sql in &rejected {
        let err = q(store.connection(), sql, None).unwrap_err();
        let expected = UsageDbStatus::ReadOnlyViolation;
        assert_eq!(err.status, expected, "{sql}: {}", err.message);
        assert!(err.message.starts_with("q: "), "{}", err.message);
    }

    assert_eq!(
        parse(
            &q(
                store.connection(),
                "SELECT cloud_project_name FROM dim_project",
                None
            )
            .unwrap()
        ),
        json!([{"cloud_project_name": "alpha"}])
    );
    assert!(!attached.exists(), "ATTACH created a file");
    assert!(!vacuumed.exists(), "VACUUM INTO created a file");
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the database file changed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reporting_pragmas_are_allowed() {
    let store = Store::open(":memory:", OpenOptions::default()).unwrap();

    let columns = parse(&q(store.connection(), "PRAGMA table_info(dim_group)", None).unwrap());
    assert_eq!(columns[1]["name"], json!("group_name"));

    let version = parse(&q(store.connection(), "PRAGMA user_version", None).unwrap());
    assert_eq!(version, json!([{"user_version": 1}]));
}

#[test]
fn positional_and_named_params_bind() {
    let store = Store::open(":memory:", OpenOptions::default()).unwrap();
    let conn = store.connection();

    let positional = q(
        conn,
        "SELECT ?1 AS a, ?2 AS b, ?3 AS c, ?4 AS d, ?5 AS e",
        Some(r#"[1, 2.5, "x", null, true]"#),
    )
    .unwrap();
    assert_eq!(positional, r#"[{"a":1,"b":2.5,"c":"x","d":null,"e":1}]"#);

    let named = q(
        conn,
        "SELECT :a AS a, @b AS b, $c AS c",
        Some(r#"{"a": 9007199254740993, "@b": "Zürich-λ-电", "c": -0.5}"#),
    )
    .unwrap();
    assert_eq!(
        named,
        r#"[{"a":9007199254740993,"b":"Zürich-λ-电","c":-0.5}]"#
    );

    assert_eq!(
        q(conn, "SELECT 1 AS one", Some("null")).unwrap(),
        r#"[{"one":1}]"#
    );
    assert_eq!(q(conn, "SELECT 1 AS one WHERE 0", None).unwrap(), "[]");
    assert_eq!(
        q(conn, "SELECT x'00ff' AS b", None).unwrap(),
        r#"[{"b":"00ff"}]"#
    );
}

#[test]
fn bad_params_are_invalid_arguments() {
    let store = Store::open(":memory:", OpenOptions::default()).unwrap();
    let conn = store.connection();
    let cases = [
        ("SELECT ?1", None, "q: the statement has 1 parameter(s) but no params were given"),
        ("SELECT ?1", Some("[1, 2]"), "q: the statement has 1 parameter(s) but params has 2 value(s)"),
        ("SELECT :a", Some(r#"{"b": 1}"#), "q: params has no value for parameter :a"),
        ("SELECT :a", Some(r#"{"a": 1, "b": 2}"#), "q: params key 'b' matches no parameter in the statement"),
        ("SELECT ?", Some(r#"{"a": 1}"#), "q: parameter 1 is positional; pass params as a JSON array"),
        ("SELECT ?1", Some("[[1]]"), "q: invalid params[0] [1]: expected null, a boolean, a number in the 64-bit integer range or a string"),
        ("SELECT ?1", Some("[18446744073709551615]"), "q: invalid params[0] 18446744073709551615"),
        ("SELECT ?1", Some("[1"), "q: invalid params JSON '[1'"),
        ("SELECT ?1", Some("7"), "q: invalid params '7': expected a JSON array (positional) or object (named)"),
    ];

    for (sql, params, expected) in cases {
        let err = q(conn, sql, params).unwrap_err();
        assert_eq!(
            err.status,
            UsageDbStatus::InvalidArgument,
            "{sql} {params:?}: {}",
            err.message
        );
        assert!(
            err.message.starts_with(expected),
            "got: {}\nexpected: {expected}",
            err.message
        );
    }
}

#[test]
fn broken_sql_is_an_sql_error() {
    let store = Store::open(":memory:", OpenOptions::default()).unwrap();

    for sql in ["SELEKT 1", "SELECT * FROM no_such_table", ""] {
        let err = q(store.connection(), sql, None).unwrap_err();
        assert!(
            matches!(
                err.status,
                UsageDbStatus::SqlError | UsageDbStatus::InvalidArgument
            ),
            "{sql}: {:?} {}",
            err.status,
            err.message
        );
        assert!(err.message.starts_with("q: "), "{}", err.message);
    }
    let err = q(store.connection(), "SELECT * FROM no_such_table", None).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::SqlError);
    assert!(
        err.message.contains("no such table: no_such_table"),
        "{}",
        err.message
    );
}

#[test]
fn execute_write_changes_rows_atomically() {
    let mut store = Store::open(":memory:", OpenOptions::default()).unwrap();
    reference::get_or_create_project(&mut store, "alpha").unwrap();
    reference::get_or_create_project(&mut store, "beta").unwrap();

    let changed = execute_write(&mut store, "UPDATE dim_project SET cloud_project_name = upper(cloud_project_name) WHERE project_id >= ?1", Some("[1]")).unwrap();
    assert_eq!(changed, 2);
    let names = parse(
        &q(
            store.connection(),
            "SELECT cloud_project_name FROM dim_project ORDER BY 1",
            None,
        )
        .unwrap(),
    );
    assert_eq!(
        names,
        json!([{"cloud_project_name": "ALPHA"}, {"cloud_project_name": "BETA"}])
    );

    let err = execute_write(
        &mut store,
        "UPDATE dim_project SET cloud_project_name = 'same'",
        None,
    )
    .unwrap_err();
    assert_eq!(err.status, UsageDbStatus::Constraint);
    let names = parse(
        &q(
            store.connection(),
            "SELECT cloud_project_name FROM dim_project ORDER BY 1",
            None,
        )
        .unwrap(),
    );
    assert_eq!(
        names,
        json!([{"cloud_project_name": "ALPHA"}, {"cloud_project_name": "BETA"}]),
        "a failed write left a partial change"
    );

    for sql in ["COMMIT", "BEGIN", "ATTACH ':memory:' AS x"] {
        let err = execute_write(&mut store, sql, None).unwrap_err();
        assert_eq!(err.status, UsageDbStatus::SqlError, "{sql}");
    }
    assert_eq!(store.depth(), 0);
}

#[test]
fn execute_write_still_enforces_the_schema() {
    let mut store = Store::open(":memory:", OpenOptions::default()).unwrap();

    let err = execute_write(
        &mut store,
        "INSERT INTO fact_usage (ts, scope, busy_kwh) VALUES ('2025-10-01T00:00:00Z', 'ada', -5)",
        None,
    )
    .unwrap_err();

    assert_eq!(err.status, UsageDbStatus::Constraint);
    assert!(
        err.message.contains("CHECK constraint failed"),
        "{}",
        err.message
    );
}
