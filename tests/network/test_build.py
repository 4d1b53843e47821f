"""Tests for network.build."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from network import build_graph, tie_weight

ORGS = [
    {"id": 1, "name": "A", "kind": "ngo", "country": "SI"},
    {"id": 2, "name": "B", "kind": "employer", "country": "SI", "region": "Podravska"},
    {"id": 3, "name": "C", "kind": "social_work_centre", "country": "HR"},
]


def rel(id, source, target, kind="cooperation", **fields):
    return {"id": id, "source": source, "target": target, "kind": kind, **fields}


class TestTieWeight:
    def test_strength_plus_log2_of_referrals(self):
        assert tie_weight(3, 0) == 3.0
        assert tie_weight(3, 1) == 4.0
        assert tie_weight(0, 31) == 5.0


class TestBuildGraph:
    def test_nodes_carry_the_organisation_fields_and_none_for_missing_ones(self):
        G = build_graph(ORGS, [])
        assert sorted(G) == [1, 2, 3]
        assert G.nodes[2] == {
            "name": "B",
            "kind": "employer",
            "country": "SI",
            "region": "Podravska",
            "municipality": None,
            "latitude": None,
            "longitude": None,
        }

    def test_graph_is_undirected_and_merges_ties_of_a_pair(self):
        G = build_graph(ORGS, [rel(5, 2, 1, "funding", strength=2), rel(4, 1, 2, "cooperation", strength=4)])
        assert not G.is_directed() and G.number_of_edges() == 1
        edge = G.edges[1, 2]
        assert edge["kinds"] == ["cooperation", "funding"]
        assert edge["strength"] == 4
        assert edge["ties"] == [[4, 1, 2, "cooperation"], [5, 2, 1, "funding"]]
        assert edge["referrals"] == 0 and edge["flows"] == [] and edge["weight"] == 4.0

    def test_missing_strength_is_the_portal_default(self):
        assert build_graph(ORGS, [rel(1, 1, 2)]).edges[1, 2]["strength"] == 3

    def test_referrals_add_volume_direction_and_weight(self):
        referrals = [
            {"source": 1, "target": 2, "at": date(2024, 1, 1), "count": 2},
            {"source": 2, "target": 1, "at": date(2024, 1, 2)},
            {"source": 1, "target": 2, "at": date(2024, 1, 3), "count": 5},
        ]
        edge = build_graph(ORGS, [rel(1, 1, 2, strength=2)], referrals).edges[1, 2]
        assert edge["referrals"] == 8
        assert edge["flows"] == [[1, 2, 7], [2, 1, 1]]
        assert edge["weight"] == pytest.approx(2 + 3.169925, abs=1e-6)

    def test_referrals_alone_make_an_edge_of_strength_zero(self):
        edge = build_graph(ORGS, [], [{"source": 3, "target": 1, "at": date(2024, 1, 1)}]).edges[1, 3]
        assert edge["kinds"] == [] and edge["strength"] == 0 and edge["weight"] == 1.0

    def test_self_referrals_are_ignored(self):
        assert build_graph(ORGS, [], [{"source": 1, "target": 1, "at": date(2024, 1, 1)}]).number_of_edges() == 0

    def test_on_keeps_ties_active_that_day_bounds_included(self):
        relationships = [
            rel(1, 1, 2, since=date(2020, 1, 1), until=date(2020, 12, 31)),
            rel(2, 2, 3, since=date(2021, 1, 1)),
            rel(3, 1, 3),
        ]
        assert set(build_graph(ORGS, relationships, on=date(2020, 12, 31)).edges) == {(1, 2), (1, 3)}
        assert set(build_graph(ORGS, relationships, on=date(2021, 1, 1)).edges) == {(2, 3), (1, 3)}

    def test_span_of_the_pair(self):
        relationships = [
            rel(1, 1, 2, since=date(2019, 5, 1), until=date(2020, 1, 1)),
            rel(2, 1, 2, "funding", since="2018-01-01", until=date(2022, 1, 1)),
        ]
        edge = build_graph(ORGS, relationships).edges[1, 2]
        assert (edge["since"], edge["until"]) == (date(2018, 1, 1), date(2022, 1, 1))
        relationships.append(rel(3, 2, 1, "membership"))
        edge = build_graph(ORGS, relationships).edges[1, 2]
        assert (edge["since"], edge["until"]) == (date(2018, 1, 1), None)

    def test_window_limits_referrals_bounds_included(self):
        referrals = [
            {"source": 1, "target": 2, "at": date(2023, 12, 31)},
            {"source": 1, "target": 2, "at": date(2024, 1, 1)},
            {"source": 1, "target": 2, "at": date(2024, 6, 30)},
            {"source": 1, "target": 3, "at": date(2024, 7, 1)},
        ]
        G = build_graph(ORGS, [], referrals, window=(date(2024, 1, 1), date(2024, 6, 30)))
        assert set(G.edges) == {(1, 2)} and G.edges[1, 2]["referrals"] == 2
        assert build_graph(ORGS, [], referrals, window=(None, date(2023, 12, 31))).edges[1, 2]["referrals"] == 1

    @pytest.mark.parametrize(
        ("relationships", "referrals", "message"),
        [
            ([rel(7, 1, 99)], [], "relationship 7 refers to unknown organisation 99"),
            ([], [{"source": 42, "target": 1, "at": date(2024, 1, 1)}], r"referral flow #0 \(42 -> 1\)"),
            ([rel(7, 1, 1)], [], "relationship 7 ties organisation 1 to itself"),
            ([rel(7, 1, 2, strength=9)], [], "relationship 7 strength must be a whole number from 1 to 5"),
            ([rel(7, 1, 2, since="31.2.2020")], [], "relationship 7 since must be a date"),
            ([rel(7, 1, 2, "friendship")], [], "relationship 7 kind must be one of project_partner"),
            ([], [{"source": 1, "target": 2, "at": date(2024, 1, 1), "count": 0}], "count must be"),
        ],
    )
    def test_bad_records_raise_naming_the_record(self, relationships, referrals, message):
        with pytest.raises(ValueError, match=message):
            build_graph(ORGS, relationships, referrals)

    def test_unknown_organisation_kind_raises(self):
        with pytest.raises(ValueError, match="organisation 9 kind must be one of"):
            build_graph([*ORGS, {"id": 9, "name": "X", "kind": "bakery", "country": "SI"}], [])

    def test_duplicate_organisation_ids_raise(self):
        with pytest.raises(ValueError, match="organisation 1 appears more than once"):
            build_graph([*ORGS, ORGS[0]], [])

    @pytest.mark.parametrize("window", [(date(2024, 2, 1), date(2024, 1, 1)), (date(2024, 1, 1),), ("2024", None)])
    def test_bad_window_raises(self, window):
        with pytest.raises(ValueError, match="window"):
            build_graph(ORGS, [], window=window)

    def test_a_windowed_referral_needs_a_date(self):
        with pytest.raises(ValueError, match="has no date"):
            build_graph(ORGS, [], [{"source": 1, "target": 2}], window=(None, date(2024, 1, 1)))

    def test_fixture_network(self, graph):
        assert isinstance(graph, nx.Graph)
        assert graph.number_of_nodes() == 8 and graph.number_of_edges() == 7
        assert graph.edges[4, 5]["referrals"] == 5 and graph.edges[4, 5]["flows"] == [[4, 5, 5]]
