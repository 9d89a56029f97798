"""Conversions from Python arguments to the C API's text, integers, numbers and JSON.

ctypes converts silently where C would not check: an int beyond 64 bits wraps, and text
with a NUL character is cut at it. These helpers reject such values first, naming the
operation, the parameter and the value.
"""

import json
import math
import numbers
import operator
from collections.abc import Mapping

from .errors import invalid_argument

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


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


def rows_json(operation, rows):
    """Encode bulk rows (mappings keyed like ``insert_fact_usage``) as one JSON array."""
    encoded = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise _type_error(operation, f"row {index}", "a dict", row)
        encoded.append(_row_json(operation, index, dict(row)))

    return ("[" + ",".join(encoded) + "]").encode("utf-8")


def _row_json(operation, index, row):
    try:
        return json.dumps(row, allow_nan=False)
    except ValueError as err:
        field = _first_field(row, _is_non_finite)
        if field is None:
            raise invalid_argument(f"{operation}: row {index}: {err}") from None
        raise invalid_argument(
            f"{operation}: row {index}: invalid {field} {row[field]}: must be a finite number"
        ) from None
    except TypeError as err:
        field = _first_field(row, _is_not_json_scalar)
        if field is None:
            raise TypeError(f"{operation}: row {index}: {err}") from None
        raise TypeError(
            f"{operation}: row {index}: {field} must be a str, int, float or None, "
            f"not {type(row[field]).__name__}"
        ) from None


def _is_non_finite(value):
    return isinstance(value, float) and not math.isfinite(value)


def _is_not_json_scalar(value):
    return not isinstance(value, (str, int, float, type(None)))


def _first_field(row, is_bad):
    """Return the first key of ``row`` whose value ``is_bad``, or None."""
    return next((key for key, value in row.items() if is_bad(value)), None)
