//! `q` with parameters: the input's first line is the SQL, the rest the parameters JSON.
//! Whatever it is given, `q` must not change the database or leave a transaction open,
//! must not fail internally except for running out of the heap limit set below, and must
//! return a valid JSON array on success.

#![no_main]

use std::cell::{Cell, RefCell};

use libfuzzer_sys::fuzz_target;
use usage_db::core::{facts, query, reference, FactInput, OpenOptions, Store};
use usage_db::UsageDbStatus;

/// Virtual machine steps a statement may take before it is interrupted, so that endless
/// recursive queries end quickly.
const MAX_STEPS: u32 = 200;
const STEPS_PER_CALLBACK: i32 = 1_000;

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(seeded_store());
    static CALLBACKS: Cell<u32> = const { Cell::new(0) };
}

fn seeded_store() -> Store {
    // SQLite fails allocations past this limit with SQLITE_NOMEM instead of letting a
    // query such as zeroblob(1e9) exhaust the fuzzer's memory.
    // SAFETY: called before the connection exists; it sets a process-wide limit.
    unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(256 << 20) };

    let mut store = Store::open(":memory:", OpenOptions::default()).expect("open");
    let machine = reference::get_or_create_machine(&mut store, "m1").expect("machine");
    reference::get_or_create_user(&mut store, "u1", Some("User One"), Some("g1")).expect("user");
    for hour in 0..3 {
        let fact = FactInput {
            scope: "machine".into(),
            ts_iso_utc: format!("2025-01-01T0{hour}:00:00Z").into(),
            project_id: None,
            machine_id: Some(machine),
            user_id: None,
            metrics: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            intensity_gco2eq_kwh: None,
        };
        facts::insert_fact_usage(&mut store, &fact).expect("fact");
    }

    store.connection().progress_handler(
        STEPS_PER_CALLBACK,
        Some(|| {
            let calls = CALLBACKS.get() + 1;
            CALLBACKS.set(calls);
            calls > MAX_STEPS
        }),
    );
    store
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (sql, params) = match text.split_once('\n') {
        Some((sql, params)) => (sql, Some(params)),
        None => (text, None),
    };

    STORE.with(|cell| {
        let store = cell.borrow();
        let conn = store.connection();
        let changes_before = conn.total_changes();
        CALLBACKS.set(0);

        match query::q(conn, sql, params) {
            Ok(json) => {
                let rows: serde_json::Value =
                    serde_json::from_str(&json).expect("q returns valid JSON");
                assert!(rows.is_array(), "q returns an array: {json}");
            }
            Err(err) => {
                let out_of_memory = err.message.contains("out of memory");
                assert!(
                    err.status != UsageDbStatus::Internal || out_of_memory,
                    "{}",
                    err.message
                );
            }
        }

        assert_eq!(
            conn.total_changes(),
            changes_before,
            "q changed the database: {sql}"
        );
        assert!(conn.is_autocommit(), "q left a transaction open: {sql}");
    });
});
