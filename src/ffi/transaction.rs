//! Explicit transactions. A `begin` inside an open transaction opens a savepoint, so
//! transactions nest, and every commit or rollback closes the innermost level.

use crate::core::UsageDbStatus;
use crate::ffi::boundary::{run, with_store};
use crate::ffi::handle::UsageDb;

/// Opens a transaction, or a nested savepoint when one is open. The outermost level
/// takes the write lock at once (`BEGIN IMMEDIATE`), waiting up to the busy timeout.
///
/// # Safety
/// `db` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn usage_db_begin(db: *mut UsageDb) -> UsageDbStatus {
    run("begin", || with_store(db, "begin", |store| store.begin()))
}

/// Commits the innermost open level. At the outermost level the writes become durable
/// and visible to other connections; when that commit fails, everything in the
/// transaction is rolled back and no transaction is open afterwards. With nothing open
/// it fails with `USAGE_DB_STATUS_TRANSACTION_STATE`.
///
/// # Safety
/// `db` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn usage_db_commit(db: *mut UsageDb) -> UsageDbStatus {
    run("commit", || {
        with_store(db, "commit", |store| store.commit())
    })
}

/// Undoes everything since the matching `usage_db_begin` and closes that level. With
/// nothing open it fails with `USAGE_DB_STATUS_TRANSACTION_STATE`.
///
/// # Safety
/// `db` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn usage_db_rollback(db: *mut UsageDb) -> UsageDbStatus {
    run("rollback", || {
        with_store(db, "rollback", |store| store.rollback())
    })
}

/// Writes the number of open transaction levels (0 when none) to `*out_depth`.
///
/// # Safety
/// `db` is NULL or a live handle; `out_depth` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_transaction_depth(
    db: *mut UsageDb,
    out_depth: *mut u32,
) -> UsageDbStatus {
    let op = "transaction_depth";
    run(op, || {
        let out = crate::ffi::strings::out_param(op, "out_depth", out_depth)?;
        *out = with_store(db, op, |store| Ok(store.depth()))?;
        Ok(())
    })
}
