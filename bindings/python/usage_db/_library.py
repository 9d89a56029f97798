"""Finding and loading libusage_db, and the ctypes signature of every C function.

Every function gets explicit ``argtypes`` and ``restype``: without them ctypes passes and
returns C ``int``, which truncates 64-bit handles and string pointers.
"""

import ctypes
import os
import threading
from ctypes import POINTER, c_bool, c_char_p, c_double, c_int, c_int32, c_int64
from ctypes import c_size_t, c_uint32, c_void_p
from pathlib import Path

LIBRARY_ENV_VAR = "USAGE_DB_LIBRARY"
LIBRARY_FILE_NAME = "libusage_db.so"


def _repo_build_output():
    """Return where `cargo build --release` puts the library, in a source checkout only.

    There the package sits at bindings/python/usage_db/, three folders below the
    repository root. An installed copy has no repository around it and gets None.
    """
    parents = Path(__file__).resolve().parents
    if len(parents) < 4 or not (parents[3] / "Cargo.toml").is_file():
        return None
    return parents[3] / "target" / "release" / LIBRARY_FILE_NAME


REPO_BUILD_OUTPUT = _repo_build_output()


class LibraryNotFoundError(OSError):
    """libusage_db could not be loaded from any of the places searched."""


class UsageDbFact(ctypes.Structure):
    """The C struct ``UsageDbFact``: one hourly usage fact."""

    _fields_ = [
        ("scope", c_char_p),
        ("ts_iso_utc", c_char_p),
        ("has_project_id", c_bool),
        ("project_id", c_int64),
        ("has_machine_id", c_bool),
        ("machine_id", c_int64),
        ("user_id", c_char_p),
        ("busy_cpu_seconds_total", c_double),
        ("idle_cpu_seconds_total", c_double),
        ("busy_kwh", c_double),
        ("idle_kwh", c_double),
        ("busy_gCo2eq", c_double),
        ("idle_gCo2eq", c_double),
        ("has_intensity", c_bool),
        ("intensity_gCo2eq_kwh", c_double),
    ]


class UsageDbOpenOptions(ctypes.Structure):
    """The C struct ``UsageDbOpenOptions``: settings for ``usage_db_open``."""

    _fields_ = [
        ("busy_timeout_ms", c_uint32),
        ("durability", c_int32),
    ]


DURABILITY_NORMAL = 0
DURABILITY_FULL = 1

# C types as ctypes spells them. Returned strings are c_void_p so that the pointer
# itself reaches Python: it is either freed with usage_db_string_free or, for the static
# strings, read with ctypes.string_at.
STATUS = c_int
HANDLE = c_void_p
TEXT = c_char_p
OUT_HANDLE = POINTER(c_void_p)
OUT_TEXT = POINTER(c_void_p)
INT64_PTR = POINTER(c_int64)
SIZE_PTR = POINTER(c_size_t)

# name: (restype, argtypes), in the order of include/usage_db.h.
_CORE_SIGNATURES = {
    "usage_db_insert_fact_usage": (STATUS, [HANDLE, POINTER(UsageDbFact), INT64_PTR]),
    "usage_db_bulk_insert_fact_usage_array": (
        STATUS,
        [HANDLE, POINTER(UsageDbFact), c_size_t, SIZE_PTR],
    ),
    "usage_db_bulk_insert_fact_usage": (STATUS, [HANDLE, TEXT, SIZE_PTR]),
    "usage_db_open_options_default": (UsageDbOpenOptions, []),
    "usage_db_open": (STATUS, [TEXT, POINTER(UsageDbOpenOptions), OUT_HANDLE]),
    "usage_db_close": (STATUS, [HANDLE]),
    "usage_db_version": (c_void_p, []),
    "usage_db_last_error": (c_void_p, []),
    "usage_db_status_name": (c_void_p, [c_int32]),
    "usage_db_q": (STATUS, [HANDLE, TEXT, TEXT, OUT_TEXT]),
    "usage_db_execute_write": (STATUS, [HANDLE, TEXT, TEXT, INT64_PTR]),
    "usage_db_top_groups_by_energy": (STATUS, [HANDLE, TEXT, TEXT, c_int64, OUT_TEXT]),
    "usage_db_get_or_create_group": (STATUS, [HANDLE, TEXT, INT64_PTR]),
    "usage_db_get_or_create_user": (STATUS, [HANDLE, TEXT, TEXT, TEXT]),
    "usage_db_get_or_create_project": (STATUS, [HANDLE, TEXT, INT64_PTR]),
    "usage_db_get_or_create_machine": (STATUS, [HANDLE, TEXT, INT64_PTR]),
    "usage_db_get_or_create_instance": (STATUS, [HANDLE, TEXT, INT64_PTR, TEXT, INT64_PTR]),
    "usage_db_map_user_project": (STATUS, [HANDLE, TEXT, INT64_PTR, TEXT]),
    "usage_db_map_project_machine": (STATUS, [HANDLE, INT64_PTR, TEXT, INT64_PTR, TEXT]),
    "usage_db_start_workspace": (
        STATUS,
        [HANDLE, c_int64, c_int64, TEXT, TEXT, INT64_PTR, INT64_PTR],
    ),
    "usage_db_end_workspace": (STATUS, [HANDLE, c_int64]),
    "usage_db_string_free": (None, [c_void_p]),
    "usage_db_begin": (STATUS, [HANDLE]),
    "usage_db_commit": (STATUS, [HANDLE]),
    "usage_db_rollback": (STATUS, [HANDLE]),
    "usage_db_transaction_depth": (STATUS, [HANDLE, POINTER(c_uint32)]),
}

# The read functions take the handle, their text arguments and a `char **` for the JSON.
VIEW_READS = (
    "ada_timeseries",
    "project_totals",
    "machine_totals",
    "group_totals",
    "user_totals",
    "project_averages",
    "machine_averages",
    "group_averages",
    "user_averages",
    "active_workspaces",
    "user_project_memberships",
)
NAMED_READS = (
    "project_timeseries",
    "machine_timeseries",
    "user_timeseries",
    "machine_intensity_trend",
)
WINDOW_READS = (
    "project_energy_carbon_between",
    "user_contribution_window",
    "machine_utilization_share",
)

# The reads share three shapes: a whole view, one named series, and a [from, to) window.
_READ_SIGNATURES = {
    **{f"usage_db_{name}": (STATUS, [HANDLE, OUT_TEXT]) for name in VIEW_READS},
    **{f"usage_db_{name}": (STATUS, [HANDLE, TEXT, OUT_TEXT]) for name in NAMED_READS},
    **{f"usage_db_{name}": (STATUS, [HANDLE, TEXT, TEXT, OUT_TEXT]) for name in WINDOW_READS},
}

SIGNATURES = {**_CORE_SIGNATURES, **_READ_SIGNATURES}

_loaded = None
_load_lock = threading.Lock()


def candidate_paths():
    """Return the places searched for the library, in order, as (description, path)."""
    configured = os.environ.get(LIBRARY_ENV_VAR)
    if configured:
        # An explicit choice is never silently replaced by another copy.
        return [(f"${LIBRARY_ENV_VAR}", configured)]

    candidates = []
    if REPO_BUILD_OUTPUT is not None:
        candidates.append(("the repository's build output", str(REPO_BUILD_OUTPUT)))
    candidates.append(("the system library path", LIBRARY_FILE_NAME))
    return candidates


def _open_first(candidates):
    failures = []
    for description, path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError as err:
            failures.append(f"{description} ({path}): {err}")

    raise LibraryNotFoundError(
        f"libusage_db could not be loaded; set {LIBRARY_ENV_VAR} to the path of "
        f"{LIBRARY_FILE_NAME} or run `make lib` in the repository. Tried: " + "; ".join(failures)
    )


def declare(lib):
    """Set argtypes and restype on every function of the C API in ``lib``."""
    for name, (restype, argtypes) in SIGNATURES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


def load():
    """Return the loaded library with its signatures declared, loading it on first use."""
    global _loaded

    with _load_lock:
        if _loaded is None:
            _loaded = declare(_open_first(candidate_paths()))
        return _loaded


def static_text(pointer):
    """Decode a NUL-terminated string that the library owns and the caller must not free."""
    return ctypes.string_at(pointer).decode("utf-8") if pointer else ""


def take_text(lib, pointer):
    """Decode a string that the library returned to the caller, then free it."""
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        lib.usage_db_string_free(pointer)
