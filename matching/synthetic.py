"""Seeded synthetic people, opportunities and referral outcomes for the demo report, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from matching.records import Opportunity, Outcome, Person, Skill
from matching.scoring import COMPONENTS, Scoring
from matching.vocabulary import CONCEPTS, LANGUAGES, SUPPORT_KINDS, TOWNS, Concept, Town

__all__ = ["HIDDEN_WEIGHTS", "synthetic_groups", "synthetic_opportunities", "synthetic_outcomes", "synthetic_people"]

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
                skills=skills,
                interests=interests,
                languages={local[i], *(lang for j, lang in enumerate(LANGUAGES) if extra_languages[i, j])},
                hours=float(hours[i]) if hours_known[i] else None,
                travel_radius_km=float(radius[i]) if radius_known[i] else None,
                location=(float(points[i, 0]), float(points[i, 1])),
                support_needs=needs[i] if has_needs[i] else (),
                support_preferences=preferences[i],
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
                required_skills=skills[:n_required],
                optional_skills=skills[n_required:],
                sectors=(sectors[sector[i]],),
                languages=(local[i],) if needs_local[i] else (),
                hours=float(hours[i]) if hours_known[i] else None,
                location=(float(points[i, 0]), float(points[i, 1])),
                support_offered=offered[i],
                start=begins,
                end=begins + timedelta(days=int(length[i])) if has_end[i] else None,
                capacity=int(capacity[i]),
                places_taken=int(taken[i]) if is_open[i] else int(capacity[i]),
                status="open" if is_open[i] else "closed",
            )
        )
    return out


def synthetic_groups(people: Sequence[Person], *, seed: int = 0) -> dict[str, str]:
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
        candidates = index.recommend(place, top=3 * per_opportunity)
        if not candidates:
            continue
        for j in sorted(rng.choice(len(candidates), size=min(per_opportunity, len(candidates)), replace=False)):
            match = candidates[j]
            scores = dict(match.explanation.components)
            logit = float(hidden @ [scores[c] for c in COMPONENTS]) - 3.0 + rng.normal(0.0, 0.5)
            success = bool(rng.random() < 1.0 / (1.0 + np.exp(-logit)))
            outcomes.append(Outcome(match.person_id, place.id, time, scores, success))
    return outcomes
