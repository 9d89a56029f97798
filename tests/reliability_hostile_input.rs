//! Hostile input and extreme values: sums that overflow, negative zero, very long names,
//! names in many scripts, NUL characters, deep nesting, huge numbers and wrong JSON types.
//! Each is either stored and read back exactly or rejected with a status and a message
//! naming the field, with nothing of the batch written.

mod common;

use std::ffi::CString;

use common::*;
use serde_json::Value;
use usage_db::core::{fact_json, facts, query, reference, reports, time, FactInput, Store};
use usage_db::ffi;
use usage_db::UsageDbStatus;

fn memory_store() -> Store {
    open_store(":memory:")
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("not valid JSON ({e}): {json}"))
}

/// Runs every report over the whole history and returns (name, JSON text) pairs.
fn all_reports(store: &Store) -> Vec<(&'static str, String)> {
    let conn = store.connection();
    let from = "2000-01-01T00:00:00Z";
    let to = "2100-01-01T00:00:00Z";
    let views = [
        "v_ada_timeseries",
        "v_machine_timeseries",
        "v_machine_totals",
        "v_machine_averages",
        "v_user_totals",
        "v_user_averages",
        "v_group_totals",
        "v_group_averages",
    ];

    let mut out: Vec<(&'static str, String)> = views
        .iter()
        .map(|&view| (view, reports::view(conn, view, view).expect(view)))
        .collect();
    let windowed = [
        (
            "machine_utilization_share",
            reports::machine_utilization_share(conn, from, to),
        ),
        (
            "user_contribution_window",
            reports::user_contribution_window(conn, from, to),
        ),
        (
            "top_groups_by_energy",
            reports::top_groups_by_energy(conn, from, to, 10),
        ),
        (
            "machine_intensity_trend",
            reports::machine_intensity_trend(conn, "big"),
        ),
    ];
    for (name, result) in windowed {
        out.push((name, result.unwrap_or_else(|e| panic!("{name}: {e}"))));
    }
    out
}

// ---- Extreme values ----

#[test]
fn overflowing_sums_stay_valid_json() {
    let mut store = memory_store();
    let machine = reference::get_or_create_machine(&mut store, "big").unwrap();
    reference::get_or_create_user(&mut store, "u1", None, Some("g1")).unwrap();
    let mut rows: Vec<FactInput> = (0..3)
        .map(|hour| machine_fact(machine, hour, 1e308, f64::MAX))
        .collect();
    for hour in 0..3 {
        rows.push(user_fact("u1", hour, 1e308));
    }
    facts::bulk_insert_fact_usage(&mut store, rows.into_iter().map(Ok)).expect("1e308 is valid");

    for (name, json) in all_reports(&store) {
        parse(&json);
        assert!(
            !json.contains("inf") && !json.contains("NaN"),
            "{name}: {json}"
        );
    }

    // The true sums exceed f64::MAX; a non-finite REAL is documented to read as null.
    let totals = parse(&reports::view(store.connection(), "t", "v_machine_totals").unwrap());
    assert_eq!(
        totals[0]["busy_kwh"],
        Value::Null,
        "overflowed busy_kwh sum"
    );
    assert_eq!(
        totals[0]["idle_kwh"],
        Value::Null,
        "overflowed idle_kwh sum"
    );
    let series = parse(&reports::machine_timeseries(store.connection(), "big").unwrap());
    assert_eq!(
        series[0]["busy_kwh"], 1e308,
        "a single fact reads back exactly"
    );
}

fn user_fact(user: &str, hour: i64, busy_kwh: f64) -> FactInput<'static> {
    FactInput {
        scope: "user".into(),
        ts_iso_utc: hour_ts(hour).into(),
        project_id: None,
        machine_id: None,
        user_id: Some(user.to_owned().into()),
        metrics: [0.0, 0.0, busy_kwh, 0.0, 0.0, 0.0],
        intensity_gco2eq_kwh: None,
    }
}

#[test]
fn negative_zero_reads_back_as_zero() {
    let db = Db::open(":memory:").unwrap();
    let machine = db.machine_id("m").unwrap();
    let rows = format!(
        r#"[{{"scope":"machine","machine_id":{machine},"ts_iso_utc":"2025-01-01T00:00:00Z","busy_kwh":-0.0,"idle_kwh":-0,"intensity_gCo2eq_kwh":-0.0}}]"#
    );
    db.bulk_json(&rows).expect("JSON -0.0 is accepted");
    let ts = c_string("2025-01-01T01:00:00Z");
    let mut fact = machine_fact_struct(machine, &ts, -0.0);
    fact.has_intensity = true;
    fact.intensity_gCo2eq_kwh = -0.0;
    // SAFETY: the handle is live and the struct's strings outlive the call.
    check(unsafe { ffi::usage_db_insert_fact_usage(db.raw(), &fact, std::ptr::null_mut()) })
        .expect("struct -0.0 is accepted");

    let json = db.read(ffi::usage_db_machine_totals).unwrap();
    let series = db
        .q(
            "SELECT busy_kwh, idle_kwh, intensity_gCo2eq_kwh FROM v_machine_timeseries",
            None,
        )
        .unwrap();

    assert!(!series.contains("-0"), "negative zero in {series}");
    assert!(!json.contains("-0"), "negative zero in {json}");
    for row in parse(&series).as_array().unwrap() {
        assert_eq!(row["busy_kwh"], 0.0);
        assert_eq!(row["intensity_gCo2eq_kwh"], 0.0);
    }
}

#[test]
fn huge_and_tiny_numbers() {
    let db = Db::open(":memory:").unwrap();
    let machine = db.machine_id("m").unwrap();
    let row = |hour: i64, field: &str, value: &str| {
        format!(
            r#"[{{"scope":"machine","machine_id":{machine},"ts_iso_utc":"{}","{field}":{value}}}]"#,
            hour_ts(hour)
        )
    };

    let accepted = [
        ("busy_kwh", "1.7976931348623157e308", f64::MAX),
        ("busy_kwh", "5e-324", 5e-324),
        ("busy_kwh", "18446744073709551615", 18446744073709551615.0),
        ("idle_kwh", "1e-320", 1e-320),
    ];
    for (hour, (field, text, value)) in accepted.iter().enumerate() {
        db.bulk_json(&row(hour as i64, field, text))
            .unwrap_or_else(|f| panic!("{field} {text}: {f:?}"));
        let read = db
            .q(
                &format!("SELECT {field} AS v FROM fact_usage WHERE ts = ?"),
                Some(&format!(r#"["{}"]"#, hour_ts(hour as i64))),
            )
            .unwrap();
        assert_eq!(
            parse(&read)[0]["v"].as_f64(),
            Some(*value),
            "{field} {text}"
        );
    }

    let rejected = [
        ("busy_kwh", "1e400"),
        ("busy_kwh", "-1e400"),
        ("busy_kwh", "-5e-324"),
        ("machine_id", "9223372036854775808"),
        ("machine_id", "-9223372036854775809"),
        ("machine_id", "1e3"),
    ];
    for (field, text) in rejected {
        let failure = db.bulk_json(&row(100, field, text)).err();
        let failure = failure.unwrap_or_else(|| panic!("{field} {text} was accepted"));
        assert_eq!(
            failure.status,
            UsageDbStatus::InvalidArgument,
            "{field} {text}"
        );
        assert!(
            failure.message.contains("row 0"),
            "{field} {text}: {}",
            failure.message
        );
    }
    assert_eq!(
        db.q_i64("SELECT count(*) FROM fact_usage"),
        accepted.len() as i64
    );
}

// ---- Names ----

#[test]
fn ten_thousand_character_names_round_trip() {
    let ascii = "n".repeat(10_000);
    let wide = "能".repeat(10_000);
    let mut store = memory_store();

    for name in [&ascii, &wide] {
        let machine = reference::get_or_create_machine(&mut store, name).unwrap();
        assert_eq!(
            reference::get_or_create_machine(&mut store, name).unwrap(),
            machine
        );
        facts::insert_fact_usage(&mut store, &machine_fact(machine, 0, 1.0, 0.0)).unwrap();
        reference::get_or_create_user(&mut store, name, Some(name), Some(name)).unwrap();
        facts::insert_fact_usage(&mut store, &user_fact(name, 0, 2.0)).unwrap();

        let series = parse(&reports::machine_timeseries(store.connection(), name).unwrap());
        assert_eq!(series[0]["machine_name"].as_str(), Some(name.as_str()));
        let groups = parse(&reports::view(store.connection(), "g", "v_group_totals").unwrap());
        let group = groups
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group_name"].as_str() == Some(name.as_str()));
        assert_eq!(group.map(|g| g["busy_kwh"].clone()), Some(2.0.into()));
    }
}

const SCRIPTS: [&str; 12] = [
    "Zürich-Ærø-Łódź",
    "Ελληνικά-λ",
    "计算节点-七",
    "ノード東京",
    "한국어-노드",
    "خادم-العربية",
    "עברית",
    "देवनागरी",
    "🚀⚡🌍",
    "👩‍👩‍👧",
    "e\u{301}\u{301}",
    "\u{202e}rtl-override",
];

#[test]
fn names_in_many_scripts_round_trip_through_c() {
    let db = Db::open(":memory:").unwrap();

    for name in SCRIPTS {
        let machine = db.machine_id(name).unwrap();
        let ts = c_string("2025-01-01T00:00:00Z");
        // SAFETY: the handle is live and the struct's strings outlive the call.
        let status = unsafe {
            ffi::usage_db_insert_fact_usage(
                db.raw(),
                &machine_fact_struct(machine, &ts, 1.0),
                std::ptr::null_mut(),
            )
        };
        check(status).unwrap();
    }

    let totals = parse(&db.read(ffi::usage_db_machine_totals).unwrap());
    let names: Vec<&str> = totals
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["machine_name"].as_str().unwrap())
        .collect();
    for name in SCRIPTS {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}

#[test]
fn json_escapes_in_names_decode_exactly() {
    let mut store = memory_store();
    reference::get_or_create_user(&mut store, "🚀", None, None).unwrap();
    reference::get_or_create_user(&mut store, "é", None, None).unwrap();
    let rows = r#"[{"scope":"user","user_id":"\ud83d\ude80","ts_iso_utc":"2025-01-01T00:00:00Z"},
                   {"scope":"user","user_id":"\u00e9","ts_iso_utc":"2025-01-01T00:00:00Z"}]"#;

    assert_eq!(
        fact_json::bulk_insert_fact_usage_json(&mut store, rows),
        Ok(2)
    );
    assert_eq!(
        query_i64(
            &store,
            "SELECT count(*) FROM fact_usage WHERE user_id = '🚀'"
        ),
        1
    );
}

#[test]
fn invalid_utf8_through_c_is_rejected() {
    let db = Db::open(":memory:").unwrap();
    let bad = CString::new(vec![b'm', 0xff, 0xfe]).unwrap();
    let mut id = 0;

    // SAFETY: the handle is live and every pointer is valid for the call.
    let status = unsafe { ffi::usage_db_get_or_create_machine(db.raw(), bad.as_ptr(), &mut id) };
    let failure = check(status).unwrap_err();

    assert_eq!(failure.status, UsageDbStatus::InvalidArgument);
    assert!(failure.message.contains("UTF-8"), "{}", failure.message);
    assert_eq!(db.q_i64("SELECT count(*) FROM dim_machine"), 0);
}

// ---- Rejected JSON ----

/// Sends `rows` after one valid row, so a rejected batch also proves that the valid row
/// was not kept, and checks the status and that the message contains `expected`.
fn assert_batch_rejected(db: &Db, bad_row: &str, expected: &str) {
    let rows = format!(
        r#"[{{"scope":"ada","ts_iso_utc":"2025-01-01T00:00:00Z","busy_kwh":1.0}},{bad_row}]"#
    );
    assert_rejected(db, &rows, expected);
}

fn assert_rejected(db: &Db, rows: &str, expected: &str) {
    let preview: String = rows.chars().take(120).collect();
    let failure = db
        .bulk_json(rows)
        .err()
        .unwrap_or_else(|| panic!("accepted: {preview}"));

    assert_eq!(
        failure.status,
        UsageDbStatus::InvalidArgument,
        "{preview}: {}",
        failure.message
    );
    assert!(
        failure.message.contains(expected),
        "{preview}: message '{}' lacks '{expected}'",
        failure.message
    );
    assert_eq!(
        db.q_i64("SELECT count(*) FROM fact_usage"),
        0,
        "{preview}: rows kept"
    );
}

#[test]
fn nul_inside_json_strings_is_rejected() {
    let db = Db::open(":memory:").unwrap();
    let user = c_string("u1");
    // SAFETY: the handle is live and every pointer is valid for the call.
    let status = unsafe {
        ffi::usage_db_get_or_create_user(
            db.raw(),
            user.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    check(status).unwrap();

    let cases = [
        (
            r#"{"scope":"user","user_id":"u1\u0000x","ts_iso_utc":"2025-01-01T01:00:00Z"}"#,
            "user_id",
        ),
        (
            r#"{"scope":"ada\u0000","ts_iso_utc":"2025-01-01T01:00:00Z"}"#,
            "scope",
        ),
        (
            r#"{"scope":"ada","ts_iso_utc":"2025-01-01T01:00:00Z\u0000"}"#,
            "ts_iso_utc",
        ),
    ];
    for (row, field) in cases {
        assert_batch_rejected(&db, row, field);
        assert_batch_rejected(&db, row, "row 1");
    }
}

#[test]
fn nul_in_query_parameters_is_escaped_in_results() {
    let db = Db::open(":memory:").unwrap();

    let json = db.q("SELECT ? AS v", Some(r#"["a\u0000b"]"#)).unwrap();

    assert_eq!(parse(&json)[0]["v"], "a\u{0}b");
}

#[test]
fn deeply_nested_json_is_rejected() {
    let db = Db::open(":memory:").unwrap();
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));

    assert_rejected(&db, &nested, "invalid JSON rows");
    assert_batch_rejected(
        &db,
        &format!(r#"{{"scope":{nested},"ts_iso_utc":"2025-01-01T01:00:00Z"}}"#),
        "row 1",
    );

    let failure = db.q("SELECT ? AS v", Some(&nested)).unwrap_err();
    assert_eq!(
        failure.status,
        UsageDbStatus::InvalidArgument,
        "{}",
        failure.message
    );
    let objects = format!("{}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let failure = db.q("SELECT :a AS v", Some(&objects)).unwrap_err();
    assert_eq!(
        failure.status,
        UsageDbStatus::InvalidArgument,
        "{}",
        failure.message
    );
}

#[test]
fn wrong_json_types_are_rejected() {
    let db = Db::open(":memory:").unwrap();
    let ts = r#""ts_iso_utc":"2025-01-01T01:00:00Z""#;

    let bad_rows = [
        (format!(r#"{{"scope":1,{ts}}}"#), "scope"),
        (
            r#"{"scope":"ada","ts_iso_utc":20250101}"#.to_owned(),
            "ts_iso_utc",
        ),
        (
            format!(r#"{{"scope":"ada",{ts},"busy_kwh":"1.0"}}"#),
            "busy_kwh",
        ),
        (
            format!(r#"{{"scope":"ada",{ts},"idle_kwh":true}}"#),
            "idle_kwh",
        ),
        (
            format!(r#"{{"scope":"ada",{ts},"busy_gCo2eq":[1.0]}}"#),
            "busy_gCo2eq",
        ),
        (
            format!(r#"{{"scope":"ada",{ts},"intensity_gCo2eq_kwh":{{}}}}"#),
            "intensity_gCo2eq_kwh",
        ),
        (
            format!(r#"{{"scope":"project",{ts},"project_id":1.5}}"#),
            "project_id",
        ),
        (
            format!(r#"{{"scope":"machine",{ts},"machine_id":"7"}}"#),
            "machine_id",
        ),
        (format!(r#"{{"scope":"user",{ts},"user_id":7}}"#), "user_id"),
        (format!(r#"{{"scope":"ada",{ts},"busy_kwh":NaN}}"#), "row 1"),
        (
            format!(r#"{{"scope":"ada",{ts},"busy_kwh":-1.0}}"#),
            "busy_kwh",
        ),
        (format!(r#"{{"scope":"galaxy",{ts}}}"#), "scope"),
        (
            r#"{"scope":"ada","ts_iso_utc":"2025-02-30T00:00:00Z"}"#.to_owned(),
            "ts_iso_utc",
        ),
        ("1".to_owned(), "row 1"),
        ("\"row\"".to_owned(), "row 1"),
        ("[]".to_owned(), "row 1"),
        ("null".to_owned(), "row 1"),
        ("{}".to_owned(), "row 1"),
    ];
    for (row, expected) in &bad_rows {
        assert_batch_rejected(&db, row, expected);
    }

    let bad_documents = [
        "",
        "   ",
        "{}",
        r#"{"scope":"ada"}"#,
        "[",
        "[] x",
        "[{}",
        "[1,]",
        "\u{feff}[]",
    ];
    for rows in bad_documents {
        assert_rejected(&db, rows, "bulk_insert_fact_usage");
    }
}

#[test]
fn wrong_query_parameter_types_are_rejected() {
    let db = Db::open(":memory:").unwrap();

    for params in ["1", "\"x\"", "[[1]]", r#"{"a":{"b":1}}"#, "[1,", "[1,2]"] {
        let failure = db.q("SELECT ? AS v", Some(params)).err();
        let failure = failure.unwrap_or_else(|| panic!("params {params} accepted"));
        assert_eq!(
            failure.status,
            UsageDbStatus::InvalidArgument,
            "{params}: {}",
            failure.message
        );
    }
    assert_eq!(
        db.q("SELECT ? AS v", Some("[1e308]")).unwrap(),
        r#"[{"v":1e308}]"#
    );
    assert_eq!(
        db.q("SELECT ? AS v", Some("[9223372036854775807]"))
            .unwrap(),
        r#"[{"v":9223372036854775807}]"#
    );
}

// ---- Large batches ----

/// Writes one million rows through the streaming JSON reader. It takes several seconds in
/// release mode, so only `make stress` runs it.
#[test]
#[ignore = "takes several seconds; `make stress` runs it"]
fn stress_million_row_json_batch() {
    const ROWS: usize = 1_000_000;
    let dir = ScratchDir::new("million");
    let db = Db::open(&dir.file("usage.db")).unwrap();
    let machine = db.machine_id("m").unwrap();
    let rows = machine_facts_json(machine, 0, ROWS);

    let started = std::time::Instant::now();
    let written = db.bulk_json(&rows).expect("one million rows");
    eprintln!("{ROWS} JSON rows written in {:?}", started.elapsed());

    assert_eq!(written, ROWS);
    assert_eq!(db.q_i64("SELECT count(*) FROM fact_usage"), ROWS as i64);
    assert_eq!(
        db.q_i64("SELECT CAST(total(busy_kwh) AS INTEGER) FROM fact_usage"),
        ROWS as i64
    );
}

/// A large batch that fails on its last row writes nothing.
#[test]
fn large_batch_failing_on_last_row_writes_nothing() {
    let mut store = memory_store();
    let machine = reference::get_or_create_machine(&mut store, "m").unwrap();
    let mut rows = machine_facts_json(machine, 0, 50_000);
    rows.pop();
    rows.push_str(r#",{"scope":"machine","machine_id":999,"ts_iso_utc":"2025-01-01T00:00:00Z"}]"#);

    let err = fact_json::bulk_insert_fact_usage_json(&mut store, &rows).unwrap_err();

    assert_eq!(err.status, UsageDbStatus::NotFound, "{}", err.message);
    assert!(err.message.contains("row 50000"), "{}", err.message);
    assert_eq!(fact_count(&store), 0);
    assert_eq!(
        query::q(
            store.connection(),
            "SELECT count(*) AS n FROM fact_usage",
            None
        )
        .unwrap(),
        r#"[{"n":0}]"#
    );
}

// ---- Timestamps at the edges ----

#[test]
fn timestamps_outside_stored_range_are_rejected() {
    let cases = [
        ("9999-12-31T23:00:00-05:00", "year"),
        ("0001-01-01T00:30:00+01:00", "year"),
        ("0000-06-01T00:00:00Z", "ts_iso_utc"),
        ("+10000-01-01T00:00:00Z", "ts_iso_utc"),
        ("2024-02-30T00:00:00Z", "ts_iso_utc"),
        ("2025-06-30T23:59:60Z", "ts_iso_utc"),
        ("2025-10-01T00:00:00.5Z", "fractional"),
        ("2025-10-01T24:00:00Z", "ts_iso_utc"),
        ("2025-10-01T00:00:00+24:00", "ts_iso_utc"),
        ("２０２５-10-01T00:00:00Z", "ts_iso_utc"),
    ];

    for (value, expected) in cases {
        let err = time::normalize_timestamp("ts_iso_utc", value).unwrap_err();
        assert_eq!(err.status, UsageDbStatus::InvalidArgument, "{value}");
        assert!(err.message.contains(value), "{value}: {}", err.message);
        assert!(err.message.contains(expected), "{value}: {}", err.message);
    }
}

#[test]
fn timestamps_at_range_ends_are_kept() {
    let cases = [
        ("9999-12-31T23:00:00Z", "9999-12-31T23:00:00Z"),
        ("9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00Z"),
        ("2024-02-29 12:00:00.000-00:30", "2024-02-29T12:30:00Z"),
    ];

    for (value, stored) in cases {
        assert_eq!(
            time::normalize_timestamp("ts_iso_utc", value).as_deref(),
            Ok(stored)
        );
    }
}

/// `23:59:60` is a leap second, not a fraction, so the message should say so.
#[test]
fn leap_second_message_names_leap_second() {
    let err = time::normalize_timestamp("ts_iso_utc", "2016-12-31T23:59:60Z").unwrap_err();

    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert!(err.message.contains("leap second"), "{}", err.message);
}
