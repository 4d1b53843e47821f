"""Which failures answer 503 ("the database cannot serve right now") and which are bugs (500)."""

from __future__ import annotations

import sqlite3

import pytest

from portal.db.availability import is_unavailable


def _caused_by(cause: BaseException) -> RuntimeError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("while reading") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionRefusedError(111, "refused"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        TimeoutError(),
        sqlite3.OperationalError("database is locked"),
    ],
)
def test_an_unreachable_or_busy_database_is_unavailable(failure):
    assert is_unavailable(failure)
    assert is_unavailable(_caused_by(failure))


@pytest.mark.parametrize(
    "failure",
    [
        FileNotFoundError(2, "TTF Font file not found"),
        PermissionError(13, "read-only"),
        sqlite3.OperationalError("no such table: x"),
        ValueError("bug"),
    ],
)
def test_a_missing_file_or_a_bug_is_not_blamed_on_the_database(failure):
    assert not is_unavailable(failure)
    assert not is_unavailable(_caused_by(failure))
