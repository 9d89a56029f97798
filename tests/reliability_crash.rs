//! Crashes and durability. A writer process killed with SIGKILL in the middle of a large
//! bulk insert leaves a sound file that contains every batch committed before and nothing
//! of the interrupted one. Each durability level sets the `synchronous` it documents.

mod common;

use std::ffi::CString;
use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout};
use std::time::{Duration, Instant};

use common::*;
use usage_db::core::{Durability, OpenOptions, Store};
use usage_db::ffi::{self, UsageDbOpenOptions, USAGE_DB_DURABILITY_FULL};

const REPORT: &str = "REPORT ";
const BULK_CHILD: &str = "child_process_bulk_writer";

/// Rows in each small batch committed before the large one.
const BATCH_ROWS: i64 = 100;
/// Small batches each child commits before it starts the large one.
const BATCHES: i64 = 5;
/// Rows in the large batch that gets killed. It runs for well over a second in release
/// mode, longer than the latest kill point.
const BULK_ROWS: i64 = 400_000;
/// First hour of the large batch, far above every small batch.
const BULK_FIRST_HOUR: i64 = 10_000_000;

#[test]
fn sigkill_during_json_bulk_insert() {
    kill_during_bulk_insert("json");
}

#[test]
fn sigkill_during_struct_bulk_insert() {
    kill_during_bulk_insert("struct");
}

/// Kills one writer after each delay in turn, on the same file, and checks the file
/// after every kill. Each round's small batches use new hours, so the expected row count
/// grows by one round's worth each time.
fn kill_during_bulk_insert(mode: &str) {
    let dir = ScratchDir::new(&format!("crash_{mode}"));
    let path = dir.file("usage.db");

    for (round, delay) in kill_delays().into_iter().enumerate() {
        let round = round as i64;
        let mut child = spawn_child(
            BULK_CHILD,
            &[path.clone(), mode.to_owned(), round.to_string()],
        );
        let mut lines = report_lines(&mut child);

        let committed = read_until_bulk_starts(&mut lines, mode, round);
        std::thread::sleep(delay);
        child.kill().expect("send SIGKILL to the writer");
        child.wait().expect("reap the writer");

        let finished = lines.any(|line| line == "bulk-finished");
        assert!(
            !finished,
            "{mode} round {round}: the large batch finished within {delay:?}; raise BULK_ROWS"
        );
        assert_eq!(committed, BATCHES, "{mode} round {round}: batches reported");

        check_after_kill(&path, mode, round, delay);
    }
}

/// Kill points from just after the large batch starts to well into it, with jitter so
/// repeated runs hit different statements. `make stress` adds more of them.
fn kill_delays() -> Vec<Duration> {
    let points = 4 * stress_scale();
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_micros() % 7_000)
        .unwrap_or_default();

    (0..points)
        .map(|i| Duration::from_micros(u64::from(jitter + i * 600_000 / points)))
        .collect()
}

fn report_lines(child: &mut Child) -> impl Iterator<Item = String> {
    let stdout: ChildStdout = child.stdout.take().expect("child stdout is piped");
    let lines: Lines<BufReader<ChildStdout>> = BufReader::new(stdout).lines();
    lines
        .map_while(Result::ok)
        .filter_map(|line| line.split_once(REPORT).map(|(_, rest)| rest.to_owned()))
}

/// Reads the child's reports up to the start of the large batch and returns how many
/// small batches it committed.
fn read_until_bulk_starts(lines: &mut impl Iterator<Item = String>, mode: &str, round: i64) -> i64 {
    let mut committed = 0;
    for line in lines.by_ref() {
        match line.as_str() {
            "bulk-started" => return committed,
            "committed" => committed += 1,
            other => panic!("{mode} round {round}: unexpected report '{other}'"),
        }
    }
    panic!("{mode} round {round}: the writer exited before the large batch started");
}

/// Reopens the file after a kill: it must pass the integrity check, hold every small
/// batch of this and earlier rounds, hold nothing of any large batch, and take writes.
fn check_after_kill(path: &str, mode: &str, round: i64, delay: Duration) {
    let context = format!("{mode} round {round}, killed after {delay:?}");
    let mut store = open_store(path);

    assert_eq!(integrity_check(&store), "ok", "{context}");
    let small_rows = (round + 1) * BATCHES * BATCH_ROWS;
    assert_eq!(
        query_i64(
            &store,
            &format!(
                "SELECT count(*) FROM fact_usage WHERE ts < '{}'",
                hour_ts(BULK_FIRST_HOUR)
            )
        ),
        small_rows,
        "{context}: rows of committed batches"
    );
    assert_eq!(
        fact_count(&store),
        small_rows,
        "{context}: rows of the interrupted batch are present"
    );

    let machine = usage_db::core::reference::get_or_create_machine(&mut store, "after-crash")
        .expect("the reopened file takes writes");
    usage_db::core::facts::insert_fact_usage(&mut store, &machine_fact(machine, round, 1.0, 0.0))
        .expect("the reopened file takes writes");
    usage_db::core::query::execute_write(
        &mut store,
        "DELETE FROM fact_usage WHERE machine_id = ?",
        Some(&format!("[{machine}]")),
    )
    .expect("remove the probe row");
}

#[test]
#[ignore = "child process of the crash tests; runs only when they start it"]
fn child_process_bulk_writer() {
    let Some(params) = child_params() else {
        return;
    };
    let [path, mode, round] = params.as_slice() else {
        panic!("bulk writer parameters: expected path|mode|round, got {params:?}");
    };
    let round: i64 = round.parse().expect("round is a number");

    let db = Db::open(path).expect("open through the C ABI");
    let machine = db.machine_id("crash").expect("create the machine");
    let insert: fn(&Db, i64, i64, i64) = match mode.as_str() {
        "json" => insert_json,
        "struct" => insert_structs,
        other => panic!("unknown mode '{other}'"),
    };

    for batch in 0..BATCHES {
        let first_hour = (round * BATCHES + batch) * BATCH_ROWS;
        insert(&db, machine, first_hour, BATCH_ROWS);
        println!("{REPORT}committed");
    }

    insert_bulk_after_report(&db, mode, machine);
    println!("{REPORT}bulk-finished");
    std::thread::sleep(Duration::from_secs(60));
}

/// Builds the large batch first, so the kill delay counts from the insert itself.
fn insert_bulk_after_report(db: &Db, mode: &str, machine: i64) {
    let started = Instant::now();
    if mode == "json" {
        let json = machine_facts_json(machine, BULK_FIRST_HOUR, BULK_ROWS as usize);
        println!("{REPORT}bulk-started");
        db.bulk_json(&json).expect("large JSON batch");
    } else {
        let timestamps = timestamps(BULK_FIRST_HOUR, BULK_ROWS);
        let rows = fact_structs(machine, &timestamps);
        println!("{REPORT}bulk-started");
        insert_struct_array(db, &rows);
    }
    eprintln!(
        "large {mode} batch of {BULK_ROWS} rows took {:?}",
        started.elapsed()
    );
}

fn insert_json(db: &Db, machine: i64, first_hour: i64, rows: i64) {
    let json = machine_facts_json(machine, first_hour, rows as usize);
    assert_eq!(db.bulk_json(&json).expect("JSON batch"), rows as usize);
}

fn insert_structs(db: &Db, machine: i64, first_hour: i64, rows: i64) {
    let timestamps = timestamps(first_hour, rows);
    insert_struct_array(db, &fact_structs(machine, &timestamps));
}

fn timestamps(first_hour: i64, rows: i64) -> Vec<CString> {
    (first_hour..first_hour + rows)
        .map(|hour| c_string(&hour_ts(hour)))
        .collect()
}

fn fact_structs(machine: i64, timestamps: &[CString]) -> Vec<ffi::UsageDbFact> {
    timestamps
        .iter()
        .map(|ts| machine_fact_struct(machine, ts, 1.0))
        .collect()
}

fn insert_struct_array(db: &Db, rows: &[ffi::UsageDbFact]) {
    let mut written = 0;
    // SAFETY: the handle is live; `rows` and the strings it points to outlive the call.
    let status = unsafe {
        ffi::usage_db_bulk_insert_fact_usage_array(
            db.raw(),
            rows.as_ptr(),
            rows.len(),
            &mut written,
        )
    };
    check(status).expect("struct batch");
    assert_eq!(written, rows.len());
}

// ---- Durability levels ----

fn synchronous(store: &Store) -> i64 {
    query_i64(store, "PRAGMA synchronous")
}

#[test]
fn default_durability_is_synchronous_normal() {
    let dir = ScratchDir::new("durability_normal");
    let store = open_store(&dir.file("usage.db"));

    assert_eq!(
        synchronous(&store),
        1,
        "PRAGMA synchronous under Durability::Normal"
    );
    assert_eq!(
        query_i64(
            &store,
            "SELECT journal_mode = 'wal' FROM pragma_journal_mode"
        ),
        1
    );
}

#[test]
fn full_durability_is_synchronous_full() {
    let dir = ScratchDir::new("durability_full");
    let options = OpenOptions {
        durability: Durability::Full,
        ..OpenOptions::default()
    };
    let store = Store::open(&dir.file("usage.db"), options).expect("open with Durability::Full");

    assert_eq!(
        synchronous(&store),
        2,
        "PRAGMA synchronous under Durability::Full"
    );
}

#[test]
fn ffi_durability_option_sets_synchronous() {
    let dir = ScratchDir::new("durability_ffi");
    let path = dir.file("usage.db");

    let normal = Db::open(&path).expect("open with default options");
    assert_eq!(normal.q_i64("PRAGMA synchronous"), 1);
    drop(normal);

    let full_options = UsageDbOpenOptions {
        durability: USAGE_DB_DURABILITY_FULL,
        ..ffi::usage_db_open_options_default()
    };
    let full = Db::open_with(&path, Some(full_options)).expect("open with FULL");
    assert_eq!(full.q_i64("PRAGMA synchronous"), 2);
}

#[test]
fn ffi_rejects_unknown_durability() {
    let dir = ScratchDir::new("durability_bad");
    let path = dir.file("usage.db");
    let options = UsageDbOpenOptions {
        durability: 7,
        ..ffi::usage_db_open_options_default()
    };

    let failure = Db::open_with(&path, Some(options))
        .err()
        .expect("durability 7 is rejected");

    assert_eq!(failure.status, usage_db::UsageDbStatus::InvalidArgument);
    assert!(
        failure.message.contains("durability 7"),
        "{}",
        failure.message
    );
    assert!(
        !std::path::Path::new(&path).exists(),
        "a rejected open created the file"
    );
}
