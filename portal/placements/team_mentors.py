"""The mentor the case team names for a placement: someone on the case team, and which side each mentor is on."""

from __future__ import annotations

from typing import Any

from portal.cases.services import consents_in_force
from portal.db.tables import CaseTeamMember, Participant, PlacementMentor, PortalUser
from portal.i18n import gettext as _
from portal.organisations.params import is_record_id
from portal.placements import mentors

# A case team is a handful of professionals; the bound keeps the statement small whatever happens.
TEAM_SHOWN = 100
HOST_ROLES = ("enterprise", "employer")


async def team(participant_id: int) -> list[dict[str, Any]]:
    """The lead counsellor and the active team members who may see the case now, to choose from.

    Members of other organisations count only while the person's consent to share with the case
    team is in force, as in portal.cases.services.access_for."""
    case = (
        await Participant.select(Participant.lead_counsellor, Participant.organisation)
        .where(Participant.id == participant_id)
        .first()
    )
    if case is None:
        return []
    members = (
        await CaseTeamMember.select(
            CaseTeamMember.user.id.as_alias("id"),
            CaseTeamMember.user.display_name.as_alias("display_name"),
            CaseTeamMember.user.email.as_alias("email"),
            CaseTeamMember.user.organisation.as_alias("organisation"),
        )
        .where((CaseTeamMember.participant == participant_id) & CaseTeamMember.user._.is_active.eq(True))
        .order_by(CaseTeamMember.id)
        .limit(TEAM_SHOWN)
    )
    consent = (await consents_in_force(participant_id)).get("case_team")
    shared = bool(consent and consent["given"])
    lead = (
        await PortalUser.select(PortalUser.id, PortalUser.display_name, PortalUser.email, PortalUser.organisation)
        .where((PortalUser.id == case["lead_counsellor"]) & PortalUser.is_active.eq(True))
        .first()
    )
    chosen = [lead] if lead else []
    for member in members:
        if member["id"] != case["lead_counsellor"] and (shared or member["organisation"] == case["organisation"]):
            chosen.append(member)
    return [{k: c[k] for k in ("id", "display_name", "email")} for c in chosen]


def clean(form: Any, choices: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Someone from ``choices`` (required) and an optional other contact; messages for what is wrong."""
    errors: dict[str, str] = {}
    chosen = str(form.get("team_mentor_user") or "")
    contact = str(form.get("team_mentor_contact") or "").strip()
    by_id = {c["id"]: c for c in choices}
    user_id = int(chosen) if is_record_id(chosen) else None
    if user_id not in by_id:
        errors["team_mentor_user"] = _("Choose someone from the case team.")
    if len(contact) > mentors.TEXT_MAX or any(ord(ch) < 32 for ch in contact):
        errors["team_mentor_contact"] = _("Write at most %(max)s characters of plain text.") % {"max": mentors.TEXT_MAX}
    if errors:
        return {}, errors
    person = by_id[user_id]
    return {"user": user_id, "name": person["display_name"], "contact": contact or person["email"]}, errors


def side_of(row: dict[str, Any]) -> str:
    """'host' when the mentor was named from the host's side, else 'case_team'.

    Each side names only its own people (a host colleague or a typed name; a case-team user), so
    the side of who named the mentor is the mentor's side."""
    return "host" if row["by_role"] in HOST_ROLES and row["by_organisation"] == row["host_id"] else "case_team"


def with_sides(query: Any) -> Any:
    """``query`` on PlacementMentor with what :func:`side_of` needs."""
    return query.columns(
        PlacementMentor.named_by.role.as_alias("by_role"),
        PlacementMentor.named_by.organisation.as_alias("by_organisation"),
        PlacementMentor.referral._.opportunity.organisation.as_alias("host_id"),
    )
