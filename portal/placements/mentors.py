"""The mentor a host names for a placement: a colleague with an account, or a name and a contact."""

from __future__ import annotations

from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.tables import PlacementMentor, PortalUser
from portal.i18n import gettext as _
from portal.organisations.params import is_record_id

# Referral statuses in which a host names or changes the mentor.
NAMED_WHILE = ("accepted", "started")
COLLEAGUES_SHOWN = 100
TEXT_MAX = 200


async def colleagues(organisation_id: int) -> list[dict[str, Any]]:
    """Active users of the host organisation to choose from (the first by name: hosts are small)."""
    return (
        await PortalUser.select(PortalUser.id, PortalUser.display_name, PortalUser.email)
        .where((PortalUser.organisation == organisation_id) & PortalUser.is_active.eq(True))
        .order_by(PortalUser.display_name)
        .order_by(PortalUser.id)
        .limit(COLLEAGUES_SHOWN)
    )


def _plain(text: str) -> bool:
    return not any(ord(ch) < 32 for ch in text)


def clean(form: Any, choices: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """A colleague chosen from ``choices``, or a typed name with a contact; messages for what is wrong."""
    errors: dict[str, str] = {}
    chosen = str(form.get("mentor_user") or "")
    name = str(form.get("mentor_name") or "").strip()
    contact = str(form.get("mentor_contact") or "").strip()
    by_id = {c["id"]: c for c in choices}
    user_id = int(chosen) if is_record_id(chosen) else None
    if chosen and user_id not in by_id:
        errors["mentor_user"] = _("Choose a colleague from the list.")
    elif user_id:
        name = name or by_id[user_id]["display_name"]
        contact = contact or by_id[user_id]["email"]
    if not name:
        errors["mentor_name"] = _("Choose a colleague or write the mentor's name.")
    if not contact and not user_id:  # a colleague with an account can be reached through the portal
        errors["mentor_contact"] = _("Give a phone number or e-mail address the counsellor can use.")
    for field, value in (("mentor_name", name), ("mentor_contact", contact)):
        if len(value) > TEXT_MAX or not _plain(value):
            errors[field] = _("Write at most %(max)s characters of plain text.") % {"max": TEXT_MAX}
    return {"user": user_id, "name": name, "contact": contact}, errors


async def name(referral_id: int, values: dict[str, Any], user: CurrentUser) -> None:
    """Name the mentor; the earlier ones stay as the placement's history."""
    await PlacementMentor.insert(
        PlacementMentor(
            referral=referral_id,
            user=values["user"],
            name=values["name"],
            contact=values["contact"],
            named_by=user.id,
            named_at=utc_now(),
        )
    )


async def current(referral_id: int) -> dict[str, Any] | None:
    """The mentor named last, who named them and on which side (portal.placements.team_mentors)."""
    from portal.placements import team_mentors

    query = PlacementMentor.select(
        PlacementMentor.name,
        PlacementMentor.contact,
        PlacementMentor.named_at,
        PlacementMentor.named_by.display_name.as_alias("by"),
    )
    row = await (
        team_mentors.with_sides(query)
        .where(PlacementMentor.referral == referral_id)
        .order_by(PlacementMentor.id, ascending=False)
        .first()
    )
    if row is not None:
        row["side"] = team_mentors.side_of(row)
    return row
