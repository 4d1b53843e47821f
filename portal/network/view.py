"""The network page's data in one call, and starting a recomputation; from plain values, never a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.i18n import lazy_gettext as _l
from portal.network import jobs, needs, services
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS, RELATIONSHIP_KINDS
from portal.outcomes import PageOutcome
from portal.training import ties

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


def choices() -> dict[str, Any]:
    return {
        "kinds": ORGANISATION_KINDS,
        "countries": COUNTRIES,
        "relationship_kinds": RELATIONSHIP_KINDS,
        "metric_labels": METRIC_LABELS,
        "columns": COLUMNS,
    }


async def status_context(user: CurrentUser | None, polling: bool = False) -> dict[str, Any]:
    """The run's status, and whether ``user`` may start one."""
    return {
        "run": await services.run_status(),
        "polling": polling,
        "can_recompute": user is not None and user.manages_network,
    }


async def _tables(snapshot: services.Snapshot) -> dict[str, Any]:
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
        "bridge_closers": needs.bridge_closers(snapshot, services.fragility(snapshot)["bridges"][:SHOWN_WEAK_POINTS]),
        "region_pairs": summary["region_pairs"][:10],
        "graph_regions": services.regions(snapshot),
    }


@dataclass(frozen=True)
class NetworkView:
    """The names ``network/index.html`` reads: the metrics page always, the tables and status for a whole page."""

    context: dict[str, Any]

    def template_context(self) -> dict[str, Any]:
        return self.context


async def network_view(user: CurrentUser | None, sort: str, page: int, *, metrics_only: bool) -> NetworkView:
    """The latest snapshot as the page shows it; ``metrics_only`` for the fragment that pages the metrics."""
    snapshot = await services.latest_snapshot()
    context: dict[str, Any] = {"snapshot": snapshot, "sort": sort, **choices()}
    if snapshot is not None:
        context["metrics"] = services.sorted_organisations(snapshot, sort, page)
        if not metrics_only:
            context.update(await _tables(snapshot))
    if not metrics_only:
        context.update(await status_context(user))
    return NetworkView(context=context)


async def recompute(user: CurrentUser, *, fragment: bool) -> PageOutcome:
    """Start a recomputation now; the polling status bar for a ``fragment``, else back to the page."""
    await jobs.start_now()
    if fragment:
        return PageOutcome.show(await status_context(user, True))
    return PageOutcome.go("/network/")
