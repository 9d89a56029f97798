//! Reference data: groups, users, projects, machines, instances, their memberships, and
//! workspaces.

use rusqlite::{params, Connection, OptionalExtension, ToSql};

use super::error::{Error, Result};
use super::store::Store;
use super::time::normalize_timestamp;
use super::validate::{check_name, check_optional_name, check_port};

/// A project given by id (which must exist) or by name (created when missing).
#[derive(Clone, Copy, Debug)]
pub enum ProjectRef<'a> {
    Id(i64),
    Name(&'a str),
}

/// A machine given by id (which must exist) or by name (created when missing).
#[derive(Clone, Copy, Debug)]
pub enum MachineRef<'a> {
    Id(i64),
    Name(&'a str),
}

impl<'a> ProjectRef<'a> {
    /// Picks the one reference a caller gave out of an optional id and name.
    pub fn from_parts(operation: &str, id: Option<i64>, name: Option<&'a str>) -> Result<Self> {
        exactly_one(operation, "project_id", "cloud_project_name", id, name)
            .map(|r| r.map_or_else(ProjectRef::Name, ProjectRef::Id))
    }
}

impl<'a> MachineRef<'a> {
    /// Picks the one reference a caller gave out of an optional id and name.
    pub fn from_parts(operation: &str, id: Option<i64>, name: Option<&'a str>) -> Result<Self> {
        exactly_one(operation, "machine_id", "machine_name", id, name)
            .map(|r| r.map_or_else(MachineRef::Name, MachineRef::Id))
    }
}

fn exactly_one<'a>(
    operation: &str,
    id_field: &str,
    name_field: &str,
    id: Option<i64>,
    name: Option<&'a str>,
) -> Result<std::result::Result<i64, &'a str>> {
    match (id, name) {
        (Some(id), None) => Ok(Ok(id)),
        (None, Some(name)) => Ok(Err(name)),
        (Some(id), Some(name)) => Err(Error::invalid(format!(
            "{operation}: give {id_field} or {name_field}, not both (got {id} and '{name}')"
        ))),
        (None, None) => Err(Error::invalid(format!(
            "{operation}: requires {id_field} or {name_field}"
        ))),
    }
}

pub fn get_or_create_group(store: &mut Store, group_name: &str) -> Result<i64> {
    let op = "get_or_create_group";
    check_name("group_name", group_name).map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| named_id(conn, NamedTable::GROUP, group_name))
        .map_err(|e| e.in_operation(op))
}

pub fn get_or_create_project(store: &mut Store, cloud_project_name: &str) -> Result<i64> {
    let op = "get_or_create_project";
    check_name("cloud_project_name", cloud_project_name).map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| named_id(conn, NamedTable::PROJECT, cloud_project_name))
        .map_err(|e| e.in_operation(op))
}

pub fn get_or_create_machine(store: &mut Store, machine_name: &str) -> Result<i64> {
    let op = "get_or_create_machine";
    check_name("machine_name", machine_name).map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| named_id(conn, NamedTable::MACHINE, machine_name))
        .map_err(|e| e.in_operation(op))
}

/// Creates the user, or sets the display name and group where given. An absent value
/// never clears a stored one.
pub fn get_or_create_user(
    store: &mut Store,
    user_id: &str,
    display_name: Option<&str>,
    group_name: Option<&str>,
) -> Result<()> {
    let op = "get_or_create_user";
    let checked = check_name("user_id", user_id)
        .and_then(|_| check_optional_name("display_name", display_name))
        .and_then(|_| check_optional_name("group_name", group_name));
    checked.map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| {
            let group_id = group_name
                .map(|name| named_id(conn, NamedTable::GROUP, name))
                .transpose()?;
            conn.execute(
                "INSERT INTO dim_user (user_id, display_name, group_id) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id) DO UPDATE SET \
                     display_name = coalesce(excluded.display_name, display_name), \
                     group_id = coalesce(excluded.group_id, group_id)",
                params![user_id, display_name, group_id],
            )
            .map_err(|e| Error::from_sqlite("writing the user", &e))?;
            Ok(())
        })
        .map_err(|e| e.in_operation(op))
}

/// Returns the id of the instance with exactly this host, port and label (absent values
/// equal each other), creating it when there is none.
pub fn get_or_create_instance(
    store: &mut Store,
    host: &str,
    port: Option<i64>,
    raw_label: Option<&str>,
) -> Result<i64> {
    let op = "get_or_create_instance";
    let checked = check_name("host", host)
        .and_then(|_| port.map(check_port).transpose())
        .and_then(|_| check_optional_name("raw_label", raw_label));
    checked.map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| {
            let sqlite = |e: rusqlite::Error| Error::from_sqlite("writing the instance", &e);
            let existing = conn
                .prepare_cached(
                    "SELECT instance_id FROM dim_instance WHERE host = ?1 AND port IS ?2 AND raw_label IS ?3",
                )
                .and_then(|mut s| s.query_row(params![host, port, raw_label], |r| r.get(0)).optional())
                .map_err(sqlite)?;
            if let Some(id) = existing {
                return Ok(id);
            }

            conn.query_row(
                "INSERT INTO dim_instance (host, port, raw_label) VALUES (?1, ?2, ?3) RETURNING instance_id",
                params![host, port, raw_label],
                |r| r.get(0),
            )
            .map_err(sqlite)
        })
        .map_err(|e| e.in_operation(op))
}

/// Adds the user to the project; a project given by name is created when missing, and
/// an existing membership is left as it is.
pub fn map_user_project(store: &mut Store, user_id: &str, project: ProjectRef) -> Result<()> {
    let op = "map_user_project";
    check_name("user_id", user_id).map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| {
            require_user(conn, user_id)?;
            let project_id = resolve_project(conn, project)?;
            conn.execute(
                "INSERT INTO map_user_project (user_id, project_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![user_id, project_id],
            )
            .map_err(|e| Error::from_sqlite("writing the membership", &e))?;
            Ok(())
        })
        .map_err(|e| e.in_operation(op))
}

/// Adds the machine to the project; either given by name is created when missing.
pub fn map_project_machine(
    store: &mut Store,
    project: ProjectRef,
    machine: MachineRef,
) -> Result<()> {
    let op = "map_project_machine";

    store
        .write(|conn| {
            let project_id = resolve_project(conn, project)?;
            let machine_id = match machine {
                MachineRef::Id(id) => require_id(conn, NamedTable::MACHINE, id)?,
                MachineRef::Name(name) => {
                    check_name("machine_name", name)?;
                    named_id(conn, NamedTable::MACHINE, name)?
                }
            };
            conn.execute(
                "INSERT INTO map_project_machine (project_id, machine_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![project_id, machine_id],
            )
            .map_err(|e| Error::from_sqlite("writing the membership", &e))?;
            Ok(())
        })
        .map_err(|e| e.in_operation(op))
}

/// Registers a running workspace and returns its id. Every id given must exist.
pub fn start_workspace(
    store: &mut Store,
    instance_id: i64,
    machine_id: i64,
    started_at_iso_utc: &str,
    user_id: Option<&str>,
    project_id: Option<i64>,
) -> Result<i64> {
    let op = "start_workspace";
    let started_at = normalize_timestamp("started_at_iso_utc", started_at_iso_utc)
        .and_then(|ts| check_optional_name("user_id", user_id).map(|_| ts))
        .map_err(|e| e.in_operation(op))?;

    store
        .write(|conn| {
            require_id(conn, NamedTable::INSTANCE, instance_id)?;
            require_id(conn, NamedTable::MACHINE, machine_id)?;
            if let Some(user_id) = user_id {
                require_user(conn, user_id)?;
            }
            if let Some(project_id) = project_id {
                require_id(conn, NamedTable::PROJECT, project_id)?;
            }

            conn.query_row(
                "INSERT INTO active_workspace (instance_id, machine_id, user_id, project_id, started_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING workspace_id",
                params![instance_id, machine_id, user_id, project_id, started_at],
                |r| r.get(0),
            )
            .map_err(|e| Error::from_sqlite("writing the workspace", &e))
        })
        .map_err(|e| e.in_operation(op))
}

/// Removes a workspace from the active list.
pub fn end_workspace(store: &mut Store, workspace_id: i64) -> Result<()> {
    let op = "end_workspace";

    store
        .write(|conn| {
            let removed = conn
                .execute(
                    "DELETE FROM active_workspace WHERE workspace_id = ?1",
                    [workspace_id],
                )
                .map_err(|e| Error::from_sqlite("removing the workspace", &e))?;
            if removed == 0 {
                return Err(Error::not_found(format!(
                    "workspace_id {workspace_id} not found among the active workspaces"
                )));
            }
            Ok(())
        })
        .map_err(|e| e.in_operation(op))
}

/// A dimension table keyed by an integer id, with the names used in its SQL and errors.
struct NamedTable {
    table: &'static str,
    id_column: &'static str,
    name_column: &'static str,
    creator: &'static str,
}

impl NamedTable {
    const GROUP: NamedTable = NamedTable {
        table: "dim_group",
        id_column: "group_id",
        name_column: "group_name",
        creator: "get_or_create_group",
    };
    const PROJECT: NamedTable = NamedTable {
        table: "dim_project",
        id_column: "project_id",
        name_column: "cloud_project_name",
        creator: "get_or_create_project",
    };
    const MACHINE: NamedTable = NamedTable {
        table: "dim_machine",
        id_column: "machine_id",
        name_column: "machine_name",
        creator: "get_or_create_machine",
    };
    const INSTANCE: NamedTable = NamedTable {
        table: "dim_instance",
        id_column: "instance_id",
        name_column: "host",
        creator: "get_or_create_instance",
    };
}

/// Returns the id for `name`, inserting a row when there is none. Must run inside a
/// write transaction so the lookup and the insert see the same state.
fn named_id(conn: &Connection, t: NamedTable, name: &str) -> Result<i64> {
    let sqlite = |e: rusqlite::Error| Error::from_sqlite(&format!("writing {}", t.table), &e);
    let select = format!(
        "SELECT {} FROM {} WHERE {} = ?1",
        t.id_column, t.table, t.name_column
    );

    let existing = conn
        .prepare_cached(&select)
        .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
        .map_err(sqlite)?;
    if let Some(id) = existing {
        return Ok(id);
    }

    let insert = format!(
        "INSERT INTO {} ({}) VALUES (?1) RETURNING {}",
        t.table, t.name_column, t.id_column
    );
    conn.query_row(&insert, [name], |r| r.get(0))
        .map_err(sqlite)
}

fn resolve_project(conn: &Connection, project: ProjectRef) -> Result<i64> {
    match project {
        ProjectRef::Id(id) => require_id(conn, NamedTable::PROJECT, id),
        ProjectRef::Name(name) => {
            check_name("cloud_project_name", name)?;
            named_id(conn, NamedTable::PROJECT, name)
        }
    }
}

fn require_id(conn: &Connection, t: NamedTable, id: i64) -> Result<i64> {
    let sql = format!("SELECT 1 FROM {} WHERE {} = ?1", t.table, t.id_column);
    if exists(conn, &sql, &id)? {
        return Ok(id);
    }
    Err(Error::not_found(format!(
        "{} {id} not found; create it with {}",
        t.id_column, t.creator
    )))
}

fn require_user(conn: &Connection, user_id: &str) -> Result<()> {
    if exists(conn, "SELECT 1 FROM dim_user WHERE user_id = ?1", &user_id)? {
        return Ok(());
    }
    Err(Error::not_found(format!(
        "user_id '{user_id}' not found; create it with get_or_create_user"
    )))
}

fn exists(conn: &Connection, sql: &str, key: &dyn ToSql) -> Result<bool> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.exists([key]))
        .map_err(|e| Error::from_sqlite("looking up a reference", &e))
}
