"""Bad or missing data files stop the demo before it leaves any database behind."""

import pytest

from conftest import GRID_FILE, TRACE_FILE
from test_synthetic import write_data


def replace_line(path, line_number, old, new):
    lines = path.read_text().splitlines(keepends=True)
    assert old in lines[line_number - 1]
    lines[line_number - 1] = lines[line_number - 1].replace(old, new, 1)
    path.write_text("".join(lines))


@pytest.mark.parametrize(
    ("file_name", "line_number", "old", "new", "message"),
    [
        (TRACE_FILE, 4, ",150.0", ",15O.0", 'invalid cpu_usage_pct "15O.0"'),
        (TRACE_FILE, 10, ",0,2000.0", ",zero,2000.0", 'invalid cpu_cores "zero"'),
        (GRID_FILE, 3, ",100,", ",1x0,", 'invalid forecast "1x0"'),
        (GRID_FILE, 6, "02:00:00+00:00,2023", "02:0:00+00:00,2023",
         'invalid from "2023-09-04 02:0:00+00:00"'),
    ],
)
def test_bad_value_names_file_and_line(tmp_path, run_demo, file_name, line_number, old, new,
                                       message):
    write_data(tmp_path)
    replace_line(tmp_path / file_name, line_number, old, new)

    result = run_demo(tmp_path, tmp_path / "demo.db")

    assert result.returncode != 0
    assert f"{tmp_path / file_name}:{line_number}: {message}" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([TRACE_FILE, GRID_FILE])


def test_missing_file_is_named(tmp_path, run_demo):
    write_data(tmp_path)
    (tmp_path / GRID_FILE).unlink()

    result = run_demo(tmp_path, tmp_path / "demo.db")

    assert result.returncode != 0
    assert f"cannot open {tmp_path / GRID_FILE}: No such file or directory" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == [TRACE_FILE]


def test_failure_keeps_previous_database(tmp_path, run_demo):
    write_data(tmp_path)
    db_path = tmp_path / "demo.db"
    assert run_demo(tmp_path, db_path).returncode == 0
    before = db_path.read_bytes()
    replace_line(tmp_path / TRACE_FILE, 4, ",150.0", ",-1")

    result = run_demo(tmp_path, db_path)

    assert result.returncode != 0
    assert f"{tmp_path / TRACE_FILE}:4: invalid cpu_usage_pct -1: must be >= 0" in result.stderr
    assert db_path.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [TRACE_FILE, GRID_FILE, "demo.db"])


def test_intensity_must_cover_the_trace(tmp_path, run_demo):
    write_data(tmp_path)
    grid = tmp_path / GRID_FILE
    lines = grid.read_text().splitlines(keepends=True)
    grid.write_text(lines[0] + "".join(lines[3:]))  # from 2023-09-04 00:30 on

    result = run_demo(tmp_path, tmp_path / "demo.db")

    assert result.returncode != 0
    assert (f"{grid} has no carbon intensity at or before 2023-09-04T00:00:00Z, which the "
            "trace needs") in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([TRACE_FILE, GRID_FILE])


def test_foreign_database_file_is_kept(tmp_path, run_demo):
    write_data(tmp_path)
    db_path = tmp_path / "demo.db"
    db_path.write_bytes(b"not a database")

    result = run_demo(tmp_path, db_path)

    assert result.returncode != 0
    assert f"{db_path} exists but cannot be read as a usage_db database" in result.stderr
    assert db_path.read_bytes() == b"not a database"
