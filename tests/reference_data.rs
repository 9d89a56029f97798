//! Groups, users, projects, machines, instances, memberships and workspaces.

use serde_json::{json, Value};
use usage_db::core::reference::{self, MachineRef, ProjectRef};
use usage_db::core::{query, OpenOptions, Store, UsageDbStatus};

fn memory_store() -> Store {
    Store::open(":memory:", OpenOptions::default()).expect("open :memory:")
}

fn rows(store: &Store, sql: &str) -> Value {
    serde_json::from_str(&query::q(store.connection(), sql, None).expect("q runs"))
        .expect("q returns JSON")
}

#[test]
fn named_dimensions_are_created_once() {
    let mut store = memory_store();

    let group = reference::get_or_create_group(&mut store, "Research").unwrap();
    let project = reference::get_or_create_project(&mut store, "alpha-cloud").unwrap();
    let machine = reference::get_or_create_machine(&mut store, "gpu-01").unwrap();

    assert_eq!(
        reference::get_or_create_group(&mut store, "Research").unwrap(),
        group
    );
    assert_eq!(
        reference::get_or_create_project(&mut store, "alpha-cloud").unwrap(),
        project
    );
    assert_eq!(
        reference::get_or_create_machine(&mut store, "gpu-01").unwrap(),
        machine
    );
    assert_ne!(
        reference::get_or_create_project(&mut store, "beta-cloud").unwrap(),
        project
    );
    assert_eq!(
        rows(&store, "SELECT count(*) AS n FROM dim_project"),
        json!([{"n": 2}])
    );
}

#[test]
fn empty_names_are_rejected_with_operation_and_field() {
    let mut store = memory_store();

    let err = reference::get_or_create_project(&mut store, " ").unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert_eq!(
        err.message,
        "get_or_create_project: invalid cloud_project_name ' ': must not be empty"
    );

    let err = reference::get_or_create_machine(&mut store, "").unwrap_err();
    assert!(
        err.message
            .starts_with("get_or_create_machine: invalid machine_name ''"),
        "{}",
        err.message
    );

    let err = reference::get_or_create_group(&mut store, "a\0b").unwrap_err();
    assert!(err.message.contains("NUL"), "{}", err.message);
}

#[test]
fn user_updates_only_given_fields() {
    let mut store = memory_store();

    reference::get_or_create_user(&mut store, "u123", Some("Ada Lovelace"), Some("Research"))
        .unwrap();
    reference::get_or_create_user(&mut store, "u123", None, None).unwrap();
    let expected =
        json!([{"user_id": "u123", "display_name": "Ada Lovelace", "group_name": "Research"}]);
    let sql = "SELECT u.user_id, u.display_name, g.group_name FROM dim_user u LEFT JOIN dim_group g USING (group_id)";
    assert_eq!(rows(&store, sql), expected);

    reference::get_or_create_user(&mut store, "u123", Some("Ada King"), Some("Theory")).unwrap();
    let expected = json!([{"user_id": "u123", "display_name": "Ada King", "group_name": "Theory"}]);
    assert_eq!(rows(&store, sql), expected);
}

#[test]
fn user_without_group_or_name_is_stored() {
    let mut store = memory_store();

    reference::get_or_create_user(&mut store, "u7", None, None).unwrap();

    let sql = "SELECT user_id, display_name, group_id FROM dim_user";
    assert_eq!(
        rows(&store, sql),
        json!([{"user_id": "u7", "display_name": null, "group_id": null}])
    );
}

#[test]
fn instance_key_treats_absent_values_as_equal() {
    let mut store = memory_store();

    let full =
        reference::get_or_create_instance(&mut store, "10.0.0.5", Some(2222), Some("gpu-01:2222"))
            .unwrap();
    let bare = reference::get_or_create_instance(&mut store, "10.0.0.5", None, None).unwrap();
    let port_zero =
        reference::get_or_create_instance(&mut store, "10.0.0.5", Some(0), None).unwrap();

    assert_eq!(
        reference::get_or_create_instance(&mut store, "10.0.0.5", Some(2222), Some("gpu-01:2222"))
            .unwrap(),
        full
    );
    assert_eq!(
        reference::get_or_create_instance(&mut store, "10.0.0.5", None, None).unwrap(),
        bare
    );
    assert_ne!(full, bare);
    assert_ne!(bare, port_zero);
    assert_eq!(
        rows(&store, "SELECT count(*) AS n FROM dim_instance"),
        json!([{"n": 3}])
    );
}

#[test]
fn instance_rejects_bad_port_and_label() {
    let mut store = memory_store();

    let err = reference::get_or_create_instance(&mut store, "h", Some(70000), None).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert_eq!(
        err.message,
        "get_or_create_instance: invalid port 70000: must be between 0 and 65535"
    );

    let err = reference::get_or_create_instance(&mut store, "h", None, Some("")).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);

    let err = reference::get_or_create_instance(&mut store, "", None, None).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
}

#[test]
fn memberships_by_name_create_and_are_idempotent() {
    let mut store = memory_store();
    reference::get_or_create_user(&mut store, "u123", Some("Ada"), Some("Research")).unwrap();

    for _ in 0..2 {
        reference::map_user_project(&mut store, "u123", ProjectRef::Name("alpha-cloud")).unwrap();
        reference::map_project_machine(
            &mut store,
            ProjectRef::Name("alpha-cloud"),
            MachineRef::Name("gpu-01"),
        )
        .unwrap();
    }

    let expected = json!([{"user_id": "u123", "display_name": "Ada", "group_name": "Research", "cloud_project_name": "alpha-cloud"}]);
    assert_eq!(rows(&store, "SELECT * FROM v_user_project"), expected);
    let sql = "SELECT p.cloud_project_name, m.machine_name FROM map_project_machine JOIN dim_project p USING (project_id) JOIN dim_machine m USING (machine_id)";
    assert_eq!(
        rows(&store, sql),
        json!([{"cloud_project_name": "alpha-cloud", "machine_name": "gpu-01"}])
    );
}

#[test]
fn memberships_by_id_require_existing_rows() {
    let mut store = memory_store();
    reference::get_or_create_user(&mut store, "u1", None, None).unwrap();
    let project = reference::get_or_create_project(&mut store, "alpha").unwrap();
    let machine = reference::get_or_create_machine(&mut store, "m1").unwrap();

    reference::map_user_project(&mut store, "u1", ProjectRef::Id(project)).unwrap();
    reference::map_project_machine(&mut store, ProjectRef::Id(project), MachineRef::Id(machine))
        .unwrap();

    let err = reference::map_user_project(&mut store, "u1", ProjectRef::Id(999)).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::NotFound);
    assert_eq!(
        err.message,
        "map_user_project: project_id 999 not found; create it with get_or_create_project"
    );

    let err =
        reference::map_user_project(&mut store, "nobody", ProjectRef::Id(project)).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::NotFound);
    assert!(
        err.message.contains("user_id 'nobody' not found"),
        "{}",
        err.message
    );

    let err =
        reference::map_project_machine(&mut store, ProjectRef::Id(project), MachineRef::Id(42))
            .unwrap_err();
    assert_eq!(err.status, UsageDbStatus::NotFound);
    assert!(
        err.message.contains("machine_id 42 not found"),
        "{}",
        err.message
    );
}

#[test]
fn project_reference_needs_exactly_one_form() {
    let err = ProjectRef::from_parts("map_user_project", Some(1), Some("alpha")).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert_eq!(
        err.message,
        "map_user_project: give project_id or cloud_project_name, not both (got 1 and 'alpha')"
    );

    let err = MachineRef::from_parts("map_project_machine", None, None).unwrap_err();
    assert_eq!(
        err.message,
        "map_project_machine: requires machine_id or machine_name"
    );
}

#[test]
fn workspaces_start_list_and_end() {
    let mut store = memory_store();
    reference::get_or_create_user(&mut store, "u123", Some("Ada Lovelace"), None).unwrap();
    let project = reference::get_or_create_project(&mut store, "alpha-cloud").unwrap();
    let machine = reference::get_or_create_machine(&mut store, "gpu-01").unwrap();
    let instance =
        reference::get_or_create_instance(&mut store, "10.0.0.5", Some(2222), None).unwrap();

    let first = reference::start_workspace(
        &mut store,
        instance,
        machine,
        "2025-10-01T09:00:00Z",
        Some("u123"),
        Some(project),
    )
    .unwrap();
    let bare = reference::start_workspace(
        &mut store,
        instance,
        machine,
        "2025-10-01T12:00:00+02:00",
        None,
        None,
    )
    .unwrap();

    let expected = json!([
        {"workspace_id": bare, "started_at": "2025-10-01T10:00:00Z", "user": null, "project": null, "machine": "gpu-01", "host": "10.0.0.5", "port": 2222},
        {"workspace_id": first, "started_at": "2025-10-01T09:00:00Z", "user": "Ada Lovelace", "project": "alpha-cloud", "machine": "gpu-01", "host": "10.0.0.5", "port": 2222},
    ]);
    assert_eq!(rows(&store, "SELECT * FROM v_active_workspaces"), expected);

    reference::end_workspace(&mut store, bare).unwrap();
    let err = reference::end_workspace(&mut store, bare).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::NotFound);
    assert_eq!(
        err.message,
        format!("end_workspace: workspace_id {bare} not found among the active workspaces")
    );
    assert_eq!(
        rows(&store, "SELECT workspace_id FROM v_active_workspaces"),
        json!([{"workspace_id": first}])
    );
}

#[test]
fn workspace_references_must_exist() {
    let mut store = memory_store();
    let machine = reference::get_or_create_machine(&mut store, "gpu-01").unwrap();
    let instance = reference::get_or_create_instance(&mut store, "h", None, None).unwrap();
    let ts = "2025-10-01T09:00:00Z";

    let cases = [
        (
            reference::start_workspace(&mut store, 77, machine, ts, None, None),
            "instance_id 77 not found",
        ),
        (
            reference::start_workspace(&mut store, instance, 78, ts, None, None),
            "machine_id 78 not found",
        ),
        (
            reference::start_workspace(&mut store, instance, machine, ts, Some("ghost"), None),
            "user_id 'ghost' not found",
        ),
        (
            reference::start_workspace(&mut store, instance, machine, ts, None, Some(79)),
            "project_id 79 not found",
        ),
    ];
    for (outcome, expected) in cases {
        let err = outcome.unwrap_err();
        assert_eq!(err.status, UsageDbStatus::NotFound, "{}", err.message);
        assert!(err.message.contains(expected), "{}", err.message);
    }

    let err =
        reference::start_workspace(&mut store, instance, machine, "soon", None, None).unwrap_err();
    assert_eq!(err.status, UsageDbStatus::InvalidArgument);
    assert!(
        err.message
            .starts_with("start_workspace: invalid started_at_iso_utc 'soon'"),
        "{}",
        err.message
    );
    assert_eq!(
        rows(&store, "SELECT count(*) AS n FROM active_workspace"),
        json!([{"n": 0}])
    );
}
