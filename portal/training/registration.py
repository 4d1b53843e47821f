"""Places at events: registering, the waiting list, cancelling (which moves the list up) and attendance.

A place is taken by one conditional UPDATE of ``places_taken`` (``places_taken < capacity``), in the
same transaction as the registration row, so concurrent registrations never over-book an event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query.functions.aggregate import Max

from portal.clock import utc_now
from portal.db.engine import as_utc
from portal.db.piccolo_conf import DB
from portal.db.tables import PortalUser, TrainingEvent, TrainingRegistration
from portal.pagination import Page, clamp_page
from portal.training.services import registration_open

ATTENDANCE_LIMIT = 1000  # at most the capacity (portal.training.kinds.MAX_CAPACITY) are registered


def writing_transaction() -> Any:
    """A transaction that writes after it reads: on SQLite it takes the write lock at BEGIN (IMMEDIATE),
    so concurrent writers wait their turn (busy timeout) instead of failing when they upgrade a read lock."""
    if isinstance(DB, SQLiteEngine):
        return DB.transaction(transaction_type=TransactionType.immediate)
    return DB.transaction()


class Refused(Exception):
    """Registration refused: ``code`` says why (closed, duplicate, not_found)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Registered:
    """A registration just made: its id, ``registered`` or ``waitlisted``, and the place on the waiting list."""

    id: int
    status: str
    position: int | None


async def _event_for_registration(event_id: int) -> dict[str, Any]:
    event = (
        await TrainingEvent.select(
            TrainingEvent.id,
            TrainingEvent.title,
            TrainingEvent.status,
            TrainingEvent.starts_at,
            TrainingEvent.registration_deadline,
            TrainingEvent.language,
        )
        .where(TrainingEvent.id == event_id)
        .first()
    )
    if event is None:
        raise Refused("not_found")
    event["starts_at"] = as_utc(event["starts_at"])
    if event["registration_deadline"] is not None:
        event["registration_deadline"] = as_utc(event["registration_deadline"])
    if not registration_open(event):
        raise Refused("closed")
    return event


async def _take_place(event_id: int) -> bool:
    taken = (
        await TrainingEvent.update({TrainingEvent.places_taken: TrainingEvent.places_taken + 1})
        .where((TrainingEvent.id == event_id) & (TrainingEvent.places_taken < TrainingEvent.capacity))
        .returning(TrainingEvent.id)
    )
    return bool(taken)


async def _next_position(event_id: int) -> int:
    row = (
        await TrainingRegistration.select(Max(TrainingRegistration.waitlist_position).as_alias("last"))
        .where((TrainingRegistration.event == event_id) & (TrainingRegistration.status == "waitlisted"))
        .first()
    )
    return ((row or {}).get("last") or 0) + 1


async def register(event_id: int, person: dict[str, Any], registered_by: int | None = None) -> Registered:
    """Register ``person`` (user id, or name/e-mail/organisation for external people); a place or the list.

    A staff member already registered or waiting is refused
    ("duplicate"); one who cancelled registers again on the same row.
    """
    event = await _event_for_registration(event_id)
    try:
        return await _register(event_id, event, person, registered_by)
    except Exception as exc:
        # Two requests of one person at the same moment (a double click): the unique index on (event, user)
        # refuses the second, whose transaction (and the place it took) rolled back.
        if type(exc).__name__ in ("UniqueViolationError", "IntegrityError"):
            raise Refused("duplicate") from exc
        raise


async def _register(
    event_id: int, event: dict[str, Any], person: dict[str, Any], registered_by: int | None
) -> Registered:
    user_id = person.get("user")
    moment = utc_now()
    async with writing_transaction():
        existing = None
        if user_id is not None:
            existing = (
                await TrainingRegistration.select(TrainingRegistration.id, TrainingRegistration.status)
                .where((TrainingRegistration.event == event_id) & (TrainingRegistration.user == user_id))
                .first()
            )
        elif person.get("email"):
            duplicate = await TrainingRegistration.exists().where(
                (TrainingRegistration.event == event_id)
                & (TrainingRegistration.email == person["email"])
                & TrainingRegistration.user.is_null()
                & (TrainingRegistration.status != "cancelled")
            )
            if duplicate:
                raise Refused("duplicate")
        if existing and existing["status"] != "cancelled":
            raise Refused("duplicate")
        placed = await _take_place(event_id)
        fields: dict[str, Any] = {
            "status": "registered" if placed else "waitlisted",
            "waitlist_position": None if placed else await _next_position(event_id),
            "registered_at": moment,
            "cancelled_at": None,
            "attended": None,
            "attendance_recorded_at": None,
            "registered_by": registered_by,
        }
        if existing:
            await TrainingRegistration.update(
                {getattr(TrainingRegistration, key): value for key, value in fields.items()}
            ).where(TrainingRegistration.id == existing["id"])
            registration_id = existing["id"]
        else:
            rows = await TrainingRegistration.insert(
                TrainingRegistration(
                    event=event_id,
                    user=user_id,
                    organisation=person.get("organisation"),
                    name=person.get("name", ""),
                    email=person.get("email", ""),
                    organisation_name=person.get("organisation_name", ""),
                    language=person.get("language") or event["language"],
                    consent_at=person.get("consent_at"),
                    **fields,
                )
            )
            registration_id = rows[0]["id"]
    position = await waitlist_position(registration_id) if not placed else None
    return Registered(id=registration_id, status=fields["status"], position=position)


async def staff_person(user_id: int) -> dict[str, Any] | None:
    """What a staff member's registration records: account, organisation, e-mail and language."""
    row = (
        await PortalUser.select(
            PortalUser.id,
            PortalUser.display_name,
            PortalUser.email,
            PortalUser.organisation,
            PortalUser.language,
            PortalUser.is_active,
        )
        .where(PortalUser.id == user_id)
        .first()
    )
    if row is None or not row["is_active"]:
        return None
    return {
        "user": row["id"],
        "organisation": row["organisation"],
        "name": row["display_name"],
        "email": row["email"],
        "language": row["language"] if row["language"] in ("sl", "hr", "en") else "",
    }


async def find_staff(username: str) -> dict[str, Any] | None:
    row = await PortalUser.select(PortalUser.id).where(PortalUser.username == username.strip().lower()).first()
    return await staff_person(row["id"]) if row else None


async def waitlist_position(registration_id: int) -> int | None:
    """1 for the first on the waiting list; None when the registration is not waiting."""
    row = (
        await TrainingRegistration.select(
            TrainingRegistration.event, TrainingRegistration.status, TrainingRegistration.waitlist_position
        )
        .where(TrainingRegistration.id == registration_id)
        .first()
    )
    if row is None or row["status"] != "waitlisted":
        return None
    ahead = await TrainingRegistration.count().where(
        (TrainingRegistration.event == row["event"])
        & (TrainingRegistration.status == "waitlisted")
        & (
            (TrainingRegistration.waitlist_position < row["waitlist_position"])
            | (
                (TrainingRegistration.waitlist_position == row["waitlist_position"])
                & (TrainingRegistration.id < registration_id)
            )
        )
    )
    return ahead + 1


async def cancel(registration_id: int) -> list[int]:
    """Cancel; a freed place goes to the first on the waiting list in the same transaction.

    Returns the ids of the registrations promoted (for their notifications). Raises Refused("not_found")
    when there is nothing to cancel."""
    row = (
        await TrainingRegistration.select(
            TrainingRegistration.event,
            TrainingRegistration.status,
            TrainingRegistration.event.starts_at.as_alias("starts_at"),
        )
        .where(TrainingRegistration.id == registration_id)
        .first()
    )
    if row is None or row["status"] == "cancelled":
        raise Refused("not_found")
    # Once it has begun, a place is used (or a no-show for the attendance list), not freed for the waiting list.
    if as_utc(row["starts_at"]) <= utc_now():
        raise Refused("started")
    async with writing_transaction():
        moved = (
            await TrainingRegistration.update(
                {
                    TrainingRegistration.status: "cancelled",
                    TrainingRegistration.cancelled_at: utc_now(),
                    TrainingRegistration.waitlist_position: None,
                }
            )
            .where((TrainingRegistration.id == registration_id) & (TrainingRegistration.status == row["status"]))
            .returning(TrainingRegistration.id)
        )
        if not moved:
            raise Refused("not_found")
        promoted: list[int] = []
        if row["status"] == "registered":
            await TrainingEvent.update({TrainingEvent.places_taken: TrainingEvent.places_taken - 1}).where(
                (TrainingEvent.id == row["event"]) & (TrainingEvent.places_taken > 0)
            )
            promoted = await fill_from_waitlist(row["event"])
    return promoted


async def fill_from_waitlist(event_id: int) -> list[int]:
    """Give free places to those first on the waiting list; call inside the caller's transaction."""
    promoted: list[int] = []
    while True:
        first = (
            await TrainingRegistration.select(TrainingRegistration.id)
            .where((TrainingRegistration.event == event_id) & (TrainingRegistration.status == "waitlisted"))
            .order_by(TrainingRegistration.waitlist_position)
            .order_by(TrainingRegistration.id)
            .first()
        )
        if first is None or not await _take_place(event_id):
            return promoted
        moved = (
            await TrainingRegistration.update(
                {TrainingRegistration.status: "registered", TrainingRegistration.waitlist_position: None}
            )
            .where((TrainingRegistration.id == first["id"]) & (TrainingRegistration.status == "waitlisted"))
            .returning(TrainingRegistration.id)
        )
        if not moved:
            # Cancelled a moment ago: give the place back and look again.
            await TrainingEvent.update({TrainingEvent.places_taken: TrainingEvent.places_taken - 1}).where(
                TrainingEvent.id == event_id
            )
            continue
        promoted.append(first["id"])


async def get_registration(registration_id: int) -> dict[str, Any] | None:
    return (
        await TrainingRegistration.select(
            TrainingRegistration.id,
            TrainingRegistration.event,
            TrainingRegistration.user,
            TrainingRegistration.status,
            TrainingRegistration.name,
        )
        .where(TrainingRegistration.id == registration_id)
        .first()
    )


async def own_registration(event_id: int, user_id: int) -> dict[str, Any] | None:
    row = (
        await TrainingRegistration.select(
            TrainingRegistration.id, TrainingRegistration.status, TrainingRegistration.attended
        )
        .where((TrainingRegistration.event == event_id) & (TrainingRegistration.user == user_id))
        .first()
    )
    if row and row["status"] == "waitlisted":
        row["position"] = await waitlist_position(row["id"])
    return row


def _person_columns() -> tuple[Any, ...]:
    return (
        TrainingRegistration.id,
        TrainingRegistration.user,
        TrainingRegistration.name,
        TrainingRegistration.email,
        TrainingRegistration.organisation_name,
        TrainingRegistration.status,
        TrainingRegistration.waitlist_position,
        TrainingRegistration.attended,
        TrainingRegistration.registered_at,
        TrainingRegistration.user.display_name.as_alias("user_name"),
        TrainingRegistration.organisation.name.as_alias("org_name"),
    )


def _named(row: dict[str, Any]) -> dict[str, Any]:
    row["person"] = row.get("user_name") or row["name"]
    row["organisation_label"] = row.get("org_name") or row["organisation_name"]
    return row


async def registrations_page(event_id: int, page: int, per_page: int = 50) -> Page:
    """Those registered, then the waiting list in its order, a page at a time (cancellations are counted apart)."""
    condition = (TrainingRegistration.event == event_id) & (TrainingRegistration.status != "cancelled")
    total = await TrainingRegistration.count().where(condition)
    page = clamp_page(page, total, per_page)
    rows = (
        await TrainingRegistration.select(*_person_columns())
        .where(condition)
        # "registered" sorts before "waitlisted"; registered rows have no position, so id orders them.
        .order_by(TrainingRegistration.status)
        .order_by(TrainingRegistration.waitlist_position)
        .order_by(TrainingRegistration.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(items=[_named(row) for row in rows], total=total, page=page, per_page=per_page)


async def cancelled_count(event_id: int) -> int:
    return await TrainingRegistration.count().where(
        (TrainingRegistration.event == event_id) & (TrainingRegistration.status == "cancelled")
    )


async def registered_people(event_id: int) -> list[dict[str, Any]]:
    """Everyone holding a place (at most the capacity), by name: the attendance list and the sign-in sheet."""
    rows = (
        await TrainingRegistration.select(*_person_columns())
        .where((TrainingRegistration.event == event_id) & (TrainingRegistration.status == "registered"))
        .order_by(TrainingRegistration.id)
        .limit(ATTENDANCE_LIMIT)
    )
    people = [_named(row) for row in rows]
    people.sort(key=lambda r: (r["person"].casefold(), r["id"]))
    return people


async def record_attendance(event_id: int, present_ids: set[int]) -> int:
    """Mark every registered person present or absent in one go; returns how many were recorded."""
    moment = utc_now()
    people = await registered_people(event_id)
    present = [p["id"] for p in people if p["id"] in present_ids]
    absent = [p["id"] for p in people if p["id"] not in present_ids]
    async with writing_transaction():
        # Ids come from this event's own registered list (bounded by its capacity), never from the form alone.
        for ids, attended in ((present, True), (absent, False)):
            if ids:
                await TrainingRegistration.update(
                    {TrainingRegistration.attended: attended, TrainingRegistration.attendance_recorded_at: moment}
                ).where((TrainingRegistration.event == event_id) & TrainingRegistration.id.is_in(ids))
    return len(people)


async def feed_events(user_id: int, since: dt.datetime, limit: int = 200) -> list[dict[str, Any]]:
    """The user's events (registered or waiting) from ``since`` on, for their calendar feed."""
    rows = (
        await TrainingRegistration.select(
            TrainingRegistration.status,
            *[getattr(TrainingRegistration.event, name).as_alias(name) for name in _FEED_FIELDS],
        )
        .where(
            (TrainingRegistration.user == user_id)
            & (TrainingRegistration.status != "cancelled")
            & (TrainingRegistration.event.status != "draft")
            & (TrainingRegistration.event.ends_at >= since)
        )
        .order_by(TrainingRegistration.event.starts_at)
        .order_by(TrainingRegistration.id)
        .limit(limit)
    )
    return rows


_FEED_FIELDS = (
    "id",
    "title",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "online",
    "online_url",
    "place_name",
    "municipality",
    "country",
    "latitude",
    "longitude",
    "status",
    "updated_at",
)
