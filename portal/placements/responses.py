"""The counsellor's graduated responses to absence: steps a person decides and records with a reason.

The programme asks for motivation first and milder, graduated responses: the steps are listed from
the mildest, the counsellor chooses one, and the portal never chooses or proposes one by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.tables import AbsenceAlert, AttendanceResponse, Referral
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.organisations.params import is_record_id
from portal.referrals.steps import today

STEPS = {
    "contact": _l("1. Contact the person (a reminder, asking what is in the way)"),
    "meeting": _l("2. Conversation with the person and the host"),
    "plan_review": _l("3. Review of the activation plan"),
    "warning": _l("4. Formal warning"),
    "end": _l("5. End the placement"),
}
NOTE_MAX = 2000
SHOWN = 50


async def placements_of(participant_id: int) -> list[dict[str, Any]]:
    """The person's placements that started (under way or ended): a person has a handful."""
    return (
        await Referral.select(
            Referral.id,
            Referral.status,
            Referral.started_on,
            Referral.ended_on,
            Referral.opportunity.title.as_alias("title"),
            Referral.opportunity._.organisation.name.as_alias("host_name"),
        )
        .where((Referral.participant == participant_id) & Referral.started_on.is_not_null())
        .order_by(Referral.id, ascending=False)
        .limit(SHOWN)
    )


def clean(form: Any, placements: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The step, reason, date and placement a form records, and the messages for wrong fields."""
    errors: dict[str, str] = {}
    step = str(form.get("response_step") or "")
    if step not in STEPS:
        errors["response_step"] = _("Choose a step.")
    note = str(form.get("response_note") or "").strip()
    if not note:
        errors["response_note"] = _("Write the reason and what was agreed.")
    elif len(note) > NOTE_MAX or any(ord(ch) < 32 and ch not in "\n\r\t" for ch in note):
        errors["response_note"] = _("Write at most 2,000 characters of plain text.")
    decided_on = today()
    raw = str(form.get("decided_on") or "").strip()
    try:
        decided_on = dt.date.fromisoformat(raw) if raw else decided_on
        if decided_on > today():
            errors["decided_on"] = _("The date cannot be in the future.")
    except ValueError:
        errors["decided_on"] = _("Enter a date as YYYY-MM-DD.")
    referral = str(form.get("response_referral") or "")
    referral_id = int(referral) if is_record_id(referral) else None
    if referral and referral_id not in {p["id"] for p in placements}:
        errors["response_referral"] = _("Choose one of the person's placements, or none.")
    values = {"step": step, "note": note, "decided_on": decided_on, "referral": referral_id}
    return values, errors


async def record(participant_id: int, values: dict[str, Any], user: CurrentUser) -> None:
    """Keep the step; it closes the open absence alerts of its placement (of the whole case without one)."""
    now = utc_now()
    open_alerts = (AbsenceAlert.participant == participant_id) & AbsenceAlert.closed_at.is_null()
    if values["referral"]:
        open_alerts = open_alerts & (AbsenceAlert.referral == values["referral"])
    async with DB.transaction():
        alert = await AbsenceAlert.select(AbsenceAlert.id).where(open_alerts).order_by(AbsenceAlert.id).first()
        await AttendanceResponse.insert(
            AttendanceResponse(
                participant=participant_id,
                referral=values["referral"],
                alert=alert["id"] if alert else None,
                step=values["step"],
                note=values["note"],
                decided_by=user.id,
                decided_on=values["decided_on"],
                recorded_at=now,
            )
        )
        await AbsenceAlert.update({AbsenceAlert.closed_at: now}).where(open_alerts)
