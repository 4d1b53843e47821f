"""The text model's kept vectors: the same rows as hashing again, bounded, and never emptied all at once."""

from __future__ import annotations

import numpy as np

from matching import PersonIndex, Scoring, Skill, SkillText
from matching.records import Opportunity, Person
from matching.vocabulary import CONCEPTS

LABELS = sorted({label for c in CONCEPTS[:40] for label in (c.en, c.sl, c.hr)}) + ["", "xyzzy"]


def _fitted(cache_size: int = 20_000) -> SkillText:
    return SkillText(cache_size=cache_size).fit(LABELS)


def test_rows_from_the_cache_are_the_rows_transform_makes():
    text = _fitted()
    asked = [LABELS[3], LABELS[5], LABELS[3], "", "xyzzy", LABELS[0]]
    text.vectors(asked[:2])  # some kept already, some not
    rows, fresh = text.rows(asked), text.transform(asked)
    assert rows.shape == fresh.shape
    assert np.array_equal(rows.indptr, fresh.indptr) and np.array_equal(rows.indices, fresh.indices)
    assert np.array_equal(rows.data, fresh.data)  # bit for bit: similarities add in n-gram order
    assert text.rows([]).shape == (0, text.n_features)


def test_a_full_cache_drops_its_oldest_labels_not_all_of_them():
    text = _fitted(cache_size=4)
    text.vectors(LABELS[:4])
    text.vectors([LABELS[4]])
    kept = list(text._cache)
    assert len(kept) == 4 and LABELS[0] not in kept and kept[-1] == LABELS[4] and LABELS[1] in kept
    for start in range(0, len(LABELS), 7):
        text.rows(LABELS[start : start + 7])
        assert len(text._cache) <= 4
    assert [v[1].tolist() for v in text.vectors(LABELS[:6])] == [
        text.transform([label]).data.tolist() for label in LABELS[:6]
    ]


def test_an_index_scores_the_same_with_a_warm_or_a_cold_text_model():
    people = [Person(k, skills=[Skill(label=label)], languages=["sl"]) for k, label in enumerate(LABELS[:30]) if label]
    place = Opportunity("o", required_skills=[Skill(label=LABELS[2]), Skill(label="xyzzy")], languages=["sl"])
    warm = _fitted()
    warm.vectors([t for p in people for s in p.skills for t in s.texts])
    ranked = [PersonIndex(people, scoring=Scoring(text=t)).ranked(place, top=30) for t in (_fitted(), warm)]
    assert ranked[0] == ranked[1] and ranked[0][0].score > 0
