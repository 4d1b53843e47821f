"""Seeded synthetic people, opportunities and referral outcomes for the demo report, tests and benchmarks."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from matching.constraints import distance_km
from matching.records import Opportunity, Outcome, Person, Skill
from matching.scoring import COMPONENTS, Scoring, hours_fit
from matching.vocabulary import CONCEPTS, LANGUAGES, SUPPORT_KINDS, TOWNS, Concept, Town

if TYPE_CHECKING:  # imported late below: the index builds on this module's records
    from matching.index import Ranked

__all__ = [
    "HIDDEN_WEIGHTS",
    "TRUE_WEIGHTS",
    "SyntheticWorld",
    "chance_of_success",
    "simulated_referrals",
    "synthetic_groups",
    "synthetic_opportunities",
    "synthetic_outcomes",
    "synthetic_people",
    "synthetic_world",
]

_EPOCH = date(2025, 1, 1)
_JITTER_DEG = 0.08  # about 9 km around a town centre
_LOCAL = {"SI": "sl", "HR": "hr"}

HIDDEN_WEIGHTS = dict(zip(COMPONENTS, (1.5, 0.5, 1.5, 2.5, 1.5), strict=True))
"""How the synthetic world decides outcomes: unlike the default weights, hours and support matter a lot."""


class _Skills:
    """One shared :class:`Skill` per concept, language and form, so large data sets stay cheap to build."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self._concepts = concepts
        self._made: dict[tuple[int, str, bool], Skill] = {}

    def __call__(self, index: int, language: str, with_uri: bool) -> Skill:
        key = (index, language, with_uri)
        if key not in self._made:
            concept = self._concepts[index]
            label = {"sl": concept.sl, "hr": concept.hr}.get(language, concept.en)
            self._made[key] = Skill(uri=concept.uri if with_uri else None, label=label)
        return self._made[key]


def _places(n: int, towns: Sequence[Town], rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Each row's local language and (lat, lon), scattered around randomly chosen towns."""
    which = rng.integers(len(towns), size=n)
    centres = np.array([(t.lat, t.lon) for t in towns])[which]
    points = centres + rng.normal(0.0, _JITTER_DEG, size=(n, 2))
    return [_LOCAL.get(towns[i].country, "en") for i in which], points


def _subsets(items: Sequence[str], n: int, low: int, high: int, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """``n`` random subsets of ``items`` with sizes from ``low`` to ``high``."""
    order = np.argsort(rng.random((n, len(items))), axis=1)
    sizes = rng.integers(low, high + 1, size=n)
    return [tuple(items[j] for j in order[i, : sizes[i]]) for i in range(n)]


def synthetic_people(
    n: int,
    *,
    seed: int = 0,
    concepts: Sequence[Concept] = CONCEPTS,
    towns: Sequence[Town] = TOWNS,
    prefix: str = "p",
) -> list[Person]:
    """``n`` people around Slovenian and Croatian towns, with skills mostly in their own language.

    Thin profiles are part of the data: about one in six lists no skills and one in ten no
    hours or no travel radius.

    Examples
    --------
    >>> people = synthetic_people(3, seed=1)
    >>> [p.id for p in people], people == synthetic_people(3, seed=1)
    (['p0', 'p1', 'p2'], True)
    """
    rng = np.random.default_rng(seed)
    make = _Skills(concepts)
    sectors = sorted({c.sector for c in concepts})
    local, points = _places(n, towns, rng)
    counts = rng.integers(0, 6, size=n)
    picks = rng.integers(len(concepts), size=int(counts.sum()))
    in_english = rng.random(picks.size) < 0.2
    with_uri = rng.random(picks.size) < 0.5
    extra_languages = rng.random((n, len(LANGUAGES))) < 0.2
    extra_interest = rng.integers(len(sectors), size=n)
    wants_extra_interest = rng.random(n) < 0.5
    hours = rng.choice([10.0, 15.0, 20.0, 30.0, 40.0], size=n)
    hours_known = rng.random(n) >= 0.1
    radius = rng.choice([10.0, 15.0, 20.0, 30.0, 50.0], size=n)
    radius_known = rng.random(n) >= 0.1
    needs = _subsets(SUPPORT_KINDS, n, 0, 1, rng)
    has_needs = rng.random(n) < 0.4
    preferences = _subsets(SUPPORT_KINDS, n, 0, 2, rng)
    available = rng.integers(0, 200, size=n)
    has_date = rng.random(n) < 0.5
    people, start = [], 0
    for i in range(n):
        mine = range(start, start + counts[i])
        start += counts[i]
        skills = [make(int(picks[k]), "en" if in_english[k] else local[i], bool(with_uri[k])) for k in mine]
        interests = {concepts[int(picks[k])].sector for k in list(mine)[:2]}
        if wants_extra_interest[i]:
            interests.add(sectors[extra_interest[i]])
        people.append(
            Person(
                id=f"{prefix}{i}",
                skills=tuple(skills),
                interests=frozenset(interests),
                languages=frozenset({local[i], *(lang for j, lang in enumerate(LANGUAGES) if extra_languages[i, j])}),
                hours=float(hours[i]) if hours_known[i] else None,
                travel_radius_km=float(radius[i]) if radius_known[i] else None,
                location=(float(points[i, 0]), float(points[i, 1])),
                support_needs=frozenset(needs[i] if has_needs[i] else ()),
                support_preferences=frozenset(preferences[i]),
                available_from=_EPOCH + timedelta(days=int(available[i])) if has_date[i] else None,
            )
        )
    return people


def synthetic_opportunities(
    n: int,
    *,
    seed: int = 0,
    concepts: Sequence[Concept] = CONCEPTS,
    towns: Sequence[Town] = TOWNS,
    open_share: float = 0.9,
    prefix: str = "o",
) -> list[Opportunity]:
    """``n`` opportunities around the towns, most of them open, with skills mostly from their sector.

    Examples
    --------
    >>> places = synthetic_opportunities(50, seed=2, open_share=1.0)
    >>> all(o.is_open and o.places_left > 0 for o in places)
    True
    """
    rng = np.random.default_rng(seed)
    make = _Skills(concepts)
    sectors = sorted({c.sector for c in concepts})
    pools = [np.array([j for j, c in enumerate(concepts) if c.sector == s]) for s in sectors]
    local, points = _places(n, towns, rng)
    sector = rng.integers(len(sectors), size=n)
    counts = rng.integers(1, 6, size=n)
    from_sector = rng.random(int(counts.sum())) < 0.7
    anywhere = rng.integers(len(concepts), size=int(counts.sum()))
    in_pool = rng.random(int(counts.sum()))
    with_uri = rng.random(int(counts.sum())) < 0.7
    required_share = rng.random(n)
    needs_local = rng.random(n) < 0.6
    hours = rng.choice([10.0, 20.0, 30.0, 40.0], size=n)
    hours_known = rng.random(n) >= 0.1
    offered = _subsets(SUPPORT_KINDS, n, 1, 4, rng)
    start_day = rng.integers(-60, 300, size=n)
    length = rng.integers(30, 365, size=n)
    has_end = rng.random(n) < 0.7
    capacity = rng.integers(1, 11, size=n)
    is_open = rng.random(n) < open_share
    taken = np.floor(rng.random(n) * capacity).astype(int)
    out, start = [], 0
    for i in range(n):
        pool = pools[sector[i]]
        skills = []
        for k in range(start, start + counts[i]):
            j = int(pool[int(in_pool[k] * pool.size)]) if from_sector[k] else int(anywhere[k])
            skills.append(make(j, local[i], bool(with_uri[k])))
        start += counts[i]
        skills = list(dict.fromkeys(skills))
        n_required = 1 + int(required_share[i] * min(3, len(skills)))
        begins = _EPOCH + timedelta(days=int(start_day[i]))
        out.append(
            Opportunity(
                id=f"{prefix}{i}",
                required_skills=tuple(skills[:n_required]),
                optional_skills=tuple(skills[n_required:]),
                sectors=frozenset((sectors[sector[i]],)),
                languages=frozenset((local[i],) if needs_local[i] else ()),
                hours=float(hours[i]) if hours_known[i] else None,
                location=(float(points[i, 0]), float(points[i, 1])),
                support_offered=frozenset(offered[i]),
                start=begins,
                end=begins + timedelta(days=int(length[i])) if has_end[i] else None,
                capacity=int(capacity[i]),
                places_taken=int(taken[i]) if is_open[i] else int(capacity[i]),
                status="open" if is_open[i] else "closed",
            )
        )
    return out


def synthetic_groups(people: Sequence[Person], *, seed: int = 0) -> dict[Hashable, str]:
    """A made-up group label per person, kept apart from the records (as real group data must be).

    Group B is more common among people who can give few hours, so its exposure differs.

    Examples
    --------
    >>> sorted(set(synthetic_groups(synthetic_people(40, seed=3), seed=3).values()))
    ['A', 'B']
    """
    rng = np.random.default_rng(seed)
    draws = rng.random(len(people))
    return {
        str(p.id): "B" if u < (0.7 if p.hours is None or p.hours <= 15 else 0.3) else "A"
        for p, u in zip(people, draws, strict=True)
    }


def synthetic_outcomes(
    people: Sequence[Person],
    opportunities: Sequence[Opportunity],
    *,
    seed: int = 0,
    per_opportunity: int = 12,
    scoring: Scoring | None = None,
) -> list[Outcome]:
    """Referrals from each opportunity's candidate list, with outcomes drawn from :data:`HIDDEN_WEIGHTS`.

    Opportunities are taken in order of start date, so outcome times grow through the data
    and a time split holds out the latest referrals. Referred people are drawn from the top
    ``3 * per_opportunity`` candidates, as a counsellor would pick from a list.

    Examples
    --------
    >>> people, places = synthetic_people(60, seed=4), synthetic_opportunities(10, seed=4)
    >>> outcomes = synthetic_outcomes(people, places, seed=4)
    >>> {o.success for o in outcomes} == {True, False}
    True
    """
    from matching.index import PersonIndex  # the index builds on records; importing it late keeps this module light

    rng = np.random.default_rng(seed)
    index = PersonIndex(people, scoring=scoring)
    hidden = np.array([HIDDEN_WEIGHTS[c] for c in COMPONENTS])
    outcomes = []
    for time, place in enumerate(sorted(opportunities, key=lambda o: (o.start or _EPOCH, str(o.id)))):
        # Ranked without explanations: only the referred pairs' component scores are needed.
        candidates = index.ranked(place, top=3 * per_opportunity)
        if not candidates:
            continue
        for j in sorted(rng.choice(len(candidates), size=min(per_opportunity, len(candidates)), replace=False)):
            match = index.explain(place, candidates[j])
            scores = dict(match.explanation.components)
            logit = float(hidden @ [scores[c] for c in COMPONENTS]) - 3.0 + rng.normal(0.0, 0.5)
            success = bool(rng.random() < 1.0 / (1.0 + np.exp(-logit)))
            outcomes.append(Outcome(match.person_id, place.id, time, scores, success))
    return outcomes


# --- a world with a known success model -----------------------------------------------------------

TRUE_WEIGHTS: dict[str, float] = {"skill": 0.35, "interest": 0.10, "distance": 0.20, "hours": 0.20, "support": 0.15}
"""How much each true fit raises the log-odds of success in :class:`SyntheticWorld` (normalised)."""

_TRUE_SLOPE = 6.0  # log-odds between a pair that fits in nothing and one that fits in everything
_TRUE_OFFSET = -3.5
_TRUE_DISTANCE_KM = 15.0  # success halves about every 10 km (exp(-d / 15))


@dataclass(frozen=True)
class SyntheticWorld:
    """People and places whose referral outcomes follow a known success model.

    The truth is about concepts and facts; the profiles a matcher sees are what a counsellor
    wrote down. Each person truly holds some skill concepts; their profile lists each one either
    as the concept (its URI, with the label in the person's language) or as typed text (an
    inflected or derived form in Slovenian, Croatian or English, no URI), and about one profile
    in eight lists none of them. Places list required skills, mostly as concepts.

    The success chance of a referral is ``sigmoid(-3.5 + 6 * sum(TRUE_WEIGHTS[c] * fit_c))``
    with the true fits:

    - ``skill``: the share of the place's required concepts the person truly holds;
    - ``interest``: 1 if the person wants to work in the place's sector, else 0;
    - ``distance``: ``exp(-km / 15)``;
    - ``hours``: the smaller weekly hours over the larger (1 if the place sets none);
    - ``support``: the share of the person's support wishes that the place offers (1 if none).

    A matcher that reads concepts, typed text and hours well gets close to ranking by this
    chance (the oracle); ``bench/matching_quality.py`` measures how close.
    """

    people: list[Person]
    places: list[Opportunity]
    held: dict[Hashable, frozenset[int]]
    required: dict[Hashable, frozenset[int]]
    concepts: tuple[Concept, ...]

    def true_fits(self, person: Person, place: Opportunity) -> dict[str, float]:
        """The true fit of each component for a pair."""
        need = self.required[place.id]
        wanted = person.support_needs | person.support_preferences
        d = distance_km(person, place)
        return {
            "skill": len(need & self.held[person.id]) / len(need) if need else 1.0,
            "interest": 1.0 if person.interests & place.sectors else 0.0,
            "distance": math.exp(-d / _TRUE_DISTANCE_KM) if d is not None else 0.0,
            "hours": hours_fit(person.hours, place.hours) if person.hours and place.hours else 1.0,
            "support": len(wanted & place.support_offered) / len(wanted) if wanted else 1.0,
        }

    def success_chance(self, person: Person, place: Opportunity) -> float:
        """The true chance that referring ``person`` to ``place`` ends well."""
        return chance_of_success(self.true_fits(person, place))


def chance_of_success(fits: Mapping[str, float]) -> float:
    """The success model: ``sigmoid(-3.5 + 6 * sum(TRUE_WEIGHTS[c] * fits[c]))`` for fits in [0, 1].

    Examples
    --------
    >>> round(chance_of_success(dict.fromkeys(COMPONENTS, 0.0)), 3), round(chance_of_success(dict.fromkeys(COMPONENTS, 1.0)), 3)
    (0.029, 0.924)
    """
    logit = _TRUE_OFFSET + _TRUE_SLOPE * sum(TRUE_WEIGHTS[c] * fits[c] for c in COMPONENTS)
    return 1.0 / (1.0 + math.exp(-logit))


def synthetic_world(
    n_people: int,
    n_places: int,
    *,
    seed: int = 0,
    concepts: Sequence[Concept] = CONCEPTS,
    towns: Sequence[Town] = TOWNS[:20],
) -> SyntheticWorld:
    """A seeded :class:`SyntheticWorld` of ``n_people`` and ``n_places`` around Slovenian and Croatian towns.

    Examples
    --------
    >>> world = synthetic_world(50, 20, seed=1)
    >>> len(world.people), len(world.places)
    (50, 20)
    >>> 0.0 < world.success_chance(world.people[0], world.places[0]) < 1.0
    True
    """
    rng = np.random.default_rng(seed)
    concepts = tuple(concepts)
    sectors = sorted({c.sector for c in concepts})
    by_sector = {s: [j for j, c in enumerate(concepts) if c.sector == s] for s in sectors}
    local, points = _places(n_people, towns, rng)
    people: list[Person] = []
    held: dict[Hashable, frozenset[int]] = {}
    for i in range(n_people):
        home = sectors[int(rng.integers(len(sectors)))]
        pool = by_sector[home] if rng.random() < 0.6 else range(len(concepts))
        mine = frozenset(
            int(j) for j in rng.choice(list(pool), size=min(len(pool), int(rng.integers(1, 5))), replace=False)
        )
        silent = rng.random() < 0.125  # a thin profile: the skills are real but not written down
        skills = [] if silent else [_written(concepts[j], local[i], rng) for j in sorted(mine)]
        pid = f"p{i}"
        held[pid] = mine
        people.append(
            Person(
                id=pid,
                skills=tuple(skills),
                interests=frozenset(
                    {home} | ({sectors[int(rng.integers(len(sectors)))]} if rng.random() < 0.4 else set())
                ),
                languages=frozenset({local[i]}),
                hours=float(rng.choice([10.0, 20.0, 20.0, 30.0, 40.0])),
                travel_radius_km=float(rng.choice([15.0, 25.0, 40.0])),
                location=(float(points[i, 0]), float(points[i, 1])),
                support_preferences=frozenset(_subsets(SUPPORT_KINDS, 1, 0, 2, rng)[0]),
            )
        )
    local, points = _places(n_places, towns, rng)
    places: list[Opportunity] = []
    required: dict[Hashable, frozenset[int]] = {}
    for i in range(n_places):
        sector = sectors[int(rng.integers(len(sectors)))]
        pool = by_sector[sector]
        need = frozenset(int(j) for j in rng.choice(pool, size=min(len(pool), int(rng.integers(1, 4))), replace=False))
        oid = f"o{i}"
        required[oid] = need
        places.append(
            Opportunity(
                id=oid,
                required_skills=tuple(
                    Skill(uri=concepts[j].uri, label=_label(concepts[j], local[i]))
                    if concepts[j].uri and rng.random() < 0.8
                    else Skill(label=_label(concepts[j], local[i]))
                    for j in sorted(need)
                ),
                sectors=frozenset({sector}),
                hours=float(rng.choice([10.0, 20.0, 30.0, 40.0])),
                location=(float(points[i, 0]), float(points[i, 1])),
                support_offered=frozenset(_subsets(SUPPORT_KINDS, 1, 0, 4, rng)[0]),
                capacity=int(rng.integers(1, 6)),
            )
        )
    return SyntheticWorld(people, places, held, required, concepts)


def _label(concept: Concept, language: str) -> str:
    return {"sl": concept.sl, "hr": concept.hr}.get(language, concept.en)


def _written(concept: Concept, language: str, rng: np.random.Generator) -> Skill:
    """How a counsellor records a skill the person holds: the concept, or typed words."""
    if concept.uri is not None and rng.random() < 0.6:
        return Skill(uri=concept.uri, label=_label(concept, language))
    forms = concept.typed or (_label(concept, language),)
    return Skill(label=forms[int(rng.integers(len(forms)))])


def simulated_referrals(
    world: SyntheticWorld, n: int, *, seed: int = 0, scoring: Scoring | None = None, shortlist: int = 20
) -> list[Outcome]:
    """``n`` referrals with outcomes drawn from the world's success chances, in time order.

    Each referral takes a random person and one of their ``shortlist`` best feasible places
    under ``scoring`` (as a counsellor picks from the suggestions, so the data carry the
    matcher's own bias), and records the pair's component scores under ``scoring``.

    Examples
    --------
    >>> world = synthetic_world(40, 30, seed=2)
    >>> outcomes = simulated_referrals(world, 60, seed=2)
    >>> len(outcomes), {o.success for o in outcomes} == {True, False}
    (60, True)
    """
    from matching.index import OpportunityIndex  # late: the index builds on this module's records

    rng = np.random.default_rng(seed)
    index = OpportunityIndex(world.places, scoring=scoring)
    places = {o.id: o for o in world.places}
    lists: dict[Hashable, list[Ranked]] = {}
    outcomes: list[Outcome] = []
    while len(outcomes) < n:
        person = world.people[int(rng.integers(len(world.people)))]
        if person.id not in lists:
            # Ranked without explanations: only the referred pair's component scores are needed.
            lists[person.id] = index.ranked(person, top=shortlist)
        if not lists[person.id]:
            continue
        match = index.explain(person, lists[person.id][int(rng.integers(len(lists[person.id])))])
        chance = world.success_chance(person, places[match.opportunity_id])
        outcomes.append(
            Outcome(
                person.id,
                match.opportunity_id,
                len(outcomes),
                dict(match.explanation.components),
                bool(rng.random() < chance),
            )
        )
    return outcomes
