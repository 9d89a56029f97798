"""Shared fixtures: an empty in-memory database and one with a small known data set."""

from pathlib import Path

import pytest

from usage_db import UsageDB

REPO_ROOT = Path(__file__).resolve().parents[3]

T0 = "2025-10-01T00:00:00Z"
T1 = "2025-10-01T01:00:00Z"
T2 = "2025-10-01T02:00:00Z"


@pytest.fixture
def db():
    database = UsageDB(":memory:")
    yield database
    database.close()


@pytest.fixture
def sample(db):
    """A database whose every read has a result small enough to check by hand.

    Each fact's metrics are chosen so that sums, averages and intensities are exact in
    binary floating point.
    """
    db.get_or_create_user("u1", display_name="Ada", group_name="Research")
    db.get_or_create_user("u2", display_name="Bob", group_name="Research")
    db.get_or_create_user("u3", display_name="Cy", group_name="Ops")
    alpha = db.get_or_create_project("alpha")
    beta = db.get_or_create_project("beta")
    gpu = db.get_or_create_machine("gpu-01")
    cpu = db.get_or_create_machine("cpu-02")

    db.map_user_project("u1", cloud_project_name="alpha")
    db.map_user_project("u2", cloud_project_name="alpha")
    db.map_user_project("u3", project_id=beta)
    db.map_user_project("u1", project_id=beta)
    db.map_project_machine(project_id=alpha, machine_name="gpu-01")

    ada = dict(scope="ada")
    facts = [
        dict(ada, ts_iso_utc=T0, busy_kwh=2.0, idle_kwh=1.0, busy_gCo2eq=200, idle_gCo2eq=100),
        dict(ada, ts_iso_utc=T1, busy_kwh=4.0, busy_gCo2eq=100),
        dict(scope="project", ts_iso_utc=T0, project_id=alpha,
             busy_kwh=1.0, idle_kwh=1.0, busy_gCo2eq=100, idle_gCo2eq=100),
        dict(scope="project", ts_iso_utc=T1, project_id=alpha,
             busy_kwh=3.0, idle_kwh=1.0, busy_gCo2eq=300, idle_gCo2eq=100),
        dict(scope="project", ts_iso_utc=T0, project_id=beta,
             busy_kwh=0.5, idle_kwh=0.5, busy_gCo2eq=50, idle_gCo2eq=50),
        dict(scope="machine", ts_iso_utc=T0, machine_id=gpu,
             busy_cpu_seconds_total=3000, idle_cpu_seconds_total=600,
             busy_kwh=1.0, idle_kwh=0.5, busy_gCo2eq=90, idle_gCo2eq=30),
        dict(scope="machine", ts_iso_utc=T1, machine_id=gpu,
             busy_cpu_seconds_total=1800, idle_cpu_seconds_total=1800,
             busy_kwh=2.0, busy_gCo2eq=100, intensity_gCo2eq_kwh=40.0),
        dict(scope="machine", ts_iso_utc=T0, machine_id=cpu),
        dict(scope="user", ts_iso_utc=T0, user_id="u1", busy_kwh=1.0, busy_gCo2eq=100),
        dict(scope="user", ts_iso_utc=T1, user_id="u1",
             busy_kwh=2.0, idle_kwh=2.0, busy_gCo2eq=150, idle_gCo2eq=90),
        dict(scope="user", ts_iso_utc=T0, user_id="u2",
             busy_kwh=3.0, idle_kwh=1.0, busy_gCo2eq=170, idle_gCo2eq=30),
        dict(scope="user", ts_iso_utc=T0, user_id="u3", busy_kwh=4.0, busy_gCo2eq=400),
    ]
    for fact in facts:
        db.insert_fact_usage(**fact)

    first = db.get_or_create_instance("10.0.0.5", port=2222, raw_label="gpu-01:2222")
    second = db.get_or_create_instance("10.0.0.6")
    db.start_workspace(first, gpu, user_id="u1", project_id=alpha, started_at_iso_utc=T0)
    db.start_workspace(second, cpu, started_at_iso_utc=T1)
    return db
