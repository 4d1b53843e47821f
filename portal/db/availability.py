"""Which failures mean "the database cannot serve right now" (answered 503 with Retry-After), not a bug (500)."""

from __future__ import annotations

import sqlite3

import asyncpg.exceptions as pg

RETRY_AFTER_SECONDS = 5
_UNAVAILABLE = (
    OSError,  # refused, reset, unreachable, name not resolved
    TimeoutError,  # no pooled connection came free in time, or the server did not answer
    pg.PostgresConnectionError,
    pg.OperatorInterventionError,  # shutting down, cannot connect now
    pg.InsufficientResourcesError,  # too many connections
    pg.InterfaceError,  # the connection closed under the query
)
# OSErrors of files (a missing font, a read-only directory) are bugs or set-up faults of this process:
# a 500 that is logged, not a 503 that blames the database and asks the reader to try again.
_FILES = (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError)


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc``, or what caused it, says the database is unreachable, busy or out of connections."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE) and not isinstance(current, _FILES):
            return True
        if isinstance(current, sqlite3.OperationalError) and "locked" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
