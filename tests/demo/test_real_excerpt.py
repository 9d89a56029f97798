"""The demo on 24 hours of five real VMs, cut from the shared data sets at test time and
checked against the independent model in expected.py."""

import csv
import sqlite3

import pytest

import expected
from conftest import DATA_DIR, GRID_FILE, TRACE_FILE, number, printed_table

# From 2013-09-06T16:00:00Z for 24 hours: VMs 47 and 48 turn off at 22:29 and then send
# duplicate samples, 3 and 8 have gaps of over 15 minutes at 04:04, and 60 runs above 100 %.
WINDOW_START = 1378483200
VM_IDS = {3, 8, 47, 48, 60}


def cut_excerpt(directory):
    with open(DATA_DIR / TRACE_FILE, newline="") as source, \
            open(directory / TRACE_FILE, "w", newline="") as target:
        reader = csv.reader(source)
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if int(row[0]) in VM_IDS and WINDOW_START <= int(row[1]) < WINDOW_START + 86400:
                writer.writerow(row)

    grid_start = WINDOW_START + expected.SHIFT_S
    with open(DATA_DIR / GRID_FILE, newline="") as source, \
            open(directory / GRID_FILE, "w", newline="") as target:
        reader = csv.reader(source)
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if grid_start <= expected.parse_grid_time(row[0]) < grid_start + 86400:
                writer.writerow(row)


@pytest.fixture
def excerpt_run(tmp_path, run_demo):
    if not (DATA_DIR / TRACE_FILE).is_file() or not (DATA_DIR / GRID_FILE).is_file():
        pytest.skip(f"the real data sets are not in {DATA_DIR}; set DATA_DIR to their directory")
    cut_excerpt(tmp_path)
    db_path = tmp_path / "demo.db"
    result = run_demo(tmp_path, db_path)
    assert result.returncode == 0, result.stderr
    model = expected.machine_facts(tmp_path / TRACE_FILE, tmp_path / GRID_FILE)
    return result, db_path, model


def test_machine_hours_match_model(excerpt_run):
    _, db_path, model = excerpt_run
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM v_machine_timeseries").fetchall()

    stored = {(int(row["machine_name"][3:]), row["ts"]): row for row in rows}
    assert sorted(stored) == sorted(model)
    for key, metrics in model.items():
        row = stored[key]
        assert row["busy_cpu_seconds_total"] == pytest.approx(metrics["busy_cpu_seconds_total"], abs=1e-5)
        assert row["idle_cpu_seconds_total"] == pytest.approx(metrics["idle_cpu_seconds_total"], abs=1e-5)
        assert row["busy_kwh"] == pytest.approx(metrics["busy_kwh"], abs=1e-9)
        assert row["idle_kwh"] == pytest.approx(metrics["idle_kwh"], abs=1e-9)
        assert row["busy_gCo2eq"] == pytest.approx(metrics["busy_gCo2eq"], abs=1e-6)
        assert row["idle_gCo2eq"] == pytest.approx(metrics["idle_gCo2eq"], abs=1e-6)
        assert row["intensity_gCo2eq_kwh"] == metrics["intensity_gCo2eq_kwh"]


def test_scope_sums_agree_exactly(excerpt_run):
    _, db_path, model = excerpt_run
    with sqlite3.connect(db_path) as db:
        energy = dict(db.execute(
            "SELECT scope, sum(busy_kwh + idle_kwh) FROM fact_usage GROUP BY scope").fetchall())
        carbon = dict(db.execute(
            "SELECT scope, sum(busy_gCo2eq + idle_gCo2eq) FROM fact_usage GROUP BY scope").fetchall())
        project_vs_machines = db.execute(
            "SELECT p.cloud_project_name,"
            " (SELECT sum(busy_kwh + idle_kwh) FROM fact_usage"
            "   WHERE scope = 'project' AND project_id = p.project_id),"
            " (SELECT sum(f.busy_kwh + f.idle_kwh) FROM fact_usage f"
            "   JOIN map_project_machine m ON m.machine_id = f.machine_id"
            "   WHERE f.scope = 'machine' AND m.project_id = p.project_id) "
            "FROM dim_project p").fetchall()

    # The demo rounds each machine fact's kWh to a multiple of 2^-32 and its grams to 2^-24.
    model_energy = sum(m["busy_kwh"] + m["idle_kwh"] for m in model.values())
    model_carbon = sum(m["busy_gCo2eq"] + m["idle_gCo2eq"] for m in model.values())
    assert energy["ada"] == pytest.approx(model_energy, abs=len(model) * 2.0**-32)
    assert carbon["ada"] == pytest.approx(model_carbon, abs=len(model) * 2.0**-24)
    assert energy["machine"] == energy["project"] == energy["user"] == energy["ada"]
    assert carbon["machine"] == carbon["project"] == carbon["user"] == carbon["ada"]
    for name, project_sum, machine_sum in project_vs_machines:
        assert project_sum == machine_sum, name


def test_printed_project_totals_match_model(excerpt_run):
    result, _, model = excerpt_run
    projects = expected.project_of_machines(VM_IDS)
    energy = {}
    carbon = {}
    for (vm_id, _), metrics in model.items():
        name = projects[vm_id]
        energy[name] = energy.get(name, 0.0) + metrics["busy_kwh"] + metrics["idle_kwh"]
        carbon[name] = carbon.get(name, 0.0) + metrics["busy_gCo2eq"] + metrics["idle_gCo2eq"]

    rows = printed_table(result.stdout, "Project totals, all hours")

    assert sorted(row[0] for row in rows) == sorted(energy)
    for name, machines, _, _, _, energy_kwh, carbon_kg, _ in rows:
        assert number(machines) == sum(1 for project in projects.values() if project == name)
        assert number(energy_kwh) == pytest.approx(energy[name], abs=5e-4 + 1e-9)
        assert number(carbon_kg) == pytest.approx(carbon[name] / 1000, abs=5e-4 + 1e-9)


def test_printed_counts_match_excerpt(excerpt_run, tmp_path):
    result, _, _ = excerpt_run
    duplicates, gaps, over, off = expected.fault_counts(expected.read_trace(tmp_path / TRACE_FILE))

    assert min(duplicates, gaps, over, off) > 0
    assert "5 VMs over 24 hours from 2013-09-06T16:00:00Z" in result.stdout
    assert (f"{duplicates:,} duplicate samples (0 s apart) add no time; {gaps:,} gaps are "
            "capped at 15 min") in result.stdout
    assert (f"{over:,} samples over 100 % are capped; {off:,} samples are of VMs that are off"
            ) in result.stdout


def test_printed_top_groups_match_model(excerpt_run):
    result, _, model = excerpt_run
    day_energy = {}
    for (_, ts), metrics in model.items():
        day_energy[ts[:10]] = day_energy.get(ts[:10], 0.0) + metrics["busy_kwh"] + metrics["idle_kwh"]
    busiest = max(sorted(day_energy), key=lambda day: day_energy[day])

    owners = expected.owner_of_machines(VM_IDS)
    energy = {}
    for (vm_id, ts), metrics in model.items():
        if ts.startswith(busiest):
            group = expected.group_of_user(owners[vm_id])
            energy[group] = energy.get(group, 0.0) + metrics["busy_kwh"] + metrics["idle_kwh"]

    rows = printed_table(result.stdout, f"Top groups by energy on {busiest}")

    assert [row[0] for row in rows] == sorted(energy, key=lambda group: (-energy[group], group))
    for group, energy_kwh, _ in rows:
        assert number(energy_kwh) == pytest.approx(energy[group], abs=5e-4 + 1e-9)
