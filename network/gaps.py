"""Gaps: where participants have few placements within reach, and which kinds of organisation a region lacks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from network.geo import haversine_km
from network.records import ORGANISATION_KINDS

__all__ = ["REQUIRED_KINDS", "missing_kinds", "placement_gaps", "worst_gaps"]

# Every region needs someone who refers, someone who hosts and someone who employs.
REQUIRED_KINDS = ("social_work_centre", "employment_office", "social_enterprise", "ngo", "employer")
# Demand rows compared with all places at once; bounds the distance matrix to ~8 MB per 1,000 places.
_CHUNK = 1024


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
    offered = [row for row in (_places_row(number, row) for number, row in enumerate(places)) if row is not None]
    place_lat = np.array([row[0] for row in offered], dtype=float)
    place_lon = np.array([row[1] for row in offered], dtype=float)
    place_count = np.array([row[2] for row in offered], dtype=np.int64)

    region_keys = sorted({(row["region"],) for row in rows})
    municipality_keys = sorted({(row["region"], row["municipality"] or "") for row in rows})
    region_index = {key: index for index, key in enumerate(region_keys)}
    municipality_index = {key: index for index, key in enumerate(municipality_keys)}
    region_reach = np.zeros((len(region_keys), len(offered)), dtype=bool)
    municipality_reach = np.zeros((len(municipality_keys), len(offered)), dtype=bool)

    located = [row for row in rows if row["latitude"] is not None and row["longitude"] is not None]
    reaches_any = np.zeros(len(located), dtype=bool)
    for start in range(0, len(located), _CHUNK):
        chunk = located[start : start + _CHUNK]
        lat = np.array([row["latitude"] for row in chunk], dtype=float)
        lon = np.array([row["longitude"] for row in chunk], dtype=float)
        travel = np.array([row["travel_km"] for row in chunk], dtype=float)
        within = haversine_km(lat[:, None], lon[:, None], place_lat[None, :], place_lon[None, :]) <= travel[:, None]
        reaches_any[start : start + len(chunk)] = within.any(axis=1)
        np.logical_or.at(region_reach, [region_index[(row["region"],)] for row in chunk], within)
        np.logical_or.at(
            municipality_reach,
            [municipality_index[(row["region"], row["municipality"] or "")] for row in chunk],
            within,
        )

    def report(keys: list[tuple], key_of: Any, reach: np.ndarray, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        totals = {key: {"participants": 0, "unlocated": 0, "without_places": 0} for key in keys}
        for row in rows:
            totals[key_of(row)]["participants"] += row["count"]
            if row["latitude"] is None or row["longitude"] is None:
                totals[key_of(row)]["unlocated"] += row["count"]
        for row, reached in zip(located, reaches_any, strict=True):
            if not reached:
                totals[key_of(row)]["without_places"] += row["count"]
        result = []
        for index, key in enumerate(keys):
            within_reach = int(place_count[reach[index]].sum())
            participants = totals[key]["participants"]
            result.append(
                {
                    **{field: value or None for field, value in zip(fields, key, strict=True)},
                    **totals[key],
                    "places_within_reach": within_reach,
                    "ratio": within_reach / participants if participants else None,
                }
            )
        return result

    return {
        "regions": report(region_keys, lambda row: (row["region"],), region_reach, ("region",)),
        "municipalities": report(
            municipality_keys,
            lambda row: (row["region"], row["municipality"] or ""),
            municipality_reach,
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
    present: dict[str, set[str]] = {}
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
) -> list[dict[str, Any]]:
    """The municipalities where placements fall shortest, ranked, each with a plain-language reason.

    ``shortfall`` is how many participants would stay without a place even if every place
    within their reach went to them (participants minus places within reach). Municipalities
    rank by shortfall, then by the lowest ratio of places to participants, then by how many
    required kinds of organisation their region lacks. Only municipalities with participants
    and some gap (a shortfall, participants with nothing in reach, or missing kinds) appear.

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
    areas = placement_gaps(demand, places, regions=regions)["municipalities"]
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
