"""Manual referral guidance: a bounded opportunity search ranked by the matching score, and the hard constraints a place breaks.

The score is the matching library's own (:func:`matching.score_pair` with the scoring in use, the
one the live index ranks by), so a place ranks here as it would among the suggestions; the
constraints are :func:`matching.violations`. A search never reads more than :data:`WINDOW` places.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from piccolo.custom_types import Combinable

import matching
from portal.db.tables import Opportunity, Participant
from portal.i18n import gettext as _
from portal.matching_service import records, training
from portal.matching_service import services as suggestions
from portal.organisations.services import search_words

# Places ranked per search (the newest that match); the list shows the best SHOWN of them.
WINDOW = 100
SHOWN = 20
# Hard constraints a written reason can override; "open" and "places_left" it cannot (capacity is never over-booked).
OVERRIDABLE = frozenset({"dates", "languages", "travel_radius", "support"})
REASON_MAX = 2000


def constraint_texts() -> dict[str, str]:
    """The library's constraint codes (``matching.CONSTRAINTS``), and the portal's "hours" caution, in the reader's language."""
    return {
        "open": _("The opportunity is not open."),
        "places_left": _("No places are left."),
        "dates": _("Its dates do not overlap the time the person is available."),
        "languages": _("It requires a language the person does not speak."),
        "travel_radius": _("It is beyond the person's travel radius (or its location is unknown)."),
        "support": _("It does not offer all the support the person needs."),
        "hours": _("It asks for more hours per week than the person has."),
    }


@dataclass
class Place:
    """One place as the picker shows it: what it is, its fit and what it breaks."""

    id: int
    title: str
    organisation_name: str
    municipality: str
    capacity: int
    places_left: int
    score: float
    distance_km: float | None
    broken: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()

    @property
    def needs_reason(self) -> bool:
        return bool(set(self.broken) & OVERRIDABLE)

    @property
    def blocked(self) -> str:
        """The refusal code when no reason can override what it breaks ("not_open", "full"), else ''."""
        return "not_open" if "open" in self.broken else "full" if "places_left" in self.broken else ""


@dataclass
class Search:
    places: list[Place] = field(default_factory=list)
    more: bool = False  # more matched than are shown: more words narrow it
    by_suggestion: bool = False  # no words: the live index's best feasible places
    preparing: bool = False  # no words and the live index still being built: the region's places instead


_SHOWN_COLUMNS = (
    Opportunity.title,
    Opportunity.municipality,
    Opportunity.organisation.name.as_alias("organisation_name"),
)


def _cautions(person: matching.Person, place: matching.Opportunity) -> tuple[str, ...]:
    # Hours are a score in the library, not a constraint; a place asking for more than the person
    # has is worth a word, but needs no reason.
    if person.hours is not None and place.hours is not None and place.hours > person.hours:
        return ("hours",)
    return ()


def _rank(person: matching.Person, rows: list[dict[str, Any]], scoring: matching.Scoring) -> list[Place]:
    """Score and check every row (CPU work: run off the loop). Places that break nothing first, then by score."""
    places = [records.opportunity(r) for r in rows]
    table = scoring.text.table(
        (t for o in places for s in (*o.required_skills, *o.optional_skills) for t in s.texts),
        (t for s in person.skills for t in s.texts),
    )
    ranked = []
    for row, place in zip(rows, places, strict=True):
        d = matching.distance_km(person, place)
        pair = matching.score_pair(person, place, scoring, distance=d, similarity=table)
        ranked.append(
            Place(
                id=row["id"],
                title=row["title"],
                organisation_name=row["organisation_name"],
                municipality=row["municipality"],
                capacity=row["capacity"],
                places_left=row["capacity"] - row["places_taken"],
                score=float(pair.score),
                distance_km=None if d is None else round(d, 1),
                broken=matching.violations(person, place, distance=d),
                cautions=_cautions(person, place),
            )
        )
    ranked.sort(key=lambda p: (bool(p.broken), -p.score, p.id))
    return ranked


async def _person(participant_id: int) -> matching.Person | None:
    row = await suggestions.person_row(participant_id)
    return None if row is None else records.person(row)


async def search(participant_id: int, q: str, region: str) -> Search:
    """The picker's list for a case: with words, the newest :data:`WINDOW` open places with room that hold
    every word, ranked; without, the live index's best places (or, while it is being built, the region's)."""
    person = await _person(participant_id)
    if person is None:
        return Search()
    words = search_words(q)
    if not words:
        found = await suggestions.placements_for(participant_id, top=SHOWN)
        if found is not None:
            return Search(places=[_suggested(p) for p in found], by_suggestion=True)
    conditions: list[Combinable] = [(Opportunity.status == "open") & (Opportunity.places_taken < Opportunity.capacity)]
    if words:
        conditions += [Opportunity.search_text.like(f"%{word}%") for word in words]
    else:
        conditions.append(Opportunity.region == region)
    rows = (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), *_SHOWN_COLUMNS)
        .where(*conditions)
        .order_by(Opportunity.id, ascending=False)
        .limit(WINDOW + 1)
    )
    more = len(rows) > WINDOW
    ranked = await asyncio.to_thread(_rank, person, rows[:WINDOW], await training.current_scoring())
    return Search(places=ranked[:SHOWN], more=more or len(ranked) > SHOWN, preparing=not words)


def _suggested(p: dict[str, Any]) -> Place:
    return Place(
        id=p["opportunity_id"],
        title=p["title"],
        organisation_name=p["organisation_name"],
        municipality=p["municipality"],
        capacity=p["capacity"],
        places_left=p["places_left"],
        score=float(p["score"]),
        distance_km=p["distance_km"],
    )


async def case_code(participant_id: int) -> str:
    row = await Participant.select(Participant.code).where(Participant.id == participant_id).first()
    return row["code"] if row else ""


async def check(participant_id: int, opportunity_id: int) -> Place | None:
    """One place for this case, read fresh, with its score and the constraints it breaks; None if there is no such place."""
    person = await _person(participant_id)
    rows = (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), *_SHOWN_COLUMNS)
        .where(Opportunity.id == opportunity_id)
        .limit(1)
    )
    if person is None or not rows:
        return None
    return (await asyncio.to_thread(_rank, person, rows, await training.current_scoring()))[0]


def clean_reason(form: Any, place: Place | None) -> tuple[str, dict[str, str]]:
    """The written reason for referring to a place that breaks a hard constraint; an error when it is needed and missing."""
    reason = str(form.get("override_reason") or "").strip()
    errors: dict[str, str] = {}
    if len(reason) > REASON_MAX:
        errors["override_reason"] = _("Please keep the reason under 2,000 characters.")
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in reason):
        errors["override_reason"] = _("The reason contains characters that cannot be stored.")
    elif place is not None and place.needs_reason and not reason:
        errors["override_reason"] = _("This place breaks a condition above: write why you refer the person anyway.")
    if place is not None and not place.needs_reason:
        reason = ""  # nothing to override: no reason is kept
    return reason, errors
