"""Tests for free-text skill similarity across Slovenian, Croatian and English wording."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from matching import Scoring, SkillText
from matching.text import NotFittedError, _hashed_counts, default_text, fold, word_forms
from matching.vocabulary import CONCEPTS

THRESHOLD = Scoring().skill_threshold
# Labels in three languages that share many n-grams, and one that shares none.
LABELS = sorted({label for c in CONCEPTS[:60] for label in (c.en, c.sl, c.hr)}) + ["", "xyzzy"]


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


def _scikit_learns(labels: list[str], n_features: int = 2**20):
    """The n-gram counts scikit-learn's HashingVectorizer gives, configured as SkillText hashed before."""
    hasher = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        preprocessor=word_forms,
        lowercase=False,
        alternate_sign=False,
        norm=None,
        n_features=n_features,
    )
    return hasher.transform(labels).tocsr()


def _assert_same_counts(labels: list[str], n_features: int = 2**20) -> None:
    ours, theirs = _hashed_counts(labels, n_features), _scikit_learns(labels, n_features)
    theirs.sort_indices()
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    np.testing.assert_array_equal(ours.data, theirs.data)


def test_the_ngram_counts_are_scikit_learns_for_the_vocabulary_and_awkward_text():
    # A saved model's weights are per hashed n-gram: the web workers' own hashing must give the
    # features scikit-learn's gave, word by word (short words, repeated n-grams, diacritics).
    labels = sorted({label for c in CONCEPTS for label in (c.en, c.sl, c.hr)})
    awkward = [
        "",
        " ",
        "a",
        "ab",
        "abc",
        "abcd",
        "  two   words ",
        "tab\tand\nline",
        "aaaaaaa",
        "Đuro čišćenje",
        "🙂 ok",
    ]
    _assert_same_counts(labels + awkward)
    _assert_same_counts(awkward, n_features=2**4)  # many n-grams on one feature: counts add up


@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
@settings(max_examples=150, deadline=None)
def test_the_ngram_counts_are_scikit_learns_for_any_text(labels):
    _assert_same_counts(labels)


def test_unfitted_text_model_says_so():
    with pytest.raises(NotFittedError):
        SkillText().transform(["zidar"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=12),
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=6),
)
def test_a_similarity_depends_on_its_two_labels_only(left, right):
    """Whatever else is asked with it, a pair's similarity is the same to the last bit (explanations repeat lists)."""
    text = default_text()
    together = text.similarity(left, right)
    alone = [[text.similarity([a], [b])[0, 0] for b in right] for a in left]
    np.testing.assert_array_equal(together, alone)


def test_large_tables_are_computed_in_pieces_with_the_same_values(monkeypatch):
    import matching.text

    text = default_text()
    left, right = LABELS[:40], LABELS[20:]
    whole = text.similarity(left, right)
    monkeypatch.setattr(matching.text, "_PRODUCTS", 7)  # a piece per label or two
    np.testing.assert_array_equal(text.similarity(left, right), whole)
    assert (whole > 0).sum() > len(left)
