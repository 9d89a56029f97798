"""The UsageDB class: one open usage_db database, through the C API."""

import contextlib
import json
import math
import numbers
import os
import threading
import weakref
from ctypes import byref, c_int64, c_size_t, c_uint32, c_void_p
from datetime import datetime, timezone

from . import _convert, _library
from ._library import DURABILITY_FULL, DURABILITY_NORMAL, UsageDbFact
from .errors import ClosedError, InternalError, Status, error_for, invalid_argument

_DURABILITIES = {"normal": DURABILITY_NORMAL, "full": DURABILITY_FULL}
_MAX_TIMEOUT_MS = 2**32 - 1


def _timeout_ms(timeout):
    """Convert a busy timeout in seconds to the whole milliseconds that C expects."""
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"open: timeout must be a number of seconds, not {type(timeout).__name__}")

    milliseconds = float(timeout) * 1000.0
    if not math.isfinite(milliseconds) or not 0 <= milliseconds <= _MAX_TIMEOUT_MS:
        raise invalid_argument(
            f"open: invalid timeout {timeout}: must be between 0 and {_MAX_TIMEOUT_MS / 1000} seconds"
        )
    return round(milliseconds)


def _optional_int64_ref(value):
    """Pass an optional integer by pointer: NULL when absent."""
    return None if value is None else byref(c_int64(value))


class UsageDB:
    """An open usage_db database: a file path, or ``":memory:"`` for a private one.

    ``timeout`` is how many seconds a call waits for another connection's lock before
    it raises :class:`~usage_db.errors.BusyError`. ``durability="full"`` syncs each
    commit to disk so that it also survives a power loss.

    One instance may be shared by several threads. :meth:`close` is safe to call twice,
    and an instance that is garbage-collected without it is closed then.
    """

    def __init__(self, path=":memory:", timeout=30.0, *, durability="normal"):
        self._path = path
        self._handle = None
        self._lock = threading.RLock()
        self._lib = _library.load()

        path_bytes = _convert.text("open", "path", os.fsdecode(os.fspath(path)))
        options = self._lib.usage_db_open_options_default()
        options.busy_timeout_ms = _timeout_ms(timeout)
        options.durability = self._durability(durability)

        handle = c_void_p()
        self._check(self._lib.usage_db_open(path_bytes, byref(options), byref(handle)))

        self._handle = handle.value
        # weakref.finalize runs its callback at most once, so the handle is closed once:
        # by close(), or when the object is garbage-collected.
        self._finalizer = weakref.finalize(self, self._lib.usage_db_close, handle.value)

    @staticmethod
    def _durability(durability):
        try:
            return _DURABILITIES[durability]
        except (KeyError, TypeError):
            raise invalid_argument(
                f"open: invalid durability {durability!r}: use 'normal' or 'full'"
            ) from None

    # -- lifecycle ---------------------------------------------------------------------

    def close(self):
        """Close the database, rolling back an open transaction. Closing twice is harmless."""
        with self._lock:
            if self._handle is None:
                return
            self._handle = None
            self._check(self._finalizer())

    @property
    def closed(self):
        """Whether :meth:`close` has been called."""
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.close()

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<UsageDB {self._path!r} {state}>"

    # -- calling C -----------------------------------------------------------------------

    def _check(self, status):
        """Raise the exception for a failed status, with this thread's last error message."""
        if status != Status.OK:
            raise error_for(status, _library.static_text(self._lib.usage_db_last_error()))

    def _call(self, operation, *args):
        """Call ``usage_db_<operation>`` on this handle with ``args`` after it."""
        function = getattr(self._lib, "usage_db_" + operation)

        with self._lock:
            if self._handle is None:
                raise ClosedError(
                    Status.INVALID_ARGUMENT, f"{operation}: the database is closed"
                )
            # The message is per thread, so it is read right after the call that set it.
            self._check(function(self._handle, *args))

    def _call_for_id(self, operation, *args):
        """Call a function whose last parameter is an int64_t out parameter; return it."""
        out = c_int64()
        self._call(operation, *args, byref(out))
        return out.value

    def _read(self, operation, *args):
        """Call a read whose last parameter is a ``char **`` for JSON; return the rows."""
        out = c_void_p()
        self._call(operation, *args, byref(out))

        if not out.value:
            raise InternalError(Status.INTERNAL, f"{operation}: returned OK without a result")
        return json.loads(_library.take_text(self._lib, out.value))

    # -- reference data ------------------------------------------------------------------

    def get_or_create_group(self, group_name):
        """Return the id of the group ``group_name``, creating the group when missing."""
        op = "get_or_create_group"
        return self._call_for_id(op, _convert.text(op, "group_name", group_name))

    def get_or_create_user(self, user_id, display_name=None, group_name=None):
        """Create the user ``user_id``, or update the name and group given; return ``user_id``.

        A None ``display_name`` or ``group_name`` keeps the stored value, and a group
        named here is created when missing.
        """
        op = "get_or_create_user"
        self._call(
            op,
            _convert.text(op, "user_id", user_id),
            _convert.text(op, "display_name", display_name, optional=True),
            _convert.text(op, "group_name", group_name, optional=True),
        )
        return user_id

    def get_or_create_project(self, cloud_project_name):
        """Return the id of the project ``cloud_project_name``, creating it when missing."""
        op = "get_or_create_project"
        return self._call_for_id(op, _convert.text(op, "cloud_project_name", cloud_project_name))

    def get_or_create_machine(self, machine_name):
        """Return the id of the machine ``machine_name``, creating it when missing."""
        op = "get_or_create_machine"
        return self._call_for_id(op, _convert.text(op, "machine_name", machine_name))

    def get_or_create_instance(self, host, port=None, raw_label=None):
        """Return the id of the instance with exactly this host, port and label.

        None means absent, and an absent value matches only an absent one.
        """
        op = "get_or_create_instance"
        return self._call_for_id(
            op,
            _convert.text(op, "host", host),
            _optional_int64_ref(_convert.int64(op, "port", port, optional=True)),
            _convert.text(op, "raw_label", raw_label, optional=True),
        )

    def map_user_project(self, user_id, project_id=None, cloud_project_name=None):
        """Make ``user_id`` a member of a project given by id or by name (exactly one).

        A project named here is created when missing; mapping twice is harmless.
        """
        op = "map_user_project"
        self._call(
            op,
            _convert.text(op, "user_id", user_id),
            _optional_int64_ref(_convert.int64(op, "project_id", project_id, optional=True)),
            _convert.text(op, "cloud_project_name", cloud_project_name, optional=True),
        )

    def map_project_machine(
        self, project_id=None, cloud_project_name=None, machine_id=None, machine_name=None
    ):
        """Assign a machine to a project, each given by id or by name (exactly one of each).

        Names create what is missing; mapping twice is harmless.
        """
        op = "map_project_machine"
        self._call(
            op,
            _optional_int64_ref(_convert.int64(op, "project_id", project_id, optional=True)),
            _convert.text(op, "cloud_project_name", cloud_project_name, optional=True),
            _optional_int64_ref(_convert.int64(op, "machine_id", machine_id, optional=True)),
            _convert.text(op, "machine_name", machine_name, optional=True),
        )

    def start_workspace(
        self, instance_id, machine_id, user_id=None, project_id=None, started_at_iso_utc=None
    ):
        """Register a running workspace and return its id.

        ``started_at_iso_utc`` defaults to the current time, to the second.
        """
        op = "start_workspace"
        if started_at_iso_utc is None:
            started_at_iso_utc = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        return self._call_for_id(
            op,
            _convert.int64(op, "instance_id", instance_id),
            _convert.int64(op, "machine_id", machine_id),
            _convert.text(op, "started_at_iso_utc", started_at_iso_utc),
            _convert.text(op, "user_id", user_id, optional=True),
            _optional_int64_ref(_convert.int64(op, "project_id", project_id, optional=True)),
        )

    def end_workspace(self, workspace_id):
        """Remove a workspace from the active list; an id that is not active raises NotFoundError."""
        op = "end_workspace"
        self._call(op, _convert.int64(op, "workspace_id", workspace_id))

    # -- facts ---------------------------------------------------------------------------

    def insert_fact_usage(
        self,
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
        """Insert one hourly fact, or replace the metrics of the fact with the same key.

        ``scope`` is "ada", "project", "machine" or "user", and only the id of that scope
        may be given. Returns the fact's ``usage_id``.
        """
        op = "insert_fact_usage"
        fact = UsageDbFact(
            *_convert.fact_values(
                op,
                scope,
                ts_iso_utc,
                project_id,
                machine_id,
                user_id,
                busy_cpu_seconds_total,
                idle_cpu_seconds_total,
                busy_kwh,
                idle_kwh,
                busy_gCo2eq,
                idle_gCo2eq,
                intensity_gCo2eq_kwh,
            )
        )

        return self._call_for_id(op, byref(fact))

    def bulk_insert_fact_usage(self, rows):
        """Upsert many facts, all or none; return how many were written.

        Each row is a dict keyed like the arguments of :meth:`insert_fact_usage`. The
        first bad row raises an error naming its index and field, and nothing is written.
        """
        op = "bulk_insert_fact_usage"
        facts = _convert.fact_array(op, rows)

        # The C array path skips a JSON round trip, which costs more than the insert.
        written = c_size_t()
        self._call(op + "_array", facts, len(facts), byref(written))
        return written.value

    # -- reads ---------------------------------------------------------------------------

    def ada_timeseries(self):
        """Return the platform-wide hourly series, by ``ts``."""
        return self._read("ada_timeseries")

    def project_timeseries(self, cloud_project_name):
        """Return one project's hourly series, by ``ts``; an unknown project gives []."""
        op = "project_timeseries"
        return self._read(op, _convert.text(op, "cloud_project_name", cloud_project_name))

    def machine_timeseries(self, machine_name):
        """Return one machine's hourly series, by ``ts``; an unknown machine gives []."""
        op = "machine_timeseries"
        return self._read(op, _convert.text(op, "machine_name", machine_name))

    def user_timeseries(self, user_id):
        """Return one user's hourly series, by ``ts``; an unknown user gives []."""
        op = "user_timeseries"
        return self._read(op, _convert.text(op, "user_id", user_id))

    def project_totals(self):
        """Return the all-time sums of the six metrics per project."""
        return self._read("project_totals")

    def machine_totals(self):
        """Return the all-time sums of the six metrics per machine."""
        return self._read("machine_totals")

    def group_totals(self):
        """Return the all-time sums per group, from the user-scope facts of its users."""
        return self._read("group_totals")

    def user_totals(self):
        """Return the all-time sums of the six metrics per user."""
        return self._read("user_totals")

    def project_averages(self):
        """Return the averages over each project's hourly facts."""
        return self._read("project_averages")

    def machine_averages(self):
        """Return the averages over each machine's hourly facts."""
        return self._read("machine_averages")

    def group_averages(self):
        """Return the averages over the user-hour facts of each group's users."""
        return self._read("group_averages")

    def user_averages(self):
        """Return the averages over each user's hourly facts."""
        return self._read("user_averages")

    def active_workspaces(self):
        """Return the active workspaces, newest first."""
        return self._read("active_workspaces")

    def user_project_memberships(self):
        """Return every user-project membership, by user then project."""
        return self._read("user_project_memberships")

    def project_energy_carbon_between(self, from_iso_utc, to_iso_utc):
        """Return energy and carbon per project in ``[from, to)``, most energy first."""
        return self._read_window("project_energy_carbon_between", from_iso_utc, to_iso_utc)

    def top_groups_by_energy(self, from_iso_utc, to_iso_utc, n=10):
        """Return the ``n`` groups whose users used the most energy in ``[from, to)``."""
        op = "top_groups_by_energy"
        return self._read(
            op,
            _convert.text(op, "from", from_iso_utc),
            _convert.text(op, "to", to_iso_utc),
            _convert.int64(op, "n", n),
        )

    def machine_intensity_trend(self, machine_name):
        """Return one machine's carbon intensity per hour, by ``ts``."""
        op = "machine_intensity_trend"
        return self._read(op, _convert.text(op, "machine_name", machine_name))

    def user_contribution_window(self, from_iso_utc, to_iso_utc):
        """Return each user's energy in ``[from, to)`` under every project the user belongs to."""
        return self._read_window("user_contribution_window", from_iso_utc, to_iso_utc)

    def machine_utilization_share(self, from_iso_utc, to_iso_utc):
        """Return busy and idle CPU seconds per machine in ``[from, to)``, busiest first."""
        return self._read_window("machine_utilization_share", from_iso_utc, to_iso_utc)

    def _read_window(self, operation, from_iso_utc, to_iso_utc):
        return self._read(
            operation,
            _convert.text(operation, "from", from_iso_utc),
            _convert.text(operation, "to", to_iso_utc),
        )

    # -- SQL -----------------------------------------------------------------------------

    def q(self, sql, params=None):
        """Run one read-only SQL statement and return its rows.

        ``params`` is a list or tuple for ``?`` parameters, or a dict for ``:name`` ones.
        A statement that could write raises ReadOnlyViolationError and is not run.
        """
        op = "q"
        return self._read(op, _convert.text(op, "sql", sql), _convert.params_json(op, params))

    def execute_write(self, sql, params=None):
        """Run one SQL statement that may write, atomically; return the rows it changed.

        Meant for maintenance such as deleting old facts, never for user-supplied text.
        """
        op = "execute_write"
        return self._call_for_id(op, _convert.text(op, "sql", sql), _convert.params_json(op, params))

    # -- transactions --------------------------------------------------------------------

    def begin(self):
        """Open a transaction, or a nested savepoint when one is open."""
        self._call("begin")

    def commit(self):
        """Commit the innermost open level; raise TransactionStateError when none is open."""
        self._call("commit")

    def rollback(self):
        """Undo the innermost open level; raise TransactionStateError when none is open."""
        self._call("rollback")

    @property
    def transaction_depth(self):
        """The number of open transaction levels, 0 when none."""
        depth = c_uint32()
        self._call("transaction_depth", byref(depth))
        return depth.value

    @contextlib.contextmanager
    def transaction(self):
        """Run a block in a transaction: commit on success, roll back on any exception.

        The exception is re-raised after the rollback. Blocks nest as savepoints, and an
        inner block that fails undoes only its own writes when the outer block catches it.
        """
        self.begin()
        try:
            yield self
        except BaseException as failure:
            self._rollback_after(failure)
            raise
        self.commit()

    def _rollback_after(self, failure):
        try:
            self.rollback()
        except Exception as rollback_error:
            # The caller's exception matters more, so it is the one raised; the rollback
            # failure is attached to it as a note (Python 3.11+).
            add_note = getattr(failure, "add_note", None)
            if add_note is not None:
                add_note(f"usage_db: the rollback after this error failed too: {rollback_error}")
