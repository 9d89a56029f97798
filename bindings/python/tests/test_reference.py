"""Groups, users, projects, machines, instances, memberships and workspaces."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from usage_db import NotFoundError

T0 = "2025-10-01T00:00:00Z"


def users(db):
    return db.q("SELECT u.user_id, u.display_name, g.group_name FROM dim_user u "
                "LEFT JOIN dim_group g USING (group_id) ORDER BY u.user_id")


def test_group_ids_are_stable(db):
    research = db.get_or_create_group("Research")
    ops = db.get_or_create_group("Ops")

    assert (research, ops) == (1, 2)
    assert db.get_or_create_group("Research") == research


def test_user_returns_its_id(db):
    assert db.get_or_create_user("u123", display_name="Ada Lovelace", group_name="Research") == "u123"
    assert users(db) == [{"user_id": "u123", "display_name": "Ada Lovelace", "group_name": "Research"}]


def test_user_update_keeps_unnamed_fields(db):
    db.get_or_create_user("u1", display_name="Ada", group_name="Research")
    db.get_or_create_user("u1")
    assert users(db) == [{"user_id": "u1", "display_name": "Ada", "group_name": "Research"}]

    db.get_or_create_user("u1", group_name="Ops")
    assert users(db) == [{"user_id": "u1", "display_name": "Ada", "group_name": "Ops"}]


def test_user_without_name_or_group(db):
    db.get_or_create_user("u9")
    assert users(db) == [{"user_id": "u9", "display_name": None, "group_name": None}]


def test_project_and_machine_ids_are_stable(db):
    alpha = db.get_or_create_project("alpha-cloud")
    gpu = db.get_or_create_machine("gpu-01")

    assert db.get_or_create_project("beta") == alpha + 1
    assert db.get_or_create_project("alpha-cloud") == alpha
    assert db.get_or_create_machine("gpu-01") == gpu
    assert db.q("SELECT project_id, cloud_project_name FROM dim_project ORDER BY project_id") == [
        {"project_id": alpha, "cloud_project_name": "alpha-cloud"},
        {"project_id": alpha + 1, "cloud_project_name": "beta"},
    ]


def test_instance_is_get_or_create(db):
    full = db.get_or_create_instance(host="10.0.0.5", port=2222, raw_label="gpu-01:2222")
    bare = db.get_or_create_instance("10.0.0.5")
    zero_port = db.get_or_create_instance("10.0.0.5", port=0)

    assert db.get_or_create_instance("10.0.0.5", 2222, "gpu-01:2222") == full
    assert db.get_or_create_instance("10.0.0.5") == bare
    assert len({full, bare, zero_port}) == 3


@pytest.mark.parametrize("port", [-1, 65536])
def test_instance_rejects_port_out_of_range(db, port):
    with pytest.raises(ValueError, match=f"^get_or_create_instance: invalid port {port}: must be between 0 and 65535$"):
        db.get_or_create_instance("h", port=port)


def test_map_user_project_by_name_and_id(db):
    db.get_or_create_user("u1")
    beta = db.get_or_create_project("beta")

    db.map_user_project(user_id="u1", cloud_project_name="alpha")
    db.map_user_project("u1", project_id=beta)
    db.map_user_project("u1", cloud_project_name="alpha")

    assert db.q("SELECT cloud_project_name FROM v_user_project") == [
        {"cloud_project_name": "alpha"},
        {"cloud_project_name": "beta"},
    ]


def test_map_user_project_needs_exactly_one_project(db):
    db.get_or_create_user("u1")
    with pytest.raises(ValueError, match="^map_user_project: requires project_id or cloud_project_name$"):
        db.map_user_project("u1")
    with pytest.raises(ValueError, match="^map_user_project: "):
        db.map_user_project("u1", project_id=1, cloud_project_name="alpha")


def test_map_user_project_unknown_user(db):
    with pytest.raises(NotFoundError, match="^map_user_project: user_id 'ghost' not found"):
        db.map_user_project("ghost", cloud_project_name="alpha")


def test_map_project_machine_by_name_and_id(db):
    alpha = db.get_or_create_project("alpha")
    gpu = db.get_or_create_machine("gpu-01")

    db.map_project_machine(cloud_project_name="alpha-cloud", machine_name="gpu-01")
    db.map_project_machine(project_id=alpha, machine_id=gpu)
    db.map_project_machine(project_id=alpha, machine_id=gpu)

    assert db.q(
        "SELECT p.cloud_project_name, m.machine_name FROM map_project_machine "
        "JOIN dim_project p USING (project_id) JOIN dim_machine m USING (machine_id) "
        "ORDER BY p.cloud_project_name"
    ) == [
        {"cloud_project_name": "alpha", "machine_name": "gpu-01"},
        {"cloud_project_name": "alpha-cloud", "machine_name": "gpu-01"},
    ]


def test_map_project_machine_unknown_machine_id(db):
    with pytest.raises(NotFoundError, match="^map_project_machine: "):
        db.map_project_machine(cloud_project_name="alpha", machine_id=42)


def test_workspace_start_and_end(db):
    instance = db.get_or_create_instance("10.0.0.5", port=2222, raw_label="gpu-01:2222")
    machine = db.get_or_create_machine("gpu-01")
    project = db.get_or_create_project("alpha-cloud")
    db.get_or_create_user("u123", display_name="Ada Lovelace")

    ws = db.start_workspace(instance_id=instance, machine_id=machine, user_id="u123",
                            project_id=project, started_at_iso_utc="2025-10-01T11:00:00+02:00")

    assert db.active_workspaces() == [
        {"workspace_id": ws, "started_at": "2025-10-01T09:00:00Z", "user": "Ada Lovelace",
         "project": "alpha-cloud", "machine": "gpu-01", "host": "10.0.0.5", "port": 2222},
    ]
    db.end_workspace(ws)
    assert db.active_workspaces() == []
    with pytest.raises(NotFoundError, match=f"^end_workspace: workspace_id {ws} not found"):
        db.end_workspace(ws)


def test_workspace_started_now_by_default(db):
    instance = db.get_or_create_instance("10.0.0.5")
    machine = db.get_or_create_machine("gpu-01")
    before = datetime.now(tz=timezone.utc).replace(microsecond=0)

    db.start_workspace(instance, machine)

    after = datetime.now(tz=timezone.utc)
    started_at = db.active_workspaces()[0]["started_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", started_at)
    started = datetime.strptime(started_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before <= started <= after + timedelta(seconds=1)


def test_workspace_unknown_ids(db):
    instance = db.get_or_create_instance("10.0.0.5")
    machine = db.get_or_create_machine("gpu-01")

    with pytest.raises(NotFoundError, match="^start_workspace: instance_id 99 not found"):
        db.start_workspace(99, machine, started_at_iso_utc=T0)
    with pytest.raises(NotFoundError, match="^start_workspace: "):
        db.start_workspace(instance, machine, user_id="ghost", started_at_iso_utc=T0)


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.get_or_create_group(""),
        lambda db: db.get_or_create_project("   "),
        lambda db: db.get_or_create_machine(""),
        lambda db: db.get_or_create_user(""),
    ],
    ids=["group", "project", "machine", "user"],
)
def test_empty_names_raise_value_error(db, call):
    with pytest.raises(ValueError, match="must not be empty"):
        call(db)
