"""This process's index of open opportunities: built off the request loop, then kept in step with the database.

The first build reads the open opportunities in batches and constructs the index in a worker
thread, so requests go on meanwhile; :func:`warm` starts it when the server starts. Until it is
ready :func:`current` answers None after a short wait, and the page says suggestions are being
prepared instead of holding the request. A restart rebuilds it.

Once built, before each use it reads the opportunities changed since its last look
(``updated_at``, which every change of an opportunity or of its places taken sets), so it
follows edits made by this or any other process without a full rebuild; an opportunity that
closes or fills up stays in the index but no longer passes its constraints.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import matching
from portal.db.tables import Opportunity
from portal.matching_service import records
from portal.memory import release_free_memory

__all__ = ["BUILD_WAIT", "current", "forget", "warm"]

logger = logging.getLogger(__name__)

# How long a request waits for a build under way before it answers "being prepared": a small
# network's index is ready well within it, a country's is not.
BUILD_WAIT = 2.0
# Rows read per statement while building: the loop serves requests between batches.
_BATCH = 5000
_MARGIN = dt.timedelta(minutes=5)
# After a look that read more stamps than this (a bulk import in the margin), the next look
# waits this long: suggestions may miss a change for that moment, never show a closed place
# (the shown rows are read fresh).
_LARGE_WINDOW = 2000
_QUIET_SECONDS = 2.0


class _State:
    index: matching.OpportunityIndex | None = None
    seen: dt.datetime | None = None  # the newest updated_at read so far
    stamps: dict[int, Any] = {}  # updated_at of each row as indexed, so a re-read row is not re-indexed
    building: asyncio.Task | None = None
    quiet_until: float = 0.0  # no look at the changes before this (time.monotonic())


_state = _State()
_lock = asyncio.Lock()


def forget() -> None:
    """Drop the index (tests that wipe the database; the next use rebuilds it)."""
    if _state.building is not None and not _state.building.done():
        try:
            _state.building.cancel()
        except RuntimeError:  # its event loop is gone (a finished test's): nothing runs it any more
            pass
    _state.index, _state.seen, _state.stamps, _state.building = None, None, {}, None
    _state.quiet_until = 0.0


def _indexed_columns() -> list[Any]:
    """What the index reads of an opportunity, and the stamp it follows changes by."""
    return [*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), Opportunity.updated_at]


async def _open_batches() -> AsyncIterator[list[dict[str, Any]]]:
    """Every open opportunity as the index needs it, read by id in batches."""
    last = 0
    while True:
        batch = (
            await Opportunity.select(*_indexed_columns())
            .where((Opportunity.status == "open") & (Opportunity.id > last))
            .order_by(Opportunity.id)
            .limit(_BATCH)
        )
        yield batch
        if len(batch) < _BATCH:
            return
        last = batch[-1]["id"]


async def _open_rows() -> list[dict[str, Any]]:
    """Every open opportunity as the index needs it."""
    return [row async for batch in _open_batches() for row in batch]


async def _changed_rows(since: dt.datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The stamps read in the window since ``since`` (less the margin), and the rows that did change.

    A change is stamped before its transaction commits, so one can become visible after a
    later-stamped one was read (and workers' clocks differ): the window reaches a margin back.
    Only ids and stamps are read for the whole window (an index-only scan), and whole rows only
    for those whose stamp differs from the indexed one: after a bulk import stamped alike, the
    window holds thousands of rows for minutes, and reading them whole on every request would
    be most of its cost.
    """
    stamps = await Opportunity.select(Opportunity.id, Opportunity.updated_at).where(
        Opportunity.updated_at >= since - _MARGIN
    )
    fresh = sorted(r["id"] for r in stamps if _state.stamps.get(r["id"]) != r["updated_at"])
    rows: list[dict[str, Any]] = []
    for start in range(0, len(fresh), _BATCH):  # bounded IN lists, however large an import
        rows += await Opportunity.select(*_indexed_columns()).where(Opportunity.id.is_in(fresh[start : start + _BATCH]))
    return stamps, rows


def _newest(rows: list[dict[str, Any]], before: dt.datetime | None) -> dt.datetime | None:
    stamps = [r["updated_at"] for r in rows if r["updated_at"] is not None]
    return max([*stamps, *([before] if before else [])], default=None)


def _records(rows: list[dict[str, Any]]) -> list[matching.Opportunity]:
    """Rows as records: CPU-bound, run in a worker thread."""
    return [records.opportunity(r) for r in rows]


def _construct(opportunities: list[matching.Opportunity], scoring: matching.Scoring) -> matching.OpportunityIndex:
    """The CPU-bound part of a build, run in a worker thread."""
    index = matching.OpportunityIndex(opportunities, scoring=scoring)
    index.warm()  # here, not on the first request: 0.7 s at a country's scale
    # The build's row batches and temporary arrays: 20-50 MB that glibc would keep resident otherwise.
    release_free_memory()
    return index


async def _build(scoring: matching.Scoring) -> None:
    # Batch by batch, each turned into records before the next is read: only one batch of row
    # dicts is alive at a time. Reading them all first held 170 MB of dicts at 100,000 rows, and
    # the heap they left behind (fragmented by the records made in between) stayed resident.
    started = time.perf_counter()
    found: list[matching.Opportunity] = []
    stamps: dict[int, Any] = {}
    seen: dt.datetime | None = None
    async for batch in _open_batches():
        found += await asyncio.to_thread(_records, batch)
        stamps.update((r["id"], r["updated_at"]) for r in batch)
        seen = _newest(batch, seen)
    index = await asyncio.to_thread(_construct, found, scoring)
    async with _lock:
        _state.index, _state.seen, _state.stamps = index, seen, stamps
    logger.info("opportunity index: %d open opportunities in %.1f s", len(found), time.perf_counter() - started)


def _start_build(scoring: matching.Scoring) -> asyncio.Task:
    if _state.building is None or (_state.building.done() and _state.index is None):
        # A failed build (the database away, say) is tried again by the next request.
        _state.building = asyncio.get_running_loop().create_task(_build(scoring), name="opportunity-index")
        _state.building.add_done_callback(_report_failure)
    return _state.building


def _report_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("opportunity index build failed; the next request tries again", exc_info=task.exception())


def cancel_build() -> None:
    """Give up a build under way (the server is stopping and its database pool closes next).

    It reads nothing more, and logs no failure; the thread it may be waiting for ends on its own.
    """
    if _state.building is not None and not _state.building.done():
        _state.building.cancel()


def warm(scoring: matching.Scoring) -> None:
    """Start building the index now (at server start), so the first suggestions need not wait for it."""
    _start_build(scoring)


async def current(scoring: matching.Scoring, *, wait: float = BUILD_WAIT) -> matching.OpportunityIndex | None:
    """The index, brought up to date and scoring with ``scoring``; None while its build is still under way."""
    if _state.index is None:
        building = _start_build(scoring)
        try:
            await asyncio.wait_for(asyncio.shield(building), wait)
        except TimeoutError:
            return None
    async with _lock:
        index = _state.index
        if index is None:
            return None
        if index.scoring.weights != scoring.weights:
            try:
                index.scoring = scoring
            except ValueError:  # another text model: the skill vectors must be rebuilt, off the loop
                forget()
                _start_build(scoring)
                return None
        if time.monotonic() < _state.quiet_until:
            return index  # a large window was just read: the next look waits a moment
        if _state.seen is None:
            stamps = changed = await _open_rows()
        else:
            stamps, changed = await _changed_rows(_state.seen)
        for row in changed:
            if _state.stamps.get(row["id"]) == row["updated_at"]:
                continue  # read again within the margin, unchanged
            _state.stamps[row["id"]] = row["updated_at"]
            if row["status"] == "open":
                index.upsert(records.opportunity(row))
            elif row["id"] in index:
                index.remove(row["id"])
        _state.seen = _newest(stamps, _state.seen)
        if len(stamps) > _LARGE_WINDOW:
            _state.quiet_until = time.monotonic() + _QUIET_SECONDS
        return index
