"""Tests for network.suggestions."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import build_graph, suggest_network_wide, suggest_partnerships, suggestions
from tests.network.strategies import networks


def network_of(nodes: dict, edges=()) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(nodes.items())
    G.add_edges_from(edges)
    return G


class TestSuggestPartnerships:
    def test_shared_partner_referrer_and_host(self):
        G = network_of(
            {
                1: {"name": "CSD Ptuj", "kind": "social_work_centre"},
                2: {"name": "CPU", "kind": "social_enterprise"},
                3: {"name": "LU Ormož", "kind": "adult_education"},
                4: {"name": "ZRS Bistra", "kind": "research"},
            },
            [(1, 3), (3, 2), (1, 4), (4, 2)],
        )
        best, other = suggest_partnerships(G)
        assert (other["source"], other["target"]) == (3, 4)  # they share CSD Ptuj and CPU
        assert (best["source"], best["target"], best["common_partners"]) == (1, 2, [3, 4])
        assert best["distance_km"] is None
        assert best["reason"] == "both work with LU Ormož and ZRS Bistra; one refers, the other hosts"
        assert best["score"] == pytest.approx(2 / math.log(2) + 1, abs=1e-4)

    def test_complementary_kinds_rank_above_the_same_kind(self):
        G = network_of(
            {
                0: {"kind": "adult_education"},
                1: {"kind": "social_work_centre"},
                2: {"kind": "social_enterprise"},
                3: {"kind": "social_work_centre"},
            },
            [(0, 1), (0, 2), (0, 3)],
        )
        result = suggest_partnerships(G)
        assert [(s["source"], s["target"]) for s in result] == [(1, 2), (2, 3), (1, 3)]
        assert result[0]["score"] - result[2]["score"] == pytest.approx(1.0)
        assert result[2]["reason"].endswith("same kind: social work centre")

    def test_nearby_referrer_and_host_without_shared_partners(self):
        G = network_of(
            {
                1: {"name": "CSD", "kind": "social_work_centre", "latitude": 46.42, "longitude": 15.87},
                2: {"name": "Near", "kind": "employer", "latitude": 46.42, "longitude": 16.00},
                3: {"name": "Far", "kind": "employer", "latitude": 45.00, "longitude": 14.00},
                4: {"name": "NGO", "kind": "ngo", "latitude": 46.42, "longitude": 15.88},
            }
        )
        result = suggest_partnerships(G)
        assert [(s["source"], s["target"]) for s in result] == [(1, 4), (1, 2)]
        assert result[1]["distance_km"] == 10.0
        assert result[1]["reason"] == "10 km apart; one refers, the other hosts"
        assert result[0]["reason"] == "less than 1 km apart; one refers, the other hosts"
        assert result[1]["score"] == pytest.approx(1 + (1 - 9.95 / 60), abs=1e-3)

    def test_node_considers_everyone_within_reach(self):
        G = network_of(
            {
                1: {"kind": "employer", "latitude": 46.42, "longitude": 15.87},
                2: {"kind": "employer", "latitude": 46.42, "longitude": 15.90},
                3: {"kind": "employer", "latitude": 45.00, "longitude": 14.00},
            }
        )
        assert suggest_partnerships(G) == []
        [only] = suggest_partnerships(G, node=1)
        assert (only["source"], only["target"]) == (1, 2)
        assert suggest_partnerships(G, node=1, max_km=1) == []

    def test_node_is_always_the_source(self, graph):
        result = suggest_partnerships(graph, node=5)
        assert result and all(s["source"] == 5 for s in result)
        assert {s["target"] for s in result}.isdisjoint({5, 4})

    def test_hubs_alone_make_no_candidates(self):
        G = nx.star_graph(201)
        assert suggest_partnerships(G) == []
        assert len(suggest_partnerships(G, node=1, top=500)) == 200

    def test_top(self):
        assert len(suggest_partnerships(nx.star_graph(5), top=3)) == 3

    def test_deterministic(self, graph):
        assert suggest_partnerships(graph) == suggest_partnerships(graph)

    def test_tiny_graphs(self):
        assert suggest_partnerships(nx.Graph()) == []
        assert suggest_partnerships(nx.empty_graph(1)) == []
        assert suggest_partnerships(nx.complete_graph(5)) == []

    def test_unknown_node(self):
        with pytest.raises(nx.NodeNotFound):
            suggest_partnerships(nx.path_graph(3), node=9)

    @pytest.mark.parametrize(
        ("option", "value"), [("top", 0), ("top", 2.0), ("max_km", 0), ("max_km", -5), ("max_km", "60")]
    )
    def test_bad_options(self, option, value):
        with pytest.raises(ValueError, match=option):
            suggest_partnerships(nx.path_graph(3), **{option: value})

    @settings(max_examples=60, deadline=None)
    @given(networks(), st.integers(1, 30))
    def test_never_an_existing_tie_or_a_self_pair(self, records, top):
        G = build_graph(*records)
        result = suggest_partnerships(G, top=top)
        pairs = [(s["source"], s["target"]) for s in result]
        assert len(result) <= top and len(set(pairs)) == len(pairs)
        assert all(u != v and not G.has_edge(u, v) for u, v in pairs)
        assert [s["score"] for s in result] == sorted((s["score"] for s in result), reverse=True)
        for node in list(G)[:3]:
            for s in suggest_partnerships(G, node=node, top=top):
                assert s["source"] == node and s["target"] != node and not G.has_edge(node, s["target"])

    @settings(max_examples=60, deadline=None)
    @given(st.integers(2, 15).flatmap(lambda n: st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)))))
    def test_without_kinds_or_places_the_score_is_networkx_adamic_adar(self, edges):
        G = nx.Graph((u, v) for u, v in edges if u != v)
        expected = {(u, v): score for u, v, score in nx.adamic_adar_index(G)}
        for s in suggest_partnerships(G, top=100):
            pair = (s["source"], s["target"])
            assert s["score"] == pytest.approx(expected.get(pair, expected.get(pair[::-1])), abs=1e-4)
            assert s["common_partners"] == sorted(nx.common_neighbors(G, *pair))

    @settings(max_examples=40, deadline=None)
    @given(
        st.integers(2, 15).flatmap(lambda n: st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)))),
        st.integers(1, 12),
    )
    def test_pairs_scored_in_small_runs_score_as_in_one(self, edges, gathered):
        # Scoring stops after a bounded number of gathered ties and goes on: the run boundaries lose no pair.
        G = nx.Graph((u, v) for u, v in edges if u != v)
        whole = suggest_partnerships(G, top=100)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(suggestions, "_GATHERED", gathered)
            assert suggest_partnerships(G, top=100) == whole

    @settings(max_examples=40, deadline=None)
    @given(networks())
    def test_node_scores_agree_with_the_whole_ranking(self, records):
        G = build_graph(*records)
        everyone = {frozenset((s["source"], s["target"])): s["score"] for s in suggest_partnerships(G, top=1000)}
        for node in G:
            for s in suggest_partnerships(G, node=node, top=1000):
                pair = frozenset((node, s["target"]))
                if pair in everyone:
                    assert s["score"] == pytest.approx(everyone[pair], abs=1e-4)


def shares_of(G: nx.Graph, pool: int, per_node: int) -> dict:
    """Each end's first ``per_node`` of the ``pool`` best, the pair turned round for the target (the plain way)."""
    by_node: dict = {}
    for suggestion in suggest_partnerships(G, top=pool):
        for own, other in (("source", "target"), ("target", "source")):
            mine = by_node.setdefault(suggestion[own], [])
            if len(mine) < per_node:
                mine.append({**suggestion, "source": suggestion[own], "target": suggestion[other]})
    return by_node


class TestSuggestNetworkWide:
    @settings(max_examples=60, deadline=None)
    @given(networks(), st.integers(1, 10), st.integers(1, 4), st.integers(1, 60))
    def test_the_top_and_each_ones_share_of_one_ranking(self, records, top, per_node, pool):
        G = build_graph(*records)
        found = suggest_network_wide(G, top=top, per_node=per_node, pool=pool)
        assert found["top"] == suggest_partnerships(G, top=top)
        expected = shares_of(G, pool, per_node)
        assert found["by_node"] == expected
        assert list(found["by_node"]) == list(expected)  # the same order, so the same JSON

    def test_the_pool_defaults_to_per_node_for_everyone(self):
        G = nx.Graph()
        G.add_nodes_from([(1, {"kind": "social_work_centre"}), (2, {"kind": "ngo"}), (3, {"kind": "ngo"})])
        G.add_edges_from([(1, 3), (3, 2)])
        assert suggest_network_wide(G, per_node=1)["by_node"] == shares_of(G, 3, 1)
        assert suggest_network_wide(nx.empty_graph(1)) == {"top": [], "by_node": {}}

    @pytest.mark.parametrize("option", ["top", "per_node", "pool"])
    @pytest.mark.parametrize("value", [0, -1, 1.5, True])
    def test_counts_must_be_whole_and_positive(self, option, value):
        with pytest.raises(ValueError, match=option):
            suggest_network_wide(nx.path_graph(3), **{option: value})
