"""Needs-aware gaps: counts per area with suppression, and changes that always serve someone."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.geo import haversine_km
from network.needs import bridge_closers, closing_changes, needs_gaps, suppress

SUPPORT = ["transport", "childcare_compatible", "mentor"]
LANGUAGES = ["sl", "hr"]
AREAS = [("Podravska", "Ormož"), ("Podravska", "Ptuj"), ("Međimurska", "Čakovec")]


def test_counts_per_area_and_reason_with_suppression():
    rows = [
        {"region": "Podravska", "municipality": "Ormož", "reasons": ["support:transport"], "count": 6},
        {"region": "Podravska", "municipality": "Ormož", "reasons": ["support:transport", "languages"], "count": 1},
        {"region": "Podravska", "municipality": "Ormož", "reasons": [], "count": 3},
        {"region": "Podravska", "municipality": "Ptuj", "reasons": ["out_of_reach"], "count": 2},
        {"region": "Podravska", "municipality": "Ptuj", "reasons": [], "count": 50},
        {"region": "Savinjska", "municipality": "Celje", "reasons": [], "count": 9},
    ]
    found = needs_gaps(rows)
    assert found["municipalities"] == [
        {
            "region": "Podravska",
            "municipality": "Ormož",
            "participants": 10,
            "without_place": 7,
            "reasons": {"languages": None, "support:transport": 7},
        },
        {
            "region": "Podravska",
            "municipality": "Ptuj",
            "participants": 52,
            "without_place": None,
            "reasons": {"out_of_reach": None},
        },
    ]
    assert found["regions"] == [
        {
            "region": "Podravska",
            "participants": 62,
            "without_place": 9,
            "reasons": {"languages": None, "out_of_reach": None, "support:transport": 7},
        }
    ]
    # The threshold is the caller's.
    assert needs_gaps(rows, smallest_shown=2)["municipalities"][1]["without_place"] == 2
    assert [suppress(n, 5) for n in (0, 1, 4, 5)] == [0, None, None, 5]


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match="count"):
        needs_gaps([{"region": "x", "count": -1}])
    with pytest.raises(ValueError, match="region"):
        needs_gaps([{"count": 1}])
    with pytest.raises(ValueError, match="per_area"):
        closing_changes([], per_area=0)


person_rows = st.lists(
    st.fixed_dictionaries(
        {
            "area": st.sampled_from(AREAS),
            "latitude": st.floats(46.0, 46.6),
            "longitude": st.floats(15.5, 16.5),
            "travel_km": st.one_of(st.none(), st.sampled_from([0.0, 5.0, 15.0, 40.0])),
            "languages": st.sets(st.sampled_from(LANGUAGES), max_size=2),
            "needs": st.sets(st.sampled_from(SUPPORT), max_size=2),
            "served": st.booleans(),
            "count": st.integers(0, 8),
        }
    ),
    max_size=25,
)
hosts = st.lists(
    st.fixed_dictionaries(
        {
            "latitude": st.floats(46.0, 46.6),
            "longitude": st.floats(15.5, 16.5),
            "support_offered": st.sets(st.sampled_from(SUPPORT), max_size=2),
        }
    ),
    max_size=6,
)


def _rows(drawn):
    return [
        {
            "region": d["area"][0],
            "municipality": d["area"][1],
            "latitude": d["latitude"],
            "longitude": d["longitude"],
            "travel_km": d["travel_km"],
            "languages": d["languages"],
            "needs": d["needs"],
            "reasons": [] if d["served"] else ["out_of_reach"],
            "count": d["count"],
        }
        for d in drawn
    ]


def _serves(change, row):
    """Whether a new place at the change's site, as proposed, is feasible for the row (the engine's rules)."""
    distance = float(haversine_km(change["latitude"], change["longitude"], row["latitude"], row["longitude"]))
    in_reach = row["travel_km"] is None or distance <= row["travel_km"] + 1e-9
    return (
        in_reach and set(row["needs"]) <= set(change["support"]) and set(change["languages"]) <= set(row["languages"])
    )


@settings(max_examples=200, deadline=None)
@given(person_rows, hosts)
def test_every_change_serves_someone_and_says_whom_truly(drawn, host_list):
    rows = _rows(drawn)
    host_rows = [{"id": n, **h} for n, h in enumerate(host_list)]
    changes = closing_changes(rows, host_rows, smallest_shown=1)
    left = {}
    for row in rows:
        if row["reasons"] and row["count"]:
            left.setdefault((row["region"], row["municipality"]), []).append(row)
    for change in changes:
        assert change["people"] >= 1
        assert change["places"] == change["people"]
        area = left[(change["region"], change["municipality"])]
        served = [row for row in area if _serves(change, row)]
        # The greedy picks serve people still without a place: at least as many as it claims are served.
        assert sum(row["count"] for row in served) >= change["people"]
        for host in change["hosts"]:
            h = host_rows[host]
            moved = {**change, "latitude": h["latitude"], "longitude": h["longitude"]}
            assert sum(row["count"] for row in area if _serves(moved, row)) >= change["people"]
    # Nobody without a place who could be served by a place at their own location is left without a proposal.
    areas_with_changes = {(c["region"], c["municipality"]) for c in changes}
    assert areas_with_changes == set(left)
    assert [c["people"] for c in changes] == sorted((c["people"] for c in changes), reverse=True)


def test_the_change_names_the_support_language_and_hosts_nearby():
    rows = [
        {
            "region": "Podravska",
            "municipality": "Ormož",
            "latitude": 46.41,
            "longitude": 16.15,
            "travel_km": 15,
            "languages": ["sl", "hr"],
            "needs": ["childcare_compatible", "transport"],
            "reasons": ["support:childcare_compatible", "support:transport"],
            "count": 6,
        },
        {
            "region": "Podravska",
            "municipality": "Ormož",
            "latitude": 46.40,
            "longitude": 16.10,
            "travel_km": 10,
            "languages": ["sl"],
            "needs": ["transport"],
            "reasons": ["support:transport"],
            "count": 3,
        },
        {
            "region": "Podravska",
            "municipality": "Ormož",
            "latitude": 46.41,
            "longitude": 16.15,
            "travel_km": 15,
            "languages": ["sl"],
            "needs": [],
            "reasons": [],
            "count": 30,
        },
    ]
    hosts = [
        {"id": "far", "latitude": 45.8, "longitude": 15.9, "support_offered": ["transport"]},
        {"id": "near", "latitude": 46.405, "longitude": 16.13, "support_offered": []},
        {"id": "near-transport", "latitude": 46.407, "longitude": 16.13, "support_offered": ["transport"]},
    ]
    (change,) = closing_changes(rows, hosts, per_area=3)
    assert change["people"] == 9
    assert change["support"] == ["childcare_compatible", "transport"]
    assert change["languages"] == ["sl"]
    assert change["hosts"] == ["near-transport", "near"]
    assert change["reasons"] == {"support:childcare_compatible": 6, "support:transport": 9}
    assert 0 <= change["within_km"] <= 10


def test_nothing_to_close_proposes_nothing():
    rows = [
        {
            "region": "Podravska",
            "municipality": "Ptuj",
            "latitude": 46.4,
            "longitude": 15.9,
            "travel_km": 10,
            "reasons": [],
            "count": 12,
        }
    ]
    assert closing_changes(rows) == []
    assert closing_changes([{**rows[0], "reasons": ["no_location"], "latitude": None}]) == []


def test_a_bridge_closer_removes_the_bridge():
    G = nx.Graph([(1, 2), (2, 3), (3, 4), (4, 2), (4, 5), (6, 7)])
    bridges = [{"source": u, "target": v} for u, v in (sorted(e) for e in nx.bridges(G))]
    closers = bridge_closers(G, bridges)
    assert {tuple(c["bridge"]) for c in closers} == {(1, 2), (4, 5)}  # (6, 7) stands alone: nothing to join
    for closer in closers:
        H = G.copy()
        H.add_edge(closer["source"], closer["target"])
        assert tuple(closer["bridge"]) not in {tuple(sorted(e)) for e in nx.bridges(H)}
        assert closer["reasons"][0]["code"] == "common_partners"
    assert len(bridge_closers(G, bridges, top=1)) == 1
