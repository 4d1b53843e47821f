"""The plain records the network library reads: organisations, relationships, referral flows, demand and places."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NotRequired, TypedDict

__all__ = [
    "DEFAULT_STRENGTH",
    "HOST_KINDS",
    "NODE_FIELDS",
    "ORGANISATION_KINDS",
    "REFERRER_KINDS",
    "RELATIONSHIP_KINDS",
    "Demand",
    "OpenPlaces",
    "Organisation",
    "ReferralFlow",
    "Relationship",
]

ORGANISATION_KINDS = (
    "social_work_centre",
    "employment_office",
    "ministry",
    "development_agency",
    "municipality",
    "adult_education",
    "ngo",
    "social_enterprise",
    "employer",
    "health_provider",
    "research",
    "other",
)
RELATIONSHIP_KINDS = (
    "project_partner",
    "associated_partner",
    "referral_agreement",
    "cooperation",
    "funding",
    "membership",
)
# Who sends people to activation, and who takes them in: a tie between the two is the one
# that turns into placements, so suggestions favour it.
REFERRER_KINDS = frozenset({"social_work_centre", "employment_office"})
HOST_KINDS = frozenset({"social_enterprise", "ngo", "employer"})
# The portal's Relationship.strength column defaults to 3 as well.
DEFAULT_STRENGTH = 3
NODE_FIELDS = ("name", "kind", "country", "region", "municipality", "latitude", "longitude")


class Organisation(TypedDict):
    """One organisation, a node of the network; ``kind`` is one of ``ORGANISATION_KINDS``."""

    id: int
    name: str
    kind: str
    country: str
    region: NotRequired[str | None]
    municipality: NotRequired[str | None]
    latitude: NotRequired[float | None]
    longitude: NotRequired[float | None]


class Relationship(TypedDict):
    """A tie from ``source`` to ``target`` (organisation ids), active from ``since`` to ``until`` inclusive."""

    id: int
    source: int
    target: int
    kind: str
    since: NotRequired[date | None]
    until: NotRequired[date | None]
    strength: NotRequired[int]


class ReferralFlow(TypedDict):
    """``count`` participants referred on day ``at`` by organisation ``source`` to a place at ``target``."""

    source: int
    target: int
    at: date
    count: NotRequired[int]


class Demand(TypedDict):
    """``count`` participants living at one place who can travel ``travel_km`` to a placement."""

    region: str
    municipality: str | None
    latitude: float | None
    longitude: float | None
    travel_km: float
    count: int


class OpenPlaces(TypedDict):
    """``places`` open placement places offered by one organisation at one location."""

    organisation_id: int
    latitude: float | None
    longitude: float | None
    places: int


def _as_date(value: Any, what: str) -> date | None:
    """A date from a date, a datetime or an ISO string; ``what`` names the field in the error."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what} must be a date (YYYY-MM-DD), not {value!r}")


def _as_strength(value: Any, what: str) -> int:
    """A strength from 1 to 5; missing means the portal's default."""
    if value is None or value == "":
        return DEFAULT_STRENGTH
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"{what} strength must be a whole number from 1 to 5, not {value!r}")
    return value
