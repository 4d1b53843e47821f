"""Participants as ``matching`` records, kept per process while their row is unchanged (count-bounded LRU).

Turning a row into a :class:`matching.Person` (reading the skills JSON, a concept's labels in
three languages, normalising every term) cost most of a candidate list: 1,000 rows per
request, about 0.5 ms each under cProfile. The people near an opening and the newest of the pool
are asked for again and again, so the records are kept.

Privacy: the cache decides nothing about who is listed. Callers pass only the rows (or the id,
version and stamp of rows) their SQL returned (the pool and consent conditions still run on
every request), and get records back for exactly those rows; nothing is looked up by id alone.

Validity: an entry is keyed by the participant id and used only while the row is the same as
when it was made. Where the query read the row's version (PostgreSQL's ``xmin``, selected as
``version``: every committed change of a row gives it the id of the transaction that made it),
that version and ``updated_at`` decide, so a window of people can be checked from ``(id,
version, updated_at)`` alone (:meth:`PersonCache.kept`). Elsewhere (SQLite) ``updated_at`` and
every column :mod:`~portal.matching_service.records` reads decide: ``updated_at`` alone is not
trusted (a pseudonymisation or a migration writes columns without stamping it).
"""

from __future__ import annotations

import dataclasses
import operator
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from piccolo.querystring import QueryString

import matching
from portal.cache import also_forget
from portal.db.piccolo_conf import DB
from portal.matching_service import records

__all__ = [
    "CAPACITY",
    "VERSION",
    "IndexCache",
    "PersonCache",
    "as_employer_sees",
    "employer_view",
    "forget",
    "indexes",
    "people",
    "version_column",
]

# People kept per cache: 1.5 KB a record with the columns it is compared by (skills shared
# between people, see records.skill), so at most 15 MB per cache (measured on the scale data).
# A candidate window is 1,000 people and the employer fit window 500: ten windows stay warm.
CAPACITY = 10_000


# The name a query gives the row's version (PostgreSQL: ``participant.xmin AS version``).
VERSION = "version"
_COMPARED = ("updated_at", *records.PERSON_COLUMNS)
_compared = operator.itemgetter(*_COMPARED)  # a tenth of the time of a loop over the names


def version_column() -> list[QueryString]:
    """What a ``participant`` query selects for the row's version where the engine has one (PostgreSQL's ``xmin``)."""
    return [QueryString(f"participant.xmin AS {VERSION}")] if DB.engine_type == "postgres" else []


def _fingerprint(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """What the record depends on: the row's version and stamp where read, else its stamp and every column it reads."""
    version = row.get(VERSION)
    if version is not None:
        return (version, row["updated_at"])  # a pair, never equal to the columns' longer tuple
    try:
        return _compared(row)
    except KeyError:  # a caller that did not select the stamp: the columns still decide
        return tuple(row.get(name) for name in _COMPARED)


class PersonCache:
    """Records made from participant rows by ``make``, the least recently used dropped beyond ``capacity``."""

    def __init__(self, make: Callable[[Mapping[str, Any]], matching.Person], capacity: int = CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._make = make
        self.capacity = capacity
        self._kept: OrderedDict[int, tuple[tuple[Any, ...], matching.Person]] = OrderedDict()
        # Pages are served on one event loop, but round runs and training use worker threads.
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, participant_id: object) -> bool:
        return participant_id in self._kept

    def person(self, row: Mapping[str, Any]) -> matching.Person:
        """The record of ``row``: the kept one if the row is unchanged since, else made and kept."""
        key, fingerprint = row["id"], _fingerprint(row)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == fingerprint:
                self._kept.move_to_end(key)
                self.hits += 1
                return kept[1]
        made = self._make(row)
        with self._lock:
            self.misses += 1
            self._kept[key] = (fingerprint, made)
            self._kept.move_to_end(key)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)
        return made

    def kept(self, stamp: Mapping[str, Any]) -> matching.Person | None:
        """The kept record of the row ``stamp`` names by ``id``, ``version`` and ``updated_at``, if still that version."""
        with self._lock:
            kept = self._kept.get(stamp["id"])
            if kept is None or kept[0] != _fingerprint(stamp):
                return None
            self._kept.move_to_end(stamp["id"])
            self.hits += 1
            return kept[1]

    async def kept_or_read(
        self, stamps: list[dict[str, Any]], read: Callable[[list[int]], Awaitable[list[dict[str, Any]]]]
    ) -> list[matching.Person]:
        """The records of the rows ``stamps`` name (``id``, ``version``, ``updated_at``), in their order.

        Kept ones where still that version; the others made from the rows ``read`` returns for
        their ids, which it reads with the caller's conditions again: one it no longer returns
        (who left the pool meanwhile, say) is left out.
        """
        kept = {stamp["id"]: self.kept(stamp) for stamp in stamps}
        missing = [participant_id for participant_id, person in kept.items() if person is None]
        if missing:
            for row in await read(missing):
                if row["id"] in kept:
                    kept[row["id"]] = self.person(row)
        return [person for person in kept.values() if person is not None]

    def many(self, rows: list[dict[str, Any]]) -> dict[int, matching.Person]:
        """The records of ``rows`` by participant id, in the rows' order."""
        return {row["id"]: self.person(row) for row in rows}

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.hits = self.misses = 0


def as_employer_sees(row: Mapping[str, Any]) -> matching.Person:
    """The record with no travel radius: an employer's ranking must not say how far away the person lives."""
    return dataclasses.replace(records.person(row), travel_radius_km=None)


class IndexCache:
    """Person indexes over windows of kept records, the least recently used dropped beyond ``capacity``.

    A candidate list or fit sort asks for the same window again and again (an employer paging
    or re-sorting, a place reopened), and building its index and scoring the opening's skills
    against the window's was most of such a request (40 ms and 60-90 ms at 500 people on the
    scale data; 1 ms with the kept index).

    Correctness: an index is reused only for exactly the same record objects in the same order
    (the :class:`PersonCache` hands out the same object while a row is unchanged, and a new one
    when it changes) and the same text model; the entry holds those records, so their ``id()``
    cannot be reused while it lives. The weights may differ: the index takes the caller's
    scoring. For the event loop: an index is not thread-safe, and pages use these on the loop.
    """

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[tuple[int, ...], tuple[list[matching.Person], matching.PersonIndex]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def index(self, window: list[matching.Person], scoring: matching.Scoring) -> matching.PersonIndex:
        """The index of ``window`` (in its order) scoring with ``scoring``: a kept one, or built and kept."""
        key = (id(scoring.text), *map(id, window))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
        if kept is None:
            index = matching.PersonIndex(window, scoring=scoring)
            with self._lock:
                self.misses += 1
                self._kept[key] = (list(window), index)
                while len(self._kept) > self.capacity:
                    self._kept.popitem(last=False)
            return index
        index = kept[1]
        if index.scoring is not scoring:
            index.scoring = scoring  # the same text model (the key says so): other weights only
        return index

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.hits = self.misses = 0


# One cache per way of making the record.
people = PersonCache(records.person)
employer_view = PersonCache(as_employer_sees)
# Indexes over windows of those records: the case team's candidate lists and the employers' fit sort.
indexes = IndexCache()


def forget() -> None:
    """Drop every kept record and index (tests; a process that wants its memory back)."""
    people.clear()
    employer_view.clear()
    indexes.clear()


also_forget(forget)
