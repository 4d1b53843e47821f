"""The audit log page at scale: its count stops at a bound, as the employers' candidate list does."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.audit import services
from portal.db.tables import AuditEvent
from tests.factories import current_user
from tests.flows import as_user


async def _events(count: int, username: str = "ana") -> None:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    await AuditEvent.insert(
        *[
            AuditEvent(at=at, username=username, action="read", record_type="participant", record_id=i + 1)
            for i in range(count)
        ]
    )


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(services, "COUNT_CAP", 6)
    monkeypatch.setattr(services, "PER_PAGE", 2)


async def test_the_count_stops_at_the_bound_and_so_do_the_pages(client, make_user, small_bounds):
    await as_user(client, make_user, "root", "admin")
    await _events(9)
    page = await client.get("/audit/", params={"username": "ana"})
    assert page.status_code == 200
    assert "More than 6 events: choose a user, action, record or dates to narrow the list." in page.text
    assert "Page 1 of 3" in page.text  # 6 counted, 2 a page
    last = await client.get("/audit/", params={"username": "ana", "page": "9"})
    assert "Page 3 of 3" in last.text and last.text.count("<tr>") == 3  # the heading row and 2 events


async def test_up_to_the_bound_the_count_is_exact(client, make_user, small_bounds):
    await as_user(client, make_user, "root", "admin")
    await _events(6)
    await _events(2, username="bojan")
    exact = await client.get("/audit/", params={"username": "ana"})
    assert "6 events" in exact.text and "More than" not in exact.text and "Page 1 of 3" in exact.text
    result = await services.search(services.AuditFilters(username="bojan"))
    assert (result.total, result.more, result.pages) == (2, False, 1)
    everything = await services.search(services.AuditFilters())  # 8 and the admin's own sign-in, if logged
    assert everything.more and everything.total == 6


async def test_many_reads_are_recorded_one_event_each_in_batches(db, make_user):
    user_id = await make_user("ana", "counsellor")
    user = current_user(user_id, "ana", "counsellor", None)
    before = dt.datetime.now(dt.UTC)
    ids = list(range(1, 1_201))  # more than one statement's worth
    await services.record_many(user, "10.0.0.7", "export", "participant", ids, "caseload download (csv)")
    await services.record_many(None, "10.0.0.8", "read", "user", [], "nothing shown")
    rows = await AuditEvent.select().order_by(AuditEvent.record_id)
    assert [row["record_id"] for row in rows] == ids
    first = rows[0]
    assert (first["user"], first["username"], first["action"], first["record_type"]) == (
        user_id,
        "ana",
        "export",
        "participant",
    )
    assert (first["detail"], first["address"]) == ("caseload download (csv)", "10.0.0.7")
    at = first["at"] if first["at"].tzinfo else first["at"].replace(tzinfo=dt.UTC)
    assert before - dt.timedelta(seconds=1) <= at <= dt.datetime.now(dt.UTC)
    assert all(row["at"] == first["at"] for row in rows)
