"""The small form behind each referral step: its note or reason and, for a start or an end, the date it happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from portal.i18n import gettext as _
from portal.i18n.formatting import format_date
from portal.referrals import flow

# The day is the programme's (Slovenia and Croatia share one time zone), not the server's UTC day.
LOCAL = ZoneInfo("Europe/Ljubljana")
# A host records a start after the fact, but not weeks later: beyond this the counsellor should
# hear why, and attendance would be recorded for days nobody checked.
START_BACKDATE_DAYS = 14
STARTS = frozenset({"started"})
ENDS = frozenset({"completed", "dropped_out"})
NOTE_MAX = 2000


def today() -> dt.date:
    return dt.datetime.now(LOCAL).date()


def date_field(to: str) -> str:
    """The form field holding the step's date, or '' when the step has none."""
    return "started_on" if to in STARTS else "ended_on" if to in ENDS else ""


def date_hint(to: str, started_on: dt.date | None) -> str:
    if to in STARTS:
        return _("Today or up to %(days)s days back, never in the future.") % {"days": START_BACKDATE_DAYS}
    if to in ENDS and started_on:
        return _("Between the start (%(start)s) and today.") % {"start": format_date(started_on)}
    if to in ENDS:
        return _("Today or earlier.")
    return ""


@dataclass(frozen=True)
class StepInput:
    to: str
    reason: str = ""
    note: str = ""
    happened_on: dt.date | None = None


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()[:NOTE_MAX]


def clean_step(form: Any, started_on: dt.date | None) -> tuple[StepInput, dict[str, str]]:
    """The step a form asks for and the messages for its fields; nothing changes while any message stands.

    A missing date means today (the form pre-fills it); a date the reader typed is checked against
    the limits the hint states.
    """
    to = _text(form, "to")
    errors: dict[str, str] = {}
    reason = _text(form, "reason")
    if to in flow.NEEDS_REASON and not reason:
        errors["reason"] = _("Please give a reason.")
    field = date_field(to)
    happened_on = None
    if field:
        raw = _text(form, field)
        now = today()
        try:
            happened_on = dt.date.fromisoformat(raw) if raw else now
        except ValueError:
            errors[field] = _("Enter a date as YYYY-MM-DD.")
        if happened_on and happened_on > now:
            errors[field] = _("The date cannot be in the future.")
        elif happened_on and to in STARTS and happened_on < now - dt.timedelta(days=START_BACKDATE_DAYS):
            errors[field] = _("A start can be backdated by at most %(days)s days.") % {"days": START_BACKDATE_DAYS}
        elif happened_on and to in ENDS and started_on and happened_on < started_on:
            errors[field] = _("The end cannot be before the start (%(start)s).") % {"start": format_date(started_on)}
    return StepInput(to=to, reason=reason, note=_text(form, "note"), happened_on=happened_on), errors
