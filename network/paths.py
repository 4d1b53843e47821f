"""Paths and focus: the chain of ties between two organisations, and one organisation's neighbourhood."""

from __future__ import annotations

from typing import Any

import networkx as nx
from networkx.utils import not_implemented_for

__all__ = ["neighbourhood", "shortest_chain"]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def shortest_chain(G: nx.Graph[Any], a: Any, b: Any) -> list[Any]:
    """The chain of ties from ``a`` to ``b`` with the fewest hops, preferring stronger ties.

    Each hop costs 1 plus a tie-breaker ``1 / (n * weight)``; the tie-breakers along any
    chain add up to less than one hop, so the chain is always among the shortest, and among
    those it is the one whose ties are strongest. (A pure ``1/weight`` cost would send a
    counsellor through five strong ties rather than two weak ones.) Edges without a
    positive ``weight`` count as weight 1.

    Raises
    ------
    networkx.NodeNotFound
        If ``a`` or ``b`` is not in the graph.
    networkx.NetworkXNoPath
        If no chain joins them.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge("csd", "ngo", weight=1.0)
    >>> G.add_edge("ngo", "firm", weight=1.0)
    >>> G.add_edge("csd", "agency", weight=5.0)
    >>> G.add_edge("agency", "firm", weight=5.0)
    >>> shortest_chain(G, "csd", "firm")
    ['csd', 'agency', 'firm']
    """
    for node in (a, b):
        if node not in G:
            raise nx.NodeNotFound(f"organisation {node!r} is not in the network")
    scale = max(len(G), 1)

    def cost(u: Any, v: Any, data: dict[str, Any]) -> float:
        weight = data.get("weight") or 1.0
        return 1.0 + 1.0 / (scale * (weight if weight > 0 else 1.0))

    return nx.dijkstra_path(G, a, b, weight=cost)


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def neighbourhood(G: nx.Graph[Any], node: Any, depth: int = 1) -> dict[Any, int]:
    """Organisations within ``depth`` ties of ``node``, with their distance in ties.

    The keys are the node set of the ego graph (``G.subgraph(result)``); ``node`` itself
    is at distance 0.

    Raises
    ------
    networkx.NodeNotFound
        If ``node`` is not in the graph.
    ValueError
        If ``depth`` is not a whole number of at least 0.

    Examples
    --------
    >>> neighbourhood(nx.path_graph(5), 2)
    {2: 0, 1: 1, 3: 1}
    >>> sorted(neighbourhood(nx.path_graph(5), 0, depth=2))
    [0, 1, 2]
    """
    if node not in G:
        raise nx.NodeNotFound(f"organisation {node!r} is not in the network")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a whole number of at least 0, not {depth!r}")
    return nx.single_source_shortest_path_length(G, node, cutoff=depth)
