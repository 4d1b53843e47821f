"""Placement pages: the host's weekly attendance list and forms, naming a mentor, the counsellor's response steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import TypeVar

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.guards import login_required, roles_allowed, signed_in_user
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.placements import attendance, attendance_form, mentor_forms, response_form
from portal.placements.access import HOST_ROLES
from portal.placements.attendance_view import WeekView, week_view
from portal.referrals import view as referral_view
from portal.referrals.steps import today
from portal.service_errors import NotFound, Refused
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

T = TypeVar("T")


def _referral_page(request: Request, page: referral_view.ReferralView) -> Template:
    """The referral page again with its refused mentor form (the referral's block for htmx)."""
    context = page.template_context()
    return render(request, "referrals/detail.html", context, block="referral_block", status_code=page.status_code)


# Why a placement form is refused (portal.placements.access), as the 403 says it.
_REFUSALS = {
    "not_host": "only the host records this",
    "status": "not possible in the referral's status",
    "host": "the host names its mentor at /mentor",
    "pseudonymised": "This case was pseudonymised: it can no longer be changed.",
}


async def _allowed(call: Awaitable[T]) -> T:
    """404 for what the caller may not know of, 403 with the reason for what they may not do."""
    try:
        return await call
    except NotFound as exc:
        raise NotFoundException() from exc
    except Refused as exc:
        raise PermissionDeniedException(_REFUSALS[exc.code]) from exc


def _week(text: str) -> dt.date:
    """The Monday of the week asked for; this week when the text is no date or lies in the future."""
    this_week = attendance.monday(today())
    try:
        week = attendance.monday(dt.date.fromisoformat(text)) if text else this_week
    except ValueError:
        return this_week
    return min(week, this_week)


def _attendance_page(request: Request, view: WeekView) -> Template:
    return render(request, "placements/attendance.html", view.template_context(), status_code=view.status_code)


class AttendancePages(Controller):
    path = "/attendance"
    include_in_schema = False
    guards = [login_required, roles_allowed(*HOST_ROLES)]

    @get("/", name="attendance:list")
    async def week_list(
        self, request: Request, week: Filter = "", page: PageNumber = 1, saved: Filter = ""
    ) -> Template:
        """The host's placements under way with one small form each for the week: a dozen take a minute."""
        view = await week_view(signed_in_user(request), _week(week), page, int(saved) if saved.isdigit() else None)
        return _attendance_page(request, view)


class PlacementRecordPages(Controller):
    path = "/referrals/{referral_id:int}"
    include_in_schema = False
    guards = [login_required]

    @post("/attendance", status_code=303)
    async def record_attendance(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        form = await request.form()
        done = await _allowed(
            attendance_form.record_attendance(
                signed_in_user(request), client_address(request), referral_id, form, is_partial_request(request)
            )
        )
        if done.row is not None:
            context = done.row.template_context()
            return render(
                request, "placements/attendance.html", context, block="attendance_row", status_code=done.row.status_code
            )
        if done.page is not None:
            return _attendance_page(request, done.page)
        return Redirect(path=done.redirect, status_code=303)

    @post("/mentor", status_code=303)
    async def name_mentor(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        form = await request.form()
        done = await _allowed(
            mentor_forms.name_mentor(signed_in_user(request), client_address(request), referral_id, form)
        )
        if done.page is not None:
            return _referral_page(request, done.page)
        return Redirect(path=done.redirect, status_code=303)

    @post("/team-mentor", status_code=303)
    async def name_team_mentor(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """The case team names one of its own as the mentor; the host names theirs at /mentor."""
        form = await request.form()
        done = await _allowed(
            mentor_forms.name_team_mentor(signed_in_user(request), client_address(request), referral_id, form)
        )
        if done.page is not None:
            return _referral_page(request, done.page)
        return Redirect(path=done.redirect, status_code=303)


class CaseResponsePages(Controller):
    path = "/cases/{participant_id:int}/responses"
    include_in_schema = False
    guards = [login_required]

    @post("/", status_code=303)
    async def record_response(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        """One step of the graduated response, decided and written by someone on the case team."""
        form = await request.form()
        done = await _allowed(
            response_form.record_response(signed_in_user(request), client_address(request), participant_id, form)
        )
        if done.page is not None:
            page = done.page
            return render(request, "cases/detail.html", page.template_context(), status_code=page.status_code)
        return Redirect(path=done.redirect, status_code=303)
