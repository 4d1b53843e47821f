"""The network page's data in one call, and starting a recomputation; from plain values, never a request."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from portal.auth.current_user import CurrentUser
from portal.i18n import current_language
from portal.i18n import lazy_gettext as _l
from portal.memory import release_free_memory
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
# Organisations from which a prepared snapshot is moved out of the garbage collector's reach.
FREEZE_FROM = 2000
DEFAULT_SORT: Final = "betweenness"  # the metrics table's order when the address names none


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


def _in_language(snapshot: services.Snapshot, name: str, compute: Callable[[], Any]) -> Any:
    """What ``compute`` returns, kept per snapshot and reader's language (it names and words things).

    Naming the shown suggestions (hundreds of common partners each) and wording the needs and
    numbers was most of a warm request (about 60 and 20 %); the same snapshot and language give
    the same text, so it is done once. Templates only read the kept values.
    """
    return snapshot.memo(("view", name, current_language()), compute)


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
        "gaps": [services.rounded_gap(gap) for gap in snapshot.gaps["worst"][:SHOWN_GAPS]],
        "missing_kinds": {region: kinds for region, kinds in snapshot.gaps["missing_kinds"].items() if kinds},
        "suggestions": _in_language(
            snapshot,
            "suggestions",
            lambda: services.named_suggestions(snapshot, snapshot.suggestions["top"][:SHOWN_SUGGESTIONS]),
        ),
        "weak_points": {name: items[:SHOWN_WEAK_POINTS] for name, items in services.fragility(snapshot).items()},
        "needs": _in_language(snapshot, "needs", lambda: needs.view(snapshot, SHOWN_GAPS)),
        "bridge_closers": _in_language(
            snapshot,
            "bridge-closers",
            lambda: needs.bridge_closers(snapshot, services.fragility(snapshot)["bridges"][:SHOWN_WEAK_POINTS]),
        ),
        "region_pairs": summary["region_pairs"][:10],
        "graph_regions": services.regions(snapshot),
    }


@dataclass(frozen=True)
class NetworkView:
    """The names ``network/index.html`` reads: the metrics page always, the tables and status for a whole page."""

    context: dict[str, Any]

    def template_context(self) -> dict[str, Any]:
        return self.context


def _prepare_now(snapshot: services.Snapshot) -> None:
    """Work out what the page keeps per snapshot: the default order, communities, weak points, closers."""
    services.ordered(snapshot, DEFAULT_SORT)  # also the folded names every other order sorts by
    services.communities(snapshot)
    ties.strongest_pairs(snapshot)
    services.regions(snapshot)
    services.graph_index(snapshot)  # what the graph API, which the page asks next, selects from
    # Partnerships closing the shown bridges, from the graph read with the snapshot.
    needs.bridge_closers(snapshot, services.fragility(snapshot)["bridges"][:SHOWN_WEAK_POINTS])


def _prepare(snapshot: services.Snapshot) -> None:
    try:
        _prepare_now(snapshot)
    except Exception:  # the request then works out what it needs itself, and fails as it would have
        logging.getLogger(__name__).exception("could not prepare the network page")
    if len(snapshot.rows) >= FREEZE_FROM:
        # A country's snapshot is over a million objects that live as long as it does: every full
        # garbage collection walked them all (0.9-1 s, every request on the worker waiting).
        # Frozen, collections skip them; reference counting still frees them when it is replaced.
        # First what was frozen before goes back to the collector, with this collection: a replaced
        # snapshot's graph is in reference cycles (networkx's views of it), which frozen were kept
        # for good; and garbage left in cycles now would be kept for good once frozen.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    release_free_memory()  # what the preparation's passing work left with the allocator


async def prepared(snapshot: services.Snapshot) -> services.Snapshot:
    """``snapshot`` once what the page keeps for it is worked out, in a thread and once per process.

    At a country's scale that is tens of seconds of Python: on the event loop it held up every
    other request of the worker, and each of 16 waiting requests started it again. In a thread
    the loop goes on serving other pages meanwhile, and later requests wait for the same work
    (shielded: one giving up does not stop it). Each step is kept by ``snapshot.memo``, so a
    request that computes one itself (another order, say) gets the same value.
    """
    loop = asyncio.get_running_loop()
    work = snapshot.memo(("view-prepared", loop), lambda: loop.create_task(asyncio.to_thread(_prepare, snapshot)))
    await asyncio.shield(work)
    return snapshot


async def network_view(user: CurrentUser | None, sort: str, page: int, *, metrics_only: bool) -> NetworkView:
    """The latest snapshot as the page shows it; ``metrics_only`` for the fragment that pages the metrics."""
    snapshot = await services.latest_snapshot()
    if snapshot is not None:
        snapshot = await prepared(snapshot)
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
