"""Tests for the fast indexes: the same rankings as the reference recommenders, before and after updates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    Opportunity,
    OpportunityIndex,
    Person,
    PersonIndex,
    Scoring,
    recommend_candidates,
    recommend_placements,
)
from matching.synthetic import synthetic_opportunities, synthetic_people
from tests.matching.strategies import (
    RELATED,
    opportunities,
    opportunity_data,
    people,
    person_data,
    protected_attributes,
)

PROPERTY = settings(max_examples=50, deadline=None)


def ranking(matches):
    return [(m.person_id, m.opportunity_id, m.score) for m in matches]


@PROPERTY
@given(person_data(), opportunities(), st.integers(0, 12))
def test_placement_index_ranks_like_the_reference(p, places, top):
    person = Person(**p)
    assert ranking(OpportunityIndex(places).recommend(person, top=top)) == ranking(
        recommend_placements(person, places, top=top)
    )


@PROPERTY
@given(person_data(), opportunities(), st.integers(0, 12), st.sets(st.integers(0, 12), max_size=4))
def test_related_concepts_and_exclusions_rank_like_the_reference(p, places, top, skipped):
    person, scoring = Person(**p), Scoring(related=RELATED)
    exclude = [f"o{i}" for i in skipped]
    fast = OpportunityIndex(places, scoring=scoring).recommend(person, top=top, exclude=exclude)
    assert ranking(fast) == ranking(recommend_placements(person, places, top=top, scoring=scoring, exclude=exclude))
    assert not {m.opportunity_id for m in fast} & set(exclude)


@PROPERTY
@given(opportunity_data(), people(), st.integers(0, 12))
def test_candidate_related_concepts_rank_like_the_reference(o, crowd, top):
    place, scoring = Opportunity(**o), Scoring(related=RELATED)
    assert ranking(PersonIndex(crowd, scoring=scoring).recommend(place, top=top)) == ranking(
        recommend_candidates(place, crowd, top=top, scoring=scoring)
    )


@PROPERTY
@given(opportunity_data(), people(), st.integers(0, 12))
def test_candidate_index_ranks_like_the_reference(o, crowd, top):
    place = Opportunity(**o)
    assert ranking(PersonIndex(crowd).recommend(place, top=top)) == ranking(recommend_candidates(place, crowd, top=top))


@PROPERTY
@given(
    opportunities(max_size=8),
    st.lists(
        st.tuples(st.sampled_from(["upsert", "remove", "add"]), st.integers(0, 7), opportunity_data()), max_size=8
    ),
    person_data(),
)
def test_updates_in_place_rank_like_a_fresh_reference(places, steps, p):
    index = OpportunityIndex(places)
    for n, (action, k, data) in enumerate(steps):
        live = [o.id for o in index]
        if action == "add":
            index.upsert(Opportunity(**{**data, "id": f"new{n}"}))
        elif live and action == "upsert":
            index.upsert(Opportunity(**{**data, "id": live[k % len(live)]}))
        elif live:
            index.remove(live[k % len(live)])
    person = Person(**p)
    assert ranking(index.recommend(person)) == ranking(recommend_placements(person, list(index)))


@settings(max_examples=30, deadline=None)
@given(people(max_size=8), st.lists(person_data(), max_size=4), opportunity_data())
def test_person_updates_rank_like_a_fresh_reference(crowd, changes, o):
    index = PersonIndex(crowd)
    for n, data in enumerate(changes):
        index.upsert(Person(**{**data, "id": crowd[n].id if n < len(crowd) else f"new{n}"}))
    if crowd:
        index.remove(crowd[0].id)
    place = Opportunity(**o)
    assert ranking(index.recommend(place)) == ranking(recommend_candidates(place, list(index)))


def test_upsert_keeps_the_place_in_the_tie_order():
    index = OpportunityIndex([Opportunity("a"), Opportunity("b"), Opportunity("c")])
    index.upsert(Opportunity("a", hours=10))
    index.upsert(Opportunity("d"))
    assert [o.id for o in index] == ["a", "b", "c", "d"]
    assert [m.opportunity_id for m in index.recommend(Person("p"))] == ["a", "b", "c", "d"]


def test_closing_or_filling_an_opportunity_takes_effect_at_once():
    index = OpportunityIndex([Opportunity("a"), Opportunity("b")])
    index.upsert(Opportunity("a", capacity=1, places_taken=1))
    index.upsert(Opportunity("b", status="closed"))
    assert index.recommend(Person("p")) == []
    index.upsert(Opportunity("b"))
    assert [m.opportunity_id for m in index.recommend(Person("p"))] == ["b"]


def test_membership_removal_and_errors():
    index = PersonIndex([Person("a"), {"id": "b", "gender": "f"}])
    assert len(index) == 2 and "b" in index and "c" not in index
    index.remove("a")
    assert [p.id for p in index] == ["b"]
    with pytest.raises(KeyError, match="no person with id 'a'"):
        index.remove("a")
    with pytest.raises(ValueError, match="duplicate opportunity ids: 'x'"):
        OpportunityIndex([Opportunity("x"), Opportunity("x")])
    assert index.nbytes > 0


def test_many_terms_spill_into_more_bitset_words():
    langs = [f"lang{i}" for i in range(70)]
    support = [f"support{i}" for i in range(70)]
    places = [Opportunity(i, languages=[langs[i]], support_offered=support[: i + 1]) for i in range(70)]
    person = Person("p", languages=langs[60:], support_needs=[support[65]])
    assert ranking(OpportunityIndex(places).recommend(person, top=70)) == ranking(
        recommend_placements(person, places, top=70)
    )
    crowd = [Person(i, languages=langs[i:], support_needs=[support[i]]) for i in range(70)]
    place = Opportunity("o", languages=[langs[66]], support_offered=support[60:])
    assert ranking(PersonIndex(crowd).recommend(place, top=70)) == ranking(recommend_candidates(place, crowd, top=70))


def test_synthetic_scale_with_many_upserts_and_removals():
    """Hundreds of new skills go through the pending block and a compaction; rankings still agree."""
    places = synthetic_opportunities(300, seed=5)
    index = OpportunityIndex(places[:100])
    for o in places[100:]:
        index.upsert(o)
    for o in places[:200]:
        index.remove(o.id)
    for person in synthetic_people(15, seed=6):
        assert ranking(index.recommend(person)) == ranking(recommend_placements(person, list(index)))
    crowd = synthetic_people(300, seed=7)
    reverse = PersonIndex(crowd)
    for place in synthetic_opportunities(15, seed=8, open_share=1.0):
        assert ranking(reverse.recommend(place)) == ranking(recommend_candidates(place, crowd))


def test_large_skill_table_and_compaction_agree_with_the_reference():
    """Over 256 distinct skills fill the column-major block, later ones the pending block, and
    removing most of over 1,024 records compacts the columns; rankings still agree."""
    words = [
        "zidar",
        "kuhar",
        "vrtnar",
        "prodaja",
        "skladišče",
        "varjenje",
        "šivanje",
        "čiščenje",
        "računalnik",
        "vožnja",
        "mizar",
        "pleskar",
        "blagajna",
        "oskrba",
        "pakiranje",
        "recikliranje",
        "higiena",
        "strežba",
        "pek",
        "slaščičar",
    ]
    labels = [f"{a} {b}" for a in words for b in words if a != b]
    first = [
        Opportunity(f"o{i}", required_skills=[labels[i % 300]], optional_skills=[labels[(7 * i) % 300]])
        for i in range(1100)
    ]
    later = [Opportunity(f"n{i}", required_skills=[labels[300 + i % 80]], hours=10) for i in range(40)]
    index = OpportunityIndex(first)
    for o in later:
        index.upsert(o)
    for o in first[:700]:
        index.remove(o.id)
    assert len(index) == 440
    for person in [Person("p", skills=[labels[5], labels[310]]), Person("q", skills=["zidarji kuharji"], hours=20)]:
        assert ranking(index.recommend(person)) == ranking(recommend_placements(person, list(index)))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(person_data(), protected_attributes), max_size=8), opportunity_data())
def test_protected_attributes_in_indexed_people_change_nothing(rows, o):
    plain = [{**p, "id": i} for i, (p, _) in enumerate(rows)]
    with_extra = [{**p, **extra} for p, (_, extra) in zip(plain, rows, strict=True)]
    place = Opportunity(**o)
    assert ranking(PersonIndex(with_extra).recommend(place)) == ranking(PersonIndex(plain).recommend(place))


def test_weights_can_change_without_a_rebuild_but_the_text_model_cannot():
    from matching import Scoring, SkillText, Weights

    places = [Opportunity("near", location=(46.0, 15.0)), Opportunity("hours", location=(46.3, 15.0), hours=10)]
    person = Person("p", location=(46.0, 15.0), hours=10)
    index = OpportunityIndex(places)
    assert [m.opportunity_id for m in index.recommend(person)] == ["near", "hours"]
    index.scoring = Scoring(weights=Weights(0, 0, 0, 1, 0))
    assert [m.opportunity_id for m in index.recommend(person)] == ["hours", "near"]
    with pytest.raises(ValueError, match="text model"):
        index.scoring = Scoring(text=SkillText().fit(["x"]))
