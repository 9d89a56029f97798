//! The error type shared by every operation, and its mapping to stable status codes.

use std::fmt;

/// Outcome of a call through the C ABI.
///
/// The numbers are part of the ABI and never change: new codes are appended and retired
/// ones stay reserved.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsageDbStatus {
    /// The call succeeded and its out parameters were written.
    Ok = 0,
    /// An argument was rejected: NULL pointer, invalid UTF-8, bad scope, missing or
    /// forbidden id, bad timestamp, negative or non-finite metric, empty name, malformed
    /// JSON or parameters.
    InvalidArgument = 1,
    /// A referenced project, machine, user, instance or workspace does not exist.
    NotFound = 2,
    /// The database rejected the write because it breaks a constraint.
    Constraint = 3,
    /// Another connection held a lock for longer than the busy timeout.
    Busy = 4,
    /// Commit or rollback with no transaction open.
    TransactionState = 5,
    /// A statement given to `usage_db_q` or `usage_db_execute_write` failed to prepare
    /// or run.
    SqlError = 6,
    /// `usage_db_q` rejected a statement because it could write or change the connection.
    ReadOnlyViolation = 7,
    /// The file could not be opened, read or written (missing directory, permissions,
    /// disk full).
    IoError = 8,
    /// The file is not a usage_db database, or it is corrupt.
    NotADatabase = 9,
    /// The file was written by a newer usage_db whose schema this version cannot read.
    SchemaTooNew = 10,
    /// A bug in usage_db, including a caught panic. The message names the operation and
    /// the source location.
    Internal = 11,
}

/// A failed operation: a status plus a one-line message that names the operation, the
/// field and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub status: UsageDbStatus,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(status: UsageDbStatus, message: impl Into<String>) -> Self {
        Error {
            status,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(UsageDbStatus::InvalidArgument, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::new(UsageDbStatus::NotFound, message)
    }

    /// Prefixes the message with the operation name, so every message reads
    /// `operation: what failed`.
    pub fn in_operation(mut self, operation: &str) -> Self {
        self.message = format!("{operation}: {}", self.message);
        self
    }

    /// Converts an SQLite failure, keeping SQLite's own text after our context.
    pub fn from_sqlite(context: &str, err: &rusqlite::Error) -> Self {
        let hint = if err.sqlite_error_code() == Some(rusqlite::ffi::ErrorCode::ReadOnly) {
            "; usage_db needs write access to the database file and its directory, where it keeps the WAL journal"
        } else {
            ""
        };
        Error::new(status_of_sqlite(err), format!("{context}: {err}{hint}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Maps an SQLite result code to the status a caller can act on.
pub fn status_of_sqlite(err: &rusqlite::Error) -> UsageDbStatus {
    use rusqlite::ffi::ErrorCode as Code;
    use UsageDbStatus::*;

    let Some(code) = err.sqlite_error_code() else {
        return match err {
            rusqlite::Error::MultipleStatement
            | rusqlite::Error::InvalidParameterCount(..)
            | rusqlite::Error::InvalidParameterName(..)
            | rusqlite::Error::NulError(..)
            | rusqlite::Error::Utf8Error(..) => InvalidArgument,
            _ => Internal,
        };
    };

    match code {
        Code::DatabaseBusy | Code::DatabaseLocked => Busy,
        Code::ConstraintViolation => Constraint,
        Code::NotADatabase | Code::DatabaseCorrupt => NotADatabase,
        Code::SystemIoFailure
        | Code::CannotOpen
        | Code::DiskFull
        | Code::ReadOnly
        | Code::PermissionDenied
        | Code::FileLockingProtocolFailed
        | Code::NoLargeFileSupport => IoError,
        Code::OutOfMemory | Code::InternalMalfunction => Internal,
        _ => SqlError,
    }
}

/// Returns the extended SQLite code, used to tell foreign-key failures from others.
pub fn extended_code(err: &rusqlite::Error) -> Option<i32> {
    match err {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.extended_code),
        _ => None,
    }
}
