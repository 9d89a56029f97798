//! The C boundary: NULL and malformed arguments, error messages, status names, opening
//! options and files this library must not touch.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use usage_db::ffi::*;
use usage_db::UsageDbStatus;

fn last_error() -> String {
    unsafe { CStr::from_ptr(usage_db_last_error()) }
        .to_string_lossy()
        .into_owned()
}

fn open(path: &str, options: Option<&UsageDbOpenOptions>) -> (UsageDbStatus, *mut UsageDb) {
    let path = CString::new(path).unwrap();
    let mut db = 1usize as *mut UsageDb;
    let options = options.map_or(ptr::null(), |o| o as *const _);
    let status = unsafe { usage_db_open(path.as_ptr(), options, &mut db) };
    (status, db)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("usage_db_ffi_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn null_handle_is_an_invalid_argument() {
    let name = CString::new("alpha").unwrap();
    let mut id = 0i64;
    let mut json: *mut c_char = ptr::null_mut();

    unsafe {
        assert_eq!(
            usage_db_get_or_create_project(ptr::null_mut(), name.as_ptr(), &mut id),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(last_error(), "get_or_create_project: db is NULL");
        assert_eq!(
            usage_db_project_totals(ptr::null_mut(), &mut json),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            usage_db_begin(ptr::null_mut()),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(usage_db_close(ptr::null_mut()), UsageDbStatus::Ok);
        usage_db_string_free(ptr::null_mut());
    }
    assert!(json.is_null(), "an out parameter was written on failure");
}

#[test]
fn null_arguments_are_rejected() {
    let (status, db) = open(":memory:", None);
    assert_eq!(status, UsageDbStatus::Ok);
    let name = CString::new("alpha").unwrap();
    let mut id = 0i64;
    let mut json: *mut c_char = ptr::null_mut();

    unsafe {
        assert_eq!(
            usage_db_get_or_create_project(db, ptr::null(), &mut id),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            last_error(),
            "get_or_create_project: cloud_project_name is NULL"
        );
        assert_eq!(
            usage_db_get_or_create_project(db, name.as_ptr(), ptr::null_mut()),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            last_error(),
            "get_or_create_project: out_project_id is NULL"
        );
        assert_eq!(
            usage_db_project_timeseries(db, ptr::null(), &mut json),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            last_error(),
            "project_timeseries: cloud_project_name is NULL"
        );
        assert_eq!(
            usage_db_project_energy_carbon_between(db, name.as_ptr(), ptr::null(), &mut json),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            usage_db_q(db, ptr::null(), ptr::null(), &mut json),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            usage_db_insert_fact_usage(db, ptr::null(), ptr::null_mut()),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(last_error(), "insert_fact_usage: fact is NULL");
        assert_eq!(
            usage_db_bulk_insert_fact_usage_array(db, ptr::null(), 3, ptr::null_mut()),
            UsageDbStatus::InvalidArgument
        );
        assert_eq!(
            last_error(),
            "bulk_insert_fact_usage: rows is NULL but count is 3"
        );
        assert_eq!(
            usage_db_bulk_insert_fact_usage_array(db, ptr::null(), 0, ptr::null_mut()),
            UsageDbStatus::Ok
        );

        let sql = CString::new("SELECT count(*) AS n FROM dim_project").unwrap();
        assert_eq!(
            usage_db_q(db, sql.as_ptr(), ptr::null(), &mut json),
            UsageDbStatus::Ok
        );
        assert_eq!(CStr::from_ptr(json).to_str().unwrap(), r#"[{"n":0}]"#);
        usage_db_string_free(json);
        usage_db_close(db);
    }
}

#[test]
fn invalid_utf8_is_rejected() {
    let (_, db) = open(":memory:", None);
    let bad = [b'a', 0xff, 0xfe, 0];
    let mut id = 0i64;

    let status = unsafe { usage_db_get_or_create_machine(db, bad.as_ptr().cast(), &mut id) };

    assert_eq!(status, UsageDbStatus::InvalidArgument);
    assert!(
        last_error().starts_with("get_or_create_machine: machine_name is not valid UTF-8"),
        "{}",
        last_error()
    );
    unsafe { usage_db_close(db) };
}

#[test]
fn bad_struct_row_names_its_index() {
    let (_, db) = open(":memory:", None);
    let ada = CString::new("ada").unwrap();
    let ts = CString::new("2025-10-01T00:00:00Z").unwrap();
    let good = UsageDbFact {
        scope: ada.as_ptr(),
        ts_iso_utc: ts.as_ptr(),
        busy_kwh: 1.0,
        ..UsageDbFact::default()
    };
    let rows = [
        good,
        UsageDbFact {
            ts_iso_utc: ptr::null(),
            ..good
        },
    ];
    let mut written = 99usize;

    let status = unsafe {
        usage_db_bulk_insert_fact_usage_array(db, rows.as_ptr(), rows.len(), &mut written)
    };

    assert_eq!(status, UsageDbStatus::InvalidArgument);
    assert_eq!(
        last_error(),
        "bulk_insert_fact_usage: row 1: ts_iso_utc is NULL"
    );
    assert_eq!(written, 99, "out_count was written on failure");
    let status =
        unsafe { usage_db_bulk_insert_fact_usage_array(db, rows.as_ptr(), 1, &mut written) };
    assert_eq!(status, UsageDbStatus::Ok);
    assert_eq!(written, 1);
    unsafe { usage_db_close(db) };
}

#[test]
fn status_names_cover_every_code() {
    let names: Vec<String> = (0..=12)
        .map(|code| {
            unsafe { CStr::from_ptr(usage_db_status_name(code)) }
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();

    assert_eq!(names[0], "USAGE_DB_STATUS_OK");
    assert_eq!(
        names[UsageDbStatus::ReadOnlyViolation as usize],
        "USAGE_DB_STATUS_READ_ONLY_VIOLATION"
    );
    assert_eq!(
        names[UsageDbStatus::Internal as usize],
        "USAGE_DB_STATUS_INTERNAL"
    );
    assert_eq!(names[12], "unknown");
    assert_eq!(
        unsafe { CStr::from_ptr(usage_db_status_name(-1)) }
            .to_str()
            .unwrap(),
        "unknown"
    );
}

#[test]
fn version_matches_the_crate() {
    let version = unsafe { CStr::from_ptr(usage_db_version()) }
        .to_str()
        .unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn errors_are_kept_per_thread() {
    let (_, db) = open(":memory:", None);
    let db_addr = db as usize;

    let other = std::thread::spawn(move || unsafe {
        usage_db_commit(db_addr as *mut UsageDb);
        last_error()
    })
    .join()
    .unwrap();
    unsafe { usage_db_rollback(db) };

    assert_eq!(other, "commit: no transaction is open; call begin first");
    assert_eq!(
        last_error(),
        "rollback: no transaction is open; call begin first"
    );
    unsafe { usage_db_close(db) };
}

#[test]
fn open_options_are_checked_and_applied() {
    let dir = temp_dir("options");
    let path = dir.join("usage.db");
    let path = path.to_str().unwrap();

    let bad = UsageDbOpenOptions {
        durability: 7,
        ..usage_db_open_options_default()
    };
    let (status, db) = open(path, Some(&bad));
    assert_eq!(status, UsageDbStatus::InvalidArgument);
    assert!(db.is_null(), "out_db must be NULL after a failed open");
    assert!(
        last_error().starts_with("open: invalid durability 7"),
        "{}",
        last_error()
    );

    let full = UsageDbOpenOptions {
        durability: USAGE_DB_DURABILITY_FULL,
        busy_timeout_ms: 1234,
    };
    let (status, db) = open(path, Some(&full));
    assert_eq!(status, UsageDbStatus::Ok, "{}", last_error());
    let sql = CString::new("PRAGMA synchronous").unwrap();
    let mut json: *mut c_char = ptr::null_mut();
    unsafe {
        assert_eq!(
            usage_db_q(db, sql.as_ptr(), ptr::null(), &mut json),
            UsageDbStatus::Ok
        );
        assert_eq!(
            CStr::from_ptr(json).to_str().unwrap(),
            r#"[{"synchronous":2}]"#
        );
        usage_db_string_free(json);
        usage_db_close(db);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unusable_files_are_refused_untouched() {
    let dir = temp_dir("files");
    let text_file = dir.join("notes.txt");
    std::fs::write(
        &text_file,
        "not a database, just text that is long enough to have a header",
    )
    .unwrap();

    let newer = dir.join("newer.db");
    let conn = rusqlite::Connection::open(&newer).unwrap();
    conn.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 99;")
        .unwrap();
    drop(conn);

    let foreign = dir.join("foreign.db");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY);")
        .unwrap();
    drop(conn);

    let cases = [
        (
            text_file,
            UsageDbStatus::NotADatabase,
            "file is not a database",
        ),
        (
            newer,
            UsageDbStatus::SchemaTooNew,
            "schema version 99 was written by a newer usage_db",
        ),
        (
            foreign,
            UsageDbStatus::NotADatabase,
            "without a usage_db schema",
        ),
        (
            dir.join("missing").join("usage.db"),
            UsageDbStatus::IoError,
            "unable to open database file",
        ),
        (
            dir.clone(),
            UsageDbStatus::IoError,
            "unable to open database file",
        ),
    ];

    for (path, status, message) in cases {
        let before = std::fs::read(&path).ok();
        let (got, db) = open(path.to_str().unwrap(), None);

        assert_eq!(got, status, "{}: {}", path.display(), last_error());
        assert!(db.is_null());
        assert!(
            last_error().starts_with(&format!("open: path '{}'", path.display())),
            "{}",
            last_error()
        );
        assert!(last_error().contains(message), "{}", last_error());
        assert_eq!(
            std::fs::read(&path).ok(),
            before,
            "{} changed",
            path.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
