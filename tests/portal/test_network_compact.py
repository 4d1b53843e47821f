"""A loaded snapshot's compact form: the graph read from the stored elements gives them back exactly, once."""

from __future__ import annotations

import json

import networkx as nx
import pytest

import network
from portal.db.tables import NetworkSnapshot
from portal.network import loading, services
from tests.network_worlds import stored_network

# Node 3 comes before node 1 in the stored order; the tie 2-5 is stored from its later end (flipped);
# 1-2 and 3-4 have equal attributes; 4-5 is only a "met at" tie; weights 1 and 1.0 differ in JSON.
# The ties in networkx's order, as `services.graph_json` writes them.
ELEMENTS = {
    "elements": {
        "nodes": [
            {"data": {"id": "3", "name": "Zadruga Čakovec", "kind": "social_enterprise", "region": "Međimurska"}},
            {"data": {"id": "1", "name": "CSD Ptuj", "kind": "social_work_centre", "region": "Podravska"}},
            {
                "data": {"id": "2", "name": "Društvo", "kind": "ngo", "region": "Podravska"},
                "position": {"x": 1, "y": 2},
            },
            {"data": {"id": "4", "name": "HZZ", "kind": "employment_office", "region": "Podravska"}},
            {"data": {"id": "5", "name": "Firma", "kind": "employer", "region": ""}},
        ],
        "edges": [
            {"data": {"id": "3-1", "source": "3", "target": "1", "kinds": ["funding"], "weight": 2.0, "referrals": 0}},
            {
                "data": {
                    "id": "3-4",
                    "source": "3",
                    "target": "4",
                    "kinds": ["cooperation"],
                    "weight": 1.0,
                    "referrals": 0,
                }
            },
            {
                "data": {
                    "id": "1-2",
                    "source": "1",
                    "target": "2",
                    "kinds": ["cooperation"],
                    "weight": 1.0,
                    "referrals": 0,
                }
            },
            {
                "data": {
                    "id": "5-2",
                    "source": "5",
                    "target": "2",
                    "kinds": ["cooperation"],
                    "weight": 1,
                    "referrals": 0,
                }
            },
            {
                "data": {
                    "id": "4-5",
                    "source": "4",
                    "target": "5",
                    "kinds": ["met_at"],
                    "weight": 0.5,
                    "referrals": 0,
                    "met_at": 1,
                    "met_years": [2025],
                    "met_only": True,
                }
            },
        ],
    }
}


def read(document: dict) -> loading.Graph:
    return loading.read_graph(json.dumps(document), loading.Shared())


def test_the_graph_gives_back_the_stored_elements_exactly():
    graph = read(ELEMENTS)
    # Compared as text: the order of keys and the JSON types (1 and 1.0) as stored.
    assert json.dumps(graph.elements()) == json.dumps(ELEMENTS)
    assert graph.flipped == {(5, 2)} and graph.is_source(5, 2) and not graph.is_source(2, 5)
    assert sorted(graph.G.edges) == sorted(network.from_json(ELEMENTS).edges)
    assert dict(graph.G.nodes(data=True)) == dict(network.from_json(ELEMENTS).nodes(data=True))


def test_ties_with_equal_attributes_share_one_dict_in_a_frozen_graph():
    G = read(ELEMENTS).G
    assert G.adj[1][2] is G.adj[3][4] and G.adj[1][2] is not G.adj[5][2]  # 1.0 is not 1 in JSON
    assert nx.is_frozen(G)
    with pytest.raises(nx.NetworkXError):
        G.add_edge(1, 5, kinds=["funding"])


def test_node_data_the_rows_give_back_exactly_is_not_kept_and_other_data_is():
    stored = {e["data"]["id"]: {k: v for k, v in e["data"].items() if k != "id"} for e in ELEMENTS["elements"]["nodes"]}
    rows = {
        1: dict(stored["1"]),  # the same: worked out again when asked
        2: {**stored["2"], "kind": "employer"},  # differs (a run stored by older code): kept as stored
        4: {**stored["4"], "name": None},
    }
    graph = loading.read_graph(json.dumps(ELEMENTS), loading.Shared(), lambda node: rows.get(node))
    assert dict(graph.G.nodes[1]) == {} and graph.G.nodes[2]["kind"] == "ngo" and graph.G.nodes[3]["name"]
    assert graph.node_data(1) == stored["1"] and graph.node_data(4) == stored["4"]
    assert json.dumps(graph.elements()) == json.dumps(ELEMENTS)


def test_text_of_another_shape_is_an_empty_graph_and_an_unknown_end_is_an_error():
    for text in ("{}", '{"nodes": [], "edges": []}', '{"elements": {}}', "[]"):
        assert len(loading.read_graph(text, loading.Shared()).G) == 0
    broken = {"elements": {"nodes": [{"data": {"id": "1"}}], "edges": [{"data": {"source": "1", "target": "9"}}]}}
    with pytest.raises(ValueError, match="unknown node '9'"):
        read(broken)


def test_the_working_ties_view_gives_the_neighbourhoods_of_the_copy():
    G = read(ELEMENTS).G
    view = services.working_ties(G)
    assert not view.has_edge(4, 5) and view.has_edge(3, 4) and len(view) == len(G)
    for node in G:
        for depth in (1, 2, 3):
            ours, copied = (
                network.neighbourhood(view, node, depth),
                network.neighbourhood(network.working_ties(G), node, depth),
            )
            assert list(ours.items()) == list(copied.items())
    without_met = {"elements": {**ELEMENTS["elements"], "edges": ELEMENTS["elements"]["edges"][:4]}}
    plain = read(without_met).G
    assert services.working_ties(plain) is plain


def test_suggestions_per_organisation_are_parsed_when_asked():
    stored = {
        "top": [{"source": 1, "target": 2, "score": 0.5}],
        "by_node": {str(n): [{"source": n, "target": n + 1, "reason": f"Čakovec {n}"}] for n in range(1, 40)},
    }
    stored["by_node"]["7"] = []
    found = loading.read_suggestions(json.dumps(stored))
    assert found["top"] == stored["top"] and len(found["by_node"]) == 39 > loading.PackedLists.RUN
    assert {key: found["by_node"][key] for key in found["by_node"]} == stored["by_node"]
    assert found["by_node"].get("99", []) == [] and list(found["by_node"]) == list(stored["by_node"])


def test_suggestions_of_a_key_given_twice_are_the_later_ones_as_json_reads_them():
    text = '{"by_node": {"1": [1], "2": [2], "1": [11], "3": [3]}}'
    found = loading.read_suggestions(text)["by_node"]
    assert {key: found[key] for key in found} == json.loads(text)["by_node"] == {"1": [11], "2": [2], "3": [3]}


async def test_a_loaded_snapshot_keeps_one_graph_and_gives_back_what_was_stored(db):
    services._cache["latest"] = None
    await stored_network(40)
    stored = await NetworkSnapshot.select().where(NetworkSnapshot.status == "done").first()
    snapshot = await services.latest_snapshot()
    assert snapshot.graph == json.loads(stored["graph"])
    assert snapshot.suggestions["top"] == json.loads(stored["suggestions"])["top"]
    assert dict(snapshot.suggestions["by_node"]) == json.loads(stored["suggestions"])["by_node"]
    assert snapshot.nx_graph is snapshot.ties.G and not hasattr(snapshot, "_nx")
    assert not snapshot.ties._own  # every node's data is its metrics row's, as `services.graph_json` wrote it
    view = services.graph_view(snapshot, services.GraphFilter(focus=1, depth=1))
    stored_nodes = {element["data"]["id"]: element for element in json.loads(stored["graph"])["elements"]["nodes"]}
    assert view["elements"]["nodes"] == [stored_nodes[element["data"]["id"]] for element in view["elements"]["nodes"]]
    shown = set(stored_nodes) & {element["data"]["id"] for element in view["elements"]["nodes"]}
    among = [
        e
        for e in json.loads(stored["graph"])["elements"]["edges"]
        if {e["data"]["source"], e["data"]["target"]} <= shown
    ]
    key = lambda edge: edge["data"]["id"]  # noqa: E731
    assert sorted(view["elements"]["edges"], key=key) == sorted(among, key=key) and len(shown) > 5
    services._cache["latest"] = None


async def test_a_replaced_snapshot_is_freed_though_the_large_ones_are_frozen(db, monkeypatch):
    import gc
    import weakref

    from portal.network import view

    monkeypatch.setattr(view, "FREEZE_FROM", 10)
    services._cache["latest"] = None
    try:
        await stored_network(20)
        first = await view.prepared(await services.latest_snapshot())
        graph = weakref.ref(first.nx_graph)  # networkx's cached views make reference cycles of a graph
        del first
        await stored_network(20)  # a new run: a new snapshot, prepared and frozen in turn
        await view.prepared(await services.latest_snapshot())
        assert graph() is None
    finally:
        gc.unfreeze()
        services._cache["latest"] = None
