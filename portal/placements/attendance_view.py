"""The host's weekly attendance list in one call: its placements under way and their small forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.pagination import Page
from portal.placements import attendance
from portal.referrals.steps import today


@dataclass(frozen=True)
class WeekView:
    """One week of the host's placements (``placements/attendance.html``), with a refused row form if any."""

    result: Page
    week: dt.date
    saved: int | None = None
    row_errors: dict[int, dict[str, str]] = field(default_factory=dict)
    row_form: dict[int, Any] = field(default_factory=dict)

    @property
    def status_code(self) -> int:
        return 422 if self.row_errors else 200

    def template_context(self) -> dict[str, Any]:
        this_week = attendance.monday(today())
        return {
            "result": self.result,
            "week": self.week,
            "previous_week": self.week - dt.timedelta(weeks=1),
            "next_week": self.week + dt.timedelta(weeks=1) if self.week < this_week else None,
            "statuses": attendance.STATUSES,
            "saved": self.saved,
            "row_errors": self.row_errors,
            "row_form": self.row_form,
        }


async def week_view(
    user: CurrentUser,
    week: dt.date,
    page: int = 1,
    saved: int | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
    row_form: dict[int, Any] | None = None,
) -> WeekView:
    """The host's placements under way for ``week``; codes only, so the list is not audited."""
    result = await attendance.host_placements(user, week, page)
    return WeekView(result, week, saved, row_errors or {}, row_form or {})
