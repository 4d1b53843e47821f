"""Tests for network.paths."""

from __future__ import annotations

import networkx as nx
import pytest

from network import neighbourhood, shortest_chain


class TestShortestChain:
    def test_path(self):
        assert shortest_chain(nx.path_graph(4), 0, 3) == [0, 1, 2, 3]
        assert shortest_chain(nx.path_graph(4), 2, 2) == [2]

    def test_prefers_stronger_ties_among_equally_short_chains(self):
        G = nx.Graph()
        G.add_weighted_edges_from(
            [("csd", "ngo", 1.0), ("ngo", "firm", 1.0), ("csd", "agency", 5.0), ("agency", "firm", 4.0)]
        )
        assert shortest_chain(G, "csd", "firm") == ["csd", "agency", "firm"]

    def test_never_takes_an_extra_hop_for_strength(self):
        G = nx.Graph()
        G.add_weighted_edges_from([(0, 1, 1.0), (1, 9, 1.0), (0, 2, 5.0), (2, 3, 5.0), (3, 9, 5.0)])
        assert shortest_chain(G, 0, 9) == [0, 1, 9]

    def test_unweighted_graph(self):
        assert len(shortest_chain(nx.complete_graph(5), 0, 4)) == 2

    def test_fixture_network_crosses_the_border(self, graph):
        assert shortest_chain(graph, 7, 5) == [7, 2, 4, 5]

    def test_unknown_organisation(self):
        with pytest.raises(nx.NodeNotFound):
            shortest_chain(nx.path_graph(3), 0, 99)

    def test_no_chain(self):
        G = nx.Graph([(0, 1)])
        G.add_node(2)
        with pytest.raises(nx.NetworkXNoPath):
            shortest_chain(G, 0, 2)


class TestNeighbourhood:
    def test_depths(self):
        G = nx.path_graph(5)
        assert neighbourhood(G, 2, depth=0) == {2: 0}
        assert neighbourhood(G, 2) == {2: 0, 1: 1, 3: 1}
        assert neighbourhood(G, 0, depth=3) == {0: 0, 1: 1, 2: 2, 3: 3}

    def test_star_centre_reaches_everyone(self):
        assert set(neighbourhood(nx.star_graph(4), 0)) == set(range(5))

    def test_ego_graph(self, graph):
        assert set(graph.subgraph(neighbourhood(graph, 4)).edges) == {(2, 4), (4, 5), (4, 6)}

    def test_unknown_organisation(self):
        with pytest.raises(nx.NodeNotFound):
            neighbourhood(nx.path_graph(3), 7)

    @pytest.mark.parametrize("depth", [-1, 1.5, None])
    def test_bad_depth(self, depth):
        with pytest.raises(ValueError, match="depth"):
            neighbourhood(nx.path_graph(3), 0, depth=depth)
