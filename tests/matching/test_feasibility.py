"""Feasibility counts agree with the engine's hard constraints, pair by pair, on random instances."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.feasibility
from matching import Opportunity, Person, violations
from matching.feasibility import _NEAREST_FEW, REASONS, feasibility
from tests.matching.strategies import opportunities, people


def brute_force(person: Person, places: list[Opportunity]) -> tuple[bool, tuple[str, ...]]:
    """The verdict and reasons from `violations` on every pair: what `feasibility` must repeat."""
    usable = [o for o in places if o.is_open and o.places_left > 0]
    broken = [set(violations(person, o)) for o in usable]
    if any(not b for b in broken):
        return True, ()
    if person.travel_radius_km is not None and person.location is None:
        return False, ("no_location",)
    reach = [b for b in broken if "travel_radius" not in b]
    if not reach:
        return False, ("out_of_reach",)
    reachable = [o for o, b in zip(usable, broken, strict=True) if "travel_radius" not in b]
    codes = []
    if all("dates" in b for b in reach):
        codes.append("dates")
    if all("languages" in b for b in reach):
        codes.append("languages")
    for need in sorted(person.support_needs):
        if not any(need in o.support_offered for o in reachable):
            codes.append(f"support:{need}")
    return False, tuple(codes) or ("combination",)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people(10), opportunities(10))
def test_agrees_with_the_constraints_pairwise(persons, places):
    result = feasibility(persons, places)
    assert result.ids == [p.id for p in persons]
    for k, person in enumerate(persons):
        expected, reasons = brute_force(person, places)
        assert bool(result.feasible[k]) == expected, person
        assert result.reasons[k] == reasons, person
        assert all(code.split(":")[0] in REASONS for code in result.reasons[k])
    assert result.unserved == sum(not f for f in result.feasible)


CENTRE = (46.42, 15.87)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3), st.sampled_from([0.0, 3.0, 10.0, 25.0])), max_size=40
    ),
    st.lists(st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3)), max_size=40),
)
def test_many_people_at_many_radii(spots, sites):
    """Dense random points: the tree search never loses a place within reach, nor invents one."""
    persons = [
        Person(f"p{i}", location=(CENTRE[0] + a, CENTRE[1] + b), travel_radius_km=r)
        for i, (a, b, r) in enumerate(spots)
    ]
    places = [Opportunity(f"o{i}", location=(CENTRE[0] + a, CENTRE[1] + b)) for i, (a, b) in enumerate(sites)]
    result = feasibility(persons, places)
    assert result.feasible.tolist() == [brute_force(p, places)[0] for p in persons]


def test_a_near_place_on_the_wrong_dates_does_not_hide_a_farther_one():
    person = Person("p", location=CENTRE, travel_radius_km=30, available_from=date(2026, 6, 1))
    places = [
        Opportunity("near", location=CENTRE, end=date(2026, 1, 1)),
        Opportunity("far", location=(CENTRE[0] + 0.1, CENTRE[1])),
    ]
    assert feasibility([person], places).feasible.tolist() == [True]
    assert feasibility([person], places[:1]).reasons == [("dates",)]


def test_more_near_places_on_the_wrong_dates_than_are_checked_first_do_not_hide_a_farther_one():
    person = Person("p", location=CENTRE, travel_radius_km=30, available_from=date(2026, 6, 1))
    ended = [
        Opportunity(f"near {n}", location=(CENTRE[0] + n / 10_000, CENTRE[1]), end=date(2026, 1, 1))
        for n in range(_NEAREST_FEW + 4)
    ]
    far = Opportunity("far", location=(CENTRE[0] + 0.1, CENTRE[1]))
    assert feasibility([person], [*ended, far]).feasible.tolist() == [True]
    beyond = Opportunity("beyond", location=(CENTRE[0] + 1, CENTRE[1]))
    assert feasibility([person], [*ended, beyond]).reasons == [("dates",)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people(10), opportunities(10))
def test_agrees_with_the_constraints_pairwise_when_only_the_nearest_is_checked_first(persons, places):
    """Every person whose nearest place does not fit goes on to every place within reach."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matching.feasibility, "_NEAREST_FEW", 1)
        result = feasibility(persons, places)
    for k, person in enumerate(persons):
        assert (bool(result.feasible[k]), result.reasons[k]) == brute_force(person, places), person


def test_reasons_name_each_missing_support_and_the_combination():
    person = Person("p", location=CENTRE, travel_radius_km=30, languages=["hr"], support_needs=["transport", "mentor"])
    places = [
        Opportunity("a", location=CENTRE, support_offered=["mentor"], languages=["sl"]),
        Opportunity("b", location=CENTRE, support_offered=["mentor"], languages=["hr"]),
    ]
    assert feasibility([person], places).reasons == [("support:transport",)]
    places = [
        Opportunity("a", location=CENTRE, support_offered=["mentor"]),
        Opportunity("b", location=CENTRE, support_offered=["transport"]),
    ]
    assert feasibility([person], places).reasons == [("combination",)]
    assert feasibility([person], places).counts() == {"combination": 1}


def test_full_or_closed_places_count_for_nobody():
    person = Person("p", location=CENTRE, travel_radius_km=30)
    places = [Opportunity("full", location=CENTRE, capacity=1, places_taken=1), Opportunity("shut", status="closed")]
    assert feasibility([person], places).reasons == [("out_of_reach",)]
    assert feasibility([], places).feasible.shape == (0,)


def test_scale_without_a_dense_matrix():
    """Thousands of people and places at once; the answer matches a sample checked pairwise."""
    rng = np.random.default_rng(3)
    support = ["transport", "mentor", "childcare_compatible", "flexible_hours"]
    persons = [
        Person(
            i,
            location=(45.5 + rng.random() * 1.3, 13.5 + rng.random() * 3.0),
            travel_radius_km=float(rng.choice([5, 10, 20])),
            languages=["sl"] if rng.random() < 0.8 else ["hr"],
            support_needs=[support[j] for j in range(4) if rng.random() < 0.15],
        )
        for i in range(5_000)
    ]
    places = [
        Opportunity(
            i,
            location=(45.5 + rng.random() * 1.3, 13.5 + rng.random() * 3.0),
            languages=["sl"] if rng.random() < 0.5 else [],
            support_offered=[support[j] for j in range(4) if rng.random() < 0.4],
        )
        for i in range(3_000)
    ]
    result = feasibility(persons, places)
    for k in rng.choice(len(persons), 25, replace=False):
        assert (bool(result.feasible[k]), result.reasons[k]) == brute_force(persons[k], places)
    assert 0 < result.unserved < len(persons)
