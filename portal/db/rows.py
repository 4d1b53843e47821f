"""Reading a row that must exist: its key came from the database a moment before, or the caller just wrote it."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any


async def existing(query: Awaitable[dict[str, Any] | None]) -> dict[str, Any]:
    """The row of a ``.first()`` query for a row known to exist; a missing one is a bug (or a row deleted meanwhile)."""
    row = await query
    if row is None:
        raise LookupError("a row that must exist is missing")
    return row
