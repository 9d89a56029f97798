//! A loop through the whole C ABI life cycle: open, reference data, inserts, reads,
//! failures, transactions and close, freeing every returned string. `make test` runs a
//! few rounds for correctness; `make stress` runs many rounds under valgrind memcheck,
//! which fails on any memory error or definite leak.

mod common;

use std::ffi::c_char;
use std::ptr::{null, null_mut};

use common::*;
use usage_db::ffi::{self, UsageDb};
use usage_db::UsageDbStatus;

#[test]
fn ffi_life_cycle_loop() {
    let rounds = 5 * stress_scale();
    let dir = ScratchDir::new("memory");

    for round in 0..rounds {
        let path = if round % 2 == 0 {
            ":memory:".to_owned()
        } else {
            dir.file("usage.db")
        };
        life_cycle(&path, i64::from(round));
    }
}

/// Runs one open-to-close cycle and checks every call's status and result.
fn life_cycle(path: &str, round: i64) {
    let db = Db::open(path).unwrap_or_else(|f| panic!("open {path}: {f:?}"));
    let raw = db.raw();
    let machine = db.machine_id("m1").expect("machine");
    let user = c_string("u1");
    let group = c_string("g1");
    let project = c_string("p1");

    // SAFETY: the handle is live and every pointer is valid for each call below.
    unsafe {
        ok(ffi::usage_db_get_or_create_user(
            raw,
            user.as_ptr(),
            null(),
            group.as_ptr(),
        ));
        ok(ffi::usage_db_map_user_project(
            raw,
            user.as_ptr(),
            null(),
            project.as_ptr(),
        ));

        ok(ffi::usage_db_begin(raw));
        insert_round(&db, machine, round);
        ok(ffi::usage_db_commit(raw));

        ok(ffi::usage_db_begin(raw));
        insert_round(&db, machine, round + 1_000);
        ok(ffi::usage_db_rollback(raw));
    }

    for read in [
        ffi::usage_db_machine_totals as ReadFn,
        ffi::usage_db_user_averages,
        ffi::usage_db_user_project_memberships,
        ffi::usage_db_active_workspaces,
    ] {
        let json = db.read(read).expect("read a view");
        assert!(json.starts_with('['), "{json}");
    }
    let window = windowed_read(raw);
    assert!(window.starts_with('['), "{window}");

    let rows = db.q("SELECT count(*) AS n FROM fact_usage", None).unwrap();
    let expected = if path == ":memory:" {
        3
    } else {
        3 * (round / 2 + 1)
    };
    assert_eq!(rows, format!(r#"[{{"n":{expected}}}]"#));

    exercise_failures(&db);
}

type ReadFn = unsafe extern "C" fn(*mut UsageDb, *mut *mut c_char) -> UsageDbStatus;

fn ok(status: UsageDbStatus) {
    check(status).expect("C ABI call");
}

/// Writes three facts: one by struct, one by struct array and one by JSON.
fn insert_round(db: &Db, machine: i64, round: i64) {
    let ts: Vec<_> = (0..2).map(|i| c_string(&hour_ts(round * 3 + i))).collect();
    let single = machine_fact_struct(machine, &ts[0], 1.0);
    let array = [machine_fact_struct(machine, &ts[1], 2.0)];
    let mut id = 0;
    let mut count = 0;

    // SAFETY: the handle is live and every pointer is valid for the calls.
    unsafe {
        ok(ffi::usage_db_insert_fact_usage(db.raw(), &single, &mut id));
        ok(ffi::usage_db_bulk_insert_fact_usage_array(
            db.raw(),
            array.as_ptr(),
            1,
            &mut count,
        ));
    }
    assert_eq!(count, 1);
    assert_eq!(
        db.bulk_json(&machine_facts_json(machine, round * 3 + 2, 1)),
        Ok(1)
    );
}

fn windowed_read(raw: *mut UsageDb) -> String {
    let from = c_string("2000-01-01T00:00:00Z");
    let to = c_string("2100-01-01T00:00:00Z");
    let mut out = null_mut();

    // SAFETY: the handle is live and every pointer is valid for the call.
    unsafe {
        ok(ffi::usage_db_top_groups_by_energy(
            raw,
            from.as_ptr(),
            to.as_ptr(),
            3,
            &mut out,
        ));
        take_string(out)
    }
}

/// Makes calls that fail. They allocate messages and may leave partial work, and none of
/// it may leak.
fn exercise_failures(db: &Db) {
    let bad_json = db.bulk_json(r#"[{"scope":"ada","ts_iso_utc":"not a time"}]"#);
    assert_eq!(
        bad_json.map_err(|f| f.status),
        Err(UsageDbStatus::InvalidArgument)
    );

    let write_in_q = db.q("DELETE FROM fact_usage", None);
    assert_eq!(
        write_in_q.map_err(|f| f.status),
        Err(UsageDbStatus::ReadOnlyViolation)
    );

    let bad_sql = db.q("SELECT * FROM no_such_table", None);
    assert_eq!(bad_sql.map_err(|f| f.status), Err(UsageDbStatus::SqlError));

    // SAFETY: the handle is live; NULL out parameters are part of the tested contract.
    unsafe {
        let status = ffi::usage_db_machine_totals(db.raw(), null_mut());
        assert_eq!(status, UsageDbStatus::InvalidArgument);
        assert_eq!(
            ffi::usage_db_commit(db.raw()),
            UsageDbStatus::TransactionState
        );
        ffi::usage_db_string_free(null_mut());
    }
    assert!(!last_error().is_empty());
}

/// A handle closed with a transaction open rolls it back and frees everything.
#[test]
fn close_with_open_transaction_loop() {
    let dir = ScratchDir::new("memory_close");
    let path = dir.file("usage.db");

    for round in 0..3 * i64::from(stress_scale()) {
        let db = Db::open(&path).expect("open");
        let machine = db.machine_id("m1").expect("machine");
        // SAFETY: the handle is live.
        unsafe { ok(ffi::usage_db_begin(db.raw())) };
        assert_eq!(
            db.bulk_json(&machine_facts_json(machine, round, 10)),
            Ok(10)
        );
        drop(db);

        let reopened = Db::open(&path).expect("reopen");
        assert_eq!(reopened.q_i64("SELECT count(*) FROM fact_usage"), 0);
    }
}
