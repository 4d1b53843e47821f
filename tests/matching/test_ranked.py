"""Ranked lists without explanations: recommend's order and scores, and explaining a ranked pair gives its Match."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Opportunity, OpportunityIndex, Person, PersonIndex, Ranked, Scoring, explain_pair, explain_pairs
from matching.synthetic import synthetic_opportunities, synthetic_people
from tests.matching.strategies import RELATED, SKILLS, opportunities, opportunity_data, people, person_data

PROPERTY = settings(max_examples=60, deadline=None)
scorings = st.sampled_from([Scoring(), Scoring(related=RELATED)])


def light(matches):
    return [(m.person_id, m.opportunity_id, m.score) for m in matches]


@PROPERTY
@given(person_data(), opportunities(), st.integers(0, 12), st.sets(st.integers(0, 12), max_size=4), scorings)
def test_ranked_placements_are_recommend_without_explanations(p, places, top, skipped, scoring):
    person, exclude = Person(**p), [f"o{i}" for i in skipped]
    index = OpportunityIndex(places, scoring=scoring)
    ranked = index.ranked(person, top=top, exclude=exclude)
    matches = index.recommend(person, top=top, exclude=exclude)
    assert light(ranked) == light(matches)
    # Explaining one pair alone gives the very Match of the whole list: score, reasons, distance, to the last bit.
    assert [index.explain(person, item) for item in ranked] == matches
    assert index.explain_many(person, ranked) == matches
    assert all(item.distance_km == m.explanation.distance_km for item, m in zip(ranked, matches, strict=True))


@PROPERTY
@given(opportunity_data(), people(), st.integers(0, 12), scorings)
def test_ranked_candidates_are_recommend_without_explanations(o, crowd, top, scoring):
    place = Opportunity(**o)
    index = PersonIndex(crowd, scoring=scoring)
    ranked = index.ranked(place, top=top)
    matches = index.recommend(place, top=top)
    assert light(ranked) == light(matches)
    assert [index.explain(place, item) for item in ranked] == matches


@PROPERTY
@given(
    st.lists(person_data(), max_size=8),
    opportunities(),
    st.integers(0, 12),
    st.lists(st.sets(st.integers(0, 12), max_size=3), min_size=8, max_size=8),
)
def test_many_people_at_once_rank_as_one_at_a_time(rows, places, top, skipped):
    crowd = [Person(**{**p, "id": f"p{i}"}) for i, p in enumerate(rows)]
    exclude = {p.id: [f"o{i}" for i in skip] for p, skip in zip(crowd, skipped, strict=False)}
    index = OpportunityIndex(places)
    assert index.ranked_many(crowd, top=top, exclude=exclude) == [
        index.ranked(p, top=top, exclude=exclude[p.id]) for p in crowd
    ]


def test_blocks_of_many_people_rank_as_one_at_a_time_at_scale(monkeypatch):
    """Synthetic people around real towns, in blocks of 37 (to cross block edges): lists and distances agree."""
    import matching.index

    places = synthetic_opportunities(600, seed=11, open_share=0.9)
    crowd = synthetic_people(300, seed=12)
    index = OpportunityIndex(places)
    one_by_one = [index.ranked(p, top=20) for p in crowd]
    monkeypatch.setattr(matching.index, "_BLOCK_CELLS", 37 * len(places))
    assert index.ranked_many(crowd, top=20) == one_by_one
    assert any(len(items) == 20 for items in one_by_one)
    # Explaining the first pair of each list alone repeats recommend's Match for it.
    for person, items in list(zip(crowd, one_by_one, strict=True))[:40]:
        if items:
            assert index.explain(person, items[0]) == index.recommend(person, top=1)[0]


def test_a_ranked_pair_is_light_and_explained_against_the_index_as_it_is():
    index = OpportunityIndex([Opportunity("o1", required_skills=["kuharica"], location=(46.42, 15.87))])
    person = Person("p1", skills=["kuhar"], location=(46.41, 15.88))
    (item,) = index.ranked(person)
    assert isinstance(item, Ranked) and item.distance_km is not None and item.distance_km > 0
    with pytest.raises(ValueError, match="for person 'p1', not 'p2'"):
        index.explain(Person("p2"), item)
    index.remove("o1")
    with pytest.raises(KeyError, match="no opportunity with id 'o1'"):
        index.explain(person, item)
    assert index.ranked_many([]) == [] and index.ranked_many([person]) == [[]]


@PROPERTY
@given(people(), opportunities(max_size=3), scorings)
def test_explaining_pairs_in_one_batch_gives_each_pair_alone(crowd, places, scoring):
    # Pairs of any people with any places (feasible or not), as the employers' fit list explains them.
    pairs = [(person, place) for place in places for person in crowd]
    assert explain_pairs(pairs, scoring) == [explain_pair(person, place, scoring) for person, place in pairs]


def test_a_batch_keeps_what_a_related_concepts_wording_says():
    # The shared table leaves out pairs of concepts whose likeness nothing reads; a related
    # concept's match records it, so a batch must still give it (hypothesis rarely draws this pair).
    scoring = Scoring(related=RELATED)
    footwear, lab = (next(s for s in SKILLS if s.uri and s.uri.endswith(end)) for end in ("footwear", "/lab-tests"))
    pairs = [
        (Person("p1", skills=[footwear]), Opportunity("o1", required_skills=[lab])),
        (Person("p2", skills=[lab, "kuhar"]), Opportunity("o2", required_skills=[lab, "kuharica"])),
    ]
    together = explain_pairs(pairs, scoring)
    assert together == [explain_pair(person, place, scoring) for person, place in pairs]
    (related,) = together[0].explanation.matched_skills
    assert related.kind == "related" and related.similarity > 0.5


def test_a_batch_shares_one_similarity_table(monkeypatch):
    crowd = synthetic_people(30, seed=3)
    place = synthetic_opportunities(1, seed=4)[0]
    alone = [explain_pair(p, place) for p in crowd]
    text = Scoring().text
    built, compared = [], []
    table, similarity = type(text).table, type(text).similarity
    monkeypatch.setattr(type(text), "table", lambda self, a, b, **kw: built.append(1) or table(self, a, b, **kw))
    monkeypatch.setattr(type(text), "similarity", lambda self, a, b: compared.append(1) or similarity(self, a, b))
    assert explain_pairs([(p, place) for p in crowd]) == alone
    assert (len(built), len(compared)) == (1, 1)  # one table, one similarity matrix, for 30 pairs


def test_a_warmed_index_answers_its_first_query_without_hashing_its_skills_again(monkeypatch):
    places, crowd = synthetic_opportunities(200, seed=21), synthetic_people(5, seed=22)
    cold, warmed = OpportunityIndex(places), OpportunityIndex(places)
    warmed.warm()
    text = type(Scoring().text)
    made: list[int] = []
    rows = text.rows
    monkeypatch.setattr(text, "rows", lambda self, labels: made.append(len(labels)) or rows(self, labels))
    assert [warmed.ranked(p, top=5) for p in crowd] == [cold.ranked(p, top=5) for p in crowd]
    assert len(made) == 1  # the cold index's texts, on its first query; none for the warmed one
