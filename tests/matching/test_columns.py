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
