"""Placement pages: the host's weekly attendance list and forms, naming a mentor, the counsellor's response steps."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.auth.guards import login_required, roles_allowed, signed_in_user
from portal.auth.roles import EMPLOYER, ENTERPRISE
from portal.cases import services as cases
from portal.cases.view import case_view
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.placements import attendance, mentors, responses, team_mentors
from portal.referrals import services as referrals
from portal.referrals import view as referral_view
from portal.referrals.steps import today
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

HOST_ROLES = (ENTERPRISE, EMPLOYER)


def _referral_page(request: Request, page: referral_view.ReferralView) -> Template:
    """The referral page again with its refused mentor form (the referral's block for htmx)."""
    context = page.template_context()
    return render(request, "referrals/detail.html", context, block="referral_block", status_code=page.status_code)


def _week(text: str) -> dt.date:
    """The Monday of the week asked for; this week when the text is no date or lies in the future."""
    this_week = attendance.monday(today())
    try:
        week = attendance.monday(dt.date.fromisoformat(text)) if text else this_week
    except ValueError:
        return this_week
    return min(week, this_week)


async def _attendance_page(
    request: Request,
    week: dt.date,
    page: int = 1,
    saved: int | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
    row_form: dict[int, Any] | None = None,
) -> Template:
    user = signed_in_user(request)
    result = await attendance.host_placements(user, week, page)
    this_week = attendance.monday(today())
    context = {
        "result": result,
        "week": week,
        "previous_week": week - dt.timedelta(weeks=1),
        "next_week": week + dt.timedelta(weeks=1) if week < this_week else None,
        "statuses": attendance.STATUSES,
        "saved": saved,
        "row_errors": row_errors or {},
        "row_form": row_form or {},
    }
    return render(request, "placements/attendance.html", context, status_code=422 if row_errors else 200)


class AttendancePages(Controller):
    path = "/attendance"
    include_in_schema = False
    guards = [login_required, roles_allowed(*HOST_ROLES)]

    @get("/", name="attendance:list")
    async def week_list(
        self, request: Request, week: Filter = "", page: PageNumber = 1, saved: Filter = ""
    ) -> Template:
        """The host's placements under way with one small form each for the week: a dozen take a minute."""
        return await _attendance_page(request, _week(week), page, int(saved) if saved.isdigit() else None)


async def _host_placement(user: CurrentUser, referral_id: int, statuses: tuple[str, ...]) -> dict[str, Any]:
    """The referral when the user is on its host side and it is in one of ``statuses``; else refused.

    The case team may read the placement but not record for the host (403); anyone else finds nothing (404)."""
    row = await attendance.placement(referral_id)
    if row is None:
        raise NotFoundException()
    is_host = user.role in HOST_ROLES and user.organisation_id == row["host_id"] and row["status"] != "proposed"
    if not is_host:
        if await cases.access_for(user, row["participant"]) is not None:
            raise PermissionDeniedException("only the host records this")
        raise NotFoundException()
    if row["status"] not in statuses:
        raise PermissionDeniedException("not possible in the referral's status")
    return row


class PlacementRecordPages(Controller):
    path = "/referrals/{referral_id:int}"
    include_in_schema = False
    guards = [login_required]

    @post("/attendance", status_code=303)
    async def record_attendance(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        user = signed_in_user(request)
        row = await _host_placement(user, referral_id, ("started",))
        form = await request.form()
        entry, errors = attendance.clean(form, row["started_on"])
        if not errors:
            await attendance.record(row, entry, user)
            await audit.record(
                user,
                client_address(request),
                "update",
                "participant",
                row["participant"],
                f"attendance referral {referral_id} week {entry.week.isoformat()} {entry.status}",
            )
        if is_partial_request(request):
            item = {
                "id": referral_id,
                "code": await referrals.name_for_host(user.role, user.organisation_id, row["participant"], row["code"]),
                "title": row["title"],
                "recorded": None if errors else {"status": entry.status, "note": entry.note},
                "recordable": True,
            }
            context = {
                "p": item,
                "week": entry.week,
                "statuses": attendance.STATUSES,
                "saved": None if errors else referral_id,
                "row_errors": {referral_id: errors} if errors else {},
                "row_form": {referral_id: dict(form)},
            }
            status = 422 if errors else 200
            return render(request, "placements/attendance.html", context, block="attendance_row", status_code=status)
        if errors:
            return await _attendance_page(
                request,
                min(entry.week, attendance.monday(today())),
                row_errors={referral_id: errors},
                row_form={referral_id: dict(form)},
            )
        query = urlencode({"week": entry.week.isoformat(), "saved": referral_id})
        return Redirect(path=f"/attendance?{query}#placement-{referral_id}", status_code=303)

    @post("/mentor", status_code=303)
    async def name_mentor(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        user = signed_in_user(request)
        row = await _host_placement(user, referral_id, mentors.NAMED_WHILE)
        choices = await mentors.colleagues(user.organisation_id)
        values, errors = mentors.clean(await request.form(), choices)
        if errors:
            page = await referral_view.referral_view_by_id(
                user,
                client_address(request),
                referral_id,
                "host",
                errors=errors,
                mentor_form=dict(await request.form()),
            )
            return _referral_page(request, page)
        await mentors.name(referral_id, values, user)
        await audit.record(
            user, client_address(request), "update", "participant", row["participant"], f"referral {referral_id} mentor"
        )
        return Redirect(path=f"/referrals/{referral_id}?notice=mentor_named#mentor", status_code=303)

    @post("/team-mentor", status_code=303)
    async def name_team_mentor(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """The case team names one of its own as the mentor; the host names theirs at /mentor."""
        user = signed_in_user(request)
        row = await attendance.placement(referral_id)
        if row is None:
            raise NotFoundException()
        access = await cases.access_for(user, row["participant"])
        if access is None:
            is_host = user.role in HOST_ROLES and user.organisation_id == row["host_id"] and row["status"] != "proposed"
            if is_host:
                raise PermissionDeniedException("the host names its mentor at /mentor")
            raise NotFoundException()
        if access.pseudonymised or row["status"] not in mentors.NAMED_WHILE:
            raise PermissionDeniedException("not possible in the referral's status")
        form = await request.form()
        values, errors = team_mentors.clean(form, await team_mentors.team(row["participant"]))
        if errors:
            page = await referral_view.referral_view_by_id(
                user, client_address(request), referral_id, "counsellor", errors=errors, mentor_form=dict(form)
            )
            return _referral_page(request, page)
        await mentors.name(referral_id, values, user)
        await audit.record(
            user,
            client_address(request),
            "update",
            "participant",
            row["participant"],
            f"referral {referral_id} case-team mentor",
        )
        return Redirect(path=f"/referrals/{referral_id}?notice=mentor_named#mentor", status_code=303)


class CaseResponsePages(Controller):
    path = "/cases/{participant_id:int}/responses"
    include_in_schema = False
    guards = [login_required]

    @post("/", status_code=303)
    async def record_response(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        """One step of the graduated response, decided and written by someone on the case team."""
        user = signed_in_user(request)
        access = await cases.access_for(user, participant_id)
        if access is None:
            raise NotFoundException()
        if access.pseudonymised:
            raise PermissionDeniedException("This case was pseudonymised: it can no longer be changed.")
        form = await request.form()
        values, errors = responses.clean(form, await responses.placements_of(participant_id))
        if errors:
            view = await case_view(
                user, client_address(request), participant_id, access=access, errors=errors, form=dict(form)
            )
            if view is None:
                raise NotFoundException()
            return render(request, "cases/detail.html", view.template_context(), status_code=view.status_code)
        await responses.record(participant_id, values, user)
        await audit.record(
            user, client_address(request), "update", "participant", participant_id, f"response step {values['step']}"
        )
        return Redirect(path=f"/cases/{participant_id}#attendance", status_code=303)
