//! Nested transactions through the C ABI, seen from a second handle on the same file.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use usage_db::ffi::*;
use usage_db::UsageDbStatus;

struct Handle(*mut UsageDb);

impl Handle {
    fn open(path: &str) -> Handle {
        let path = CString::new(path).unwrap();
        let mut db = ptr::null_mut();
        let status = unsafe { usage_db_open(path.as_ptr(), ptr::null(), &mut db) };
        assert_eq!(status, UsageDbStatus::Ok, "{}", last_error());
        Handle(db)
    }

    fn insert_ada(&self, ts: &str) -> UsageDbStatus {
        let scope = CString::new("ada").unwrap();
        let ts = CString::new(ts).unwrap();
        let fact = UsageDbFact {
            scope: scope.as_ptr(),
            ts_iso_utc: ts.as_ptr(),
            busy_kwh: 1.0,
            ..UsageDbFact::default()
        };
        unsafe { usage_db_insert_fact_usage(self.0, &fact, ptr::null_mut()) }
    }

    fn hours(&self) -> String {
        let sql = CString::new("SELECT group_concat(substr(ts, 12, 2), ',') AS hours FROM (SELECT ts FROM fact_usage ORDER BY ts)").unwrap();
        let mut out: *mut c_char = ptr::null_mut();
        let status = unsafe { usage_db_q(self.0, sql.as_ptr(), ptr::null(), &mut out) };
        assert_eq!(status, UsageDbStatus::Ok, "{}", last_error());
        let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
        unsafe { usage_db_string_free(out) };
        text
    }

    fn depth(&self) -> u32 {
        let mut depth = 99;
        assert_eq!(
            unsafe { usage_db_transaction_depth(self.0, &mut depth) },
            UsageDbStatus::Ok
        );
        depth
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        unsafe { usage_db_close(self.0) };
    }
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(usage_db_last_error()) }
        .to_string_lossy()
        .into_owned()
}

fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("usage_db_tx_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("usage.db").to_str().unwrap().to_owned()
}

#[test]
fn inner_rollback_keeps_outer_work() {
    let path = temp_db("nested");
    let writer = Handle::open(&path);
    let reader = Handle::open(&path);

    unsafe {
        assert_eq!(usage_db_begin(writer.0), UsageDbStatus::Ok);
        assert_eq!(writer.insert_ada("2025-10-01T01:00:00Z"), UsageDbStatus::Ok);
        assert_eq!(usage_db_begin(writer.0), UsageDbStatus::Ok);
        assert_eq!(writer.depth(), 2);
        assert_eq!(writer.insert_ada("2025-10-01T02:00:00Z"), UsageDbStatus::Ok);
        assert_eq!(usage_db_rollback(writer.0), UsageDbStatus::Ok);
        assert_eq!(
            reader.hours(),
            r#"[{"hours":null}]"#,
            "uncommitted work is visible to another handle"
        );
        assert_eq!(usage_db_commit(writer.0), UsageDbStatus::Ok);
    }

    assert_eq!(writer.depth(), 0);
    assert_eq!(reader.hours(), r#"[{"hours":"01"}]"#);
}

#[test]
fn outer_rollback_undoes_committed_savepoints() {
    let path = temp_db("outer");
    let db = Handle::open(&path);

    unsafe {
        assert_eq!(usage_db_begin(db.0), UsageDbStatus::Ok);
        assert_eq!(usage_db_begin(db.0), UsageDbStatus::Ok);
        assert_eq!(db.insert_ada("2025-10-01T03:00:00Z"), UsageDbStatus::Ok);
        assert_eq!(usage_db_commit(db.0), UsageDbStatus::Ok);
        assert_eq!(
            db.hours(),
            r#"[{"hours":"03"}]"#,
            "a handle sees its own uncommitted work"
        );
        assert_eq!(usage_db_rollback(db.0), UsageDbStatus::Ok);
    }

    assert_eq!(db.hours(), r#"[{"hours":null}]"#);
}

#[test]
fn commit_or_rollback_without_begin_is_misuse() {
    let db = Handle::open(":memory:");

    unsafe {
        assert_eq!(usage_db_commit(db.0), UsageDbStatus::TransactionState);
        assert_eq!(
            last_error(),
            "commit: no transaction is open; call begin first"
        );
        assert_eq!(usage_db_rollback(db.0), UsageDbStatus::TransactionState);
        assert_eq!(
            last_error(),
            "rollback: no transaction is open; call begin first"
        );
    }
}

#[test]
fn failed_write_inside_transaction_keeps_it_open() {
    let db = Handle::open(":memory:");

    unsafe {
        assert_eq!(usage_db_begin(db.0), UsageDbStatus::Ok);
        assert_eq!(db.insert_ada("2025-10-01T04:00:00Z"), UsageDbStatus::Ok);
        assert_eq!(db.insert_ada("not a time"), UsageDbStatus::InvalidArgument);
        assert_eq!(db.depth(), 1);
        assert_eq!(usage_db_commit(db.0), UsageDbStatus::Ok);
    }

    assert_eq!(db.hours(), r#"[{"hours":"04"}]"#);
}

#[test]
fn close_rolls_back_an_open_transaction() {
    let path = temp_db("close");
    let db = Handle::open(&path);
    unsafe {
        assert_eq!(usage_db_begin(db.0), UsageDbStatus::Ok);
        assert_eq!(db.insert_ada("2025-10-01T05:00:00Z"), UsageDbStatus::Ok);
    }
    drop(db);

    let reopened = Handle::open(&path);
    assert_eq!(reopened.hours(), r#"[{"hours":null}]"#);
}
