//! Hourly usage facts: validation against the scope rules and the upsert that writes them.

use std::borrow::Cow;
use std::sync::OnceLock;

use rusqlite::types::Null;
use rusqlite::{CachedStatement, Connection, Statement, ToSql};

use super::error::{extended_code, Error, Result};
use super::store::Store;
use super::time::normalize_timestamp_borrowed;
use super::validate::{check_metric, check_name};

/// Names of the six metrics, in storage order; also their keys in bulk JSON rows.
pub const METRIC_NAMES: [&str; 6] = [
    "busy_cpu_seconds_total",
    "idle_cpu_seconds_total",
    "busy_kwh",
    "idle_kwh",
    "busy_gCo2eq",
    "idle_gCo2eq",
];

/// One fact as a caller gave it, before validation.
#[derive(Clone, Debug, Default)]
pub struct FactInput<'a> {
    pub scope: Cow<'a, str>,
    pub ts_iso_utc: Cow<'a, str>,
    pub project_id: Option<i64>,
    pub machine_id: Option<i64>,
    pub user_id: Option<Cow<'a, str>>,
    /// In the order of [`METRIC_NAMES`].
    pub metrics: [f64; 6],
    pub intensity_gco2eq_kwh: Option<f64>,
}

/// The one key a scope carries.
#[derive(Clone, Debug, PartialEq)]
enum Entity<'a> {
    Ada,
    Project(i64),
    Machine(i64),
    User(&'a str),
}

/// A fact that passed validation: the timestamp is normalised and the key matches the
/// scope.
#[derive(Debug)]
pub struct Fact<'a> {
    entity: Entity<'a>,
    ts: Cow<'a, str>,
    metrics: [f64; 6],
    intensity: Option<f64>,
}

impl<'a> FactInput<'a> {
    /// Validates the fact. Errors name the field and repeat the value; the caller adds the
    /// operation and, in a batch, the row index.
    pub fn validate(&'a self) -> Result<Fact<'a>> {
        let entity = self.entity()?;
        let ts = normalize_timestamp_borrowed("ts_iso_utc", &self.ts_iso_utc)?;

        let mut metrics = [0.0; 6];
        for ((slot, &value), name) in metrics.iter_mut().zip(&self.metrics).zip(METRIC_NAMES) {
            *slot = check_metric(name, value)?;
        }
        let intensity = self
            .intensity_gco2eq_kwh
            .map(|value| check_metric("intensity_gCo2eq_kwh", value))
            .transpose()?;

        Ok(Fact {
            entity,
            ts,
            metrics,
            intensity,
        })
    }

    fn entity(&'a self) -> Result<Entity<'a>> {
        let scope = self.scope.as_ref();
        let required = match scope {
            "ada" => None,
            "project" => Some("project_id"),
            "machine" => Some("machine_id"),
            "user" => Some("user_id"),
            _ => {
                return Err(Error::invalid(format!(
                    "invalid scope '{scope}': expected one of ada, project, machine, user"
                )))
            }
        };

        // Which ids are given is checked first and their values formatted only for an
        // error, because this runs once per row of a bulk ingest.
        let given = [
            ("project_id", self.project_id.is_some()),
            ("machine_id", self.machine_id.is_some()),
            ("user_id", self.user_id.is_some()),
        ];
        // A stray id is reported before a missing one: it is the likelier mistake, such as
        // a machine_id given with scope 'project'.
        let stray = given
            .iter()
            .find(|(field, is_given)| *is_given && Some(*field) != required);
        if let Some((field, _)) = stray {
            let expected =
                required.map_or("takes no id".to_owned(), |id| format!("takes only {id}"));
            return Err(Error::invalid(format!(
                "scope '{scope}' {expected}, but {field} {} was given",
                self.given_id_text(field)
            )));
        }
        let missing = given
            .iter()
            .find(|(field, is_given)| !*is_given && Some(*field) == required);
        if let Some((field, _)) = missing {
            return Err(Error::invalid(format!("scope '{scope}' requires {field}")));
        }

        Ok(match scope {
            "ada" => Entity::Ada,
            "project" => Entity::Project(self.project_id.unwrap_or_default()),
            "machine" => Entity::Machine(self.machine_id.unwrap_or_default()),
            _ => {
                let user_id = self.user_id.as_deref().unwrap_or_default();
                check_name("user_id", user_id)?;
                Entity::User(user_id)
            }
        })
    }

    /// Formats a given id as error messages show it: numbers bare, text quoted.
    fn given_id_text(&self, field: &str) -> String {
        match field {
            "project_id" => self.project_id.map(|id| id.to_string()),
            "machine_id" => self.machine_id.map(|id| id.to_string()),
            _ => self.user_id.as_ref().map(|id| format!("'{id}'")),
        }
        .unwrap_or_default()
    }
}

/// Inserts or replaces one fact and returns its `usage_id`.
pub fn insert_fact_usage(store: &mut Store, input: &FactInput) -> Result<i64> {
    let op = "insert_fact_usage";
    let fact = input.validate().map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| upsert(conn, &fact, true))
        .map_err(|e| e.in_operation(op))
}

/// Writes all rows or none; a failure names the row index. A row may arrive as an error
/// (a conversion that failed in the caller), which fails the batch like a bad row.
///
/// Runs inside the caller's transaction when one is open (as a savepoint), so the batch
/// can be part of a larger unit of work.
pub fn bulk_insert_fact_usage<'a>(
    store: &mut Store,
    rows: impl IntoIterator<Item = Result<FactInput<'a>>>,
) -> Result<usize> {
    let op = "bulk_insert_fact_usage";

    store
        .write(|conn| {
            let mut writer = FactWriter::new(conn);
            for row in rows {
                let row = row.map_err(|e| writer.at_current_row(e))?;
                writer.write(&row)?;
            }
            Ok(writer.count)
        })
        .map_err(|e| e.in_operation(op))
}

/// Writes validated facts one by one, counting rows so errors can name the index.
pub struct FactWriter<'c> {
    conn: &'c Connection,
    /// Each scope's upsert, prepared on its first row and kept for the batch, which spares
    /// a statement-cache lookup (a hash of the whole SQL text) per row.
    statements: [Option<CachedStatement<'c>>; 4],
    pub count: usize,
}

impl<'c> FactWriter<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        FactWriter {
            conn,
            statements: Default::default(),
            count: 0,
        }
    }

    /// Validates and upserts the next row; errors start with `row N:`.
    pub fn write(&mut self, input: &FactInput) -> Result<()> {
        let at_row = |err| row_error(self.count, err);
        let fact = input.validate().map_err(at_row)?;

        let statement = match &mut self.statements[scope_slot(&fact.entity)] {
            Some(statement) => statement,
            empty => empty.insert(prepare_upsert(self.conn, &fact.entity, false).map_err(at_row)?),
        };
        run_upsert(statement, &fact, false).map_err(at_row)?;

        self.count += 1;
        Ok(())
    }

    /// Prefixes an error with the index of the row being written.
    pub fn at_current_row(&self, err: Error) -> Error {
        row_error(self.count, err)
    }
}

fn row_error(index: usize, err: Error) -> Error {
    Error::new(err.status, format!("row {index}: {}", err.message))
}

/// Upserts on the scope's partial unique index, keeping the existing `usage_id`.
fn upsert(conn: &Connection, fact: &Fact, returning: bool) -> Result<i64> {
    let mut statement = prepare_upsert(conn, &fact.entity, returning)?;
    run_upsert(&mut statement, fact, returning)
}

fn prepare_upsert<'c>(
    conn: &'c Connection,
    entity: &Entity,
    returning: bool,
) -> Result<CachedStatement<'c>> {
    conn.prepare_cached(upsert_sql(entity, returning))
        .map_err(|e| Error::from_sqlite("preparing the upsert", &e))
}

/// Binds a fact to its scope's upsert (see [`upsert_sql`]) and runs it, returning the
/// `usage_id` when the statement has `RETURNING`, else 0.
fn run_upsert(statement: &mut Statement, fact: &Fact, returning: bool) -> Result<i64> {
    let key: &dyn ToSql = match &fact.entity {
        Entity::Ada => &Null,
        Entity::Project(id) | Entity::Machine(id) => id,
        Entity::User(id) => id,
    };
    let [busy_s, idle_s, busy_kwh, idle_kwh, busy_g, idle_g] = &fact.metrics;
    let values: [&dyn ToSql; 9] = [
        key,
        &fact.ts,
        busy_s,
        idle_s,
        busy_kwh,
        idle_kwh,
        busy_g,
        idle_g,
        &fact.intensity,
    ];

    let outcome = if returning {
        statement.query_row(values, |row| row.get(0))
    } else {
        statement.execute(values).map(|_| 0)
    };
    outcome.map_err(|e| describe_write_failure(&fact.entity, &e))
}

/// Names the fact's one id in a foreign-key failure, since no other id can have caused it.
fn describe_write_failure(entity: &Entity, err: &rusqlite::Error) -> Error {
    const FOREIGN_KEY: i32 = rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY;
    if extended_code(err) != Some(FOREIGN_KEY) {
        return Error::from_sqlite("writing the fact", err);
    }

    Error::not_found(match entity {
        Entity::Project(id) => {
            format!("project_id {id} not found; create it with get_or_create_project")
        }
        Entity::Machine(id) => {
            format!("machine_id {id} not found; create it with get_or_create_machine")
        }
        Entity::User(id) => format!("user_id '{id}' not found; create it with get_or_create_user"),
        Entity::Ada => format!("unexpected foreign key failure: {err}"),
    })
}

/// Returns the upsert statement for a scope. Parameter 1 is the key, 2 the timestamp, 3 to 8 the
/// metrics and 9 the intensity. The ada statement never reads ?1, but SQLite still counts
/// it, so every scope binds the same nine values.
fn upsert_sql(entity: &Entity, returning: bool) -> &'static str {
    static SQL: OnceLock<[String; 8]> = OnceLock::new();

    let all = SQL.get_or_init(|| {
        let scopes = [
            ("ada", "NULL", "NULL", "NULL", "ts"),
            ("project", "?1", "NULL", "NULL", "project_id, ts"),
            ("machine", "NULL", "?1", "NULL", "machine_id, ts"),
            ("user", "NULL", "NULL", "?1", "user_id, ts"),
        ];
        let updates = METRIC_NAMES
            .iter()
            .chain(["intensity_gCo2eq_kwh"].iter())
            .map(|c| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");

        std::array::from_fn(|i| {
            let (scope, project, machine, user, conflict) = scopes[i / 2];
            let returning = if i % 2 == 1 { " RETURNING usage_id" } else { "" };
            format!(
                "INSERT INTO fact_usage (scope, ts, project_id, machine_id, user_id, {metrics}, intensity_gCo2eq_kwh) \
                 VALUES ('{scope}', ?2, {project}, {machine}, {user}, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT ({conflict}) WHERE scope = '{scope}' DO UPDATE SET {updates}{returning}",
                metrics = METRIC_NAMES.join(", "),
            )
        })
    });

    &all[scope_slot(entity) * 2 + usize::from(returning)]
}

/// Returns the position of a fact's scope in the order ada, project, machine, user.
fn scope_slot(entity: &Entity) -> usize {
    match entity {
        Entity::Ada => 0,
        Entity::Project(_) => 1,
        Entity::Machine(_) => 2,
        Entity::User(_) => 3,
    }
}
