"""The write services behind the introduction forms: each checks, changes and audits the person's record in one call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.employers import introductions, pool
from portal.employers.view import CandidateProfile, candidate_view, introduction_for
from portal.i18n import gettext as _
from portal.organisations.params import is_record_id


def messages() -> dict[str, str]:
    """What a refused request says, by :class:`introductions.Refused` code (also the ``?notice=`` of an introduction)."""
    return {
        "message": _("Please write a message for the counsellor."),
        "too_long": _("Please keep it under 2,000 characters."),
        "opportunity": _("Choose one of your own opportunities, or none."),
        "pending": _("You already asked to meet this candidate; the counsellor has not answered yet."),
        "reason": _("Please give a reason when you decline."),
        "not_allowed": _("This step is not possible from the introduction's current status."),
        "no_consent": _(
            "The person's consent to be shown to employers is no longer in force, so this can only be declined."
        ),
        "changed": _("Someone answered this request a moment ago; see its status now."),
    }


@dataclass(frozen=True)
class Asked:
    """An employer's request to meet: the introduction made, else the profile again with the error (422).

    Neither: the pseudonym is not (or no longer) in the employer's pool, a 404."""

    introduction_id: int | None = None
    profile: CandidateProfile | None = None


async def ask(user: CurrentUser, address: str, pseudonym: str, data: Mapping[str, Any]) -> Asked:
    """Ask to meet the candidate behind ``pseudonym``; audited as a write to the person's record."""
    participant_id = await pool.resolve(user.organisation_id, pseudonym)
    if participant_id is None:
        return Asked()
    form = {"message": str(data.get("message") or ""), "opportunity_id": str(data.get("opportunity_id") or "")}
    chosen = form["opportunity_id"]
    if chosen and not is_record_id(chosen):
        return Asked(profile=await candidate_view(user, address, pseudonym, form, messages()["opportunity"], 422))
    try:
        introduction_id = await introductions.request(
            user, participant_id, form["message"], int(chosen) if chosen else None
        )
    except introductions.Refused as refused:
        return Asked(profile=await candidate_view(user, address, pseudonym, form, messages()[refused.code], 422))
    except introductions.NotFound:  # left the pool since the profile was shown
        return Asked()
    await audit.record(user, address, "create", "participant", participant_id, f"introduction {introduction_id}")
    return Asked(introduction_id)


@dataclass(frozen=True)
class Step:
    """A step on an introduction: not ``found`` (absent, not the user's, or the other side's step: a 404), or the
    notice to show on the introduction's page (empty: done)."""

    found: bool = True
    notice: str = ""


async def answer(user: CurrentUser, address: str, introduction_id: int, data: Mapping[str, Any]) -> Step:
    """The lead counsellor accepts or declines; audited as a share when the contact details go to the employer."""
    found = await introduction_for(user, introduction_id)
    if found is None or found[1] != "counsellor":
        return Step(found=False)
    introduction = found[0]
    decision = str(data.get("decision") or "")
    if decision not in ("accept", "decline"):
        return Step(notice="not_allowed")
    try:
        await introductions.answer(introduction_id, user, decision == "accept", str(data.get("reason") or ""))
    except introductions.Refused as refused:
        return Step(notice=refused.code)
    shared = (await introductions.get(introduction_id))["contact_shared"]
    await audit.record(
        user,
        address,
        "share" if shared else "update",
        "participant",
        introduction["participant"],
        f"introduction {introduction_id} {decision}ed" + (" with contact details" if shared else ""),
    )
    return Step()


async def withdraw(user: CurrentUser, address: str, introduction_id: int) -> Step:
    """The employer withdraws its request; audited."""
    found = await introduction_for(user, introduction_id)
    if found is None or found[1] != "employer":
        return Step(found=False)
    introduction = found[0]
    try:
        await introductions.withdraw(introduction_id, user)
    except introductions.Refused as refused:
        return Step(notice=refused.code)
    await audit.record(
        user, address, "update", "participant", introduction["participant"], f"introduction {introduction_id} withdrawn"
    )
    return Step()
