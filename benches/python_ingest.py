"""Python-side ingest timings for the usage_db benchmark.

Times four ways of writing the same facts from Python, each into its own copy of a
template database that already holds the schema and the entities:

- ``binding``: ``UsageDB.bulk_insert_fact_usage`` of each batch of row dicts, from the
  ctypes binding in ``bindings/python``, so validation and timestamp normalisation are
  included;
- ``ctypes``: the same C call made directly, after one ``json.dumps`` of the whole batch,
  which shows what the binding's own encoding costs;
- ``executemany``: ``sqlite3`` ``executemany`` of the upsert into the same schema;
- ``drafted``: the same ``executemany`` into the same tables carrying the first-drafted
  index set instead of the per-scope partial unique indexes.

Every way runs in one transaction. Batches are read from a file of JSON arrays, one per
line; parsing them and building the tuples is not timed. Prints one JSON object.
"""

import argparse
import ctypes
import json
import os
import shutil
import sqlite3
import sys
import time

METRICS = (
    "busy_cpu_seconds_total",
    "idle_cpu_seconds_total",
    "busy_kwh",
    "idle_kwh",
    "busy_gCo2eq",
    "idle_gCo2eq",
)
COLUMNS = ("scope", "ts_iso_utc", "project_id", "machine_id", "user_id") + METRICS + (
    "intensity_gCo2eq_kwh",
)

# One statement for every scope: with no conflict target, DO UPDATE applies to whichever
# unique index the row collides with, so the same text serves both index designs.
UPSERT = (
    "INSERT INTO fact_usage (scope, ts, project_id, machine_id, user_id, "
    + ", ".join(METRICS)
    + ", intensity_gCo2eq_kwh) VALUES ("
    + ", ".join("?" * len(COLUMNS))
    + ") ON CONFLICT DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in METRICS + ("intensity_gCo2eq_kwh",))
)

# The index set first drafted for this product: single-column indexes and one unique
# key over every scope, with NULL ids folded into sentinels. It replaces every index that
# our schema puts on fact_usage.
DRAFTED_INDEXES = """
CREATE INDEX ix_fact_ts ON fact_usage (ts);
CREATE INDEX ix_fact_scope ON fact_usage (scope);
CREATE INDEX ix_fact_project ON fact_usage (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX ix_fact_machine ON fact_usage (machine_id) WHERE machine_id IS NOT NULL;
CREATE INDEX ix_fact_user ON fact_usage (user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX ux_fact_key ON fact_usage (
    scope, ts, coalesce(project_id, -1), coalesce(machine_id, -1), coalesce(user_id, '')
);
"""


def read_batches(path):
    """Yield each line of the batch file as a list of row dicts."""
    with open(path, "rb") as lines:
        for line in lines:
            yield json.loads(line)


def as_tuple(row):
    return tuple(row.get(column) for column in COLUMNS)


class Library:
    """The few C ABI calls this benchmark needs, through ctypes."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.usage_db_open.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.usage_db_bulk_insert_fact_usage.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_size_t),
        ]
        for name in ("usage_db_begin", "usage_db_commit", "usage_db_close"):
            getattr(self.lib, name).argtypes = [ctypes.c_void_p]
        self.lib.usage_db_last_error.restype = ctypes.c_char_p

    def check(self, operation, status):
        if status != 0:
            message = self.lib.usage_db_last_error().decode()
            raise RuntimeError(f"{operation} failed with status {status}: {message}")

    def open(self, path):
        handle = ctypes.c_void_p()
        self.check("usage_db_open", self.lib.usage_db_open(path.encode(), None, ctypes.byref(handle)))
        return handle


def time_binding(db_path, batch_file):
    from usage_db import UsageDB

    db = UsageDB(db_path)
    spent = 0.0
    rows = 0

    start = time.perf_counter()
    db.begin()
    spent += time.perf_counter() - start
    for batch in read_batches(batch_file):
        start = time.perf_counter()
        rows += db.bulk_insert_fact_usage(batch)
        spent += time.perf_counter() - start
    start = time.perf_counter()
    db.commit()
    spent += time.perf_counter() - start

    db.close()
    return rows, spent


def time_ctypes(library, db_path, batch_file):
    handle = library.open(db_path)
    count = ctypes.c_size_t()
    spent = 0.0
    rows = 0

    start = time.perf_counter()
    library.check("usage_db_begin", library.lib.usage_db_begin(handle))
    spent += time.perf_counter() - start
    for batch in read_batches(batch_file):
        start = time.perf_counter()
        text = json.dumps(batch).encode()
        library.check(
            "usage_db_bulk_insert_fact_usage",
            library.lib.usage_db_bulk_insert_fact_usage(handle, text, ctypes.byref(count)),
        )
        spent += time.perf_counter() - start
        rows += count.value
    start = time.perf_counter()
    library.check("usage_db_commit", library.lib.usage_db_commit(handle))
    spent += time.perf_counter() - start

    library.lib.usage_db_close(handle)
    return rows, spent


def time_executemany(db_path, batch_file):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    spent = 0.0
    rows = 0

    start = time.perf_counter()
    conn.execute("BEGIN")
    spent += time.perf_counter() - start
    for batch in read_batches(batch_file):
        tuples = [as_tuple(row) for row in batch]
        start = time.perf_counter()
        conn.executemany(UPSERT, tuples)
        spent += time.perf_counter() - start
        rows += len(tuples)
    start = time.perf_counter()
    conn.execute("COMMIT")
    spent += time.perf_counter() - start

    conn.close()
    return rows, spent


def fresh_copy(template, path, drafted):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copyfile(template, path)
    if drafted:
        conn = sqlite3.connect(path)
        ours = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'fact_usage' AND sql IS NOT NULL"
        ).fetchall()
        for (name,) in ours:
            conn.execute(f'DROP INDEX "{name}"')
        conn.executescript(DRAFTED_INDEXES)
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, help="path of libusage_db.so")
    parser.add_argument("--template", required=True, help="database with schema and entities, no facts")
    parser.add_argument("--batches", required=True, help="file of JSON row arrays, one per line")
    parser.add_argument("--workdir", required=True, help="directory for the databases written")
    parser.add_argument("--runs", type=int, default=3, help="runs of each way")
    args = parser.parse_args()

    # The binding finds the library through this variable before its own search.
    os.environ["USAGE_DB_LIBRARY"] = args.library
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))
    library = Library(args.library)
    seconds = {"binding": [], "ctypes": [], "executemany": [], "drafted": []}
    rows_written = set()
    db_path = os.path.join(args.workdir, "python.db")

    for _ in range(args.runs):
        for way in seconds:
            fresh_copy(args.template, db_path, drafted=(way == "drafted"))
            if way == "binding":
                rows, spent = time_binding(db_path, args.batches)
            elif way == "ctypes":
                rows, spent = time_ctypes(library, db_path, args.batches)
            else:
                rows, spent = time_executemany(db_path, args.batches)
            seconds[way].append(spent)
            rows_written.add(rows)

    if len(rows_written) != 1:
        sys.exit(f"the ways wrote different row counts: {sorted(rows_written)}")
    json.dump(
        {
            "rows": rows_written.pop(),
            "seconds": seconds,
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
