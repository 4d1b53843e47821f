"""Tests for network.gaps, on a hand-made case along the equator (one degree of longitude is 111.2 km)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import haversine_km, missing_kinds, placement_gaps, worst_gaps

DEMAND = [
    {"region": "North", "municipality": "Aville", "latitude": 0.0, "longitude": 0.0, "travel_km": 50, "count": 10},
    {"region": "North", "municipality": "Btown", "latitude": 0.0, "longitude": 1.0, "travel_km": 20, "count": 4},
    {"region": "North", "municipality": "Cburg", "latitude": 0.0, "longitude": 2.0, "travel_km": 5, "count": 6},
    {"region": "South", "municipality": "Dorf", "latitude": None, "longitude": None, "travel_km": 30, "count": 3},
]
PLACES = [
    {"organisation_id": 1, "latitude": 0.0, "longitude": 0.1, "places": 3},  # 11 km from Aville
    {"organisation_id": 2, "latitude": 0.0, "longitude": 1.0, "places": 5},  # in Btown
    {"organisation_id": 3, "latitude": 0.0, "longitude": 3.0, "places": 7},  # out of everyone's reach
    {"organisation_id": 4, "latitude": None, "longitude": None, "places": 2},  # location unknown
    {"organisation_id": 5, "latitude": 0.0, "longitude": 0.2, "places": 0},  # full
]
ORGANISATIONS = [
    {"region": "North", "kind": kind} for kind in ("social_work_centre", "employment_office", "ngo", "employer")
] + [{"region": "South", "kind": "ngo"}, {"region": None, "kind": "employer"}]


def row(region, municipality, participants, unlocated, without_places, places, ratio):
    result = {
        "region": region,
        "participants": participants,
        "unlocated": unlocated,
        "without_places": without_places,
        "places_within_reach": places,
        "ratio": ratio,
    }
    return result if municipality is False else {"region": region, "municipality": municipality, **result}


class TestPlacementGaps:
    def test_known_answers(self):
        result = placement_gaps(DEMAND, PLACES)
        assert result["regions"] == [row("North", False, 20, 0, 6, 8, 0.4), row("South", False, 3, 3, 0, 0, 0.0)]
        assert result["municipalities"] == [
            row("North", "Aville", 10, 0, 0, 3, 0.3),
            row("North", "Btown", 4, 0, 0, 5, 1.25),
            row("North", "Cburg", 6, 0, 6, 0, 0.0),
            row("South", "Dorf", 3, 3, 0, 0, 0.0),
        ]

    def test_a_place_reached_from_two_rows_counts_once(self):
        demand = [dict(DEMAND[0]), dict(DEMAND[0], latitude=0.05)]
        assert placement_gaps(demand, PLACES)["regions"][0]["places_within_reach"] == 3

    def test_travel_distance_is_inclusive(self):
        demand = [dict(DEMAND[0], travel_km=float(haversine_km(0, 0, 0, 0.1)))]
        assert placement_gaps(demand, PLACES[:1])["regions"][0]["places_within_reach"] == 3

    def test_regions_filter(self):
        assert [r["region"] for r in placement_gaps(DEMAND, PLACES, regions=["South"])["regions"]] == ["South"]

    def test_no_places_at_all(self):
        result = placement_gaps(DEMAND[:1], [])
        assert result["regions"][0]["without_places"] == 10 and result["regions"][0]["ratio"] == 0.0

    def test_nothing_to_report(self):
        assert placement_gaps([], PLACES) == {"regions": [], "municipalities": []}

    @pytest.mark.parametrize(
        ("demand", "places", "message"),
        [
            ([dict(DEMAND[0], region="")], [], "demand row #0 has no region"),
            ([dict(DEMAND[0], travel_km=-1)], [], "travel_km"),
            ([dict(DEMAND[0], count=2.5)], [], "count"),
            ([], [dict(PLACES[0], places=-1)], "open places row #0"),
        ],
    )
    def test_bad_rows(self, demand, places, message):
        with pytest.raises(ValueError, match=message):
            placement_gaps(demand, places)


class TestMissingKinds:
    def test_known_answers(self):
        assert missing_kinds(ORGANISATIONS) == {
            "North": ["social_enterprise"],
            "South": ["social_work_centre", "employment_office", "social_enterprise", "employer"],
        }

    def test_named_regions_include_empty_ones(self):
        assert missing_kinds(ORGANISATIONS, required=("ngo",), regions=["North", "East"]) == {
            "North": [],
            "East": ["ngo"],
        }

    def test_fixture_network(self, organisations):
        assert missing_kinds(organisations, required=("social_work_centre", "social_enterprise"))["Podravska"] == [
            "social_enterprise"
        ]

    def test_unknown_required_kind(self):
        with pytest.raises(ValueError, match="'bakery'"):
            missing_kinds(ORGANISATIONS, required=("ngo", "bakery"))


class TestWorstGaps:
    def test_ranked_by_shortfall_with_reasons(self):
        gaps = worst_gaps(DEMAND, PLACES, ORGANISATIONS)
        assert [(gap["municipality"], gap["shortfall"]) for gap in gaps] == [
            ("Aville", 7),
            ("Cburg", 6),
            ("Dorf", 3),
            ("Btown", 0),
        ]
        assert gaps[0]["reason"] == (
            "Aville (North): 10 participants, 3 open places within their travel distance (0.3 per participant); "
            "the region has no social enterprise"
        )
        assert gaps[1]["reason"] == (
            "Cburg (North): 6 participants, 0 open places within their travel distance (0 per participant); "
            "6 have no place within reach; the region has no social enterprise"
        )
        assert "3 have no recorded location" in gaps[2]["reason"]
        assert "no social work centre, employment office, social enterprise or employer" in gaps[2]["reason"]
        assert gaps[3]["missing_kinds"] == ["social_enterprise"]

    def test_places_enough_and_no_missing_kinds_is_no_gap(self):
        organisations = [{"region": "North", "kind": "ngo"}]
        assert worst_gaps(DEMAND[1:2], PLACES, organisations, required=("ngo",)) == []

    def test_reuses_placement_gaps_given(self):
        found = placement_gaps(DEMAND, PLACES)
        assert worst_gaps(DEMAND, PLACES, ORGANISATIONS, gaps=found) == worst_gaps(DEMAND, PLACES, ORGANISATIONS)
        assert worst_gaps([], [], ORGANISATIONS, gaps=found) == worst_gaps(DEMAND, PLACES, ORGANISATIONS)

    def test_top(self):
        assert len(worst_gaps(DEMAND, PLACES, ORGANISATIONS, top=2)) == 2
        with pytest.raises(ValueError, match="top"):
            worst_gaps(DEMAND, PLACES, top=0)


def brute_force_gaps(demand, places):
    """`placement_gaps` the plain way: every demand row against every place, one dict per area."""
    offered = [p for p in places if p["latitude"] is not None and p["longitude"] is not None and p["places"]]
    plat = np.array([p["latitude"] for p in offered], dtype=float)
    plon = np.array([p["longitude"] for p in offered], dtype=float)
    areas = {}
    for row in demand:
        for key in ((row["region"],), (row["region"], row["municipality"] or "")):
            area = areas.setdefault(key, {"participants": 0, "unlocated": 0, "without_places": 0, "reached": set()})
            area["participants"] += row["count"]
            if row["latitude"] is None or row["longitude"] is None:
                area["unlocated"] += row["count"]
                continue
            within = haversine_km(float(row["latitude"]), float(row["longitude"]), plat, plon) <= row["travel_km"]
            area["reached"].update(np.flatnonzero(within).tolist())
            if not within.any():
                area["without_places"] += row["count"]
    result = {"regions": [], "municipalities": []}
    for key in sorted(areas):
        area = areas[key]
        reach = sum(offered[i]["places"] for i in area["reached"])
        names = dict(zip(("region", "municipality"), (name or None for name in key), strict=False))
        counts = {name: area[name] for name in ("participants", "unlocated", "without_places")}
        ratio = reach / area["participants"] if area["participants"] else None
        report = {**names, **counts, "places_within_reach": reach, "ratio": ratio}
        result["regions" if len(key) == 1 else "municipalities"].append(report)
    return result


# Coordinates near each other (distances around the travel distances), or anywhere on Earth.
_NEAR = st.floats(46.0, 46.3), st.floats(15.0, 15.4)
_ANYWHERE = st.floats(-90, 90), st.floats(-180, 180)


@st.composite
def demand_and_places(draw):
    """Random demand and places; some travel distances are exactly the distance to a place."""
    latitudes, longitudes = draw(st.sampled_from([_NEAR, _ANYWHERE]))
    spots = draw(st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=6))
    spot = st.sampled_from(spots) | st.tuples(latitudes, longitudes) | st.just((None, None))
    places = [
        {"organisation_id": number, "latitude": lat, "longitude": lon, "places": draw(st.integers(0, 3))}
        for number, (lat, lon) in enumerate(draw(st.lists(spot, max_size=12)))
    ]
    demand = []
    for _ in range(draw(st.integers(0, 15))):
        lat, lon = draw(spot)
        travel = draw(st.floats(0, 60) | st.sampled_from([0, 20_000.0, 30_000.0]))
        if lat is not None and places and draw(st.booleans()):
            place = draw(st.sampled_from(places))
            if place["latitude"] is not None:  # on the very edge of the reach
                travel = float(haversine_km(lat, lon, place["latitude"], place["longitude"]))
        demand.append(
            {
                "region": draw(st.sampled_from(["North", "South"])),
                "municipality": draw(st.sampled_from(["Aville", "Btown", None])),
                "latitude": lat,
                "longitude": lon,
                "travel_km": travel,
                "count": draw(st.integers(0, 5)),
            }
        )
    return demand, places


class TestPlacementGapsAgainstBruteForce:
    @settings(max_examples=300, deadline=None)
    @given(demand_and_places())
    def test_random_inputs(self, case):
        demand, places = case
        assert placement_gaps(demand, places) == brute_force_gaps(demand, places)

    @pytest.mark.parametrize("person_level", [True, False])
    def test_many_points_per_area(self, person_level):
        # Enough points per area for the search to batch them and rebuild its tree several times.
        rng = np.random.default_rng(7)
        decimals = 4 if person_level else 1
        lat, lon = rng.normal(46.1, 0.15, 3000).round(decimals), rng.normal(15.2, 0.2, 3000).round(decimals)
        demand = [
            {
                "region": ["North", "South"][i % 2],
                "municipality": ["Aville", "Btown", "Cburg", None][i % 4],
                "latitude": float(lat[i]),
                "longitude": float(lon[i]),
                "travel_km": float(rng.choice([5, 10, 20, 50])),
                "count": 1,
            }
            for i in range(3000)
        ]
        plat, plon = rng.normal(46.1, 0.3, 800).round(4), rng.normal(15.2, 0.4, 800).round(4)
        places = [
            {"organisation_id": i, "latitude": float(plat[i]), "longitude": float(plon[i]), "places": 1 + i % 3}
            for i in range(800)
        ]
        assert placement_gaps(demand, places) == brute_force_gaps(demand, places)

    @pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the brute force's haversine of inf
    def test_coordinates_and_distances_that_are_not_numbers(self):
        nan, inf = float("nan"), float("inf")
        demand = [
            dict(DEMAND[0], latitude=nan),
            dict(DEMAND[1], travel_km=nan),
            dict(DEMAND[2], travel_km=inf),
        ]
        places = [*PLACES, {"organisation_id": 6, "latitude": inf, "longitude": 0.0, "places": 4}]
        assert placement_gaps(demand, places) == brute_force_gaps(demand, places)
        assert placement_gaps(demand, places)["municipalities"][2]["places_within_reach"] == 15
