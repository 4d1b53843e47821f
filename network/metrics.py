"""Network metrics a coordinator reads: hubs, brokers, communities, cross-border ties, weak points."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, cast

import networkx as nx
from networkx.utils import create_py_random_state, not_implemented_for

from network.encounters import working_ties

try:  # igraph's C core runs the breadth-first searches of betweenness ~50x faster than networkx
    import igraph
except ImportError:  # pragma: no cover - a dependency; networkx gives the same numbers, slowly
    igraph = None

__all__ = [
    "BETWEENNESS_BUDGET",
    "MIN_BETWEENNESS_PIVOTS",
    "betweenness_pivots",
    "centrality",
    "communities",
    "cross_border",
    "fragility",
    "summary",
    "weakly_tied",
]

# Betweenness runs one breadth-first search per pivot, each touching every organisation and
# both ends of every tie: the budget is pivots x (organisations + 2 x ties), measured at 25-30 ns
# each with igraph at 20,000 organisations, so 20-25 s there, the largest part of a country's
# recompute. Exact fits it up to ~8,000 organisations with 40,000 ties. On the bench's networks
# (bench/network_metrics.py, seeds 0-2) it allows 6,846 pivots at 10,000 organisations with
# 53,000 ties, whose top 100 brokers held 93-94 of the exact top 100,
# and 3,421 at 20,000 with 107,000 ties: 94-96 (networkx's 64 pivots found 46 and 52). Do not
# lower it for speed: 350,000,000 (2,995 pivots) found only 84-87 at 10,000 organisations.
BETWEENNESS_BUDGET = 800_000_000
# Fewer pivots than this rank nothing reliably, whatever the budget says.
MIN_BETWEENNESS_PIVOTS = 64


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def centrality(G: nx.Graph[Any], *, k: int | None = None, seed: Any = None) -> dict[Any, dict[str, float]]:
    """Degree, weighted degree, betweenness and PageRank of every organisation.

    "Met at" ties (edges that are only that, see `network.working_ties`) are not counted in
    ``degree``, which counts formal and referral ties; they do add to who-connects-whom:
    ``weighted_degree``, betweenness and PageRank follow every edge.

    Betweenness (who connects whom) counts hops and is normalised to [0, 1] as networkx's
    ``betweenness_centrality``. It is exact when the graph fits ``BETWEENNESS_BUDGET``,
    otherwise estimated from as many pivots as fit it (see `betweenness_pivots`), drawn at
    random like networkx's ``k`` and scaled the same way, so the numbers are networkx's.
    PageRank follows the tie weights.

    Parameters
    ----------
    G : networkx.Graph
    k : int, optional
        Number of pivots for sampled betweenness instead of the budget's; ``k >= len(G)`` is exact.
    seed : int, random.Random or None
        Chooses the pivots.

    Returns
    -------
    dict
        ``{node: {"degree", "weighted_degree", "betweenness", "pagerank"}}``.

    Examples
    --------
    >>> c = centrality(nx.star_graph(3))
    >>> c[0]["degree"], c[0]["betweenness"], c[1]["betweenness"]
    (3, 1.0, 0.0)
    """
    return _centrality(G, k, seed)[0]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def communities(G: nx.Graph[Any], *, resolution: float = 1.0, seed: Any = 0) -> list[set[Any]]:
    """Communities found by Louvain on the tie weights, largest first.

    Parameters
    ----------
    G : networkx.Graph
    resolution : float
        Above 1 favours smaller communities, below 1 larger ones.
    seed : int, random.Random or None
        The same seed gives the same communities.

    Returns
    -------
    list of sets
        Ties in size are ordered by their smallest node.

    Examples
    --------
    >>> G = nx.union(nx.complete_graph(4), nx.complete_graph(range(4, 7)))
    >>> G.add_edge(0, 4)
    >>> communities(G)
    [{0, 1, 2, 3}, {4, 5, 6}]
    """
    if not resolution > 0:
        raise ValueError(f"resolution must be positive, not {resolution!r}")
    found = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    return sorted(found, key=lambda community: (-len(community), min(community)))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def cross_border(G: nx.Graph[Any]) -> dict[str, Any]:
    """Ties between organisations of different countries, per organisation and per region pair.

    Organisations without a country are never counted as crossing a border.

    Returns
    -------
    dict
        ``"organisations"``: ``{node: number of cross-border ties}`` for every node;
        ``"region_pairs"``: a list of ``{"country_a", "region_a", "country_b", "region_b",
        "ties"}``, most ties first, each pair once with ``(country_a, region_a)`` first in
        sort order.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"country": "SI", "region": "Podravska"}),
    ...                   (2, {"country": "HR", "region": "Međimurska"}), (3, {"country": "SI"})])
    >>> G.add_edges_from([(1, 2), (1, 3)])
    >>> result = cross_border(G)
    >>> result["organisations"]
    {1: 1, 2: 1, 3: 0}
    >>> result["region_pairs"]
    [{'country_a': 'HR', 'region_a': 'Međimurska', 'country_b': 'SI', 'region_b': 'Podravska', 'ties': 1}]
    """
    per_node = dict.fromkeys(G, 0)
    pairs: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
    for u, v in G.edges():
        a, b = G.nodes[u], G.nodes[v]
        if a.get("country") and b.get("country") and a["country"] != b["country"]:
            per_node[u] += 1
            per_node[v] += 1
            ends = sorted(((a["country"], a.get("region") or ""), (b["country"], b.get("region") or "")))
            pairs[ends[0], ends[1]] += 1
    region_pairs = [
        {"country_a": ca, "region_a": ra, "country_b": cb, "region_b": rb, "ties": ties}
        for ((ca, ra), (cb, rb)), ties in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"organisations": per_node, "region_pairs": region_pairs}


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def fragility(G: nx.Graph[Any]) -> dict[str, list[dict[str, Any]]]:
    """Where the network would fall apart: bridges and articulation points.

    A bridge is a tie, an articulation point an organisation, whose loss splits its part
    of the network. ``cut_off`` is how many organisations would lose their connection to
    the rest: for a bridge, the smaller side; for an articulation point, everyone not in
    the largest remaining piece (the point itself not counted).

    Returns
    -------
    dict
        ``"bridges"``: ``[{"source", "target", "cut_off"}]`` and ``"articulation_points"``:
        ``[{"organisation", "cut_off"}]``, both largest ``cut_off`` first.

    Examples
    --------
    Two triangles joined by one tie:

    >>> result = fragility(nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)]))
    >>> result["bridges"]
    [{'source': 2, 'target': 3, 'cut_off': 3}]
    >>> result["articulation_points"]
    [{'organisation': 2, 'cut_off': 2}, {'organisation': 3, 'cut_off': 2}]
    """
    # Every bridge lies on any spanning tree, so subtree sizes of a DFS tree give both sides.
    parent, size, total = _tree_sizes(G, dict.fromkeys(G, 1))
    bridges = []
    for u, v in nx.bridges(G):
        child = v if parent.get(v) == u else u
        side = size[child]
        bridges.append({"source": min(u, v), "target": max(u, v), "cut_off": min(side, total[child] - side)})

    # In the block-cut tree each block weighs its own (non-cut) organisations, each cut
    # vertex 1; removing a cut vertex leaves the pieces hanging off it in that tree.
    cut_vertices = set(nx.articulation_points(G))
    T: nx.Graph[tuple[str, Any]] = nx.Graph()
    # networkx yields each block as a set of nodes; types-networkx says a list of sets.
    blocks = cast("Iterator[set[Any]]", nx.biconnected_components(G))
    for index, block in enumerate(blocks):
        T.add_node(("block", index), weight=len(block - cut_vertices))
        T.add_edges_from((("block", index), ("cut", vertex)) for vertex in block & cut_vertices)
    T.add_nodes_from((("cut", vertex) for vertex in cut_vertices), weight=1)
    parent, size, total = _tree_sizes(T, dict(T.nodes(data="weight")))
    children: dict[Any, list[Any]] = {}
    for child, above in parent.items():
        children.setdefault(above, []).append(child)
    points = []
    for vertex in cut_vertices:
        tree_node = ("cut", vertex)
        pieces = [size[child] for child in children.get(tree_node, ())]
        if tree_node in parent:
            pieces.append(total[tree_node] - size[tree_node])
        points.append({"organisation": vertex, "cut_off": total[tree_node] - 1 - max(pieces)})

    def order(item: dict[str, Any]) -> tuple[Any, ...]:
        return -item["cut_off"], item.get("organisation", item.get("source")), item.get("target", 0)

    return {"bridges": sorted(bridges, key=order), "articulation_points": sorted(points, key=order)}


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def weakly_tied(G: nx.Graph[Any], *, max_degree: int = 1) -> dict[str, list[Any]]:
    """Organisations with no ties, and those with at most ``max_degree`` ties.

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> G.add_node(9)
    >>> weakly_tied(G)
    {'isolated': [9], 'weakly_tied': [0, 2]}
    """
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) or max_degree < 0:
        raise ValueError(f"max_degree must be a whole number of at least 0, not {max_degree!r}")
    degrees = G.degree()
    return {
        "isolated": sorted(node for node, degree in degrees if degree == 0),
        "weakly_tied": sorted(node for node, degree in degrees if 0 < degree <= max_degree),
    }


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def summary(
    G: nx.Graph[Any],
    *,
    k: int | None = None,
    seed: Any = 0,
    resolution: float = 1.0,
    max_degree: int = 1,
) -> dict[str, Any]:
    """Every metric in one JSON-serialisable dict, the form the portal caches.

    Options are passed on to `centrality`, `communities` and `weakly_tied`.

    Counts of ties (``edges``, ``components``, ``density``, cross-border ties, bridges,
    articulation points, isolated and weakly tied organisations) are of the working ties:
    meeting at training events changes none of them. Met-at ties feed the flow measures
    (weighted degree, betweenness, PageRank) and the communities, and are counted apart in
    ``met_at_edges`` and each row's ``met_at_ties``.

    Returns
    -------
    dict
        ``nodes``, ``edges``, ``met_at_edges`` (pairs that met at events, formally tied or
        not), ``components``, ``density``; ``betweenness`` (``{"exact", "pivots"}``);
        ``organisations``: one row per node with ``id``, the `centrality` values,
        ``met_at_ties`` (organisations met at events), ``community`` (index into
        ``communities``) and ``cross_border_ties``;
        ``communities`` (sorted id lists, largest first); ``region_pairs``; ``bridges``;
        ``articulation_points``; ``isolated``; ``weakly_tied``.

    Examples
    --------
    >>> import json
    >>> result = summary(nx.path_graph(3))
    >>> result["organisations"][1]["betweenness"], result["bridges"][0]
    (1.0, {'source': 0, 'target': 1, 'cut_off': 1})
    >>> len(json.dumps(result)) > 0
    True
    """
    values, pivots = _centrality(G, k, seed)
    groups = communities(G, resolution=resolution, seed=seed)
    community_of = {node: index for index, group in enumerate(groups) for node in group}
    W = working_ties(G)
    borders = cross_border(W)
    weak_points = fragility(W)
    met = {node: sum(1 for data in G.adj[node].values() if data.get("met_at")) for node in G}
    rows = [
        {
            "id": node,
            **values[node],
            "met_at_ties": met[node],
            "community": community_of[node],
            "cross_border_ties": borders["organisations"][node],
        }
        for node in sorted(G)
    ]
    return {
        "nodes": G.number_of_nodes(),
        "edges": W.number_of_edges(),
        "met_at_edges": sum(1 for _, _, data in G.edges(data=True) if data.get("met_at")),
        "components": nx.number_connected_components(W),
        "density": nx.density(W),
        "betweenness": {"exact": pivots is None, "pivots": pivots},
        "organisations": rows,
        "communities": [sorted(group) for group in groups],
        "region_pairs": borders["region_pairs"],
        **weak_points,
        **weakly_tied(W, max_degree=max_degree),
    }


def _centrality(G: nx.Graph[Any], k: int | None, seed: Any) -> tuple[dict[Any, dict[str, float]], int | None]:
    """`centrality` and the number of betweenness pivots (None when exact)."""
    betweenness, pivots = _betweenness(G, k, seed)
    pagerank = nx.pagerank(G, weight="weight") if len(G) else {}
    weighted = dict(G.degree(weight="weight"))
    values = {
        node: {
            "degree": degree,
            "weighted_degree": float(weighted[node]),
            "betweenness": betweenness[node],
            "pagerank": pagerank[node],
        }
        for node, degree in working_ties(G).degree()
    }
    return values, pivots


def betweenness_pivots(organisations: int, ties: int, budget: int | None = None) -> int | None:
    """How many pivots `centrality` samples betweenness from by default: None when exact.

    Exact while one search from every organisation fits ``budget`` (by default
    ``BETWEENNESS_BUDGET``); otherwise as many pivots as fit it, but at least
    ``MIN_BETWEENNESS_PIVOTS``.

    Examples
    --------
    >>> betweenness_pivots(5_000, 25_000) is None, betweenness_pivots(20_000, 100_000)
    (True, 3636)
    """
    budget = BETWEENNESS_BUDGET if budget is None else budget
    per_search = organisations + 2 * ties
    if organisations * per_search <= budget:
        return None
    return max(MIN_BETWEENNESS_PIVOTS, budget // per_search)


def _betweenness(G: nx.Graph[Any], k: int | None, seed: Any) -> tuple[dict[Any, float], int | None]:
    """Betweenness and the number of pivots it was sampled from (None when exact)."""
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")
    if k is None:
        k = betweenness_pivots(G.number_of_nodes(), G.number_of_edges())
    n = len(G)
    exact = k is None or k >= n
    if n < 3:  # nobody lies between two others
        return dict.fromkeys(G, 0.0), None if exact else k
    if exact or k is None:
        # Every ordered pair (s, t) counted once, over the pairs a node could lie between.
        scale = 1 / ((n - 1) * (n - 2))
        return {node: 2 * value * scale for node, value in _pair_dependencies(G, None).items()}, None
    # The pivots networkx's betweenness_centrality(G, k=k, seed=seed) would draw, and its scaling:
    # a pivot is never its own source, so its value rests on one pivot fewer (none when k is 1).
    pivots = create_py_random_state(seed).sample(list(G), k)
    on_pivot = 1 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    elsewhere = 1 / (k * (n - 2))
    chosen = set(pivots)
    values = _pair_dependencies(G, pivots)
    return {node: 2 * value * (on_pivot if node in chosen else elsewhere) for node, value in values.items()}, k


def _pair_dependencies(G: nx.Graph[Any], sources: list[Any] | None) -> dict[Any, float]:
    """For every node, the shares of shortest paths through it, summed over pairs {s, t} with s in
    ``sources`` (every node when None) and t anywhere: networkx's unnormalised betweenness.
    """
    if igraph is None:
        if sources is None:
            return nx.betweenness_centrality(G, normalized=False)
        return nx.betweenness_centrality_subset(G, sources, list(G), normalized=False)
    nodes = list(G)
    position = {node: number for number, node in enumerate(nodes)}
    # A tie of an organisation to itself lies on no shortest path.
    edges = [(position[u], position[v]) for u, v in G.edges() if u != v]
    graph = igraph.Graph(n=len(nodes), edges=edges)
    if sources is None:
        values = graph.betweenness(directed=False)
    else:
        values = graph.betweenness(directed=False, sources=[position[node] for node in sources])
    return dict(zip(nodes, values, strict=True))


def _tree_sizes(G: nx.Graph[Any], weight: dict[Any, int]) -> tuple[dict[Any, Any], dict[Any, int], dict[Any, int]]:
    """DFS-forest parents, subtree weights, and the total weight of each node's component."""
    parent: dict[Any, Any] = {}
    size = dict(weight)
    total: dict[Any, int] = {}
    for component in nx.connected_components(G):
        root = next(iter(component))
        order = [root]
        for above, child in nx.dfs_edges(G, root):
            parent[child] = above
            order.append(child)
        for child in reversed(order[1:]):
            size[parent[child]] += size[child]
        total.update(dict.fromkeys(component, size[root]))
    return parent, size, total
