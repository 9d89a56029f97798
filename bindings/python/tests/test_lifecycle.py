"""Opening, closing, garbage collection and sharing one UsageDB between threads."""

import gc
import math
import threading

import pytest

from usage_db import BusyError, ClosedError, Status, UsageDB

T0 = "2025-10-01T00:00:00Z"


def test_close_twice_is_harmless():
    db = UsageDB()
    assert not db.closed

    db.close()
    db.close()

    assert db.closed
    assert repr(db) == "<UsageDB ':memory:' closed>"


@pytest.mark.parametrize(
    "call, operation",
    [
        (lambda db: db.ada_timeseries(), "ada_timeseries"),
        (lambda db: db.insert_fact_usage(scope="ada", ts_iso_utc=T0), "insert_fact_usage"),
        (lambda db: db.q("SELECT 1"), "q"),
        (lambda db: db.begin(), "begin"),
        (lambda db: db.transaction_depth, "transaction_depth"),
        (lambda db: db.end_workspace(1), "end_workspace"),
    ],
    ids=["read", "insert", "q", "begin", "depth", "end_workspace"],
)
def test_call_after_close_raises(call, operation):
    db = UsageDB()
    db.close()

    with pytest.raises(ClosedError) as raised:
        call(db)

    assert isinstance(raised.value, ValueError)
    assert raised.value.code == Status.INVALID_ARGUMENT
    assert raised.value.message == f"{operation}: the database is closed"


def test_context_manager_closes():
    with UsageDB() as db:
        assert db.get_or_create_group("g") == 1
    assert db.closed


def test_close_then_garbage_collection():
    db = UsageDB()
    finalizer = db._finalizer
    db.close()
    assert not finalizer.alive

    del db
    gc.collect()
    assert not finalizer.alive


def test_garbage_collection_closes_handle(tmp_path):
    path = tmp_path / "usage.db"
    db = UsageDB(path)
    finalizer = db._finalizer
    db.begin()

    del db
    gc.collect()

    # The collected handle released its write lock, so another connection may write.
    assert not finalizer.alive
    with UsageDB(path, timeout=0.05) as other:
        other.begin()
        other.rollback()


def test_file_database_persists(tmp_path):
    path = tmp_path / "usage.db"
    with UsageDB(str(path)) as db:
        db.insert_fact_usage(scope="ada", ts_iso_utc=T0, busy_kwh=1.25)

    with UsageDB(path) as reopened:
        assert [row["busy_kwh"] for row in reopened.ada_timeseries()] == [1.25]


def test_memory_databases_are_private():
    with UsageDB() as first, UsageDB(":memory:") as second:
        first.get_or_create_group("only-in-first")
        assert second.q("SELECT count(*) AS n FROM dim_group") == [{"n": 0}]


def test_full_durability_opens(tmp_path):
    with UsageDB(tmp_path / "usage.db", durability="full") as db:
        assert db.q("PRAGMA synchronous") == [{"synchronous": 2}]


def test_unknown_durability_rejected():
    with pytest.raises(ValueError, match="^open: invalid durability 'fast': use 'normal' or 'full'$"):
        UsageDB(durability="fast")


@pytest.mark.parametrize("timeout", [-1, math.nan, math.inf, 5_000_000])
def test_timeout_out_of_range_rejected(timeout):
    with pytest.raises(ValueError, match=f"^open: invalid timeout {timeout}: must be between 0 and "):
        UsageDB(timeout=timeout)


def test_timeout_must_be_number():
    with pytest.raises(TypeError, match="^open: timeout must be a number of seconds, not str$"):
        UsageDB(timeout="30")


def test_timeout_waits_for_lock(tmp_path):
    path = tmp_path / "usage.db"
    with UsageDB(path) as holder, UsageDB(path, timeout=2.0) as waiter:
        holder.begin()
        release = threading.Timer(0.2, holder.rollback)
        release.start()

        waiter.begin()
        waiter.rollback()
        release.join()

    with UsageDB(path) as holder, UsageDB(path, timeout=0) as impatient:
        holder.begin()
        with pytest.raises(BusyError):
            impatient.begin()
        holder.rollback()


def test_one_handle_shared_by_threads(db):
    def insert_hours(user):
        db.get_or_create_user(user)
        for hour in range(24):
            db.insert_fact_usage(scope="user", ts_iso_utc=f"2025-10-01T{hour:02d}:00:00Z",
                                 user_id=user, busy_kwh=1.0)

    threads = [threading.Thread(target=insert_hours, args=(f"u{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [(row["user_id"], row["busy_kwh"]) for row in db.user_totals()] == [
        ("u0", 24.0), ("u1", 24.0), ("u2", 24.0), ("u3", 24.0)
    ]
