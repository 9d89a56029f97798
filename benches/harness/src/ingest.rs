//! Bulk and single-row ingest: the two C ABI bulk paths, and the raw rusqlite loop they
//! are measured against.
//!
//! Every path writes the whole data set in one transaction, in batches of [`BATCH`] rows
//! whose preparation (JSON text, struct array, typed rows) is not timed.

use std::ffi::CString;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};

use crate::abi::{Db, FactArray};
use crate::data::{self, Row, Scope};

/// Rows per bulk call.
pub const BATCH: u64 = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    Raw,
    Struct,
    Json,
}

impl Path {
    pub fn label(self) -> &'static str {
        match self {
            Path::Raw => "raw rusqlite loop",
            Path::Struct => "C ABI struct array",
            Path::Json => "C ABI JSON array",
        }
    }
}

/// Hours past the end of the history whose entities exist too, for the single-row
/// writes that follow the bulk ingest.
pub const SPARE_HOURS: u64 = 400;

/// Creates a database at `path` with the library and registers the entities of `facts`
/// facts, untimed.
pub fn prepare_database(path: &str, facts: u64) -> Db {
    let _ = std::fs::remove_file(path);
    let db = Db::open(path);
    db.register_entities(data::hours_for(facts) + SPARE_HOURS);
    db
}

/// Ingests `facts` facts through every path, each into its own fresh database under
/// `workdir`, and returns the time each path spent in its writes alone, in the order of
/// [`PATHS`].
///
/// The paths take turns batch by batch, so a change in the machine's load during the run
/// hits all of them alike and their ratios stay comparable.
pub fn bulk_ingest(workdir: &std::path::Path, facts: u64) -> [Duration; 3] {
    let db_path = |path: Path| {
        workdir
            .join(format!("{path:?}-{facts}.db"))
            .to_string_lossy()
            .into_owned()
    };
    drop(prepare_database(&db_path(Path::Raw), facts));
    let raw = raw_connection(&db_path(Path::Raw));
    let struct_db = prepare_database(&db_path(Path::Struct), facts);
    let json_db = prepare_database(&db_path(Path::Json), facts);

    let mut spent = [
        timed(|| raw.execute_batch("BEGIN IMMEDIATE").unwrap()).1,
        timed(|| struct_db.begin()).1,
        timed(|| json_db.begin()).1,
    ];
    for (batch, offset) in (0..facts).step_by(BATCH as usize).enumerate() {
        let rows = data::rows_range(offset, BATCH.min(facts - offset));
        for turn in 0..PATHS.len() {
            let path = PATHS[(batch + turn) % PATHS.len()];
            let (written, elapsed) = match path {
                Path::Raw => raw_batch(&raw, &rows),
                Path::Struct => {
                    let array = FactArray::new(&rows);
                    timed(|| struct_db.bulk_array(&array.facts))
                }
                Path::Json => {
                    let json = CString::new(data::rows_to_json(&rows)).unwrap();
                    timed(|| json_db.bulk_json(&json))
                }
            };
            assert_eq!(
                written,
                rows.len(),
                "{} wrote another number of rows",
                path.label()
            );
            spent[path as usize] += elapsed;
        }
    }

    spent[0] += timed(|| raw.execute_batch("COMMIT").unwrap()).1;
    spent[1] += timed(|| struct_db.commit()).1;
    spent[2] += timed(|| json_db.commit()).1;
    spent
}

/// The paths in the order of [`bulk_ingest`]'s result.
pub const PATHS: [Path; 3] = [Path::Raw, Path::Struct, Path::Json];

/// Opens the floor's connection: plain rusqlite on a file the library created, with the
/// library's open-time settings (WAL is already set in the file).
fn raw_connection(db_path: &str) -> Connection {
    let conn = Connection::open(db_path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn
}

/// Writes one batch the raw way: the library's per-scope upsert statements, prepared
/// once, bound from typed values that need no validation. Building the typed values is
/// not timed.
fn raw_batch(conn: &Connection, rows: &[Row]) -> (usize, Duration) {
    let typed: Vec<(String, Option<String>)> = rows.iter().map(|r| (r.ts(), r.user_id())).collect();
    let mut statements: Vec<_> = [Scope::Ada, Scope::Project, Scope::Machine, Scope::User]
        .iter()
        .map(|&scope| conn.prepare_cached(&upsert_sql(scope)).unwrap())
        .collect();

    timed(|| {
        for (row, (ts, user)) in rows.iter().zip(&typed) {
            let statement = &mut statements[row.scope as usize];
            let id = row.key as i64 + 1;
            let key: &dyn rusqlite::ToSql = match row.scope {
                Scope::Ada => &rusqlite::types::Null,
                Scope::User => user,
                Scope::Project | Scope::Machine => &id,
            };
            let [a, b, c, d, e, f] = row.metrics;
            statement
                .execute(params![key, ts, a, b, c, d, e, f, row.intensity])
                .unwrap();
        }
        rows.len()
    })
}

/// Returns the library's upsert for one scope: ?1 the key, ?2 the hour, ?3 to ?8 the metrics,
/// ?9 the intensity, conflict target the scope's partial unique index.
pub fn upsert_sql(scope: Scope) -> String {
    let (project, machine, user, conflict) = match scope {
        Scope::Ada => ("NULL", "NULL", "NULL", "ts"),
        Scope::Project => ("?1", "NULL", "NULL", "project_id, ts"),
        Scope::Machine => ("NULL", "?1", "NULL", "machine_id, ts"),
        Scope::User => ("NULL", "NULL", "?1", "user_id, ts"),
    };
    let columns = usage_db::core::METRIC_NAMES.join(", ");
    let updates = usage_db::core::METRIC_NAMES
        .iter()
        .chain(["intensity_gCo2eq_kwh"].iter())
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO fact_usage (scope, ts, project_id, machine_id, user_id, {columns}, intensity_gCo2eq_kwh) \
         VALUES ('{}', ?2, {project}, {machine}, {user}, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT ({conflict}) WHERE scope = '{}' DO UPDATE SET {updates}",
        scope.name(),
        scope.name()
    )
}

/// Single-row upserts of `count` new facts after hour `first_hour`, each in its own
/// transaction (`autocommit`) or all in one. Returns rows per second.
pub fn single_rows(db: &Db, first_hour: u64, count: u64, autocommit: bool) -> f64 {
    let rows: Vec<Row> = data::hour_rows(
        first_hour,
        first_hour + count.div_ceil(data::FACTS_PER_HOUR),
    )
    .into_iter()
    .take(count as usize)
    .collect();
    let array = FactArray::new(&rows);

    let start = Instant::now();
    if !autocommit {
        db.begin();
    }
    for fact in &array.facts {
        db.insert_one(fact);
    }
    if !autocommit {
        db.commit();
    }
    rows.len() as f64 / start.elapsed().as_secs_f64()
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = work();
    (value, start.elapsed())
}
