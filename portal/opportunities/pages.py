"""HTML pages of opportunities: the public list and detail, posting and editing, and "ours"."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required, roles_allowed, signed_in_user
from portal.auth.roles import ADMIN, COORDINATOR, EMPLOYER, ENTERPRISE
from portal.i18n import current_language
from portal.opportunities import services, view
from portal.opportunities.view import choices as _choices
from portal.opportunities.view import opportunity_view
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.outcomes import PageOutcome
from portal.service_errors import Forbidden
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render

poster = roles_allowed(ADMIN, COORDINATOR, ENTERPRISE, EMPLOYER)
own_organisation_poster = roles_allowed(ENTERPRISE, EMPLOYER)
_LISTS = ("support_offered", "languages")
FORM = "opportunities/form.html"


async def _form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for name in _LISTS:
        data[name] = form.getall(name) if name in form else []
    return data


async def _outcome(made: Awaitable[PageOutcome]) -> PageOutcome:
    """The view's outcome; its "not found" is a 404 and its Forbidden a 403."""
    try:
        outcome = await made
    except services.NotFound as exc:
        raise NotFoundException() from exc
    except Forbidden as exc:
        raise PermissionDeniedException(str(exc)) from exc
    return outcome


class OpportunityPages(Controller):
    path = "/opportunities"
    include_in_schema = False

    @get("/", name="opportunities:list", opt={"access": "public"})
    async def opportunities(
        self,
        request: Request,
        q: Filter = "",
        kind: Filter = "",
        sector: Filter = "",
        country: Filter = "",
        region: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        filters = services.OpportunityFilters(q=q.strip(), kind=kind, sector=sector, country=country, region=region)
        found = await view.list_view(filters, page, results_only=is_partial_request(request))
        return render(request, "opportunities/list.html", found.template_context(), block="results")

    @get("/mine", name="opportunities:mine", guards=[own_organisation_poster])
    async def mine(self, request: Request, page: PageNumber = 1) -> Template:
        """The user's organisation's opportunities in every status."""
        user = signed_in_user(request)
        filters = services.OpportunityFilters(organisation_id=user.organisation_id, statuses=services.EVERY_STATUS)
        results = await services.search_opportunities(filters, page=page)
        return render(request, "opportunities/mine.html", {"results": results, **_choices()})

    @get("/new", name="opportunities:new", guards=[poster])
    async def new_form(self, request: Request, org_q: Filter = "") -> Template:
        outcome = await view.new_form(signed_in_user(request), org_q)
        return render(request, FORM, outcome.context)

    @post("/new", guards=[poster], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        data = await _form_data(request)
        outcome = await _outcome(view.create(signed_in_user(request), data, current_language()))
        return answer(request, FORM, outcome)

    @get("/{opp_id:int}", name="opportunities:detail", opt={"access": "public"})
    async def detail(self, request: Request, opp_id: RecordId) -> Template:
        try:
            found = await opportunity_view(current_user(request), opp_id)
        except services.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "opportunities/detail.html", {**found.template_context(), **_choices()})

    @get("/{opp_id:int}/edit", name="opportunities:edit", guards=[login_required])
    async def edit_form(self, request: Request, opp_id: RecordId) -> Template:
        outcome = await _outcome(view.edit_form(signed_in_user(request), opp_id))
        return render(request, FORM, outcome.context)

    @post("/{opp_id:int}/edit", guards=[login_required], status_code=303)
    async def update(self, request: Request, opp_id: RecordId) -> Redirect | Template:
        data = await _form_data(request)
        outcome = await _outcome(view.update(signed_in_user(request), opp_id, data, current_language()))
        return answer(request, FORM, outcome)
