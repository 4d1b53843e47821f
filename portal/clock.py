"""The portal's one clock: the current time, always timezone-aware UTC (stored as such on both engines)."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """Now, in UTC with its timezone: the time every row is stamped with."""
    return dt.datetime.now(dt.UTC)
