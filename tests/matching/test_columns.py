"""Tests for the index's column storage: growth, bitsets, and skill credits from both blocks of the table."""

from __future__ import annotations

import numpy as np
import pytest

from matching import Scoring, Skill
from matching.columns import Columns, SkillTable, Terms, covers, within


def test_columns_grow_and_widen_without_losing_rows():
    cols = Columns({"x": (np.float64, np.nan, None), "ids": (np.int32, -1, 1), "n_ids": (np.int32, 0, None)})
    cols.reserve(2)
    cols["x"][:2] = [1.0, 2.0]
    cols.set_padded("ids", np.array([0, 1]), [[5], []])
    cols.reserve(100)
    cols.set_padded("ids", np.array([99]), [[1, 2, 3]])
    assert cols.capacity >= 100
    assert cols["x"][:3].tolist()[:2] == [1.0, 2.0] and np.isnan(cols["x"][2])
    assert cols["ids"][:, 0].tolist() == [5, -1, -1] and cols["ids"][:, 99].tolist() == [1, 2, 3]


def test_bitsets_spill_into_a_second_word():
    terms, cols = Terms(), Columns({"bits": (np.uint64, 0, 1)})
    cols.reserve(2)
    masks = [terms.mask([f"t{i}" for i in range(70)], add=True), terms.mask(["t3", "t69"], add=True)]
    cols.set_bits("bits", np.array([0, 1]), masks, terms.words)
    assert terms.words == 2
    bits = cols["bits"][:, :2]
    assert within(bits, terms.words_of(["t3", "t69"])).tolist() == [False, True]
    assert covers(bits, terms.words_of(["t69"])).tolist() == [True, True]
    assert covers(bits, terms.words_of(["t0"])).tolist() == [True, False]


@pytest.mark.parametrize("n", [10, 400])  # 400 distinct skills fill the column-major block, 10 stay pending
def test_credits_match_the_direct_similarity(n):
    scoring = Scoring()
    skills = [Skill(label=f"zidar {i}") for i in range(n)] + [Skill(uri="esco:x", label="kuharica")]
    table = SkillTable(scoring.text)
    table.ids(skills)
    query = [Skill(label="zidarji 3"), Skill(uri="esco:x", label="cook")]
    expected = scoring.credit(scoring.text.similarity([s.label for s in skills], [s.label for s in query]))
    expected[-1, 1] = 1.0
    np.testing.assert_allclose(table.credits(query, scoring), expected, atol=1e-12)


def test_credit_columns_are_remembered_per_skill_and_redone_when_the_table_or_the_scoring_changes():
    scoring = Scoring()
    table = SkillTable(scoring.text)
    table.ids([Skill(label="zidarstvo"), Skill(label="kuharica"), Skill(uri="esco:cook", label="cook")])
    query = [Skill(label="zidar"), Skill(uri="esco:cook", label="kuhar"), Skill(label="kuhar")]
    first = table.credits(query, scoring)
    np.testing.assert_array_equal(table.credits(query[::-1], scoring), first[:, ::-1])
    best = table.best([query, query[:1], []], scoring)
    np.testing.assert_array_equal(best[:, :-1], [first.max(axis=1), first[:, 0], np.zeros(3)])
    assert best[:, -1].tolist() == [0.0, 0.0, 0.0]  # the padding column
    table.ids([Skill(label="zidarji")])  # a new table skill: every column gains a row
    assert table.credits(query, scoring).shape == (4, 3) and table.credits(query, scoring)[3, 0] > 0
    strict = Scoring(skill_threshold=0.99, skill_full_match=1.0)  # another scoring: columns are redone
    assert table.credits(query, strict)[0, 0] == 0.0 and table.credits(query, scoring)[0, 0] > 0


def test_credit_columns_are_the_same_whether_computed_alone_or_with_many():
    """A query of many texts takes a sparse product, a short one a dense one: the same columns, to the last bit."""
    scoring = Scoring()
    labels = ["zidar", "kuhar", "vrtnar", "prodaja", "skladišče", "varjenje", "šivanje", "čiščenje"]
    table = SkillTable(scoring.text)
    table.ids([Skill(label=f"{a} {b}") for a in labels for b in labels] + [Skill(uri="esco:cook", label="cook")])
    query = [Skill(label=f"{a}ji {b}") for a in labels for b in labels[:3]] + [Skill(uri="esco:cook", label="kuhar")]
    together = table.credits(query, scoring)
    alone = SkillTable(scoring.text)
    alone.ids([Skill(label=f"{a} {b}") for a in labels for b in labels] + [Skill(uri="esco:cook", label="cook")])
    np.testing.assert_array_equal(np.column_stack([alone.credits([q], scoring)[:, 0] for q in query]), together)
    assert (together > 0).sum() > len(query)
