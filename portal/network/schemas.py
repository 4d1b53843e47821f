"""JSON shapes of the network API: read-only views of the latest snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class RunStatus(msgspec.Struct):
    running: bool
    progress: int
    started_at: dt.datetime | None
    computed_at: dt.datetime | None
    failed: bool
    error: str


class OrganisationMetrics(msgspec.Struct):
    id: int
    name: str
    kind: str
    country: str
    region: str | None
    municipality: str | None
    degree: int
    weighted_degree: float
    betweenness: float
    pagerank: float
    cross_border_ties: int
    community: int


class MetricsList(msgspec.Struct):
    items: list[OrganisationMetrics]
    total: int
    page: int
    per_page: int
    pages: int
    computed_at: dt.datetime | None


class Member(msgspec.Struct):
    id: int
    name: str


class Community(msgspec.Struct):
    index: int
    size: int
    countries: list[str]
    members: list[Member]


class CommunityList(msgspec.Struct):
    items: list[Community]
    total: int
    page: int
    per_page: int
    pages: int
    computed_at: dt.datetime | None


class Gap(msgspec.Struct):
    """Counts of people rounded to the nearest 5; null for one to four."""

    region: str
    municipality: str | None
    participants: int | None
    unlocated: int | None
    without_places: int | None
    places_within_reach: int
    ratio: float | None
    shortfall: int | None
    missing_kinds: list[str]
    reason: str


class GapList(msgspec.Struct):
    items: list[Gap]
    missing_kinds: dict[str, list[str]]
    computed_at: dt.datetime | None
    # Needs-aware gaps (portal.network.needs.compute): people without a feasible place per region and
    # municipality by reason code, and the changes that would close them; counts below 5 are null.
    needs: dict[str, Any] | None = None


class Suggestion(msgspec.Struct):
    source: int
    source_name: str
    target: int
    target_name: str
    score: float
    common_partners: list[int]
    distance_km: float | None
    reason: str
    # Why, as codes with parameters (see network.suggest_partnerships); `reason` is the reader's-language sentence.
    reasons: list[dict[str, Any]] = []


class SuggestionList(msgspec.Struct):
    items: list[Suggestion]
    computed_at: dt.datetime | None


class Chain(msgspec.Struct):
    """The organisations along the shortest chain of ties, both ends included; empty when none joins them."""

    items: list[Member]


class GraphElements(msgspec.Struct):
    """Cytoscape.js elements: nodes with ``data`` (id, name, kind, country, region, community and the
    metrics) and, when the snapshot has them, a ``position``; edges with ``data`` (id, source, target,
    kinds, weight, referrals; ``met_at`` and ``met_years`` for pairs whose staff met at training events,
    and ``met_only`` when that is all that ties them)."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


class Graph(msgspec.Struct):
    """The part of the network a filter selects: at most ``limit`` organisations, the most central
    (or, around a focus, the nearest) when more match; ``matched`` says how many did."""

    elements: GraphElements
    matched: int
    total: int
    limit: int
    computed_at: dt.datetime | None


class FoundOrganisation(msgspec.Struct):
    id: int
    name: str
    kind: str
    country: str
    region: str | None
    municipality: str | None


class OrganisationSearch(msgspec.Struct):
    """The best matches, at most 20, and how many organisations matched in all."""

    items: list[FoundOrganisation]
    total: int
    computed_at: dt.datetime | None
