"""The referral status loop: which step may follow which, who takes it, and what needs a reason."""

from __future__ import annotations

from portal.i18n import lazy_gettext as _l

STATUSES = {
    "proposed": _l("Proposed"),
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "started": _l("Started"),
    "completed": _l("Completed"),
    "dropped_out": _l("Dropped out"),
    "hired": _l("Hired"),
}

# (from, to) -> the side that takes the step: the referring "counsellor" or the "host" organisation.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("proposed", "sent"): "counsellor",
    ("sent", "accepted"): "host",
    ("sent", "declined"): "host",
    ("accepted", "started"): "host",
    ("started", "completed"): "host",
    ("started", "dropped_out"): "host",
    ("completed", "hired"): "host",
}
NEEDS_REASON = frozenset({"declined", "dropped_out"})
TAKES_PLACE = "accepted"
# Leaving these statuses frees the place an accepted referral held.
RELEASES_PLACE = frozenset({"completed", "dropped_out"})

ACTION_LABELS = {
    "sent": _l("Send to the organisation"),
    "accepted": _l("Accept"),
    "declined": _l("Decline"),
    "started": _l("Record the start"),
    "completed": _l("Record completion"),
    "dropped_out": _l("Record a drop-out"),
    "hired": _l("Record a hire"),
}


def next_steps(status: str, side: str) -> list[str]:
    """The statuses ``side`` may move a referral to from ``status``, in loop order."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who == side]


def is_allowed(status: str, to: str, side: str) -> bool:
    return TRANSITIONS.get((status, to)) == side
