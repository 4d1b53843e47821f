""" "Met at" ties: organisations whose staff attended the same training events, kept apart from formal ties."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any

import networkx as nx

from network.records import RELATIONSHIP_KINDS, _as_date

__all__ = ["is_met_at_only", "met_at_ties", "met_at_weight", "working_ties"]


def met_at_ties(
    attendance: Iterable[Mapping[str, Any]], *, per_organisation: int | None = None
) -> list[dict[str, Any]]:
    """Weighted "met at" ties between organisations from who attended which event.

    Two organisations meet at an event when both had at least one attendee there. The tie's
    ``events`` is the number of events they shared (several attendees of one organisation at
    one event count once: it is a tie between organisations, not people), ``years`` the
    calendar years of those events. An organisation never meets itself, and an event that
    only one organisation attended ties nobody.

    An event of k organisations makes k(k-1)/2 ties: 2,000 modules of 30 institutions each
    make most of a million. ``per_organisation`` keeps a tie only when it is among the
    ``per_organisation`` strongest of at least one of its two organisations (most shared
    events, then the latest year, then the other's id), so the ties grow with the
    organisations, not with the square of the attendance.

    Parameters
    ----------
    attendance : iterable of mappings
        One record per attendee: ``event`` (any hashable id), ``on`` (the event's date, a
        date, datetime or ISO string) and ``organisation`` (the attendee's organisation id;
        None for people without one, who are skipped).
    per_organisation : int, optional
        Keep only each organisation's strongest ties (see above); None keeps every tie.

    Returns
    -------
    list of dict
        ``{"source", "target", "events", "years"}`` with ``source < target``, ``years``
        ascending; sorted by ``(source, target)``, so the same attendance in any order
        gives the same list.

    Raises
    ------
    ValueError
        If an event has no date, two records give one event different dates, or
        ``per_organisation`` is not a whole number of at least 1.

    Examples
    --------
    >>> from datetime import date
    >>> rows = [{"event": 1, "on": date(2026, 3, 4), "organisation": 10},
    ...         {"event": 1, "on": date(2026, 3, 4), "organisation": 20},
    ...         {"event": 1, "on": date(2026, 3, 4), "organisation": 20},
    ...         {"event": 2, "on": date(2025, 9, 1), "organisation": 20},
    ...         {"event": 2, "on": date(2025, 9, 1), "organisation": 10}]
    >>> met_at_ties(rows)
    [{'source': 10, 'target': 20, 'events': 2, 'years': [2025, 2026]}]
    """
    if per_organisation is not None and (
        isinstance(per_organisation, bool) or not isinstance(per_organisation, int) or per_organisation < 1
    ):
        raise ValueError(f"per_organisation must be a whole number of at least 1, not {per_organisation!r}")
    members: dict[Any, set[Any]] = defaultdict(set)
    days: dict[Any, Any] = {}
    for record in attendance:
        event = record.get("event")
        day = _as_date(record.get("on"), f"event {event!r} date")
        if day is None:
            raise ValueError(f"event {event!r} has no date")
        if days.setdefault(event, day) != day:
            raise ValueError(f"event {event!r} has two dates: {days[event]} and {day}")
        if record.get("organisation") is not None:
            members[event].add(record["organisation"])

    events: Counter[tuple[Any, Any]] = Counter()
    years: dict[tuple[Any, Any], set[int]] = defaultdict(set)
    for event, organisations in members.items():
        year = days[event].year
        for pair in combinations(sorted(organisations), 2):
            events[pair] += 1
            years[pair].add(year)
    pairs = sorted(events)
    if per_organisation is not None:
        pairs = _strongest(pairs, events, years, per_organisation)
    return [
        {"source": source, "target": target, "events": events[source, target], "years": sorted(years[source, target])}
        for source, target in pairs
    ]


def _strongest(
    pairs: list[tuple[Any, Any]], events: Counter[tuple[Any, Any]], years: dict[tuple[Any, Any], set[int]], keep: int
) -> list[tuple[Any, Any]]:
    """The pairs among the ``keep`` strongest of either of their organisations, still sorted."""
    by_organisation: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for pair in pairs:
        by_organisation[pair[0]].append(pair)
        by_organisation[pair[1]].append(pair)
    kept: set[tuple[Any, Any]] = set()
    for organisation, own in by_organisation.items():
        if len(own) <= keep:
            kept.update(own)
            continue

        def strength(pair: tuple[Any, Any], organisation: Any = organisation) -> tuple[int, int, Any]:
            other = pair[1] if pair[0] == organisation else pair[0]
            return (-events[pair], -max(years[pair]), other)

        kept.update(heapq.nsmallest(keep, own, key=strength))
    return [pair for pair in pairs if pair in kept]


def met_at_weight(events: int) -> float:
    """What meeting at ``events`` events adds to a tie's weight: ``log2(1 + events) / 2``.

    Half of what as many referrals add (see `network.tie_weight`): meeting is a weaker sign
    of working together than sending people, with the same diminishing returns.

    Examples
    --------
    >>> met_at_weight(0), met_at_weight(1), met_at_weight(3)
    (0.0, 0.5, 1.0)
    """
    return math.log2(1 + events) / 2


def is_met_at_only(data: Mapping[str, Any]) -> bool:
    """Whether an edge (its attribute dict) is only a "met at" tie: no formal kind and no referral.

    Edges without a ``met_at`` attribute (graphs made before met-at ties, or by hand) are
    working ties. ``kinds`` other than the relationship kinds (a label such as "met_at" an
    application gave the edge for display) are not formal ties.

    Examples
    --------
    >>> is_met_at_only({"kinds": [], "referrals": 0, "met_at": 2}), is_met_at_only({})
    (True, False)
    >>> is_met_at_only({"kinds": ["cooperation"], "referrals": 0, "met_at": 2})
    False
    >>> is_met_at_only({"kinds": ["met_at"], "referrals": 0, "met_at": 2})
    True
    """
    if not data.get("met_at") or data.get("referrals"):
        return False
    return not any(kind in _FORMAL for kind in data.get("kinds") or ())


_FORMAL = frozenset(RELATIONSHIP_KINDS)


def working_ties(G: nx.Graph[Any]) -> nx.Graph[Any]:
    """The graph without its met-at-only edges (every organisation kept): the formal and referral ties.

    Returns ``G`` itself when it has no met-at-only edge, so a network without training data
    costs nothing and gives exactly the results it gave before.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge(1, 2, kinds=["funding"], referrals=0)
    >>> G.add_edge(2, 3, kinds=[], referrals=0, met_at=1)
    >>> W = working_ties(G)
    >>> sorted(W.edges), sorted(W.nodes)
    ([(1, 2)], [1, 2, 3])
    """
    if not any(is_met_at_only(data) for _, _, data in G.edges(data=True)):
        return G
    W: nx.Graph[Any] = nx.Graph()
    W.graph.update(G.graph)
    W.add_nodes_from(G.nodes(data=True))
    W.add_edges_from((u, v, data) for u, v, data in G.edges(data=True) if not is_met_at_only(data))
    return W
