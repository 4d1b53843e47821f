"""Tests for explanations: they name the matched and missing skills and add up to the score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from matching import COMPONENTS, NOTES, Opportunity, Person, Skill, explain_pair
from tests.matching.strategies import opportunity_data, person_data

COOK = "http://data.europa.eu/esco/skill/cook"


def test_names_matched_and_missing_skills_distance_and_support():
    person = Person(1, skills=["kuhar", "prodajalka"], location=(46.42, 15.87), support_needs=["mentor"])
    place = Opportunity(
        2,
        required_skills=["kuharica", "first aid"],
        optional_skills=["blagajna"],
        location=(46.55, 15.65),
        support_offered=["mentor", "transport"],
    )
    e = explain_pair(person, place).explanation
    assert [(m.skill.name, m.by.name) for m in e.matched_skills] == [("kuharica", "kuhar")]
    assert [s.name for s in e.missing_required] == ["first aid"]
    assert [s.name for s in e.missing_optional] == ["blagajna"]
    assert e.distance_km == pytest.approx(22.2, abs=0.1)
    assert e.support_offered == ("mentor",)
    text = " ".join(e.summary())
    assert "first aid" in text and "22.2 km" in text and "mentor" in text


def test_esco_match_is_explained_as_the_same_concept():
    m = explain_pair(Person(1, skills=[Skill(COOK, "kuhar")]), Opportunity(2, required_skills=[Skill(COOK, "cook")]))
    assert m.explanation.matched_skills[0].similarity == 1.0
    assert m.score == pytest.approx(0.4)


def test_empty_profile_is_flagged_and_scores_nothing():
    m = explain_pair(
        Person(1, languages=["sl"]), Opportunity(2, required_skills=["zidar"], hours=20, location=(46, 15))
    )
    assert (m.score, m.confidence) == (0.0, 0.0)
    assert m.explanation.notes == ("empty_profile",)
    assert NOTES["empty_profile"] in m.explanation.summary()


def test_thin_profile_gets_a_low_confidence_note_naming_what_is_missing():
    m = explain_pair(Person(1, hours=20), Opportunity(2, hours=20, required_skills=["zidar"]))
    assert m.explanation.notes[0] == "low_confidence"
    assert "no_skills_on_profile" in m.explanation.notes
    assert set(m.explanation.unknown) == {"skill", "interest", "distance", "support"}


@settings(max_examples=80, deadline=None)
@given(person_data(), opportunity_data())
def test_contributions_add_up_to_the_score(p, o):
    m = explain_pair(Person(**p), Opportunity(**o))
    e = m.explanation
    assert set(e.contributions) == set(COMPONENTS)
    assert sum(e.contributions.values()) == pytest.approx(m.score, abs=1e-8)
    assert 0.0 <= m.score <= 1.0 and 0.0 <= m.confidence <= 1.0
    assert m.score <= m.confidence + 1e-9  # unknown parts add nothing
