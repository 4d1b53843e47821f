"""Free-text skill similarity: TF-IDF over character n-grams of words and their sl/hr/en lemmas."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import mmh3
import numpy as np
import scipy.sparse as sp
import simplemma

__all__ = ["NotFittedError", "SimilarityTable", "SkillText", "default_text", "fold", "word_forms"]

# simplemma's dictionaries: Slovenian, Serbo-Croatian (its Croatian data) and English.
LEMMA_LANGUAGES: tuple[str, ...] = ("sl", "hbs", "en")
# simplemma's low-memory backend reads the same dictionaries from their compressed streams: the
# same lemmas (checked on every word of the portal's skills catalogue), about 80 MB less per
# process than the three dictionaries decoded into dicts, for ~0.1 ms more per distinct word
# (each is looked up once: _forms_of_word is cached).
_LOW_MEMORY = True
_WORD = re.compile(r"\w+")
# Character n-grams of words, from 3 to 5 characters.
_NGRAMS = (3, 4, 5)
# Bumped whenever the analyser changes, so a saved model of another analyser is not loaded.
ANALYSER_VERSION = 2
# Products of shared n-grams that a similarity computes at once (a few tens of MB of arrays).
_PRODUCTS = 1 << 20

# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"đ": "d", "ð": "d", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"})


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics, so that Slovenian and Croatian spellings meet.

    Examples
    --------
    >>> fold("Računalništvo, ČIŠĆENJE, Đakovo")
    'racunalnistvo, ciscenje, dakovo'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=262_144)
def _forms_of_word(word: str) -> str:
    forms = {fold(word)}
    for language in LEMMA_LANGUAGES:
        forms.add(fold(simplemma.lemmatize(word, lang=language, low_memory=_LOW_MEMORY)))
    return " ".join(sorted(forms))


@functools.lru_cache(maxsize=65_536)
def word_forms(text: str) -> str:
    """``text`` folded, each word followed by its Slovenian, Croatian and English lemmas.

    Lemmas make inflected and derived forms meet on a shared word ("kuhala" and "kuhanje" both
    bring "kuhati"); folding after lemmatising keeps the dictionaries' diacritics useful.

    Examples
    --------
    >>> word_forms("Kuhala")
    'kuhala kuhati'
    >>> word_forms("popravilo koles")
    'popravilo popraviti koles kolo'
    """
    return " ".join(_forms_of_word(word) for word in _WORD.findall(text.casefold()))


class NotFittedError(ValueError, AttributeError):
    """A :class:`SkillText` asked to transform before it was fitted (or loaded)."""


def _ngrams(text: str) -> list[str]:
    """The 3- to 5-character n-grams of each word of ``text``, the word padded with a space each side.

    A word no longer than an n-gram gives itself, once. These are scikit-learn's ``char_wb`` n-grams,
    so the features (and a saved model's weights) are those of its ``HashingVectorizer``; a test
    compares the two.
    """
    found: list[str] = []
    for word in text.split():
        padded = f" {word} "
        length = len(padded)
        for n in _NGRAMS:
            if length <= n:
                found.append(padded)
                break
            found.extend(padded[i : i + n] for i in range(length - n + 1))
    return found


def _hashed_counts(labels: Sequence[str], n_features: int) -> sp.csr_matrix:
    """How often each hashed n-gram occurs in each label's :func:`word_forms`: one row per label.

    A feature is the absolute value of the n-gram's signed 32-bit MurmurHash3 (seed 0, of its
    UTF-8 bytes) modulo ``n_features``, as scikit-learn's ``HashingVectorizer`` hashes it (with
    ``alternate_sign=False``): the web workers need only this of scikit-learn, which would add
    some 40 MB to each of them.
    """
    hash_ = mmh3.hash
    indices: list[int] = []
    indptr = [0]
    for label in labels:
        indices.extend([abs(hash_(gram)) % n_features for gram in _ngrams(word_forms(label))])
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(labels), n_features),
    )
    counts.sum_duplicates()  # also sorts each row's n-grams
    return counts


class SkillText:
    """TF-IDF over character 3- to 5-grams of words and their lemmas, hashed so that unseen words still get vectors.

    Each word is joined by its Slovenian, Croatian and English lemmas (:func:`word_forms`), so
    "kuhala", "kuhanje" and "kuhati" share a word; word-bounded character n-grams then share
    stems that no dictionary knows ("zidar", "zidarstvo"), and diacritic folding makes
    "čiščenje" (sl) and "čišćenje" (hr) the same string. The inverse document frequencies come
    from :meth:`fit`: fitted on a whole skills catalogue (labels and descriptions), generic
    words such as "perform" or "manage" weigh little. An n-gram never seen in the fitted text
    gets the highest weight, as the rarest ones do.

    Parameters
    ----------
    n_features : int, default=2**20
        Size of the hashed feature space.
    cache_size : int, default=20000
        How many label vectors :meth:`similarity` keeps, so repeated labels are hashed once.

    Examples
    --------
    >>> text = SkillText().fit(["zidar", "kuhar", "prodaja", "computer skills"])
    >>> text.similarity(["zidarstvo", "kuharica"], ["zidar", "kuhar"]).round(2)
    array([[0.44, 0.  ],
           [0.  , 0.47]])
    """

    def __init__(self, *, n_features: int = 2**20, cache_size: int = 20_000) -> None:
        self.n_features = n_features
        self.cache_size = cache_size

    def fit(self, labels: Iterable[str]) -> SkillText:
        """Learn inverse document frequencies from ``labels``; returns ``self``."""
        counts = _hashed_counts(list(labels), self.n_features).tocsc()
        df = np.diff(counts.indptr)
        self._set_idf(np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0)
        return self

    def _set_idf(self, idf: np.ndarray) -> None:
        self.idf_ = idf
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def save(self, path: Path | str) -> None:
        """Write the fitted model to ``path`` (numpy's .npz), compactly: only n-grams seen in fitting."""
        if not hasattr(self, "idf_"):
            raise NotFittedError("SkillText is not fitted yet; call fit(labels) first.")
        unseen = float(self.idf_.max(initial=1.0))
        seen = np.flatnonzero(self.idf_ != unseen)
        with open(path, "wb") as f:
            np.savez_compressed(
                f,
                version=ANALYSER_VERSION,
                n_features=self.n_features,
                unseen=unseen,
                seen=seen.astype(np.int32),
                idf=self.idf_[seen].astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path | str, *, cache_size: int = 20_000) -> SkillText:
        """A model written by :meth:`save`; ``ValueError`` if it was made by another analyser."""
        with np.load(path) as data:
            if int(data["version"]) != ANALYSER_VERSION:
                raise ValueError(f"{path} holds a model of analyser {int(data['version'])}, not {ANALYSER_VERSION}")
            text = cls(n_features=int(data["n_features"]), cache_size=cache_size)
            idf = np.full(text.n_features, float(data["unseen"]))
            idf[data["seen"]] = data["idf"]
        text._set_idf(idf)
        return text

    def transform(self, labels: Sequence[str]) -> sp.csr_matrix:
        """One L2-normalised TF-IDF row per label (an empty label gives a zero row)."""
        if not hasattr(self, "idf_"):
            raise NotFittedError("SkillText is not fitted yet; call fit(labels) first.")
        rows = _hashed_counts(labels, self.n_features)  # each row's n-grams in order: similarities add so
        rows.data = rows.data * self.idf_[rows.indices]
        # L2 norms by hand: scikit-learn's normalize() validates its input, which costs more than
        # the arithmetic for the few labels of a query.
        lengths = np.diff(rows.indptr)
        squares = np.add.reduceat(rows.data**2, rows.indptr[:-1][lengths > 0]) if rows.nnz else np.empty(0)
        norms = np.ones(len(lengths))
        norms[lengths > 0] = np.sqrt(squares)
        rows.data /= np.repeat(norms, lengths)
        return rows

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine similarity of every label in ``a`` with every label in ``b``, shape ``(len(a), len(b))``.

        Each value is the sum of the products of the n-grams two labels share, added one after
        another in n-gram order: it depends on the two labels only, never on the others asked
        with them (a matrix product's rounding would), so an explanation of one pair repeats,
        to the last bit, the one given in a long list; and it is what the indexes'
        :class:`~matching.columns.SkillTable` computes.
        """
        rows = self.vectors([*a, *b])
        out = np.zeros((len(a), len(b)))
        if len(a) and len(b):
            _dot_in_order(out, _entries(rows[: len(a)]), _entries(rows[len(a) :]))
        return out

    def table(self, left: Iterable[str], right: Iterable[str], *, absent: float | None = None) -> SimilarityTable:
        """Similarities of all ``left`` with all ``right`` labels, computed at once, for many lookups.

        With ``absent``, a label outside its set is looked up as that value instead of raising
        ``KeyError``: for callers that leave out the labels whose similarity nothing reads.
        """
        return SimilarityTable(self, left, right, absent=absent)

    def remember(self, labels: Sequence[str], rows: sp.csr_matrix) -> None:
        """Keep already transformed ``rows`` of ``labels`` for :meth:`vectors`, while there is room."""
        room = self.cache_size - len(self._cache)
        for label, start, end in zip(labels[:room], rows.indptr[:-1], rows.indptr[1:], strict=False):
            self._cache.setdefault(label, (rows.indices[start:end].astype(np.int64), rows.data[start:end].copy()))

    def _kept(self, labels: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The cached rows of distinct ``labels``, the missing ones transformed and kept.

        Beyond :attr:`cache_size` the labels kept longest are dropped first, not the whole
        cache: a full cache (an index build fills it) must not be emptied by every query.
        """
        cache, found = self._cache, {}
        for label in dict.fromkeys(labels):
            row = cache.get(label)  # .get: another thread may drop entries meanwhile
            if row is not None:
                found[label] = row
        missing = [label for label in dict.fromkeys(labels) if label not in found]
        if missing:
            rows = self.transform(missing)
            for label, start, end in zip(missing, rows.indptr[:-1], rows.indptr[1:], strict=True):
                found[label] = cache[label] = (rows.indices[start:end].astype(np.int64), rows.data[start:end].copy())
            for old in list(itertools.islice(cache, max(0, len(cache) - self.cache_size))):
                cache.pop(old, None)
        return found

    def prepare(self) -> None:
        """Load what analysing a word needs (the lemma dictionaries of the three languages) now, not on first use."""
        self.transform(["priprava"])

    def vectors(self, labels: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The rows of :meth:`transform` as (feature ids, weights) pairs, cached: the same labels come back often."""
        found = self._kept(labels)
        return [found[label] for label in labels]

    def rows(self, labels: Sequence[str]) -> sp.csr_matrix:
        """:meth:`transform` of ``labels``, from the cache where it can: the same matrix, without hashing again."""
        found = self._kept(labels)
        parts = [found[label] for label in labels]
        indptr = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([ids.size for ids, _ in parts], out=indptr[1:])
        indices = np.concatenate([ids for ids, _ in parts]) if parts else np.empty(0, dtype=np.int64)
        data = np.concatenate([values for _, values in parts]) if parts else np.empty(0)
        return sp.csr_matrix((data, indices, indptr), shape=(len(parts), self.n_features))


def _entries(rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of :meth:`SkillText.vectors` as flat arrays: row number, n-gram and weight of each entry."""
    sizes = np.fromiter((f.size for f, _ in rows), np.intp, len(rows))
    features = np.concatenate([f for f, _ in rows]) if rows else np.empty(0, np.int64)
    weights = np.concatenate([w for _, w in rows]) if rows else np.empty(0)
    return np.repeat(np.arange(len(rows)), sizes), features, weights


_Entries = tuple[np.ndarray, np.ndarray, np.ndarray]


def _dot_in_order(out: np.ndarray, left: _Entries, right: _Entries) -> None:
    """Set ``out[i, j]`` to the dot product of left row i and right row j (:func:`_entries`), adding in n-gram order."""
    left_ids, left_features, left_weights = left
    order = np.argsort(right[1], kind="stable")  # n-gram -> the right rows that have it
    right_ids, right_features, right_weights = (x[order] for x in right)
    start = np.searchsorted(right_features, left_features, "left")
    count = np.searchsorted(right_features, left_features, "right") - start
    width = out.shape[1]
    for first, last, lo, hi in _pieces(left_ids, count, out.shape[0]):
        n = count[lo:hi]
        # Every (left entry, right entry) sharing an n-gram, in the order of the left entries.
        at = np.repeat(start[lo:hi] - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
        cell = np.repeat((left_ids[lo:hi] - first) * width, n) + right_ids[at]
        products = np.repeat(left_weights[lo:hi], n) * right_weights[at]
        # bincount adds in input order, so each cell sums its products in n-gram order.
        out[first:last] = np.bincount(cell, products, (last - first) * width).reshape(last - first, width)


def _pieces(left_ids: np.ndarray, count: np.ndarray, rows: int) -> list[tuple[int, int, int, int]]:
    """Runs of whole left rows (first, last) and their entries (lo, hi) with about :data:`_PRODUCTS` products each.

    Rows before the first product have none and are left out. Bounding the products bounds the
    memory a large table takes.
    """
    before = np.concatenate([[0], np.cumsum(count)])  # products before each entry
    firsts = np.searchsorted(left_ids, np.arange(rows + 1))  # each row's first entry
    cuts = np.unique(np.searchsorted(before[firsts], np.arange(0, before[-1], _PRODUCTS), "right") - 1)
    return [(a, b, firsts[a], firsts[b]) for a, b in itertools.pairwise([*cuts.tolist(), rows])]


class SimilarityTable:
    """Text similarities between two label sets, computed in one go and then looked up pair by pair.

    Calling the table with labels from both sets returns the same matrix as
    :meth:`SkillText.similarity`, without hashing or multiplying again.

    Examples
    --------
    >>> table = default_text().table(["zidarstvo", "kuharica"], ["zidar", "kuhar"])
    >>> [[round(v, 2) for v in row] for row in table(["kuharica"], ["kuhar", "zidar"])]
    [[0.53, 0.0]]
    >>> some = default_text().table(["kuharica"], ["kuhar"], absent=0.0)  # the rest is not read
    >>> [[round(v, 2) for v in row] for row in some(["kuharica", "zidarstvo"], ["kuhar", "zidar"])]
    [[0.53, 0.0], [0.0, 0.0]]
    """

    def __init__(
        self, text: SkillText, left: Iterable[str], right: Iterable[str], *, absent: float | None = None
    ) -> None:
        self._left = {label: i for i, label in enumerate(dict.fromkeys(left))}
        self._right = {label: i for i, label in enumerate(dict.fromkeys(right))}
        self._rows = text.similarity(list(self._left), list(self._right)).tolist()
        self._absent = absent

    def __call__(self, a: Sequence[str], b: Sequence[str]) -> list[list[float]]:
        if self._absent is None:
            cols = [self._right[y] for y in b]
            return [[row[j] for j in cols] for row in (self._rows[self._left[x]] for x in a)]
        absent = self._absent
        found = [self._right.get(y) for y in b]
        rows = (self._rows[i] if i is not None else None for i in (self._left.get(x) for x in a))
        return [[absent] * len(b) if row is None else [absent if j is None else row[j] for j in found] for row in rows]


@functools.cache
def default_text() -> SkillText:
    """The shared :class:`SkillText` fitted on the built-in sl/hr/en vocabulary.

    Callers with a larger catalogue (all skill labels in the portal) can fit their own and pass it
    through :class:`matching.Scoring`.

    Examples
    --------
    >>> round(float(default_text().similarity(["čiščenje"], ["ciscenje"])[0, 0]), 6)
    1.0
    """
    from matching.vocabulary import all_labels

    return SkillText().fit(all_labels())
