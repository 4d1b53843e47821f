"""Free-text skill similarity: character n-gram TF-IDF that tolerates Slovenian, Croatian and English inflection."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import HashingVectorizer

__all__ = ["SimilarityTable", "SkillText", "default_text", "fold"]

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


class SkillText:
    """TF-IDF over character 3- to 5-grams within words, hashed so that unseen words still get vectors.

    Word-bounded character n-grams share the stem of inflected forms ("zidar", "zidarstvo";
    "kuhar", "kuharica"), and diacritic folding makes "čiščenje" (sl) and "čišćenje" (hr) the
    same string. The inverse document frequencies come from :meth:`fit`; n-grams never seen
    in the fitted labels get the highest weight, as the rarest ones do.

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

    @functools.cached_property
    def _hasher(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            preprocessor=fold,
            lowercase=False,
            alternate_sign=False,
            norm=None,
            n_features=self.n_features,
        )

    def fit(self, labels: Iterable[str]) -> SkillText:
        """Learn inverse document frequencies from ``labels``; returns ``self``."""
        counts = self._hasher.transform(list(labels)).tocsc()
        df = np.diff(counts.indptr)
        self.idf_ = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        return self

    def transform(self, labels: Sequence[str]) -> sp.csr_matrix:
        """One L2-normalised TF-IDF row per label (an empty label gives a zero row)."""
        if not hasattr(self, "idf_"):
            raise NotFittedError("SkillText is not fitted yet; call fit(labels) first.")
        rows = self._hasher.transform(list(labels)).tocsr()
        rows.data = rows.data * self.idf_[rows.indices]
        # L2 norms by hand: sklearn's normalize() validates its input, which costs more than
        # the arithmetic for the few labels of a query.
        lengths = np.diff(rows.indptr)
        squares = np.add.reduceat(rows.data**2, rows.indptr[:-1][lengths > 0]) if rows.nnz else np.empty(0)
        norms = np.ones(len(lengths))
        norms[lengths > 0] = np.sqrt(squares)
        rows.data /= np.repeat(norms, lengths)
        return rows

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine similarity of every label in ``a`` with every label in ``b``, shape ``(len(a), len(b))``."""
        rows = self.vectors([*a, *b])
        if not rows:
            return np.zeros((len(a), len(b)))
        # Renumber the n-grams present so the work scales with the labels, not the hashed space.
        used, column = np.unique(np.concatenate([f for f, _ in rows]), return_inverse=True)
        lengths = [f.size for f, _ in rows]
        weights = np.concatenate([w for _, w in rows])
        if len(rows) * used.size <= 1_000_000:
            dense = np.zeros((len(rows), used.size))
            dense[np.repeat(np.arange(len(rows)), lengths), column] = weights
            return dense[: len(a)] @ dense[len(a) :].T
        matrix = sp.csr_matrix((weights, column, np.concatenate([[0], np.cumsum(lengths)])), shape=(len(rows), used.size))
        return (matrix[: len(a)] @ matrix[len(a) :].T).toarray()

    def table(self, left: Iterable[str], right: Iterable[str]) -> SimilarityTable:
        """Similarities of all ``left`` with all ``right`` labels, computed at once, for many lookups."""
        return SimilarityTable(self, left, right)

    def remember(self, labels: Sequence[str], rows: sp.csr_matrix) -> None:
        """Keep already transformed ``rows`` of ``labels`` for :meth:`vectors`, while there is room."""
        room = self.cache_size - len(self._cache)
        for label, start, end in zip(labels[:room], rows.indptr[:-1], rows.indptr[1:]):
            self._cache.setdefault(label, (rows.indices[start:end].astype(np.int64), rows.data[start:end].copy()))

    def vectors(self, labels: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The rows of :meth:`transform` as (feature ids, weights) pairs, cached: the same labels come back often."""
        missing = [label for label in dict.fromkeys(labels) if label not in self._cache]
        if missing and len(self._cache) + len(missing) > self.cache_size:
            self._cache.clear()
            missing = list(dict.fromkeys(labels))
        if missing:
            rows = self.transform(missing)
            for label, start, end in zip(missing, rows.indptr[:-1], rows.indptr[1:], strict=True):
                self._cache[label] = (rows.indices[start:end].astype(np.int64), rows.data[start:end].copy())
        return [self._cache[label] for label in labels]


class SimilarityTable:
    """Text similarities between two label sets, computed in one go and then looked up pair by pair.

    Calling the table with labels from both sets returns the same matrix as
    :meth:`SkillText.similarity`, without hashing or multiplying again.

    Examples
    --------
    >>> table = default_text().table(["zidarstvo", "kuharica"], ["zidar", "kuhar"])
    >>> [[round(v, 2) for v in row] for row in table(["kuharica"], ["kuhar", "zidar"])]
    [[0.52, 0.0]]
    """

    def __init__(self, text: SkillText, left: Iterable[str], right: Iterable[str]) -> None:
        self._left = {label: i for i, label in enumerate(dict.fromkeys(left))}
        self._right = {label: i for i, label in enumerate(dict.fromkeys(right))}
        self._rows = text.similarity(list(self._left), list(self._right)).tolist()

    def __call__(self, a: Sequence[str], b: Sequence[str]) -> list[list[float]]:
        cols = [self._right[y] for y in b]
        return [[row[j] for j in cols] for row in (self._rows[self._left[x]] for x in a)]


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
