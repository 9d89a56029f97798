"""Repeated reads free every string the library returns."""

import gc
import os
from pathlib import Path

import pytest

from conftest import T0, T2

STATM = Path("/proc/self/statm")


def resident_bytes():
    resident_pages = int(STATM.read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not STATM.exists(), reason="needs /proc/self/statm (Linux) to read the resident set size")
def test_window_queries_keep_memory_flat(sample):
    def run(count):
        for _ in range(count):
            rows = sample.project_energy_carbon_between(T0, T2)
        return rows

    run(5_000)
    gc.collect()
    before = resident_bytes()

    rows = run(100_000)
    gc.collect()
    growth = resident_bytes() - before

    assert rows[0] == {"cloud_project_name": "alpha", "energy_kwh": 6.0, "carbon_g": 600.0}
    # Each result is about 130 bytes, so leaking them all would add over 12 MiB.
    assert growth < 5 * 2**20, f"resident memory grew by {growth / 2**20:.1f} MiB over 100,000 reads"
