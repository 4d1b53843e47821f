"""Gaps: where participants have few placements within reach, and which kinds of organisation a region lacks."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.spatial import KDTree

from network.geo import EARTH_RADIUS_KM, haversine_km
from network.records import ORGANISATION_KINDS

__all__ = ["REQUIRED_KINDS", "missing_kinds", "placement_gaps", "worst_gaps"]

# Every region needs someone who refers, someone who hosts and someone who employs.
REQUIRED_KINDS = ("social_work_centre", "employment_office", "social_enterprise", "ngo", "employer")
# Reach is searched on points of the unit sphere in 3-D, where the straight-line (chord) distance
# grows with the great-circle distance, so a k-d tree finds the candidates; every candidate is then
# confirmed with `haversine_km`, so the answer is exactly the brute-force one. The search radius
# is widened by these (relative, absolute) slacks so that rounding never drops a place within
# reach: rounding is ~1e-16 (relative in the radius, absolute in the coordinates).
_SLACK = (1e-9, 1e-12)
# Candidate pairs checked at once for an area: bounds memory (a few MB) even when one
# participant's reach covers the whole country.
_PAIRS_PER_BATCH = 1 << 13
_MAX_POINTS_PER_BATCH = 256


def placement_gaps(
    demand: Iterable[Mapping[str, Any]],
    places: Iterable[Mapping[str, Any]],
    *,
    regions: Collection[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Participants against the open places within their travel reach, per region and municipality.

    A place is within reach of a demand row when its great-circle distance is at most the
    row's ``travel_km``. For an area, ``places_within_reach`` adds up every place within
    reach of at least one of its participants (each place once), and ``ratio`` is that
    divided by ``participants``. Rows without coordinates count as ``unlocated``
    participants (their reach is unknown); places without coordinates reach nobody.

    Parameters
    ----------
    demand : iterable of mappings
        ``Demand`` records.
    places : iterable of mappings
        ``OpenPlaces`` records.
    regions : collection of str, optional
        Report only these regions.

    Returns
    -------
    dict
        ``"regions"`` and ``"municipalities"``: lists of ``{"region", ("municipality",)
        "participants", "unlocated", "without_places", "places_within_reach", "ratio"}``
        sorted by name; ``without_places`` counts located participants with no place in reach.

    Notes
    -----
    Rows at one location with one travel distance are searched once, on a k-d tree of the
    places; every candidate is confirmed with `haversine_km`, so the result is the one of
    comparing every row with every place. About 4 s of CPU for 200,000 participants at their
    own coordinates and 100,000 places in two countries (``bench/network_metrics.py``).

    Examples
    --------
    >>> demand = [{"region": "Podravska", "municipality": "Ptuj", "latitude": 46.42,
    ...            "longitude": 15.87, "travel_km": 20, "count": 10}]
    >>> places = [{"organisation_id": 1, "latitude": 46.42, "longitude": 15.88, "places": 4},
    ...           {"organisation_id": 2, "latitude": 46.38, "longitude": 16.43, "places": 9}]
    >>> row = placement_gaps(demand, places)["municipalities"][0]
    >>> row["participants"], row["places_within_reach"], row["ratio"]
    (10, 4, 0.4)
    """
    rows = [_demand_row(number, row) for number, row in enumerate(demand)]
    if regions is not None:
        wanted = set(regions)
        rows = [row for row in rows if row["region"] in wanted]
    index = _PlaceIndex([row for row in (_places_row(n, row) for n, row in enumerate(places)) if row is not None])
    region_keys = sorted({(row["region"],) for row in rows})
    municipality_keys = sorted({(row["region"], row["municipality"] or "") for row in rows})
    located = [row for row in rows if row["latitude"] is not None and row["longitude"] is not None]
    points = _DemandPoints(located, {key: number for number, key in enumerate(municipality_keys)})
    reaches_any = points.reaches_any(index)
    region_places, municipality_places = _places_within_reach(index, points, region_keys, municipality_keys)

    def report(
        keys: list[tuple[Any, ...]], key_of: Any, within: dict[tuple[Any, ...], int], fields: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        totals = {key: {"participants": 0, "unlocated": 0, "without_places": 0} for key in keys}
        for row in rows:
            totals[key_of(row)]["participants"] += row["count"]
            if row["latitude"] is None or row["longitude"] is None:
                totals[key_of(row)]["unlocated"] += row["count"]
        for row, reached in zip(located, reaches_any, strict=True):
            if not reached:
                totals[key_of(row)]["without_places"] += row["count"]
        result = []
        for key in keys:
            participants = totals[key]["participants"]
            result.append(
                {
                    **{field: value or None for field, value in zip(fields, key, strict=True)},
                    **totals[key],
                    "places_within_reach": within[key],
                    "ratio": within[key] / participants if participants else None,
                }
            )
        return result

    return {
        "regions": report(region_keys, lambda row: (row["region"],), region_places, ("region",)),
        "municipalities": report(
            municipality_keys,
            lambda row: (row["region"], row["municipality"] or ""),
            municipality_places,
            ("region", "municipality"),
        ),
    }


def missing_kinds(
    organisations: Iterable[Mapping[str, Any]],
    *,
    required: Sequence[str] = REQUIRED_KINDS,
    regions: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """The required kinds of organisation that have no organisation in each region.

    Parameters
    ----------
    organisations : iterable of mappings
        ``Organisation`` records; those without a region are skipped.
    required : sequence of str
        Kinds every region should have, from ``ORGANISATION_KINDS``.
    regions : collection of str, optional
        Report exactly these regions (a region without any organisation lacks every kind);
        by default every region that has organisations.

    Returns
    -------
    dict
        ``{region: [missing kinds, in the order of required]}``, regions sorted by name.

    Examples
    --------
    >>> orgs = [{"region": "Podravska", "kind": "employer"}, {"region": "Podravska", "kind": "ngo"}]
    >>> missing_kinds(orgs, required=("ngo", "employer", "social_enterprise"), regions=["Podravska", "Savinjska"])
    {'Podravska': ['social_enterprise'], 'Savinjska': ['ngo', 'employer', 'social_enterprise']}
    """
    unknown = [kind for kind in required if kind not in ORGANISATION_KINDS]
    if unknown:
        raise ValueError(f"unknown organisation kinds in required: {', '.join(map(repr, unknown))}")
    present: dict[str, set[str | None]] = {}
    for organisation in organisations:
        if organisation.get("region"):
            present.setdefault(organisation["region"], set()).add(organisation.get("kind"))
    names = sorted(present) if regions is None else sorted(set(regions))
    return {region: [kind for kind in required if kind not in present.get(region, ())] for region in names}


def worst_gaps(
    demand: Iterable[Mapping[str, Any]],
    places: Iterable[Mapping[str, Any]],
    organisations: Iterable[Mapping[str, Any]] = (),
    *,
    top: int = 10,
    required: Sequence[str] = REQUIRED_KINDS,
    regions: Collection[str] | None = None,
    gaps: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """The municipalities where placements fall shortest, ranked, each with a plain-language reason.

    ``shortfall`` is how many participants would stay without a place even if every place
    within their reach went to them (participants minus places within reach). Municipalities
    rank by shortfall, then by the lowest ratio of places to participants, then by how many
    required kinds of organisation their region lacks. Only municipalities with participants
    and some gap (a shortfall, participants with nothing in reach, or missing kinds) appear.

    Parameters
    ----------
    gaps : mapping, optional
        The `placement_gaps` of the same demand, places and regions, when the caller has it
        already: it is used instead of being computed again (seconds at a country's scale).

    Returns
    -------
    list of dict
        The `placement_gaps` municipality row plus ``shortfall``, ``missing_kinds`` and
        ``reason``.

    Examples
    --------
    >>> demand = [{"region": "Podravska", "municipality": "Ptuj", "latitude": 46.42,
    ...            "longitude": 15.87, "travel_km": 20, "count": 10}]
    >>> places = [{"organisation_id": 1, "latitude": 46.42, "longitude": 15.88, "places": 4}]
    >>> orgs = [{"region": "Podravska", "kind": kind} for kind in ("social_work_centre", "ngo")]
    >>> for part in worst_gaps(demand, places, orgs, required=("ngo", "employer"))[0]["reason"].split("; "):
    ...     print(part)
    Ptuj (Podravska): 10 participants, 4 open places within their travel distance (0.4 per participant)
    the region has no employer
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a whole number of at least 1, not {top!r}")
    if gaps is None:
        gaps = placement_gaps(demand, places, regions=regions)
    areas = gaps["municipalities"]
    lacking = missing_kinds(organisations, required=required, regions={area["region"] for area in areas})
    ranked = []
    for area in areas:
        shortfall = max(0, area["participants"] - area["places_within_reach"])
        missing = lacking[area["region"]]
        if area["participants"] and (shortfall or area["without_places"] or missing):
            ranked.append({**area, "shortfall": shortfall, "missing_kinds": missing, "reason": _reason(area, missing)})
    ranked.sort(
        key=lambda gap: (
            -gap["shortfall"],
            gap["ratio"],
            -len(gap["missing_kinds"]),
            gap["region"],
            gap["municipality"] or "",
        )
    )
    return ranked[:top]


def _reason(area: Mapping[str, Any], missing: Sequence[str]) -> str:
    where = f"{area['municipality']} ({area['region']})" if area["municipality"] else area["region"]
    participants, within = area["participants"], area["places_within_reach"]
    parts = [
        f"{where}: {_count(participants, 'participant')}, "
        f"{_count(within, 'open place')} within their travel distance ({area['ratio']:.2g} per participant)"
    ]
    if area["without_places"]:
        parts.append(f"{area['without_places']} have no place within reach")
    if area["unlocated"]:
        parts.append(f"{area['unlocated']} have no recorded location")
    if missing:
        parts.append("the region has no " + _listing([kind.replace("_", " ") for kind in missing], "or"))
    return "; ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _listing(words: Sequence[str], conjunction: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _demand_row(number: int, row: Mapping[str, Any]) -> dict[str, Any]:
    what = f"demand row #{number}"
    if not row.get("region"):
        raise ValueError(f"{what} has no region")
    count, travel = row.get("count", 1), row.get("travel_km")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"{what} count must be a whole number of at least 0, not {count!r}")
    if isinstance(travel, bool) or not isinstance(travel, (int, float)) or travel < 0:
        raise ValueError(f"{what} travel_km must be a number of at least 0, not {travel!r}")
    return {
        "region": row["region"],
        "municipality": row.get("municipality"),
        "latitude": row.get("latitude"),
        "longitude": row.get("longitude"),
        "travel_km": float(travel),
        "count": count,
    }


def _places_row(number: int, row: Mapping[str, Any]) -> tuple[float, float, int] | None:
    count = row.get("places")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"open places row #{number} places must be a whole number of at least 0, not {count!r}")
    if row.get("latitude") is None or row.get("longitude") is None or count == 0:
        return None
    return float(row["latitude"]), float(row["longitude"]), count


def _unit_vectors(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """Points of the unit sphere, one row of (x, y, z) per pair of coordinates in degrees."""
    lat, lon = np.radians(latitude), np.radians(longitude)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _search_radius(travel_km: np.ndarray) -> np.ndarray:
    """The chord on the unit sphere of each travel distance, widened by `_SLACK`.

    A travel distance of half the Earth's circumference or more covers every place (chord 2).
    """
    angle = np.minimum(np.asarray(travel_km, dtype=float) / EARTH_RADIUS_KM, np.pi)
    relative, absolute = _SLACK
    return 2 * np.sin(angle / 2) * (1 + relative) + absolute


class _PlaceIndex:
    """Open places with coordinates, one entry per location (places counted together), in a k-d tree."""

    def __init__(self, offered: Sequence[tuple[float, float, int]]) -> None:
        lat = np.array([row[0] for row in offered], dtype=float)
        lon = np.array([row[1] for row in offered], dtype=float)
        count = np.array([row[2] for row in offered], dtype=np.int64)
        # A place without finite coordinates is at no distance from anyone: it reaches nobody.
        finite = np.isfinite(lat) & np.isfinite(lon)
        # Places at one location are always reached together, so one entry stands for them all.
        spots, inverse = np.unique(np.column_stack((lat[finite], lon[finite])), axis=0, return_inverse=True)
        self.lat, self.lon = spots[:, 0], spots[:, 1]
        self.count = np.zeros(len(spots), dtype=np.int64)
        np.add.at(self.count, inverse.reshape(-1), count[finite])
        self.xyz = _unit_vectors(self.lat, self.lon)
        self.tree = KDTree(self.xyz) if len(spots) else None
        # Scratch space of `_confirmed`, one slot per place.
        self.slot = np.zeros(len(spots), dtype=np.intp)

    def __len__(self) -> int:
        return len(self.count)


class _DemandPoints:
    """The distinct (municipality, latitude, longitude, travel_km) of located demand rows.

    Rows repeated at one location are searched once. ``row_point`` maps each row to its point;
    points are sorted by municipality, so ``bounds[m]:bounds[m + 1]`` are municipality ``m``'s.
    """

    def __init__(self, located: Sequence[Mapping[str, Any]], municipality_index: Mapping[tuple[Any, ...], int]) -> None:
        table = np.array(
            [
                (
                    municipality_index[(row["region"], row["municipality"] or "")],
                    row["latitude"],
                    row["longitude"],
                    row["travel_km"],
                )
                for row in located
            ],
            dtype=float,
        ).reshape(-1, 4)
        # Sorted by municipality, then location and travel distance; a new point wherever one changes.
        order = np.lexsort(table.T[::-1])
        table = table[order]
        starts = np.ones(len(table), dtype=bool)
        starts[1:] = (table[1:] != table[:-1]).any(axis=1)
        unique = table[starts]
        self.row_point = np.empty(len(table), dtype=np.intp)
        self.row_point[order] = np.cumsum(starts) - 1
        self.municipality = unique[:, 0].astype(np.intp)
        self.lat, self.lon, self.travel = unique[:, 1], unique[:, 2], unique[:, 3]
        self.bounds = np.searchsorted(self.municipality, np.arange(len(municipality_index) + 1))
        self.xyz = _unit_vectors(self.lat, self.lon)
        self.radius = _search_radius(self.travel)
        # Points with a coordinate or a travel distance that is not a number reach nothing.
        self.searchable = np.isfinite(self.xyz).all(axis=1) & np.isfinite(self.radius)

    def within(self, point: np.ndarray, index: _PlaceIndex, place: np.ndarray) -> np.ndarray:
        """Whether each place is within reach of each point (pairwise), exactly as `haversine_km` says."""
        distance = haversine_km(self.lat[point], self.lon[point], index.lat[place], index.lon[place])
        reach: np.ndarray = distance <= self.travel[point]
        return reach

    def reaches_any(self, index: _PlaceIndex) -> np.ndarray:
        """For every located row, whether at least one place is within its reach."""
        reached = np.zeros(len(self.lat), dtype=bool)
        if index.tree is not None:
            searched = np.flatnonzero(self.searchable)
            found = index.tree.query(self.xyz[searched])
            # One point per row in, so arrays out (the stubs also allow the scalars of a single point).
            distance, nearest = np.asarray(found[0]), np.asarray(found[1], dtype=np.intp)
            near = distance <= self.radius[searched]
            searched, nearest = searched[near], nearest[near]
            reached[searched] = self.within(searched, index, nearest)
            # The nearest place in chord may miss the exact reach by a rounding error while
            # another one, as near, is within it: those few points check every candidate.
            for point in searched[~reached[searched]]:
                candidates = np.asarray(index.tree.query_ball_point(self.xyz[point], self.radius[point]), dtype=np.intp)
                reached[point] = self.within(np.full(len(candidates), point), index, candidates).any()
        return reached[self.row_point]


def _places_within_reach(
    index: _PlaceIndex,
    points: _DemandPoints,
    region_keys: Sequence[tuple[Any, ...]],
    municipality_keys: Sequence[tuple[Any, ...]],
) -> tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]:
    """Open places within reach of each region's and each municipality's participants, each place once."""
    by_region = {key: np.zeros(len(index), dtype=bool) for key in region_keys}
    municipality_places = {}
    for number, key in enumerate(municipality_keys):
        area = np.arange(points.bounds[number], points.bounds[number + 1])
        reached = _reach_of_area(index, points, area[points.searchable[area]])
        municipality_places[key] = int(index.count[reached].sum())
        # A region's participants are its municipalities' participants, so its reach is theirs.
        by_region[key[:1]] |= reached
    return {key: int(index.count[reached].sum()) for key, reached in by_region.items()}, municipality_places


def _reach_of_area(index: _PlaceIndex, points: _DemandPoints, area: np.ndarray) -> np.ndarray:
    """Which places are within reach of at least one of an area's points (a mask over ``index``).

    The points of an area mostly reach the same places. The first ones search every place;
    once the searches have returned as many places already reached as lie near the area
    (rebuilding a tree costs about that much), the search moves to a tree of the places near
    the area not reached yet, rebuilt the same way: later points then only see the places at
    the edge of what the area already reaches.
    """
    reached = np.zeros(len(index), dtype=bool)
    if index.tree is None or not len(area):
        return reached
    # Every place within reach lies in a ball around the points' centre (triangle inequality).
    centre = points.xyz[area].mean(axis=0)
    spread = np.sqrt(((points.xyz[area] - centre) ** 2).sum(axis=1)).max()
    relative, absolute = _SLACK
    bound = (spread + points.radius[area].max()) * (1 + relative) + absolute
    near = np.asarray(index.tree.query_ball_point(centre, bound, return_sorted=False), dtype=np.intp)
    # Large reaches first, the rest in a fixed shuffle: the first few points then cover most of
    # what the area reaches (the order changes only the time taken, never the answer).
    shuffle = np.random.default_rng(0).permutation(len(area))
    area = area[np.lexsort((shuffle, -points.travel[area]))]
    tree, pending, wasted = index.tree, None, 0
    start, batch = 0, 1
    while start < len(area):
        if wasted >= len(near):
            near = near[~reached[near]]
            if not len(near):
                break
            tree, pending, wasted = KDTree(index.xyz[near], balanced_tree=False, compact_nodes=False), near, 0
        point = area[start : start + batch]
        hits = tree.query_ball_point(points.xyz[point], points.radius[point], return_sorted=False)
        lengths = np.fromiter(map(len, hits), dtype=np.intp, count=len(hits))
        place = np.fromiter(itertools.chain.from_iterable(hits), dtype=np.intp, count=int(lengths.sum()))
        if pending is not None:
            place = pending[place]
        owner = np.repeat(point, lengths)
        fresh = ~reached[place]
        found = _confirmed(index, points, owner[fresh], place[fresh])
        reached[found] = True
        wasted += len(place) - len(found)
        start += batch
        # At most twice as many points as last time, and as many as keep the candidate pairs
        # near `_PAIRS_PER_BATCH` if they find as much as the last ones did.
        predicted = _PAIRS_PER_BATCH * len(point) // max(len(place), 1)
        batch = int(np.clip(predicted, 1, min(2 * len(point), _MAX_POINTS_PER_BATCH)))
    return reached


def _confirmed(index: _PlaceIndex, points: _DemandPoints, owner: np.ndarray, place: np.ndarray) -> np.ndarray:
    """The places of candidate pairs (point, place) that `haversine_km` puts within the point's reach.

    Points of a batch share most candidates: each place is checked with one of its points, and
    only the places that one misses (at the edge of the search radius) with all of theirs.
    """
    # One pair per place without sorting: the last pair written to a place's slot stands for it.
    pairs = np.arange(len(place))
    index.slot[place] = pairs
    one = index.slot[place] == pairs
    unique: np.ndarray = place[one]
    within = points.within(owner[one], index, unique)
    if within.all():
        return unique
    doubtful = np.isin(place, unique[~within])
    again = points.within(owner[doubtful], index, place[doubtful])
    return np.union1d(unique[within], place[doubtful][again])
