"""Hard constraints: the conditions a recommendation may never break, checked before any scoring."""

from __future__ import annotations

from matching.geo import haversine_km
from matching.records import Opportunity, Person

__all__ = ["CONSTRAINTS", "distance_km", "is_feasible", "violations"]

CONSTRAINTS: tuple[str, ...] = ("open", "places_left", "dates", "languages", "travel_radius", "support")
"""Names of the hard constraints, in the order :func:`violations` reports them.

- ``open``: the opportunity's status is ``"open"``;
- ``places_left``: fewer places are taken than its capacity;
- ``dates``: its period overlaps the person's availability (a missing date is an open end);
- ``languages``: the person speaks every language it requires;
- ``travel_radius``: if the person has a travel radius, the great-circle distance is known and
  within it (a place without coordinates cannot be shown to be in reach, so it is excluded);
- ``support``: it offers every kind of support the person needs.
"""


def distance_km(person: Person, opportunity: Opportunity) -> float | None:
    """Great-circle distance between the person and the opportunity, or None if a location is missing.

    Examples
    --------
    >>> round(distance_km(Person(1, location=(46.554, 15.646)), Opportunity(2, location=(46.420, 15.870))), 1)
    22.7
    """
    if person.location is None or opportunity.location is None:
        return None
    return float(haversine_km(*person.location, *opportunity.location))


def violations(person: Person, opportunity: Opportunity, *, distance: float | None = None) -> tuple[str, ...]:
    """The hard constraints (see :data:`CONSTRAINTS`) that this pair breaks; empty when it is feasible.

    ``distance`` may pass an already computed :func:`distance_km` to avoid computing it twice.

    Examples
    --------
    >>> person = Person(1, languages=["sl"], location=(46.554, 15.646), travel_radius_km=15, support_needs=["mentor"])
    >>> violations(person, Opportunity(2, languages=["hr"], location=(46.420, 15.870), support_offered=["mentor"]))
    ('languages', 'travel_radius')
    """
    broken = []
    if not opportunity.is_open:
        broken.append("open")
    if opportunity.places_left <= 0:
        broken.append("places_left")
    ends_too_early = (
        opportunity.end is not None and person.available_from is not None and opportunity.end < person.available_from
    )
    starts_too_late = (
        opportunity.start is not None
        and person.available_until is not None
        and opportunity.start > person.available_until
    )
    if ends_too_early or starts_too_late:
        broken.append("dates")
    if not opportunity.languages <= person.languages:
        broken.append("languages")
    if person.travel_radius_km is not None:
        d = distance if distance is not None else distance_km(person, opportunity)
        if d is None or d > person.travel_radius_km:
            broken.append("travel_radius")
    if not person.support_needs <= opportunity.support_offered:
        broken.append("support")
    return tuple(broken)


def is_feasible(person: Person, opportunity: Opportunity) -> bool:
    """True when the pair breaks no hard constraint.

    Examples
    --------
    >>> is_feasible(Person(1), Opportunity(2))
    True
    >>> is_feasible(Person(1), Opportunity(2, status="closed"))
    False
    """
    return not violations(person, opportunity)
