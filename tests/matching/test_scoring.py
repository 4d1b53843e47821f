"""Tests for the fit scores and their weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import COMPONENTS, DEFAULT_WEIGHTS, Opportunity, Person, Scoring, Skill, Weights, score_pair
from matching.scoring import hours_fit, round_score

COOK = "http://data.europa.eu/esco/skill/cook"


class TestWeights:
    def test_defaults_sum_to_one_with_skills_first(self):
        w = DEFAULT_WEIGHTS.as_array()
        assert w.sum() == pytest.approx(1.0)
        assert DEFAULT_WEIGHTS.skill == max(w)

    def test_are_normalised(self):
        assert Weights(2, 1, 1, 0, 0).as_dict() == {
            "skill": 0.5,
            "interest": 0.25,
            "distance": 0.25,
            "hours": 0.0,
            "support": 0.0,
        }

    @pytest.mark.parametrize("values", [(0, 0, 0, 0, 0), (-1, 1, 1, 1, 1), (np.nan, 1, 1, 1, 1)])
    def test_refuse_negative_missing_or_all_zero(self, values):
        with pytest.raises(ValueError, match="weights"):
            Weights(*values)


class TestSkillFit:
    def test_same_esco_concept_counts_fully_whatever_the_wording(self):
        pair = score_pair(
            Person(1, skills=[Skill(COOK, "kuhar")]), Opportunity(2, required_skills=[Skill(COOK, "cook")])
        )
        assert pair.components["skill"] == 1.0
        assert pair.skills[0].similarity == 1.0

    def test_free_text_inflection_earns_partial_or_full_credit(self):
        pair = score_pair(Person(1, skills=["zidar"]), Opportunity(2, required_skills=["zidarstvo"]))
        assert 0.5 < pair.components["skill"] <= 1.0

    def test_unrelated_text_earns_nothing(self):
        pair = score_pair(Person(1, skills=["kuhar"]), Opportunity(2, required_skills=["kurir"]))
        assert pair.components["skill"] == 0.0 and pair.known["skill"]

    def test_required_skills_weigh_more_than_optional(self):
        person = Person(1, skills=["zidar"])
        required = score_pair(person, Opportunity(2, required_skills=["zidar"], optional_skills=["kuhar"]))
        optional = score_pair(person, Opportunity(3, required_skills=["kuhar"], optional_skills=["zidar"]))
        assert required.components["skill"] == pytest.approx(0.75)
        assert optional.components["skill"] == pytest.approx(0.25)

    def test_coverage_is_the_share_of_skills_covered(self):
        pair = score_pair(
            Person(1, skills=["zidar", "kuhar"]),
            Opportunity(2, required_skills=["zidar", "kuhar", "prodaja", "varjenje"]),
        )
        assert pair.components["skill"] == pytest.approx(0.5)


def test_component_formulas():
    person = Person(
        1,
        interests=["care"],
        location=(46.0, 15.0),
        travel_radius_km=50,
        hours=10,
        support_needs=["mentor"],
        support_preferences=["transport"],
    )
    place = Opportunity(2, sectors=["care", "retail"], location=(46.0, 15.0), hours=20, support_offered=["mentor"])
    c = score_pair(person, place).components
    assert c == {"skill": 0.0, "interest": 0.5, "distance": 1.0, "hours": 0.5, "support": 0.5}


def test_distance_score_falls_to_zero_at_the_radius_or_default_scale():
    near = Opportunity(2, location=(46.0, 15.0))
    far = Opportunity(3, location=(46.0, 15.65))  # about 50 km east
    assert score_pair(Person(1, location=(46.0, 15.0)), near).components["distance"] == 1.0
    assert score_pair(Person(1, location=(46.0, 15.0)), far).components["distance"] == pytest.approx(0.0, abs=0.01)
    assert score_pair(Person(1, location=(46.0, 15.0), travel_radius_km=100), far).components[
        "distance"
    ] == pytest.approx(0.5, abs=0.01)


def test_all_scores_stay_in_unit_interval_and_total_is_weighted_sum():
    person = Person(1, skills=["zidar"], interests=["construction"], location=(46.0, 15.0), hours=60)
    place = Opportunity(2, required_skills=["zidarstvo"], sectors=["construction"], location=(46.1, 15.1), hours=5)
    pair = score_pair(person, place)
    assert all(0.0 <= v <= 1.0 for v in pair.components.values())
    expected = sum(getattr(DEFAULT_WEIGHTS, c) * pair.components[c] for c in COMPONENTS)
    assert pair.score == pytest.approx(expected, abs=1e-9)


def test_unknown_components_score_zero_and_lower_the_confidence():
    pair = score_pair(Person(1, hours=20), Opportunity(2, hours=20))
    assert pair.known == {"skill": False, "interest": False, "distance": False, "hours": True, "support": False}
    assert pair.confidence == pytest.approx(DEFAULT_WEIGHTS.hours)
    assert pair.score == pytest.approx(DEFAULT_WEIGHTS.hours)


def test_empty_profile_gets_no_confident_score():
    pair = score_pair(
        Person(1), Opportunity(2, required_skills=["zidar"], sectors=["care"], location=(46, 15), hours=20)
    )
    assert pair.score == 0.0 and pair.confidence == 0.0


def test_custom_weights_change_the_total():
    person, place = Person(1, hours=20), Opportunity(2, hours=20)
    assert score_pair(person, place, Scoring(weights=Weights(0, 0, 0, 1, 0))).score == 1.0


def test_round_score_matches_numpy_for_scalars():
    values = np.random.default_rng(0).random(1000)
    assert [round_score(float(v)) for v in values] == list(round_score(values))


@pytest.mark.parametrize(
    "settings",
    [
        {"skill_threshold": 0.7, "skill_full_match": 0.6},
        {"required_share": 1.5},
        {"distance_scale_km": 0},
        {"skill_full_match": 0.0, "skill_threshold": 0.0},
    ],
)
def test_scoring_settings_are_checked(settings):
    with pytest.raises(ValueError):
        Scoring(**settings)


LAB = "http://data.europa.eu/esco/skill/lab-tests"
LAB_FOOTWEAR = "http://data.europa.eu/esco/skill/lab-tests-footwear"
LABELS = st.sampled_from(
    [
        "perform laboratory tests",
        "perform laboratory tests on footwear or leather goods",
        "kuhanje",
        "kuhala",
        "clean rooms",
        "čiščenje prostorov",
    ]
)


class TestConcepts:
    def test_two_concepts_with_alike_labels_are_no_match(self):
        person = Person(1, skills=[Skill(LAB, "perform laboratory tests")])
        place = Opportunity(
            2, required_skills=[Skill(LAB_FOOTWEAR, "perform laboratory tests on footwear or leather goods")]
        )
        pair = score_pair(person, place)
        assert pair.components["skill"] == 0.0 and pair.skills[0].kind == ""

    def test_a_related_concept_earns_partial_credit_and_says_so(self):
        scoring = Scoring(related={LAB_FOOTWEAR: {LAB}})
        person = Person(1, skills=[Skill(LAB, "perform laboratory tests")])
        place = Opportunity(2, required_skills=[Skill(LAB_FOOTWEAR, "perform laboratory tests on footwear")])
        match = score_pair(person, place, scoring).skills[0]
        assert (match.credit, match.kind, match.by.uri) == (scoring.related_credit, "related", LAB)
        assert 0 < scoring.related_credit < 1
        # Relations are read both ways.
        back = score_pair(
            Person(1, skills=[Skill(LAB_FOOTWEAR, "x")]), Opportunity(2, required_skills=[Skill(LAB, "y")]), scoring
        )
        assert back.skills[0].kind == "related"

    def test_free_text_still_matches_a_concept_by_wording(self):
        pair = score_pair(
            Person(1, skills=["perform laboratory tests"]),
            Opportunity(2, required_skills=[Skill(LAB, "perform laboratory tests")]),
        )
        assert pair.components["skill"] == 1.0 and pair.skills[0].kind == "text"

    @settings(max_examples=60, deadline=None)
    @given(LABELS, LABELS, st.sampled_from([LAB, LAB_FOOTWEAR, "http://data.europa.eu/esco/skill/other"]))
    def test_a_different_concept_never_scores_as_a_match(self, own_label, wanted_label, own_uri):
        pair = score_pair(
            Person(1, skills=[Skill(own_uri, own_label)]), Opportunity(2, required_skills=[Skill(LAB, wanted_label)])
        )
        if own_uri == LAB:
            assert pair.components["skill"] == 1.0 and pair.skills[0].kind == "concept"
        else:
            assert pair.components["skill"] == 0.0

    def test_related_credit_must_stay_below_a_match(self):
        with pytest.raises(ValueError, match="related_credit"):
            Scoring(related_credit=1.0)


@pytest.mark.parametrize(
    ("person", "place", "fit"), [(20, 40, 0.5), (40, 20, 0.5), (20, 20, 1.0), (10, 40, 0.25), (30, 0, 1.0)]
)
def test_hours_fit_is_two_sided(person, place, fit):
    assert hours_fit(person, place) == fit
    pair = score_pair(Person(1, hours=person), Opportunity(2, hours=place))
    assert pair.components["hours"] == fit


def test_typed_words_meet_a_concept_through_its_closest_label():
    concept = Skill(COOK, "cook vegetable products", aliases=("kuhati zelenjavne jedi", "kuhanje zelenjave"))
    place = Opportunity(2, required_skills=[concept])
    with_aliases = score_pair(Person(1, skills=["kuhanje zelenjave"]), place)
    without = score_pair(
        Person(1, skills=["kuhanje zelenjave"]), Opportunity(2, required_skills=[Skill(COOK, concept.label)])
    )
    assert with_aliases.components["skill"] == 1.0 and with_aliases.skills[0].kind == "text"
    assert without.components["skill"] == 0.0
    # Between two concepts aliases change nothing: only the concept counts.
    other = Skill("http://data.europa.eu/esco/skill/other", "x", aliases=("kuhanje zelenjave",))
    assert score_pair(Person(1, skills=[other]), place).components["skill"] == 0.0
