"""The SQL escape hatch: q for reads and execute_write for maintenance."""

import math

import pytest

from usage_db import InvalidArgumentError, ReadOnlyViolationError, SQLError


def test_q_without_params(db):
    assert db.q("SELECT 1 AS one, 2.5 AS x, 'a' AS s, NULL AS n") == [{"one": 1, "x": 2.5, "s": "a", "n": None}]


def test_q_positional_params(db):
    assert db.q("SELECT ? AS a, ? AS b", [1, "two"]) == [{"a": 1, "b": "two"}]
    assert db.q("SELECT ?2 AS a, ?1 AS b", (1.5, None)) == [{"a": None, "b": 1.5}]


def test_q_named_params(db):
    assert db.q("SELECT :name AS a, @n AS b", {"name": "Zürich-λ-电", "@n": 3}) == [{"a": "Zürich-λ-电", "b": 3}]


def test_q_reads_views(sample):
    assert sample.q(
        "SELECT cloud_project_name, busy_kwh + idle_kwh AS energy_kwh FROM v_project_totals "
        "WHERE cloud_project_name = ?", ["alpha"]
    ) == [{"cloud_project_name": "alpha", "energy_kwh": 6.0}]


@pytest.mark.parametrize(
    "sql", ["DELETE FROM fact_usage", "DROP TABLE fact_usage", "PRAGMA user_version = 5", "BEGIN"]
)
def test_q_rejects_writes(db, sql):
    with pytest.raises(ReadOnlyViolationError) as raised:
        db.q(sql)

    assert raised.value.message.startswith(f"q: rejected '{sql}'")
    assert db.q("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'fact_usage'") == [{"n": 1}]


def test_q_sql_error(db):
    with pytest.raises(SQLError, match='^q: cannot prepare \'SELEC 1\': near "SELEC": syntax error'):
        db.q("SELEC 1")


def test_q_rejects_two_statements(db):
    with pytest.raises(ValueError, match="^q: sql 'SELECT 1; SELECT 2' contains more than one statement"):
        db.q("SELECT 1; SELECT 2")


def test_q_param_count_mismatch(db):
    with pytest.raises(ValueError, match=r"^q: the statement has 1 parameter\(s\) but params has 2 value\(s\)$"):
        db.q("SELECT ?", [1, 2])


@pytest.mark.parametrize("params", ["abc", 5, {1, 2}], ids=["str", "int", "set"])
def test_q_rejects_params_of_other_types(db, params):
    with pytest.raises(TypeError, match="^q: params must be a list, tuple or dict, not "):
        db.q("SELECT ?", params)


def test_q_rejects_nan_param(db):
    with pytest.raises(InvalidArgumentError, match=r"^q: invalid params \[nan\]: "):
        db.q("SELECT ?", [math.nan])


def test_execute_write_returns_changes(sample):
    assert sample.execute_write("DELETE FROM fact_usage WHERE scope = ?", ["ada"]) == 2
    assert sample.execute_write("DELETE FROM fact_usage WHERE ts < :before", {"before": "2000-01-01T00:00:00Z"}) == 0
    assert sample.ada_timeseries() == []


def test_execute_write_rejects_transaction_control(db):
    with pytest.raises(SQLError, match="^execute_write: rejected 'COMMIT'"):
        db.execute_write("COMMIT")
