"""Training programmes and events: storing them, listing them a page at a time, and who organises them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.engine import as_utc
from portal.db.piccolo_conf import DB
from portal.db.tables import (
    Organisation,
    TrainingEvent,
    TrainingEventOrganiser,
    TrainingMaterial,
    TrainingProgramme,
)
from portal.pagination import Page, clamp_page

PER_PAGE = 20
# Events that ended this long ago still list among the upcoming ones (a two-day module in progress).
EVENT_FIELDS = (
    "programme",
    "module_number",
    "kind",
    "title",
    "description",
    "topics",
    "language",
    "starts_at",
    "ends_at",
    "online",
    "online_url",
    "place_name",
    "municipality",
    "country",
    "region",
    "latitude",
    "longitude",
    "capacity",
    "registration_deadline",
    "status",
)


class NotFound(Exception):
    pass


@dataclass
class EventFilters:
    kind: str = ""
    country: str = ""
    region: str = ""
    language: str = ""
    past: bool = False


def _stamped(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("starts_at", "ends_at", "registration_deadline", "created_at", "updated_at"):
        if row.get(key) is not None:
            row[key] = as_utc(row[key])
    if "capacity" in row and "places_taken" in row:
        row["places_left"] = max(0, row["capacity"] - row["places_taken"])
    return row


def registration_open(event: dict[str, Any], at: dt.datetime | None = None) -> bool:
    at = at or utc_now()
    if event["status"] != "published" or at >= event["starts_at"]:
        return False
    return event["registration_deadline"] is None or at <= event["registration_deadline"]


async def list_events(filters: EventFilters, page: int, published_only: bool) -> Page:
    """Upcoming events first (soonest first), or past ones (latest first); ordered by an indexed key and id."""
    conditions = []
    moment = utc_now()
    if filters.past:
        conditions.append(TrainingEvent.ends_at < moment)
    else:
        conditions.append(TrainingEvent.ends_at >= moment)
    if published_only:
        conditions.append(TrainingEvent.status == "published")
    for column, value in (
        (TrainingEvent.kind, filters.kind),
        (TrainingEvent.country, filters.country),
        (TrainingEvent.region, filters.region),
        (TrainingEvent.language, filters.language),
    ):
        if value:
            conditions.append(column == value)
    total = await TrainingEvent.count().where(*conditions)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await TrainingEvent.select(
            TrainingEvent.id,
            TrainingEvent.kind,
            TrainingEvent.title,
            TrainingEvent.module_number,
            TrainingEvent.language,
            TrainingEvent.starts_at,
            TrainingEvent.ends_at,
            TrainingEvent.online,
            TrainingEvent.place_name,
            TrainingEvent.municipality,
            TrainingEvent.country,
            TrainingEvent.region,
            TrainingEvent.capacity,
            TrainingEvent.places_taken,
            TrainingEvent.registration_deadline,
            TrainingEvent.status,
        )
        .where(*conditions)
        .order_by(TrainingEvent.starts_at, ascending=not filters.past)
        .order_by(TrainingEvent.id, ascending=not filters.past)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return Page(items=[_stamped(row) for row in rows], total=total, page=page, per_page=PER_PAGE)


async def region_options() -> list[tuple[str, str]]:
    """(country, region) pairs that have events, for the filter: distinct values of an indexed column."""
    rows = (
        await TrainingEvent.select(TrainingEvent.country, TrainingEvent.region)
        .where(TrainingEvent.region != "")
        .distinct()
        .order_by(TrainingEvent.country)
        .order_by(TrainingEvent.region)
        .limit(200)
    )
    return [(row["country"], row["region"]) for row in rows]


async def get_event(event_id: int) -> dict[str, Any]:
    row = (
        await TrainingEvent.select(
            *TrainingEvent.all_columns(),
            TrainingEvent.programme.title.as_alias("programme_title"),
        )
        .where(TrainingEvent.id == event_id)
        .first()
    )
    if row is None:
        raise NotFound(event_id)
    row["organisers"] = await organisers_of(event_id)
    return _stamped(row)


async def organisers_of(event_id: int) -> list[dict[str, Any]]:
    return (
        await TrainingEventOrganiser.select(
            TrainingEventOrganiser.organisation.id.as_alias("id"),
            TrainingEventOrganiser.organisation.name.as_alias("name"),
            TrainingEventOrganiser.organisation.municipality.as_alias("municipality"),
            TrainingEventOrganiser.organisation.country.as_alias("country"),
        )
        .where(TrainingEventOrganiser.event == event_id)
        .order_by(TrainingEventOrganiser.id)
        .limit(50)
    )


def can_manage(user: CurrentUser | None) -> bool:
    return user is not None and user.manages_network


def can_organise(user: CurrentUser | None, event: dict[str, Any]) -> bool:
    """Coordinators and administrators, and members of an organising organisation."""
    if user is None:
        return False
    return user.manages_network or any(org["id"] == user.organisation_id for org in event["organisers"])


def can_see(user: CurrentUser | None, event: dict[str, Any]) -> bool:
    """Published and cancelled events are for everyone; drafts for those who organise them."""
    return event["status"] != "draft" or can_organise(user, event)


async def existing_organisations(ids: list[int]) -> list[int]:
    if not ids:
        return []
    rows = await Organisation.select(Organisation.id).where(Organisation.id.is_in(ids[:50]))
    return [row["id"] for row in rows]


async def create_event(values: dict[str, Any], organiser_ids: list[int], user: CurrentUser) -> int:
    moment = utc_now()
    async with DB.transaction():
        rows = await TrainingEvent.insert(
            TrainingEvent(
                **{key: values[key] for key in EVENT_FIELDS},
                places_taken=0,
                created_by=user.id,
                created_at=moment,
                updated_at=moment,
            )
        )
        event_id = rows[0]["id"]
        await _set_organisers(event_id, organiser_ids)
    return event_id


async def update_event(event_id: int, values: dict[str, Any], organiser_ids: list[int]) -> list[int] | None:
    """Save the form and return the registrations a larger capacity moved up from the waiting list;
    None (nothing saved) when the capacity would fall below the places a concurrent registration took."""
    from portal.training import registration

    changes = {getattr(TrainingEvent, key): values[key] for key in EVENT_FIELDS}
    changes[TrainingEvent.updated_at] = utc_now()
    async with registration.writing_transaction():
        saved = (
            await TrainingEvent.update(changes)
            .where((TrainingEvent.id == event_id) & (TrainingEvent.places_taken <= values["capacity"]))
            .returning(TrainingEvent.id)
        )
        if not saved:
            return None
        await TrainingEventOrganiser.delete().where(TrainingEventOrganiser.event == event_id)
        await _set_organisers(event_id, organiser_ids)
        # More places than before: the waiting list moves up at once.
        promoted = await registration.fill_from_waitlist(event_id)
    return promoted


async def _set_organisers(event_id: int, organiser_ids: list[int]) -> None:
    unique = list(dict.fromkeys(organiser_ids))
    if unique:
        await TrainingEventOrganiser.insert(
            *[TrainingEventOrganiser(event=event_id, organisation=org_id) for org_id in unique]
        )


async def upcoming_for_organisation(org_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Published events the organisation organises that have not ended, soonest first (its public page)."""
    rows = (
        await TrainingEventOrganiser.select(
            TrainingEventOrganiser.event.id.as_alias("id"),
            TrainingEventOrganiser.event.title.as_alias("title"),
            TrainingEventOrganiser.event.kind.as_alias("kind"),
            TrainingEventOrganiser.event.starts_at.as_alias("starts_at"),
            TrainingEventOrganiser.event.municipality.as_alias("municipality"),
            TrainingEventOrganiser.event.online.as_alias("online"),
        )
        .where(
            (TrainingEventOrganiser.organisation == org_id)
            & (TrainingEventOrganiser.event.status == "published")
            & (TrainingEventOrganiser.event.ends_at >= utc_now())
        )
        .order_by(TrainingEventOrganiser.event.starts_at)
        .order_by(TrainingEventOrganiser.event.id)
        .limit(limit)
    )
    return [_stamped(row) for row in rows]


# --- programmes --------------------------------------------------------------------------------


async def programme_choices() -> dict[str, str]:
    rows = (
        await TrainingProgramme.select(TrainingProgramme.id, TrainingProgramme.title)
        .order_by(TrainingProgramme.title)
        .limit(200)
    )
    return {str(row["id"]): row["title"] for row in rows}


async def programme_exists(programme_id: int) -> bool:
    return await TrainingProgramme.exists().where(TrainingProgramme.id == programme_id)


async def get_programme(programme_id: int) -> dict[str, Any]:
    row = await TrainingProgramme.select().where(TrainingProgramme.id == programme_id).first()
    if row is None:
        raise NotFound(programme_id)
    return row


async def programme_events(programme_id: int, published_only: bool) -> list[dict[str, Any]]:
    """The programme's events in module order (a programme has tens of them, not thousands)."""
    query = TrainingEvent.select(
        TrainingEvent.id,
        TrainingEvent.kind,
        TrainingEvent.title,
        TrainingEvent.module_number,
        TrainingEvent.starts_at,
        TrainingEvent.municipality,
        TrainingEvent.online,
        TrainingEvent.status,
    ).where(TrainingEvent.programme == programme_id)
    if published_only:
        query = query.where(TrainingEvent.status != "draft")
    rows = await query.order_by(TrainingEvent.module_number).order_by(TrainingEvent.starts_at).limit(200)
    return [_stamped(row) for row in rows]


async def list_programmes() -> list[dict[str, Any]]:
    return (
        await TrainingProgramme.select(TrainingProgramme.id, TrainingProgramme.title)
        .order_by(TrainingProgramme.title)
        .order_by(TrainingProgramme.id)
        .limit(100)
    )


async def save_programme(values: dict[str, Any], programme_id: int | None = None) -> int:
    if programme_id is None:
        rows = await TrainingProgramme.insert(TrainingProgramme(**values, created_at=utc_now()))
        return rows[0]["id"]
    await TrainingProgramme.update(
        {TrainingProgramme.title: values["title"], TrainingProgramme.description: values["description"]}
    ).where(TrainingProgramme.id == programme_id)
    return programme_id


async def materials_of(event_id: int) -> list[dict[str, Any]]:
    return (
        await TrainingMaterial.select(
            TrainingMaterial.id,
            TrainingMaterial.title,
            TrainingMaterial.url,
            TrainingMaterial.file_name,
            TrainingMaterial.content_type,
            TrainingMaterial.size,
        )
        .where(TrainingMaterial.event == event_id)
        .order_by(TrainingMaterial.id)
        .limit(100)
    )
