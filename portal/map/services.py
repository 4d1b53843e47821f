"""What the map shows: markers inside a bounding box (or grid clusters of them), and placement gaps per region.

A browser never gets a whole table: each layer answers at most :data:`POINT_LIMIT` markers for the
box it shows; when more match, the database groups them into at most ``GRID`` x ``GRID`` cells and
answers one cluster per cell (its count, centre and extent), and the page asks the reader to zoom in.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from portal.db.tables import Opportunity, Organisation
from portal.geo import places
from portal.network import services as network_services
from portal.organisations.kinds import ORGANISATION_KINDS
from portal.settings import get_settings
from portal.vocab import OPPORTUNITY_KINDS

LAYERS = ("organisations", "opportunities")
# Markers one layer sends for one view; above it the layer is clustered by the database.
POINT_LIMIT = 400
GRID = 12
# Slovenia and Croatia, the first view before the reader moves the map (south, west, north, east).
HOME_BOUNDS = (42.3, 13.3, 46.9, 19.5)


class BadBox(ValueError):
    """The bounding box is not four numbers west, south, east, north within the world."""


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> Box:
        parts = text.split(",")
        if len(parts) != 4:
            raise BadBox("four numbers: west,south,east,north")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError as exc:
            raise BadBox("four numbers: west,south,east,north") from exc
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise BadBox("west < east within -180..180 and south < north within -90..90")
        return cls(west, south, east, north)


@dataclass(frozen=True)
class MapFilters:
    kind: str = ""  # of organisation
    region: str = ""
    opportunity_kind: str = ""
    show: str = ""  # "", "organisations" or "opportunities"

    @property
    def layers(self) -> tuple[str, ...]:
        return (self.show,) if self.show in LAYERS else LAYERS

    @property
    def active(self) -> bool:
        return any((self.kind, self.region, self.opportunity_kind, self.show))


def _conditions(layer: str, filters: MapFilters, box: Box) -> tuple[str, list[Any]]:
    """SQL conditions (Piccolo's ``{}`` placeholders) for one layer's rows inside ``box``."""
    table = "organisation" if layer == "organisations" else "opportunity"
    sql = [
        f"{table}.latitude BETWEEN {{}} AND {{}}",
        f"{table}.longitude BETWEEN {{}} AND {{}}",
    ]
    args: list[Any] = [box.south, box.north, box.west, box.east]
    kind = filters.kind if layer == "organisations" else filters.opportunity_kind
    if kind:
        sql.append(f"{table}.kind = {{}}")
        args.append(kind)
    if filters.region:
        sql.append(f"{table}.region = {{}}")
        args.append(filters.region)
    if layer == "opportunities":
        # Open ones only: the directory shows nothing else to the public (portal.opportunities.services).
        sql.append("opportunity.status = 'open'")
    return " AND ".join(sql), args


def _cell(column: str) -> str:
    """The grid cell of a coordinate: its distance from the box's edge in cells, rounded down.

    The coordinate is never below the edge inside the box, so SQLite's CAST (which truncates)
    rounds down as PostgreSQL's FLOOR does."""
    if get_settings().is_sqlite:
        return f"CAST(({column} - {{}}) / {{}} AS INTEGER)"
    return f"FLOOR(({column} - {{}}) / {{}})::integer"


async def _points(layer: str, where: str, args: list[Any]) -> list[dict[str, Any]]:
    if layer == "organisations":
        rows = await Organisation.raw(
            "SELECT organisation.id, organisation.name, organisation.kind, organisation.latitude, organisation.longitude"
            f" FROM organisation WHERE {where} ORDER BY organisation.id LIMIT {POINT_LIMIT}",
            *args,
        )
        return [
            {
                "type": "organisation",
                "id": row["id"],
                "name": row["name"],
                "kind": str(ORGANISATION_KINDS.get(row["kind"], row["kind"])),
                "lat": row["latitude"],
                "lon": row["longitude"],
                "url": f"/organisations/{row['id']}",
            }
            for row in rows
        ]
    rows = await Opportunity.raw(
        "SELECT opportunity.id, opportunity.title, opportunity.kind, opportunity.latitude, opportunity.longitude,"
        " organisation.name AS organisation_name FROM opportunity"
        " JOIN organisation ON organisation.id = opportunity.organisation"
        f" WHERE {where} ORDER BY opportunity.id LIMIT {POINT_LIMIT}",
        *args,
    )
    return [
        {
            "type": "opportunity",
            "id": row["id"],
            "name": row["title"],
            "kind": str(OPPORTUNITY_KINDS.get(row["kind"], row["kind"])),
            "organisation": row["organisation_name"],
            "lat": row["latitude"],
            "lon": row["longitude"],
            "url": f"/opportunities/{row['id']}",
        }
        for row in rows
    ]


async def _clusters(layer: str, where: str, args: list[Any], box: Box) -> list[dict[str, Any]]:
    table = "organisation" if layer == "organisations" else "opportunity"
    height, width = (box.north - box.south) / GRID, (box.east - box.west) / GRID
    row_cell, column_cell = _cell(f"{table}.latitude"), _cell(f"{table}.longitude")
    query = (
        f"SELECT {row_cell} AS cell_row, {column_cell} AS cell_column, COUNT(*) AS count,"
        f" AVG({table}.latitude) AS lat, AVG({table}.longitude) AS lon,"
        f" MIN({table}.latitude) AS south, MAX({table}.latitude) AS north,"
        f" MIN({table}.longitude) AS west, MAX({table}.longitude) AS east"
        f" FROM {table} WHERE {where} GROUP BY cell_row, cell_column ORDER BY cell_row, cell_column"
    )
    model = Organisation if layer == "organisations" else Opportunity
    rows = await model.raw(query, box.south, height, box.west, width, *args)
    return [
        {
            "type": "organisation" if layer == "organisations" else "opportunity",
            "count": row["count"],
            "lat": row["lat"],
            "lon": row["lon"],
            "bounds": [row["south"], row["west"], row["north"], row["east"]],
        }
        for row in rows
    ]


async def layer_view(layer: str, filters: MapFilters, box: Box) -> dict[str, Any]:
    """One layer inside ``box``: every marker, or clusters when more than :data:`POINT_LIMIT` match."""
    where, args = _conditions(layer, filters, box)
    model = Organisation if layer == "organisations" else Opportunity
    counted = await model.raw(f"SELECT COUNT(*) AS n FROM {model._meta.tablename} WHERE {where}", *args)
    total = counted[0]["n"]
    if total <= POINT_LIMIT:
        return {"total": total, "clustered": False, "points": await _points(layer, where, args), "clusters": []}
    return {"total": total, "clustered": True, "points": [], "clusters": await _clusters(layer, where, args, box)}


def bounds_of(region: str) -> tuple[float, float, float, float]:
    """Where the map opens: the region's municipalities (south, west, north, east), or both countries."""
    spots = [(p.latitude, p.longitude) for p in places() if p.region == region] if region else []
    if not spots:
        return HOME_BOUNDS
    margin = 0.05
    return (
        min(lat for lat, _ in spots) - margin,
        min(lon for _, lon in spots) - margin,
        max(lat for lat, _ in spots) + margin,
        max(lon for _, lon in spots) + margin,
    )


@functools.cache
def region_centres() -> dict[str, tuple[float, float]]:
    """Each region's centre: the mean position of its municipalities."""
    found: dict[str, list[tuple[float, float]]] = {}
    for place in places():
        found.setdefault(place.region, []).append((place.latitude, place.longitude))
    return {region: (fmean(lat for lat, _ in spots), fmean(lon for _, lon in spots)) for region, spots in found.items()}


async def region_gaps() -> list[dict[str, Any]]:
    """Placement gaps per region from the latest network snapshot, counts of people as the indicators show them.

    ``shortfall`` is participants minus the places within their reach (never below zero); the
    snapshot leaves out regions with fewer than five participants already. Participants, those without
    places and the shortfall are each rounded to the nearest five (one to four: None) as the network
    page rounds a municipality's (:func:`portal.network.services.rounded_gap`), so that the exact
    places within reach and one exact count do not give the other away; places are not people and
    stay exact, and ``ratio`` (places per participant) is worked out from the rounded participants
    for the same reason."""
    snapshot = await network_services.latest_snapshot()
    if snapshot is None:
        return []
    centres = region_centres()
    gaps = []
    for row in snapshot.gaps.get("regions", []):
        centre = centres.get(row["region"])
        if centre is None:
            continue
        shortfall = max(0, row["participants"] - row["places_within_reach"])
        gap = network_services.rounded_gap({**row, "shortfall": shortfall})
        gaps.append(
            {
                "region": row["region"],
                "lat": centre[0],
                "lon": centre[1],
                "participants": gap["participants"],
                "places": row["places_within_reach"],
                "without_places": gap["without_places"],
                "shortfall": gap["shortfall"],
                "ratio": None if gap["ratio"] is None else round(gap["ratio"], 2),
            }
        )
    return sorted(gaps, key=lambda gap: (-(gap["shortfall"] or 0), gap["region"]))
