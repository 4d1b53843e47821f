"""The map page (with its list, the view without JavaScript) and the markers it asks for.

Who sees what: organisations and open opportunities are public, as in the directory; the
placement gaps per region come from the network page, which only logged-in users see, so only
they get that layer (counts of people per region rounded to five, below five suppressed: portal.disclosure).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response, Template

from portal.auth.guards import current_user
from portal.map import services, view
from portal.organisations.params import Filter, PageNumber
from portal.web.templating import render


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
        filters = view.clean_filters(kind, region, opportunity_kind, show)
        shown = await view.map_view(current_user(request) is not None, filters, page, opportunity_page)
        return render(request, "map/index.html", shown.template_context())

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
        filters = view.clean_filters(kind, region, opportunity_kind, show)
        found = await view.points_view(current_user(request) is not None, filters, box)
        return Response(found.as_json())
