"""Every read of UsageDB against the sample data set, with values worked out by hand."""

import pytest

from conftest import T0, T1, T2


def metrics(busy_kwh, idle_kwh, busy_g, idle_g, busy_s=0.0, idle_s=0.0):
    return {
        "busy_cpu_seconds_total": busy_s,
        "idle_cpu_seconds_total": idle_s,
        "busy_kwh": busy_kwh,
        "idle_kwh": idle_kwh,
        "busy_gCo2eq": busy_g,
        "idle_gCo2eq": idle_g,
    }


def averages(busy_kwh, idle_kwh, busy_g, idle_g, intensity):
    return {
        "avg_busy_energy_kwh": busy_kwh,
        "avg_idle_energy_kwh": idle_kwh,
        "avg_busy_carbon_gCo2eq": busy_g,
        "avg_idle_carbon_gCo2eq": idle_g,
        "avg_intensity_gCo2eq_kwh": intensity,
    }


def test_ada_timeseries(sample):
    assert sample.ada_timeseries() == [
        {"ts": T0, **metrics(2.0, 1.0, 200.0, 100.0), "intensity_gCo2eq_kwh": 100.0},
        {"ts": T1, **metrics(4.0, 0.0, 100.0, 0.0), "intensity_gCo2eq_kwh": 25.0},
    ]


def test_project_timeseries(sample):
    assert sample.project_timeseries("alpha") == [
        {"cloud_project_name": "alpha", "ts": T0, **metrics(1.0, 1.0, 100.0, 100.0),
         "intensity_gCo2eq_kwh": 100.0},
        {"cloud_project_name": "alpha", "ts": T1, **metrics(3.0, 1.0, 300.0, 100.0),
         "intensity_gCo2eq_kwh": 100.0},
    ]


def test_machine_timeseries_explicit_intensity(sample):
    assert sample.machine_timeseries("gpu-01") == [
        {"machine_name": "gpu-01", "ts": T0, **metrics(1.0, 0.5, 90.0, 30.0, 3000.0, 600.0),
         "intensity_gCo2eq_kwh": 80.0},
        {"machine_name": "gpu-01", "ts": T1, **metrics(2.0, 0.0, 100.0, 0.0, 1800.0, 1800.0),
         "intensity_gCo2eq_kwh": 40.0},
    ]


def test_machine_timeseries_without_energy(sample):
    assert sample.machine_timeseries("cpu-02") == [
        {"machine_name": "cpu-02", "ts": T0, **metrics(0.0, 0.0, 0.0, 0.0),
         "intensity_gCo2eq_kwh": None},
    ]


def test_user_timeseries(sample):
    assert sample.user_timeseries("u1") == [
        {"user_id": "u1", "ts": T0, **metrics(1.0, 0.0, 100.0, 0.0), "intensity_gCo2eq_kwh": 100.0},
        {"user_id": "u1", "ts": T1, **metrics(2.0, 2.0, 150.0, 90.0), "intensity_gCo2eq_kwh": 60.0},
    ]


@pytest.mark.parametrize(
    "read", ["project_timeseries", "machine_timeseries", "user_timeseries", "machine_intensity_trend"]
)
def test_named_read_of_unknown_name_is_empty(sample, read):
    assert getattr(sample, read)("no-such-name") == []


def test_project_totals(sample):
    assert sample.project_totals() == [
        {"cloud_project_name": "alpha", **metrics(4.0, 2.0, 400.0, 200.0)},
        {"cloud_project_name": "beta", **metrics(0.5, 0.5, 50.0, 50.0)},
    ]


def test_machine_totals(sample):
    assert sample.machine_totals() == [
        {"machine_name": "cpu-02", **metrics(0.0, 0.0, 0.0, 0.0)},
        {"machine_name": "gpu-01", **metrics(3.0, 0.5, 190.0, 30.0, 4800.0, 2400.0)},
    ]


def test_group_totals(sample):
    assert sample.group_totals() == [
        {"group_name": "Ops", **metrics(4.0, 0.0, 400.0, 0.0)},
        {"group_name": "Research", **metrics(6.0, 3.0, 420.0, 120.0)},
    ]


def test_user_totals(sample):
    assert sample.user_totals() == [
        {"user_id": "u1", **metrics(3.0, 2.0, 250.0, 90.0)},
        {"user_id": "u2", **metrics(3.0, 1.0, 170.0, 30.0)},
        {"user_id": "u3", **metrics(4.0, 0.0, 400.0, 0.0)},
    ]


def test_project_averages(sample):
    assert sample.project_averages() == [
        {"cloud_project_name": "alpha", **averages(2.0, 1.0, 200.0, 100.0, 100.0)},
        {"cloud_project_name": "beta", **averages(0.5, 0.5, 50.0, 50.0, 100.0)},
    ]


def test_machine_averages(sample):
    # cpu-02 has no energy in any hour, so it has no intensity to average.
    assert sample.machine_averages() == [
        {"machine_name": "cpu-02", **averages(0.0, 0.0, 0.0, 0.0, None)},
        {"machine_name": "gpu-01", **averages(1.5, 0.25, 95.0, 15.0, 60.0)},
    ]


def test_group_averages(sample):
    assert sample.group_averages() == [
        {"group_name": "Ops", **averages(4.0, 0.0, 400.0, 0.0, 100.0)},
        {"group_name": "Research", **averages(2.0, 1.0, 140.0, 40.0, 70.0)},
    ]


def test_user_averages(sample):
    assert sample.user_averages() == [
        {"user_id": "u1", **averages(1.5, 1.0, 125.0, 45.0, 80.0)},
        {"user_id": "u2", **averages(3.0, 1.0, 170.0, 30.0, 50.0)},
        {"user_id": "u3", **averages(4.0, 0.0, 400.0, 0.0, 100.0)},
    ]


def test_active_workspaces_newest_first(sample):
    assert sample.active_workspaces() == [
        {"workspace_id": 2, "started_at": T1, "user": None, "project": None,
         "machine": "cpu-02", "host": "10.0.0.6", "port": None},
        {"workspace_id": 1, "started_at": T0, "user": "Ada", "project": "alpha",
         "machine": "gpu-01", "host": "10.0.0.5", "port": 2222},
    ]


def test_user_project_memberships(sample):
    assert sample.user_project_memberships() == [
        {"user_id": "u1", "display_name": "Ada", "group_name": "Research", "cloud_project_name": "alpha"},
        {"user_id": "u1", "display_name": "Ada", "group_name": "Research", "cloud_project_name": "beta"},
        {"user_id": "u2", "display_name": "Bob", "group_name": "Research", "cloud_project_name": "alpha"},
        {"user_id": "u3", "display_name": "Cy", "group_name": "Ops", "cloud_project_name": "beta"},
    ]


def test_project_energy_carbon_between(sample):
    assert sample.project_energy_carbon_between(T0, T2) == [
        {"cloud_project_name": "alpha", "energy_kwh": 6.0, "carbon_g": 600.0},
        {"cloud_project_name": "beta", "energy_kwh": 1.0, "carbon_g": 100.0},
    ]


def test_window_excludes_its_end(sample):
    assert sample.project_energy_carbon_between(T0, T1) == [
        {"cloud_project_name": "alpha", "energy_kwh": 2.0, "carbon_g": 200.0},
        {"cloud_project_name": "beta", "energy_kwh": 1.0, "carbon_g": 100.0},
    ]
    assert sample.project_energy_carbon_between(T1, T2) == [
        {"cloud_project_name": "alpha", "energy_kwh": 4.0, "carbon_g": 400.0},
    ]


def test_window_accepts_offsets(sample):
    # 02:00+02:00 is 00:00Z and 03:00+02:00 is 01:00Z: the same window as [T0, T1).
    assert sample.project_energy_carbon_between(
        "2025-10-01T02:00:00+02:00", "2025-10-01T03:00:00+02:00"
    ) == sample.project_energy_carbon_between(T0, T1)


def test_top_groups_by_energy(sample):
    assert sample.top_groups_by_energy(T0, T2) == [
        {"group_name": "Research", "energy_kwh": 9.0},
        {"group_name": "Ops", "energy_kwh": 4.0},
    ]
    assert sample.top_groups_by_energy(T0, T2, n=1) == [{"group_name": "Research", "energy_kwh": 9.0}]
    assert sample.top_groups_by_energy(T0, T2, n=0) == []
    assert sample.top_groups_by_energy(T1, T2, n=5) == [{"group_name": "Research", "energy_kwh": 4.0}]


def test_top_groups_rejects_negative_n(sample):
    with pytest.raises(ValueError, match=r"^top_groups_by_energy: invalid n -1: must be >= 0$"):
        sample.top_groups_by_energy(T0, T2, n=-1)


def test_machine_intensity_trend(sample):
    assert sample.machine_intensity_trend("gpu-01") == [
        {"machine_name": "gpu-01", "ts": T0, "intensity_g_per_kwh": 80.0},
        {"machine_name": "gpu-01", "ts": T1, "intensity_g_per_kwh": 40.0},
    ]
    assert sample.machine_intensity_trend("cpu-02") == [
        {"machine_name": "cpu-02", "ts": T0, "intensity_g_per_kwh": None},
    ]


def test_user_contribution_window(sample):
    # u1 is in both projects, so its energy is listed under each.
    assert sample.user_contribution_window(T0, T2) == [
        {"cloud_project_name": "alpha", "user_id": "u1", "user_energy_kwh": 5.0},
        {"cloud_project_name": "alpha", "user_id": "u2", "user_energy_kwh": 4.0},
        {"cloud_project_name": "beta", "user_id": "u1", "user_energy_kwh": 5.0},
        {"cloud_project_name": "beta", "user_id": "u3", "user_energy_kwh": 4.0},
    ]


def test_machine_utilization_share(sample):
    # 4800 busy of 7200 seconds is 66.67%, rounded to one decimal; cpu-02 has no seconds.
    assert sample.machine_utilization_share(T0, T2) == [
        {"machine_name": "gpu-01", "busy_s": 4800.0, "idle_s": 2400.0, "busy_pct": 66.7},
        {"machine_name": "cpu-02", "busy_s": 0.0, "idle_s": 0.0, "busy_pct": None},
    ]


@pytest.mark.parametrize(
    "read", ["project_energy_carbon_between", "user_contribution_window", "machine_utilization_share"]
)
def test_window_rejects_reversed_bounds(sample, read):
    with pytest.raises(ValueError, match=f"^{read}: "):
        getattr(sample, read)(T2, T0)


def test_window_rejects_bad_timestamp(sample):
    with pytest.raises(ValueError, match="yesterday"):
        sample.user_contribution_window("yesterday", T2)


def test_reads_of_empty_database(db):
    for read in ["ada_timeseries", "project_totals", "machine_totals", "group_totals",
                 "user_totals", "project_averages", "machine_averages", "group_averages",
                 "user_averages", "active_workspaces", "user_project_memberships"]:
        assert getattr(db, read)() == [], read
