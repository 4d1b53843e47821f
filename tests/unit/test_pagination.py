"""Counting matching rows up to a cap, on the test database's engine."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.db.tables import AuditEvent
from portal.pagination import capped_count


async def _events(count: int, username: str) -> None:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    await AuditEvent.insert(
        *[
            AuditEvent(at=at, username=username, action="read", record_type="participant", record_id=i + 1)
            for i in range(count)
        ]
    )


@pytest.mark.parametrize(
    ("cap", "expected"),
    [(4, (3, False)), (3, (3, False)), (2, (2, True)), (0, (0, True))],
    ids=["below the cap", "at the cap", "above the cap", "a cap of nothing"],
)
async def test_the_count_is_exact_up_to_the_cap_and_says_when_more_match(db, cap, expected):
    await _events(3, "ana")
    await _events(5, "bojan")  # not matched: only the query's rows are counted
    matching = AuditEvent.select(AuditEvent.id).where(AuditEvent.username == "ana")
    assert await capped_count(matching, cap) == expected


async def test_an_ordered_query_and_one_matching_nothing_count_too(db):
    await _events(3, "ana")
    ordered = AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False)
    assert await capped_count(ordered, 10) == (3, False)
    assert await capped_count(AuditEvent.select(AuditEvent.id).where(AuditEvent.username == "cene"), 10) == (0, False)
