"""A stored snapshot's JSON read into what a worker keeps: one networkx graph, suggestions as text until asked.

At a country's scale (20,000 organisations, 243,000 ties with the referral flows) the stored
Cytoscape.js elements parsed into dicts took 208 MB, the graph rebuilt from them 69 MB, its copy
without the met-at ties 68 MB, an index over the elements 35 MB and the parsed suggestions 112 MB,
in a worker that started at 231 MB. Here the elements are read one at a time straight into a
networkx graph, the only copy (the pages and the API build the few elements they send from it);
each organisation's suggestions stay the JSON text they were stored as, compressed, and are parsed
when that organisation is asked about; repeated values (attribute names, kinds, places, names, a
tie's attributes) are one object each. Nothing is parsed whole and then dropped, so the worker does
not keep the memory of a peak.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import networkx as nx

__all__ = ["Graph", "PackedLists", "Shared", "read_graph", "read_suggestions"]

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class _Reader:
    """Walks JSON text member by member; each value is decoded (or skipped) by the caller when it is reached."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _space(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def _take(self, expected: str) -> str:
        self._space()
        char = self.text[self.pos : self.pos + 1]
        if char not in expected:
            raise ValueError(f"expected one of {expected!r} at {self.pos}, found {char!r}")
        self.pos += 1
        return char

    def at(self, char: str) -> bool:
        """Whether the next value starts with ``char``."""
        self._space()
        return self.text.startswith(char, self.pos)

    def value(self) -> Any:
        self._space()
        found, self.pos = _DECODER.raw_decode(self.text, self.pos)
        return found

    def raw(self) -> str:
        """The next value's JSON text, as stored (decoded once to find its end, then dropped)."""
        self._space()
        start = self.pos
        self.value()
        return self.text[start : self.pos]

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; the caller reads each key's value before the next."""
        for _ in self._entries("{", "}"):
            key = self.value()
            self._take(":")
            yield key

    def items(self) -> Iterator[None]:
        """One step per item of the array that starts here; the caller reads each item."""
        return self._entries("[", "]")

    def _entries(self, opening: str, closing: str) -> Iterator[None]:
        """One step per entry between ``opening`` and ``closing``, separated by commas."""
        self._take(opening)
        self._space()
        if self.text.startswith(closing, self.pos):
            self.pos += 1
            return
        while True:
            yield None
            if self._take("," + closing) == closing:
                return


class Shared:
    """One object for each repeated value (kind, country, region, name, list of tie kinds, weight)."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._numbers: dict[float, float] = {}
        self._lists: dict[tuple[Any, ...], list[Any]] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._texts.setdefault(value, value)
        if isinstance(value, float) and value:  # (0.0 and -0.0 are equal: left alone)
            return self._numbers.setdefault(value, value)
        if isinstance(value, list):
            try:
                return self._lists.setdefault(_key(value), value)
            except TypeError:  # a list of lists or dicts: kept as it is
                return value
        return value

    def text(self, value: Any) -> Any:
        """``value`` shared if it is text (numbers that are mostly unique are left alone)."""
        return self._texts.setdefault(value, value) if isinstance(value, str) else value

    def row(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its text values shared (in place: rows are read-only once loaded)."""
        for key, value in row.items():
            if isinstance(value, str):
                row[key] = self._texts.setdefault(value, value)
        return row


class Graph:
    """The snapshot's graph: a networkx graph, the stored positions, and which end of each tie the elements named first.

    The stored elements list the ties in networkx's ``edges()`` order, each once, from the end that
    comes first in the node order, as ``"<source>-<target>"``: read back into a graph, its
    adjacency keeps that order. Ties stored from their other end (none, from this portal) are
    kept in ``flipped``, so the elements are rebuilt exactly as stored."""

    def __init__(
        self,
        G: nx.Graph,
        positions: dict[Any, dict[str, Any]],
        flipped: set[tuple[Any, Any]],
        place: dict[Any, int],
        derive: Derive,
        own: set[Any],
    ) -> None:
        self.G = G
        self.positions = positions
        self.flipped = flipped
        self.place = place  # node -> its index in the node order
        self._derive = derive
        self._own = own

    def node_data(self, node: Any) -> Mapping[str, Any]:
        """A node's element ``data`` but its id: its attributes in the graph, or worked out again from its metrics row."""
        if node in self._own:
            data: Mapping[str, Any] = self.G.nodes[node]
            return data
        return self._derive(node) or {}

    def is_source(self, node: Any, other: Any) -> bool:
        """Whether the stored element of the tie names ``node`` as its source."""
        if (node, other) in self.flipped:
            return True
        return self.place[node] <= self.place[other] and (other, node) not in self.flipped

    def edges(self) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
        """Every tie as (source, target, attributes), in the stored order."""
        for u, v, data in self.G.edges(data=True):
            yield (u, v, data) if self.is_source(u, v) else (v, u, data)

    def node_element(self, node: Any) -> dict[str, Any]:
        element: dict[str, Any] = {"data": {"id": str(node), **self.node_data(node)}}
        if node in self.positions:
            element["position"] = self.positions[node]
        return element

    @staticmethod
    def edge_element(source: Any, target: Any, data: dict[str, Any]) -> dict[str, Any]:
        return {"data": {"id": f"{source}-{target}", "source": str(source), "target": str(target), **data}}

    def elements(self) -> dict[str, Any]:
        """The whole graph as the stored Cytoscape.js elements (built anew each call: a country's is 200 MB)."""
        return {
            "elements": {
                "nodes": [self.node_element(node) for node in self.G],
                "edges": [self.edge_element(*edge) for edge in self.edges()],
            }
        }


def _node_id(text: str) -> Any:
    """Organisation ids back to ints, as `network.from_json` does for whole-number ids."""
    return int(text) if text.lstrip("-").isdigit() and str(int(text)) == text else text


# A node's element data (but its id) worked out from what the snapshot holds beside the graph, or None.
Derive = Callable[[Any], "Mapping[str, Any] | None"]


def _no_derive(node: Any) -> None:
    return None


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Equal as JSON: the same keys in the same order, values of the same types."""
    return list(a) == list(b) and all(type(a[key]) is type(b[key]) and a[key] == b[key] for key in a)


def read_graph(text: str, shared: Shared, derive: Derive = _no_derive) -> Graph:
    """The stored elements (``{"elements": {"nodes": [...], "edges": [...]}}``) as a networkx graph.

    Node attributes are each element's ``data`` but its id; tie attributes its ``data`` but
    id, source and target (as `network.from_json` gives, with values kept as stored). Ties with
    equal attributes share one attribute dict (a country's 243,000 ties have about 500 different
    ones: 43 MB as a dict each), so the graph is frozen (`networkx.freeze`): nothing may change it.

    A node whose data ``derive`` gives back exactly (the page's copy of its metrics row: 10
    attributes, 7 MB at a country's scale) gets no attributes in the graph (`Graph.node_data`
    works it out again when asked); the others keep theirs (`_own`), so runs stored by older code
    give their elements back as stored.

    Text without elements (``{}``, or another shape) reads as an empty graph, as the pages show a
    snapshot whose graph is empty. Raises ValueError for a tie naming an unknown node."""
    reader = _Reader(text)
    G: nx.Graph = nx.Graph()
    # networkx makes each new tie's attribute dict with the graph's edge_attr_dict_factory:
    # while reading, that hands out the dict shared by the tie's attributes.
    attributes = _Attributes()
    setattr(G, "edge_attr_dict_factory", attributes)  # on this graph only, not on the class  # noqa: B010
    positions: dict[Any, dict[str, Any]] = {}
    flipped: set[tuple[Any, Any]] = set()
    ids: dict[str, Any] = {}  # the node's text id -> the node, so ties reuse the same key objects
    place: dict[Any, int] = {}
    own: set[Any] = set()
    for key in reader.members() if reader.at("{") else ():
        if key != "elements":
            reader.value()
            continue
        if not reader.at("{"):
            reader.value()
            continue
        for part in reader.members():
            if part == "nodes" and reader.at("["):
                for _ in reader.items():
                    element = reader.value()
                    data = element["data"]
                    text_id = str(data.pop("id"))
                    node = ids[text_id] = _node_id(text_id)
                    place[node] = len(place)
                    derived = derive(node)
                    if derived is not None and _same(derived, data):
                        G.add_node(node)
                    else:
                        own.add(node)
                        G.add_node(node, **{shared.text(name): shared.text(value) for name, value in data.items()})
                    if "position" in element:
                        positions[node] = element["position"]
            elif part == "edges" and reader.at("["):
                for _ in reader.items():
                    data = reader.value()["data"]
                    data.pop("id", None)
                    ends = str(data.pop("source")), str(data.pop("target"))
                    for end in ends:
                        if end not in ids:
                            raise ValueError(f"edge {ends[0]}-{ends[1]} names unknown node {end!r}")
                    source, target = ids[ends[0]], ids[ends[1]]
                    if place[source] > place[target]:
                        flipped.add((source, target))
                    attributes.next = attributes.shared(
                        {shared.text(name): shared(value) for name, value in data.items()}
                    )
                    G.add_edge(source, target)
            else:
                reader.value()
    delattr(G, "edge_attr_dict_factory")  # back to networkx's own (a new dict per tie)
    return Graph(nx.freeze(G), positions, flipped, place, derive, own)


class _Attributes:
    """The edge attribute dict factory while a graph is read: the dict of the tie about to be added."""

    def __init__(self) -> None:
        self.next: dict[str, Any] = {}
        self._dicts: dict[tuple[Any, ...], dict[str, Any]] = {}

    def __call__(self) -> dict[str, Any]:
        return self.next

    def shared(self, attributes: dict[str, Any]) -> dict[str, Any]:
        """The one dict of ties with these attributes (``attributes`` itself for the first)."""
        try:
            return self._dicts.setdefault(tuple((name, _key(value)) for name, value in attributes.items()), attributes)
        except TypeError:  # a value that is a dict or a list of lists: a dict of its own
            return attributes


def _key(value: Any) -> tuple[Any, ...]:
    """A key equal only for equal JSON values of the same types (1, 1.0 and True are equal in Python, not in JSON).

    Raises TypeError for a dict or a list holding lists or dicts."""
    if isinstance(value, list):
        return (list, *((type(item), item) for item in value))
    return (type(value), value)


class PackedLists(Mapping[str, list[Any]]):
    """Lists kept as their JSON text, compressed in runs of ``RUN`` and parsed when asked (a new list each time).

    A country's suggestions per organisation are 22 MB of text, 3 MB so; reading one
    organisation's takes a fraction of a millisecond."""

    RUN = 16

    def __init__(self) -> None:
        self._index: dict[str, int] = {}  # key -> its place in the order added
        self._runs: list[bytes] = []
        self._open: list[str] = []  # the texts of the run being filled

    def add(self, key: str, text: str) -> None:
        # The place of this text among those added (a key given twice keeps the later text, as json.loads would).
        self._index[key] = len(self._runs) * self.RUN + len(self._open)
        self._open.append(text)
        if len(self._open) == self.RUN:
            self._close()

    def _close(self) -> None:
        if self._open:
            self._runs.append(zlib.compress(("[" + ",".join(self._open) + "]").encode(), 1))
            self._open = []

    def done(self) -> PackedLists:
        self._close()
        return self

    def __getitem__(self, key: str) -> list[Any]:
        place = self._index[key]
        run, item = divmod(place, self.RUN)
        if run == len(self._runs):  # still being filled (before done())
            return json.loads(self._open[item])
        found: list[Any] = json.loads(zlib.decompress(self._runs[run]))[item]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def read_suggestions(text: str) -> dict[str, Any]:
    """The stored suggestions, ``by_node`` as `PackedLists` (each organisation's list parsed when asked)."""
    reader = _Reader(text)
    result: dict[str, Any] = {}
    for key in reader.members():
        if key == "by_node":
            lists = PackedLists()
            for node in reader.members():
                lists.add(node, reader.raw())
            result[key] = lists.done()
        else:
            result[key] = reader.value()
    return result
