"""Each status code of the C API maps to its exception, with the library's message."""

import sqlite3
import threading

import pytest

import usage_db
from usage_db import (
    BusyError,
    ConstraintError,
    InternalError,
    InvalidArgumentError,
    NotADatabaseError,
    NotFoundError,
    ReadOnlyViolationError,
    SchemaTooNewError,
    SQLError,
    Status,
    StorageIOError,
    TransactionStateError,
    UsageDB,
    UsageDBError,
)
from usage_db.errors import error_for


def test_invalid_argument_is_value_error(db):
    with pytest.raises(ValueError) as raised:
        db.get_or_create_group("")

    error = raised.value
    assert type(error) is InvalidArgumentError
    assert isinstance(error, UsageDBError)
    assert error.code == Status.INVALID_ARGUMENT
    assert error.message == "get_or_create_group: invalid group_name '': must not be empty"
    assert str(error) == error.message


def test_not_found(db):
    with pytest.raises(NotFoundError) as raised:
        db.end_workspace(7)

    assert raised.value.code == Status.NOT_FOUND
    assert raised.value.message == "end_workspace: workspace_id 7 not found among the active workspaces"
    assert not isinstance(raised.value, ValueError)


def test_constraint(db):
    db.get_or_create_group("Research")
    with pytest.raises(ConstraintError) as raised:
        db.execute_write("INSERT INTO dim_group (group_name) VALUES ('Research')")

    assert raised.value.code == Status.CONSTRAINT
    assert raised.value.message.endswith("UNIQUE constraint failed: dim_group.group_name")


def test_busy(tmp_path):
    path = tmp_path / "usage.db"
    with UsageDB(path) as holder, UsageDB(path, timeout=0.05) as waiter:
        holder.begin()
        with pytest.raises(BusyError) as raised:
            waiter.begin()
        holder.rollback()

    assert raised.value.code == Status.BUSY
    assert raised.value.message.startswith("begin: ")


def test_transaction_state(db):
    with pytest.raises(TransactionStateError) as raised:
        db.rollback()

    assert raised.value.code == Status.TRANSACTION_STATE


def test_sql_error(db):
    with pytest.raises(SQLError) as raised:
        db.q("SELECT * FROM no_such_table")

    assert raised.value.code == Status.SQL_ERROR
    assert "no such table: no_such_table" in raised.value.message


def test_read_only_violation(db):
    with pytest.raises(ReadOnlyViolationError) as raised:
        db.q("INSERT INTO dim_group (group_name) VALUES ('x')")

    assert raised.value.code == Status.READ_ONLY_VIOLATION
    assert db.q("SELECT count(*) AS n FROM dim_group") == [{"n": 0}]


def test_io_error(tmp_path):
    missing = tmp_path / "no-such-dir" / "usage.db"
    with pytest.raises(StorageIOError) as raised:
        UsageDB(missing)

    assert raised.value.code == Status.IO_ERROR
    assert raised.value.message == f"open: path '{missing}': unable to open database file: {missing}"


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are not the pages of an SQLite file\n" * 200)

    with pytest.raises(NotADatabaseError) as raised:
        UsageDB(path)

    assert raised.value.code == Status.NOT_A_DATABASE
    assert path.read_bytes() == b"these are not the pages of an SQLite file\n" * 200


def test_foreign_sqlite_file(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")

    with pytest.raises(NotADatabaseError, match="without a usage_db schema"):
        UsageDB(path)


def test_schema_too_new(tmp_path):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as future:
        future.execute("PRAGMA user_version = 99")

    with pytest.raises(SchemaTooNewError) as raised:
        UsageDB(path)

    assert raised.value.code == Status.SCHEMA_TOO_NEW
    assert "schema version 99 was written by a newer usage_db" in raised.value.message


def test_error_for_every_status():
    # INTERNAL cannot be provoked from outside, so the mapping itself is checked.
    expected = {
        Status.INVALID_ARGUMENT: InvalidArgumentError,
        Status.NOT_FOUND: NotFoundError,
        Status.CONSTRAINT: ConstraintError,
        Status.BUSY: BusyError,
        Status.TRANSACTION_STATE: TransactionStateError,
        Status.SQL_ERROR: SQLError,
        Status.READ_ONLY_VIOLATION: ReadOnlyViolationError,
        Status.IO_ERROR: StorageIOError,
        Status.NOT_A_DATABASE: NotADatabaseError,
        Status.SCHEMA_TOO_NEW: SchemaTooNewError,
        Status.INTERNAL: InternalError,
    }
    for status, cls in expected.items():
        error = error_for(int(status), "op: text")
        assert type(error) is cls, status
        assert (error.code, error.message) == (status, "op: text")


def test_error_for_unknown_status():
    error = error_for(42, "")

    assert type(error) is UsageDBError
    assert error.code == 42
    assert error.message == "usage_db failed with unknown status 42"


def test_status_names_match_library():
    lib = usage_db._library.load()
    for status in Status:
        name = usage_db._library.static_text(lib.usage_db_status_name(int(status)))
        assert name == f"USAGE_DB_STATUS_{status.name}"


def test_messages_are_per_thread(db):
    # Each thread's failures must report that thread's own value, never another's.
    mismatches = []

    def fail_repeatedly(worker):
        for attempt in range(300):
            port = 70_000 + worker * 1000 + attempt
            try:
                db.get_or_create_instance("h", port=port)
            except ValueError as error:
                if f"invalid port {port}:" not in error.message:
                    mismatches.append((port, error.message))

    threads = [threading.Thread(target=fail_repeatedly, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert mismatches == []
