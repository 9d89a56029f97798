//! The panic boundary, the per-thread error message, and access to a handle's store.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::PoisonError;

use crate::core::{Error, Result, Store, UsageDbStatus};
use crate::ffi::handle::UsageDb;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Runs the body of an extern function: a panic becomes `USAGE_DB_STATUS_INTERNAL`, and
/// any failure's message is kept for `usage_db_last_error` on this thread.
pub fn run(operation: &str, body: impl FnOnce() -> Result<()>) -> UsageDbStatus {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(Error::new(
            UsageDbStatus::Internal,
            format!("{operation}: internal error, please report it: {detail}"),
        ))
    });

    match outcome {
        Ok(()) => UsageDbStatus::Ok,
        Err(err) => {
            set_last_error(&err.message);
            err.status
        }
    }
}

/// Stores `message` as this thread's last error; interior NULs are dropped.
pub fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = text);
}

/// Pointer to this thread's last error message. It stays valid until the next failing
/// call on this thread replaces it.
pub fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}

/// Locks the handle's store for the duration of `work`. Calls on one handle from several
/// threads are serialised here.
pub fn with_store<T>(
    db: *const UsageDb,
    operation: &str,
    work: impl FnOnce(&mut Store) -> Result<T>,
) -> Result<T> {
    // SAFETY: a non-NULL handle comes from usage_db_open and is live until usage_db_close;
    // the header states that contract.
    let handle =
        unsafe { db.as_ref() }.ok_or_else(|| Error::invalid(format!("{operation}: db is NULL")))?;

    // A panic while the lock was held leaves a store whose connection is still valid;
    // SQLite rolls back whatever the panicking call left half done.
    let mut store = handle.store.lock().unwrap_or_else(PoisonError::into_inner);
    work(&mut store)
}
