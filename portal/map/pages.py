"""The map page (with its list, the view without JavaScript) and the markers it asks for.

Who sees what: organisations and open opportunities are public, as in the directory; the
placement gaps per region come from the network page, which only logged-in users see, so only
they get that layer (counts per region, below five suppressed).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response, Template

from portal.auth.guards import current_user
from portal.geo import REGIONS
from portal.map import services
from portal.opportunities import services as opportunity_services
from portal.organisations import services as organisation_services
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS
from portal.organisations.params import Filter, PageNumber
from portal.settings import get_settings
from portal.vocab import OPPORTUNITY_KINDS
from portal.web.templating import render

LIST_PER_PAGE = 20


def _filters(kind: str, region: str, opportunity_kind: str, show: str) -> services.MapFilters:
    """The filters, each dropped when it is not one of its known values (a stale or typed link)."""
    known_regions = {name for names in REGIONS.values() for name in names}
    return services.MapFilters(
        kind=kind if kind in ORGANISATION_KINDS else "",
        region=region if region in known_regions else "",
        opportunity_kind=opportunity_kind if opportunity_kind in OPPORTUNITY_KINDS else "",
        show=show if show in services.LAYERS else "",
    )


class MapPages(Controller):
    path = "/map"
    include_in_schema = False

    @get("/", name="map:index", opt={"access": "public"})
    async def index(
        self,
        request: Request,
        kind: Filter = "",
        region: Filter = "",
        opportunity_kind: Filter = "",
        show: Filter = "",
        page: PageNumber = 1,
        opportunity_page: PageNumber = 1,
    ) -> Template:
        filters = _filters(kind, region, opportunity_kind, show)
        context: dict[str, Any] = {
            "filters": filters,
            "kinds": ORGANISATION_KINDS,
            "opportunity_kinds": OPPORTUNITY_KINDS,
            "countries": COUNTRIES,
            "regions": REGIONS,
            "settings": get_settings(),
            "home_bounds": services.bounds_of(filters.region),
            "organisations": None,
            "opportunities": None,
            "gaps": await services.region_gaps() if current_user(request) else None,
        }
        if "organisations" in filters.layers:
            context["organisations"] = await organisation_services.search_organisations(
                organisation_services.DirectoryFilters(kind=filters.kind, region=filters.region),
                page=page,
                per_page=LIST_PER_PAGE,
            )
        if "opportunities" in filters.layers:
            context["opportunities"] = await opportunity_services.search_opportunities(
                opportunity_services.OpportunityFilters(kind=filters.opportunity_kind, region=filters.region),
                page=opportunity_page,
                per_page=LIST_PER_PAGE,
            )
        return render(request, "map/index.html", context)

    @get("/points", name="map:points", opt={"access": "public"})
    async def points(
        self,
        request: Request,
        bbox: Filter = "",
        kind: Filter = "",
        region: Filter = "",
        opportunity_kind: Filter = "",
        show: Filter = "",
    ) -> Response[dict[str, Any]]:
        """Markers (or clusters) of each layer inside ``bbox`` (west,south,east,north), with the filters."""
        try:
            box = services.Box.parse(bbox)
        except services.BadBox as problem:
            return Response({"errors": {"bbox": str(problem)}}, status_code=400)
        filters = _filters(kind, region, opportunity_kind, show)
        answer: dict[str, Any] = {
            "limit": services.POINT_LIMIT,
            "layers": {layer: await services.layer_view(layer, filters, box) for layer in filters.layers},
        }
        if current_user(request):
            answer["gaps"] = await services.region_gaps()
        return Response(answer)
