"""Rows of the portal's tables as ``matching`` records.

Only what :mod:`matching.records` defines crosses over: skills, interests, languages, hours,
travel radius, place, support and dates. Names, birth year, contact details, health, profiling
answers and every other personal field stay behind, so they can never reach a score.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import matching
from portal.skills.shipped import concept_aliases
from portal.vocab import split_codes

# The columns each side needs; callers select exactly these (plus nothing personal).
PERSON_COLUMNS = (
    "id",
    "skills",
    "interests",
    "languages",
    "hours_per_week",
    "travel_km",
    "latitude",
    "longitude",
    "support_needs",
    "available_from",
)
OPPORTUNITY_COLUMNS = (
    "id",
    "required_skills",
    "optional_skills",
    "sector",
    "languages",
    "hours_per_week",
    "latitude",
    "longitude",
    "support_offered",
    "starts_on",
    "ends_on",
    "capacity",
    "places_taken",
    "status",
)


# Distinct (concept, label) pairs kept as records: the shipped vocabulary has about 14,000
# concepts, and free-text labels repeat too.
_SKILLS_KEPT = 65_536


def columns(table: type, names: tuple[str, ...]) -> list:
    """The columns of ``table`` called ``names``, for a ``select`` (e.g. ``columns(Participant, PERSON_COLUMNS)``)."""
    return [getattr(table, name) for name in names]


def _codes(value: str | None) -> list[str]:
    return split_codes(value)


@functools.lru_cache(maxsize=_SKILLS_KEPT)
def skill(uri: str, label: str) -> matching.Skill:
    """One stored skill as a record; a concept also carries all its labels (``concept_aliases``).

    Kept: thousands of people hold the same concepts, so they share one record (and its labels
    in three languages) instead of normalising them again for every row read.
    """
    return matching.Skill(uri or None, label, concept_aliases(uri) if uri else ())


def _skills(value: str | None) -> list[matching.Skill]:
    """Stored skills, for typed words to meet a concept by any of its labels."""
    try:
        entries = json.loads(value or "[]")
    except ValueError:
        return []
    out = []
    for e in entries:
        if not isinstance(e, Mapping) or not (e.get("uri") or e.get("label")):
            continue
        out.append(skill(str(e.get("uri") or ""), str(e.get("label") or "")))
    return out


def _location(row: Mapping[str, Any]) -> tuple[float, float] | None:
    if row.get("latitude") is None or row.get("longitude") is None:
        return None
    return (float(row["latitude"]), float(row["longitude"]))


def person(row: Mapping[str, Any]) -> matching.Person:
    """A participant row as a :class:`matching.Person` (pseudonymous: the id only)."""
    return matching.Person(
        id=row["id"],
        skills=tuple(_skills(row.get("skills"))),
        interests=frozenset(_codes(row.get("interests"))),
        languages=frozenset(_codes(row.get("languages"))),
        hours=row.get("hours_per_week"),
        travel_radius_km=row.get("travel_km"),
        location=_location(row),
        support_needs=frozenset(_codes(row.get("support_needs"))),
        available_from=row.get("available_from"),
    )


def opportunity(row: Mapping[str, Any]) -> matching.Opportunity:
    """An opportunity row as a :class:`matching.Opportunity`."""
    return matching.Opportunity(
        id=row["id"],
        required_skills=tuple(_skills(row.get("required_skills"))),
        optional_skills=tuple(_skills(row.get("optional_skills"))),
        sectors=frozenset([row["sector"]] if row.get("sector") else []),
        languages=frozenset(_codes(row.get("languages"))),
        hours=row.get("hours_per_week"),
        location=_location(row),
        support_offered=frozenset(_codes(row.get("support_offered"))),
        start=row.get("starts_on"),
        end=row.get("ends_on"),
        capacity=int(row.get("capacity") or 0),
        places_taken=int(row.get("places_taken") or 0),
        status=str(row.get("status") or ""),
    )
