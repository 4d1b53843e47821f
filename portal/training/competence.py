"""A staff member's competence record: the modules they completed (with certificates) and the other events they attended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.db.engine import as_utc
from portal.db.tables import PortalUser, TrainingRegistration

# A working life of training fits; a page never reads more than this.
MAX_SHOWN = 200


class NotFound(Exception):
    pass


@dataclass(frozen=True)
class StaffMember:
    """Whose record it is: the account's name and its organisation's name and place."""

    id: int
    display_name: str
    organisation: str
    region: str
    country: str


@dataclass(frozen=True)
class CompetenceRecord:
    """``modules``: attended modules (each with its registration id, for the certificate), newest first;
    ``other``: other events attended (seminars, peer reviews, workshops, conferences); ``capped`` when
    only the latest :data:`MAX_SHOWN` are listed."""

    modules: list[dict[str, Any]]
    other: list[dict[str, Any]]
    capped: bool


async def staff_member(user_id: int) -> StaffMember:
    row = (
        await PortalUser.select(
            PortalUser.id,
            PortalUser.display_name,
            PortalUser.organisation.name.as_alias("organisation"),
            PortalUser.organisation.region.as_alias("region"),
            PortalUser.organisation.country.as_alias("country"),
        )
        .where(PortalUser.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound(user_id)
    return StaffMember(**row)


async def record(user_id: int) -> CompetenceRecord:
    """The events ``user_id`` attended (a place not cancelled), newest first."""
    rows = (
        await TrainingRegistration.select(
            TrainingRegistration.id.as_alias("registration_id"),
            TrainingRegistration.event.id.as_alias("event_id"),
            TrainingRegistration.event.kind.as_alias("kind"),
            TrainingRegistration.event.title.as_alias("title"),
            TrainingRegistration.event.module_number.as_alias("module_number"),
            TrainingRegistration.event._.programme.title.as_alias("programme"),
            TrainingRegistration.event.starts_at.as_alias("starts_at"),
            TrainingRegistration.event.municipality.as_alias("municipality"),
            TrainingRegistration.event.online.as_alias("online"),
        )
        .where(
            (TrainingRegistration.user == user_id)
            & TrainingRegistration.attended.eq(True)
            & (TrainingRegistration.status != "cancelled")
        )
        .order_by(TrainingRegistration.event.starts_at, ascending=False)
        .order_by(TrainingRegistration.id, ascending=False)
        .limit(MAX_SHOWN)
    )
    for row in rows:
        row["starts_at"] = as_utc(row["starts_at"])
    return CompetenceRecord(
        modules=[row for row in rows if row["kind"] == "module"],
        other=[row for row in rows if row["kind"] != "module"],
        capped=len(rows) == MAX_SHOWN,
    )
