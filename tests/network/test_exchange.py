"""Tests for network.exchange: GraphML, GEXF and Cytoscape.js JSON round trips."""

from __future__ import annotations

import io
import json
from datetime import date

import networkx as nx
import pytest
from hypothesis import given, settings

from network import build_graph, from_gexf, from_graphml, from_json, to_gexf, to_graphml, to_json
from tests.network.strategies import networks


def assert_same_graph(G: nx.Graph, H: nx.Graph) -> None:
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in G.edges}
    for u, v, data in G.edges(data=True):
        assert H.edges[u, v] == data


class TestGraphML:
    def test_round_trip_through_a_file(self, graph, tmp_path):
        to_graphml(graph, tmp_path / "network.graphml")
        assert_same_graph(graph, from_graphml(tmp_path / "network.graphml"))

    def test_networkx_reads_it_with_typed_attributes(self, graph, tmp_path):
        to_graphml(graph, tmp_path / "network.graphml")
        H = nx.read_graphml(tmp_path / "network.graphml")
        assert H.nodes["4"]["label"] == "CZSS Čakovec" and H.nodes["4"]["latitude"] == 46.3844
        edge = H.edges["4", "5"]
        assert edge["strength"] == 5 and edge["referrals"] == 5 and json.loads(edge["kinds"]) == ["referral_agreement"]
        assert edge["since"] == "2018-03-01" and "until" not in edge

    def test_someone_elses_file(self):
        text = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <graph edgedefault="directed">
    <node id="a"><data key="label">Alpha</data></node><node id="b"/>
    <edge id="e0" source="a" target="b"/><edge id="e1" source="b" target="a"/>
  </graph>
</graphml>"""
        G = from_graphml(io.BytesIO(text.encode()))
        assert not G.is_directed() and list(G.edges) == [("a", "b")]
        assert G.nodes["a"]["name"] == "Alpha" and G.nodes["b"]["name"] is None
        assert G.edges["a", "b"] == {}


class TestGEXF:
    def test_round_trip_through_a_file(self, graph, tmp_path):
        to_gexf(graph, tmp_path / "network.gexf")
        assert_same_graph(graph, from_gexf(tmp_path / "network.gexf"))

    def test_round_trip_through_a_buffer(self, graph):
        buffer = io.BytesIO()
        to_gexf(graph, buffer)
        buffer.seek(0)
        assert_same_graph(graph, from_gexf(buffer))

    def test_networkx_reads_it_with_labels_for_gephi(self, graph, tmp_path):
        to_gexf(graph, tmp_path / "network.gexf")
        H = nx.read_gexf(tmp_path / "network.gexf", node_type=int)
        assert H.nodes[3]["label"] == "Center ponovne uporabe" and H.nodes[3]["kind"] == "social_enterprise"
        assert H.edges[1, 2]["weight"] == graph.edges[1, 2]["weight"]


class TestJSON:
    def test_cytoscape_shape(self, graph):
        data = to_json(graph)
        assert set(data) == {"elements"} and set(data["elements"]) == {"nodes", "edges"}
        node = next(n["data"] for n in data["elements"]["nodes"] if n["data"]["id"] == "4")
        assert node["name"] == "CZSS Čakovec" and node["country"] == "HR"
        edge = next(e["data"] for e in data["elements"]["edges"] if e["data"]["id"] == "4-5")
        assert (edge["source"], edge["target"], edge["since"]) == ("4", "5", "2018-03-01")
        assert edge["kinds"] == ["referral_agreement"] and edge["flows"] == [[4, 5, 5]]
        ids = {n["data"]["id"] for n in data["elements"]["nodes"]}
        assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in data["elements"]["edges"])
        json.dumps(data)

    def test_round_trip_as_dict_and_as_text(self, graph):
        assert_same_graph(graph, from_json(to_json(graph)))
        assert_same_graph(graph, from_json(json.dumps(to_json(graph))))

    def test_string_ids_stay_strings(self):
        G = nx.Graph([("a", "b")])
        assert list(from_json(to_json(G)).edges) == [("a", "b")]

    @pytest.mark.parametrize("data", [{}, {"elements": []}, {"nodes": [], "edges": []}])
    def test_not_cytoscape(self, data):
        with pytest.raises(ValueError, match="elements"):
            from_json(data)

    def test_edge_to_an_unknown_node(self):
        data = {"elements": {"nodes": [{"data": {"id": "1"}}], "edges": [{"data": {"source": "1", "target": "2"}}]}}
        with pytest.raises(ValueError, match="unknown node '2'"):
            from_json(data)

    def test_dates_come_back_as_dates(self):
        G = nx.Graph()
        G.add_edge(1, 2, since=date(2020, 2, 29), until=None)
        assert from_json(to_json(G)).edges[1, 2] == {"since": date(2020, 2, 29), "until": None}


@settings(max_examples=40, deadline=None)
@given(networks())
def test_every_format_keeps_nodes_edges_and_attributes(records):
    G = build_graph(*records)
    assert_same_graph(G, from_json(json.loads(json.dumps(to_json(G)))))
    for write, read in ((to_graphml, from_graphml), (to_gexf, from_gexf)):
        buffer = io.BytesIO()
        write(G, buffer)
        buffer.seek(0)
        assert_same_graph(G, read(buffer))
