"""An independent Python model of what the demo computes, for checking its database.

It follows the rules the demo documents. Per VM, samples are sorted by time, and file order
breaks ties. Each sample covers the time to the next sample of the same VM, capped at 15
minutes, and is split at hour boundaries. Usage is capped at 100 %. VMs with 0 cores and
0 s intervals add nothing. Energy is 12 W per busy core and 1 W per idle core, charged at
the hour's grid intensity, with the trace moved forward 3,654 days.
"""

import bisect
import csv
from collections import defaultdict
from datetime import datetime, timezone

MAX_INTERVAL_S = 900
SHIFT_S = 3654 * 86400
BUSY_WATTS = 12.0
IDLE_WATTS = 1.0

PROJECTS = ["climate-model", "genomics-pipeline", "astro-survey", "materials-sim", "teaching-lab"]
GROUPS = ["Earth Sciences", "Life Sciences", "Physics", "Teaching"]
USER_COUNT = 36


def iso(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_grid_time(text):
    return int(datetime.fromisoformat(text).timestamp())


def read_trace(path):
    """Returns (vm_id, time_s, cores, usage_pct) tuples in file order."""
    with open(path, newline="") as handle:
        return [
            (int(row["vm_id"]), int(row["timestamp_s"]), int(row["cpu_cores"]),
             float(row["cpu_usage_pct"]))
            for row in csv.DictReader(handle)
        ]


def hourly_core_seconds(samples):
    """Returns {(vm_id, hour_start_s): [busy_core_s, idle_core_s]} in trace time."""
    by_vm = defaultdict(list)
    for vm_id, time_s, cores, pct in samples:
        by_vm[vm_id].append((time_s, cores, pct))

    hours = defaultdict(lambda: [0.0, 0.0])
    for vm_id, rows in by_vm.items():
        rows.sort(key=lambda row: row[0])  # stable: file order breaks ties
        for (start, cores, pct), (following, _, _) in zip(rows, rows[1:]):
            end = start + min(following - start, MAX_INTERVAL_S)
            busy_per_s = min(pct, 100.0) / 100.0 * cores
            while start < end:
                hour = start - start % 3600
                segment_end = min(end, hour + 3600)
                hours[(vm_id, hour)][0] += busy_per_s * (segment_end - start)
                hours[(vm_id, hour)][1] += (cores - busy_per_s) * (segment_end - start)
                start = segment_end
    return hours


def fault_counts(samples):
    """Returns the numbers of duplicate samples (0 s before the next of the same VM), capped
    gaps, samples above 100 % and samples of VMs that are off."""
    by_vm = defaultdict(list)
    for vm_id, time_s, cores, pct in samples:
        by_vm[vm_id].append(time_s)
    duplicates = gaps = 0
    for times in by_vm.values():
        times.sort()
        duplicates += sum(1 for a, b in zip(times, times[1:]) if a == b)
        gaps += sum(1 for a, b in zip(times, times[1:]) if b - a > MAX_INTERVAL_S)
    over = sum(1 for sample in samples if sample[3] > 100)
    off = sum(1 for sample in samples if sample[2] == 0)
    return duplicates, gaps, over, off


def read_grid(path):
    """Returns sorted half-hour starts and their values: `actual`, or `forecast` where
    `actual` is empty or 0."""
    values = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            actual = float(row["actual"]) if row["actual"] else 0.0
            if actual > 0:
                values[parse_grid_time(row["from"])] = actual
            elif row["forecast"]:
                values[parse_grid_time(row["from"])] = float(row["forecast"])
    starts = sorted(values)
    return starts, [values[start] for start in starts]


def hour_intensity(grid, hour_start):
    """The mean of the hour's two half-hours, each the nearest value at or before it."""
    starts, values = grid
    total = 0.0
    for slot in (hour_start, hour_start + 1800):
        total += values[bisect.bisect_right(starts, slot) - 1]
    return total / 2


def machine_facts(trace_path, grid_path):
    """Returns {(vm_id, ts): metrics} for every VM-hour with usage, in 2023 time."""
    grid = read_grid(grid_path)
    facts = {}
    for (vm_id, hour), (busy_s, idle_s) in hourly_core_seconds(read_trace(trace_path)).items():
        if busy_s + idle_s <= 0:
            continue
        shifted = hour + SHIFT_S
        intensity = hour_intensity(grid, shifted)
        busy_kwh = BUSY_WATTS * busy_s / 3.6e6
        idle_kwh = IDLE_WATTS * idle_s / 3.6e6
        facts[(vm_id, iso(shifted))] = {
            "busy_cpu_seconds_total": busy_s,
            "idle_cpu_seconds_total": idle_s,
            "busy_kwh": busy_kwh,
            "idle_kwh": idle_kwh,
            "busy_gCo2eq": busy_kwh * intensity,
            "idle_gCo2eq": idle_kwh * intensity,
            "intensity_gCo2eq_kwh": intensity,
        }
    return facts


def project_of_machines(vm_ids):
    """Machine k in ascending id order belongs to project k mod 5."""
    return {vm_id: PROJECTS[k % len(PROJECTS)] for k, vm_id in enumerate(sorted(vm_ids))}


def owner_of_machines(vm_ids):
    """Machine k is owned by user p + 5 * ((k / 5) mod n_p), p = k mod 5, where n_p is the
    number of users whose own project is p; user i is "u" + (i + 1) in two digits."""
    owners = {}
    for k, vm_id in enumerate(sorted(vm_ids)):
        project = k % len(PROJECTS)
        candidates = len(range(project, USER_COUNT, len(PROJECTS)))
        owners[vm_id] = "u%02d" % (project + len(PROJECTS) * ((k // len(PROJECTS)) % candidates) + 1)
    return owners


def group_of_user(user_id):
    return GROUPS[(int(user_id[1:]) - 1) % len(GROUPS)]
