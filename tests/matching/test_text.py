"""Tests for free-text skill similarity across Slovenian, Croatian and English wording."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from matching import Scoring, SkillText
from matching.text import default_text, fold, word_forms

THRESHOLD = Scoring().skill_threshold


def sim(a: str, b: str) -> float:
    return float(default_text().similarity([a], [b])[0, 0])


def test_fold_lowercases_and_strips_diacritics_including_d_stroke():
    assert fold("ŽUPANIJA Međimurska, Šoštanj, Ćiril, Đuro") == "zupanija medimurska, sostanj, ciril, duro"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("zidar", "zidarstvo"),
        ("kuhar", "kuharica"),
        ("računalništvo", "računalstvo"),
        ("skladiščenje", "skladištenje"),
        ("vrtnarstvo", "vrtlarstvo"),
        ("timsko delo", "timski rad"),
        ("computer skills", "have computer literacy"),
    ],
)
def test_inflections_and_sibling_languages_match(a, b):
    assert sim(a, b) >= THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"), [("kuhar", "kurir"), ("zidar", "zdravnik"), ("računalništvo", "computer"), ("prodaja", "programiranje")]
)
def test_unrelated_words_do_not_match(a, b):
    assert sim(a, b) < THRESHOLD


def test_spellings_that_differ_only_by_diacritics_are_the_same():
    assert sim("Đakovo", "dakovo") == pytest.approx(1.0)
    # The Croatian spelling also brings its lemma (čistiti), which the Slovenian one does not:
    # not identical, but a full match.
    assert sim("čiščenje", "čišćenje") >= Scoring().skill_full_match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("kuhanje", "kuhala"),
        ("šivanje", "šivala"),
        ("popravilo koles", "popravilo kolesa"),
        ("čišćenje", "čistila"),
        ("vožnja viličarja", "vozil viličar"),
    ],
)
def test_inflected_and_derived_slovenian_and_croatian_forms_meet(a, b):
    assert sim(a, b) >= THRESHOLD


def test_word_forms_adds_lemmas_of_each_language():
    assert word_forms("Kuhala") == "kuhala kuhati"
    assert "kolo" in word_forms("popravilo koles").split()


def test_saved_model_loads_with_the_same_similarities(tmp_path):
    text = SkillText().fit(["zidar", "kuhar", "prodaja", "computer skills"])
    text.save(tmp_path / "model.npz")
    again = SkillText.load(tmp_path / "model.npz")
    pairs = (["zidarstvo", "kuharica", "nova beseda"], ["zidar", "kuhar", "prodaja"])
    np.testing.assert_allclose(again.similarity(*pairs), text.similarity(*pairs))


def test_a_model_of_another_analyser_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, version=1, n_features=8, unseen=1.0, seen=np.array([0]), idf=np.array([1.0]))
    with pytest.raises(ValueError, match="analyser"):
        SkillText.load(path)


def test_similarity_is_a_cosine():
    m = default_text().similarity(["zidar", "kuhar", ""], ["zidar", "kuharica"])
    assert m.shape == (3, 2)
    assert m[0, 0] == pytest.approx(1.0)
    assert np.all((m >= 0) & (m <= 1 + 1e-12))
    assert np.all(m[2] == 0)


def test_table_lookups_equal_direct_similarity():
    text = default_text()
    left, right = ["zidarstvo", "kuharica", "prodaja"], ["zidar", "kuhar"]
    table = text.table(left, right)
    np.testing.assert_allclose(
        table(["prodaja", "zidarstvo"], ["kuhar", "zidar"]),
        text.similarity(["prodaja", "zidarstvo"], ["kuhar", "zidar"]),
    )


def test_transform_rows_are_unit_length_and_match_cached_vectors():
    text = default_text()
    rows = text.transform(["zidar", "kuharica"])
    np.testing.assert_allclose(np.asarray(rows.multiply(rows).sum(axis=1)).ravel(), [1.0, 1.0])
    features, weights = text.vectors(["zidar"])[0]
    np.testing.assert_array_equal(features, rows[0].indices)
    np.testing.assert_allclose(weights, rows[0].data)


def test_small_cache_evicts_without_losing_answers():
    text = SkillText(cache_size=3).fit(["zidar", "kuhar"])
    first = text.similarity(["zidar", "kuhar"], ["zidarstvo", "kuharica"])
    again = text.similarity(["a b c", "zidar", "kuhar"], ["zidarstvo", "kuharica"])
    np.testing.assert_allclose(again[1:], first)


def test_unfitted_text_model_says_so():
    with pytest.raises(NotFittedError):
        SkillText().transform(["zidar"])
