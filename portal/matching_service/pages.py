"""Suggestion fragments: placements on a case, candidates on an opportunity (htmx, with a page fallback)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from portal.auth.guards import login_required, signed_in_user
from portal.matching_service.view import candidates_view, placements_view
from portal.organisations.params import RecordId
from portal.service_errors import NotFound
from portal.web.client import client_address
from portal.web.templating import render


class PlacementPages(Controller):
    path = "/cases/{participant_id:int}/placements"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="cases:placements")
    async def placements(self, request: Request, participant_id: RecordId) -> Template:
        try:
            view = await placements_view(signed_in_user(request), client_address(request), participant_id)
        except NotFound as exc:
            raise NotFoundException() from exc  # whether a case exists is itself personal
        return render(request, "matching/placements.html", view.template_context(), block="placements")


class CandidatePages(Controller):
    path = "/opportunities/{opp_id:int}/candidates"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="opportunities:candidates")
    async def candidates(self, request: Request, opp_id: RecordId) -> Template:
        try:
            view = await candidates_view(signed_in_user(request), client_address(request), opp_id)
        except NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "matching/candidates.html", view.template_context(), block="candidates")
