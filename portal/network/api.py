"""JSON API of the partner network under /api/v1/network: the latest snapshot, for logged-in users like the pages."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from portal.auth.guards import network_manager
from portal.network import jobs, services
from portal.network.params import (
    CountryQuery,
    DepthQuery,
    FocusQuery,
    GraphLimit,
    IncludeQuery,
    KindQuery,
    MembersShown,
    RecordIdQuery,
    RegionQuery,
    SearchQuery,
    Sort,
    TieQuery,
)
from portal.network.schemas import (
    Chain,
    Community,
    CommunityList,
    FoundOrganisation,
    Gap,
    GapList,
    Graph,
    GraphElements,
    Member,
    MetricsList,
    OrganisationMetrics,
    OrganisationSearch,
    RunStatus,
    Suggestion,
    SuggestionList,
)
from portal.organisations.params import OptionalRecordIdQuery, PageNumber, PerPage
from portal.pagination import Page, clamp_page

_READ_ERRORS = [NotAuthorizedException, ValidationException]


def _struct(cls: type[msgspec.Struct], row: dict[str, Any]) -> Any:
    return cls(**{name: row[name] for name in cls.__struct_fields__})


class NetworkApi(Controller):
    """Every route is for logged-in users (the app-wide guard); recomputing is for coordinators and admins."""

    path = "/api/v1/network"
    tags = ["network"]

    @get("/status", raises=_READ_ERRORS)
    async def status(self) -> RunStatus:
        """Whether a recomputation is running, its progress, and when the snapshot was computed."""
        return _struct(RunStatus, await services.run_status())

    @post("/recompute", guards=[network_manager], status_code=202, raises=[*_READ_ERRORS, PermissionDeniedException])
    async def recompute(self) -> RunStatus:
        """Start a recomputation in the background (coordinators and admins); poll the status."""
        await jobs.start_now()
        return _struct(RunStatus, await services.run_status())

    @get("/organisations", raises=_READ_ERRORS)
    async def organisations(
        self, sort: Sort = "betweenness", page: PageNumber = 1, per_page: PerPage = services.PER_PAGE
    ) -> MetricsList:
        """Each organisation's metrics: degree, weighted degree, betweenness, PageRank, cross-border ties, community."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            return MetricsList(items=[], total=0, page=1, per_page=per_page, pages=1, computed_at=None)
        result = services.sorted_organisations(snapshot, sort, page, per_page)
        return MetricsList(
            items=[_struct(OrganisationMetrics, row) for row in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
            computed_at=snapshot.finished_at,
        )

    @get("/communities", raises=_READ_ERRORS)
    async def communities(
        self, page: PageNumber = 1, per_page: PerPage = 20, members: MembersShown = 50
    ) -> CommunityList:
        """Communities (Louvain on tie weights), largest first, a page at a time; each with its size and its
        ``members`` best-tied members (at a country's scale a community has thousands)."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            return CommunityList(items=[], total=0, page=1, per_page=per_page, pages=1, computed_at=None)
        groups = services.communities(snapshot)
        result = Page([], len(groups), clamp_page(page, len(groups), per_page), per_page)
        start = (result.page - 1) * per_page
        items = [
            Community(
                index=group["index"],
                size=group["size"],
                countries=group["countries"],
                members=[Member(id=m["id"], name=m["name"]) for m in group["members"][:members]],
            )
            for group in groups[start : start + per_page]
        ]
        return CommunityList(
            items=items,
            total=result.total,
            page=result.page,
            per_page=per_page,
            pages=result.pages,
            computed_at=snapshot.finished_at,
        )

    @get("/gaps", raises=_READ_ERRORS)
    async def gaps(self) -> GapList:
        """Municipalities where participants have fewest open places within reach, and kinds each region lacks.

        Aggregate counts only: no participant is named or coded."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            return GapList(items=[], missing_kinds={}, computed_at=None)
        return GapList(
            items=[_struct(Gap, services.rounded_gap(row)) for row in snapshot.gaps["worst"]],
            missing_kinds=snapshot.gaps["missing_kinds"],
            computed_at=snapshot.finished_at,
            needs=snapshot.gaps.get("needs"),
        )

    @get("/suggestions", raises=_READ_ERRORS)
    async def suggestions(self, organisation_id: OptionalRecordIdQuery = None) -> SuggestionList:
        """Suggested new partnerships with their reasons; network-wide, or for one organisation."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            return SuggestionList(items=[], computed_at=None)
        if organisation_id is None:
            items = snapshot.suggestions["top"]
        else:
            items = snapshot.suggestions["by_node"].get(str(organisation_id), [])
        return SuggestionList(
            items=[
                _struct(Suggestion, {**row, "reason": row["reason_text"]})
                for row in services.named_suggestions(snapshot, items)
            ],
            computed_at=snapshot.finished_at,
        )

    @get("/graph", raises=[*_READ_ERRORS, NotFoundException])
    async def graph(
        self,
        kind: KindQuery = None,
        country: CountryQuery = None,
        region: RegionQuery = None,
        tie: TieQuery = None,
        focus: FocusQuery = None,
        depth: DepthQuery = 1,
        include: IncludeQuery = None,
        limit: GraphLimit = services.GRAPH_NODES,
    ) -> Graph:
        """The part of the network a filter selects, as Cytoscape.js elements with their stored positions.

        Organisations of a kind, country and region and the ties of a kind among them; with
        ``focus``, that organisation and those within ``depth`` ties of it through such
        organisations and ties. At most ``limit`` organisations (500 unless asked, 1,500 at most):
        when more match, the most central (around a focus, the nearest first) and ``matched`` says
        how many matched. ``include`` adds organisations whatever the filter, with the ties among them."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            return Graph(
                elements=GraphElements(nodes=[], edges=[]),
                matched=0,
                total=0,
                limit=limit,
                computed_at=None,
            )
        wanted = services.GraphFilter(
            kind=kind,
            country=country,
            region=region,
            tie=tie,
            focus=focus,
            depth=depth,
            include=tuple(include or ()),
        )
        try:
            view = services.graph_view(snapshot, wanted, limit)
        except services.NotFound as exc:
            raise NotFoundException(f"organisation {exc.args[0]} is not in the network") from exc
        return Graph(
            elements=GraphElements(**view["elements"]),
            matched=view["matched"],
            total=view["total"],
            limit=view["limit"],
            computed_at=snapshot.finished_at,
        )

    @get("/search", raises=_READ_ERRORS)
    async def search(self, q: SearchQuery) -> OrganisationSearch:
        """Organisations whose name holds every word typed (case and diacritics ignored): at most 20, best first."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            return OrganisationSearch(items=[], total=0, computed_at=None)
        rows, total = services.search(snapshot, q)
        return OrganisationSearch(
            items=[_struct(FoundOrganisation, row) for row in rows], total=total, computed_at=snapshot.finished_at
        )

    @get("/path", raises=[*_READ_ERRORS, NotFoundException])
    async def shortest_path(self, source: RecordIdQuery, target: RecordIdQuery) -> Chain:
        """The shortest chain of ties between two organisations, preferring strong ties."""
        snapshot = await services.latest_snapshot()
        if snapshot is None:
            raise NotFoundException("the network has not been computed yet")
        try:
            chain = services.chain(snapshot, source, target)
        except services.NotFound as exc:
            raise NotFoundException(f"organisation {exc.args[0]} is not in the network") from exc
        return Chain(items=[Member(id=m["id"], name=m["name"]) for m in chain])
