"""Writing audit events (insert only) and searching them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.tables import AuditEvent, Participant
from portal.pagination import Page, capped_count, clamp_page

PER_PAGE = 50
# Counting stops here: the log holds a million events, and an exact count of them read every row
# (160 ms) on every visit. More than this many matches show as "more than", the pages stop at
# COUNT_CAP / PER_PAGE, and older events are found by narrowing the filters (dates, user, record).
COUNT_CAP = 10_000


async def record(
    user: CurrentUser | None, address: str, action: str, record_type: str, record_id: int, detail: str = ""
) -> None:
    """Append one event by ``user`` from ``address`` (the client's, ``portal.web.client.client_address``).

    There is no function to change or remove events, by design.
    """
    await record_many(user, address, action, record_type, [record_id], detail)


# Written out: building Piccolo's insert of a list page's 20 events cost about 4 ms of CPU per request.
_INSERT = 'INSERT INTO audit_event (at, "user", username, action, record_type, record_id, detail, address) VALUES '
_ROW = "({}, {}, {}, {}, {}, {}, {}, {})"
# Rows per statement: 8 values each, well under either engine's limit on a statement's values.
_ROWS_AT_ONCE = 500


async def record_many(
    user: CurrentUser | None, address: str, action: str, record_type: str, record_ids: list[int], detail: str = ""
) -> None:
    """Append one event per record in a single statement (a list page showing many people; a download, by 500)."""
    at = utc_now()
    who = (user.id, user.username) if user else (None, "")
    for start in range(0, len(record_ids), _ROWS_AT_ONCE):
        ids = record_ids[start : start + _ROWS_AT_ONCE]
        values = [v for i in ids for v in (at, *who, action, record_type, i, detail[:2000], address[:64])]
        await AuditEvent.raw(_INSERT + ", ".join([_ROW] * len(ids)), *values)


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    action: str = ""
    record_type: str = ""
    record_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class AuditPage(Page):
    more: bool = field(default=False)  # more match than COUNT_CAP: the count and the pages stop there


async def search(filters: AuditFilters, page: int = 1) -> AuditPage:
    conditions = []
    if filters.username:
        conditions.append(AuditEvent.username == filters.username.strip().lower())
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.record_type:
        conditions.append(AuditEvent.record_type == filters.record_type)
    if filters.record_id is not None:
        conditions.append(AuditEvent.record_id == filters.record_id)
    if filters.since:
        conditions.append(AuditEvent.at >= dt.datetime.combine(filters.since, dt.time(), dt.UTC))
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        conditions.append(AuditEvent.at < end)
    rows = AuditEvent.select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.username,
        AuditEvent.action,
        AuditEvent.record_type,
        AuditEvent.record_id,
        AuditEvent.detail,
        AuditEvent.address,
    ).order_by(AuditEvent.id, ascending=False)
    # Counted without a sort, so the planner picks the cheapest index.
    matching = AuditEvent.select(AuditEvent.id)
    if conditions:
        matching, rows = matching.where(*conditions), rows.where(*conditions)
    total, more = await capped_count(matching, COUNT_CAP)
    page = clamp_page(page, total, PER_PAGE)
    items = await rows.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    await _with_case_codes(items)
    return AuditPage(items=items, total=total, page=page, per_page=PER_PAGE, more=more)


async def _with_case_codes(events: list[dict]) -> None:
    """Each event about a participant gets its case code (``code``): one query for the page's rows."""
    ids = sorted({e["record_id"] for e in events if e["record_type"] == "participant"})  # at most PER_PAGE
    codes = {}
    if ids:
        rows = await Participant.select(Participant.id, Participant.code).where(Participant.id.is_in(ids))
        codes = {row["id"]: row["code"] for row in rows}
    for event in events:
        event["code"] = codes.get(event["record_id"], "") if event["record_type"] == "participant" else ""
