"""Tests for the reference recommenders: constraints never broken, order, fairness, both directions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Opportunity, Person, is_feasible, recommend_candidates, recommend_placements
from tests.matching.strategies import opportunities, opportunity_data, people, person_data, protected_attributes

PROPERTY = settings(max_examples=40, deadline=None)


def test_best_first_and_top_limits():
    person = Person("p", skills=["kuhar"], location=(46.42, 15.87), travel_radius_km=50)
    places = [
        Opportunity("none", location=(46.42, 15.87)),
        Opportunity("cook", required_skills=["kuharica"], location=(46.42, 15.87)),
        Opportunity("far cook", required_skills=["kuharica"], location=(46.55, 15.65)),
    ]
    assert [m.opportunity_id for m in recommend_placements(person, places)] == ["cook", "far cook", "none"]
    assert [m.opportunity_id for m in recommend_placements(person, places, top=1)] == ["cook"]
    assert recommend_placements(person, places, top=0) == []


def test_ties_keep_input_order():
    places = [Opportunity(i) for i in ("b", "a", "c")]
    assert [m.opportunity_id for m in recommend_placements(Person("p"), places)] == ["b", "a", "c"]


@pytest.mark.parametrize("top", [-1, 1.5, True])
def test_bad_top_is_refused(top):
    with pytest.raises(ValueError, match="top"):
        recommend_placements(Person("p"), [], top=top)


def test_candidates_mirror_placements():
    place = Opportunity("o", required_skills=["zidarstvo"], location=(46.31, 16.34), languages=["hr"])
    crowd = [
        Person("a", skills=["zidar"], languages=["hr"], location=(46.38, 16.43)),
        Person("b", skills=["zidar"], languages=["sl"], location=(46.31, 16.34)),
        Person("c", languages=["hr"], location=(46.30, 16.33), travel_radius_km=0.1),
    ]
    ranked = recommend_candidates(place, crowd)
    assert [m.person_id for m in ranked] == ["a"]
    assert ranked[0].score == recommend_placements(crowd[0], [place])[0].score


@PROPERTY
@given(person_data(), opportunities())
def test_placements_never_break_a_hard_constraint(p, places):
    person = Person(**p)
    ranked = recommend_placements(person, places, top=len(places))
    by_id = {o.id: o for o in places}
    assert all(is_feasible(person, by_id[m.opportunity_id]) for m in ranked)
    assert {m.opportunity_id for m in ranked} == {o.id for o in places if is_feasible(person, o)}
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)


@PROPERTY
@given(opportunity_data(), people())
def test_candidates_never_break_a_hard_constraint(o, crowd):
    place = Opportunity(**o)
    ranked = recommend_candidates(place, crowd, top=len(crowd))
    by_id = {p.id: p for p in crowd}
    assert all(is_feasible(by_id[m.person_id], place) for m in ranked)
    assert {m.person_id for m in ranked} == {p.id for p in crowd if is_feasible(p, place)}


@PROPERTY
@given(person_data(), protected_attributes, protected_attributes, opportunities())
def test_protected_attributes_never_change_placements(p, extra, other, places):
    first = recommend_placements({**p, **extra}, places)
    second = recommend_placements({**p, **other}, places)
    assert [(m.opportunity_id, m.score) for m in first] == [(m.opportunity_id, m.score) for m in second]


@PROPERTY
@given(opportunity_data(), st.lists(st.tuples(person_data(), protected_attributes, protected_attributes), max_size=8))
def test_protected_attributes_never_change_candidates(o, rows):
    plain = [{**p, "id": i} for i, (p, _, _) in enumerate(rows)]
    first = recommend_candidates(o, [{**p, **a} for p, (_, a, _) in zip(plain, rows, strict=True)])
    second = recommend_candidates(o, [{**p, **b} for p, (_, _, b) in zip(plain, rows, strict=True)])
    assert [(m.person_id, m.score) for m in first] == [(m.person_id, m.score) for m in second]
