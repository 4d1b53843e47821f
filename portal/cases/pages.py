"""Case-file pages for counsellors: caseload, new case, the case file and its parts."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.auth.guards import login_required, roles_allowed, signed_in_user
from portal.auth.roles import COUNSELLOR, ENTERPRISE
from portal.cases import forms, profile_forms, services
from portal.cases.services import CaseAccess
from portal.cases.view import (
    CaseView,
    case_view,
    caseload_view,
    changeable_case,
    opportunity_choice_view,
    profile_form_view,
    profiling_view,
    team_choices_view,
    vocabularies,
)
from portal.i18n import gettext as _
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.service_errors import NotFound, Refused
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

MemberId = RecordId
T = TypeVar("T")


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for many in ("languages", "interests", "support_needs"):
        data[many] = form.getall(many) if many in form else []
    return data


async def _changeable(view: Awaitable[T]) -> T:
    """What a view of a case that may be changed gives (portal.cases.view.changeable_case): 404 when the caller
    is not on the case (whether a case exists is itself personal), 403 for a non-lead where only the lead may
    act, and once the case was pseudonymised."""
    try:
        return await view
    except NotFound as exc:
        raise NotFoundException() from exc
    except Refused as exc:
        if exc.code == "not_lead":
            raise PermissionDeniedException("only the lead counsellor may do this") from exc
        raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be changed.")) from exc


async def _access(request: Request, participant_id: int, lead_only: bool = False) -> CaseAccess:
    """The caller's standing on a case they are about to change, or 404 / 403 as :func:`_changeable`."""
    return await _changeable(changeable_case(signed_in_user(request), participant_id, lead_only=lead_only))


def _answer(request: Request, done: forms.Outcome[CaseView]) -> Redirect | Template:
    """After a form on the case page: on to where the write leads, or the page again with what was wrong (422)."""
    if done.page is None:
        return Redirect(path=done.redirect, status_code=303)
    return render(request, "cases/detail.html", done.page.template_context(), status_code=done.page.status_code)


class CasePages(Controller):
    path = "/cases"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="cases:list", guards=[roles_allowed(COUNSELLOR, ENTERPRISE)])
    async def caseload(
        self,
        request: Request,
        q: Filter = "",
        stage: Filter = "",
        support_level: Filter = "",
        region: Filter = "",
        overdue: Annotated[bool, QueryParameter()] = False,
        page: PageNumber = 1,
    ) -> Template:
        filters = services.CaseloadFilters(
            q=q, stage=stage, support_level=support_level, region=region, overdue=overdue
        )
        result = await caseload_view(signed_in_user(request), client_address(request), filters, page)
        return render(
            request, "cases/list.html", {"filters": filters, "result": result, **vocabularies()}, block="results"
        )

    @get("/new", name="cases:new", guards=[roles_allowed(COUNSELLOR)])
    async def new_form(self, request: Request) -> Template:
        return render(
            request,
            "cases/form.html",
            {"form": {"hours_per_week": 20, "travel_km": 20}, "errors": {}, "duplicates": [], **vocabularies()},
        )

    @post("/new", guards=[roles_allowed(COUNSELLOR)], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        done = await profile_forms.create(signed_in_user(request), client_address(request), await _form(request))
        if done.page is not None:
            return render(request, "cases/form.html", done.page.template_context(), status_code=done.page.status_code)
        return Redirect(path=done.redirect, status_code=303)

    @get("/{participant_id:int}", name="cases:detail")
    async def detail(
        self,
        request: Request,
        participant_id: RecordId,
        notice: Filter = "",
        opportunity_q: Filter = "",
        team_q: Filter = "",
        referral: Filter = "",
    ) -> Template:
        view = await case_view(
            signed_in_user(request),
            client_address(request),
            participant_id,
            notice=notice,
            opportunity_q=opportunity_q,
            team_q=team_q,
            referral=referral,
        )
        if view is None:
            raise NotFoundException()  # whether a case exists is itself personal
        template = "privacy/pseudonymised_case.html" if view.pseudonymised else "cases/detail.html"
        return render(request, template, view.template_context())

    @get("/{participant_id:int}/team-choices", name="cases:team_choices")
    async def team_choices(
        self, request: Request, participant_id: RecordId, team_q: Filter = ""
    ) -> Template | Redirect:
        """The team form's list of people for a search, as the case page's fragment (the lead's only)."""
        if not is_partial_request(request):
            await _access(request, participant_id, lead_only=True)
            return Redirect(path=f"/cases/{participant_id}?{urlencode({'team_q': team_q})}#team", status_code=303)
        view = await _changeable(team_choices_view(signed_in_user(request), participant_id, team_q))
        return render(request, "cases/detail.html", view.template_context(), block="team_choices")

    @get("/{participant_id:int}/opportunity-choices", name="cases:opportunity_choices")
    async def opportunity_choices(
        self, request: Request, participant_id: RecordId, opportunity_q: Filter = "", region: Filter = ""
    ) -> Template:
        """Places to refer the person to, ranked by fit, with the hard constraints each breaks
        (portal.referrals.guidance): a page of its own, or its list for htmx on the case page.

        Ranking reads the person's profile (skills, place, languages, support needs), so each
        search is audited.
        """
        view = await _changeable(
            opportunity_choice_view(
                signed_in_user(request), client_address(request), participant_id, opportunity_q, region
            )
        )
        return render(request, "referrals/choose.html", view.template_context(), block="opportunity_choices")

    @get("/{participant_id:int}/edit", name="cases:edit")
    async def edit_form(self, request: Request, participant_id: RecordId) -> Template:
        view = await _changeable(profile_form_view(signed_in_user(request), client_address(request), participant_id))
        return render(request, "cases/form.html", view.template_context())

    @post("/{participant_id:int}/edit", status_code=303)
    async def update(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        data = await _form(request)
        done = await _changeable(
            profile_forms.update(signed_in_user(request), client_address(request), participant_id, data)
        )
        if done.page is not None:
            return render(request, "cases/form.html", done.page.template_context(), status_code=done.page.status_code)
        return Redirect(path=done.redirect, status_code=303)

    @post("/{participant_id:int}/stage", status_code=303)
    async def change_stage(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        return _answer(
            request,
            await _changeable(
                forms.change_stage(signed_in_user(request), client_address(request), participant_id, form)
            ),
        )

    @post("/{participant_id:int}/consents", status_code=303)
    async def record_consent(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        return _answer(
            request,
            await _changeable(
                forms.record_consent(signed_in_user(request), client_address(request), participant_id, form)
            ),
        )

    @post("/{participant_id:int}/team", status_code=303)
    async def add_member(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        return _answer(
            request,
            await _changeable(forms.add_member(signed_in_user(request), client_address(request), participant_id, form)),
        )

    @post("/{participant_id:int}/team/{member_id:int}/remove", status_code=303)
    async def remove_member(self, request: Request, participant_id: RecordId, member_id: MemberId) -> Redirect:
        done = await _changeable(
            forms.remove_member(signed_in_user(request), client_address(request), participant_id, member_id)
        )
        return Redirect(path=done.redirect, status_code=303)

    @get("/{participant_id:int}/profiling", name="cases:profiling")
    async def profiling_form(self, request: Request, participant_id: RecordId) -> Template:
        view = await _changeable(profiling_view(signed_in_user(request), client_address(request), participant_id))
        return render(request, "cases/profiling.html", view.template_context())

    @post("/{participant_id:int}/profiling", status_code=303)
    async def save_profiling(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        done = await _changeable(
            profile_forms.save_profiling(signed_in_user(request), client_address(request), participant_id, form)
        )
        if done.page is not None:
            page = done.page
            return render(request, "cases/profiling.html", page.template_context(), status_code=page.status_code)
        return Redirect(path=done.redirect, status_code=303)

    @post("/{participant_id:int}/plan", status_code=303)
    async def add_step(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        return _answer(
            request,
            await _changeable(forms.add_step(signed_in_user(request), client_address(request), participant_id, form)),
        )

    @post("/{participant_id:int}/plan/{step_id:int}/done", status_code=303)
    async def step_done(self, request: Request, participant_id: RecordId, step_id: MemberId) -> Redirect:
        done = await _changeable(
            forms.step_done(signed_in_user(request), client_address(request), participant_id, step_id)
        )
        return Redirect(path=done.redirect, status_code=303)

    @post("/{participant_id:int}/notes", status_code=303)
    async def add_note(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        return _answer(
            request,
            await _changeable(forms.add_note(signed_in_user(request), client_address(request), participant_id, form)),
        )
