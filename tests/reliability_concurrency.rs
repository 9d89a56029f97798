//! Concurrent use: one C ABI handle shared by threads, and several processes writing and
//! reading one database file at once. Child processes re-run this binary (see
//! `common::spawn_child`).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;
use usage_db::core::{facts, reference, reports};
use usage_db::ffi;

/// Tag that marks a child's report lines on stdout.
const REPORT: &str = "REPORT ";
const WRITER_CHILD: &str = "child_process_writer";
const READER_CHILD: &str = "child_process_reader";

/// Rows per writer transaction.
const BATCH_ROWS: i64 = 50;

// ---- One handle, eight threads, through the C ABI ----

#[test]
fn ffi_handle_shared_by_eight_threads() {
    const THREADS: i64 = 8;
    let rows_per_thread = 150 * i64::from(stress_scale());
    let dir = ScratchDir::new("threads");
    let db = Db::open(&dir.file("usage.db")).expect("open through the C ABI");

    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let db = &db;
            scope.spawn(move || upsert_and_read(db, thread, rows_per_thread));
        }
    });

    for thread in 0..THREADS {
        let name = format!("thread-{thread}");
        let json = db
            .q(
                "SELECT count(*) AS n, total(busy_kwh) AS kwh FROM v_machine_timeseries WHERE machine_name = ?",
                Some(&format!(r#"["{name}"]"#)),
            )
            .expect("count the thread's facts");
        let rows: serde_json::Value = serde_json::from_str(&json).expect("q returns JSON");
        let expected_kwh: i64 = (0..rows_per_thread).sum();

        assert_eq!(rows[0]["n"], rows_per_thread, "facts of {name}");
        assert_eq!(rows[0]["kwh"], expected_kwh as f64, "busy_kwh of {name}");
    }
}

/// Inserts each hour's fact, replaces it with a second value, and reads the machine
/// totals every few rows. Any failure panics the thread, which fails the test.
fn upsert_and_read(db: &Db, thread: i64, rows: i64) {
    let machine = db
        .machine_id(&format!("thread-{thread}"))
        .unwrap_or_else(|f| panic!("thread {thread}: create machine: {f:?}"));

    for hour in 0..rows {
        let ts = c_string(&hour_ts(hour));
        let first_id = insert_fact(db, &machine_fact_struct(machine, &ts, 0.5), thread);
        let second_id = insert_fact(db, &machine_fact_struct(machine, &ts, hour as f64), thread);
        assert_eq!(
            first_id, second_id,
            "thread {thread}: the upsert keeps the fact's id"
        );

        if hour % 10 == 0 {
            let totals = db
                .read(ffi::usage_db_machine_totals)
                .unwrap_or_else(|f| panic!("thread {thread}: machine_totals: {f:?}"));
            let parsed: serde_json::Value =
                serde_json::from_str(&totals).expect("machine_totals returns JSON");
            assert!(parsed.is_array(), "thread {thread}: totals are an array");
        }
    }
}

fn insert_fact(db: &Db, fact: &ffi::UsageDbFact, thread: i64) -> i64 {
    let mut id = 0;
    // SAFETY: the handle is live; `fact` and its strings outlive the call.
    let status = unsafe { ffi::usage_db_insert_fact_usage(db.raw(), fact, &mut id) };
    check(status).unwrap_or_else(|f| panic!("thread {thread}: insert_fact_usage: {f:?}"));
    id
}

// ---- Several processes on one file ----

#[test]
fn two_processes_write_one_file() {
    writers_sum_to_row_count(2);
}

#[test]
fn four_processes_write_one_file() {
    writers_sum_to_row_count(4);
}

/// Four processes open a file that does not exist yet at the same moment, so they race to
/// create the schema. Exactly one creates it and all of them then write.
#[test]
fn four_processes_create_one_file() {
    let dir = ScratchDir::new("creators");
    let path = dir.file("usage.db");

    let writers = spawn_writers(&path, 4);
    let committed: i64 = writers.into_iter().map(collect_writer).sum();

    let store = open_store(&path);
    assert_eq!(
        fact_count(&store),
        committed,
        "rows in the file vs rows committed"
    );
    assert_eq!(query_i64(&store, "PRAGMA user_version"), 1);
    assert_eq!(query_i64(&store, "SELECT count(*) FROM dim_machine"), 4);
    assert_eq!(integrity_check(&store), "ok");
}

/// Runs `processes` writers at once for a while. Afterwards the file must contain exactly
/// the rows they report as committed, none of the rolled-back ones, and pass the
/// integrity check.
fn writers_sum_to_row_count(processes: usize) {
    let dir = ScratchDir::new("writers");
    let path = dir.file("usage.db");
    drop(open_store(&path));

    let writers = spawn_writers(&path, processes);
    let committed: i64 = writers.into_iter().map(collect_writer).sum();

    let store = open_store(&path);
    assert!(committed > 0, "the writers committed nothing");
    assert_eq!(
        fact_count(&store),
        committed,
        "rows in the file vs rows committed"
    );
    assert_eq!(
        query_i64(
            &store,
            "SELECT count(*) FROM fact_usage WHERE idle_kwh <> 0"
        ),
        0,
        "rows of rolled-back batches"
    );
    assert_eq!(integrity_check(&store), "ok");
}

#[test]
fn reader_sees_only_committed_states() {
    let dir = ScratchDir::new("reader");
    let path = dir.file("usage.db");
    drop(open_store(&path));

    let reader = spawn_child(READER_CHILD, &[path.clone(), writer_millis().to_string()]);
    let writers = spawn_writers(&path, 2);
    let committed: i64 = writers.into_iter().map(collect_writer).sum();

    let mut reader = reader;
    let stdout = reader.stdout.take().expect("reader stdout is piped");
    let report = tagged_lines(stdout, REPORT);
    wait_success(reader, "reader process");

    let distinct_states: usize = report
        .first()
        .and_then(|line| line.parse().ok())
        .expect("the reader reports how many states it saw");
    assert!(committed > 0, "the writers committed nothing");
    assert!(
        distinct_states >= 2,
        "the reader saw {distinct_states} states; it should see commits land"
    );
}

fn writer_millis() -> u64 {
    1_000 * u64::from(stress_scale())
}

/// Starts the writers. Writer `i` uses machine `writer-i` and rolls back every third
/// batch, whose rows carry `idle_kwh` 1.0 so that any leak of them shows.
fn spawn_writers(path: &str, processes: usize) -> Vec<std::process::Child> {
    (0..processes)
        .map(|index| {
            spawn_child(
                WRITER_CHILD,
                &[
                    path.to_owned(),
                    index.to_string(),
                    writer_millis().to_string(),
                ],
            )
        })
        .collect()
}

/// Waits for a writer and returns the number of rows it committed.
fn collect_writer(mut child: std::process::Child) -> i64 {
    let stdout = child.stdout.take().expect("writer stdout is piped");
    let report = tagged_lines(stdout, REPORT);
    wait_success(child, "writer process");
    report
        .first()
        .and_then(|line| line.parse().ok())
        .expect("the writer reports its committed rows")
}

#[test]
#[ignore = "child process of the multi-process tests; runs only when they start it"]
fn child_process_writer() {
    let Some(params) = child_params() else {
        return;
    };
    let [path, index, millis] = params.as_slice() else {
        panic!("writer parameters: expected path|index|millis, got {params:?}");
    };
    let millis: u64 = millis.parse().expect("millis is a number");

    let mut store = open_store(path);
    let machine = reference::get_or_create_machine(&mut store, &format!("writer-{index}"))
        .expect("create the writer's machine");

    let deadline = Instant::now() + Duration::from_millis(millis);
    let mut committed_rows = 0;
    let mut batch = 0;
    while Instant::now() < deadline {
        let discard = batch % 3 == 2;
        let idle_kwh = if discard { 1.0 } else { 0.0 };
        let rows = (0..BATCH_ROWS)
            .map(|i| Ok(machine_fact(machine, batch * BATCH_ROWS + i, 1.0, idle_kwh)));

        store.begin().expect("begin");
        let written = facts::bulk_insert_fact_usage(&mut store, rows).expect("bulk insert");
        assert_eq!(written as i64, BATCH_ROWS);
        if discard {
            store.rollback().expect("rollback");
        } else {
            store.commit().expect("commit");
            committed_rows += BATCH_ROWS;
        }
        batch += 1;
    }
    println!("{REPORT}{committed_rows}");
}

/// Polls the totals in one statement, so each poll reads one snapshot. It fails on any
/// state a commit could not have produced: a shrinking count, a partial batch, a row of a
/// rolled-back batch, or a report that disagrees with the count.
#[test]
#[ignore = "child process of the multi-process tests; runs only when they start it"]
fn child_process_reader() {
    let Some(params) = child_params() else {
        return;
    };
    let [path, millis] = params.as_slice() else {
        panic!("reader parameters: expected path|millis, got {params:?}");
    };
    let millis: u64 = millis.parse().expect("millis is a number");

    let store = open_store(path);
    let deadline = Instant::now() + Duration::from_millis(millis + 500);
    let mut states = BTreeSet::new();
    let mut last_count = 0;

    while Instant::now() < deadline {
        let (count, busy, idle): (i64, f64, f64) = store
            .connection()
            .query_row(
                "SELECT count(*), total(busy_kwh), total(idle_kwh) FROM fact_usage",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .expect("poll the totals");

        assert!(
            count >= last_count,
            "count went down from {last_count} to {count}"
        );
        assert_eq!(count % BATCH_ROWS, 0, "count {count} is not whole batches");
        assert_eq!(idle, 0.0, "idle_kwh {idle} includes a rolled-back batch");
        assert_eq!(busy, count as f64, "busy_kwh {busy} vs count {count}");

        let totals = reports::view(store.connection(), "machine_totals", "v_machine_totals")
            .expect("read machine totals");
        serde_json::from_str::<serde_json::Value>(&totals).expect("totals are JSON");

        states.insert(count);
        last_count = count;
        std::thread::sleep(Duration::from_millis(2));
    }
    println!("{REPORT}{}", states.len());
}
