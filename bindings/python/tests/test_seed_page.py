"""The user's own usage page, run unchanged: its Python blocks are read from the markdown.

The page is kept outside the repository, in the folder beside it. Its blocks run in order,
in one namespace, as one program would, in a temporary directory so that the page's
usage.db lands there.
"""

import ast
import re

import pytest

from usage_db import UsageDB

from conftest import REPO_ROOT

SEED_PAGE = REPO_ROOT.parent / "shared" / "seed" / "usage.md"
T0 = "2025-10-01T00:00:00Z"
T1 = "2025-10-01T01:00:00Z"

pytestmark = pytest.mark.skipif(
    not SEED_PAGE.is_file(), reason=f"the usage page {SEED_PAGE} is not present beside the repository"
)


def python_blocks(path):
    """Return (first line number, source) of each ```python block of a markdown file."""
    blocks = []
    for match in re.finditer(r"^```python[ \t]*\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.M | re.S):
        first_line = match.string.count("\n", 0, match.start(1)) + 1
        blocks.append((first_line, match.group(1)))
    return blocks


def compile_block(first_line, source):
    """Compile a block so that tracebacks point at its lines in the markdown page."""
    tree = ast.parse(source, filename=str(SEED_PAGE))
    ast.increment_lineno(tree, first_line - 1)
    return compile(tree, str(SEED_PAGE), "exec")


@pytest.fixture
def page_run(tmp_path, monkeypatch, capsys):
    """Run every block of the page and return its namespace and printed output."""
    blocks = python_blocks(SEED_PAGE)
    assert blocks, f"no ```python blocks found in {SEED_PAGE}"

    # The page opens "usage.db" in the working directory; the page needs nothing else
    # beyond the package being importable.
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__usage_page__"}
    for first_line, source in blocks:
        exec(compile_block(first_line, source), namespace)

    return namespace, capsys.readouterr().out, tmp_path / "usage.db"


def test_page_blocks_are_found():
    blocks = python_blocks(SEED_PAGE)
    assert blocks[0][1].startswith("from usage_db import UsageDB")
    assert blocks[-1][1].strip() == "db.close()"


def test_page_runs_unchanged(page_run):
    namespace, output, path = page_run

    assert namespace["db"].closed
    assert path.is_file()
    assert (namespace["group_id"], namespace["user_id"], namespace["project_id"]) == (1, "u123", 1)
    assert (namespace["machine_id"], namespace["instance_id"], namespace["ws_id"]) == (1, 1, 1)


def test_page_validation_example_prints_error(page_run):
    _, output, _ = page_run

    assert output.splitlines() == [
        "Validation error: insert_fact_usage: scope 'project' takes only project_id, "
        "but machine_id 1 was given"
    ]


def test_page_upsert_left_one_project_row(page_run):
    _, _, path = page_run

    with UsageDB(path) as db:
        rows = [row for row in db.project_timeseries("alpha-cloud") if row["ts"] == T0]

    assert rows == [{
        "cloud_project_name": "alpha-cloud", "ts": T0,
        "busy_cpu_seconds_total": 0.0, "idle_cpu_seconds_total": 0.0,
        "busy_kwh": 10.0, "idle_kwh": 1.0, "busy_gCo2eq": 1800.0, "idle_gCo2eq": 200.0,
        "intensity_gCo2eq_kwh": 2000.0 / 11.0,
    }]


def test_page_bulk_rows_were_written(page_run):
    _, _, path = page_run

    with UsageDB(path) as db:
        written = db.q(
            "SELECT scope, busy_kwh, busy_cpu_seconds_total FROM fact_usage WHERE ts = ? ORDER BY scope",
            [T1],
        )

    assert written == [
        {"scope": "machine", "busy_kwh": 5.7, "busy_cpu_seconds_total": 19000.0},
        {"scope": "project", "busy_kwh": 7.0, "busy_cpu_seconds_total": 0.0},
        {"scope": "user", "busy_kwh": 3.0, "busy_cpu_seconds_total": 0.0},
    ]


def test_page_transaction_committed(page_run):
    namespace, _, path = page_run
    ts = namespace["ts"]

    with UsageDB(path) as db:
        assert db.q("SELECT scope, busy_kwh, idle_kwh FROM fact_usage WHERE ts = ? ORDER BY scope", [ts]) == [
            {"scope": "ada", "busy_kwh": 1.0, "idle_kwh": 0.2},
            {"scope": "project", "busy_kwh": 0.8, "idle_kwh": 0.0},
        ]


def test_page_custom_sql_result(page_run):
    namespace, _, _ = page_run

    # The page queries before its transaction block: busy 10.0 + 7.0, idle 1.0 + 1.0.
    assert namespace["top_projects"] == [{"cloud_project_name": "alpha-cloud", "energy_kwh": 19.0}]


def test_page_workspace_and_membership(page_run):
    _, _, path = page_run

    with UsageDB(path) as db:
        assert db.active_workspaces() == [{
            "workspace_id": 1, "started_at": "2025-10-01T09:00:00Z", "user": "Ada Lovelace",
            "project": "alpha-cloud", "machine": "gpu-01", "host": "10.0.0.5", "port": 2222,
        }]
        assert db.user_project_memberships() == [{
            "user_id": "u123", "display_name": "Ada Lovelace", "group_name": "Research",
            "cloud_project_name": "alpha-cloud",
        }]
        assert db.q("SELECT project_id, machine_id FROM map_project_machine") == [
            {"project_id": 1, "machine_id": 1}
        ]
