"""What a page says after a referral step: the refusals and confirmations shared by the referral, case and round pages."""

from __future__ import annotations

from typing import Any

from portal.i18n import gettext as _
from portal.i18n.formatting import format_date
from portal.referrals import flow, undo


def refusal_messages() -> dict[str, str]:
    return {
        "full": _("No places are left in this opportunity."),
        "not_open": _("This opportunity is not open for referrals."),
        "duplicate": _("This person already has a live referral to this opportunity."),
        "not_allowed": _("This step is not possible from the referral's current status."),
        "reason": _("Please give a reason."),
        "changed": _("Someone changed this referral a moment ago; see its status now."),
        "undo_nothing": _("There is no step of yours to undo here."),
        "undo_late": _("Too late to undo: the %(minutes)s minutes have passed.")
        % {"minutes": int(undo.WINDOW.total_seconds() // 60)},
        "undo_opened": _("Too late to undo: the organisation has already opened the referral. Write to them instead."),
        "undo_acted": _("Too late to undo: the case team has acted on this placement since. Write to them instead."),
        "mentor_named": _("Mentor saved. The counsellor sees the name and contact."),
    }


def confirmation(code: str, referral: dict[str, Any]) -> str:
    """What the page confirms after a step was taken (``done_<status>``) or undone (``undone``)."""
    status = referral["status"]
    if code == "undone":
        return _("Undone: the referral is back to “%(status)s”.") % {"status": flow.STATUSES[status]}
    if code != f"done_{status}":
        return ""
    if status == "sent":
        return _("Sent to %(host)s.") % {"host": referral["host_name"]}
    if status == "accepted":
        return _("Accepted. The counsellor has been told.")
    if status == "started" and referral.get("started_on"):
        return _("Start recorded for %(date)s.") % {"date": format_date(referral["started_on"])}
    if status in ("completed", "dropped_out") and referral.get("ended_on"):
        return _("%(status)s recorded for %(date)s.") % {
            "status": flow.STATUSES[status],
            "date": format_date(referral["ended_on"]),
        }
    return _("Recorded: %(status)s.") % {"status": flow.STATUSES[status]}
