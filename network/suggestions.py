"""Suggested new partnerships: link prediction combined with complementary kinds and distance, explained."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from networkx.utils import not_implemented_for
from scipy.spatial import cKDTree

from network.encounters import is_met_at_only, working_ties
from network.geo import EARTH_RADIUS_KM, haversine_km
from network.records import HOST_KINDS, REFERRER_KINDS

__all__ = ["suggest_for_each", "suggest_network_wide", "suggest_partnerships"]

# A referrer and a host are the tie that becomes placements; two different kinds may still
# complement each other; two of a kind rarely need each other.
_COMPLEMENTARY, _DIFFERENT, _SAME = 1.0, 0.25, 0.0
_OTHER, _REFERRER, _HOST = 0, 1, 2  # role codes
# Partners of more than this many organisations (a ministry, a national office) are tied to
# nearly everyone, so sharing one says little, and the pairs they would add grow with the
# square of their degree: they alone do not make a pair a candidate (Adamic-Adar still
# credits them, a little, for pairs found otherwise).
_HUB_DEGREE = 200
# Without ``node=``, each referrer (host) is paired with the untied ones among this many of
# its nearest hosts (referrers) within ``max_km``; all pairs within reach grow quadratically in a city.
_NEAREST = 10
# Partners' entries gathered at once to score candidate pairs (a pair gathers both ends' ties):
# bounds the sparse row products to tens of MB even when hubs are in many pairs.
_GATHERED = 4_000_000
_NAMED_PARTNERS = 3


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def suggest_partnerships(
    G: nx.Graph[Any],
    *,
    top: int = 20,
    max_km: float = 60,
    node: Any = None,
) -> list[dict[str, Any]]:
    """Likely useful new partnerships, best first, each with a plain-language reason.

    Candidates are untied pairs that share a partner and pairs close to each other: with
    ``node``, every organisation within ``max_km`` of it; without, the untied ones among
    each referrer's (social work centre, employment office) ten nearest hosts (social
    enterprise, NGO, employer) within ``max_km``, and the other way round. Each candidate
    scores

    ``adamic_adar + kind + proximity + met``

    where ``adamic_adar`` is the Adamic-Adar index (shared partners, those with fewer ties
    counting more; the same value as ``networkx.adamic_adar_index``, computed for all
    candidates at once with sparse matrices), ``kind`` is 1 for a referrer with a host,
    0.25 for other different kinds and 0 for the same kind, and ``proximity`` falls from 1
    at 0 km to 0 at ``max_km`` (0 when a location is unknown), and ``met`` is
    ``min(1, met_at_weight(events))`` for a pair whose staff met at ``events`` training events
    (0.5 for one event, 1 from three on). Pairs that only met (a "met at" edge, see
    `network.working_ties`) are candidates too: meeting is a reason to work together, not a
    tie that makes a suggestion pointless; shared partners are counted over working ties
    only. Existing working ties and self-pairs are never suggested. Equal scores follow the
    graph's node order, so the ranking is deterministic without a seed.

    Parameters
    ----------
    G : networkx.Graph
        As `build_graph` makes it (node ``name``, ``kind``, ``latitude``, ``longitude``).
    top : int
        How many suggestions to return at most.
    max_km : float
        Distance within which nearness makes a pair a candidate and adds to its score.
    node : optional
        Only suggestions for this organisation (then it is always ``source``).

    Returns
    -------
    list of dict
        ``{"source", "target", "score", "common_partners", "distance_km", "reasons", "reason"}``;
        ``distance_km`` is None when a location is unknown. ``reasons`` lists why, as codes with
        parameters: ``met_at`` (``events``: shared training events, ``years``: their years),
        ``common_partners`` (``partners``: up to three node ids, ``more``: how many
        else), ``near`` (under 1 km), ``distance`` (``km``, whole), ``complementary`` (one refers,
        the other hosts), ``same_kind`` (``kind``); ``reason`` says the same in English.

    Raises
    ------
    networkx.NodeNotFound
        If ``node`` is not in the graph.
    ValueError
        If ``top`` or ``max_km`` is not positive.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"name": "CSD Ptuj", "kind": "social_work_centre"}),
    ...                   (2, {"name": "CPU", "kind": "social_enterprise"}),
    ...                   (3, {"name": "LU Ormož", "kind": "adult_education"})])
    >>> G.add_edges_from([(1, 3), (3, 2)])
    >>> [best] = suggest_partnerships(G)
    >>> best["source"], best["target"], best["common_partners"], best["reason"]
    (1, 2, [3], 'both work with LU Ormož; one refers, the other hosts')
    >>> best["reasons"]
    [{'code': 'common_partners', 'partners': [3], 'more': 0}, {'code': 'complementary'}]
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a whole number of at least 1, not {top!r}")
    if isinstance(max_km, bool) or not isinstance(max_km, (int, float)) or not max_km > 0:
        raise ValueError(f"max_km must be a positive number, not {max_km!r}")
    if node is not None and node not in G:
        raise nx.NodeNotFound(f"organisation {node!r} is not in the network")
    if len(G) < 2:
        return []
    return _suggest(G, _Prepared(G), top, max_km, node)


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def suggest_for_each(G: nx.Graph[Any], *, top: int = 5, max_km: float = 60) -> dict[Any, list[dict[str, Any]]]:
    """`suggest_partnerships` with ``node=`` for every organisation, the graph prepared once.

    The same lists as calling it per node (each organisation is ``source`` of its own), without
    splitting off the working ties and reading the node attributes again for every organisation.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"kind": "social_work_centre"}), (2, {"kind": "ngo"}), (3, {"kind": "ngo"})])
    >>> G.add_edges_from([(1, 3), (3, 2)])
    >>> {node: [s["target"] for s in found] for node, found in suggest_for_each(G).items()}
    {1: [2], 2: [1], 3: []}
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a whole number of at least 1, not {top!r}")
    if isinstance(max_km, bool) or not isinstance(max_km, (int, float)) or not max_km > 0:
        raise ValueError(f"max_km must be a positive number, not {max_km!r}")
    if len(G) < 2:
        return {node: [] for node in G}
    prepared = _Prepared(G)
    return {node: _suggest(G, prepared, top, max_km, node) for node in G}


class _Prepared:
    """What every ranking of one graph reads: its nodes, working ties, met-at pairs and node arrays."""

    def __init__(self, G: nx.Graph[Any]) -> None:
        self.nodes = list(G)
        self.W = working_ties(G)
        self.met = _met_pairs(G, self.W, self.nodes)
        self.arrays = _node_arrays(G, self.nodes)


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def suggest_network_wide(
    G: nx.Graph[Any], *, top: int = 50, per_node: int = 5, pool: int | None = None, max_km: float = 60
) -> dict[str, Any]:
    """The best partnerships network-wide, and each organisation's share of one generous ranking.

    ``"top"`` is ``suggest_partnerships(G, top=top)``; ``"by_node"`` walks the first ``pool``
    (by default ``len(G) * per_node``) suggestions of ``suggest_partnerships(G, top=pool)``
    best first and gives each end its first ``per_node``, as ``source`` (the pair turned round
    for the target), keyed by node in the order they first appear. One ranking serves both,
    and only the pairs someone keeps are explained: at 20,000 organisations that is
    seconds less than ranking twice and explaining all ``pool`` pairs.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"kind": "social_work_centre"}), (2, {"kind": "ngo"}), (3, {"kind": "ngo"})])
    >>> G.add_edges_from([(1, 3), (3, 2)])
    >>> found = suggest_network_wide(G, top=1, per_node=1)
    >>> [(s["source"], s["target"]) for s in found["top"]], found["by_node"][2][0]["target"]
    ([(1, 2)], 1)
    """
    for name, value in (("top", top), ("per_node", per_node), ("pool", 1 if pool is None else pool)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    if isinstance(max_km, bool) or not isinstance(max_km, (int, float)) or not max_km > 0:
        raise ValueError(f"max_km must be a positive number, not {max_km!r}")
    if len(G) < 2:
        return {"top": [], "by_node": {}}
    pool = len(G) * per_node if pool is None else pool
    ranked = _Ranked(G, _Prepared(G), max(top, pool), max_km, None)
    kept: dict[Any, list[int]] = {}  # per node, the ranks it keeps
    for rank in range(min(pool, len(ranked))):
        for own in ranked.ends(rank):
            mine = kept.setdefault(own, [])
            if len(mine) < per_node:
                mine.append(rank)
    described: dict[int, dict[str, Any]] = {}

    def describe(rank: int) -> dict[str, Any]:
        if rank not in described:
            described[rank] = ranked.describe(rank)
        return described[rank]

    by_node: dict[Any, list[dict[str, Any]]] = {}
    for own, ranks in kept.items():
        items = by_node[own] = []
        for rank in ranks:
            suggestion = describe(rank)
            other = suggestion["target"] if suggestion["source"] == own else suggestion["source"]
            items.append({**suggestion, "source": own, "target": other})
    return {"top": [describe(rank) for rank in range(min(top, len(ranked)))], "by_node": by_node}


def _suggest(G: nx.Graph[Any], prepared: _Prepared, top: int, max_km: float, node: Any) -> list[dict[str, Any]]:
    ranked = _Ranked(G, prepared, top, max_km, node)
    return [ranked.describe(rank) for rank in range(len(ranked))]


class _Ranked:
    """The ``top`` best candidate pairs, scored; `describe` explains one of them."""

    def __init__(self, G: nx.Graph[Any], prepared: _Prepared, top: int, max_km: float, node: Any) -> None:
        self.G, self.nodes, self.W = G, prepared.nodes, prepared.W
        met_i, met_j, met_events = prepared.met
        lat, lon, kind, role = prepared.arrays
        if node is None:
            u, v, adamic_adar = _candidates(self.W, self.nodes, lat, lon, role, max_km, (met_i, met_j))
        else:
            u, v, adamic_adar = _candidates_of(self.W, self.nodes, node, lat, lon, max_km, G)
        if not len(u):
            self.count = 0
            return
        events = _events_of(len(self.nodes), met_i, met_j, met_events, u, v)
        distance = haversine_km(lat[u], lon[u], lat[v], lon[v])
        # adamic_adar + kind + proximity + met, added in that order in place: with millions of
        # candidates each temporary array is tens of MB.
        score = adamic_adar
        complementary = ((role[u] == _REFERRER) & (role[v] == _HOST)) | ((role[u] == _HOST) & (role[v] == _REFERRER))
        score += np.where(complementary, _COMPLEMENTARY, np.where(kind[u] == kind[v], _SAME, _DIFFERENT))
        del complementary
        score += np.nan_to_num(np.clip(1 - distance / max_km, 0, 1), nan=0.0)  # proximity
        score += np.minimum(1.0, np.log2(1 + events) / 2)  # met: met_at_weight, at most 1
        best = np.lexsort((v, u, -score))[:top]
        # Only the ranked pairs are kept: there may be millions of candidates.
        self.u, self.v, self.score = u[best], v[best], score[best]
        self.distance, self.events = distance[best], events[best]
        self.count = len(best)

    def __len__(self) -> int:
        return self.count

    def ends(self, rank: int) -> tuple[Any, Any]:
        return self.nodes[self.u[rank]], self.nodes[self.v[rank]]

    def describe(self, rank: int) -> dict[str, Any]:
        G, a, b = self.G, *self.ends(rank)
        common = sorted(nx.common_neighbors(self.W, a, b))
        km = None if np.isnan(self.distance[rank]) else round(float(self.distance[rank]), 1)
        meeting = G.edges[a, b] if self.events[rank] else None
        reasons = _reasons(G, a, b, common, km, meeting)
        return {
            "source": a,
            "target": b,
            "score": round(float(self.score[rank]), 4),
            "common_partners": common,
            "distance_km": km,
            "reasons": reasons,
            "reason": _reason(G, reasons),
        }


def _node_arrays(G: nx.Graph[Any], nodes: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Latitude and longitude (NaN when unknown), a kind code and a referrer/host role per node."""
    data = [G.nodes[n] for n in nodes]
    lat = np.array([np.nan if d.get("latitude") is None else d["latitude"] for d in data], dtype=float)
    lon = np.array([np.nan if d.get("longitude") is None else d["longitude"] for d in data], dtype=float)
    kinds = [d.get("kind") or "" for d in data]
    codes = {name: code for code, name in enumerate(sorted(set(kinds)))}
    kind = np.array([codes[name] for name in kinds], dtype=np.int64)
    role = np.array(
        [_REFERRER if name in REFERRER_KINDS else _HOST if name in HOST_KINDS else _OTHER for name in kinds],
        dtype=np.int8,
    )
    return lat, lon, kind, role


def _met_pairs(G: nx.Graph[Any], W: nx.Graph[Any], nodes: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs tied only by meeting at events, as node indices ``i < j``, and their shared events."""
    if W is G:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    position = {n: i for i, n in enumerate(nodes)}
    rows = sorted(
        (min(position[a], position[b]), max(position[a], position[b]), int(data["met_at"]))
        for a, b, data in G.edges(data=True)
        if is_met_at_only(data)
    )
    i, j, events = (np.array(column, dtype=np.int64) for column in zip(*rows, strict=True))
    return i, j, events


def _events_of(
    n: int, met_i: np.ndarray, met_j: np.ndarray, met_events: np.ndarray, u: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """Shared events of each candidate pair (0 for pairs that never met), by binary search."""
    if not len(met_i):
        return np.zeros(len(u), dtype=np.int64)
    codes = met_i * n + met_j  # sorted, as the pairs are
    wanted = np.minimum(u, v) * n + np.maximum(u, v)
    at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    return np.where(codes[at] == wanted, met_events[at], 0)


def _candidates(
    G: nx.Graph[Any],
    nodes: list[Any],
    lat: np.ndarray,
    lon: np.ndarray,
    role: np.ndarray,
    max_km: float,
    met: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Untied pairs (u < v, as node indices) sharing a partner that is no hub, near
    referrer-host pairs and pairs that met at events, with their Adamic-Adar index.
    ``G`` holds the working ties only."""
    n = len(nodes)
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, dtype=np.dtype(float), format="csr")
    A.data[:] = 1.0
    light = np.flatnonzero(A.sum(axis=1) <= _HUB_DEGREE)
    candidates = A[:, light] @ A[:, light].T
    located = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon))
    positions = _positions(lat, lon)
    for askers, others in ((_REFERRER, _HOST), (_HOST, _REFERRER)):
        askers, others = located[role[located] == askers], located[role[located] == others]
        if not len(askers) or not len(others):
            continue
        k = min(_NEAREST, len(others))
        nearest = cKDTree(positions[others]).query(positions[askers], k=k, distance_upper_bound=_chord(max_km))
        # Many askers in, so arrays out (the stubs also allow the scalars of a single point).
        distances, found = np.asarray(nearest[0]), np.asarray(nearest[1])
        within = np.isfinite(distances.reshape(len(askers), k))
        rows, cols = np.repeat(askers, k)[within.ravel()], others[found.reshape(len(askers), k)[within]]
        candidates = candidates + sp.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    if len(met[0]):
        candidates = candidates + sp.coo_array((np.ones(len(met[0])), met), shape=(n, n)).tocsr()
    # Sparse sums merge duplicate pairs; symmetric before triu, so each pair is kept once as u < v.
    candidates = sp.triu(candidates + candidates.T, k=1).tocsr()
    candidates = candidates - candidates.multiply(A)  # drop pairs already tied
    candidates.eliminate_zeros()
    candidates = candidates.tocoo()
    u, v = candidates.row.astype(np.int64), candidates.col.astype(np.int64)
    return u, v, _adamic_adar(A, u, v)


def _candidates_of(
    G: nx.Graph[Any],
    nodes: list[Any],
    node: Any,
    lat: np.ndarray,
    lon: np.ndarray,
    max_km: float,
    everything: nx.Graph[Any],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Untied partners of partners of ``node``, everyone within ``max_km`` and everyone it met at
    events (the edges of ``everything``), with networkx's Adamic-Adar over ``G``, the working ties."""
    i = nodes.index(node)
    partners = G.adj[node]
    reach = {w for partner in partners for w in G.adj[partner]}
    reach.update(everything.adj[node])
    if not np.isnan(lat[i]) and not np.isnan(lon[i]):
        reach.update(nodes[j] for j in np.flatnonzero(haversine_km(lat[i], lon[i], lat, lon) <= max_km))
    others = np.array(
        [j for j, other in enumerate(nodes) if other in reach and other != node and other not in partners],
        dtype=np.int64,
    )
    pairs = [(node, nodes[j]) for j in others]
    adamic_adar = np.fromiter((score for _, _, score in nx.adamic_adar_index(G, pairs)), float, len(others))
    return np.full(len(others), i, dtype=np.int64), others, adamic_adar


def _adamic_adar(A: sp.csr_array, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """networkx's Adamic-Adar index, sum over shared partners w of 1 / log(degree(w)), for many pairs at once."""
    degree = np.asarray(A.sum(axis=0)).ravel()
    # A shared partner has at least two ties; guard log(1) = 0 for everyone else.
    inverse_log = np.divide(1.0, np.log(np.maximum(degree, 2)), out=np.zeros_like(degree), where=degree > 1)
    scaled = (A @ sp.diags_array(inverse_log)).tocsr()
    scores = np.empty(len(u))
    # Entries gathered for pairs 0..i. Pairs are taken in runs of at most _GATHERED entries (at
    # least one pair): a fixed number of pairs took 750 MB at a country's scale, hubs being in many.
    gathered = np.cumsum(np.diff(A.indptr)[u] + np.diff(A.indptr)[v])
    start = 0
    while start < len(u):
        before = int(gathered[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(gathered, before + _GATHERED, side="right")))
        chunk = slice(start, stop)
        scores[chunk] = np.asarray(scaled[u[chunk]].multiply(A[v[chunk]]).sum(axis=1)).ravel()
        start = stop
    return scores


def _positions(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on a sphere of the Earth's radius, so straight-line distances are in km."""
    lat, lon = np.radians(lat), np.radians(lon)
    return EARTH_RADIUS_KM * np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _chord(km: float) -> float:
    """The straight-line length of a great-circle arc of ``km``, a hair longer against rounding."""
    return 2 * EARTH_RADIUS_KM * float(np.sin(min(km / (2 * EARTH_RADIUS_KM), np.pi / 2))) * (1 + 1e-9)


def _reasons(
    G: nx.Graph[Any], u: Any, v: Any, common: list[Any], km: float | None, meeting: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Why a pair is suggested, as codes with parameters, so an application can say it in its own language."""
    reasons: list[dict[str, Any]] = []
    if meeting:
        reasons.append(
            {"code": "met_at", "events": int(meeting["met_at"]), "years": list(meeting.get("met_years", []))}
        )
    if common:
        more = max(0, len(common) - _NAMED_PARTNERS)
        reasons.append({"code": "common_partners", "partners": common[:_NAMED_PARTNERS], "more": more})
    if km is not None:
        reasons.append({"code": "near"} if km < 1 else {"code": "distance", "km": round(km)})
    a, b = G.nodes[u].get("kind"), G.nodes[v].get("kind")
    if {a, b} & REFERRER_KINDS and {a, b} & HOST_KINDS:
        reasons.append({"code": "complementary"})
    elif a and a == b:
        reasons.append({"code": "same_kind", "kind": a})
    return reasons


def _reason(G: nx.Graph[Any], reasons: list[dict[str, Any]]) -> str:
    """The reasons as one English sentence (for the library's own users; the portal translates the codes)."""
    parts = []
    for reason in reasons:
        code = reason["code"]
        if code == "met_at":
            years = [str(year) for year in reason["years"]]
            when = (
                f" in {years[0] if len(years) == 1 else ', '.join(years[:-1]) + ' and ' + years[-1]}" if years else ""
            )
            parts.append(f"met at {reason['events']} training event{'s' if reason['events'] != 1 else ''}{when}")
        elif code == "common_partners":
            names = [str(G.nodes[w].get("name") or w) for w in reason["partners"]]
            if reason["more"]:
                names.append(f"{reason['more']} more")
            parts.append(
                "both work with " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}")
            )
        elif code == "near":
            parts.append("less than 1 km apart")
        elif code == "distance":
            parts.append(f"{reason['km']} km apart")
        elif code == "complementary":
            parts.append("one refers, the other hosts")
        elif code == "same_kind":
            parts.append(f"same kind: {reason['kind'].replace('_', ' ')}")
    return "; ".join(parts)
