"""Suggested new partnerships: link prediction combined with complementary kinds and distance, explained."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from networkx.utils import not_implemented_for
from scipy.spatial import cKDTree

from network.geo import EARTH_RADIUS_KM, haversine_km
from network.records import HOST_KINDS, REFERRER_KINDS

__all__ = ["suggest_partnerships"]

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
# Candidate pairs scored at once, bounding the sparse row products to a few hundred MB.
_CHUNK = 200_000
_NAMED_PARTNERS = 3


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def suggest_partnerships(
    G: nx.Graph,
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

    ``adamic_adar + kind + proximity``

    where ``adamic_adar`` is the Adamic-Adar index (shared partners, those with fewer ties
    counting more; the same value as ``networkx.adamic_adar_index``, computed for all
    candidates at once with sparse matrices), ``kind`` is 1 for a referrer with a host,
    0.25 for other different kinds and 0 for the same kind, and ``proximity`` falls from 1
    at 0 km to 0 at ``max_km`` (0 when a location is unknown). Existing ties and self-pairs
    are never suggested. Equal scores follow the graph's node order, so the ranking is
    deterministic without a seed.

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
        parameters: ``common_partners`` (``partners``: up to three node ids, ``more``: how many
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

    nodes = list(G)
    lat, lon, kind, role = _node_arrays(G, nodes)
    if node is None:
        u, v, adamic_adar = _candidates(G, nodes, lat, lon, role, max_km)
    else:
        u, v, adamic_adar = _candidates_of(G, nodes, node, lat, lon, max_km)
    if not len(u):
        return []

    distance = haversine_km(lat[u], lon[u], lat[v], lon[v])
    proximity = np.nan_to_num(np.clip(1 - distance / max_km, 0, 1), nan=0.0)
    complementary = ((role[u] == _REFERRER) & (role[v] == _HOST)) | ((role[u] == _HOST) & (role[v] == _REFERRER))
    kind_score = np.where(complementary, _COMPLEMENTARY, np.where(kind[u] == kind[v], _SAME, _DIFFERENT))
    score = adamic_adar + kind_score + proximity
    best = np.lexsort((v, u, -score))[:top]

    suggestions = []
    for index in best:
        a, b = nodes[u[index]], nodes[v[index]]
        common = sorted(nx.common_neighbors(G, a, b))
        km = None if np.isnan(distance[index]) else round(float(distance[index]), 1)
        reasons = _reasons(G, a, b, common, km)
        suggestions.append(
            {
                "source": a,
                "target": b,
                "score": round(float(score[index]), 4),
                "common_partners": common,
                "distance_km": km,
                "reasons": reasons,
                "reason": _reason(G, reasons),
            }
        )
    return suggestions


def _node_arrays(G: nx.Graph, nodes: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def _candidates(
    G: nx.Graph, nodes: list[Any], lat, lon, role, max_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Untied pairs (u < v, as node indices) sharing a partner that is no hub, plus near
    referrer-host pairs, with their Adamic-Adar index."""
    n = len(nodes)
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, dtype=float, format="csr")
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
        distances, found = cKDTree(positions[others]).query(positions[askers], k=k, distance_upper_bound=_chord(max_km))
        within = np.isfinite(distances.reshape(len(askers), k))
        rows, cols = np.repeat(askers, k)[within.ravel()], others[found.reshape(len(askers), k)[within]]
        candidates = candidates + sp.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    # Sparse sums merge duplicate pairs; symmetric before triu, so each pair is kept once as u < v.
    candidates = sp.triu(candidates + candidates.T, k=1).tocsr()
    candidates = candidates - candidates.multiply(A)  # drop pairs already tied
    candidates.eliminate_zeros()
    candidates = candidates.tocoo()
    u, v = candidates.row.astype(np.int64), candidates.col.astype(np.int64)
    return u, v, _adamic_adar(A, u, v)


def _candidates_of(
    G: nx.Graph, nodes: list[Any], node: Any, lat, lon, max_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Untied partners of partners of ``node`` and everyone within ``max_km``, with networkx's Adamic-Adar."""
    i = nodes.index(node)
    partners = G.adj[node]
    reach = {w for partner in partners for w in G.adj[partner]}
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
    for start in range(0, len(u), _CHUNK):
        chunk = slice(start, start + _CHUNK)
        scores[chunk] = np.asarray(scaled[u[chunk]].multiply(A[v[chunk]]).sum(axis=1)).ravel()
    return scores


def _positions(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on a sphere of the Earth's radius, so straight-line distances are in km."""
    lat, lon = np.radians(lat), np.radians(lon)
    return EARTH_RADIUS_KM * np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _chord(km: float) -> float:
    """The straight-line length of a great-circle arc of ``km``, a hair longer against rounding."""
    return 2 * EARTH_RADIUS_KM * np.sin(min(km / (2 * EARTH_RADIUS_KM), np.pi / 2)) * (1 + 1e-9)


def _reasons(G: nx.Graph, u: Any, v: Any, common: list[Any], km: float | None) -> list[dict[str, Any]]:
    """Why a pair is suggested, as codes with parameters, so an application can say it in its own language."""
    reasons: list[dict[str, Any]] = []
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


def _reason(G: nx.Graph, reasons: list[dict[str, Any]]) -> str:
    """The reasons as one English sentence (for the library's own users; the portal translates the codes)."""
    parts = []
    for reason in reasons:
        code = reason["code"]
        if code == "common_partners":
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
