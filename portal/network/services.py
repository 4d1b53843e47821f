"""Rows into the network library's plain records, the analytics a snapshot holds, and reading snapshots back."""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import heapq
import json
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count, Sum

import network
from portal.db.rows import existing
from portal.db.tables import NetworkSnapshot, Opportunity, Organisation, Participant, Referral, Relationship
from portal.disclosure import rounded
from portal.jobs.runs import Runs
from portal.memory import release_free_memory
from portal.network import loading, needs, reasons
from portal.pagination import Page, clamp_page
from portal.service_errors import NotFound

# Participants still looking for a place count as demand; employed or exited ones do not.
ACTIVE_STAGES = ("intake", "profiling", "activation", "placement")
# A proposed referral is a counsellor's draft; from "sent" on it is a flow between organisations.
FLOWING_STATUSES = ("sent", "accepted", "declined", "started", "completed", "dropped_out", "hired")
METRICS = ("degree", "weighted_degree", "betweenness", "pagerank", "cross_border_ties")
SORTS = ("name", *METRICS, "community")
TOP_GAPS = 50
TOP_SUGGESTIONS = 50
SUGGESTIONS_PER_ORGANISATION = 5
# Above this size the spring layout would take longer than all the metrics: the browser lays out.
LAYOUT_MAX_NODES = 2000
PER_NODE_MAX_NODES = 2000
PER_PAGE = 25
# The graph API sends at most this many organisations (the most central of those the filter
# matches) and says how many matched: a browser cannot draw a country's network usefully. The
# page asks for the default: above LAYOUT_MAX_NODES no positions are stored and the browser lays
# the picture out itself, which grows with the square of the nodes (about a second for 500); 500
# of the most central organisations of 20,000, with their ties, are about 240 KB of JSON.
GRAPH_NODES = 500
# The organisation search answers at most this many names, best first.
SEARCH_LIMIT = 20
# The region filter lists at most this many regions (those with most organisations).
MAX_REGION_OPTIONS = 200
# Each organisation's strongest "met at" ties that enter the network: a module of 30 institutions
# makes 435 pairs, and all of them would outweigh the formal network (see network.met_at_ties).
MET_AT_PER_ORGANISATION = 20
# A run that has said nothing for this long died with its process.
STALE_AFTER = dt.timedelta(minutes=15)
RUNS = Runs(NetworkSnapshot, STALE_AFTER)


@dataclass
class Records:
    """Everything the analytics read, as the library's plain records (never a participant's name)."""

    organisations: list[dict[str, Any]]
    relationships: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    demand: list[dict[str, Any]]
    places: list[dict[str, Any]]
    # Training attendance (event, day, organisation; never a person): the "met at" ties.
    attendance: list[dict[str, Any]] = field(default_factory=list)
    # Participants and places as the hard constraints see them, for the needs-aware gaps (None: not asked).
    needs: needs.NeedsInput | None = None


async def load_records() -> Records:
    """Six queries (organisations, relationships, referral flows, demand, open places, training attendance), and the two of `needs.load`.

    Referrals, participants and places are counted in SQL: at a country's scale a row each
    was a million Python dicts, for counts the analytics read.
    """
    from portal.training.ties import attendance_records

    organisations = await Organisation.select(
        Organisation.id,
        Organisation.name,
        Organisation.kind,
        Organisation.country,
        Organisation.region,
        Organisation.municipality,
        Organisation.latitude,
        Organisation.longitude,
    ).order_by(Organisation.id)
    relationships = await Relationship.select(
        Relationship.id,
        Relationship.source,
        Relationship.target,
        Relationship.kind,
        Relationship.since,
        Relationship.until,
        Relationship.strength,
    ).order_by(Relationship.id)
    return Records(
        organisations=organisations,
        relationships=relationships,
        flows=await referral_flows(),
        demand=await demand(),
        places=await open_places(),
        attendance=await attendance_records(),
        needs=await needs.load(ACTIVE_STAGES),
    )


async def referral_flows() -> list[dict[str, Any]]:
    """Referrals counted per (referring counsellor's organisation, host organisation)."""
    pair = (Referral.referred_by.organisation, Referral.opportunity.organisation)
    rows = (
        await Referral.select(pair[0].as_alias("source"), pair[1].as_alias("target"), Count(alias="count"))
        .where(Referral.status.is_in(list(FLOWING_STATUSES)))
        .group_by(*pair)
    )
    # In the order of the pairs' text, as flows always came: a tie that only referrals make enters
    # the graph in this order, and so the communities found keep their numbers from run to run.
    return sorted(rows, key=lambda row: str((row["source"], row["target"])))


async def demand() -> list[dict[str, Any]]:
    """Active participants counted per place and travel distance: counts only, nothing that names a person."""
    place = (
        Participant.region,
        Participant.municipality,
        Participant.latitude,
        Participant.longitude,
        Participant.travel_km,
    )
    rows = (
        await Participant.select(*place, Count(alias="count"))
        .where(Participant.stage.is_in(list(ACTIVE_STAGES)) & (Participant.region != ""))
        .group_by(*place)
        .order_by(*place)
    )
    for row in rows:
        row["municipality"] = row["municipality"] or None
        row["travel_km"] = float(row["travel_km"])
    return rows


async def open_places() -> list[dict[str, Any]]:
    """Places left in open opportunities, per organisation and location."""
    where = (Opportunity.organisation, Opportunity.latitude, Opportunity.longitude)
    rows = (
        await Opportunity.select(
            *where, Sum(Opportunity.capacity, alias="capacity"), Sum(Opportunity.places_taken, alias="taken")
        )
        .where((Opportunity.status == "open") & WhereRaw("capacity > places_taken"))
        .group_by(*where)
        .order_by(*where)
    )
    return [
        {
            "organisation_id": row["organisation"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "places": row["capacity"] - row["taken"],
        }
        for row in rows
    ]


# --- the analytics, in stages the background job reports progress between -----------------------


def build(records: Records) -> nx.Graph:
    met_at = network.met_at_ties(records.attendance, per_organisation=MET_AT_PER_ORGANISATION)
    return network.build_graph(records.organisations, records.relationships, records.flows, met_at=met_at)


def metrics(G: nx.Graph) -> dict[str, Any]:
    """`network.summary`, each organisation row with its name, kind and place beside the numbers."""
    result = network.summary(G)
    for row in result["organisations"]:
        node = G.nodes[row["id"]]
        row.update({name: node.get(name) for name in ("name", "kind", "country", "region", "municipality")})
    return result


# Areas with fewer participants than this are left out of the gap lists: in a small village a
# count of one or two can point to a person, which the lists must never do.
MIN_REPORTED_PARTICIPANTS = 5


def gaps(records: Records) -> dict[str, Any]:
    found = network.placement_gaps(records.demand, records.places)  # once: seconds at a country's scale
    worst = network.worst_gaps(records.demand, records.places, records.organisations, top=TOP_GAPS * 4, gaps=found)
    regions = found["regions"]
    return {
        "worst": [gap for gap in worst if gap["participants"] >= MIN_REPORTED_PARTICIPANTS][:TOP_GAPS],
        "regions": [region for region in regions if region["participants"] >= MIN_REPORTED_PARTICIPANTS],
        "missing_kinds": network.missing_kinds(records.organisations),
        "needs": None if records.needs is None else needs.compute(records.needs, records.organisations),
    }


def suggestions(G: nx.Graph) -> dict[str, Any]:
    """The best partnerships network-wide, and each organisation's own best few.

    Per organisation, ``node=`` weighs everyone within reach (about 3 ms each on the demo
    network); above ``PER_NODE_MAX_NODES`` that would outgrow the rest of the run, so each
    organisation gets its share of one generous network-wide ranking instead.
    """
    if len(G) <= PER_NODE_MAX_NODES:
        top = network.suggest_partnerships(G, top=TOP_SUGGESTIONS)
        found = network.suggest_for_each(G, top=SUGGESTIONS_PER_ORGANISATION)
        return {"top": top, "by_node": {str(node): items for node, items in found.items()}}
    # One ranking for both lists; only the pairs somebody keeps are explained.
    wide = network.suggest_network_wide(G, top=TOP_SUGGESTIONS, per_node=SUGGESTIONS_PER_ORGANISATION)
    return {"top": wide["top"], "by_node": {str(node): items for node, items in wide["by_node"].items()}}


def rounded_gap(gap: dict[str, Any]) -> dict[str, Any]:
    """A municipality's gap with its counts of people as the indicators and the map show them (one to four:
    None, else to the nearest five), and its ratio of places to people from the rounded count: a
    municipality's exact count of people looking for a place could point at someone."""
    participants = rounded(gap["participants"])
    return {
        **gap,
        "participants": participants,
        "unlocated": rounded(gap["unlocated"]),
        "without_places": rounded(gap["without_places"]),
        "shortfall": rounded(gap["shortfall"]),
        "ratio": gap["places_within_reach"] / participants if participants else None,
    }


def layout(G: nx.Graph) -> dict[Any, tuple[float, float]]:
    """Positions for the browser's preset layout, so it never runs a force layout itself.

    Each connected part is laid out on its own (spring layout, seeded) in a disc whose area
    grows with its size; the largest sits on top and the small ones fill rows beneath it, so
    a few isolated organisations do not shrink the main network to a dot.
    """
    if len(G) > LAYOUT_MAX_NODES or not len(G):
        return {}
    parts = sorted(nx.connected_components(G), key=lambda part: (-len(part), min(part)))
    radius = [40.0 * len(part) ** 0.5 for part in parts]
    width = 2 * radius[0]
    positions: dict[Any, tuple[float, float]] = {}
    x, y, row_height = -radius[0], 0.0, 0.0
    for index, part in enumerate(parts):
        r = radius[index]
        if index == 0:
            centre = (0.0, 0.0)
            y = r + 60.0
        else:
            if x + 2 * r > width / 2 + 1 and row_height:
                x, y, row_height = -radius[0], y + row_height + 40.0, 0.0
            centre = (x + r, y + r)
            x += 2 * r + 40.0
            row_height = max(row_height, 2 * r)
        if len(part) == 1:
            spread: dict[Any, Any] = {next(iter(part)): (0.0, 0.0)}
        else:
            spread = nx.spring_layout(G.subgraph(part), seed=0, iterations=60, weight=None)
        for node, (px, py) in spread.items():
            positions[node] = (round(centre[0] + float(px) * r, 1), round(centre[1] + float(py) * r, 1))
    return positions


class ElementData(Mapping[str, Any]):
    """A node's element data but its id, read from its metrics row (which `metrics` gave the node's name,
    kind and place) as `graph_json` writes it: a loaded snapshot works it out when asked rather than keep
    it per node, and the graph API's filters read a field without working out the rest."""

    __slots__ = ("_row",)
    _KEYS = ("name", "kind", "country", "region", "community", *METRICS)

    def __init__(self, row: dict[str, Any]) -> None:
        self._row = row

    def __getitem__(self, key: str) -> Any:
        if key in ("name", "kind"):
            return self._row.get(key)
        if key in ("country", "region"):
            return self._row.get(key) or ""
        if key == "community":
            return self._row["community"]
        if key in METRICS:
            return round(float(self._row[key]), 6)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)


def graph_json(G: nx.Graph, summary: dict[str, Any], positions: dict[Any, tuple[float, float]]) -> str:
    """Cytoscape.js elements as JSON text: what the graph view filters, sizes and colours by, and nothing more.

    Written element by element, not as one dict of a country's 270,000 elements first; the text is
    what dumping that dict gave.
    """
    rows = {row["id"]: row for row in summary["organisations"]}
    nodes = ",".join(_dump(_node_element(node, rows[node], positions)) for node in G)
    edges = ",".join(_dump(_edge_element(u, v, data)) for u, v, data in G.edges(data=True))
    return '{"elements":{"nodes":[' + nodes + '],"edges":[' + edges + "]}}"


def _node_element(node: Any, row: dict[str, Any], positions: dict[Any, tuple[float, float]]) -> dict[str, Any]:
    # The data a loaded snapshot works out again from the same row (`ElementData`): one definition of both.
    element: dict[str, Any] = {"data": {"id": str(node), **ElementData(row)}}
    if node in positions:
        element["position"] = {"x": positions[node][0], "y": positions[node][1]}
    return element


def _edge_element(u: Any, v: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "id": f"{u}-{v}",
            "source": str(u),
            "target": str(v),
            "kinds": data["kinds"] or (["referrals"] if data["referrals"] else ["met_at"]),
            "weight": round(float(data["weight"]), 3),
            "referrals": data["referrals"],
            **({"met_at": data["met_at"], "met_years": data["met_years"]} if data.get("met_at") else {}),
            **({"met_only": True} if network.is_met_at_only(data) else {}),
        }
    }


# --- snapshots --------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """A finished run, read once and kept while it is the newest (see `portal.network.loading` for its form)."""

    id: int
    finished_at: dt.datetime
    summary: dict[str, Any]
    gaps: dict[str, Any]
    # "top" as stored; "by_node": organisation id (as text) -> its suggestions, parsed when asked.
    suggestions: dict[str, Any]
    # The graph (networkx: the only copy), for paths, neighbourhoods and the elements the graph API sends.
    ties: loading.Graph
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # by id (from the summary when not given)
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.rows:
            self.rows = {row["id"]: row for row in self.summary["organisations"]}

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """What ``compute`` returns, worked out on first use and kept as long as this snapshot.

        The snapshot never changes once read, so sort orders, indexes and named lists derived
        from it are computed once per process instead of on every request."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def name(self, org_id: Any) -> str:
        row = self.rows.get(org_id)
        return row["name"] if row else str(org_id)

    @property
    def nx_graph(self) -> nx.Graph:
        """The graph, for paths and neighbourhoods (read with the snapshot; a node's data: `ties.node_data`)."""
        return self.ties.G

    @property
    def graph(self) -> dict[str, Any]:
        """The Cytoscape.js elements as stored, rebuilt from the graph on each call (tests and exports; pages use `graph_view`)."""
        return self.ties.elements()


_cache: dict[str, Snapshot | None] = {"latest": None}


async def latest_snapshot() -> Snapshot | None:
    """The newest finished snapshot; one small query when the cached one is still the newest."""
    row = (
        await NetworkSnapshot.select(NetworkSnapshot.id, NetworkSnapshot.finished_at)
        .where(NetworkSnapshot.status == "done")
        .order_by(NetworkSnapshot.id, ascending=False)
        .first()
    )
    if row is None:
        return None
    cached = _cache["latest"]
    # The finish time as well as the id: SQLite may hand out an id again once every row is gone.
    key = (row["id"], row["finished_at"])
    if cached is not None and (cached.id, cached.finished_at) == key:
        return cached
    # One load per process at a time: at a country's scale a snapshot is tens of MB of JSON, and
    # 16 requests to a cold worker each read and parsed it, took every pooled connection and were
    # answered 503. The others wait for the same load (shielded: one giving up does not stop it).
    loop = asyncio.get_running_loop()
    for other in [other for other in _loading if other.is_closed()]:
        del _loading[other]
    pending = _loading.get(loop)
    if pending is None or pending[0] != key or _failed(pending[1]):
        pending = _loading[loop] = (key, loop.create_task(_load(row["id"])))
    return await asyncio.shield(pending[1])


# The load under way (or last done) per event loop, and the (id, finished_at) it is for.
_loading: dict[asyncio.AbstractEventLoop, tuple[tuple[Any, Any], asyncio.Task[Snapshot]]] = {}


def _failed(task: asyncio.Task[Snapshot]) -> bool:
    """A load that ended without a snapshot: the next request tries again."""
    return task.done() and (task.cancelled() or task.exception() is not None)


async def _load(snapshot_id: int) -> Snapshot:
    """Read and parse one snapshot (in a thread: seconds of Python at a country's scale), and keep it as the newest."""
    full = await existing(NetworkSnapshot.select().where(NetworkSnapshot.id == snapshot_id).first())
    snapshot = await asyncio.to_thread(_parse, full)
    del full
    _cache["latest"] = snapshot
    # Reading it passed tens of MB of text through the driver: glibc kept about 80 MB of it otherwise.
    release_free_memory()
    return snapshot


def _parse(full: dict[str, Any]) -> Snapshot:
    """The snapshot from its stored row; each text is dropped from the row once read (tens of MB each)."""
    shared = loading.Shared()
    summary = json.loads(full.pop("summary"))
    rows = {row["id"]: shared.row(row) for row in summary["organisations"]}  # names and places shared with the graph

    def derive(node: Any) -> Mapping[str, Any] | None:
        return ElementData(rows[node]) if node in rows else None

    return Snapshot(
        id=full["id"],
        finished_at=full["finished_at"],
        summary=summary,
        gaps=json.loads(full.pop("gaps")),
        suggestions=loading.read_suggestions(full.pop("suggestions")),
        ties=loading.read_graph(full.pop("graph"), shared, derive),
        rows=rows,
    )


async def run_status() -> dict[str, Any]:
    """The newest run (running, done or failed) and when the last good one finished."""
    newest = (
        await NetworkSnapshot.select(
            NetworkSnapshot.id,
            NetworkSnapshot.status,
            NetworkSnapshot.progress,
            NetworkSnapshot.started_at,
            NetworkSnapshot.finished_at,
            NetworkSnapshot.error,
        )
        .order_by(NetworkSnapshot.id, ascending=False)
        .first()
    )
    last_done = (
        await NetworkSnapshot.select(NetworkSnapshot.finished_at)
        .where(NetworkSnapshot.status == "done")
        .order_by(NetworkSnapshot.id, ascending=False)
        .first()
    )
    status = {"running": False, "progress": 0, "started_at": None, "failed": False, "error": ""}
    if newest is not None:
        running = RUNS.is_running(newest)
        status.update(
            running=running,
            progress=newest["progress"] if running else 100,
            started_at=newest["started_at"],
            failed=newest["status"] == "failed",
            error=newest["error"],
        )
    status["computed_at"] = last_done["finished_at"] if last_done else None
    return status


async def start_run() -> int:
    return await RUNS.start()


async def finish_run(run_id: int, results: dict[str, str]) -> None:
    """Store the results and drop older runs: only the newest finished one is ever read."""
    await RUNS.finish(run_id, **results)
    await NetworkSnapshot.delete().where(NetworkSnapshot.id < run_id)


# --- reading a snapshot for pages and the API ---------------------------------------------------


def _folded_names(snapshot: Snapshot) -> dict[int, str]:
    from portal.text import fold

    return {org_id: fold(row["name"] or "") for org_id, row in snapshot.rows.items()}


def ordered(snapshot: Snapshot, sort: str) -> list[dict[str, Any]]:
    """Every organisation row in one order (numbers largest first, names alphabetically), kept per snapshot."""

    def compute() -> list[dict[str, Any]]:
        folded = snapshot.memo("folded", lambda: _folded_names(snapshot))
        rows = list(snapshot.summary["organisations"])
        if sort == "name":
            rows.sort(key=lambda row: folded[row["id"]])
        elif sort == "community":
            rows.sort(key=lambda row: (row["community"], folded[row["id"]]))
        else:
            rows.sort(key=lambda row: (-row[sort], folded[row["id"]]))
        return rows

    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    return snapshot.memo(("order", sort), compute)


def sorted_organisations(snapshot: Snapshot, sort: str, page: int, per_page: int = PER_PAGE) -> Page:
    """One page of the metrics table: a slice of the order kept for this snapshot."""
    rows = ordered(snapshot, sort)
    page = clamp_page(page, len(rows), per_page)
    return Page(items=rows[(page - 1) * per_page : page * per_page], total=len(rows), page=page, per_page=per_page)


def rank(snapshot: Snapshot, metric: str, value: float) -> int:
    """1 + how many organisations have more of ``metric`` than ``value`` (a binary search)."""
    # As an array of C doubles: a list held 20,000 float objects per metric.
    negated = snapshot.memo(
        ("negated", metric), lambda: array("d", [-float(row[metric]) for row in ordered(snapshot, metric)])
    )
    return 1 + bisect.bisect_left(negated, -value)


def regions(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(country, region) pairs for the graph's region filter, alphabetically; at most
    ``MAX_REGION_OPTIONS``, those with most organisations (regions are free text outside SI and HR)."""

    def compute() -> list[tuple[str, str]]:
        counts = Counter((row["country"] or "", row["region"]) for row in snapshot.rows.values() if row["region"])
        return sorted(place for place, _ in counts.most_common(MAX_REGION_OPTIONS))

    return snapshot.memo("regions", compute)


def search(snapshot: Snapshot, query: str, limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], int]:
    """Organisations whose name holds every word of ``query`` (case and diacritics ignored), and how many do.

    Names starting with the query come first, then names with a word starting with it, then
    the rest; alphabetically within each. At most ``limit`` rows."""
    from portal.text import fold

    wanted = fold(query)
    words = wanted.split()
    if not words:
        return [], 0
    folded = snapshot.memo("folded", lambda: _folded_names(snapshot))
    found = [org_id for org_id, name in folded.items() if all(word in name for word in words)]

    def order(org_id: int) -> tuple[int, str]:
        name = folded[org_id]
        starts = 0 if name.startswith(wanted) else 1 if (" " + name).find(" " + words[0]) >= 0 else 2
        return starts, name

    best = heapq.nsmallest(limit, found, key=order)
    return [snapshot.rows[org_id] for org_id in best], len(found)


@dataclass(frozen=True)
class GraphFilter:
    """What the picture shows: organisations of a kind, country and region, ties of a kind,
    or the organisations within ``depth`` ties of ``focus`` (through shown organisations and ties)."""

    kind: str | None = None
    country: str | None = None
    region: str | None = None
    tie: str | None = None
    focus: int | None = None
    depth: int = 1
    include: tuple[int, ...] = ()  # shown whatever the filter, e.g. the steps of a chain


@dataclass
class _GraphIndex:
    order: list[Any]  # the nodes, the most central first (betweenness, then name)
    rank: dict[Any, int]
    by: dict[str, dict[str, list[Any]]]  # "kind"/"country"/"region" -> value -> nodes in rank order


def graph_index(snapshot: Snapshot) -> _GraphIndex:
    """The graph's nodes in rank order, and by kind, country and region (kept per snapshot)."""
    index: _GraphIndex = snapshot.memo("graph-index", lambda: _graph_index(snapshot))
    return index


def _graph_index(snapshot: Snapshot) -> _GraphIndex:
    G = snapshot.nx_graph
    order = [row["id"] for row in ordered(snapshot, "betweenness") if row["id"] in G]
    order += sorted(set(G) - set(order), key=str)  # nodes without a metrics row (never, but never lost)
    by: dict[str, dict[str, list[Any]]] = {"kind": {}, "country": {}, "region": {}}
    for node in order:
        data = snapshot.ties.node_data(node)
        for name, values in by.items():
            values.setdefault(data.get(name) or "", []).append(node)
    return _GraphIndex(order, {node: i for i, node in enumerate(order)}, by)


def graph_view(snapshot: Snapshot, wanted: GraphFilter, limit: int = GRAPH_NODES) -> dict[str, Any]:
    """The Cytoscape.js elements the filter selects (positions as stored), at most ``limit`` organisations.

    When more match, the most central ones are sent (for a focus: the nearest first, the most
    central within each distance) and the ties among them; ``matched`` says how many matched.
    The elements are built from the graph for each answer, exactly as stored.
    Raises NotFound for a focus that is not in the network."""
    index = graph_index(snapshot)
    ties = snapshot.ties
    G = ties.G
    filters = {name: value for name in ("kind", "country", "region") if (value := getattr(wanted, name))}
    focus = wanted.focus
    if focus is not None and focus not in G:
        raise NotFound(wanted.focus)

    def passes(node: Any) -> bool:
        data = ties.node_data(node)
        return all((data.get(name) or "") == value for name, value in filters.items())

    def tie_passes(data: dict[str, Any]) -> bool:
        return not wanted.tie or wanted.tie in data["kinds"]

    if focus is None:
        if filters:
            # Start from the shortest of the lists the filters pick, already in rank order.
            name, value = min(filters.items(), key=lambda item: len(index.by[item[0]].get(item[1], ())))
            matched = [node for node in index.by[name].get(value, []) if passes(node)]
        else:
            matched = index.order
    else:
        # Breadth first, as far as ``depth`` through shown organisations and ties (each level by rank).
        matched = [focus]
        seen = {focus}
        level = [focus]
        for _ in range(wanted.depth):
            reached = []
            for node in level:
                for other, data in G.adj[node].items():
                    if other not in seen and tie_passes(data) and passes(other):
                        seen.add(other)
                        reached.append(other)
            if not reached:
                break
            reached.sort(key=index.rank.__getitem__)
            matched.extend(reached)
            level = reached
    shown = list(matched[:limit])
    chosen = set(shown)
    included = {node for node in wanted.include if node in G}
    for node in sorted(included - chosen, key=index.rank.__getitem__):
        shown.append(node)
        chosen.add(node)
    edges = [
        ties.edge_element(node, other, data)
        for node in shown
        for other, data in G.adj[node].items()
        if other in chosen
        and ties.is_source(node, other)
        and (tie_passes(data) or (node in included and other in included))
    ]
    return {
        "elements": {"nodes": [ties.node_element(node) for node in shown], "edges": edges},
        "matched": len(matched),
        "total": len(G),
        "limit": limit,
    }


def communities(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Each community with its members by name, and what kinds and countries it spans (kept per snapshot)."""
    return snapshot.memo("communities", lambda: _communities(snapshot))


def _communities(snapshot: Snapshot) -> list[dict[str, Any]]:
    result = []
    for index, members in enumerate(snapshot.summary["communities"]):
        rows = sorted((snapshot.rows[m] for m in members if m in snapshot.rows), key=lambda r: -r["degree"])
        result.append(
            {
                "index": index,
                "size": len(members),
                # The rows themselves (with id, name and kind): a dict per member held 4 MB at a country's scale.
                "members": rows,
                "countries": sorted({r["country"] for r in rows if r["country"]}),
                "kinds": Counter(r["kind"] for r in rows).most_common(),
            }
        )
    return result


def named_suggestions(snapshot: Snapshot, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Suggestions with the organisations' names, and ``reason_text``: the reasons in the reader's language."""
    return [
        {
            **item,
            "source_name": snapshot.name(item["source"]),
            "target_name": snapshot.name(item["target"]),
            "common_partner_names": [snapshot.name(n) for n in item["common_partners"]],
            "reason_text": reasons.describe(item, snapshot.name),
            "reasons": item.get("reasons", []),
        }
        for item in items
    ]


def fragility(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """Bridges and articulation points with names (kept per snapshot)."""
    return snapshot.memo("fragility", lambda: _fragility(snapshot))


def _fragility(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    summary = snapshot.summary
    points = [{**point, "name": snapshot.name(point["organisation"])} for point in summary["articulation_points"]]
    bridges = [
        {**bridge, "source_name": snapshot.name(bridge["source"]), "target_name": snapshot.name(bridge["target"])}
        for bridge in summary["bridges"]
    ]
    return {"articulation_points": points, "bridges": bridges}


def place_of(snapshot: Snapshot, org_id: int) -> dict[str, Any]:
    """One organisation's place: its metrics, community, partners of partners and suggestions."""
    row = snapshot.rows.get(org_id)
    if row is None:
        raise NotFound(org_id)
    from portal.training.ties import met_by

    # Partners are working ties; the organisations met at training events are listed apart.
    G = snapshot.memo("working-ties", lambda: working_ties(snapshot.nx_graph))
    reach = network.neighbourhood(G, org_id, depth=2)
    partners = sorted((n for n, d in reach.items() if d == 1), key=lambda n: snapshot.name(n))
    second = sorted(
        (n for n, d in reach.items() if d == 2), key=lambda n: -snapshot.rows[n]["degree"] if n in snapshot.rows else 0
    )
    community = snapshot.summary["communities"][row["community"]]
    return {
        "row": row,
        "rank": {name: rank(snapshot, name, row[name]) for name in METRICS},
        "total": len(snapshot.rows),
        "partners": [{"id": n, "name": snapshot.name(n)} for n in partners],
        "partners_of_partners": [{"id": n, "name": snapshot.name(n)} for n in second],
        "community": {"index": row["community"], "size": len(community)},
        "community_members": [{"id": n, "name": snapshot.name(n)} for n in community if n != org_id][:30],
        "suggestions": named_suggestions(snapshot, snapshot.suggestions["by_node"].get(str(org_id), [])),
        "met_at": met_by(snapshot, org_id),
    }


def working_ties(G: nx.Graph) -> nx.Graph:
    """`network.working_ties` as a view of ``G`` that hides the met-at-only ties, rather than a copy
    (68 MB at a country's scale). For a graph read from stored elements the view lists each
    organisation's neighbours in the order the copy would, so neighbourhoods are the same."""
    met_only = [(u, v) for u, v, data in G.edges(data=True) if network.is_met_at_only(data)]
    if not met_only:
        return G
    return nx.subgraph_view(G, filter_edge=nx.filters.hide_edges(met_only))


def chain(snapshot: Snapshot, source: int, target: int) -> list[dict[str, Any]]:
    """The shortest chain of ties between two organisations, named; empty when none joins them."""
    G = snapshot.nx_graph
    for end in (source, target):
        if end not in G:
            raise NotFound(end)
    try:
        path = network.shortest_chain(G, source, target)
    except nx.NetworkXNoPath:
        return []
    return [{"id": n, "name": snapshot.name(n)} for n in path]


def compute_all(records: Records, progress: Callable[[int], None] = lambda _: None) -> dict[str, str]:
    """Every stage at once (the command line and tests); the job runs them one by one."""
    G = build(records)
    progress(20)
    summary = metrics(G)
    progress(60)
    found_gaps = gaps(records)
    progress(70)
    found = suggestions(G)
    progress(85)
    positions = layout(G)
    progress(95)
    return stored(G, summary, positions, found_gaps, found)


def stored(
    G: nx.Graph, summary: dict, positions: dict[Any, tuple[float, float]], found_gaps: dict, found: dict
) -> dict[str, str]:
    """The text of each stored part of a snapshot, from the stages' results."""
    return serialise(summary, graph_json(G, summary, positions), found_gaps, found)


def serialise(summary: dict, graph: str, found_gaps: dict, found: dict) -> dict[str, str]:
    """The stored parts of a snapshot, ``graph`` being `graph_json`'s text already."""
    return {"summary": _dump(summary), "graph": graph, "gaps": _dump(found_gaps), "suggestions": _dump(found)}


def _dump(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))
