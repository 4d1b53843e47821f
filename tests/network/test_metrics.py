"""Tests for network.metrics."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import centrality, communities, cross_border, fragility, metrics, summary, weakly_tied


def two_triangles() -> nx.Graph:
    """Triangles 0-1-2 and 3-4-5 joined by the tie 2-3."""
    return nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)])


small_graphs = st.integers(1, 12).flatmap(
    lambda n: st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n).map(
        lambda edges: _graph(n, edges)
    )
)


def _graph(n, edges):
    G = nx.empty_graph(n)
    G.add_edges_from((u, v) for u, v in edges if u != v)
    return G


class TestCentrality:
    def test_star_hub(self):
        result = centrality(nx.star_graph(4))
        assert result[0]["degree"] == 4 and result[0]["betweenness"] == 1.0
        assert all(result[leaf]["betweenness"] == 0.0 and result[leaf]["degree"] == 1 for leaf in range(1, 5))
        assert result[0]["pagerank"] > result[1]["pagerank"]
        assert sum(values["pagerank"] for values in result.values()) == pytest.approx(1.0)

    def test_path_middle_is_the_broker(self):
        assert [centrality(nx.path_graph(3))[node]["betweenness"] for node in range(3)] == [0.0, 1.0, 0.0]

    def test_weighted_degree_adds_tie_weights(self):
        G = nx.Graph()
        G.add_edge(1, 2, weight=2.5)
        G.add_edge(1, 3, weight=1.0)
        assert centrality(G)[1]["weighted_degree"] == 3.5

    def test_values_are_plain_numbers(self, graph):
        result = centrality(graph)
        assert set(result) == set(graph)
        assert set(result[1]) == {"degree", "weighted_degree", "betweenness", "pagerank"}
        json.dumps(result)

    def test_exact_matches_networkx(self):
        G = nx.karate_club_graph()
        exact = nx.betweenness_centrality(G)
        assert all(centrality(G)[node]["betweenness"] == pytest.approx(exact[node]) for node in G)
        assert all(centrality(G, k=len(G))[node]["betweenness"] == pytest.approx(exact[node]) for node in G)

    def test_sampled_is_deterministic_for_a_seed(self):
        G = nx.gnm_random_graph(60, 150, seed=3)
        first, second = centrality(G, k=10, seed=7), centrality(G, k=10, seed=7)
        assert first == second
        assert first != centrality(G)

    def test_large_graphs_are_sampled_by_default(self, monkeypatch):
        G = nx.gnm_random_graph(100, 200, seed=1)
        monkeypatch.setattr(metrics, "BETWEENNESS_BUDGET", 100 * 500 - 1)
        monkeypatch.setattr(metrics, "MIN_BETWEENNESS_PIVOTS", 10)
        assert summary(G)["betweenness"] == {"exact": False, "pivots": 99}
        monkeypatch.setattr(metrics, "BETWEENNESS_BUDGET", 10)
        assert summary(G)["betweenness"] == {"exact": False, "pivots": 10}
        assert summary(G, k=5)["betweenness"] == {"exact": False, "pivots": 5}
        assert summary(G, k=100)["betweenness"] == {"exact": True, "pivots": None}
        monkeypatch.setattr(metrics, "BETWEENNESS_BUDGET", 100 * 500)
        assert summary(G)["betweenness"] == {"exact": True, "pivots": None}

    def test_default_pivots_follow_the_budget(self):
        assert metrics.betweenness_pivots(1000, 5000) is None
        assert metrics.betweenness_pivots(20_000, 100_000) == metrics.BETWEENNESS_BUDGET // 220_000
        assert metrics.betweenness_pivots(10**7, 10**8) == metrics.MIN_BETWEENNESS_PIVOTS
        assert metrics.betweenness_pivots(100, 200, budget=100 * 500) is None

    @pytest.mark.parametrize("k", [1, 2, 10, 59])
    @pytest.mark.parametrize("seed", [0, 7])
    def test_sampled_is_networkx_estimate(self, k, seed):
        # The same pivots networkx would draw, scaled the same way (networkx gives NaN on the
        # single pivot of k=1; this gives 0).
        G = nx.gnm_random_graph(60, 150, seed=3)
        G.add_node(99)
        expected = nx.betweenness_centrality(G, k=k, seed=seed)
        result = centrality(G, k=k, seed=seed)
        assert all(result[node]["betweenness"] == pytest.approx(expected[node], abs=1e-12) or k == 1 for node in G)
        assert all(value["betweenness"] >= 0 for value in result.values())

    @settings(max_examples=60, deadline=None)
    @given(small_graphs, st.integers(1, 13), st.integers(0, 3))
    def test_both_backends_give_networkx_numbers(self, G, k, seed):
        igraph_values = metrics._betweenness(G, k, seed)
        exact = nx.betweenness_centrality(G)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(metrics, "igraph", None)
            networkx_values = metrics._betweenness(G, k, seed)
        assert igraph_values[1] == networkx_values[1] == (None if k >= len(G) else k)
        for node in G:
            assert igraph_values[0][node] == pytest.approx(networkx_values[0][node], abs=1e-12)
            if k >= len(G):
                assert igraph_values[0][node] == pytest.approx(exact[node], abs=1e-12)

    @pytest.mark.parametrize("k", [0, -1, 2.5, True])
    def test_bad_k(self, k):
        with pytest.raises(ValueError, match="k must be"):
            centrality(nx.path_graph(3), k=k)

    def test_empty_graph(self):
        assert centrality(nx.Graph()) == {}


class TestCommunities:
    def test_two_cliques_largest_first(self):
        G = nx.union(nx.complete_graph(5), nx.complete_graph(range(5, 8)))
        G.add_edge(0, 5)
        assert communities(G) == [{0, 1, 2, 3, 4}, {5, 6, 7}]

    def test_a_partition(self):
        G = nx.karate_club_graph()
        found = communities(G)
        assert set().union(*found) == set(G) and sum(map(len, found)) == len(G)
        assert [len(group) for group in found] == sorted((len(group) for group in found), reverse=True)

    def test_deterministic_for_a_seed(self):
        G = nx.gnm_random_graph(80, 200, seed=2)
        assert communities(G, seed=4) == communities(G, seed=4)

    def test_resolution_changes_the_grain(self):
        G = nx.karate_club_graph()
        assert len(communities(G, resolution=0.2)) < len(communities(G, resolution=3.0))

    @pytest.mark.parametrize("resolution", [0, -1.0])
    def test_bad_resolution(self, resolution):
        with pytest.raises(ValueError, match="resolution"):
            communities(nx.path_graph(3), resolution=resolution)

    def test_empty_graph(self):
        assert communities(nx.Graph()) == []


class TestCrossBorder:
    def test_fixture_network(self, graph):
        result = cross_border(graph)
        assert result["organisations"] == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0, 6: 0, 7: 0, 8: 0}
        assert result["region_pairs"] == [
            {
                "country_a": "HR",
                "region_a": "Međimurska županija",
                "country_b": "SI",
                "region_b": "Podravska",
                "ties": 1,
            }
        ]

    def test_pairs_counted_in_either_direction(self):
        G = nx.Graph()
        G.add_nodes_from(
            [
                (1, {"country": "SI", "region": "A"}),
                (2, {"country": "HR", "region": "B"}),
                (3, {"country": "HR", "region": "B"}),
                (4, {"country": None}),
            ]
        )
        G.add_edges_from([(1, 2), (3, 1), (2, 3), (4, 1)])
        result = cross_border(G)
        assert result["organisations"] == {1: 2, 2: 1, 3: 1, 4: 0}
        assert result["region_pairs"] == [
            {"country_a": "HR", "region_a": "B", "country_b": "SI", "region_b": "A", "ties": 2}
        ]


class TestFragility:
    def test_two_triangles_joined_by_one_tie(self):
        assert fragility(two_triangles()) == {
            "bridges": [{"source": 2, "target": 3, "cut_off": 3}],
            "articulation_points": [{"organisation": 2, "cut_off": 2}, {"organisation": 3, "cut_off": 2}],
        }

    def test_path(self):
        assert fragility(nx.path_graph(3)) == {
            "bridges": [{"source": 0, "target": 1, "cut_off": 1}, {"source": 1, "target": 2, "cut_off": 1}],
            "articulation_points": [{"organisation": 1, "cut_off": 1}],
        }

    def test_star_centre_cuts_off_all_but_one_leaf(self):
        assert fragility(nx.star_graph(4))["articulation_points"] == [{"organisation": 0, "cut_off": 3}]

    def test_complete_graph_has_no_weak_points(self):
        assert fragility(nx.complete_graph(5)) == {"bridges": [], "articulation_points": []}

    @settings(max_examples=150, deadline=None)
    @given(small_graphs)
    def test_cut_off_matches_removing_it(self, G):
        result = fragility(G)
        assert {(b["source"], b["target"]) for b in result["bridges"]} == {tuple(sorted(e)) for e in nx.bridges(G)}
        assert {p["organisation"] for p in result["articulation_points"]} == set(nx.articulation_points(G))
        for bridge in result["bridges"]:
            H = G.copy()
            H.remove_edge(bridge["source"], bridge["target"])
            sides = [len(nx.node_connected_component(H, end)) for end in (bridge["source"], bridge["target"])]
            assert bridge["cut_off"] == min(sides)
        for point in result["articulation_points"]:
            vertex = point["organisation"]
            component = nx.node_connected_component(G, vertex) - {vertex}
            pieces = [len(piece) for piece in nx.connected_components(G.subgraph(component))]
            assert point["cut_off"] == len(component) - max(pieces)


class TestWeaklyTied:
    def test_path_with_an_isolate(self):
        G = nx.path_graph(4)
        G.add_node(9)
        assert weakly_tied(G) == {"isolated": [9], "weakly_tied": [0, 3]}
        assert weakly_tied(G, max_degree=2) == {"isolated": [9], "weakly_tied": [0, 1, 2, 3]}
        assert weakly_tied(G, max_degree=0) == {"isolated": [9], "weakly_tied": []}

    def test_fixture_network(self, graph):
        assert weakly_tied(graph) == {"isolated": [8], "weakly_tied": [5, 6, 7]}

    @pytest.mark.parametrize("max_degree", [-1, 1.5, None])
    def test_bad_max_degree(self, max_degree):
        with pytest.raises(ValueError, match="max_degree"):
            weakly_tied(nx.path_graph(3), max_degree=max_degree)


class TestSummary:
    def test_everything_in_one_json_serialisable_dict(self, graph):
        result = summary(graph)
        assert json.loads(json.dumps(result)) == result
        assert (result["nodes"], result["edges"], result["components"]) == (8, 7, 2)
        assert [row["id"] for row in result["organisations"]] == list(range(1, 9))
        assert result["isolated"] == [8]
        assert {b["source"] for b in result["bridges"]} >= {2, 4}
        for row in result["organisations"]:
            assert row["id"] in result["communities"][row["community"]]
        assert next(row for row in result["organisations"] if row["id"] == 2)["cross_border_ties"] == 1

    def test_same_seed_same_summary(self, graph):
        assert summary(graph, seed=3) == summary(graph, seed=3)

    def test_empty_graph(self):
        result = summary(nx.Graph())
        assert result["nodes"] == 0 and result["organisations"] == [] and result["communities"] == []
