"""Column storage for the indexes: growable numpy columns, term bitsets, and the table of distinct skills."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching.records import Skill
from matching.scoring import Scoring
from matching.text import SkillText

__all__ = ["Columns", "SkillTable", "Terms", "common", "covers", "fold_rows", "within"]

_WORD = 64
_TEXTS_AT_ONCE = 64  # query texts per computation of credit columns: their dense block stays small


class Columns:
    """Named numpy columns that grow by doubling, so adding one row is amortised O(1).

    ``spec`` maps a name to (dtype, fill value, width): width None for one value per row, an
    int for a two-dimensional column. Those are stored as (width, capacity): each position of a
    padded list or each bitset word is one contiguous row, which makes gathers and reductions
    over candidates cheap. A padded list column ``name`` needs a count column ``n_name``.

    Examples
    --------
    >>> cols = Columns({"ids": (np.int32, -1, 0), "n_ids": (np.int32, 0, None)})
    >>> cols.reserve(3)
    >>> cols.set_padded("ids", np.array([0, 2]), [[7, 8], [9]])
    >>> cols["ids"][:, :3].tolist(), cols["n_ids"][:3].tolist()
    ([[7, -1, 9], [8, -1, -1]], [2, 0, 1])
    """

    def __init__(self, spec: Mapping[str, tuple[Any, Any, int | None]]) -> None:
        self._spec = dict(spec)
        self.capacity = 0
        self.data = {
            name: np.full((0,) if width is None else (width, 0), fill, dtype)
            for name, (dtype, fill, width) in self._spec.items()
        }

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name]

    def reserve(self, rows: int) -> None:
        """Make room for at least ``rows`` rows, at least doubling when growing."""
        if rows <= self.capacity:
            return
        capacity = max(rows, 2 * self.capacity, 64)
        for name, old in self.data.items():
            dtype, fill, _ = self._spec[name]
            grown = np.full((*old.shape[:-1], capacity), fill, dtype)
            grown[..., : self.capacity] = old
            self.data[name] = grown
        self.capacity = capacity

    def widen(self, name: str, width: int) -> None:
        """Give a two-dimensional column at least ``width`` rows of values, filled for old records."""
        old = self.data[name]
        if old.shape[0] >= width:
            return
        dtype, fill, _ = self._spec[name]
        grown = np.full((width, old.shape[1]), fill, dtype)
        grown[: old.shape[0]] = old
        self.data[name] = grown

    def set_padded(self, name: str, slots: np.ndarray, lists: Sequence[Sequence[int]]) -> None:
        """Write id lists padded with -1 (which indexes a trailing zero in lookups), and their lengths."""
        counts = np.fromiter(map(len, lists), np.int64, len(lists))
        self.widen(name, int(counts.max(initial=0)))
        block = np.full((self.data[name].shape[0], len(lists)), -1, np.int32)
        if counts.sum():
            position = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            block[position, np.repeat(np.arange(len(lists)), counts)] = np.fromiter(
                chain.from_iterable(lists), np.int32, int(counts.sum())
            )
        self.data[name][:, slots] = block
        self.data["n_" + name][slots] = counts

    def set_bits(self, name: str, slots: np.ndarray, masks: Sequence[int], words: int) -> None:
        """Write bit masks (Python ints) as ``words`` 64-bit words per record."""
        self.widen(name, words)
        column = self.data[name]
        for w in range(column.shape[0]):
            column[w, slots] = np.fromiter(((m >> (_WORD * w)) & (2**_WORD - 1) for m in masks), np.uint64, len(masks))


def within(bits: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per candidate (column of ``bits``): are all its set bits among ``allowed``?

    Examples
    --------
    >>> within(np.array([[0b011, 0b100]], dtype=np.uint64), np.array([0b011], dtype=np.uint64)).tolist()
    [True, False]
    """
    ok = np.ones(bits.shape[1], dtype=bool)
    for w in range(bits.shape[0]):
        ok &= (bits[w] & ~allowed[w]) == 0
    return ok


def covers(bits: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Per candidate (column of ``bits``): are all ``required`` bits set?

    Examples
    --------
    >>> covers(np.array([[0b011, 0b100]], dtype=np.uint64), np.array([0b001], dtype=np.uint64)).tolist()
    [True, False]
    """
    ok = np.ones(bits.shape[1], dtype=bool)
    for w in range(bits.shape[0]):
        ok &= (bits[w] & required[w]) == required[w]
    return ok


def fold_rows(ufunc: np.ufunc, rows: np.ndarray, width: int, dtype: type = np.float64) -> np.ndarray:
    """Combine the rows of a (k, width) array one after another (zeros if k == 0).

    A loop over the few rows beats numpy's reduce along a short axis by far here, and adding
    in order keeps sums identical to the pair scorer's.

    Examples
    --------
    >>> fold_rows(np.add, np.array([[0.5, 1.0], [0.25, 0.0]]), 2).tolist()
    [0.75, 1.0]
    """
    out: np.ndarray = np.zeros(width, dtype=dtype)
    if rows.shape[0]:
        out[:] = rows[0]
        for row in rows[1:]:
            ufunc(out, row, out=out)
    return out


def common(bits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per candidate: how many of its set bits are also in ``mask``.

    Examples
    --------
    >>> common(np.array([[0b011, 0b100]], dtype=np.uint64), np.array([0b111], dtype=np.uint64)).tolist()
    [2, 1]
    """
    counts: np.ndarray = np.bitwise_count(bits & mask[:, np.newaxis]).sum(axis=0)
    return counts


class Terms:
    """Numbered terms (languages, support kinds, sectors) for bitsets and lookups.

    Examples
    --------
    >>> terms = Terms()
    >>> terms.add(["sl", "hr"])
    [0, 1]
    >>> terms.words_of(["hr", "de"]).tolist(), terms.knows(["de"])
    ([2], False)
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def words(self) -> int:
        """64-bit words needed for a bitset over all terms so far."""
        return max(1, -(-len(self.ids) // _WORD))

    def add(self, terms: Iterable[str]) -> list[int]:
        """Ids of ``terms``, numbering new ones."""
        return [self.ids.setdefault(t, len(self.ids)) for t in terms]

    def known(self, terms: Iterable[str]) -> list[int]:
        """Ids of the ``terms`` already numbered; others are skipped."""
        return [self.ids[t] for t in terms if t in self.ids]

    def knows(self, terms: Iterable[str]) -> bool:
        """True when every term is numbered (an unknown one can be on no record)."""
        return all(t in self.ids for t in terms)

    def mask(self, terms: Iterable[str], *, add: bool = False) -> int:
        """The bit mask of ``terms`` as a Python int (numbering new ones if ``add``)."""
        return sum(1 << i for i in (self.add(terms) if add else self.known(terms)))

    def words_of(self, terms: Iterable[str]) -> np.ndarray:
        """The bit mask of the known ``terms`` as :attr:`words` 64-bit words."""
        m = self.mask(terms)
        return np.array([(m >> (_WORD * w)) & (2**_WORD - 1) for w in range(self.words)], dtype=np.uint64)

    def lookup(self, terms: Iterable[str]) -> np.ndarray:
        """Boolean per term id (plus a trailing False for padding): is it among ``terms``?"""
        out = np.zeros(len(self.ids) + 1, dtype=bool)
        out[self.known(terms)] = True
        return out


class SkillTable:
    """Distinct skills with their TF-IDF rows, and the credit each earns against a few query skills.

    Examples
    --------
    >>> scoring = Scoring()
    >>> table = SkillTable(scoring.text)
    >>> table.ids([Skill(label="zidarstvo"), Skill(uri="esco:cook", label="cook")])
    [0, 1]
    >>> table.credits([Skill(label="zidar"), Skill(uri="esco:cook", label="kuhar")], scoring).round(2).tolist()
    [[0.95, 0.0], [0.0, 1.0]]
    """

    COLUMN_CACHE = 50_000
    """How many query skills' credit columns :meth:`credits` keeps."""

    def __init__(self, text: SkillText) -> None:
        self._text = text
        self._ids: dict[Skill, int] = {}
        self._by_uri: dict[str, list[int]] = defaultdict(list)
        # One TF-IDF row per text of a skill (its label and aliases), in skill order.
        self._texts: list[str] = []
        self._text_skill: list[int] = []  # per text row: its skill's id
        self._starts = np.zeros(0, dtype=np.intp)  # first text row of each skill, made when needed
        self._concept_flags: list[bool] = []  # per table skill: is it an ESCO concept?
        self._is_concept = np.zeros(0, dtype=bool)  # the same as an array, made when needed
        # New skills collect in a small row-major block; it is merged into the column-major
        # main block (fast to slice by n-gram) once it outgrows a share of it, so an upsert
        # costs amortised O(1) and a query never touches the whole hashed feature space.
        n_features = text.n_features
        self._main = sp.csc_matrix((0, n_features))
        self._pending = sp.csr_matrix((0, n_features))
        # Credit columns of query skills already seen, kept sparse (most table skills earn 0):
        # an allocation round asks for the same few thousand skills over and over. Valid for
        # one scoring and the table as it is; dropped when either changes.
        self._columns: dict[Skill, tuple[np.ndarray, np.ndarray]] = {}
        self._text_credits: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # the same for a query text
        self._columns_for: tuple[Scoring | None, int] = (None, 0)

    def __len__(self) -> int:
        return len(self._concept_flags)

    @property
    def nbytes(self) -> int:
        """Bytes held by the TF-IDF rows."""
        return sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (self._main, self._pending))

    def ids(self, skills: Iterable[Skill]) -> list[int]:
        """Ids of ``skills`` in the table, adding new ones (their rows are computed on the next query)."""
        out = []
        for skill in skills:
            i = self._ids.get(skill)
            if i is None:
                i = self._ids[skill] = len(self._concept_flags)
                self._texts.extend(skill.texts)
                self._text_skill.extend([i] * len(skill.texts))
                self._concept_flags.append(skill.uri is not None)
                if skill.uri is not None:
                    self._by_uri[skill.uri].append(i)
            out.append(i)
        return out

    def prepare(self) -> None:
        """Make the text rows of every skill in the table, and load the text model's word data, now.

        What a first query would otherwise do (:meth:`credits` syncs the rows): for an index built
        off a server's request loop, so that its first visitor does not wait for it.
        """
        self._sync()
        self._text.prepare()

    def _sync(self) -> None:
        done = self._main.shape[0] + self._pending.shape[0]
        if done < len(self._texts):
            # From the text model's cache where it can: the skills of people and places repeat
            # across indexes (a candidate list builds one per request), and hashing their
            # texts again was most of such a request. Queries and explanations reuse them too.
            new = self._text.rows(self._texts[done:])
            self._pending = sp.vstack([self._pending, new], format="csr")
        if self._pending.shape[0] > 256 + self._main.shape[0] // 16:
            self._main = sp.vstack([self._main.tocsr(), self._pending], format="csr").tocsc()
            self._pending = sp.csr_matrix((0, self._main.shape[1]))

    def credits(self, skills: Sequence[Skill], scoring: Scoring) -> np.ndarray:
        """Credit of every table skill (rows) against each query skill (columns) under ``scoring``.

        Texts are compared pairwise and the closest pair of a table skill's and a query skill's
        texts counts, as in :func:`matching.scoring.score_pair`. A column depends on its query
        skill only, so columns are remembered per skill (up to :attr:`COLUMN_CACHE` of them).
        """
        self._remember(skills, scoring)
        out = np.zeros((len(self), len(skills)))
        for j, skill in enumerate(skills):
            rows, values = self._columns[skill]
            out[rows, j] = values
        return out

    def best(self, queries: Sequence[Sequence[Skill]], scoring: Scoring) -> np.ndarray:
        """Per query (one person's skills, say): each table skill's best credit from them, then a 0 for padding.

        The row maxima of :meth:`credits`, shape ``(len(queries), len(self) + 1)``; the
        columns of all the queries are computed together.

        Examples
        --------
        >>> scoring = Scoring()
        >>> table = SkillTable(scoring.text)
        >>> table.ids([Skill(label="zidarstvo"), Skill(uri="esco:cook", label="cook")])
        [0, 1]
        >>> table.best([[Skill(label="zidar"), Skill(uri="esco:cook", label="kuhar")], []], scoring).round(2).tolist()
        [[0.95, 1.0, 0.0], [0.0, 0.0, 0.0]]
        """
        self._remember([s for skills in queries for s in skills], scoring)
        out = np.zeros((len(queries), len(self) + 1))
        kept = [(k, self._columns[skill]) for k, skills in enumerate(queries) for skill in skills]
        if kept:
            # One maximum over all (query, table skill, credit) entries of the block, not one per skill.
            who = np.repeat([k for k, _ in kept], [rows.size for _, (rows, _) in kept])
            rows = np.concatenate([rows for _, (rows, _) in kept])
            np.maximum.at(out, (who, rows), np.concatenate([values for _, (_, values) in kept]))
        return out

    def _remember(self, skills: Sequence[Skill], scoring: Scoring) -> None:
        """Compute and keep the credit columns of ``skills`` not kept yet."""
        if self._columns_for[0] is not scoring or self._columns_for[1] != len(self._concept_flags):
            self._forget()
            self._columns_for = (scoring, len(self._concept_flags))
        new = [s for s in dict.fromkeys(skills) if s not in self._columns]
        if len(self._columns) + len(new) > self.COLUMN_CACHE:
            self._forget()
            new = list(dict.fromkeys(skills))
        # Skills share texts (a concept's label typed as free text, say): each text is compared once.
        texts = [t for t in dict.fromkeys(t for s in new for t in s.texts) if t not in self._text_credits]
        for start in range(0, len(texts), _TEXTS_AT_ONCE):
            part = texts[start : start + _TEXTS_AT_ONCE]
            self._text_credits.update(zip(part, self._text_columns(part, scoring), strict=True))
        for skill in new:
            self._columns[skill] = self._column(skill, scoring)

    def _forget(self) -> None:
        """Drop the kept columns (the table or the scoring changed, or there are too many)."""
        self._columns.clear()
        self._text_credits.clear()

    def _column(self, skill: Skill, scoring: Scoring) -> tuple[np.ndarray, np.ndarray]:
        """A query skill's credit column: what its closest text earns, and between two concepts identity or relation only."""
        parts = [self._text_credits[t] for t in skill.texts]
        if len(parts) == 1:
            rows, values = parts[0]
        else:  # credit grows with similarity, so the best credit is the closest text's
            column = np.zeros(len(self))
            for r, v in parts:
                np.maximum.at(column, r, v)
            rows = np.flatnonzero(column)
            values = column[rows]
        if skill.uri is None:
            return rows, values
        text = ~self._concepts()[
            rows
        ]  # a concept earns from a concept by identity or relation only (Scoring.concept_credit)
        same = self._by_uri.get(skill.uri, [])
        related = [i for uri in scoring.related.get(skill.uri, ()) for i in self._by_uri.get(uri, []) if i not in same]
        return (
            np.concatenate([rows[text], related, same]).astype(np.intp),
            np.concatenate([values[text], np.full(len(related), scoring.related_credit), np.ones(len(same))]),
        )

    def _text_columns(self, texts: Sequence[str], scoring: Scoring) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per query text: the table skills whose closest text earns credit from it, and the credit."""
        sims = self._similarities(texts)
        # Most pairs earn nothing: credit only those from the threshold up.
        query, table = np.nonzero(sims >= scoring.skill_threshold)
        values = np.asarray(scoring.credit(sims[query, table]))
        keep = values > 0
        query, table, values = query[keep], table[keep], values[keep]
        ends = np.searchsorted(query, np.arange(1, len(texts)))  # nonzero goes row by row
        return list(zip(np.split(table, ends), np.split(values, ends), strict=True))

    def _similarities(self, texts: Sequence[str]) -> np.ndarray:
        """Text similarity of each query text (rows) with each table skill: its closest text."""
        self._sync()
        rows = self._text.vectors(texts)
        # Work only on the n-grams the query has, never on the whole hashed space.
        features = np.concatenate([f for f, _ in rows])
        cols, where = np.unique(features, return_inverse=True)
        lengths = [f.size for f, _ in rows]
        query = np.zeros((len(texts), cols.size))
        query[np.repeat(np.arange(len(texts)), lengths), where] = np.concatenate([w for _, w in rows])
        # Sparse times dense adds each text pair's products in n-gram order from 0 (a zero where
        # the query lacks an n-gram changes nothing), as SkillText.similarity does: the same
        # similarities to the last bit.
        sims = np.ascontiguousarray((self._main[:, cols] @ query.T).T)
        if self._pending.shape[0]:
            sims = np.hstack([sims, self._pending_similarities(cols, query)])
        if len(self._texts) != len(self._concept_flags) and sims.shape[1]:  # the closest text of each table skill
            sims = np.maximum.reduceat(sims, self._skill_starts(), axis=1)
        return sims

    def _pending_similarities(self, cols: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Similarities of the query texts (rows of ``query`` over n-grams ``cols``) with the pending texts."""
        pending = self._pending
        at = np.minimum(np.searchsorted(cols, pending.indices), max(cols.size - 1, 0))
        hit = cols[at] == pending.indices if cols.size else np.zeros(pending.nnz, dtype=bool)
        sims = np.zeros((pending.shape[0], query.shape[0]))
        owner = np.repeat(np.arange(pending.shape[0]), np.diff(pending.indptr))[hit]
        # add.at adds in order: each pending text's n-grams one after another, as the products above.
        np.add.at(sims, owner, pending.data[hit, np.newaxis] * query.T[at[hit]])
        return sims.T

    def _skill_starts(self) -> np.ndarray:
        """The first text row of each table skill; brought up to date when skills were added."""
        if self._starts.size != len(self._concept_flags):
            skill_of = np.array(self._text_skill, dtype=np.intp)
            self._starts = np.flatnonzero(np.diff(skill_of, prepend=-1))
        return self._starts

    def _concepts(self) -> np.ndarray:
        """Per table skill: True for an ESCO concept; brought up to date when skills were added."""
        if self._is_concept.size != len(self._concept_flags):
            self._is_concept = np.array(self._concept_flags, dtype=bool)
        return self._is_concept
