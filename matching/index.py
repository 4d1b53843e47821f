"""Fast top-k recommendations over many opportunities or people: precomputed columns, updated in place.

Each index keeps one row per record in numpy columns (unit vectors for distance, day numbers
for dates, bitsets for languages and support, padded id lists for skills and sectors) and a
table of distinct skills with their TF-IDF vectors. A query filters by the hard constraints
on whole columns, scores only what is left, and explains only the top ``k`` with the same
pair scorer as :mod:`matching.recommend`, so both give the same ranking.

Explaining is most of a query's cost, and a caller that needs many lists but shows few pairs
(an allocation round, a report) asks for :meth:`~OpportunityIndex.ranked` lists of
:class:`Ranked` pairs and explains only the pairs it shows, with
:meth:`~OpportunityIndex.explain`; the result is the same :class:`~matching.explain.Match`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np

from matching.columns import Columns, SkillTable, Terms, common, covers, fold_rows, within
from matching.explain import Match, explain_pair
from matching.geo import EARTH_RADIUS_KM, chord_km, haversine_km, unit_vectors
from matching.recommend import check_top
from matching.records import Opportunity, Person, as_opportunity, as_person
from matching.scoring import _SCALE, Scoring, round_score

__all__ = ["OpportunityIndex", "PersonIndex", "Ranked", "explain_pairs"]

_FAR_PAST = np.iinfo(np.int64).min // 2
_FAR_FUTURE = np.iinfo(np.int64).max // 2
# The dot-product cut only pre-selects; the exact great-circle distance decides. The slack keeps rounding
# in the dot product from dropping a place that is just within reach.
_COS_SLACK = 1e-9
_EMPTY = np.empty(0, dtype=np.intp)
_NOWHERE = np.full(3, np.nan)  # the unit vector of a missing location: never within reach, no distance
# Person-opportunity cells per block of OpportunityIndex.ranked_many: a few MB per column.
_BLOCK_CELLS = 2**19

R = TypeVar("R", bound=Opportunity | Person)
Q = TypeVar("Q", bound=Opportunity | Person)


class Ranked(NamedTuple):
    """One ranked pair without its explanation: enough to allocate, list or explain it later.

    A named tuple: lists of thousands of them are made per round, and a tuple is the cheapest
    immutable record to make.

    Attributes
    ----------
    person_id, opportunity_id : hashable
        The pair.
    score : float
        Its total score in [0, 1], the score its explained :class:`~matching.explain.Match` carries.
    distance_km : float or None
        The distance the index computed (None when a location is missing); explaining the pair
        reuses it, so the explanation shows the very distance the ranking used.
    """

    person_id: Hashable
    opportunity_id: Hashable
    score: float
    distance_km: float | None


def _km(distance: float) -> float | None:
    """A distance from the index's columns as the pair scorer takes it: NaN (unknown) becomes None."""
    return None if math.isnan(distance) else distance


def _top(keys: np.ndarray, top: int) -> np.ndarray:
    """Positions of the ``top`` largest keys, best first; equal keys keep their order of position."""
    if top < keys.size:
        kth = np.partition(keys, keys.size - top)[keys.size - top]
        above = np.flatnonzero(keys > kth)
        chosen = np.concatenate([above, np.flatnonzero(keys == kth)[: top - above.size]])
    else:
        chosen = np.arange(keys.size)
    return chosen[np.lexsort((chosen, -keys[chosen]))]


def _rows(make: Callable[[frozenset[str]], np.ndarray], sets: list[frozenset[str]]) -> np.ndarray:
    """``make`` of each set as the rows of one array, made once per distinct set (people share them)."""
    made: dict[frozenset[str], np.ndarray] = {}
    return np.array([made[x] if x in made else made.setdefault(x, make(x)) for x in sets])


def _hours_fit(person: np.ndarray, place: np.ndarray) -> np.ndarray:
    """:func:`matching.scoring.hours_fit` on arrays; a place without known hours (NaN) scores 0."""
    share = _ratio(np.minimum(person, place), np.maximum(person, place))
    return np.where(np.isnan(place), 0.0, np.where(place == 0, 1.0, share))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is positive, else 0."""
    with np.errstate(over="ignore"):  # a tiny denominator gives inf, which the hours score caps at 1
        ratio: np.ndarray = np.divide(numerator, denominator, out=np.zeros(len(numerator)), where=denominator > 0)
    return ratio


def _explain_together(pairs: Sequence[tuple[Person, Opportunity, float | None]], scoring: Scoring) -> list[Match]:
    """:func:`explain_pair` of each (person, opportunity, distance), with one text similarity table for all.

    The table holds the texts of the skill pairs whose similarity is read
    (:meth:`Scoring.reads_similarity`): where both are concepts, the same or unrelated, it is not,
    and leaving their labels in three languages out made the table several times smaller. The
    cells left out are looked up as 0.0, which nothing reads.
    """
    left: dict[str, None] = {}
    right: dict[str, None] = {}
    for person, place, _ in pairs:
        for wanted in (*place.required_skills, *place.optional_skills):
            for own in person.skills:
                if scoring.reads_similarity(wanted, own):
                    left.update(dict.fromkeys(wanted.texts))
                    right.update(dict.fromkeys(own.texts))
    table = scoring.text.table(left, right, absent=0.0)
    return [explain_pair(p, o, scoring, distance=d, similarity=table) for p, o, d in pairs]


def explain_pairs(pairs: Sequence[tuple[Person, Opportunity]], scoring: Scoring | None = None) -> list[Match]:
    """``[explain_pair(p, o, scoring) for p, o in pairs]``, the same Matches, in one batch.

    The text similarities of all the pairs' skills are computed at once instead of pair by pair,
    which is most of explaining a page of pairs that were not ranked by an index (or whose
    records differ from the indexed ones). Each distance is computed as :func:`explain_pair` does.

    Examples
    --------
    >>> place = Opportunity("o1", required_skills=["kuharica"])
    >>> people = [Person(1, skills=["kuhar"]), Person(2, skills=["zidar"])]
    >>> explain_pairs([(p, place) for p in people]) == [explain_pair(p, place) for p in people]
    True
    """
    distances = _distances(pairs)
    return _explain_together([(p, o, d) for (p, o), d in zip(pairs, distances, strict=True)], scoring or Scoring())


def _distances(pairs: Sequence[tuple[Person, Opportunity]]) -> list[float | None]:
    """:func:`matching.constraints.distance_km` of each pair, in one call of :func:`haversine_km` for all.

    The same floats as pair by pair (the functions work element by element), without numpy's cost
    per call: a fifth of explaining a page of 20 pairs went to computing their distances one by one.
    """
    located: list[int] = []
    points: list[tuple[float, float, float, float]] = []
    for i, (person, place) in enumerate(pairs):
        if person.location is not None and place.location is not None:
            located.append(i)
            points.append((*person.location, *place.location))
    found: list[float | None] = [None] * len(pairs)
    if located:
        for i, distance in zip(located, haversine_km(*np.array(points).T).tolist(), strict=True):
            found[i] = distance
    return found


class _Index(ABC, Generic[R, Q]):
    """Slots, records and columns shared by both directions; subclasses write rows and answer queries.

    ``R`` is the type of the indexed records, ``Q`` the type of the records a query is for.

    Not thread-safe: update and query from one thread, or guard the index with a lock.
    """

    _spec: dict[str, tuple[Any, Any, int | None]]
    _kind: str

    def __init__(self, records: Iterable[R | Mapping[str, Any]] = (), *, scoring: Scoring | None = None) -> None:
        self._scoring = scoring or Scoring()
        self._reset()
        self._upsert_many(list(records))

    def _reset(self) -> None:
        self._records: list[R | None] = []
        self._slots: dict[Hashable, int] = {}
        self._cols = Columns(self._spec)
        self._skills = SkillTable(self._scoring.text)
        self._langs, self._support, self._sectors = Terms(), Terms(), Terms()

    @property
    def scoring(self) -> Scoring:
        """How pairs are scored. It may be replaced (e.g. by learned weights) if the text model stays."""
        return self._scoring

    @scoring.setter
    def scoring(self, scoring: Scoring) -> None:
        if scoring.text is not self._scoring.text:
            raise ValueError("the skill vectors depend on the text model: build a new index to change it")
        self._scoring = scoring

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._slots

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays (not counting the records themselves)."""
        return sum(a.nbytes for a in self._cols.data.values()) + self._skills.nbytes

    def warm(self) -> None:
        """Do now, once, what the first query would: the indexed skills' text rows and the text model's word data.

        For an index built in the background: at 100,000 places the first query took 0.7 s
        more than the next ones, which its first visitor waited for.
        """
        self._skills.prepare()

    def __iter__(self) -> Iterator[R]:
        """The records in index order (first insertion), which breaks ties between equal scores."""
        return (r for r in self._records if r is not None)

    def upsert(self, record: R | Mapping[str, Any]) -> None:
        """Add a record, or replace the one with the same id (keeping its place in the tie order)."""
        self._upsert_many([record])

    def remove(self, record_id: Hashable) -> None:
        """Remove the record with this id; raises ``KeyError`` if there is none."""
        if record_id not in self._slots:
            raise KeyError(f"no {self._kind} with id {record_id!r} in the index")
        slot = self._slots.pop(record_id)
        self._records[slot] = None
        self._cols["ok"][slot] = False
        if len(self._records) > 1024 and len(self._slots) < len(self._records) // 2:
            live = list(self)
            self._reset()
            self._upsert_many(live)

    @abstractmethod
    def _coerce(self, record: R | Mapping[str, Any]) -> R:
        """The record type of this index, from a record or a mapping."""

    @abstractmethod
    def _write(self, slots: np.ndarray, records: list[R]) -> None:
        """Write the columns of ``records`` at ``slots``."""

    def _upsert_many(self, records: Sequence[R | Mapping[str, Any]]) -> None:
        coerced = [self._coerce(r) for r in records]
        ids = [r.id for r in coerced]
        if len(set(ids)) != len(ids):
            duplicates = sorted(repr(i) for i, n in Counter(ids).items() if n > 1)
            raise ValueError(f"duplicate {self._kind} ids: {', '.join(duplicates)}")
        slots = np.empty(len(coerced), dtype=np.intp)
        for k, record in enumerate(coerced):
            slot = self._slots.get(record.id)
            if slot is None:
                slot = self._slots[record.id] = len(self._records)
                self._records.append(record)
            else:
                self._records[slot] = record
            slots[k] = slot
        self._cols.reserve(len(self._records))
        if coerced:
            self._write(slots, coerced)

    def _write_places(self, slots: np.ndarray, locations: list[tuple[float, float] | None]) -> np.ndarray:
        """Store unit vectors; a missing location is NaN, so it is never within reach and has no distance."""
        lat = np.array([loc[0] if loc else np.nan for loc in locations], dtype=np.float64)
        lon = np.array([loc[1] if loc else np.nan for loc in locations], dtype=np.float64)
        located = ~np.isnan(lat)
        xyz = unit_vectors(np.where(located, lat, 0.0), np.where(located, lon, 0.0)).reshape(-1, 3)
        xyz[~located] = np.nan
        self._cols["xyz"][:, slots] = xyz.T
        return located

    def _write_period(self, slots: np.ndarray, starts: list[Any], ends: list[Any]) -> None:
        self._cols["day_from"][slots] = [d.toordinal() if d else _FAR_PAST for d in starts]
        self._cols["day_to"][slots] = [d.toordinal() if d else _FAR_FUTURE for d in ends]

    def _ids(self, slots: np.ndarray) -> list[Hashable]:
        """The ids of the records at ``slots`` (all live)."""
        records = self._records
        return [records[slot].id for slot in slots.tolist()]

    def _record(self, record_id: Hashable) -> R:
        """The indexed record with this id; raises ``KeyError`` if there is none."""
        slot = self._slots.get(record_id)
        record = None if slot is None else self._records[slot]
        if record is None:  # a slot in _slots always holds a record
            raise KeyError(f"no {self._kind} with id {record_id!r} in the index")
        return record

    @abstractmethod
    def _pair(self, query: Q, item: Ranked) -> tuple[Person, Opportunity]:
        """The person and the opportunity of a ranked ``item`` for ``query``, checked to belong together."""

    def _explain(self, pairs: list[tuple[Person, Opportunity, float | None]]) -> list[Match]:
        """Explain the chosen pairs with the reference pair scorer, sharing one similarity table."""
        return _explain_together(pairs, self.scoring)

    def _explain_ranked(self, query: Q, items: Sequence[Ranked]) -> list[Match]:
        """Explain ranked pairs with the distances the ranking used, so explanations repeat its figures."""
        return self._explain([(*self._pair(query, item), item.distance_km) for item in items])


_PLACE_SPEC: dict[str, tuple[Any, Any, int | None]] = {
    "ok": (bool, False, None),
    "xyz": (np.float64, np.nan, 3),
    "day_from": (np.int64, _FAR_PAST, None),
    "day_to": (np.int64, _FAR_FUTURE, None),
    "lang": (np.uint64, 0, 1),
    "hours": (np.float64, np.nan, None),
}


class OpportunityIndex(_Index[Opportunity, Person]):
    """Opportunities prepared for fast placement recommendations; see :func:`matching.recommend_placements`.

    Building is one pass over the records; :meth:`upsert` and :meth:`remove` change one row in
    place. Equal scores keep index order (first insertion), so an index built from a list
    ranks exactly like :func:`~matching.recommend.recommend_placements` on that list.

    Parameters
    ----------
    opportunities : iterable of Opportunity or mapping
        The opportunities; ids must be distinct.
    scoring : Scoring, optional
        Weights and text model (the defaults if omitted).

    Examples
    --------
    >>> index = OpportunityIndex([
    ...     Opportunity("o1", required_skills=["zidarstvo"], location=(46.42, 15.87)),
    ...     Opportunity("o2", required_skills=["kuharica"], location=(46.41, 15.88)),
    ... ])
    >>> person = Person("p1", skills=["kuhar"], location=(46.42, 15.87), travel_radius_km=10)
    >>> [m.opportunity_id for m in index.recommend(person)]
    ['o2', 'o1']
    >>> index.upsert(Opportunity("o2", required_skills=["kuharica"], status="closed"))
    >>> [m.opportunity_id for m in index.recommend(person)]
    ['o1']
    """

    _kind = "opportunity"
    _spec = {
        **_PLACE_SPEC,
        "offer": (np.uint64, 0, 1),
        "req": (np.int32, -1, 0),
        "n_req": (np.int32, 0, None),
        "opt": (np.int32, -1, 0),
        "n_opt": (np.int32, 0, None),
        "sec": (np.int32, -1, 0),
        "n_sec": (np.int32, 0, None),
    }

    def _coerce(self, record: Opportunity | Mapping[str, Any]) -> Opportunity:
        return as_opportunity(record)

    def _write(self, slots: np.ndarray, records: list[Opportunity]) -> None:
        c = self._cols
        c["ok"][slots] = [r.is_open and r.places_left > 0 for r in records]
        self._write_places(slots, [r.location for r in records])
        self._write_period(slots, [r.start for r in records], [r.end for r in records])
        c["hours"][slots] = [np.nan if r.hours is None else r.hours for r in records]
        lang = [self._langs.mask(r.languages, add=True) for r in records]
        c.set_bits("lang", slots, lang, self._langs.words)
        offer = [self._support.mask(r.support_offered, add=True) for r in records]
        c.set_bits("offer", slots, offer, self._support.words)
        c.set_padded("req", slots, [self._skills.ids(r.required_skills) for r in records])
        c.set_padded("opt", slots, [self._skills.ids(r.optional_skills) for r in records])
        c.set_padded("sec", slots, [self._sectors.add(r.sectors) for r in records])

    def recommend(
        self, person: Person | Mapping[str, Any], *, top: int = 10, exclude: Collection[Hashable] = ()
    ) -> list[Match]:
        """The best ``top`` opportunities for ``person``, best first, each explained.

        ``exclude`` names opportunities not to suggest (a place that declined the person, or
        has a referral for them under way). The same result as
        :func:`matching.recommend_placements` over the indexed opportunities, and as
        :meth:`explain_many` of :meth:`ranked`.
        """
        person = as_person(person)
        return self.explain_many(person, self.ranked(person, top=top, exclude=exclude))

    def ranked(
        self, person: Person | Mapping[str, Any], *, top: int = 10, exclude: Collection[Hashable] = ()
    ) -> list[Ranked]:
        """The pairs :meth:`recommend` would return, in its order and with its scores, unexplained.

        Several times faster than :meth:`recommend` for long lists: explaining a pair costs
        more than scoring it against every opportunity. Explain the pairs shown with :meth:`explain`.

        Examples
        --------
        >>> index = OpportunityIndex([Opportunity("o1", required_skills=["kuharica"]), Opportunity("o2")])
        >>> person = Person("p1", skills=["kuhar"])
        >>> [(r.opportunity_id, r.score) for r in index.ranked(person)]
        [('o1', 0.350527371), ('o2', 0.0)]
        >>> index.explain(person, index.ranked(person)[0]) == index.recommend(person)[0]
        True
        """
        return self._query([as_person(person)], check_top(top), [exclude])[0]

    def ranked_many(
        self,
        people: Iterable[Person | Mapping[str, Any]],
        *,
        top: int = 10,
        exclude: Mapping[Hashable, Collection[Hashable]] | None = None,
    ) -> list[list[Ranked]]:
        """:meth:`ranked` for each of ``people``, in their order: the same lists, computed a block at a time.

        A query costs many small array operations; answering a block of people with each
        operation over all their pairs at once makes long runs (an allocation round's
        preference lists) several times faster. ``exclude`` maps a person's id to the
        opportunities not to suggest to them.

        Examples
        --------
        >>> index = OpportunityIndex([Opportunity("o1", required_skills=["kuharica"]), Opportunity("o2")])
        >>> people = [Person("p1", skills=["kuhar"]), Person("p2")]
        >>> [[r.opportunity_id for r in rs] for rs in index.ranked_many(people, exclude={"p2": ["o1"]})]
        [['o1', 'o2'], ['o2']]
        """
        persons, top, exclude = [as_person(p) for p in people], check_top(top), exclude or {}
        # Blocks of about _BLOCK_CELLS person-opportunity cells keep the block's arrays small.
        size = max(1, _BLOCK_CELLS // max(1, len(self._records)))
        lists: list[list[Ranked]] = []
        for start in range(0, len(persons), size):
            block = persons[start : start + size]
            lists.extend(self._query(block, top, [exclude.get(p.id, ()) for p in block]))
        return lists

    def _query(self, people: list[Person], top: int, exclude: list[Collection[Hashable]]) -> list[list[Ranked]]:
        """The ranked lists of a block of people: feasible pairs, their scores, the best ``top`` of each person."""
        lists: list[list[Ranked]] = [[] for _ in people]
        if top == 0:
            return lists
        pairs = self._feasible(people, exclude)
        if pairs.cand.size == 0:
            return lists
        scores = round_score(self._scores(people, pairs))
        chosen = pairs.best(scores, top)
        ids = self._ids(pairs.cand[chosen])
        who = pairs.owners(chosen)
        distances = [None if math.isnan(d) else d for d in pairs.dist[chosen].tolist()]
        for k, i, score, d in zip(who, ids, scores[chosen].tolist(), distances, strict=True):
            lists[k].append(Ranked(people[k].id, i, score, d))
        return lists

    def explain(self, person: Person | Mapping[str, Any], item: Ranked) -> Match:
        """Explain one pair of :meth:`ranked` for ``person``: the :class:`Match` :meth:`recommend` gives.

        The opportunity is read from the index as it is now; one removed since raises ``KeyError``.
        """
        return self.explain_many(person, [item])[0]

    def explain_many(self, person: Person | Mapping[str, Any], items: Sequence[Ranked]) -> list[Match]:
        """Explain several pairs of :meth:`ranked` for ``person`` at once (sharing the text similarities)."""
        return self._explain_ranked(as_person(person), items)

    def _pair(self, query: Person, item: Ranked) -> tuple[Person, Opportunity]:
        if item.person_id != query.id:
            raise ValueError(f"the ranked pair is for person {item.person_id!r}, not {query.id!r}")
        return query, self._record(item.opportunity_id)

    def _feasible(self, people: list[Person], exclude: list[Collection[Hashable]]) -> _Pairs:
        """The pairs of ``people`` and opportunities that pass the hard constraints, with their distances.

        Reach is cut first for the whole block with one product of unit vectors; the other
        constraints then filter the pairs left, as a single query filters its candidates.
        """
        c = self._cols
        here = np.array([_NOWHERE if p.location is None else unit_vectors(*p.location) for p in people])
        pairs = _Pairs.of(self._reachable(people, here, exclude))
        if any(p.available_from for p in people):
            start = [p.available_from.toordinal() if p.available_from else _FAR_PAST for p in people]
            pairs.keep(c["day_to"][pairs.cand] >= pairs.each(np.array(start)))
        if any(p.available_until for p in people):
            until = [p.available_until.toordinal() if p.available_until else _FAR_FUTURE for p in people]
            pairs.keep(c["day_from"][pairs.cand] <= pairs.each(np.array(until)))
        if len(self._langs):  # some opportunity requires a language
            spoken = _rows(self._langs.words_of, [p.languages for p in people])
            pairs.keep(within(c["lang"][:, pairs.cand], pairs.columns(spoken)))
        needs = [p.support_needs for p in people]
        if any(needs):
            # Support nobody offers cannot be met anywhere; no needs are met everywhere.
            known = np.array([self._support.knows(x) for x in needs])
            pairs.keep(pairs.each(known))
            wanted = _rows(self._support.words_of, needs)
            pairs.keep(covers(c["offer"][:, pairs.cand], pairs.columns(wanted)))
        pairs.dist = self._distances(pairs, here, [p.travel_radius_km for p in people])
        return pairs

    def _reachable(self, people: list[Person], here: np.ndarray, exclude: list[Collection[Hashable]]) -> np.ndarray:
        """Open opportunities (people x slots) roughly within each person's radius, less their exclusions.

        The cut compares dot products of unit vectors with some slack; distances decide later.
        """
        n, c = len(self._records), self._cols
        radius_of = {k: p.travel_radius_km for k, p in enumerate(people) if p.location is not None}
        radius = [r for r in radius_of.values() if r is not None]
        reach = [k for k, r in radius_of.items() if r is not None]
        if reach:
            cos_min = [math.cos(min(r / EARTH_RADIUS_KM, math.pi)) - _COS_SLACK for r in radius]
            near = here[reach] @ c["xyz"][:, :n] >= np.array(cos_min)[:, np.newaxis]
        if reach and len(reach) == len(people):
            ok: np.ndarray = c["ok"][:n] & near  # one pass, as the usual single query
        else:
            ok = np.repeat(c["ok"][np.newaxis, :n], len(people), axis=0)
            if reach:
                ok[reach] &= near
            for k, p in enumerate(people):
                if p.travel_radius_km is not None and p.location is None:
                    ok[k] = False  # a radius without a home: nowhere can be shown to be in reach
        for k, ids in enumerate(exclude):
            skip = [self._slots[i] for i in ids if i in self._slots]
            if skip:
                ok[k, skip] = False
        return ok

    def _distances(self, pairs: _Pairs, here: np.ndarray, radius: list[float | None]) -> np.ndarray:
        """Great-circle distances of the pairs (NaN without a location); pairs beyond a radius are dropped."""
        there, home = self._cols["xyz"][:, pairs.cand], pairs.columns(here)
        dist = chord_km(home[0], home[1], home[2], there[0], there[1], there[2])
        limit = pairs.each(np.array([np.inf if r is None else r for r in radius], dtype=np.float64))
        if np.ndim(limit) == 0 and np.isinf(limit):
            return dist
        # A person without a radius keeps every pair, one whose place has no location too.
        keep = np.isinf(limit) | (dist <= limit)
        pairs.keep(keep)
        kept: np.ndarray = dist[keep]
        return kept

    def _scores(self, people: list[Person], pairs: _Pairs) -> np.ndarray:
        """The unrounded total score of each pair: the arithmetic of the pair scorer, on whole arrays."""
        s, c, cand, m = self.scoring, self._cols, pairs.cand, pairs.cand.size
        skill = np.zeros(m)
        if any(p.skills for p in people) and len(self._skills):
            # per person, the best of their skills for each table skill, and 0 for the -1 padding
            credit = self._skills.best([p.skills for p in people], s)
            # Only pairs whose place lists a skill that earns something can score; the rest stay at 0.
            required, optional, hot = c["req"][:, cand], c["opt"][:, cand], credit > 0
            some = fold_rows(np.logical_or, pairs.look(hot, required), m, bool)
            some |= fold_rows(np.logical_or, pairs.look(hot, optional), m, bool)
            some = np.flatnonzero(some)
            n_req, n_opt, part = c["n_req"][cand[some]], c["n_opt"][cand[some]], pairs.subset(some)
            req = _ratio(fold_rows(np.add, part.look(credit, required[:, some]), some.size), n_req)
            opt = _ratio(fold_rows(np.add, part.look(credit, optional[:, some]), some.size), n_opt)
            both = s.required_share * req + (1.0 - s.required_share) * opt
            skill[some] = np.where((n_req > 0) & (n_opt > 0), both, np.where(n_req > 0, req, opt))
        interest = np.zeros(m)
        if any(p.interests for p in people):
            liked = _rows(self._sectors.lookup, [p.interests for p in people])
            hits = fold_rows(np.add, pairs.look(liked, c["sec"][:, cand]), m)
            interest = _ratio(hits, c["n_sec"][cand])
        # Without a location every distance is NaN, which scores 0.
        scale = np.array([p.travel_radius_km or s.distance_scale_km for p in people])
        distance = np.where(np.isnan(pairs.dist), 0.0, np.maximum(0.0, 1.0 - pairs.dist / pairs.each(scale)))
        hours = np.zeros(m)
        own = np.array([np.nan if p.hours is None else p.hours for p in people], dtype=np.float64)
        if not np.isnan(own).all():
            own_hours = pairs.each(own)
            fit = _hours_fit(np.broadcast_to(own_hours, m), c["hours"][cand])
            hours = np.where(np.isnan(own_hours), 0.0, fit)
        support = np.zeros(m)
        wanted = [p.support_needs | p.support_preferences for p in people]
        if any(wanted):
            masks = _rows(self._support.words_of, wanted)
            counts = np.bitwise_count(c["offer"][:, cand] & pairs.columns(masks)).sum(axis=0)
            support = _ratio(counts, pairs.each(np.array([len(x) for x in wanted])))
        w = s.weights
        return w.skill * skill + w.interest * interest + w.distance * distance + w.hours * hours + w.support * support


class _Pairs:
    """Person-opportunity pairs of a block query: the person's row in the block and the opportunity's slot.

    A block of one person has no ``who`` (all pairs are the person's) and keeps per-person
    values as scalars, so a single query costs what it did before blocks.
    """

    def __init__(self, who: np.ndarray | None, cand: np.ndarray, size: int) -> None:
        self.who, self.cand, self.size = who, cand, size
        self.dist = np.empty(0)

    @classmethod
    def of(cls, ok: np.ndarray) -> _Pairs:
        """The pairs where ``ok`` (people x slots) is true, person by person, in slot order."""
        if ok.shape[0] == 1:
            return cls(None, np.flatnonzero(ok[0]), 1)
        who, cand = np.nonzero(ok)
        return cls(who, cand, ok.shape[0])

    def keep(self, mask: np.ndarray) -> None:
        """Keep the pairs where ``mask`` is true (a scalar keeps or drops them all)."""
        if np.ndim(mask) == 0:
            mask = np.full(self.cand.size, bool(mask))
        self.cand = self.cand[mask]
        if self.who is not None:
            self.who = self.who[mask]

    def subset(self, positions: np.ndarray) -> _Pairs:
        """The pairs at ``positions``."""
        return _Pairs(None if self.who is None else self.who[positions], self.cand[positions], self.size)

    def each(self, values: np.ndarray) -> np.ndarray:
        """Per-person ``values`` (one per row of the block, first axis) for each pair."""
        per_pair: np.ndarray = values[0] if self.who is None else values[self.who]
        return per_pair

    def columns(self, values: np.ndarray) -> np.ndarray:
        """Per-person vectors (rows of ``values``) as one column per pair, or one column for a block of one."""
        per_pair: np.ndarray = values[0][:, np.newaxis] if self.who is None else values[self.who].T
        return per_pair

    def look(self, table: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """``table[person, columns]`` for each pair: ``columns`` has one column per pair."""
        looked_up: np.ndarray = table[0][columns] if self.who is None else table[self.who, columns]
        return looked_up

    def owners(self, positions: np.ndarray) -> list[int]:
        """The person (row of the block) of the pairs at ``positions``."""
        return [0] * positions.size if self.who is None else self.who[positions].tolist()

    def best(self, scores: np.ndarray, top: int) -> np.ndarray:
        """Positions of each person's ``top`` best pairs, person by person, best first (ties: by slot)."""
        if self.who is None:
            return _top(scores, top)
        # Rounded scores are whole billionths: as integers, one stable sort of (person, -score)
        # orders each person's pairs best first, equal scores in slot order (as _top does).
        points = np.rint(scores * _SCALE).astype(np.int64)
        order = np.argsort(self.who.astype(np.int64) * 2**32 + (2**31 - points), kind="stable")
        who = self.who[order]
        rank = np.arange(who.size) - np.searchsorted(who, who)
        return order[rank < top]


class PersonIndex(_Index[Person, Opportunity]):
    """People prepared for fast candidate recommendations; see :func:`matching.recommend_candidates`.

    Index only people whose consent allows them to be shown to the side that asks (or keep
    one index per audience). Equal scores keep index order, as in :class:`OpportunityIndex`.

    Parameters
    ----------
    people : iterable of Person or mapping
        The people; ids must be distinct. Keys outside :class:`~matching.records.Person` are ignored.
    scoring : Scoring, optional
        Weights and text model (the defaults if omitted).

    Examples
    --------
    >>> index = PersonIndex([
    ...     Person("a", skills=["zidar"], languages=["hr"], location=(46.38, 16.43), travel_radius_km=20),
    ...     Person("b", skills=["kuhar"], languages=["hr"], location=(46.30, 16.33)),
    ... ])
    >>> place = Opportunity("o1", required_skills=["zidarstvo"], languages=["hr"], location=(46.31, 16.34))
    >>> [m.person_id for m in index.recommend(place)]
    ['a', 'b']
    >>> index.remove("a")
    >>> [m.person_id for m in index.recommend(place)]
    ['b']
    """

    _kind = "person"
    _spec = {
        **_PLACE_SPEC,
        "radius": (np.float64, np.inf, None),
        "anywhere": (bool, False, None),
        "cos_min": (np.float64, np.inf, None),
        "need": (np.uint64, 0, 1),
        "want": (np.uint64, 0, 1),
        "n_want": (np.int32, 0, None),
        "skills": (np.int32, -1, 0),
        "n_skills": (np.int32, 0, None),
        "interests": (np.int32, -1, 0),
        "n_interests": (np.int32, 0, None),
    }

    def _coerce(self, record: Person | Mapping[str, Any]) -> Person:
        return as_person(record)

    def _write(self, slots: np.ndarray, records: list[Person]) -> None:
        c = self._cols
        c["ok"][slots] = True
        located = self._write_places(slots, [r.location for r in records])
        self._write_period(slots, [r.available_from for r in records], [r.available_until for r in records])
        radius = np.array([np.inf if r.travel_radius_km is None else r.travel_radius_km for r in records])
        cos_min = np.cos(np.minimum(radius / EARTH_RADIUS_KM, math.pi)) - _COS_SLACK
        # No radius: everywhere is in reach. A radius without a home: nowhere can be shown to be
        # (its unit vector is NaN, so the dot-product cut already fails).
        c["radius"][slots], c["anywhere"][slots] = radius, np.isinf(radius)
        c["cos_min"][slots] = np.where(located, cos_min, np.inf)
        c["hours"][slots] = [np.nan if r.hours is None else r.hours for r in records]
        c.set_bits("lang", slots, [self._langs.mask(r.languages, add=True) for r in records], self._langs.words)
        need = [self._support.mask(r.support_needs, add=True) for r in records]
        want = [self._support.mask(r.support_needs | r.support_preferences, add=True) for r in records]
        c.set_bits("need", slots, need, self._support.words)
        c.set_bits("want", slots, want, self._support.words)
        c["n_want"][slots] = [len(r.support_needs | r.support_preferences) for r in records]
        c.set_padded("skills", slots, [self._skills.ids(r.skills) for r in records])
        c.set_padded("interests", slots, [self._sectors.add(r.interests) for r in records])

    def recommend(self, opportunity: Opportunity | Mapping[str, Any], *, top: int = 10) -> list[Match]:
        """The best ``top`` people for ``opportunity``, best first, each explained.

        The same result as :func:`matching.recommend_candidates` over the indexed people, and
        as :meth:`explain_many` of :meth:`ranked`.
        """
        place = as_opportunity(opportunity)
        return self.explain_many(place, self.ranked(place, top=top))

    def ranked(self, opportunity: Opportunity | Mapping[str, Any], *, top: int = 10) -> list[Ranked]:
        """The pairs :meth:`recommend` would return, in its order and with its scores, unexplained.

        Examples
        --------
        >>> index = PersonIndex([Person("a", skills=["zidar"]), Person("b")])
        >>> place = Opportunity("o1", required_skills=["zidarstvo"])
        >>> [(r.person_id, r.score) for r in index.ranked(place)]
        [('a', 0.38043922), ('b', 0.0)]
        >>> index.explain(place, index.ranked(place)[0]) == index.recommend(place)[0]
        True
        """
        place, top = as_opportunity(opportunity), check_top(top)
        cand, dist = self._feasible(place)
        if cand.size == 0 or top == 0:
            return []
        scores = round_score(self._scores(place, cand, dist))
        chosen = _top(scores, top)
        ids = self._ids(cand[chosen])
        return [
            Ranked(i, place.id, score, _km(d))
            for i, score, d in zip(ids, scores[chosen].tolist(), dist[chosen].tolist(), strict=True)
        ]

    def explain(self, opportunity: Opportunity | Mapping[str, Any], item: Ranked) -> Match:
        """Explain one pair of :meth:`ranked` for ``opportunity``: the :class:`Match` :meth:`recommend` gives.

        The person is read from the index as they are now; one removed since raises ``KeyError``.
        """
        return self.explain_many(opportunity, [item])[0]

    def explain_many(self, opportunity: Opportunity | Mapping[str, Any], items: Sequence[Ranked]) -> list[Match]:
        """Explain several pairs of :meth:`ranked` for ``opportunity`` at once (sharing the text similarities)."""
        return self._explain_ranked(as_opportunity(opportunity), items)

    def _pair(self, query: Opportunity, item: Ranked) -> tuple[Person, Opportunity]:
        if item.opportunity_id != query.id:
            raise ValueError(f"the ranked pair is for opportunity {item.opportunity_id!r}, not {query.id!r}")
        return self._record(item.person_id), query

    def _feasible(self, o: Opportunity) -> tuple[np.ndarray, np.ndarray]:
        n, c = len(self._records), self._cols
        if not o.is_open or o.places_left <= 0 or not self._langs.knows(o.languages):
            return _EMPTY, np.empty(0)
        if o.location is None:
            cand = np.flatnonzero(c["ok"][:n] & np.isinf(c["radius"][:n]))
        else:
            near = unit_vectors(*o.location) @ c["xyz"][:, :n] >= c["cos_min"][:n]
            cand = np.flatnonzero(c["ok"][:n] & (near | c["anywhere"][:n]))
        if o.end is not None:
            cand = cand[c["day_from"][cand] <= o.end.toordinal()]
        if o.start is not None:
            cand = cand[c["day_to"][cand] >= o.start.toordinal()]
        if o.languages:
            cand = cand[covers(c["lang"][:, cand], self._langs.words_of(o.languages))]
        if len(self._support):  # someone needs some support
            cand = cand[within(c["need"][:, cand], self._support.words_of(o.support_offered))]
        if o.location is None:
            return cand, np.full(cand.size, np.nan)
        here, there = c["xyz"][:, cand], unit_vectors(*o.location)
        dist = chord_km(here[0], here[1], here[2], there[0], there[1], there[2])
        radius = c["radius"][cand]
        keep = np.isinf(radius) | (dist <= radius)
        return cand[keep], dist[keep]

    def _scores(self, o: Opportunity, cand: np.ndarray, dist: np.ndarray) -> np.ndarray:
        s, c, m = self.scoring, self._cols, cand.size
        skill = interest = distance = hours = support = np.zeros(m)
        wanted = (*o.required_skills, *o.optional_skills)
        if wanted and len(self._skills) and c["skills"].shape[0]:
            credit = np.vstack([self._skills.credits(wanted, s), np.zeros((1, len(wanted)))])  # row -1: padding
            # Only people holding a skill that earns something can score; the rest stay at 0.
            hot = fold_rows(np.logical_or, (credit > 0).T, credit.shape[0], bool)
            own = c["skills"][:, cand]
            some = np.flatnonzero(fold_rows(np.logical_or, hot[own], m, bool))
            own = own[:, some]
            best = [fold_rows(np.maximum, credit[:, j][own], some.size) for j in range(len(wanted))]
            n_req = len(o.required_skills)
            req, opt = sum(best[:n_req]) / max(n_req, 1), sum(best[n_req:]) / max(len(best) - n_req, 1)
            if o.required_skills and o.optional_skills:
                value = s.required_share * req + (1.0 - s.required_share) * opt
            else:
                value = req if o.required_skills else opt
            skill = np.zeros(m)
            skill[some] = value
        if o.sectors:
            hits = fold_rows(np.add, self._sectors.lookup(o.sectors)[c["interests"][:, cand]], m)
            interest = np.where(c["n_interests"][cand] > 0, hits / len(o.sectors), 0.0)
        if o.location is not None:
            radius = c["radius"][cand]
            scale = np.where(np.isfinite(radius) & (radius > 0), radius, s.distance_scale_km)
            distance = np.where(np.isnan(dist), 0.0, np.maximum(0.0, 1.0 - dist / scale))
        if o.hours is not None:
            own_hours = c["hours"][cand]
            hours = np.where(np.isnan(own_hours), 0.0, _hours_fit(np.nan_to_num(own_hours), np.full(m, o.hours)))
        n_want = c["n_want"][cand]
        support = _ratio(common(c["want"][:, cand], self._support.words_of(o.support_offered)), n_want)
        w = s.weights
        return w.skill * skill + w.interest * interest + w.distance * distance + w.hours * hours + w.support * support
