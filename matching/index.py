"""Fast top-k recommendations over many opportunities or people: precomputed columns, updated in place.

Each index keeps one row per record in numpy columns (unit vectors for distance, day numbers
for dates, bitsets for languages and support, padded id lists for skills and sectors) and a
table of distinct skills with their TF-IDF vectors. A query filters by the hard constraints
on whole columns, scores only what is left, and explains only the top ``k`` with the same
pair scorer as :mod:`matching.recommend`, so both give the same ranking.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import numpy as np

from matching.columns import Columns, SkillTable, Terms, common, covers, fold_rows, within
from matching.explain import Match, explain_pair
from matching.geo import EARTH_RADIUS_KM, chord_km, unit_vectors
from matching.recommend import check_top
from matching.records import Opportunity, Person, as_opportunity, as_person
from matching.scoring import Scoring, round_score

__all__ = ["OpportunityIndex", "PersonIndex"]

_FAR_PAST = np.iinfo(np.int64).min // 2
_FAR_FUTURE = np.iinfo(np.int64).max // 2
# The dot-product cut only pre-selects; the exact great-circle distance decides. The slack keeps rounding
# in the dot product from dropping a place that is just within reach.
_COS_SLACK = 1e-9
_EMPTY = np.empty(0, dtype=np.intp)

R = TypeVar("R", Opportunity, Person)


def _top(keys: np.ndarray, top: int) -> np.ndarray:
    """Positions of the ``top`` largest keys, best first; equal keys keep their order of position."""
    if top < keys.size:
        kth = np.partition(keys, keys.size - top)[keys.size - top]
        above = np.flatnonzero(keys > kth)
        chosen = np.concatenate([above, np.flatnonzero(keys == kth)[: top - above.size]])
    else:
        chosen = np.arange(keys.size)
    return chosen[np.lexsort((chosen, -keys[chosen]))]


def _hours_fit(person: np.ndarray, place: np.ndarray) -> np.ndarray:
    """:func:`matching.scoring.hours_fit` on arrays; a place without known hours (NaN) scores 0."""
    share = _ratio(np.minimum(person, place), np.maximum(person, place))
    return np.where(np.isnan(place), 0.0, np.where(place == 0, 1.0, share))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is positive, else 0."""
    with np.errstate(over="ignore"):  # a tiny denominator gives inf, which the hours score caps at 1
        return np.divide(numerator, denominator, out=np.zeros(len(numerator)), where=denominator > 0)


class _Index(ABC, Generic[R]):
    """Slots, records and columns shared by both directions; subclasses write rows and answer queries.

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

    def _upsert_many(self, records: list[R | Mapping[str, Any]]) -> None:
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

    def _explain(self, pairs: list[tuple[Person, Opportunity, float]]) -> list[Match]:
        """Explain the chosen pairs with the reference pair scorer, sharing one similarity table."""
        table = self.scoring.text.table(
            (t for _, o, _ in pairs for s in (*o.required_skills, *o.optional_skills) for t in s.texts),
            (t for p, _, _ in pairs for s in p.skills for t in s.texts),
        )
        return [
            explain_pair(p, o, self.scoring, distance=None if math.isnan(d) else float(d), similarity=table)
            for p, o, d in pairs
        ]


_PLACE_SPEC: dict[str, tuple[Any, Any, int | None]] = {
    "ok": (bool, False, None),
    "xyz": (np.float64, np.nan, 3),
    "day_from": (np.int64, _FAR_PAST, None),
    "day_to": (np.int64, _FAR_FUTURE, None),
    "lang": (np.uint64, 0, 1),
    "hours": (np.float64, np.nan, None),
}


class OpportunityIndex(_Index[Opportunity]):
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
        :func:`matching.recommend_placements` over the indexed opportunities.
        """
        person, top = as_person(person), check_top(top)
        cand, dist = self._feasible(person)
        skip = [self._slots[i] for i in exclude if i in self._slots]
        if skip:
            keep = ~np.isin(cand, skip)
            cand, dist = cand[keep], dist[keep]
        if cand.size == 0 or top == 0:
            return []
        chosen = _top(round_score(self._scores(person, cand, dist)), top)
        return self._explain([(person, self._records[cand[i]], dist[i]) for i in chosen])  # type: ignore[misc]

    def _feasible(self, p: Person) -> tuple[np.ndarray, np.ndarray]:
        n, c = len(self._records), self._cols
        radius = p.travel_radius_km
        if radius is not None:
            if p.location is None:
                return _EMPTY, np.empty(0)
            cos_min = math.cos(min(radius / EARTH_RADIUS_KM, math.pi)) - _COS_SLACK
            cand = np.flatnonzero(c["ok"][:n] & (unit_vectors(*p.location) @ c["xyz"][:, :n] >= cos_min))
        else:
            cand = np.flatnonzero(c["ok"][:n])
        if p.available_from is not None:
            cand = cand[c["day_to"][cand] >= p.available_from.toordinal()]
        if p.available_until is not None:
            cand = cand[c["day_from"][cand] <= p.available_until.toordinal()]
        if len(self._langs):  # some opportunity requires a language
            cand = cand[within(c["lang"][:, cand], self._langs.words_of(p.languages))]
        if p.support_needs:
            if not self._support.knows(p.support_needs):
                return _EMPTY, np.empty(0)
            cand = cand[covers(c["offer"][:, cand], self._support.words_of(p.support_needs))]
        if p.location is None:
            return cand, np.full(cand.size, np.nan)
        here, there = unit_vectors(*p.location), c["xyz"][:, cand]
        dist = chord_km(here[0], here[1], here[2], there[0], there[1], there[2])
        if radius is not None:
            keep = dist <= radius
            cand, dist = cand[keep], dist[keep]
        return cand, dist

    def _scores(self, p: Person, cand: np.ndarray, dist: np.ndarray) -> np.ndarray:
        s, c, m = self.scoring, self._cols, cand.size
        skill = interest = distance = hours = support = np.zeros(m)
        if p.skills and len(self._skills):
            # the best of the person's skills for each table skill, and 0 for the -1 padding
            table = self._skills.credits(p.skills, s)
            credit = np.append(fold_rows(np.maximum, table.T, table.shape[0]), 0.0)
            # Only places listing a skill that earns something can score; the rest stay at 0.
            required, optional, hot = c["req"][:, cand], c["opt"][:, cand], credit > 0
            some = fold_rows(np.logical_or, hot[required], m, bool) | fold_rows(np.logical_or, hot[optional], m, bool)
            some = np.flatnonzero(some)
            n_req, n_opt = c["n_req"][cand[some]], c["n_opt"][cand[some]]
            req = _ratio(fold_rows(np.add, credit[required[:, some]], some.size), n_req)
            opt = _ratio(fold_rows(np.add, credit[optional[:, some]], some.size), n_opt)
            both = s.required_share * req + (1.0 - s.required_share) * opt
            skill = np.zeros(m)
            skill[some] = np.where((n_req > 0) & (n_opt > 0), both, np.where(n_req > 0, req, opt))
        if p.interests:
            hits = fold_rows(np.add, self._sectors.lookup(p.interests)[c["sec"][:, cand]], m)
            interest = _ratio(hits, c["n_sec"][cand])
        if p.location is not None:
            scale = p.travel_radius_km or s.distance_scale_km
            distance = np.where(np.isnan(dist), 0.0, np.maximum(0.0, 1.0 - dist / scale))
        if p.hours is not None:
            hours = _hours_fit(np.full(m, p.hours), c["hours"][cand])
        wanted = p.support_needs | p.support_preferences
        if wanted:
            support = common(c["offer"][:, cand], self._support.words_of(wanted)) / len(wanted)
        w = s.weights
        return w.skill * skill + w.interest * interest + w.distance * distance + w.hours * hours + w.support * support


class PersonIndex(_Index[Person]):
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

        The same result as :func:`matching.recommend_candidates` over the indexed people.
        """
        place, top = as_opportunity(opportunity), check_top(top)
        cand, dist = self._feasible(place)
        if cand.size == 0 or top == 0:
            return []
        chosen = _top(round_score(self._scores(place, cand, dist)), top)
        return self._explain([(self._records[cand[i]], place, dist[i]) for i in chosen])  # type: ignore[misc]

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
