//! Bulk JSON facts: any text either writes its rows, or fails with a status other than
//! an internal error and writes nothing. Every report stays valid JSON afterwards.

#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use usage_db::core::{fact_json, reference, reports, OpenOptions, Store};
use usage_db::UsageDbStatus;

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(seeded_store());
}

/// Opens a store with project 1, machine 1 and user `u1`, so rows can name real ids.
fn seeded_store() -> Store {
    let mut store = Store::open(":memory:", OpenOptions::default()).expect("open");
    reference::get_or_create_project(&mut store, "p1").expect("project");
    reference::get_or_create_machine(&mut store, "m1").expect("machine");
    reference::get_or_create_user(&mut store, "u1", None, Some("g1")).expect("user");
    store
}

fn fact_count(store: &Store) -> i64 {
    store
        .connection()
        .query_row("SELECT count(*) FROM fact_usage", [], |row| row.get(0))
        .expect("count facts")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    STORE.with(|cell| {
        let mut store = cell.borrow_mut();
        // Each input runs in a transaction that is rolled back, so inputs stay independent.
        store.begin().expect("begin");

        match fact_json::bulk_insert_fact_usage_json(&mut store, text) {
            Ok(written) => {
                let count = fact_count(&store);
                assert!(
                    count as usize <= written,
                    "{count} rows from {written} written"
                );
                assert_eq!(
                    count == 0,
                    written == 0,
                    "{count} rows from {written} written"
                );
            }
            Err(err) => {
                assert_ne!(err.status, UsageDbStatus::Internal, "{}", err.message);
                assert!(
                    err.message.starts_with("bulk_insert_fact_usage: "),
                    "{}",
                    err.message
                );
                assert_eq!(
                    fact_count(&store),
                    0,
                    "a failed batch left rows: {}",
                    err.message
                );
            }
        }

        check_reports(&store);
        store.rollback().expect("rollback");
    });
});

fn check_reports(store: &Store) {
    let conn = store.connection();
    let (from, to) = ("0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z");
    let results = [
        reports::view(conn, "totals", "v_machine_totals"),
        reports::view(conn, "averages", "v_user_averages"),
        reports::view(conn, "series", "v_ada_timeseries"),
        reports::project_energy_carbon_between(conn, from, to),
        reports::machine_utilization_share(conn, from, to),
        reports::top_groups_by_energy(conn, from, to, 5),
    ];
    for result in results {
        let json = result.expect("a report over valid facts succeeds");
        serde_json::from_str::<serde_json::Value>(&json).expect("a report is valid JSON");
    }
}
