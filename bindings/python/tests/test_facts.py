"""insert_fact_usage and bulk_insert_fact_usage: upserts, validation and all-or-none batches."""

import math
from decimal import Decimal

import pytest

from usage_db import InvalidArgumentError, NotFoundError

T0 = "2025-10-01T00:00:00Z"
T1 = "2025-10-01T01:00:00Z"


@pytest.fixture
def ids(db):
    db.get_or_create_user("u1")
    return {"project_id": db.get_or_create_project("alpha"), "machine_id": db.get_or_create_machine("gpu-01")}


def fact_count(db):
    return db.q("SELECT count(*) AS n FROM fact_usage")[0]["n"]


def test_insert_returns_usage_id(db, ids):
    first = db.insert_fact_usage(scope="ada", ts_iso_utc=T0, busy_kwh=1.0)
    second = db.insert_fact_usage(scope="project", ts_iso_utc=T0, project_id=ids["project_id"])

    assert (first, second) == (1, 2)


def test_insert_same_key_updates(db, ids):
    first = db.insert_fact_usage(scope="project", ts_iso_utc=T0, project_id=ids["project_id"], busy_kwh=9.1)
    again = db.insert_fact_usage(scope="project", ts_iso_utc="2025-10-01T02:00:00+02:00",
                                 project_id=ids["project_id"], busy_kwh=10.0)

    assert again == first
    assert db.q("SELECT ts, busy_kwh FROM fact_usage") == [{"ts": T0, "busy_kwh": 10.0}]


def test_insert_stores_every_field(db, ids):
    db.insert_fact_usage("machine", T0, None, ids["machine_id"], None, 18_000, 6_000, 5.4, 0.9, 1000, 160, 150.5)

    assert db.q("SELECT * FROM fact_usage") == [{
        "usage_id": 1, "ts": T0, "scope": "machine", "project_id": None,
        "machine_id": ids["machine_id"], "user_id": None,
        "busy_cpu_seconds_total": 18000.0, "idle_cpu_seconds_total": 6000.0,
        "busy_kwh": 5.4, "idle_kwh": 0.9, "busy_gCo2eq": 1000.0, "idle_gCo2eq": 160.0,
        "intensity_gCo2eq_kwh": 150.5,
    }]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(scope="project", project_id=1, machine_id=1),
         "insert_fact_usage: scope 'project' takes only project_id, but machine_id 1 was given"),
        (dict(scope="project"), "insert_fact_usage: scope 'project' requires project_id"),
        (dict(scope="bogus"),
         "insert_fact_usage: invalid scope 'bogus': expected one of ada, project, machine, user"),
        (dict(scope="ada", busy_kwh=math.nan),
         "insert_fact_usage: invalid busy_kwh NaN: must be a finite number >= 0"),
        (dict(scope="ada", idle_kwh=-1), "insert_fact_usage: invalid idle_kwh -1: must be a finite number >= 0"),
    ],
    ids=["forbidden-id", "missing-id", "scope", "nan", "negative"],
)
def test_insert_rejects_invalid_fact(db, ids, arguments, message):
    with pytest.raises(ValueError) as raised:
        db.insert_fact_usage(ts_iso_utc=T0, **arguments)

    assert str(raised.value) == message
    assert fact_count(db) == 0


def test_insert_rejects_bad_timestamp(db):
    with pytest.raises(ValueError, match="^insert_fact_usage: invalid ts_iso_utc '2025-13-01T00:00:00Z'"):
        db.insert_fact_usage(scope="ada", ts_iso_utc="2025-13-01T00:00:00Z")


def test_insert_unknown_references(db):
    with pytest.raises(NotFoundError) as raised:
        db.insert_fact_usage(scope="user", ts_iso_utc=T0, user_id="nobody")
    assert raised.value.message == "insert_fact_usage: user_id 'nobody' not found; create it with get_or_create_user"

    with pytest.raises(NotFoundError, match="^insert_fact_usage: project_id 999 not found"):
        db.insert_fact_usage(scope="project", ts_iso_utc=T0, project_id=999)


def test_insert_rejects_id_beyond_int64(db):
    # ctypes would wrap 2**64 + 1 to 1 silently, which is an existing project.
    db.get_or_create_project("alpha")
    with pytest.raises(InvalidArgumentError, match=r"^insert_fact_usage: invalid project_id 18446744073709551617: must fit in a signed 64-bit integer$"):
        db.insert_fact_usage(scope="project", ts_iso_utc=T0, project_id=2**64 + 1)


@pytest.mark.parametrize("bad", ["1", True, None, Decimal("1.5")], ids=["str", "bool", "None", "Decimal"])
def test_insert_rejects_wrong_metric_type(db, bad):
    expected = f"insert_fact_usage: busy_kwh must be a number, not {type(bad).__name__}"
    with pytest.raises(TypeError) as raised:
        db.insert_fact_usage(scope="ada", ts_iso_utc=T0, busy_kwh=bad)

    assert str(raised.value) == expected


def test_insert_rejects_nul_in_text(db):
    # ctypes would cut "u1\0x" at the NUL and pass "u1".
    with pytest.raises(ValueError, match=r"^insert_fact_usage: invalid user_id 'u1\\x00x': contains a NUL character$"):
        db.insert_fact_usage(scope="user", ts_iso_utc=T0, user_id="u1\0x")


def test_bulk_insert_writes_and_counts(db, ids):
    rows = [
        dict(scope="project", ts_iso_utc=T1, project_id=ids["project_id"], busy_kwh=7.0, idle_kwh=1.0),
        dict(scope="machine", ts_iso_utc=T1, machine_id=ids["machine_id"],
             busy_cpu_seconds_total=19_000, idle_cpu_seconds_total=5_000, busy_kwh=5.7),
        dict(scope="user", ts_iso_utc=T1, user_id="u1", busy_kwh=3.0, intensity_gCo2eq_kwh=None),
    ]

    assert db.bulk_insert_fact_usage(rows) == 3
    assert db.q("SELECT scope, busy_kwh, busy_cpu_seconds_total FROM fact_usage ORDER BY usage_id") == [
        {"scope": "project", "busy_kwh": 7.0, "busy_cpu_seconds_total": 0.0},
        {"scope": "machine", "busy_kwh": 5.7, "busy_cpu_seconds_total": 19000.0},
        {"scope": "user", "busy_kwh": 3.0, "busy_cpu_seconds_total": 0.0},
    ]


def test_bulk_insert_accepts_any_iterable(db):
    rows = (dict(scope="ada", ts_iso_utc=f"2025-10-01T0{hour}:00:00Z") for hour in range(3))
    assert db.bulk_insert_fact_usage(rows) == 3
    assert db.bulk_insert_fact_usage([]) == 0


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (dict(user_id="u1\0x"), ValueError, r"^bulk_insert_fact_usage: row 1: invalid user_id 'u1\\x00x': contains a NUL character$"),
        (dict(scope="ada\0"), ValueError, r"^bulk_insert_fact_usage: row 1: invalid scope 'ada\\x00': contains a NUL character$"),
        (dict(scope="project", project_id=2**63), ValueError, r"^bulk_insert_fact_usage: row 1: invalid project_id 9223372036854775808: must fit in a signed 64-bit integer$"),
        (dict(busy_kwh=True), TypeError, r"^bulk_insert_fact_usage: row 1: busy_kwh must be a number, not bool$"),
        (dict(busy_kwh=10**400), ValueError, r"^bulk_insert_fact_usage: row 1: invalid busy_kwh 1000.*: too large$"),
        (dict(ts_iso_utc=None), ValueError, r"^bulk_insert_fact_usage: row 1: missing field 'ts_iso_utc'$"),
    ],
)
def test_bulk_insert_checks_what_ctypes_would_change(db, bad, error, message):
    # ctypes cuts text at a NUL, wraps integers past 64 bits and reads True as 1.0.
    row = dict(scope="user", ts_iso_utc=T1, user_id="u1")
    row.update(bad)

    with pytest.raises(error, match=message):
        db.bulk_insert_fact_usage([dict(scope="ada", ts_iso_utc=T0), row])

    assert fact_count(db) == 0


def test_bulk_insert_converts_int_like_and_mapping_rows(db, ids):
    class Hours(int):
        pass

    class Row(dict):
        pass

    rows = [
        Row(scope="project", ts_iso_utc=T0, project_id=Hours(ids["project_id"]), busy_kwh=2),
        dict(scope="ada", ts_iso_utc=T1, busy_kwh=None, idle_kwh=1),
    ]

    assert db.bulk_insert_fact_usage(rows) == 2
    assert db.q("SELECT scope, busy_kwh, idle_kwh FROM fact_usage ORDER BY usage_id") == [
        {"scope": "project", "busy_kwh": 2.0, "idle_kwh": 0.0},
        {"scope": "ada", "busy_kwh": 0.0, "idle_kwh": 1.0},
    ]


def test_bulk_insert_is_all_or_none(db):
    rows = [dict(scope="ada", ts_iso_utc=T0), dict(scope="ada", ts_iso_utc=T1, busy_kwh=-1)]

    with pytest.raises(ValueError) as raised:
        db.bulk_insert_fact_usage(rows)

    assert str(raised.value) == "bulk_insert_fact_usage: row 1: invalid busy_kwh -1: must be a finite number >= 0"
    assert fact_count(db) == 0


def test_bulk_insert_names_unknown_field(db):
    with pytest.raises(ValueError, match="^bulk_insert_fact_usage: row 0: unknown field 'busy_kwhh'"):
        db.bulk_insert_fact_usage([dict(scope="ada", ts_iso_utc=T0, busy_kwhh=1.0)])


@pytest.mark.parametrize("value, shown", [(math.nan, "NaN"), (math.inf, "inf"), (-math.inf, "-inf")])
def test_bulk_insert_names_non_finite_row(db, value, shown):
    rows = [dict(scope="ada", ts_iso_utc=T0), dict(scope="ada", ts_iso_utc=T1, idle_gCo2eq=value)]

    with pytest.raises(InvalidArgumentError) as raised:
        db.bulk_insert_fact_usage(rows)

    expected = f"bulk_insert_fact_usage: row 1: invalid idle_gCo2eq {shown}: must be a finite number >= 0"
    assert str(raised.value) == expected
    assert fact_count(db) == 0


def test_bulk_insert_names_unserialisable_field(db):
    with pytest.raises(TypeError, match="^bulk_insert_fact_usage: row 0: busy_kwh must be a number, not Decimal$"):
        db.bulk_insert_fact_usage([dict(scope="ada", ts_iso_utc=T0, busy_kwh=Decimal("1.5"))])


def test_bulk_insert_rejects_non_dict_row(db):
    with pytest.raises(TypeError, match="^bulk_insert_fact_usage: row 0 must be a dict, not tuple$"):
        db.bulk_insert_fact_usage([("ada", T0)])


def test_bulk_insert_inside_transaction_is_undone_with_it(db):
    db.begin()
    assert db.bulk_insert_fact_usage([dict(scope="ada", ts_iso_utc=T0)]) == 1
    db.rollback()

    assert fact_count(db) == 0


def test_text_round_trips_byte_exact(db):
    name = "Zürich-λ-电"
    db.get_or_create_user(name, display_name=name, group_name=name)
    project = db.get_or_create_project(name)
    db.map_user_project(name, project_id=project)
    db.insert_fact_usage(scope="user", ts_iso_utc=T0, user_id=name, busy_kwh=1.0)

    assert db.user_project_memberships() == [
        {"user_id": name, "display_name": name, "group_name": name, "cloud_project_name": name}
    ]
    assert db.user_timeseries(name)[0]["user_id"].encode("utf-8") == name.encode("utf-8")
    assert db.q("SELECT hex(user_id) AS h FROM dim_user") == [{"h": name.encode("utf-8").hex().upper()}]


def test_bulk_text_round_trips_byte_exact(db):
    # json.dumps escapes non-ASCII text, including the surrogate pair of an emoji.
    name = "Zürich-λ-电-😀"
    db.get_or_create_user(name)

    assert db.bulk_insert_fact_usage([dict(scope="user", ts_iso_utc=T0, user_id=name, busy_kwh=2.0)]) == 1
    assert db.q("SELECT hex(user_id) AS h FROM fact_usage") == [{"h": name.encode("utf-8").hex().upper()}]
