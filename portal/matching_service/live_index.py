"""This process's index of open opportunities: built on first use, then kept in step with the database.

A restart rebuilds it. Before each use it reads the opportunities changed since its last look
(``updated_at``, which every change of an opportunity or of its places taken sets), so it
follows edits made by this or any other process without a full rebuild; an opportunity that
closes or fills up stays in the index but no longer passes its constraints.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import matching
from portal.db.tables import Opportunity
from portal.matching_service import records

__all__ = ["current", "forget"]


class _State:
    index: matching.OpportunityIndex | None = None
    seen: dt.datetime | None = None  # the newest updated_at read so far
    stamps: dict[int, Any] = {}  # updated_at of each row as indexed, so a re-read row is not re-indexed


_state = _State()
_lock = asyncio.Lock()
_MARGIN = dt.timedelta(minutes=5)


def forget() -> None:
    """Drop the index (tests that wipe the database; the next use rebuilds it)."""
    _state.index, _state.seen, _state.stamps = None, None, {}


async def _rows(since: dt.datetime | None) -> list[dict[str, Any]]:
    query = Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), Opportunity.updated_at)
    if since is None:
        # Only what can be recommended; anything else enters once it opens.
        query = query.where(Opportunity.status == "open")
    else:
        # A change is stamped before its transaction commits, so one can become visible after a
        # later-stamped one was read (and workers' clocks differ): read a margin back again.
        # Re-reading a row is harmless.
        query = query.where(Opportunity.updated_at >= since - _MARGIN)
    return await query.order_by(Opportunity.id)


def _newest(rows: list[dict[str, Any]], before: dt.datetime | None) -> dt.datetime | None:
    stamps = [r["updated_at"] for r in rows if r["updated_at"] is not None]
    return max([*stamps, *([before] if before else [])], default=None)


async def _build(scoring: matching.Scoring) -> matching.OpportunityIndex:
    rows = await _rows(None)
    _state.index = matching.OpportunityIndex([records.opportunity(r) for r in rows], scoring=scoring)
    _state.seen = _newest(rows, None)
    _state.stamps = {r["id"]: r["updated_at"] for r in rows}
    return _state.index


async def current(scoring: matching.Scoring) -> matching.OpportunityIndex:
    """The index, brought up to date and scoring with ``scoring``."""
    async with _lock:
        index = _state.index
        if index is None or _state.seen is None:
            return await _build(scoring)
        if index.scoring.weights != scoring.weights:
            try:
                index.scoring = scoring
            except ValueError:  # another text model: the skill vectors must be rebuilt
                return await _build(scoring)
        changed = await _rows(_state.seen)
        for row in changed:
            if _state.stamps.get(row["id"]) == row["updated_at"]:
                continue  # read again within the margin, unchanged
            _state.stamps[row["id"]] = row["updated_at"]
            if row["status"] == "open":
                index.upsert(records.opportunity(row))
            elif row["id"] in index:
                index.remove(row["id"])
        _state.seen = _newest(changed, _state.seen)
        return index
