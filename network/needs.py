"""Needs-aware gaps: who has no feasible place per area and why, and the smallest changes that would close them.

The feasibility itself comes from the caller (the portal works it out with the matching
engine); this module takes counts of people per place, reach, languages, needs and reasons,
and returns plain rows with reason codes and parameters for the caller to put into words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np

from network.geo import haversine_km

__all__ = ["bridge_closers", "closing_changes", "needs_gaps", "suppress"]

# Candidate sites and support sets tried per area: the people's own places (most people first) and the
# hosts near them; enough to find the change that serves most, few enough to stay fast at a country's scale.
_SITES = 40
_SUPPORT_SETS = 16
_HOSTS_NAMED = 3


def suppress(count: int, smallest_shown: int) -> int | None:
    """A count of people as it may be shown: None when it is above zero and below ``smallest_shown``.

    >>> suppress(3, 5), suppress(0, 5), suppress(12, 5)
    (None, 0, 12)
    """
    return None if 0 < count < smallest_shown else count


def _rows(people: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for number, row in enumerate(people):
        count = row.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"people row #{number} count must be a whole number of at least 0, not {count!r}")
        if not row.get("region"):
            raise ValueError(f"people row #{number} has no region")
        travel = row.get("travel_km")
        rows.append(
            {
                "region": row["region"],
                "municipality": row.get("municipality") or None,
                "latitude": row.get("latitude"),
                "longitude": row.get("longitude"),
                "travel_km": None if travel is None else float(travel),
                "languages": frozenset(row.get("languages") or ()),
                "needs": frozenset(row.get("needs") or ()),
                "reasons": tuple(row.get("reasons") or ()),
                "count": count,
            }
        )
    return rows


def needs_gaps(people: Iterable[Mapping[str, Any]], *, smallest_shown: int = 5) -> dict[str, list[dict[str, Any]]]:
    """People without a feasible place per region and municipality, by reason, small counts suppressed.

    Parameters
    ----------
    people : iterable of mappings
        ``{"region", "municipality", "reasons", "count", ...}``: ``count`` people alike in
        area and reasons; empty ``reasons`` means they have a feasible place.
    smallest_shown : int
        Counts above zero and below this are given as None (they could point at a person).

    Returns
    -------
    dict
        ``"regions"`` and ``"municipalities"``: ``{"region", ("municipality",) "participants",
        "without_place", "reasons": {code: count}}`` sorted by most people without a place, then
        name; only areas with someone without a place.

    Examples
    --------
    >>> rows = [{"region": "Podravska", "municipality": "Ormož", "reasons": ["support:transport"], "count": 7},
    ...         {"region": "Podravska", "municipality": "Ormož", "reasons": ["out_of_reach"], "count": 2},
    ...         {"region": "Podravska", "municipality": "Ptuj", "reasons": [], "count": 40}]
    >>> ormoz = needs_gaps(rows)["municipalities"][0]
    >>> ormoz["municipality"], ormoz["participants"], ormoz["without_place"], ormoz["reasons"]
    ('Ormož', 9, 9, {'out_of_reach': None, 'support:transport': 7})
    """
    rows = _rows(people)

    def report(key_of: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        totals: dict[tuple[Any, ...], Counter[str]] = {}
        reasons: dict[tuple[Any, ...], Counter[str]] = {}
        for row in rows:
            key = key_of(row)
            total = totals.setdefault(key, Counter())
            total["participants"] += row["count"]
            if row["reasons"]:
                total["without_place"] += row["count"]
                for code in row["reasons"]:
                    reasons.setdefault(key, Counter())[code] += row["count"]
        result = []
        for key, total in totals.items():
            if not total["without_place"]:
                continue
            result.append(
                {
                    **dict(zip(fields, key, strict=True)),
                    "participants": suppress(total["participants"], smallest_shown),
                    "without_place": suppress(total["without_place"], smallest_shown),
                    "reasons": {code: suppress(n, smallest_shown) for code, n in sorted(reasons[key].items())},
                    "_order": (-total["without_place"], tuple(str(k or "") for k in key)),
                }
            )
        result.sort(key=lambda item: item["_order"])
        for item in result:
            del item["_order"]
        return result

    return {
        "regions": report(lambda row: (row["region"],), ("region",)),
        "municipalities": report(lambda row: (row["region"], row["municipality"]), ("region", "municipality")),
    }


def closing_changes(
    people: Iterable[Mapping[str, Any]],
    hosts: Iterable[Mapping[str, Any]] = (),
    *,
    per_area: int = 3,
    smallest_shown: int = 5,
) -> list[dict[str, Any]]:
    """For each municipality, new places that would give the most of its people without one a feasible place.

    A new place has no dates and no places taken, so it is feasible for a person exactly when
    it lies within their travel distance, offers every support they need and requires no
    language they do not speak. For each municipality, greedily: of the places that could be
    put at one of its people's locations or at a host near them, offering one of the sets of
    support they need, take the one feasible for the most people still without a place (then
    the one offering least), and repeat on those left, at most ``per_area`` times. Every change
    serves at least one person: a change that serves nobody is never proposed.

    Parameters
    ----------
    people : iterable of mappings
        As for :func:`needs_gaps`, with ``latitude``, ``longitude``, ``travel_km`` (None: no
        limit), ``languages`` and ``needs``; rows with reasons are the people without a place.
    hosts : iterable of mappings
        Organisations that could offer such a place: ``{"id", "latitude", "longitude",
        "support_offered"?}``, e.g. existing hosts of opportunities.

    Returns
    -------
    list of dict
        ``{"code": "add_places", "region", "municipality", "people", "places", "support",
        "languages", "within_km", "latitude", "longitude", "reasons", "hosts"}``, most people
        first. ``places`` is one place per person served; ``within_km``: any site within that
        distance of (``latitude``, ``longitude``) serves them all; ``languages``: a language
        every one of them speaks (the place may require it); ``reasons``: the reason codes the
        change answers, with how many of them had each; ``hosts``: up to three host ids from
        which a place would serve them all, those already offering most of the support first.
        Counts below ``smallest_shown`` are None.

    Examples
    --------
    >>> rows = [{"region": "Podravska", "municipality": "Ormož", "latitude": 46.41, "longitude": 16.15,
    ...          "travel_km": 15, "needs": ["childcare_compatible"], "languages": ["sl"],
    ...          "reasons": ["support:childcare_compatible"], "count": 9}]
    >>> change = closing_changes(rows, [{"id": 4, "latitude": 46.43, "longitude": 16.16}])[0]
    >>> change["people"], change["places"], change["support"], change["languages"], change["hosts"]
    (9, 9, ['childcare_compatible'], ['sl'], [4])
    """
    if isinstance(per_area, bool) or not isinstance(per_area, int) or per_area < 1:
        raise ValueError(f"per_area must be a whole number of at least 1, not {per_area!r}")
    rows = [
        row
        for row in _rows(people)
        if row["reasons"] and row["count"] and "no_location" not in row["reasons"] and _located(row)
    ]
    host_rows = [dict(h) for h in hosts if h.get("latitude") is not None and h.get("longitude") is not None]
    host_lat = np.array([float(h["latitude"]) for h in host_rows])
    host_lon = np.array([float(h["longitude"]) for h in host_rows])
    areas: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in rows:
        areas.setdefault((row["region"], row["municipality"]), []).append(row)
    changes = []
    for (region, municipality), members in sorted(areas.items(), key=lambda item: tuple(str(k) for k in item[0])):
        for change in _area_changes(members, host_rows, host_lat, host_lon, per_area):
            changes.append({"code": "add_places", "region": region, "municipality": municipality, **change})
    changes.sort(key=lambda c: (-c["people"], str(c["region"]), str(c["municipality"] or "")))
    for change in changes:
        change["places"] = suppress(change["places"], smallest_shown)
        change["people"] = suppress(change["people"], smallest_shown)
        change["reasons"] = {code: suppress(n, smallest_shown) for code, n in change["reasons"].items()}
    return changes


def _located(row: Mapping[str, Any]) -> bool:
    return row["latitude"] is not None and row["longitude"] is not None


def _area_changes(
    members: list[dict[str, Any]], hosts: list[dict[str, Any]], host_lat: np.ndarray, host_lon: np.ndarray, top: int
) -> list[dict[str, Any]]:
    lat = np.array([float(r["latitude"]) for r in members])
    lon = np.array([float(r["longitude"]) for r in members])
    reach = np.array([np.inf if r["travel_km"] is None else r["travel_km"] for r in members])
    count = np.array([r["count"] for r in members], dtype=np.int64)
    by_people = np.argsort(-count, kind="stable")
    sites = [(lat[k], lon[k], None) for k in by_people[:_SITES]]
    if len(hosts):
        # Hosts from which some of these people could be reached at all, nearest to the area first.
        centre = haversine_km(
            host_lat, host_lon, float(np.average(lat, weights=count)), float(np.average(lon, weights=count))
        )
        finite = reach[np.isfinite(reach)]
        bound = (finite.max() if len(finite) else np.inf) + float(haversine_km(lat, lon, lat.mean(), lon.mean()).max())
        for h in np.argsort(centre, kind="stable")[:_SITES]:
            if centre[h] <= bound:
                sites.append((host_lat[h], host_lon[h], h))
    need_sets: Counter[frozenset[str]] = Counter()
    for row in members:
        need_sets[row["needs"]] += row["count"]
    offers = [needs for needs, _ in need_sets.most_common(_SUPPORT_SETS)]
    needs_ok = np.array([[row["needs"] <= offer for row in members] for offer in offers], dtype=bool).reshape(
        len(offers), len(members)
    )
    within = np.array([haversine_km(lat, lon, s_lat, s_lon) <= reach for s_lat, s_lon, _ in sites], dtype=bool).reshape(
        len(sites), len(members)
    )
    left = np.ones(len(members), dtype=bool)
    found = []
    for _ in range(top):
        # served[s, o]: people still without a place that a place at site s offering set o would serve.
        fits = within[:, None, :] & needs_ok[None, :, :] & left[None, None, :]
        served = (fits * count).sum(axis=2)
        if not served.size or served.max() == 0:
            break
        size = np.array([len(offer) for offer in offers])
        # Most people; among equals, the place offering least, then the earliest site (most people).
        best = np.lexsort((np.arange(served.size), np.tile(size, len(sites)), -served.ravel()))[0]
        s, o = divmod(int(best), len(offers))
        chosen = fits[s, o]
        found.append(_describe(members, lat, lon, reach, count, chosen, sites[s], offers[o], hosts, host_lat, host_lon))
        left &= ~chosen
    return found


def _describe(
    members: list[dict[str, Any]],
    lat: np.ndarray,
    lon: np.ndarray,
    reach: np.ndarray,
    count: np.ndarray,
    chosen: np.ndarray,
    site: tuple[float, float, int | None],
    offer: frozenset[str],
    hosts: list[dict[str, Any]],
    host_lat: np.ndarray,
    host_lon: np.ndarray,
) -> dict[str, Any]:
    s_lat, s_lon, _ = site
    served = [members[k] for k in np.flatnonzero(chosen)]
    slack = reach[chosen] - haversine_km(lat[chosen], lon[chosen], s_lat, s_lon)
    common = frozenset.intersection(*(row["languages"] for row in served))
    spoken = Counter(code for row in members for code in row["languages"] for _ in range(row["count"]))
    language = sorted(common, key=lambda code: (-spoken[code], code))[:1]
    reasons: Counter[str] = Counter()
    for row in served:
        for code in row["reasons"]:
            reasons[code] += row["count"]
    named = []
    if len(hosts):
        # The hosts within reach of every person served, narrowed person by person: each distance is
        # worked out only for the hosts still in, and what they offer only for those left (at a
        # country's scale, every host for every change took 12 of the recompute's 80 seconds).
        near = np.arange(len(hosts))
        for k in np.flatnonzero(chosen):
            near = near[haversine_km(host_lat[near], host_lon[near], lat[k], lon[k]) <= reach[k]]
        distance = haversine_km(host_lat[near], host_lon[near], s_lat, s_lon)
        offered = [len(offer & frozenset(hosts[h].get("support_offered") or ())) for h in near]
        order = sorted(range(len(near)), key=lambda i: (-offered[i], distance[i], str(hosts[near[i]].get("id"))))
        named = [hosts[near[i]]["id"] for i in order[:_HOSTS_NAMED]]
    people = int(count[chosen].sum())
    within_km = float(slack.min())
    return {
        "people": people,
        "places": people,
        "support": sorted(offer),
        "languages": language,
        # Rounded down, so that "within x km" stays true.
        "within_km": None if not np.isfinite(within_km) else float(np.floor(within_km * 10) / 10),
        "latitude": float(s_lat),
        "longitude": float(s_lon),
        "reasons": dict(sorted(reasons.items())),
        "hosts": named,
    }


def bridge_closers(
    G: nx.Graph[Any], bridges: Sequence[Mapping[str, Any]], *, top: int | None = None
) -> list[dict[str, Any]]:
    """For each bridge, a partnership that would stop it being the only tie: one end with a partner of the other.

    For a bridge between ``a`` and ``w``, a new tie between ``a`` and another partner ``b`` of
    ``w`` closes the cycle a–w–b–a, so losing the tie a–w no longer cuts anyone off. ``a`` is
    the end with fewer ties (the side more likely cut off); ``b`` the best-connected other
    partner of ``w``. A bridge whose ends have no other partners (a pair on its own) gets none.

    Returns
    -------
    list of dict
        ``{"bridge": [source, target], "source": a, "target": b, "reasons": [{"code":
        "common_partners", "partners": [w]}, {"code": "closes_bridge"}]}``, in the order of
        ``bridges``.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 4), (4, 2)])
    >>> [(c["source"], c["target"]) for c in bridge_closers(G, [{"source": 1, "target": 2}])]
    [(1, 3)]
    """
    result = []
    for bridge in bridges:
        u, v = bridge["source"], bridge["target"]
        if u not in G or v not in G:
            continue
        ends = sorted(((u, v), (v, u)), key=lambda pair: (G.degree(pair[0]), str(pair[0])))
        for a, w in ends:
            others = [b for b in G.neighbors(w) if b != a and not G.has_edge(a, b)]
            if others:
                b = min(others, key=lambda n: (-G.degree(n), str(n)))
                result.append(
                    {
                        "bridge": [u, v],
                        "source": a,
                        "target": b,
                        "reasons": [{"code": "common_partners", "partners": [w]}, {"code": "closes_bridge"}],
                    }
                )
                break
        if top is not None and len(result) >= top:
            break
    return result
