"""Suggestion fragments: placements on a case, candidates on an opportunity (htmx, with a page fallback)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from portal.audit import services as audit
from portal.auth.guards import login_required, signed_in_user
from portal.cases import services as cases
from portal.employers import profiles
from portal.matching_service import services
from portal.matching_service.labels import component_labels, note_texts
from portal.opportunities import services as opportunities
from portal.organisations.params import RecordId
from portal.referrals import flow
from portal.vocab import SUPPORT
from portal.web.client import client_address
from portal.web.templating import render


def _context(**extra: Any) -> dict[str, Any]:
    return {"notes": note_texts(), "components": component_labels(), "support": SUPPORT, **extra}


class PlacementPages(Controller):
    path = "/cases/{participant_id:int}/placements"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="cases:placements")
    async def placements(self, request: Request, participant_id: RecordId) -> Template:
        user = signed_in_user(request)
        # The lead and the case team only, as for the rest of the case; 404 hides that the case exists.
        row = await services.person_row(participant_id)
        if row is None or await cases.access_for(user, participant_id, case=row) is None:
            raise NotFoundException()
        set_apart = await services.set_apart_for(participant_id)
        found = await services.placements_for(participant_id, exclude={r["opportunity_id"] for r in set_apart}, row=row)
        await audit.record(
            user, client_address(request), "read", "participant", participant_id, "placement suggestions"
        )
        context = _context(
            participant_id=participant_id,
            code=row["code"],
            placements=found or [],
            preparing=found is None,
            set_apart=set_apart,
            statuses=flow.STATUSES,
        )
        return render(request, "matching/placements.html", context, block="placements")


class CandidatePages(Controller):
    path = "/opportunities/{opp_id:int}/candidates"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="opportunities:candidates")
    async def candidates(self, request: Request, opp_id: RecordId) -> Template:
        user = signed_in_user(request)
        try:
            opportunity = await opportunities.get_opportunity(opp_id, user)
        except opportunities.NotFound as exc:
            raise NotFoundException() from exc
        if not opportunities.can_see_candidates(user, opportunity):
            raise NotFoundException()
        if user.role == "employer":
            # Employers see their own pool under their own pseudonyms, scored without distance.
            found = await profiles.best_for(user.organisation_id, opp_id)
        else:
            found = await services.candidates_for(opp_id)
        await audit.record_many(
            user,
            client_address(request),
            "read",
            "participant",
            [c["participant_id"] for c in found],
            f"candidate list for opportunity {opp_id}",
        )
        return render(
            request, "matching/candidates.html", _context(opp=opportunity, candidates=found), block="candidates"
        )
