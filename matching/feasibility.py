"""Who has any feasible open place at all under the hard constraints, and why not: at a country's scale.

For each person the question is whether *some* opportunity passes every check of
:func:`matching.constraints.violations`. People with the same languages and support needs
accept the same kinds of place, so the opportunities are grouped by what they require and
offer, and for each group of alike people one k-d tree over the unit vectors of the places
they accept answers "the nearest acceptable place" for all of them at once; that place, if
within reach, is confirmed with :func:`matching.constraints.is_feasible` itself, so a
person is called served only when the engine's own check says so. When the nearest place
fails on dates (or a rounding error at the edge of the radius), the nearest few are checked
next, and every place within reach only when none of those fits. Nothing ever builds a
people x places matrix.

For people without a feasible place the reasons are worked out the same way, one constraint
at a time among the open places within their reach (see :data:`REASONS`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import KDTree

from matching.constraints import is_feasible
from matching.geo import EARTH_RADIUS_KM, haversine_km, unit_vectors
from matching.records import Opportunity, Person, as_opportunity, as_person

__all__ = ["REASONS", "Feasibility", "feasibility"]

REASONS: tuple[str, ...] = ("no_location", "out_of_reach", "dates", "languages", "support", "combination")
"""Why a person has no feasible place, the first that applies deciding whether the others are looked at.

- ``no_location``: the person has a travel radius but no recorded location, so nothing is in reach;
- ``out_of_reach``: no open place with places left lies within their travel radius;
- otherwise, among the open places with places left within reach, each of these that holds:
  ``dates`` (none runs while they are available), ``languages`` (every one requires a language
  they do not speak), ``support:<kind>`` (none offers that kind of support they need, one code
  per missing kind);
- ``combination``: each of those is met by some place within reach, but no one place meets them all.
"""

_FAR_PAST = np.iinfo(np.int64).min // 2
_FAR_FUTURE = np.iinfo(np.int64).max // 2
# The tree search is widened by these (relative, absolute) slacks so that rounding never hides a
# place just within reach; the final word is the exact check.
_SLACK = (1e-9, 1e-12)
# Unlimited-reach people checked against a group's dates at once (bounds the broadcast).
_DATE_BLOCK = 1 << 20
# When a person's nearest place is on the wrong dates, this many nearest are checked next, and only
# then every place within reach, for this many people at once (a few thousand places each in a city).
_NEAREST_FEW = 16
_RETRY_BLOCK = 512


@dataclass(frozen=True)
class Feasibility:
    """Whether each person has a feasible place, and the reason codes (see :data:`REASONS`) when not.

    Attributes
    ----------
    ids : list
        The people's ids, in the order given.
    feasible : numpy.ndarray of bool
        One entry per person.
    reasons : list of tuple of str
        One entry per person; empty for those with a feasible place.
    """

    ids: list[Hashable]
    feasible: np.ndarray
    reasons: list[tuple[str, ...]]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def unserved(self) -> int:
        """How many people have no feasible place."""
        return int(len(self.ids) - self.feasible.sum())

    def counts(self) -> dict[str, int]:
        """People without a feasible place per reason code (a person may count under several)."""
        counted: dict[str, int] = {}
        for reasons in self.reasons:
            for code in reasons:
                counted[code] = counted.get(code, 0) + 1
        return dict(sorted(counted.items()))


def _days(values: Iterable[Any], missing: int) -> np.ndarray:
    return np.fromiter((missing if d is None else d.toordinal() for d in values), dtype=np.int64)


def _chord(radius_km: np.ndarray) -> np.ndarray:
    """The chord on the unit sphere of each radius, widened by `_SLACK` (half the circumference or more: 2)."""
    angle = np.minimum(np.asarray(radius_km, dtype=float) / EARTH_RADIUS_KM, np.pi)
    relative, absolute = _SLACK
    return 2 * np.sin(angle / 2) * (1 + relative) + absolute


class _People:
    """The people's places, reaches and periods as columns."""

    def __init__(self, people: Sequence[Person]) -> None:
        self.records = people
        located = [p.location is not None for p in people]
        self.located = np.array(located, dtype=bool)
        self.lat = np.array([p.location[0] if p.location else np.nan for p in people], dtype=float)
        self.lon = np.array([p.location[1] if p.location else np.nan for p in people], dtype=float)
        self.xyz = unit_vectors(np.nan_to_num(self.lat), np.nan_to_num(self.lon)).reshape(-1, 3)
        self.limited = np.array([p.travel_radius_km is not None for p in people], dtype=bool)
        self.radius = np.array([np.inf if r is None else r for r in (p.travel_radius_km for p in people)], dtype=float)
        self.day_from = _days((p.available_from for p in people), _FAR_PAST)
        self.day_to = _days((p.available_until for p in people), _FAR_FUTURE)


class _Places:
    """Open opportunities with places left, as columns, grouped by (languages required, support offered)."""

    def __init__(self, opportunities: Sequence[Opportunity]) -> None:
        self.records = [o for o in opportunities if o.is_open and o.places_left > 0]
        records = self.records
        self.located = np.array([o.location is not None for o in records], dtype=bool)
        self.lat = np.array([o.location[0] if o.location else np.nan for o in records], dtype=float)
        self.lon = np.array([o.location[1] if o.location else np.nan for o in records], dtype=float)
        self.xyz = unit_vectors(np.nan_to_num(self.lat), np.nan_to_num(self.lon)).reshape(-1, 3)
        self.day_from = _days((o.start for o in records), _FAR_PAST)
        self.day_to = _days((o.end for o in records), _FAR_FUTURE)
        kinds: dict[tuple[frozenset[str], frozenset[str]], list[int]] = {}
        for number, o in enumerate(records):
            kinds.setdefault((o.languages, o.support_offered), []).append(number)
        self.kinds = {key: np.array(members, dtype=np.intp) for key, members in kinds.items()}
        self._groups: dict[frozenset[tuple[frozenset[str], frozenset[str]]], _Group] = {}

    def group(self, keys: Iterable[tuple[frozenset[str], frozenset[str]]]) -> _Group:
        """The places of these kinds, with their tree (built once per distinct set of kinds)."""
        chosen = frozenset(keys)
        found = self._groups.get(chosen)
        if found is None:
            members = [self.kinds[key] for key in chosen]
            indices = np.sort(np.concatenate(members)) if members else np.empty(0, dtype=np.intp)
            found = self._groups[chosen] = _Group(self, indices)
        return found


class _Group:
    """Some of the places: a k-d tree over those with a location, and the rest (reached only without a limit)."""

    def __init__(self, places: _Places, indices: np.ndarray) -> None:
        self.places = places
        self.indices = indices
        self.located = indices[places.located[indices]]
        self.tree = KDTree(places.xyz[self.located]) if len(self.located) else None

    def _dates_fit(self, people: _People, who: np.ndarray, where: np.ndarray) -> np.ndarray:
        """The date rule of :func:`matching.constraints.violations`, pairwise."""
        p = self.places
        fits: np.ndarray = (p.day_to[where] >= people.day_from[who]) & (p.day_from[where] <= people.day_to[who])
        return fits

    def _within(self, people: _People, who: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Within each person's radius (pairwise), by the engine's distance, with the rounding slack."""
        p = self.places
        distance = haversine_km(people.lat[who], people.lon[who], p.lat[where], p.lon[where])
        relative, absolute = _SLACK
        within: np.ndarray = distance <= people.radius[who] * (1 + relative) + absolute
        return within

    def reach(self, people: _People, who: np.ndarray, *, dates: bool) -> np.ndarray:
        """For each person in ``who``: a place of this group within reach (and on dates, if asked), or -1.

        A place is returned only when it passes the vectorised checks; callers that need the
        engine's exact verdict confirm it (see :func:`feasibility`).
        """
        found = np.full(len(who), -1, dtype=np.intp)
        if not len(self.indices) or not len(who):
            return found
        free = ~people.limited[who]
        if free.any():
            found[free] = self._any_without_limit(people, who[free], dates)
        limited = np.flatnonzero(people.limited[who] & people.located[who])
        if self.tree is None or not len(limited):
            return found
        person = who[limited]
        # The tree takes one search bound per query: people are asked in groups of one travel radius.
        hit = np.zeros(len(person), dtype=bool)
        nearest = np.zeros(len(person), dtype=np.intp)
        radii, inverse = np.unique(people.radius[person], return_inverse=True)
        for r, radius in enumerate(radii):
            alike = np.flatnonzero(inverse == r)
            found_near = self.tree.query(people.xyz[person[alike]], k=1, distance_upper_bound=float(_chord(radius)))
            # Many people in, so arrays out (the stubs also allow the scalars of a single point).
            chord, near = np.asarray(found_near[0]), np.asarray(found_near[1])
            hit[alike] = np.isfinite(chord)
            nearest[alike[hit[alike]]] = near[hit[alike]]
        place = np.full(len(person), -1, dtype=np.intp)
        place[hit] = self.located[nearest[hit]]
        ok = hit.copy()
        ok[hit] = self._within(people, person[hit], place[hit])
        if dates:
            ok[hit] &= self._dates_fit(people, person[hit], place[hit])
        found[limited[ok]] = place[ok]
        # The nearest place may be on the wrong dates while another within reach is not.
        retry = np.flatnonzero(hit & ~ok)
        if len(retry):
            found[limited[retry]] = self._any_within(people, person[retry], dates)
        return found

    def _any_within(self, people: _People, who: np.ndarray, dates: bool) -> np.ndarray:
        """For each of these located people with a travel limit: a place of this group within reach (and on
        dates, if asked), or -1. Their nearest few first, all at once; every place within reach only for
        those who have more than those few within reach and none of them fits (at a country's scale
        checking every place within reach, thousands each, was most of the time)."""
        assert self.tree is not None
        found = np.full(len(who), -1, dtype=np.intp)
        few = min(_NEAREST_FEW, len(self.located))
        crowded = np.zeros(len(who), dtype=bool)
        radii, inverse = np.unique(people.radius[who], return_inverse=True)
        for r, radius in enumerate(radii):
            alike = np.flatnonzero(inverse == r)
            nearest = self.tree.query(people.xyz[who[alike]], k=few, distance_upper_bound=float(_chord(radius)))
            chord = np.asarray(nearest[0]).reshape(len(alike), few)
            near = np.asarray(nearest[1]).reshape(len(alike), few)
            valid = np.isfinite(chord)
            rows, cols = np.nonzero(valid)
            found[alike] = self._first_fitting(people, who[alike], rows, self.located[near[rows, cols]], dates)
            crowded[alike] = valid.all(axis=1)
        rest = np.flatnonzero(crowded & (found < 0))
        for start in range(0, len(rest), _RETRY_BLOCK):
            block = rest[start : start + _RETRY_BLOCK]
            balls = self.tree.query_ball_point(people.xyz[who[block]], _chord(people.radius[who[block]]))
            lengths = np.fromiter((len(ball) for ball in balls), dtype=np.intp, count=len(block))
            if lengths.sum():
                rows = np.repeat(np.arange(len(block)), lengths)
                candidates = self.located[np.concatenate(balls).astype(np.intp)]
                found[block] = self._first_fitting(people, who[block], rows, candidates, dates)
        return found

    def _first_fitting(
        self, people: _People, who: np.ndarray, rows: np.ndarray, candidates: np.ndarray, dates: bool
    ) -> np.ndarray:
        """For each person in ``who``, the first of their ``candidates`` (those at ``rows == k`` for the k-th
        person) within reach and on dates if asked, or -1."""
        chosen = np.full(len(who), -1, dtype=np.intp)
        good = self._within(people, who[rows], candidates)
        if dates:
            good &= self._dates_fit(people, who[rows], candidates)
        # Any fitting candidate will do: the verdict is confirmed against every place within reach.
        served, first = np.unique(rows[good], return_index=True)
        chosen[served] = candidates[np.flatnonzero(good)[first]]
        return chosen

    def _any_without_limit(self, people: _People, who: np.ndarray, dates: bool) -> np.ndarray:
        """People without a travel limit reach every place of the group, located or not."""
        if not dates:
            return np.full(len(who), self.indices[0], dtype=np.intp)
        found = np.full(len(who), -1, dtype=np.intp)
        step = max(1, _DATE_BLOCK // len(self.indices))
        for start in range(0, len(who), step):
            block = who[start : start + step]
            fits = self._dates_fit(people, block[:, None], self.indices[None, :])
            first = np.argmax(fits, axis=1)
            found[start : start + step] = np.where(fits.any(axis=1), self.indices[first], -1)
        return found


def feasibility(
    people: Iterable[Person | Mapping[str, Any]], opportunities: Iterable[Opportunity | Mapping[str, Any]]
) -> Feasibility:
    """For each person, whether any opportunity passes every hard constraint, and why none does.

    The verdict is the engine's: a person is served when, and only when, some opportunity
    has ``matching.constraints.is_feasible(person, opportunity)``; each served person's place is
    confirmed with that very function. Reason codes are those of :data:`REASONS`.

    About 200,000 people and 100,000 places take seconds and memory in proportion to their
    sum (``bench/plan.py``).

    Examples
    --------
    >>> people = [Person("ana", location=(46.42, 15.87), travel_radius_km=10, support_needs=["transport"]),
    ...           Person("ivo", location=(46.42, 15.87), travel_radius_km=10),
    ...           Person("eva", location=(45.81, 15.98), travel_radius_km=10)]
    >>> places = [Opportunity("bakery", location=(46.43, 15.87), support_offered=["mentor"])]
    >>> result = feasibility(people, places)
    >>> result.feasible.tolist(), result.reasons
    ([False, True, False], [('support:transport',), (), ('out_of_reach',)])
    """
    persons = [as_person(p) for p in people]
    places = _Places([as_opportunity(o) for o in opportunities])
    columns = _People(persons)
    feasible = np.zeros(len(persons), dtype=bool)
    reasons: list[tuple[str, ...]] = [()] * len(persons)
    profiles: dict[tuple[frozenset[str], frozenset[str]], list[int]] = {}
    for number, person in enumerate(persons):
        profiles.setdefault((person.languages, person.support_needs), []).append(number)
    for (languages, needs), members in profiles.items():
        who = np.array(members, dtype=np.intp)
        accepted = [key for key in places.kinds if key[0] <= languages and needs <= key[1]]
        group = places.group(accepted)
        found = group.reach(columns, who, dates=True)
        for k in np.flatnonzero(found >= 0):
            feasible[who[k]] = _confirm(persons[who[k]], places, group, columns, who[k], int(found[k]))
        unserved = who[~feasible[who]]
        if len(unserved):
            for one, why in zip(unserved.tolist(), _diagnose(places, columns, unserved, languages, needs), strict=True):
                reasons[one] = why
    return Feasibility([p.id for p in persons], feasible, reasons)


def _confirm(person: Person, places: _Places, group: _Group, people: _People, who: int, place: int) -> bool:
    """The engine's verdict on the place found; if it disagrees (rounding at the edge), on every candidate."""
    if is_feasible(person, places.records[place]):
        return True
    if not people.limited[who]:
        candidates = group.indices
    elif group.tree is None:
        return False
    else:
        near = group.tree.query_ball_point(people.xyz[who], _chord(people.radius[who]))
        candidates = group.located[np.asarray(near, dtype=np.intp)]
    return any(is_feasible(person, places.records[c]) for c in candidates.tolist())


def _diagnose(
    places: _Places, people: _People, who: np.ndarray, languages: frozenset[str], needs: frozenset[str]
) -> list[tuple[str, ...]]:
    """The reason codes of people (alike in languages and needs) who have no feasible place."""
    result: list[list[str]] = [[] for _ in range(len(who))]
    nowhere = people.limited[who] & ~people.located[who]
    for k in np.flatnonzero(nowhere):
        result[k].append("no_location")
    everything = places.group(places.kinds)
    in_reach = everything.reach(people, who, dates=False) >= 0
    for k in np.flatnonzero(~in_reach & ~nowhere):
        result[k].append("out_of_reach")
    checks: list[tuple[str, _Group, bool]] = [("dates", everything, True)]
    checks.append(("languages", places.group(key for key in places.kinds if key[0] <= languages), False))
    for need in sorted(needs):
        checks.append((f"support:{need}", places.group(key for key in places.kinds if need in key[1]), False))
    rest = np.flatnonzero(in_reach)
    for code, group, dates in checks:
        met = group.reach(people, who[rest], dates=dates) >= 0
        for k in rest[~met]:
            result[k].append(code)
    for k in rest:
        if not result[k]:
            result[k].append("combination")
    return [tuple(codes) for codes in result]
