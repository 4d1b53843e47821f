"""The partner network as a networkx graph, built from organisation, relationship and referral records."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import networkx as nx

from network.encounters import met_at_weight
from network.records import NODE_FIELDS, ORGANISATION_KINDS, RELATIONSHIP_KINDS, _as_date, _as_strength

__all__ = ["build_graph", "tie_weight"]


def tie_weight(strength: int, referrals: int) -> float:
    """The weight of a tie: its strength plus ``log2(1 + referrals)``.

    Referrals count with diminishing returns, so 1 referral adds 1, 3 add 2, 7 add 3 and
    31 referrals weigh as much as the strongest formal tie (5). A pair linked only by
    referrals has strength 0.

    Examples
    --------
    >>> tie_weight(3, 0), tie_weight(3, 7), tie_weight(0, 1)
    (3.0, 6.0, 1.0)
    """
    return float(strength) + math.log2(1 + referrals)


def build_graph(
    organisations: Iterable[Mapping[str, Any]],
    relationships: Iterable[Mapping[str, Any]],
    referrals: Iterable[Mapping[str, Any]] = (),
    *,
    met_at: Iterable[Mapping[str, Any]] = (),
    on: date | None = None,
    window: tuple[date | None, date | None] | None = None,
) -> nx.Graph[Any]:
    """Build the undirected partner network from plain records.

    The graph is undirected because who-connects-whom metrics (betweenness, communities,
    bridges) are about whether two organisations are tied at all, not who started the tie.
    Direction is kept on the edges: ``ties`` lists ``[id, source, target, kind]`` for each
    relationship and ``flows`` lists ``[source, target, count]`` for each referral direction.

    Parameters
    ----------
    organisations : iterable of mappings
        ``Organisation`` records; their fields become node attributes (missing ones are None).
    relationships : iterable of mappings
        ``Relationship`` records; several between one pair merge into one edge.
    referrals : iterable of mappings, optional
        ``ReferralFlow`` records; they add to the pair's edge (creating it if needed).
        Self-referrals say nothing about ties and are ignored.
    met_at : iterable of mappings, optional
        "Met at" ties as `network.met_at_ties` makes them (``source``, ``target``,
        ``events``, ``years``). They are kept apart from the formal ties: the pair's edge
        gets ``met_at`` (shared events) and ``met_years``, and ``met_at_weight(events)``
        more weight, while ``kinds``, ``strength``, ``ties`` and ``referrals`` stay as they
        were. A pair tied only by meeting gets an edge with no kinds (see
        `network.working_ties` for the graph without such edges).
    on : date, optional
        Keep only relationships active that day (``since <= on <= until``; a missing
        bound is open). Referrals are limited by ``window``, not by ``on``.
    window : (date or None, date or None), optional
        Count only referrals made within these days, both inclusive; None is open.

    Returns
    -------
    networkx.Graph
        Edge attributes: ``kinds`` (sorted relationship kinds), ``strength`` (the strongest
        relationship, 0 if only referrals), ``referrals`` (count in the window), ``weight``
        (see `tie_weight`), ``since`` (earliest known start), ``until`` (latest end, None
        while any tie is open-ended), ``ties`` and ``flows``.

    Raises
    ------
    ValueError
        For a duplicate organisation id, a record naming an unknown organisation, an unknown
        kind, a bad strength, count or date, or a bad ``window``.

    Examples
    --------
    >>> orgs = [{"id": 1, "name": "CSD Ptuj", "kind": "social_work_centre", "country": "SI"},
    ...         {"id": 2, "name": "CPU", "kind": "social_enterprise", "country": "SI"}]
    >>> rels = [{"id": 7, "source": 1, "target": 2, "kind": "cooperation", "strength": 4}]
    >>> G = build_graph(orgs, rels, [{"source": 1, "target": 2, "at": date(2024, 5, 1), "count": 3}])
    >>> edge = G.edges[1, 2]
    >>> edge["kinds"], edge["strength"], edge["referrals"], edge["weight"], edge["flows"]
    (['cooperation'], 4, 3, 6.0, [[1, 2, 3]])
    """
    start, end = _window(window)
    if on is not None and not isinstance(on, date):
        raise ValueError(f"on must be a date, not {on!r}")
    G: nx.Graph[Any] = nx.Graph()
    for organisation in organisations:
        node = organisation["id"]
        if node in G:
            raise ValueError(f"organisation {node} appears more than once")
        if organisation.get("kind") not in ORGANISATION_KINDS:
            raise ValueError(f"organisation {node} kind must be one of {', '.join(ORGANISATION_KINDS)}")
        G.add_node(node, **{field: organisation.get(field) for field in NODE_FIELDS})

    pairs: dict[tuple[Any, Any], dict[str, Any]] = {}
    for relationship in relationships:
        what = f"relationship {relationship.get('id')}"
        source, target = _endpoints(G, relationship, what)
        if source == target:
            raise ValueError(f"{what} ties organisation {source!r} to itself")
        if relationship.get("kind") not in RELATIONSHIP_KINDS:
            raise ValueError(f"{what} kind must be one of {', '.join(RELATIONSHIP_KINDS)}")
        since = _as_date(relationship.get("since"), f"{what} since")
        until = _as_date(relationship.get("until"), f"{what} until")
        strength = _as_strength(relationship.get("strength"), what)
        if on is not None and not ((since is None or since <= on) and (until is None or on <= until)):
            continue
        tie = _pair(pairs, source, target)
        tie["kinds"].add(relationship["kind"])
        tie["strength"] = max(tie["strength"], strength)
        tie["ties"].append([relationship.get("id"), source, target, relationship["kind"]])
        tie["starts"].append(since)
        tie["ends"].append(until)

    for number, referral in enumerate(referrals):
        what = f"referral flow #{number} ({referral.get('source')} -> {referral.get('target')})"
        source, target = _endpoints(G, referral, what)
        count = referral.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"{what} count must be a whole number of at least 1, not {count!r}")
        if window is not None:
            at = _as_date(referral.get("at"), f"{what} at")
            if at is None:
                raise ValueError(f"{what} has no date, so it cannot be placed in the window")
            if (start is not None and at < start) or (end is not None and at > end):
                continue
        if source == target:
            continue
        tie = _pair(pairs, source, target)
        tie["referrals"] += count
        tie["flows"][(source, target)] = tie["flows"].get((source, target), 0) + count

    for number, meeting in enumerate(met_at):
        what = f"met-at tie #{number} ({meeting.get('source')} -- {meeting.get('target')})"
        source, target = _endpoints(G, meeting, what)
        if source == target:
            raise ValueError(f"{what} ties organisation {source!r} to itself")
        events = meeting.get("events")
        if isinstance(events, bool) or not isinstance(events, int) or events < 1:
            raise ValueError(f"{what} events must be a whole number of at least 1, not {events!r}")
        tie = _pair(pairs, source, target)
        tie["met_at"] += events
        tie["met_years"].update(int(year) for year in meeting.get("years", ()))

    for (u, v), tie in pairs.items():
        known_starts = [day for day in tie["starts"] if day is not None]
        extra = {"met_at": tie["met_at"], "met_years": sorted(tie["met_years"])} if tie["met_at"] else {}
        G.add_edge(
            u,
            v,
            kinds=sorted(tie["kinds"]),
            strength=tie["strength"],
            referrals=tie["referrals"],
            weight=tie_weight(tie["strength"], tie["referrals"]) + met_at_weight(tie["met_at"]),
            since=min(known_starts) if known_starts else None,
            until=None if not tie["ends"] or None in tie["ends"] else max(tie["ends"]),
            ties=sorted(tie["ties"], key=lambda row: (row[0] is None, row[0] or 0)),
            flows=sorted([a, b, count] for (a, b), count in tie["flows"].items()),
            **extra,
        )
    return G


def _window(window: tuple[date | None, date | None] | None) -> tuple[date | None, date | None]:
    if window is None:
        return None, None
    try:
        start, end = window
    except (TypeError, ValueError):
        raise ValueError(f"window must be a pair (start, end) of dates or None, not {window!r}") from None
    for bound in (start, end):
        if bound is not None and not isinstance(bound, date):
            raise ValueError(f"window bounds must be dates or None, not {bound!r}")
    if start is not None and end is not None and start > end:
        raise ValueError(f"window starts ({start}) after it ends ({end})")
    return start, end


def _endpoints(G: nx.Graph[Any], record: Mapping[str, Any], what: str) -> tuple[Any, Any]:
    source, target = record.get("source"), record.get("target")
    for end in (source, target):
        if end not in G:
            raise ValueError(f"{what} refers to unknown organisation {end!r}")
    return source, target


def _pair(pairs: dict[tuple[Any, Any], dict[str, Any]], source: Any, target: Any) -> dict[str, Any]:
    # One entry per unordered pair; ids are comparable (ints), so the smaller comes first.
    key = (source, target) if source <= target else (target, source)
    if key not in pairs:
        pairs[key] = {
            "kinds": set(),
            "strength": 0,
            "referrals": 0,
            "ties": [],
            "starts": [],
            "ends": [],
            "flows": {},
            "met_at": 0,
            "met_years": set(),
        }
    return pairs[key]
