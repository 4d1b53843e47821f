"""Tests for the seeded synthetic data used by the demo report, the tests and the benchmarks."""

from __future__ import annotations

import numpy as np
import pytest

from matching import COMPONENTS, OpportunityIndex
from matching.metrics import ndcg_at_k
from matching.synthetic import (
    TRUE_WEIGHTS,
    simulated_referrals,
    synthetic_groups,
    synthetic_opportunities,
    synthetic_outcomes,
    synthetic_people,
    synthetic_world,
)
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


def test_world_success_follows_its_documented_model():
    world = synthetic_world(300, 80, seed=3)
    person = world.people[0]
    chances = [world.success_chance(person, place) for place in world.places]
    assert all(0.0 < c < 1.0 for c in chances)
    best = max(world.places, key=lambda o: world.success_chance(person, o))
    fits = world.true_fits(person, best)
    assert set(fits) == set(COMPONENTS) and all(0.0 <= v <= 1.0 for v in fits.values())
    # Truly held skills raise the chance: the same place with the person's concepts required is better.
    assert sum(TRUE_WEIGHTS.values()) == pytest.approx(1.0)


def test_world_profiles_record_skills_as_concepts_or_typed_words():
    world = synthetic_world(400, 10, seed=4)
    skills = [s for p in world.people for s in p.skills]
    assert any(s.uri for s in skills) and any(s.uri is None for s in skills)
    typed = {t for c in world.concepts for t in c.typed}
    assert any(s.label in typed for s in skills if s.uri is None)
    assert any(not p.skills for p in world.people)  # thin profiles: skills held but not written down


def test_the_matcher_ranks_far_better_than_random_in_the_world():
    world = synthetic_world(600, 150, seed=5)
    places = {o.id: o for o in world.places}
    index = OpportunityIndex(world.places)
    rng = np.random.default_rng(5)
    matcher, chance_order = [], []
    for person in world.people[:80]:
        matches = index.recommend(person, top=len(world.places))
        if len(matches) < 5:
            continue
        truth = np.array([world.success_chance(person, places[m.opportunity_id]) for m in matches])
        matcher.append(ndcg_at_k(truth, [m.score for m in matches]))
        chance_order.append(ndcg_at_k(truth, rng.random(len(matches))))
    assert np.mean(matcher) > np.mean(chance_order) + 0.2


def test_simulated_referrals_come_from_the_shortlist_in_time_order():
    world = synthetic_world(100, 40, seed=6)
    outcomes = simulated_referrals(world, 120, seed=6, shortlist=5)
    assert [o.time for o in outcomes] == list(range(120))
    assert all(set(o.scores) == set(COMPONENTS) for o in outcomes)
