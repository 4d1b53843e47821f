"""Weekly attendance on started placements, recorded by the host; repeated unexcused absence alerts the case team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.tables import AbsenceAlert, AttendanceWeek, Referral
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.notifications.services import notify
from portal.pagination import Page, clamp_page
from portal.referrals import services as referrals
from portal.referrals.steps import today
from portal.settings import get_settings

STATUSES = {"present": _l("Present"), "absent": _l("Absent"), "excused": _l("Excused")}
# How far back a host may record or correct a week: later, the counsellor should hear why.
WEEKS_BACK = 8
PER_PAGE = 25
NOTE_MAX = 500


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def recordable_weeks(started_on: dt.date | None, now: dt.date | None = None) -> list[dt.date]:
    """The Mondays a host may record for a placement started on ``started_on``, newest first."""
    this_week = monday(now or today())
    first = max(monday(started_on) if started_on else this_week, this_week - dt.timedelta(weeks=WEEKS_BACK))
    weeks = []
    week = this_week
    while week >= first:
        weeks.append(week)
        week -= dt.timedelta(weeks=1)
    return weeks


@dataclass(frozen=True)
class Entry:
    week: dt.date
    status: str
    note: str


def clean(form: Any, started_on: dt.date | None) -> tuple[Entry, dict[str, str]]:
    """The week, status and note a form records; field messages when any is wrong (then nothing changes)."""
    errors: dict[str, str] = {}
    raw_week = str(form.get("week") or "").strip()
    week = monday(today())
    try:
        week = dt.date.fromisoformat(raw_week) if raw_week else week
    except ValueError:
        errors["week"] = _("Enter a date as YYYY-MM-DD.")
    week = monday(week)
    if "week" not in errors and week not in recordable_weeks(started_on):
        errors["week"] = _("Choose a week of the placement, at most %(weeks)s weeks back and not in the future.") % {
            "weeks": WEEKS_BACK
        }
    status = str(form.get("status") or "")
    if status not in STATUSES:
        errors["status"] = _("Choose present, absent or excused.")
    note = str(form.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Please keep the note under %(max)s characters.") % {"max": NOTE_MAX}
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in note):
        errors["note"] = _("The note contains characters that cannot be stored.")
    return Entry(week, status, note), errors


async def record(referral: dict[str, Any], entry: Entry, user: CurrentUser) -> bool:
    """Save the week (a second save of a week replaces it); True when this raised an absence alert."""
    now = utc_now()
    # One statement, so two saves of the same week at once (a double click) cannot both insert.
    await AttendanceWeek.insert(
        AttendanceWeek(
            referral=referral["id"],
            week_start=entry.week,
            status=entry.status,
            note=entry.note,
            recorded_by=user.id,
            recorded_at=now,
        )
    ).on_conflict(
        target=(AttendanceWeek.referral, AttendanceWeek.week_start),
        action="DO UPDATE",
        values=[AttendanceWeek.status, AttendanceWeek.note, AttendanceWeek.recorded_by, AttendanceWeek.recorded_at],
    )
    return await _maybe_alert(referral, now)


async def _maybe_alert(referral: dict[str, Any], now: dt.datetime) -> bool:
    """Raise an alert when the latest recorded weeks are the setting's number of unexcused absences in a row.

    One open alert per placement: further absences add to it until a counsellor's response closes it."""
    needed = get_settings().absence_alert_weeks
    latest = (
        await AttendanceWeek.select(AttendanceWeek.week_start, AttendanceWeek.status)
        .where(AttendanceWeek.referral == referral["id"])
        .order_by(AttendanceWeek.week_start, ascending=False)
        .limit(needed)
    )
    in_a_row = len(latest) == needed and all(r["status"] == "absent" for r in latest)
    weekly = all((a["week_start"] - b["week_start"]).days == 7 for a, b in zip(latest, latest[1:], strict=False))
    if not (in_a_row and weekly):
        return False
    if await AbsenceAlert.exists().where((AbsenceAlert.referral == referral["id"]) & AbsenceAlert.closed_at.is_null()):
        return False
    # The partial unique index keeps one open alert per placement: a save racing this one adds nothing.
    raised = (
        await AbsenceAlert.insert(
            AbsenceAlert(
                referral=referral["id"],
                participant=referral["participant"],
                weeks=needed,
                last_week=latest[0]["week_start"],
                raised_at=now,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(AbsenceAlert.id)
    )
    if not raised:
        return False
    row = {"referred_by": referral["referred_by"], "lead": referral["lead"], "pid": referral["participant"]}
    for counsellor in await referrals.counsellors_to_tell(row):
        await notify(
            counsellor,
            "attendance.absent",
            {"code": referral["code"], "weeks": needed},
            f"/cases/{referral['participant']}#attendance",
        )
    return True


async def placement(referral_id: int) -> dict[str, Any] | None:
    """What recording attendance needs of a referral: its status, dates, host, case and counsellors."""
    return (
        await Referral.select(
            Referral.id,
            Referral.status,
            Referral.started_on,
            Referral.participant,
            Referral.referred_by,
            Referral.participant.lead_counsellor.as_alias("lead"),
            Referral.participant.code.as_alias("code"),
            Referral.opportunity.organisation.as_alias("host_id"),
            Referral.opportunity.title.as_alias("title"),
        )
        .where(Referral.id == referral_id)
        .first()
    )


async def host_placements(user: CurrentUser, week: dt.date, page: int = 1) -> Page:
    """The host organisation's placements under way, a page at a time, each with what ``week`` holds."""
    where = (Referral.opportunity.organisation == user.organisation_id) & (Referral.status == "started")
    total = await Referral.count().where(where)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await Referral.select(
            Referral.id,
            Referral.participant,
            Referral.started_on,
            Referral.participant.code.as_alias("code"),
            Referral.opportunity.title.as_alias("title"),
        )
        .where(where)
        .order_by(Referral.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    names = await referrals.names_for_host(user.role, user.organisation_id, {r["participant"]: r["code"] for r in rows})
    # One statement for the page's weeks: the list is bounded by the page size.
    recorded = {
        r["referral"]: r
        for r in await AttendanceWeek.select(AttendanceWeek.referral, AttendanceWeek.status, AttendanceWeek.note).where(
            AttendanceWeek.referral.is_in([r["id"] for r in rows] or [0]) & (AttendanceWeek.week_start == week)
        )
    }
    for r in rows:
        r["code"] = names[r.pop("participant")]
        r["recorded"] = recorded.get(r["id"])
        r["recordable"] = week in recordable_weeks(r["started_on"])
    return Page(items=rows, total=total, page=page, per_page=PER_PAGE)


async def weeks_of(referral_id: int, limit: int = 12) -> list[dict[str, Any]]:
    """A placement's latest recorded weeks, newest first."""
    return (
        await AttendanceWeek.select(
            AttendanceWeek.week_start,
            AttendanceWeek.status,
            AttendanceWeek.note,
            AttendanceWeek.recorded_by.display_name.as_alias("by"),
        )
        .where(AttendanceWeek.referral == referral_id)
        .order_by(AttendanceWeek.week_start, ascending=False)
        .limit(limit)
    )
