"""Exceptions raised by the binding, one class per status code of the C API.

Every library failure is a :class:`UsageDBError` carrying the status ``code`` and the
library's one-line ``message``. An invalid argument is also a :class:`ValueError`, so
``except ValueError`` catches bad scopes, timestamps, metrics and names.
"""

import enum


class Status(enum.IntEnum):
    """``UsageDbStatus`` from include/usage_db.h; the numbers never change."""

    OK = 0
    INVALID_ARGUMENT = 1
    NOT_FOUND = 2
    CONSTRAINT = 3
    BUSY = 4
    TRANSACTION_STATE = 5
    SQL_ERROR = 6
    READ_ONLY_VIOLATION = 7
    IO_ERROR = 8
    NOT_A_DATABASE = 9
    SCHEMA_TOO_NEW = 10
    INTERNAL = 11


class UsageDBError(Exception):
    """A failed usage_db call.

    ``code`` is the :class:`Status` (a plain int for a code this binding does not know)
    and ``message`` names the operation, the parameter and the value.
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self):
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidArgumentError(UsageDBError, ValueError):
    """An argument was rejected (USAGE_DB_STATUS_INVALID_ARGUMENT)."""


class ClosedError(InvalidArgumentError):
    """A call on a UsageDB that was already closed."""


class NotFoundError(UsageDBError):
    """A referenced project, machine, user, instance or workspace does not exist."""


class ConstraintError(UsageDBError):
    """The database rejected a write that breaks a constraint."""


class BusyError(UsageDBError):
    """Another connection held a lock for longer than the busy timeout."""


class TransactionStateError(UsageDBError):
    """Commit or rollback with no transaction open."""


class SQLError(UsageDBError):
    """A statement given to ``q`` or ``execute_write`` failed to prepare or run."""


class ReadOnlyViolationError(UsageDBError):
    """``q`` rejected a statement because it could write or change the connection."""


class StorageIOError(UsageDBError):
    """The database file could not be opened, read or written."""


class NotADatabaseError(UsageDBError):
    """The file is not a usage_db database, or it is corrupt."""


class SchemaTooNewError(UsageDBError):
    """The file was written by a newer usage_db whose schema this version cannot read."""


class InternalError(UsageDBError):
    """A bug in usage_db, including a caught panic; the message names where it happened."""


ERROR_CLASSES = {
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


def error_for(code, message):
    """Build the exception for a failed call's status ``code`` and ``message``."""
    try:
        status = Status(code)
    except ValueError:
        return UsageDBError(code, message or f"usage_db failed with unknown status {code}")

    return ERROR_CLASSES[status](status, message)


def invalid_argument(message):
    """Build the exception for an argument that the binding rejects before calling C."""
    return InvalidArgumentError(Status.INVALID_ARGUMENT, message)
