"""Recommendations both ways, pair by pair: the simple reference that the fast index must agree with."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

from matching.constraints import distance_km, violations
from matching.explain import Match, explain_pair
from matching.records import Opportunity, Person, as_opportunity, as_person
from matching.scoring import Scoring, score_pair

__all__ = ["check_top", "recommend_candidates", "recommend_placements"]


def check_top(top: int) -> int:
    """Validate the ``top`` argument of the recommenders: a whole number >= 0.

    Examples
    --------
    >>> check_top(10)
    10
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ValueError(f"top must be a whole number >= 0, got {top!r}")
    return top


def _rank(pairs: Iterable[tuple[Person, Opportunity]], top: int, scoring: Scoring) -> list[Match]:
    """Drop infeasible pairs, sort by score (ties keep input order), explain the first ``top``."""
    feasible = []
    for person, opportunity in pairs:
        d = distance_km(person, opportunity)
        if not violations(person, opportunity, distance=d):
            feasible.append((person, opportunity, d))
    table = scoring.text.table(
        (t for _, o, _ in feasible for s in (*o.required_skills, *o.optional_skills) for t in s.texts),
        (t for p, _, _ in feasible for s in p.skills for t in s.texts),
    )
    scores = [score_pair(p, o, scoring, distance=d, similarity=table).score for p, o, d in feasible]
    order = sorted(range(len(feasible)), key=lambda i: (-scores[i], i))[:top]
    return [explain_pair(*feasible[i][:2], scoring, distance=feasible[i][2], similarity=table) for i in order]


def recommend_placements(
    person: Person | Mapping[str, Any],
    opportunities: Iterable[Opportunity | Mapping[str, Any]],
    *,
    top: int = 10,
    scoring: Scoring | None = None,
    exclude: Collection[Hashable] = (),
) -> list[Match]:
    """The best ``top`` opportunities for a person, best first, each explained.

    Opportunities that break a hard constraint (:data:`matching.constraints.CONSTRAINTS`) are
    never returned, nor those named in ``exclude``. Equal scores keep the input order. Mappings are read with
    :meth:`Person.from_mapping` / :meth:`Opportunity.from_mapping`, so keys such as ``gender``
    or ``age`` are ignored. For many opportunities use :class:`matching.index.OpportunityIndex`,
    which returns the same ranking.

    Examples
    --------
    >>> person = {"id": "p1", "skills": ["kuhar"], "languages": ["sl"], "location": (46.42, 15.87), "travel_radius_km": 25}
    >>> places = [
    ...     {"id": "far", "required_skills": ["kuharica"], "location": (46.05, 14.51)},
    ...     {"id": "bakery", "required_skills": ["kuharica"], "location": (46.55, 15.65)},
    ...     {"id": "shop", "required_skills": ["prodajalka"], "location": (46.41, 15.88)},
    ... ]
    >>> [(m.opportunity_id, m.score) for m in recommend_placements(person, places)]
    [('bakery', 0.372957906), ('shop', 0.189195175)]
    """
    person, skip = as_person(person), set(exclude)
    places = (as_opportunity(o) for o in opportunities)
    return _rank(((person, o) for o in places if o.id not in skip), check_top(top), scoring or Scoring())


def recommend_candidates(
    opportunity: Opportunity | Mapping[str, Any],
    people: Iterable[Person | Mapping[str, Any]],
    *,
    top: int = 10,
    scoring: Scoring | None = None,
) -> list[Match]:
    """The best ``top`` people for an opportunity, best first, each explained.

    The same constraints and scores as :func:`recommend_placements`, seen from the other side.
    Consent is the caller's job: pass only people whose consent allows them to be shown to
    the asking organisation. For many people use :class:`matching.index.PersonIndex`.

    Examples
    --------
    >>> place = {"id": "o1", "required_skills": ["zidarstvo"], "location": (46.31, 16.34), "languages": ["hr"]}
    >>> people = [
    ...     {"id": "a", "skills": ["zidar"], "languages": ["hr", "sl"], "location": (46.38, 16.43)},
    ...     {"id": "b", "skills": ["kuhar"], "languages": ["hr"], "location": (46.30, 16.33)},
    ...     {"id": "c", "skills": ["zidar"], "languages": ["sl"], "location": (46.31, 16.34)},
    ... ]
    >>> [m.person_id for m in recommend_candidates(place, people)]
    ['a', 'b']
    """
    place = as_opportunity(opportunity)
    return _rank(((as_person(p), place) for p in people), check_top(top), scoring or Scoring())
