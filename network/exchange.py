"""Exchange formats: GraphML and GEXF for Gephi and other graph tools, Cytoscape.js JSON for the browser."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import IO, Any

import networkx as nx

from network.records import NODE_FIELDS, _as_date

__all__ = ["from_gexf", "from_graphml", "from_json", "to_gexf", "to_graphml", "to_json"]

# GraphML and GEXF know numbers, booleans and strings only: these attributes travel as JSON
# text or ISO dates and are decoded by name on the way back in.
_LIST_ATTRIBUTES = frozenset({"kinds", "ties", "flows", "met_years"})
_DATE_ATTRIBUTES = frozenset({"since", "until"})
# Written by networkx's readers, not part of the network.
_READER_GRAPH_KEYS = frozenset({"node_default", "edge_default", "mode"})


def to_graphml(G: nx.Graph[Any], path_or_buffer: str | IO[bytes]) -> None:
    """Write the network as GraphML, with lists as JSON text, dates as ISO text and a ``label``.

    None values are left out (GraphML has no null); `from_graphml` restores them.

    Examples
    --------
    >>> import io
    >>> G = nx.Graph()
    >>> G.add_edge(1, 2, kinds=["cooperation"], since=date(2020, 1, 1), weight=3.0)
    >>> buffer = io.BytesIO()
    >>> to_graphml(G, buffer)
    >>> _ = buffer.seek(0)
    >>> from_graphml(buffer).edges[1, 2]["kinds"]
    ['cooperation']
    """
    nx.write_graphml(_for_file(G), path_or_buffer)


def from_graphml(path_or_buffer: str | IO[bytes]) -> nx.Graph[Any]:
    """Read GraphML written by `to_graphml` or another tool into an undirected graph.

    Node ids that are all whole numbers become ints; attributes this library writes
    (``kinds``, ``ties``, ``flows``, ``since``, ``until``) are decoded; missing organisation
    fields are None; a ``label`` becomes ``name`` when there is no name.

    Examples
    --------
    >>> import io
    >>> text = (b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    ...         b'<key id="d0" for="node" attr.name="label" attr.type="string"/>'
    ...         b'<graph edgedefault="undirected"><node id="1"><data key="d0">CSD Ptuj</data></node>'
    ...         b'<node id="2"/><edge source="1" target="2"/></graph></graphml>')
    >>> G = from_graphml(io.BytesIO(text))
    >>> list(G.edges), G.nodes[1]["name"], G.nodes[2]["kind"]
    ([(1, 2)], 'CSD Ptuj', None)
    """
    return _from_file(nx.read_graphml(path_or_buffer))


def to_gexf(G: nx.Graph[Any], path_or_buffer: str | IO[bytes]) -> None:
    """Write the network as GEXF 1.2 for Gephi, encoded as in `to_graphml`.

    Examples
    --------
    >>> import io
    >>> G = nx.Graph()
    >>> G.add_node(1, name="CSD Ptuj", region=None)
    >>> G.add_edge(1, 2, kinds=["funding"], strength=4, weight=4.0)
    >>> buffer = io.BytesIO()
    >>> to_gexf(G, buffer)
    >>> _ = buffer.seek(0)
    >>> H = from_gexf(buffer)
    >>> H.nodes[1]["name"], H.nodes[1]["region"], H.edges[1, 2]["strength"]
    ('CSD Ptuj', None, 4)
    """
    nx.write_gexf(_for_file(G), path_or_buffer)


def from_gexf(path_or_buffer: str | IO[bytes]) -> nx.Graph[Any]:
    """Read GEXF written by `to_gexf` or Gephi into an undirected graph, decoded as in `from_graphml`.

    Examples
    --------
    >>> import io
    >>> text = (b'<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">'
    ...         b'<graph defaultedgetype="undirected"><nodes><node id="1" label="CSD Ptuj"/>'
    ...         b'<node id="2" label="CPU"/></nodes><edges><edge source="1" target="2" weight="4.0"/></edges>'
    ...         b'</graph></gexf>')
    >>> G = from_gexf(io.BytesIO(text))
    >>> G.nodes[2]["name"], G.edges[1, 2]["weight"]
    ('CPU', 4.0)
    """
    return _from_file(nx.read_gexf(path_or_buffer))


def to_json(G: nx.Graph[Any]) -> dict[str, Any]:
    """The network in the element form Cytoscape.js reads, ready for ``json.dumps``.

    Ids are strings, as Cytoscape.js requires: a node's ``id`` is its node id, an edge's
    is ``"<source>-<target>"``. Every attribute goes into ``data``; dates become ISO text.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node(1, name="CSD Ptuj")
    >>> G.add_edge(1, 2, weight=3.0)
    >>> to_json(G)["elements"]["edges"]
    [{'data': {'weight': 3.0, 'id': '1-2', 'source': '1', 'target': '2'}}]
    """
    nodes = [{"data": {**_plain(data), "id": str(node)}} for node, data in G.nodes(data=True)]
    edges = [
        {"data": {**_plain(data), "id": f"{u}-{v}", "source": str(u), "target": str(v)}}
        for u, v, data in G.edges(data=True)
    ]
    return {"elements": {"nodes": nodes, "edges": edges}}


def from_json(data: Mapping[str, Any] | str) -> nx.Graph[Any]:
    """The graph back from `to_json` output (a dict or its JSON text).

    Raises
    ------
    ValueError
        If the data has no ``elements`` with ``nodes`` and ``edges``, or an edge names an
        unknown node.

    Examples
    --------
    >>> G = from_json({"elements": {"nodes": [{"data": {"id": "1"}}, {"data": {"id": "2"}}],
    ...                             "edges": [{"data": {"id": "1-2", "source": "1", "target": "2",
    ...                                                 "since": "2021-03-01"}}]}})
    >>> list(G.edges(data=True))
    [(1, 2, {'since': datetime.date(2021, 3, 1)})]
    """
    document: Mapping[str, Any] = json.loads(data) if isinstance(data, str) else data
    try:
        nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    except (KeyError, TypeError):
        raise ValueError('expected {"elements": {"nodes": [...], "edges": [...]}}') from None
    ids = _node_ids(str(element["data"]["id"]) for element in nodes)
    G: nx.Graph[Any] = nx.Graph()
    for element in nodes:
        attributes = dict(element["data"])
        G.add_node(ids[str(attributes.pop("id"))], **_decoded(attributes, lists=False))
    for element in edges:
        attributes = dict(element["data"])
        attributes.pop("id", None)
        source, target = str(attributes.pop("source")), str(attributes.pop("target"))
        for end in (source, target):
            if end not in ids:
                raise ValueError(f"edge {source}-{target} names unknown node {end!r}")
        G.add_edge(ids[source], ids[target], **_decoded(attributes, lists=False))
    return G


def _for_file(G: nx.Graph[Any]) -> nx.Graph[Any]:
    """A copy that GraphML and GEXF writers accept."""
    H: nx.Graph[Any] = nx.Graph()
    H.graph.update(_encoded(G.graph))
    for node, data in G.nodes(data=True):
        attributes = _encoded(data)
        if "name" in attributes:
            attributes.setdefault("label", str(attributes["name"]))
        H.add_node(node, **attributes)
    H.add_edges_from((u, v, _encoded(data)) for u, v, data in G.edges(data=True))
    return H


def _from_file(H: nx.Graph[Any]) -> nx.Graph[Any]:
    ids = _node_ids(str(node) for node in H)
    G: nx.Graph[Any] = nx.Graph()
    G.graph.update({key: value for key, value in H.graph.items() if key not in _READER_GRAPH_KEYS})
    for node, data in H.nodes(data=True):
        attributes = dict(data)
        label = attributes.pop("label", None)
        # Writers label unnamed nodes with their id; only a real label stands in for a name.
        if attributes.get("name") is None and label is not None and label != str(node):
            attributes["name"] = label
        G.add_node(ids[str(node)], **{**dict.fromkeys(NODE_FIELDS), **_decoded(attributes, lists=True)})
    for u, v, data in H.edges(data=True):
        attributes = {key: value for key, value in data.items() if key != "id"}
        decoded = _decoded(attributes, lists=True)
        if "kinds" in decoded:
            decoded = {**dict.fromkeys(_DATE_ATTRIBUTES), **decoded}
        G.add_edge(ids[str(u)], ids[str(v)], **decoded)
    return G


def _node_ids(texts: Any) -> dict[str, Any]:
    """Text ids back to ints when every one is a whole number, as organisation ids are."""
    texts = list(texts)
    if all(text.lstrip("-").isdigit() and str(int(text)) == text for text in texts):
        return {text: int(text) for text in texts}
    return {text: text for text in texts}


def _encoded(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _encode(value) for key, value in attributes.items() if value is not None}


def _encode(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict, set)):
        return json.dumps(_plain_value(value), ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _plain_value(value) for key, value in attributes.items()}


def _plain_value(value: Any) -> Any:
    """JSON-ready: dates as ISO text, tuples and sets as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_value(item) for item in value]
    if isinstance(value, set):
        return [_plain_value(item) for item in sorted(value)]
    return value


def _decoded(attributes: Mapping[str, Any], *, lists: bool) -> dict[str, Any]:
    result = dict(attributes)
    for key in _DATE_ATTRIBUTES & result.keys():
        try:
            result[key] = _as_date(result[key], key)
        except ValueError:
            pass  # someone else's attribute of that name: keep it as it came
    if lists:
        for key in _LIST_ATTRIBUTES & result.keys():
            if isinstance(result[key], str):
                try:
                    result[key] = json.loads(result[key])
                except ValueError:
                    pass
    return result
