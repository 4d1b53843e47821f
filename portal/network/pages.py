"""HTML pages of the partner network: the picture, the tables beside it, the run status and the panels.

Who sees what: the network of organisations is not personal data and the gaps are aggregate
counts (participants per municipality, never a name or a code), so every logged-in role sees
the whole page; only coordinators and admins may start a recomputation. Nothing here computes
metrics: every page reads the latest finished snapshot.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, network_manager, signed_in_user
from portal.network import services, view
from portal.network.params import Sort
from portal.organisations.params import PageNumber, RecordId
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling progress bar.")]


class NetworkPages(Controller):
    path = "/network"
    include_in_schema = False

    @get("/", name="network:index")
    async def index(self, request: Request, sort: Sort = view.DEFAULT_SORT, page: PageNumber = 1) -> Template:
        found = await view.network_view(current_user(request), sort, page, metrics_only=is_partial_request(request))
        return render(request, "network/index.html", found.template_context(), block="metrics")

    @get("/status", name="network:status")
    async def status(self, request: Request, polling: Polling = False) -> Template:
        """The run's status; while running, a progress bar that polls this route and replaces itself."""
        return render(
            request, "network/status.html", await view.status_context(current_user(request), polling), block="status"
        )

    @post("/recompute", guards=[network_manager], status_code=303)
    async def recompute(self, request: Request) -> Redirect | Template:
        outcome = await view.recompute(signed_in_user(request), fragment=is_partial_request(request))
        return answer(request, "network/status.html", outcome, block="status")

    @get("/panel/{org_id:int}", name="network:panel")
    async def panel(self, request: Request, org_id: RecordId) -> Template:
        """The side panel for a node clicked in the graph: its metrics and a link to its page."""
        return render(request, "network/panel.html", await _place(org_id), block="panel")

    @get("/organisations/{org_id:int}", name="network:organisation")
    async def organisation(self, request: Request, org_id: RecordId) -> Template:
        """One organisation's place in the network, shown on its page (or alone without JavaScript)."""
        return render(request, "network/organisation.html", await _place(org_id), block="place")


async def _place(org_id: int) -> dict[str, Any]:
    snapshot = await services.latest_snapshot()
    context: dict[str, Any] = {"snapshot": snapshot, "org_id": org_id, "place": None, **view.choices()}
    if snapshot is not None:
        try:
            context["place"] = services.place_of(snapshot, org_id)
        except services.NotFound:
            pass
    return context
