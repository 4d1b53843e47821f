"""Tests for the seeded synthetic data used by the demo report, the tests and the benchmarks."""

from __future__ import annotations

from matching.synthetic import synthetic_groups, synthetic_opportunities, synthetic_outcomes, synthetic_people
from matching.vocabulary import CONCEPTS, TOWNS, all_labels


def test_same_seed_same_data_other_seed_other_data():
    assert synthetic_people(30, seed=1) == synthetic_people(30, seed=1)
    assert synthetic_opportunities(30, seed=1) != synthetic_opportunities(30, seed=2)


def test_people_are_spread_across_both_countries_and_some_profiles_are_thin():
    people = synthetic_people(400, seed=3)
    assert {lang for p in people for lang in p.languages} >= {"sl", "hr"}
    assert any(not p.skills for p in people) and any(p.hours is None for p in people)
    lats = [p.location[0] for p in people]
    assert min(lats) < 44.5 and max(lats) > 46.3  # from Split to Murska Sobota


def test_open_share_and_capacity():
    places = synthetic_opportunities(300, seed=4, open_share=0.5)
    open_ = [o for o in places if o.is_open]
    assert 100 < len(open_) < 200
    assert all(o.places_left > 0 for o in open_) and all(o.places_left == 0 for o in places if not o.is_open)


def test_outcomes_come_in_time_order_with_both_results():
    people, places = synthetic_people(120, seed=5), synthetic_opportunities(30, seed=5)
    outcomes = synthetic_outcomes(people, places, seed=5)
    assert [o.time for o in outcomes] == sorted(o.time for o in outcomes)
    assert {o.success for o in outcomes} == {True, False}
    groups = synthetic_groups(people, seed=5)
    assert set(groups) == {p.id for p in people} and set(groups.values()) == {"A", "B"}


def test_vocabulary_covers_three_languages_and_both_countries():
    assert len(all_labels()) == 3 * len(CONCEPTS)
    assert {t.country for t in TOWNS} == {"SI", "HR"}
    assert any(c.uri is None for c in CONCEPTS) and any(c.uri for c in CONCEPTS)
