"""Fixtures for the demo's tests: the built demo binary and a way to run it."""

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
TRACE_FILE = "bitbrains-rnd-100vms-week.csv"
GRID_FILE = "gb-carbon-intensity-2023.csv"


@pytest.fixture(scope="session")
def demo_bin():
    path = Path(os.environ.get("DEMO_BIN", REPO_ROOT / "build" / "usage_db_demo"))
    if not path.is_file():
        pytest.fail(f"demo binary {path} not found: build it with `make demo-bin`")
    return path


@pytest.fixture
def run_demo(demo_bin):
    """Runs the demo on a data directory and database path; returns the finished process."""

    def run(data_dir, db_path):
        env = dict(os.environ, DATA_DIR=str(data_dir), DEMO_DB=str(db_path))
        return subprocess.run([str(demo_bin)], env=env, capture_output=True, text=True,
                              timeout=120, check=False)

    return run


def printed_table(stdout, title_start):
    """Returns the rows of the printed table whose title starts with `title_start`, each
    as a list of cells (columns are separated by two or more spaces)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title_start))
    rows = []
    for line in lines[start + 3:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def number(cell):
    """Parses a printed number such as "1,234.5" or "26.2 %"."""
    return float(cell.replace(",", "").rstrip(" %"))
