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

from portal.auth.guards import current_user, network_manager
from portal.i18n import lazy_gettext as _l
from portal.network import jobs, needs, services
from portal.network.params import Sort
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS, RELATIONSHIP_KINDS
from portal.organisations.params import PageNumber, RecordId
from portal.training import ties
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling progress bar.")]
# The tables show the top of each list; the API has them whole.
SHOWN_COMMUNITIES = 12
SHOWN_MEMBERS = 15
SHOWN_GAPS = 15
SHOWN_SUGGESTIONS = 20
SHOWN_WEAK_POINTS = 15


METRIC_LABELS = {
    "degree": _l("Ties"),
    "weighted_degree": _l("Weighted ties"),
    "betweenness": _l("Betweenness"),
    "pagerank": _l("PageRank"),
    "cross_border_ties": _l("Cross-border ties"),
}
COLUMNS = {"name": _l("Organisation"), **METRIC_LABELS, "community": _l("Community")}


def _choices() -> dict[str, Any]:
    return {
        "kinds": ORGANISATION_KINDS,
        "countries": COUNTRIES,
        "relationship_kinds": RELATIONSHIP_KINDS,
        "metric_labels": METRIC_LABELS,
        "columns": COLUMNS,
    }


async def _status_context(request: Request, polling: bool = False) -> dict[str, Any]:
    user = current_user(request)
    return {
        "run": await services.run_status(),
        "polling": polling,
        "can_recompute": user is not None and user.manages_network,
    }


class NetworkPages(Controller):
    path = "/network"
    include_in_schema = False

    @get("/", name="network:index")
    async def index(self, request: Request, sort: Sort = "betweenness", page: PageNumber = 1) -> Template:
        snapshot = await services.latest_snapshot()
        context: dict[str, Any] = {"snapshot": snapshot, "sort": sort, **_choices()}
        if snapshot is not None:
            context["metrics"] = services.sorted_organisations(snapshot, sort, page)
            if not is_partial_request(request):
                context.update(await self._tables(snapshot))
        if not is_partial_request(request):
            context.update(await _status_context(request))
        return render(request, "network/index.html", context, block="metrics")

    async def _tables(self, snapshot: services.Snapshot) -> dict[str, Any]:
        groups = services.communities(snapshot)
        summary = snapshot.summary
        return {
            "figures": {
                "organisations": summary["nodes"],
                "ties": summary["edges"],
                "components": summary["components"],
                "communities": len(summary["communities"]),
                "cross_border": sum(pair["ties"] for pair in summary["region_pairs"]),
                "isolated": len(summary["isolated"]),
                "met_at": summary.get("met_at_edges", 0),
            },
            "met_at_pairs": ties.strongest_pairs(snapshot),
            "communities": groups[:SHOWN_COMMUNITIES],
            "more_communities": max(0, len(groups) - SHOWN_COMMUNITIES),
            "shown_members": SHOWN_MEMBERS,
            "gaps": snapshot.gaps["worst"][:SHOWN_GAPS],
            "missing_kinds": {region: kinds for region, kinds in snapshot.gaps["missing_kinds"].items() if kinds},
            "suggestions": services.named_suggestions(snapshot, snapshot.suggestions["top"][:SHOWN_SUGGESTIONS]),
            "weak_points": {name: items[:SHOWN_WEAK_POINTS] for name, items in services.fragility(snapshot).items()},
            "needs": needs.view(snapshot, SHOWN_GAPS),
            "bridge_closers": needs.bridge_closers(
                snapshot, services.fragility(snapshot)["bridges"][:SHOWN_WEAK_POINTS]
            ),
            "region_pairs": summary["region_pairs"][:10],
            "graph_regions": services.regions(snapshot),
        }

    @get("/status", name="network:status")
    async def status(self, request: Request, polling: Polling = False) -> Template:
        """The run's status; while running, a progress bar that polls this route and replaces itself."""
        return render(request, "network/status.html", await _status_context(request, polling), block="status")

    @post("/recompute", guards=[network_manager], status_code=303)
    async def recompute(self, request: Request) -> Redirect | Template:
        await jobs.start_now()
        if is_partial_request(request):
            return render(request, "network/status.html", await _status_context(request, True), block="status")
        return Redirect(path="/network/", status_code=303)

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
    context: dict[str, Any] = {"snapshot": snapshot, "org_id": org_id, "place": None, **_choices()}
    if snapshot is not None:
        try:
            context["place"] = services.place_of(snapshot, org_id)
        except services.NotFound:
            pass
    return context
