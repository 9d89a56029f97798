"""The demo on a small trace written here, whose every number is worked out by hand."""

import sqlite3
from datetime import datetime, timedelta

import pytest

from conftest import GRID_FILE, TRACE_FILE, number, printed_table

# 2013-09-02T00:00:00Z, a Monday; 3,654 days later is 2023-09-04T00:00:00Z.
T0 = 1378080000

TRACE_HEADER = "vm_id,timestamp_s,cpu_cores,cpu_capacity_mhz,cpu_usage_mhz,cpu_usage_pct\n"
GRID_HEADER = "from,to,forecast,actual,index\n"

# (vm_id, seconds after T0, cores, usage %)
SAMPLES = [
    (1, 0, 2, 50.0),        # 300 s to the next sample: busy 300, idle 300 core-s
    (1, 300, 2, 10.0),      # duplicate time, earlier in the file: 0 s, adds nothing
    (1, 300, 2, 150.0),     # capped at 100 %: busy 600, idle 0
    (1, 600, 2, 25.0),      # 2,700 s gap capped at 900 s: busy 450, idle 1,350
    (1, 3300, 2, 40.0),     # 600 s across 01:00: busy 240 + 240, idle 360 + 360
    (1, 3900, 2, 80.0),     # 2,000 s gap capped at 900 s: busy 1,440, idle 360
    (1, 5900, 2, 70.0),     # last sample: no interval
    (2, 0, 0, 0.0),         # off
    (2, 300, 0, 0.0),       # off
    (2, 600, 4, 50.0),      # busy 600, idle 600
    (2, 900, 4, 50.0),      # last sample
    (3, 0, 0, 0.0),         # vm-3 is never on
    (3, 300, 0, 0.0),
]

# (half-hour start, forecast, actual). 01:00 is absent and takes 00:30's value.
GRID = [
    ("2023-09-03 23:30:00+00:00", "120", "125.0"),
    ("2023-09-04 00:00:00+00:00", "100", "0.0"),    # actual 0 is a fault: forecast 100
    ("2023-09-04 00:30:00+00:00", "190", "200.0"),
    ("2023-09-04 01:30:00+00:00", "150", ""),       # actual missing: forecast 150
    ("2023-09-04 02:00:00+00:00", "160", "170.0"),
]

INTENSITY = {"2023-09-04T00:00:00Z": 150.0, "2023-09-04T01:00:00Z": 175.0}
MACHINE_SECONDS = {
    ("vm-1", "2023-09-04T00:00:00Z"): (1590.0, 2010.0),
    ("vm-1", "2023-09-04T01:00:00Z"): (1680.0, 720.0),
    ("vm-2", "2023-09-04T00:00:00Z"): (600.0, 600.0),
}


def half_hour_end(start):
    return str(datetime.fromisoformat(start) + timedelta(minutes=30))


def write_data(directory):
    lines = [f"{vm},{T0 + offset},{cores},2000.0,0.0,{pct}\n" for vm, offset, cores, pct in SAMPLES]
    (directory / TRACE_FILE).write_text(TRACE_HEADER + "".join(lines))
    rows = [f"{start},{half_hour_end(start)},{forecast},{actual},low\n"
            for start, forecast, actual in GRID]
    (directory / GRID_FILE).write_text(GRID_HEADER + "".join(rows))


def energy(busy_s, idle_s):
    return 12 * busy_s / 3.6e6, idle_s / 3.6e6


@pytest.fixture
def synthetic_run(tmp_path, run_demo):
    write_data(tmp_path)
    db_path = tmp_path / "demo.db"
    result = run_demo(tmp_path, db_path)
    assert result.returncode == 0, result.stderr
    return result, db_path


def test_machine_facts_match_hand_computed_values(synthetic_run):
    _, db_path = synthetic_run
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT machine_name, ts, busy_cpu_seconds_total, idle_cpu_seconds_total, busy_kwh, "
            "idle_kwh, busy_gCo2eq, idle_gCo2eq, intensity_gCo2eq_kwh "
            "FROM v_machine_timeseries ORDER BY machine_name, ts").fetchall()

    assert [(row[0], row[1]) for row in rows] == list(MACHINE_SECONDS)
    for name, ts, busy_s, idle_s, busy_kwh, idle_kwh, busy_g, idle_g, intensity in rows:
        expected_busy_s, expected_idle_s = MACHINE_SECONDS[(name, ts)]
        expected_busy_kwh, expected_idle_kwh = energy(expected_busy_s, expected_idle_s)
        assert (busy_s, idle_s) == (expected_busy_s, expected_idle_s)
        assert busy_kwh == pytest.approx(expected_busy_kwh, abs=1e-9)
        assert idle_kwh == pytest.approx(expected_idle_kwh, abs=1e-9)
        assert intensity == INTENSITY[ts]
        assert busy_g == pytest.approx(expected_busy_kwh * INTENSITY[ts], abs=1e-6)
        assert idle_g == pytest.approx(expected_idle_kwh * INTENSITY[ts], abs=1e-6)


def test_scopes_add_up_to_the_machines(synthetic_run):
    _, db_path = synthetic_run
    with sqlite3.connect(db_path) as db:
        by_scope = dict(db.execute(
            "SELECT scope, sum(busy_kwh + idle_kwh) FROM fact_usage GROUP BY scope").fetchall())
        projects = dict(db.execute(
            "SELECT cloud_project_name, busy_kwh + idle_kwh FROM v_project_totals").fetchall())
        users = dict(db.execute("SELECT user_id, busy_kwh + idle_kwh FROM v_user_totals").fetchall())
        fact_count = db.execute("SELECT count(*) FROM fact_usage").fetchone()[0]

    vm1 = sum(energy(1590.0, 2010.0)) + sum(energy(1680.0, 720.0))
    vm2 = sum(energy(600.0, 600.0))
    assert fact_count == 11  # hour 0: 2 machines, 2 projects, 2 users, ada; hour 1: 1 each
    assert by_scope["ada"] == pytest.approx(vm1 + vm2, abs=1e-9)
    assert by_scope["ada"] == by_scope["machine"] == by_scope["project"] == by_scope["user"]
    assert projects == pytest.approx({"climate-model": vm1, "genomics-pipeline": vm2}, abs=1e-9)
    assert users == pytest.approx({"u01": vm1, "u02": vm2}, abs=1e-9)


def test_platform_model_rows(synthetic_run):
    _, db_path = synthetic_run
    with sqlite3.connect(db_path) as db:
        machines = db.execute(
            "SELECT m.machine_name, p.cloud_project_name FROM dim_machine m "
            "JOIN map_project_machine pm ON pm.machine_id = m.machine_id "
            "JOIN dim_project p ON p.project_id = pm.project_id ORDER BY m.machine_name").fetchall()
        workspaces = db.execute(
            'SELECT "user", project, machine, started_at, host, port FROM v_active_workspaces '
            "ORDER BY machine").fetchall()
        user_count = db.execute("SELECT count(*) FROM dim_user").fetchone()[0]
        group_count = db.execute("SELECT count(*) FROM dim_group").fetchone()[0]

    assert machines == [("vm-1", "climate-model"), ("vm-2", "genomics-pipeline"),
                        ("vm-3", "astro-survey")]
    assert workspaces == [
        ("Researcher 01", "climate-model", "vm-1", "2023-09-04T00:00:00Z", "10.0.0.1", 22),
        ("Researcher 02", "genomics-pipeline", "vm-2", "2023-09-04T00:10:00Z", "10.0.1.2", 22),
    ]
    assert (user_count, group_count) == (36, 4)


def test_printed_counts_and_report(synthetic_run):
    result, _ = synthetic_run
    out = result.stdout

    assert "3 VMs over 2 hours from 2013-09-02T00:00:00Z" in out
    assert "1 duplicate samples (0 s apart) add no time; 2 gaps are capped at 15 min" in out
    assert "1 samples over 100 % are capped; 4 samples are of VMs that are off" in out
    assert "+522 weeks (3,654 days)" in out
    assert "2013-09-02T00:00:00Z (Mon) becomes 2023-09-04T00:00:00Z (Mon)" in out
    assert "5 half-hours; 2 use forecast because actual is empty or 0; 0 have no value" in out
    assert ("the 2 trace hours: 1 filled from an earlier half-hour (1 half-hours absent), "
            "2 half-hours at forecast") in out
    assert "identical, the rerun changed nothing" in out

    groups = printed_table(out, "Top groups by energy on 2023-09-04 (Mon)")
    vm1 = sum(energy(1590.0, 2010.0)) + sum(energy(1680.0, 720.0))
    vm2 = sum(energy(600.0, 600.0))
    assert [row[0] for row in groups] == ["Earth Sciences", "Life Sciences"]
    assert number(groups[0][1]) == pytest.approx(vm1, abs=5e-4)
    assert number(groups[1][1]) == pytest.approx(vm2, abs=5e-4)

    period = printed_table(out, "Whole period, platform")
    carbon_g = sum(energy(1590.0, 2010.0)) * 150 + sum(energy(1680.0, 720.0)) * 175 + vm2 * 150
    assert period[0][:3] == ["2023-09-04T00:00:00Z", "2023-09-04T01:00:00Z", "2"]
    assert number(period[0][4]) == pytest.approx(carbon_g / 1000, abs=5e-4)
    assert number(period[0][5]) == pytest.approx(carbon_g / (vm1 + vm2), abs=0.05)


def test_second_run_keeps_content(synthetic_run, run_demo, tmp_path):
    _, db_path = synthetic_run
    with sqlite3.connect(db_path) as db:
        before = db.execute("SELECT * FROM fact_usage ORDER BY usage_id").fetchall()

    result = run_demo(tmp_path, db_path)

    assert result.returncode == 0, result.stderr
    assert "same content as this run" in result.stdout
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT * FROM fact_usage ORDER BY usage_id").fetchall() == before


def test_changed_data_replaces_database(synthetic_run, run_demo, tmp_path):
    _, db_path = synthetic_run
    trace = tmp_path / TRACE_FILE
    trace.write_text(trace.read_text().replace(f"2,{T0 + 600},4,2000.0,0.0,50.0",
                                               f"2,{T0 + 600},4,2000.0,0.0,100.0"))

    result = run_demo(tmp_path, db_path)

    assert result.returncode == 0, result.stderr
    assert "different content, now replaced" in result.stdout
    with sqlite3.connect(db_path) as db:
        busy_s = db.execute(
            "SELECT busy_cpu_seconds_total FROM v_machine_timeseries WHERE machine_name = 'vm-2'"
        ).fetchall()
    assert busy_s == [(1200.0,)]
