"""Python binding of usage_db, an embeddable store for hourly energy and carbon accounting.

    from usage_db import UsageDB

    with UsageDB("usage.db") as db:
        db.insert_fact_usage(scope="ada", ts_iso_utc="2025-10-01T00:00:00Z", busy_kwh=1.5)
        print(db.ada_timeseries())

The shared library is loaded on first use from ``$USAGE_DB_LIBRARY``, else from the
repository's ``target/release/libusage_db.so``, else through the system loader.
"""

from . import _library
from ._library import LibraryNotFoundError
from .db import UsageDB
from .errors import (
    BusyError,
    ClosedError,
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
    UsageDBError,
)

__all__ = [
    "BusyError",
    "ClosedError",
    "ConstraintError",
    "InternalError",
    "InvalidArgumentError",
    "LibraryNotFoundError",
    "NotADatabaseError",
    "NotFoundError",
    "ReadOnlyViolationError",
    "SchemaTooNewError",
    "SQLError",
    "Status",
    "StorageIOError",
    "TransactionStateError",
    "UsageDB",
    "UsageDBError",
    "usage_db_version",
]


def usage_db_version():
    """Return the version of the loaded libusage_db, such as "0.1.0"."""
    lib = _library.load()
    return _library.static_text(lib.usage_db_version())


def __getattr__(name):
    # __version__ is computed on first access so that importing the package does not
    # load the shared library.
    if name == "__version__":
        return usage_db_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
