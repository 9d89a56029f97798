//! The panic boundary, the per-thread error message, and access to a handle's store.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Once, PoisonError};

use crate::core::{Error, Result, Store, UsageDbStatus};
use crate::ffi::handle::UsageDb;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    /// Depth of `run` calls on this thread; above 0, a panic will be caught by `run`.
    static INSIDE_BOUNDARY: Cell<u32> = const { Cell::new(0) };
    /// Source location of the last caught panic, recorded by the hook for the message.
    static PANIC_LOCATION: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs the body of an extern function: a panic becomes `USAGE_DB_STATUS_INTERNAL`, and
/// any failure's message is kept for `usage_db_last_error` on this thread.
pub fn run(operation: &str, body: impl FnOnce() -> Result<()>) -> UsageDbStatus {
    install_quiet_panic_hook();

    INSIDE_BOUNDARY.with(|depth| depth.set(depth.get() + 1));
    let caught = catch_unwind(AssertUnwindSafe(body));
    INSIDE_BOUNDARY.with(|depth| depth.set(depth.get() - 1));

    let outcome = caught.unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let location = PANIC_LOCATION.with(|l| l.take());
        Err(Error::new(
            UsageDbStatus::Internal,
            format!("{operation}: internal error at {location}, please report it: {detail}"),
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

/// Keeps the library from printing: a panic inside `run` is reported through the status
/// and message only, while any other panic still reaches the hook that was there before.
fn install_quiet_panic_hook() {
    static INSTALL: Once = Once::new();

    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if INSIDE_BOUNDARY.with(Cell::get) == 0 {
                return previous(info);
            }
            let location = info
                .location()
                .map_or_else(|| "an unknown place".to_owned(), |l| l.to_string());
            PANIC_LOCATION.with(|slot| *slot.borrow_mut() = location);
        }));
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_internal_status_with_message() {
        let status = run("probe", || panic!("deliberate"));

        assert_eq!(status, UsageDbStatus::Internal);
        let message = unsafe { std::ffi::CStr::from_ptr(last_error_ptr()) }
            .to_string_lossy()
            .into_owned();
        assert!(
            message.starts_with("probe: internal error at src/ffi/boundary.rs:"),
            "{message}"
        );
        assert!(
            message.ends_with("please report it: deliberate"),
            "{message}"
        );
    }

    #[test]
    fn success_leaves_the_last_error_alone() {
        set_last_error("earlier failure");

        assert_eq!(run("probe", || Ok(())), UsageDbStatus::Ok);

        let message = unsafe { std::ffi::CStr::from_ptr(last_error_ptr()) }
            .to_string_lossy()
            .into_owned();
        assert_eq!(message, "earlier failure");
    }
}
