"""The host's attendance form for one placement and week in one call: access, check, the write and its audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.placements import attendance
from portal.placements.access import host_placement
from portal.placements.attendance_view import WeekView, week_view
from portal.referrals import services as referrals
from portal.referrals.steps import today


@dataclass(frozen=True)
class RowView:
    """One placement's row of the attendance list (its ``attendance_row`` block), saved or with what was wrong."""

    item: dict[str, Any]
    week: dt.date
    saved: int | None
    row_errors: dict[int, dict[str, str]]
    row_form: dict[int, Any]

    @property
    def status_code(self) -> int:
        return 422 if self.row_errors else 200

    def template_context(self) -> dict[str, Any]:
        return {
            "p": self.item,
            "week": self.week,
            "statuses": attendance.STATUSES,
            "saved": self.saved,
            "row_errors": self.row_errors,
            "row_form": self.row_form,
        }


@dataclass(frozen=True)
class Recorded:
    """After the form: the row for htmx (``row``), the week's page again when refused (``page``), or a redirect."""

    redirect: str = ""
    page: WeekView | None = None
    row: RowView | None = None


async def record_attendance(
    user: CurrentUser, address: str, referral_id: int, form: Mapping[str, Any], in_place: bool
) -> Recorded:
    """Record one week of a started placement for its host; raises as
    :func:`portal.placements.access.host_placement`. ``in_place``: htmx wants the placement's row back."""
    row = await host_placement(user, referral_id, ("started",))
    entry, errors = attendance.clean(form, row["started_on"])
    if not errors:
        await attendance.record(row, entry, user)
        await audit.record(
            user,
            address,
            "update",
            "participant",
            row["participant"],
            f"attendance referral {referral_id} week {entry.week.isoformat()} {entry.status}",
        )
    if in_place:
        item = {
            "id": referral_id,
            "code": await referrals.name_for_host(user.role, user.organisation_id, row["participant"], row["code"]),
            "title": row["title"],
            "recorded": None if errors else {"status": entry.status, "note": entry.note},
            "recordable": True,
        }
        row_view = RowView(
            item,
            entry.week,
            None if errors else referral_id,
            {referral_id: errors} if errors else {},
            {referral_id: dict(form)},
        )
        return Recorded(row=row_view)
    if errors:
        week = min(entry.week, attendance.monday(today()))
        page = await week_view(user, week, row_errors={referral_id: errors}, row_form={referral_id: dict(form)})
        return Recorded(page=page)
    query = urlencode({"week": entry.week.isoformat(), "saved": referral_id})
    return Recorded(f"/attendance?{query}#placement-{referral_id}")
