"""Conversions from Python arguments to the C API's text, integers, numbers and JSON.

ctypes converts silently where C would not check: an int beyond 64 bits wraps, and text
with a NUL character is cut at it. These helpers reject such values first, naming the
operation, the parameter and the value.
"""

import json
import numbers
import operator
from collections.abc import Mapping, Sequence

from ._library import UsageDbFact
from .errors import invalid_argument

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

METRICS = (
    "busy_cpu_seconds_total",
    "idle_cpu_seconds_total",
    "busy_kwh",
    "idle_kwh",
    "busy_gCo2eq",
    "idle_gCo2eq",
)
# The keyword arguments of insert_fact_usage, which are also the keys of bulk rows.
FACT_FIELDS = ("scope", "ts_iso_utc", "project_id", "machine_id", "user_id") + METRICS + (
    "intensity_gCo2eq_kwh",
)
_FACT_FIELD_SET = frozenset(FACT_FIELDS)


def _type_error(operation, field, expected, value):
    return TypeError(f"{operation}: {field} must be {expected}, not {type(value).__name__}")


def text(operation, field, value, optional=False):
    """Encode a str argument as NUL-terminated UTF-8; None gives NULL where optional."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _type_error(operation, field, "str", value)
    if "\0" in value:
        raise invalid_argument(f"{operation}: invalid {field} {value!r}: contains a NUL character")

    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise invalid_argument(f"{operation}: invalid {field} {value!r}: {err.reason}") from None


def int64(operation, field, value, optional=False):
    """Check an integer argument against the int64_t range; None stays None where optional."""
    if value is None and optional:
        return None
    if isinstance(value, bool):
        raise _type_error(operation, field, "int", value)
    try:
        number = operator.index(value)
    except TypeError:
        raise _type_error(operation, field, "int", value) from None

    if not INT64_MIN <= number <= INT64_MAX:
        raise invalid_argument(
            f"{operation}: invalid {field} {number}: must fit in a signed 64-bit integer"
        )
    return number


def real(operation, field, value):
    """Convert a metric to a C double; the library itself rejects NaN and negatives."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _type_error(operation, field, "a number", value)

    try:
        return float(value)
    except OverflowError:
        raise invalid_argument(f"{operation}: invalid {field} {value}: too large") from None


def params_json(operation, params):
    """Encode ``q`` parameters: a list or tuple binds by position, a dict by name."""
    if params is None:
        return None
    if isinstance(params, Mapping):
        params = dict(params)
    elif isinstance(params, (list, tuple)):
        params = list(params)
    else:
        raise _type_error(operation, "params", "a list, tuple or dict", params)

    try:
        return json.dumps(params, allow_nan=False).encode("utf-8")
    except ValueError as err:
        raise invalid_argument(f"{operation}: invalid params {params!r}: {err}") from None
    except TypeError as err:
        raise TypeError(f"{operation}: params: {err}") from None


def fact_values(
    operation,
    scope,
    ts_iso_utc,
    project_id=None,
    machine_id=None,
    user_id=None,
    busy_cpu_seconds_total=0.0,
    idle_cpu_seconds_total=0.0,
    busy_kwh=0.0,
    idle_kwh=0.0,
    busy_gCo2eq=0.0,
    idle_gCo2eq=0.0,
    intensity_gCo2eq_kwh=None,
):
    """Check one fact's arguments and return the field values of a ``UsageDbFact``."""
    metrics = (busy_cpu_seconds_total, idle_cpu_seconds_total, busy_kwh, idle_kwh)
    metrics += (busy_gCo2eq, idle_gCo2eq)

    return (
        text(operation, "scope", scope),
        text(operation, "ts_iso_utc", ts_iso_utc),
        project_id is not None,
        int64(operation, "project_id", project_id, optional=True) or 0,
        machine_id is not None,
        int64(operation, "machine_id", machine_id, optional=True) or 0,
        text(operation, "user_id", user_id, optional=True),
        *(real(operation, name, value) for name, value in zip(METRICS, metrics)),
        intensity_gCo2eq_kwh is not None,
        0.0 if intensity_gCo2eq_kwh is None else real(operation, "intensity_gCo2eq_kwh", intensity_gCo2eq_kwh),
    )


def fact_array(operation, rows):
    """Build the C array of ``UsageDbFact`` for a bulk insert from row mappings.

    Rows of plain dicts with str, int and float values take a fast path. Any other row
    sends the whole batch through the checks of ``insert_fact_usage``, which also name
    the first bad row and field. NaN and negative metrics are left to the library, which
    names the row too.
    """
    if not isinstance(rows, Sequence):
        rows = list(rows)

    try:
        return (UsageDbFact * len(rows))(*map(_plain_fact_values, rows))
    except (_NeedsFullCheck, TypeError, OverflowError, RuntimeError):
        # ctypes reports a field it cannot convert as a RuntimeError.
        pass

    values = [_checked_fact_values(operation, index, row) for index, row in enumerate(rows)]
    return (UsageDbFact * len(values))(*values)


class _NeedsFullCheck(Exception):
    """A row the fast path does not convert; the full checks decide."""


_PLAIN_NUMBER_TYPES = frozenset((float, int, type(None)))


def _plain_fact_values(row):
    """Convert a dict with exactly typed values, or raise _NeedsFullCheck.

    ctypes would cut text at a NUL and wrap integers beyond 64 bits without a word, so
    those are checked here too. This runs once per row of every batch, so it is written
    for speed: one lookup per field and type checks by identity.
    """
    if type(row) is not dict or not row.keys() <= _FACT_FIELD_SET:
        raise _NeedsFullCheck
    get = row.get
    scope, ts, user = get("scope"), get("ts_iso_utc"), get("user_id")
    project, machine, intensity = get("project_id"), get("machine_id"), get("intensity_gCo2eq_kwh")
    busy_s, idle_s = get("busy_cpu_seconds_total"), get("idle_cpu_seconds_total")
    busy_kwh, idle_kwh = get("busy_kwh"), get("idle_kwh")
    busy_g, idle_g = get("busy_gCo2eq"), get("idle_gCo2eq")

    plain_text = type(scope) is str and type(ts) is str and "\0" not in scope and "\0" not in ts
    plain_user = user is None or (type(user) is str and "\0" not in user)
    plain_ids = (project is None or (type(project) is int and INT64_MIN <= project <= INT64_MAX)) and (
        machine is None or (type(machine) is int and INT64_MIN <= machine <= INT64_MAX)
    )
    numbers = _PLAIN_NUMBER_TYPES
    plain_numbers = (
        type(busy_s) in numbers
        and type(idle_s) in numbers
        and type(busy_kwh) in numbers
        and type(idle_kwh) in numbers
        and type(busy_g) in numbers
        and type(idle_g) in numbers
        and type(intensity) in numbers
    )
    if not (plain_text and plain_user and plain_ids and plain_numbers):
        raise _NeedsFullCheck

    return (
        scope.encode(),
        ts.encode(),
        project is not None,
        project or 0,
        machine is not None,
        machine or 0,
        None if user is None else user.encode(),
        busy_s or 0.0,
        idle_s or 0.0,
        busy_kwh or 0.0,
        idle_kwh or 0.0,
        busy_g or 0.0,
        idle_g or 0.0,
        intensity is not None,
        intensity or 0.0,
    )


def _checked_fact_values(operation, index, row):
    at_row = f"{operation}: row {index}"
    if not isinstance(row, Mapping):
        raise _type_error(operation, f"row {index}", "a dict", row)

    unknown = sorted(str(key) for key in row.keys() - _FACT_FIELD_SET)
    if unknown:
        raise invalid_argument(
            f"{at_row}: unknown field {unknown[0]!r}; expected {', '.join(FACT_FIELDS)}"
        )
    for field in ("scope", "ts_iso_utc"):
        if row.get(field) is None:
            raise invalid_argument(f"{at_row}: missing field {field!r}")

    # A null metric means 0, as an absent one does.
    present = {key: value for key, value in row.items() if value is not None}
    return fact_values(at_row, **present)
