"""begin, commit, rollback and the transaction() context manager, including nesting."""

import sys

import pytest

from usage_db import TransactionStateError, UsageDB

T0 = "2025-10-01T00:00:00Z"
T1 = "2025-10-01T01:00:00Z"


def timestamps(db):
    return [row["ts"] for row in db.ada_timeseries()]


def test_begin_commit(db):
    db.begin()
    db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
    assert db.transaction_depth == 1
    db.commit()

    assert db.transaction_depth == 0
    assert timestamps(db) == [T0]


def test_begin_rollback(db):
    db.begin()
    db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
    db.rollback()

    assert timestamps(db) == []


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_end_without_begin_raises(db, end):
    with pytest.raises(TransactionStateError) as raised:
        getattr(db, end)()

    assert raised.value.message == f"{end}: no transaction is open; call begin first"


def test_transaction_commits_on_success(db):
    with db.transaction() as same:
        assert same is db
        db.insert_fact_usage(scope="ada", ts_iso_utc=T0)

    assert db.transaction_depth == 0
    assert timestamps(db) == [T0]


def test_transaction_rolls_back_and_reraises(db):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with db.transaction():
            db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
            raise Boom()

    assert db.transaction_depth == 0
    assert timestamps(db) == []


def test_transaction_rolls_back_on_library_error(db):
    with pytest.raises(ValueError, match="scope 'project' requires project_id"):
        with db.transaction():
            db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
            db.insert_fact_usage(scope="project", ts_iso_utc=T0)

    assert timestamps(db) == []


def test_nested_failure_undoes_only_inner_block(db):
    with db.transaction():
        db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
        with pytest.raises(KeyError):
            with db.transaction():
                assert db.transaction_depth == 2
                db.insert_fact_usage(scope="ada", ts_iso_utc=T1)
                raise KeyError("inner")
        assert db.transaction_depth == 1

    assert timestamps(db) == [T0]


def test_outer_failure_undoes_committed_inner_block(db):
    with pytest.raises(RuntimeError):
        with db.transaction():
            with db.transaction():
                db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
            raise RuntimeError("outer")

    assert timestamps(db) == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes need Python 3.11")
def test_failed_rollback_keeps_the_original_error(db):
    with pytest.raises(RuntimeError, match="^closed inside") as raised:
        with db.transaction():
            db.close()
            raise RuntimeError("closed inside")

    assert raised.value.__notes__ == [
        "usage_db: the rollback after this error failed too: rollback: the database is closed"
    ]


def test_close_rolls_back_open_transaction(tmp_path):
    path = tmp_path / "usage.db"
    with UsageDB(path) as db:
        db.insert_fact_usage(scope="ada", ts_iso_utc=T0)
        db.begin()
        db.insert_fact_usage(scope="ada", ts_iso_utc=T1)

    with UsageDB(path) as reopened:
        assert timestamps(reopened) == [T0]
