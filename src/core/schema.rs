//! Schema creation and the version check that keeps this library away from files it does
//! not understand.

use rusqlite::Connection;

use super::error::{Error, Result, UsageDbStatus};

/// Schema version written to `PRAGMA user_version`. A later release that changes the
/// schema raises it and migrates files that carry a lower number.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA_SQL: &str = include_str!("schema.sql");

/// Refuses, before anything is written, a file whose schema is newer than this library's
/// or that belongs to another application.
pub fn check_compatible(conn: &Connection) -> Result<()> {
    let version = user_version(conn)?;

    if version > SCHEMA_VERSION {
        return Err(Error::new(
            UsageDbStatus::SchemaTooNew,
            format!(
                "schema version {version} was written by a newer usage_db; this version reads up to {SCHEMA_VERSION}, so upgrade the library"
            ),
        ));
    }

    if version == 0 && has_foreign_tables(conn)? {
        return Err(Error::new(
            UsageDbStatus::NotADatabase,
            "the file is an SQLite database without a usage_db schema; refusing to modify it",
        ));
    }
    Ok(())
}

/// Creates the schema in an empty database. Runs under the write lock and re-reads the
/// version inside it, so two processes opening one new file create the schema once.
pub fn create_if_missing(conn: &Connection) -> Result<()> {
    if user_version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }

    let sqlite = |e: rusqlite::Error| Error::from_sqlite("creating the schema", &e);
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sqlite)?;

    let created = (|| {
        check_compatible(conn)?;
        if user_version(conn)? == 0 {
            conn.execute_batch(SCHEMA_SQL).map_err(sqlite)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sqlite)?;
        }
        conn.execute_batch("COMMIT").map_err(sqlite)
    })();

    if created.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    created
}

fn user_version(conn: &Connection) -> Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| Error::from_sqlite("reading the schema version", &e))
}

fn has_foreign_tables(conn: &Connection) -> Result<bool> {
    conn.query_row("SELECT count(*) > 0 FROM sqlite_schema", [], |row| {
        row.get(0)
    })
    .map_err(|e| Error::from_sqlite("reading the schema", &e))
}
