"""Tests for the hard constraints, one by one."""

from __future__ import annotations

from datetime import date

import pytest

from matching import CONSTRAINTS, Opportunity, Person, distance_km, is_feasible, violations

MARIBOR, PTUJ = (46.554, 15.646), (46.420, 15.870)


@pytest.mark.parametrize(
    ("person", "opportunity", "broken"),
    [
        (Person(1), Opportunity(2, status="closed"), ("open",)),
        (Person(1), Opportunity(2, capacity=2, places_taken=2), ("places_left",)),
        (Person(1), Opportunity(2, capacity=0), ("places_left",)),
        (Person(1, available_from=date(2025, 6, 1)), Opportunity(2, end=date(2025, 5, 31)), ("dates",)),
        (Person(1, available_until=date(2025, 6, 1)), Opportunity(2, start=date(2025, 6, 2)), ("dates",)),
        (Person(1, languages=["sl"]), Opportunity(2, languages=["sl", "hr"]), ("languages",)),
        (Person(1, location=MARIBOR, travel_radius_km=20), Opportunity(2, location=PTUJ), ("travel_radius",)),
        (Person(1, travel_radius_km=20), Opportunity(2, location=PTUJ), ("travel_radius",)),
        (Person(1, location=MARIBOR, travel_radius_km=20), Opportunity(2), ("travel_radius",)),
        (Person(1, support_needs=["mentor", "transport"]), Opportunity(2, support_offered=["mentor"]), ("support",)),
    ],
)
def test_each_constraint(person, opportunity, broken):
    assert violations(person, opportunity) == broken
    assert not is_feasible(person, opportunity)


@pytest.mark.parametrize(
    ("person", "opportunity"),
    [
        (Person(1), Opportunity(2)),
        (Person(1, available_from=date(2025, 6, 1)), Opportunity(2, start=date(2025, 1, 1), end=date(2025, 6, 1))),
        (Person(1, languages=["SL", "hr"]), Opportunity(2, languages=["hr"])),
        (Person(1, location=MARIBOR, travel_radius_km=23), Opportunity(2, location=PTUJ)),
        (Person(1, location=MARIBOR), Opportunity(2, location=(45.0, 13.0))),  # no radius: no limit
        (Person(1, support_needs=["Mentor"]), Opportunity(2, support_offered=["mentor", "transport"])),
    ],
)
def test_feasible_pairs(person, opportunity):
    assert violations(person, opportunity) == ()


def test_reports_every_broken_constraint_in_order():
    person = Person(1, languages=["sl"], location=MARIBOR, travel_radius_km=1, support_needs=["mentor"])
    assert violations(person, Opportunity(2, status="closed", capacity=0, languages=["hr"], location=PTUJ)) == (
        "open",
        "places_left",
        "languages",
        "travel_radius",
        "support",
    )
    assert set(violations(person, Opportunity(2, status="closed", capacity=0, languages=["hr"], location=PTUJ))) <= set(
        CONSTRAINTS
    )


def test_distance_needs_both_locations():
    assert distance_km(Person(1, location=MARIBOR), Opportunity(2)) is None
    assert distance_km(Person(1, location=MARIBOR), Opportunity(2, location=MARIBOR)) == 0.0
