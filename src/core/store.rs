//! The store: one SQLite connection, its open-time settings and its transaction state.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::error::{Error, Result, UsageDbStatus};
use super::schema;

/// Commit durability against power loss, fixed when the store is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=NORMAL` in WAL mode: a committed transaction survives a crash of the
    /// process; the last commits before a power loss or OS crash may be rolled back, and the
    /// file stays consistent.
    Normal,
    /// `synchronous=FULL`: every commit is synced to disk before it returns, so it also
    /// survives a power loss, at the cost of one sync per commit.
    Full,
}

/// Settings fixed when a store is opened.
#[derive(Clone, Copy, Debug)]
pub struct OpenOptions {
    /// How long a call waits for another connection's lock before it fails as busy.
    pub busy_timeout: Duration,
    pub durability: Durability,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            busy_timeout: Duration::from_secs(30),
            durability: Durability::Normal,
        }
    }
}

/// An open database with its transaction nesting depth.
///
/// Depth 0 is autocommit; the outermost `begin` issues `BEGIN IMMEDIATE` and each nested
/// one a savepoint named after its depth.
pub struct Store {
    conn: Connection,
    depth: u32,
}

impl Store {
    /// Opens or creates the database at `path` (`:memory:` for a private in-memory one),
    /// creating the schema in a new file and refusing a file it cannot safely use.
    pub fn open(path: &str, options: OpenOptions) -> Result<Store> {
        let context = format!("open: path '{path}'");
        if path.is_empty() {
            return Err(Error::invalid(format!("{context}: the path is empty")));
        }
        if path.contains('\0') {
            return Err(Error::invalid(format!(
                "{context}: the path contains a NUL character"
            )));
        }

        let conn = connect(path).map_err(|e| Error::from_sqlite(&context, &e))?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(|e| Error::from_sqlite(&context, &e))?;

        schema::check_compatible(&conn).map_err(|e| e.in_operation(&context))?;
        configure(&conn, path, options).map_err(|e| Error::from_sqlite(&context, &e))?;
        schema::create_if_missing(&conn).map_err(|e| e.in_operation(&context))?;

        Ok(Store { conn, depth: 0 })
    }

    /// Returns the underlying connection, for reads. Writes go through [`Store::write`] so
    /// they respect the transaction depth.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Number of open `begin` calls not yet committed or rolled back.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Opens a transaction, or a savepoint inside the open one.
    pub fn begin(&mut self) -> Result<()> {
        let sql = match self.depth {
            0 => "BEGIN IMMEDIATE".to_owned(),
            depth => format!("SAVEPOINT usage_db_{depth}"),
        };
        self.conn
            .execute_batch(&sql)
            .map_err(|e| Error::from_sqlite("begin", &e))?;
        self.depth += 1;
        Ok(())
    }

    /// Commits the innermost open transaction or savepoint.
    ///
    /// A failed outermost commit is rolled back, so the database is left without any of
    /// the transaction's writes and no transaction is open afterwards.
    pub fn commit(&mut self) -> Result<()> {
        match self.depth {
            0 => Err(no_transaction("commit")),
            1 => {
                let committed = self.conn.execute_batch("COMMIT");
                self.depth = 0;
                if let Err(e) = committed {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(Error::from_sqlite("commit", &e));
                }
                Ok(())
            }
            depth => {
                let sql = format!("RELEASE usage_db_{}", depth - 1);
                self.conn
                    .execute_batch(&sql)
                    .map_err(|e| Error::from_sqlite("commit", &e))?;
                self.depth -= 1;
                Ok(())
            }
        }
    }

    /// Rolls back the innermost open transaction or savepoint.
    pub fn rollback(&mut self) -> Result<()> {
        match self.depth {
            0 => Err(no_transaction("rollback")),
            1 => {
                self.depth = 0;
                self.conn
                    .execute_batch("ROLLBACK")
                    .map_err(|e| Error::from_sqlite("rollback", &e))
            }
            depth => {
                let name = format!("usage_db_{}", depth - 1);
                self.conn
                    .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))
                    .map_err(|e| Error::from_sqlite("rollback", &e))?;
                self.depth -= 1;
                Ok(())
            }
        }
    }

    /// Runs `work` atomically: inside the caller's transaction as a savepoint, or else in
    /// a transaction of its own. Taking the write lock up front (`BEGIN IMMEDIATE`) lets
    /// the busy timeout apply, where a read that later upgrades to a write would fail at
    /// once with "database is locked".
    pub fn write<T>(&mut self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.begin()?;

        match work(&self.conn) {
            Ok(value) => {
                self.commit()?;
                Ok(value)
            }
            Err(err) => {
                // The work's own error is the one worth reporting.
                let _ = self.rollback();
                Err(err)
            }
        }
    }

    /// Rolls back whatever is open; used when the handle is closed.
    pub fn rollback_all(&mut self) {
        if self.depth > 0 {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.depth = 0;
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.rollback_all();
    }
}

fn no_transaction(operation: &str) -> Error {
    Error::new(
        UsageDbStatus::TransactionState,
        format!("{operation}: no transaction is open; call begin first"),
    )
}

fn connect(path: &str) -> rusqlite::Result<Connection> {
    // NO_MUTEX: the handle serialises every call itself, so SQLite's own mutex is
    // redundant. URI filenames are off, so a path is always a file name.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;

    if path == ":memory:" {
        return Connection::open_in_memory_with_flags(flags);
    }
    Connection::open_with_flags(Path::new(path), flags)
}

fn configure(conn: &Connection, path: &str, options: OpenOptions) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;

    if path != ":memory:" {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!(
                    "journal_mode is '{mode}', WAL could not be enabled"
                )),
            ));
        }
    }

    let synchronous = match options.durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}
