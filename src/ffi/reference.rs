//! Reference data through the C ABI: groups, users, projects, machines, instances,
//! memberships and workspaces.

use std::ffi::c_char;

use crate::core::reference::{self, MachineRef, ProjectRef};
use crate::core::UsageDbStatus;
use crate::ffi::boundary::{run, with_store};
use crate::ffi::handle::UsageDb;
use crate::ffi::strings::{optional_i64, optional_text, out_param, required_text};

/// Returns in `*out_group_id` the id of the group named `group_name`, creating it when
/// missing. An empty name gives `USAGE_DB_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `db` is NULL or a live handle; `group_name` is a NUL-terminated UTF-8 string;
/// `out_group_id` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_get_or_create_group(
    db: *mut UsageDb,
    group_name: *const c_char,
    out_group_id: *mut i64,
) -> UsageDbStatus {
    let op = "get_or_create_group";
    run(op, || {
        let out = out_param(op, "out_group_id", out_group_id)?;
        let name = required_text(op, "group_name", group_name)?;

        *out = with_store(db, op, |store| reference::get_or_create_group(store, name))?;
        Ok(())
    })
}

/// Creates the user `user_id` (the platform's own string id), or updates its display name
/// and group where they are given. NULL `display_name` or `group_name` leaves the stored
/// value as it is; a group named here is created when missing.
///
/// # Safety
/// `db` is NULL or a live handle; the strings are NUL-terminated UTF-8, the optional ones
/// may be NULL.
#[no_mangle]
pub unsafe extern "C" fn usage_db_get_or_create_user(
    db: *mut UsageDb,
    user_id: *const c_char,
    display_name: *const c_char,
    group_name: *const c_char,
) -> UsageDbStatus {
    let op = "get_or_create_user";
    run(op, || {
        let user_id = required_text(op, "user_id", user_id)?;
        let display_name = optional_text(op, "display_name", display_name)?;
        let group_name = optional_text(op, "group_name", group_name)?;

        with_store(db, op, |store| {
            reference::get_or_create_user(store, user_id, display_name, group_name)
        })
    })
}

/// Returns in `*out_project_id` the id of the project named `cloud_project_name`,
/// creating it when missing.
///
/// # Safety
/// `db` is NULL or a live handle; `cloud_project_name` is a NUL-terminated UTF-8 string;
/// `out_project_id` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_get_or_create_project(
    db: *mut UsageDb,
    cloud_project_name: *const c_char,
    out_project_id: *mut i64,
) -> UsageDbStatus {
    let op = "get_or_create_project";
    run(op, || {
        let out = out_param(op, "out_project_id", out_project_id)?;
        let name = required_text(op, "cloud_project_name", cloud_project_name)?;

        *out = with_store(db, op, |store| {
            reference::get_or_create_project(store, name)
        })?;
        Ok(())
    })
}

/// Returns in `*out_machine_id` the id of the machine named `machine_name`, creating it
/// when missing.
///
/// # Safety
/// `db` is NULL or a live handle; `machine_name` is a NUL-terminated UTF-8 string;
/// `out_machine_id` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_get_or_create_machine(
    db: *mut UsageDb,
    machine_name: *const c_char,
    out_machine_id: *mut i64,
) -> UsageDbStatus {
    let op = "get_or_create_machine";
    run(op, || {
        let out = out_param(op, "out_machine_id", out_machine_id)?;
        let name = required_text(op, "machine_name", machine_name)?;

        *out = with_store(db, op, |store| {
            reference::get_or_create_machine(store, name)
        })?;
        Ok(())
    })
}

/// Returns in `*out_instance_id` the id of the instance with exactly this `host`, `port`
/// and `raw_label`, creating it when there is none. `port` (0 to 65535) and `raw_label`
/// may be NULL for absent; an absent value only matches an absent one.
///
/// # Safety
/// `db` is NULL or a live handle; `host` is a NUL-terminated UTF-8 string; `port` is NULL
/// or points to an `int64_t`; `raw_label` is NULL or a NUL-terminated UTF-8 string;
/// `out_instance_id` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_get_or_create_instance(
    db: *mut UsageDb,
    host: *const c_char,
    port: *const i64,
    raw_label: *const c_char,
    out_instance_id: *mut i64,
) -> UsageDbStatus {
    let op = "get_or_create_instance";
    run(op, || {
        let out = out_param(op, "out_instance_id", out_instance_id)?;
        let host = required_text(op, "host", host)?;
        let raw_label = optional_text(op, "raw_label", raw_label)?;
        let port = optional_i64(port);

        *out = with_store(db, op, |store| {
            reference::get_or_create_instance(store, host, port, raw_label)
        })?;
        Ok(())
    })
}

/// Makes `user_id` a member of a project given by `*project_id` or by
/// `cloud_project_name` (exactly one of the two is non-NULL). A project named here is
/// created when missing; an unknown `user_id` or `project_id` gives
/// `USAGE_DB_STATUS_NOT_FOUND`. Mapping twice is harmless.
///
/// # Safety
/// `db` is NULL or a live handle; `user_id` is a NUL-terminated UTF-8 string;
/// `project_id` is NULL or points to an `int64_t`; `cloud_project_name` is NULL or a
/// NUL-terminated UTF-8 string.
#[no_mangle]
pub unsafe extern "C" fn usage_db_map_user_project(
    db: *mut UsageDb,
    user_id: *const c_char,
    project_id: *const i64,
    cloud_project_name: *const c_char,
) -> UsageDbStatus {
    let op = "map_user_project";
    run(op, || {
        let user_id = required_text(op, "user_id", user_id)?;
        let name = optional_text(op, "cloud_project_name", cloud_project_name)?;
        let project = ProjectRef::from_parts(op, optional_i64(project_id), name)?;

        with_store(db, op, |store| {
            reference::map_user_project(store, user_id, project)
        })
    })
}

/// Assigns a machine to a project. The project is given by `*project_id` or
/// `cloud_project_name`, the machine by `*machine_id` or `machine_name` (exactly one of
/// each pair is non-NULL). Names create what is missing; unknown ids give
/// `USAGE_DB_STATUS_NOT_FOUND`. Mapping twice is harmless.
///
/// # Safety
/// `db` is NULL or a live handle; each id is NULL or points to an `int64_t`; each name is
/// NULL or a NUL-terminated UTF-8 string.
#[no_mangle]
pub unsafe extern "C" fn usage_db_map_project_machine(
    db: *mut UsageDb,
    project_id: *const i64,
    cloud_project_name: *const c_char,
    machine_id: *const i64,
    machine_name: *const c_char,
) -> UsageDbStatus {
    let op = "map_project_machine";
    run(op, || {
        let project_name = optional_text(op, "cloud_project_name", cloud_project_name)?;
        let machine_name = optional_text(op, "machine_name", machine_name)?;
        let project = ProjectRef::from_parts(op, optional_i64(project_id), project_name)?;
        let machine = MachineRef::from_parts(op, optional_i64(machine_id), machine_name)?;

        with_store(db, op, |store| {
            reference::map_project_machine(store, project, machine)
        })
    })
}

/// Registers a running workspace and returns its id in `*out_workspace_id`.
/// `started_at_iso_utc` is a timestamp as for facts. `user_id` and `project_id` may be
/// NULL; every id given must exist, or the call fails with `USAGE_DB_STATUS_NOT_FOUND`.
///
/// # Safety
/// `db` is NULL or a live handle; `started_at_iso_utc` is a NUL-terminated UTF-8 string;
/// `user_id` is NULL or one; `project_id` is NULL or points to an `int64_t`;
/// `out_workspace_id` points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn usage_db_start_workspace(
    db: *mut UsageDb,
    instance_id: i64,
    machine_id: i64,
    started_at_iso_utc: *const c_char,
    user_id: *const c_char,
    project_id: *const i64,
    out_workspace_id: *mut i64,
) -> UsageDbStatus {
    let op = "start_workspace";
    run(op, || {
        let out = out_param(op, "out_workspace_id", out_workspace_id)?;
        let started_at = required_text(op, "started_at_iso_utc", started_at_iso_utc)?;
        let user_id = optional_text(op, "user_id", user_id)?;
        let project_id = optional_i64(project_id);

        *out = with_store(db, op, |store| {
            reference::start_workspace(
                store,
                instance_id,
                machine_id,
                started_at,
                user_id,
                project_id,
            )
        })?;
        Ok(())
    })
}

/// Removes a workspace from the active list. An id that is not active gives
/// `USAGE_DB_STATUS_NOT_FOUND`.
///
/// # Safety
/// `db` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn usage_db_end_workspace(
    db: *mut UsageDb,
    workspace_id: i64,
) -> UsageDbStatus {
    let op = "end_workspace";
    run(op, || {
        with_store(db, op, |store| {
            reference::end_workspace(store, workspace_id)
        })
    })
}
