"""Employer pages: the candidate pool, one anonymised profile, and introductions for both sides."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from portal.auth.guards import roles_allowed, signed_in_user
from portal.employers import forms, introductions
from portal.employers.view import (
    CandidateQuery,
    candidate_view,
    candidates_view,
    introduction_view,
)
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.web.client import client_address
from portal.web.templating import render

Pseudonym = Annotated[str, PathParameter(min_length=1, max_length=20)]


class EmployerPages(Controller):
    path = "/employers"
    include_in_schema = False
    guards = [roles_allowed("employer")]

    @get("/candidates", name="employers:candidates")
    async def candidates(
        self,
        request: Request,
        skill: Filter = "",
        region: Filter = "",
        language: Filter = "",
        hours_min: Filter = "",
        hours_max: Filter = "",
        fit: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        query = CandidateQuery(skill, region, language, hours_min, hours_max, fit)
        candidates = await candidates_view(signed_in_user(request), client_address(request), query, page)
        context = candidates.template_context()
        return render(request, "employers/candidates.html", context, block="results")

    @get("/candidates/{pseudonym:str}", name="employers:candidate")
    async def candidate(self, request: Request, pseudonym: Pseudonym) -> Template:
        profile = await candidate_view(signed_in_user(request), client_address(request), pseudonym)
        if profile is None:
            raise NotFoundException()
        return render(request, "employers/candidate.html", profile.template_context(), status_code=profile.status_code)

    @post("/candidates/{pseudonym:str}/introductions", status_code=303)
    async def ask(self, request: Request, pseudonym: Pseudonym) -> Redirect | Template:
        data = await request.form()
        asked = await forms.ask(signed_in_user(request), client_address(request), pseudonym, data)
        if asked.profile is not None:
            context = asked.profile.template_context()
            return render(request, "employers/candidate.html", context, status_code=asked.profile.status_code)
        if asked.introduction_id is None:  # not in the pool, or left it since the profile was shown
            raise NotFoundException()
        return Redirect(path=f"/introductions/{asked.introduction_id}", status_code=303)


class IntroductionPages(Controller):
    path = "/introductions"
    include_in_schema = False
    guards = [roles_allowed("employer", "counsellor")]

    @get("/", name="introductions:list")
    async def list_introductions(self, request: Request, page: PageNumber = 1) -> Template:
        user = signed_in_user(request)
        if user.role == "employer":
            result = await introductions.page_for_employer(user, page)
        else:
            result = await introductions.page_for_counsellor(user, page)
        context = {"items": result.items, "result": result, "statuses": introductions.STATUSES}
        return render(request, "employers/introductions.html", context)

    @get("/{introduction_id:int}", name="introductions:detail")
    async def detail(self, request: Request, introduction_id: RecordId, notice: Filter = "") -> Template:
        page = await introduction_view(signed_in_user(request), client_address(request), introduction_id)
        if page is None:
            raise NotFoundException()
        context = {
            **page.template_context(),
            "statuses": introductions.STATUSES,
            "notice": forms.messages().get(notice, ""),
        }
        return render(request, "employers/introduction.html", context)

    @post("/{introduction_id:int}/answer", status_code=303)
    async def answer(self, request: Request, introduction_id: RecordId) -> Redirect:
        data = await request.form()
        step = await forms.answer(signed_in_user(request), client_address(request), introduction_id, data)
        return _after(introduction_id, step)

    @post("/{introduction_id:int}/withdraw", status_code=303)
    async def withdraw(self, request: Request, introduction_id: RecordId) -> Redirect:
        step = await forms.withdraw(signed_in_user(request), client_address(request), introduction_id)
        return _after(introduction_id, step)


def _after(introduction_id: int, step: forms.Step) -> Redirect:
    """Back to the introduction, with what stopped the step if something did; a 404 for someone else's."""
    if not step.found:
        raise NotFoundException()
    notice = f"?notice={step.notice}" if step.notice else ""
    return Redirect(path=f"/introductions/{introduction_id}{notice}", status_code=303)
