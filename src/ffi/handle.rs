//! Opening and closing a database, the library version, and error reporting.

use std::ffi::c_char;
use std::sync::Mutex;
use std::time::Duration;

use crate::core::{Durability, Error, OpenOptions, Store, UsageDbStatus};
use crate::ffi::boundary::{last_error_ptr, run};
use crate::ffi::strings::{out_param, required_text};

/// An open database. Opaque to C; create it with `usage_db_open` and release it with
/// `usage_db_close`.
pub struct UsageDb {
    pub(crate) store: Mutex<Store>,
}

/// `synchronous=NORMAL` in WAL mode: a commit survives a crash of the calling process; a
/// power loss or OS crash may lose the last commits but never corrupts the file.
pub const USAGE_DB_DURABILITY_NORMAL: i32 = 0;
/// `synchronous=FULL`: each commit is synced to disk before it returns and also survives
/// a power loss or OS crash.
pub const USAGE_DB_DURABILITY_FULL: i32 = 1;

/// Settings for `usage_db_open`. Start from `usage_db_open_options_default()` and change
/// the fields you need, so fields added later keep their defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct UsageDbOpenOptions {
    /// Time in milliseconds a call waits for another connection's lock before it fails
    /// with `USAGE_DB_STATUS_BUSY`. Default 30000.
    pub busy_timeout_ms: u32,
    /// `USAGE_DB_DURABILITY_NORMAL` (default) or `USAGE_DB_DURABILITY_FULL`.
    pub durability: i32,
}

/// Returns the default open settings: a 30 s busy timeout and normal durability.
#[no_mangle]
pub extern "C" fn usage_db_open_options_default() -> UsageDbOpenOptions {
    UsageDbOpenOptions {
        busy_timeout_ms: 30_000,
        durability: USAGE_DB_DURABILITY_NORMAL,
    }
}

/// Opens the database file at `path`, creating it and its schema when missing, or a
/// private in-memory database when `path` is `":memory:"`.
///
/// `options` may be NULL for the defaults. On success `*out_db` receives a handle that
/// the caller releases with `usage_db_close`; on failure `*out_db` is set to NULL.
/// A file written by a newer usage_db gives `USAGE_DB_STATUS_SCHEMA_TOO_NEW`, a file that
/// is not a usage_db database `USAGE_DB_STATUS_NOT_A_DATABASE`, an unreadable or
/// unwritable path `USAGE_DB_STATUS_IO_ERROR`; in each case the file is left unchanged.
/// Files use WAL journaling, so other processes may read and write the same file.
///
/// # Safety
/// `path` is a NUL-terminated UTF-8 string; `options` is NULL or points to a valid
/// struct; `out_db` points to writable storage for a pointer.
#[no_mangle]
pub unsafe extern "C" fn usage_db_open(
    path: *const c_char,
    options: *const UsageDbOpenOptions,
    out_db: *mut *mut UsageDb,
) -> UsageDbStatus {
    let op = "open";
    run(op, || {
        let out = out_param(op, "out_db", out_db)?;
        *out = std::ptr::null_mut();

        let path = required_text(op, "path", path)?;
        let options = options
            .as_ref()
            .copied()
            .unwrap_or_else(|| usage_db_open_options_default());
        let durability = match options.durability {
            USAGE_DB_DURABILITY_NORMAL => Durability::Normal,
            USAGE_DB_DURABILITY_FULL => Durability::Full,
            other => {
                return Err(Error::invalid(format!(
                    "open: invalid durability {other}: use USAGE_DB_DURABILITY_NORMAL (0) or USAGE_DB_DURABILITY_FULL (1)"
                )))
            }
        };

        let store = Store::open(
            path,
            OpenOptions {
                busy_timeout: Duration::from_millis(u64::from(options.busy_timeout_ms)),
                durability,
            },
        )?;
        *out = Box::into_raw(Box::new(UsageDb {
            store: Mutex::new(store),
        }));
        Ok(())
    })
}

/// Closes the handle and frees it. An open transaction is rolled back. NULL is a no-op.
/// The handle must not be used afterwards, and no other thread may be using it.
///
/// # Safety
/// `db` is NULL or a handle from `usage_db_open` that was not closed yet.
#[no_mangle]
pub unsafe extern "C" fn usage_db_close(db: *mut UsageDb) -> UsageDbStatus {
    run("close", || {
        if !db.is_null() {
            drop(Box::from_raw(db));
        }
        Ok(())
    })
}

/// Returns the library version, such as `"0.1.0"`. The string is static: do not free it.
#[no_mangle]
pub extern "C" fn usage_db_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Returns the message of the most recent failed call made on this thread, naming the
/// operation, the parameter and the value; an empty string before any failure.
///
/// The library owns the string: do not free it. It stays valid until the next failing
/// call on the same thread, so copy it before calling usage_db again.
#[no_mangle]
pub extern "C" fn usage_db_last_error() -> *const c_char {
    last_error_ptr()
}

/// Returns the name of a status code, such as `"USAGE_DB_STATUS_BUSY"`, or `"unknown"`
/// for a number that is not a status. The string is static: do not free it.
#[no_mangle]
pub extern "C" fn usage_db_status_name(status: i32) -> *const c_char {
    let name: &'static str = match status {
        0 => "USAGE_DB_STATUS_OK\0",
        1 => "USAGE_DB_STATUS_INVALID_ARGUMENT\0",
        2 => "USAGE_DB_STATUS_NOT_FOUND\0",
        3 => "USAGE_DB_STATUS_CONSTRAINT\0",
        4 => "USAGE_DB_STATUS_BUSY\0",
        5 => "USAGE_DB_STATUS_TRANSACTION_STATE\0",
        6 => "USAGE_DB_STATUS_SQL_ERROR\0",
        7 => "USAGE_DB_STATUS_READ_ONLY_VIOLATION\0",
        8 => "USAGE_DB_STATUS_IO_ERROR\0",
        9 => "USAGE_DB_STATUS_NOT_A_DATABASE\0",
        10 => "USAGE_DB_STATUS_SCHEMA_TOO_NEW\0",
        11 => "USAGE_DB_STATUS_INTERNAL\0",
        _ => "unknown\0",
    };
    name.as_ptr().cast()
}
