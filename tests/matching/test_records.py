"""Tests for the input records: coercion, validation, and that unknown (protected) keys are dropped."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from matching import Opportunity, Outcome, Person, Skill
from matching.records import as_opportunity, as_person


class TestSkill:
    def test_of_reads_uris_labels_and_mappings(self):
        assert Skill.of("https://data.europa.eu/esco/skill/x") == Skill(uri="https://data.europa.eu/esco/skill/x")
        assert Skill.of("  zidar ") == Skill(label="zidar")
        assert Skill.of({"uri": "u", "label": "kuhar"}) == Skill(uri="u", label="kuhar")
        assert Skill.of(Skill(label="a")) == Skill(label="a")

    def test_needs_a_uri_or_a_label(self):
        with pytest.raises(ValueError, match="URI or a label"):
            Skill(label="   ")
        with pytest.raises(TypeError):
            Skill.of(42)

    def test_name_prefers_the_label(self):
        assert Skill(uri="u", label="kuhar").name == "kuhar"
        assert Skill(uri="u").name == "u"


class TestPerson:
    def test_collections_are_normalised(self):
        p = Person("p", skills=["zidar", "zidar", {"label": "kuhar"}], languages=["SL", "Hr"], interests="Čiščenje")
        assert p.skills == (Skill(label="zidar"), Skill(label="kuhar"))
        assert p.languages == frozenset({"sl", "hr"})
        assert p.interests == frozenset({"ciscenje"})

    def test_dates_from_iso_strings(self):
        p = Person("p", available_from="2025-03-01", available_until=date(2025, 4, 1))
        assert p.available_from == date(2025, 3, 1)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("hours", -1, "hours"),
            ("travel_radius_km", float("nan"), "travel_radius_km"),
            ("location", (91.0, 15.0), "location"),
            ("available_from", 20250101, "available_from"),
        ],
    )
    def test_bad_values_are_refused(self, field, value, message):
        with pytest.raises(ValueError, match=message):
            Person("p", **{field: value})

    def test_availability_must_not_end_before_it_starts(self):
        with pytest.raises(ValueError, match="starts after it ends"):
            Person("p", available_from="2025-05-01", available_until="2025-04-01")

    def test_from_mapping_drops_protected_and_unknown_keys(self):
        p = Person.from_mapping({"id": 1, "hours": 20, "gender": "f", "age": 50, "nationality": "HR", "health": "x"})
        assert p == Person(1, hours=20)
        assert as_person({"id": 1, "hours": 20, "ethnicity": "y"}) == p

    def test_has_no_field_for_protected_attributes(self):
        names = {f.name for f in dataclasses.fields(Person)} | {f.name for f in dataclasses.fields(Opportunity)}
        assert not names & {"gender", "age", "nationality", "ethnicity", "health", "birth_date", "sex"}

    def test_is_empty(self):
        assert Person("p", languages=["sl"], travel_radius_km=10).is_empty
        assert not Person("p", hours=10).is_empty


class TestOpportunity:
    def test_optional_skills_exclude_required_ones(self):
        o = Opportunity("o", required_skills=["zidar"], optional_skills=["zidar", "kuhar"])
        assert o.optional_skills == (Skill(label="kuhar"),)

    def test_places_and_status(self):
        o = Opportunity("o", capacity=3, places_taken=1, status=" Open ")
        assert (o.places_left, o.is_open) == (2, True)
        assert Opportunity("o", capacity=1, places_taken=4).places_left == 0

    @pytest.mark.parametrize(("field", "value"), [("capacity", -1), ("places_taken", 1.5), ("capacity", True)])
    def test_counts_must_be_whole_and_not_negative(self, field, value):
        with pytest.raises(ValueError, match=field):
            Opportunity("o", **{field: value})

    def test_period_must_be_ordered(self):
        with pytest.raises(ValueError, match="starts after it ends"):
            Opportunity("o", start="2025-06-01", end="2025-01-01")

    def test_as_opportunity_from_mapping(self):
        assert as_opportunity({"id": "o", "capacity": 2, "owner_notes": "x"}) == Opportunity("o", capacity=2)


def test_outcome_holds_scores_and_label():
    o = Outcome("p", "o", date(2025, 1, 1), {"skill": 1.0}, success=True)
    assert o.scores["skill"] == 1.0 and o.success
