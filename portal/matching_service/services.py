"""Suggestions both ways: placements for a case, candidates for an opportunity; handlers call only these.

Callers check who may ask and audit what is shown. The results are plain dicts, explanation
included, so templates and tests need nothing from the library.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import matching
from portal.db.tables import Opportunity, Participant, Referral
from portal.employers import pool
from portal.i18n import current_language
from portal.matching_service import live_index, person_cache, records, training
from portal.skills import services as skills

__all__ = [
    "CANDIDATE_STAGES",
    "candidates_for",
    "employer_scoring",
    "placements_for",
    "profile_is_empty",
    "records_near",
    "set_apart_for",
]

# Only people in these stages are put in front of employers.
CANDIDATE_STAGES = ("activation", "placement", "employment")


def profile_is_empty(person: matching.Person) -> bool:
    """Nothing a counsellor enters about fit: no skills, interests or support needs.

    Hours and place are always filled in the portal (form defaults, the municipality's
    coordinates), so the library's own ``Person.is_empty`` alone would never say "empty"
    here; both count.
    """
    return person.is_empty or not (person.skills or person.interests or person.support_needs)


def _name(skill: matching.Skill, labels: dict[str, str]) -> str:
    """The skill's label in the reader's language when it is a concept the vocabulary has in it."""
    return labels.get(skill.uri or "") or skill.name


def _skill_match(m: matching.SkillMatch, labels: dict[str, str]) -> dict[str, Any]:
    by = _name(m.by, labels) if m.by is not None and m.by != m.skill else ""
    return {
        "label": _name(m.skill, labels),
        "uri": m.skill.uri or "",
        "by": by,
        "kind": m.kind,
        "similarity": round(m.similarity, 2),
    }


# Where a fit starts to count as strong or good, in the plain-words summary.
STRONG_FIT, GOOD_FIT = 0.65, 0.4


def _summary(e: matching.Explanation, score: float) -> dict[str, Any]:
    """What the plain-words sentence says: the fit band, required skills held of all, and whether distance alone decides."""
    required = [m for m in e.matched_skills if m.required]
    others = sum(value for name, value in e.contributions.items() if name != "distance")
    return {
        "band": "strong" if score >= STRONG_FIT else "good" if score >= GOOD_FIT else "weak",
        "required_held": len(required),
        "required_total": len(required) + len(e.missing_required),
        "distance_only": others == 0 and e.contributions.get("distance", 0) > 0,
    }


def _explained(match: matching.Match, empty: bool, labels: dict[str, str] | None = None) -> dict[str, Any]:
    e, labels = match.explanation, labels or {}
    return {
        "score": match.score,
        "confidence": match.confidence,
        # An empty profile gets the library's note and no confident-looking numbers.
        "show_scores": not empty,
        "summary": _summary(e, match.score),
        "matched_skills": [_skill_match(m, labels) for m in e.matched_skills],
        "missing_required": [_name(s, labels) for s in e.missing_required],
        "missing_optional": [_name(s, labels) for s in e.missing_optional],
        "distance_km": None if e.distance_km is None else round(e.distance_km, 1),
        "support_offered": list(e.support_offered),
        "components": dict(e.components),
        "contributions": dict(e.contributions),
        "unknown": list(e.unknown),
        "notes": ["empty_profile"] if empty else list(e.notes),
    }


async def person_row(participant_id: int) -> dict[str, Any] | None:
    """What matching reads of a case, its code, and who leads it (for the access check): one statement."""
    return (
        await Participant.select(
            *records.columns(Participant, records.PERSON_COLUMNS),
            Participant.code,
            Participant.lead_counsellor,
            Participant.organisation,
        )
        .where(Participant.id == participant_id)
        .first()
    )


async def placements_for(
    participant_id: int, top: int = 10, exclude: set[int] | None = None, *, row: dict[str, Any] | None = None
) -> list[dict[str, Any]] | None:
    """The ``top`` open opportunities with places left that fit the participant, best first, explained.

    None while this process's index is still being built (after a start, at a country's scale).
    Places with an earlier referral for the participant are left out (``exclude``: their ids,
    read with :func:`set_apart_for` when not given). ``row`` may pass :func:`person_row`'s
    answer when the caller has read it already.

    Ranked by this process's :mod:`~portal.matching_service.live_index`, which follows changed
    opportunities instead of rebuilding; the rows shown are read fresh, and one that closed or
    filled up in the meantime (in another process, say) is left out.
    """
    row = row or await person_row(participant_id)
    if row is None:
        return []
    person = records.person(row)
    # Learned weights once a training put them in use (portal.matching_service.training), else the defaults.
    index = await live_index.current(await training.current_scoring())
    if index is None:
        return None
    # A place that declined the person, or already has (or had) a referral for them, is not
    # suggested again: the counsellor sees it apart (set_apart_for), with its status and date.
    if exclude is None:
        exclude = {r["opportunity_id"] for r in await set_apart_for(participant_id)}
    matches = index.recommend(person, top=top, exclude=exclude)
    rows = await Opportunity.select(
        Opportunity.id,
        Opportunity.title,
        Opportunity.municipality,
        Opportunity.capacity,
        Opportunity.places_taken,
        Opportunity.status,
        Opportunity.organisation.name.as_alias("organisation_name"),
    ).where(Opportunity.id.is_in([m.opportunity_id for m in matches] or [0]))
    by_id = {r["id"]: r for r in rows}
    empty = profile_is_empty(person)
    labels = await skills.labels_in(_concepts_of(matches), current_language())
    return [
        {
            "opportunity_id": m.opportunity_id,
            "title": by_id[m.opportunity_id]["title"],
            "organisation_name": by_id[m.opportunity_id]["organisation_name"],
            "municipality": by_id[m.opportunity_id]["municipality"],
            "capacity": by_id[m.opportunity_id]["capacity"],
            "places_left": by_id[m.opportunity_id]["capacity"] - by_id[m.opportunity_id]["places_taken"],
            **_explained(m, empty, labels),
        }
        for m in matches
        if m.opportunity_id in by_id
        and by_id[m.opportunity_id]["status"] == "open"
        and by_id[m.opportunity_id]["places_taken"] < by_id[m.opportunity_id]["capacity"]
    ]


def _concepts_of(matches: list[matching.Match]) -> set[str]:
    """The concept URIs an explanation of ``matches`` names (a few per match: bounded by the page)."""
    uris = set()
    for m in matches:
        e = m.explanation
        for skill in (
            *e.missing_required,
            *e.missing_optional,
            *(s.skill for s in e.matched_skills),
            *(s.by for s in e.matched_skills if s.by is not None),
        ):
            if skill.uri:
                uris.add(skill.uri)
    return uris


async def set_apart_for(participant_id: int) -> list[dict[str, Any]]:
    """Places left out of the suggestions because of an earlier referral: newest first, with status, date and reason."""
    rows = (
        await Referral.select(
            Referral.id,
            Referral.opportunity,
            Referral.status,
            Referral.reason,
            Referral.updated_at,
            Referral.opportunity.title.as_alias("title"),
            Referral.opportunity._.organisation.name.as_alias("organisation_name"),
        )
        .where(Referral.participant == participant_id)
        .order_by(Referral.updated_at, ascending=False)
        .order_by(Referral.id, ascending=False)
    )
    newest: dict[int, dict[str, Any]] = {}
    for row in rows:  # one line per place: its latest referral
        newest.setdefault(row["opportunity"], row)
    return [
        {
            "referral_id": r["id"],
            "opportunity_id": r["opportunity"],
            "title": r["title"],
            "organisation_name": r["organisation_name"],
            "status": r["status"],
            "reason": r["reason"],
            "when": r["updated_at"],
        }
        for r in newest.values()
    ]


# Candidates are ranked among at most this many people near the opening (newest first), so a
# request's work does not grow with the country. "Near" is a box about 110 km each way at these
# latitudes: wider than the travel radius of almost every profile (the demo's reach 50 km),
# though a profile may allow up to 300 km, and such a person further off is not listed.
CANDIDATE_WINDOW = 1000
_NEAR_DEGREES = (1.0, 1.45)


async def window_near(
    opening: dict[str, Any], conditions: list[Any], columns: list[Any], limit: int = CANDIDATE_WINDOW
) -> list[dict[str, Any]]:
    """Up to ``limit`` participants meeting ``conditions`` near ``opening``, newest first, returned by id.

    Near is within :data:`_NEAR_DEGREES` of its place, or in its region when it has no place.
    By id at the end, so ties in a ranking fall as they always did (the older case first).
    """
    if opening.get("latitude") is None or opening.get("longitude") is None:
        near = [Participant.region == opening.get("region", "")]
    else:
        lat, lon = opening["latitude"], opening["longitude"]
        near = [
            Participant.latitude.is_not_null(),
            Participant.latitude >= lat - _NEAR_DEGREES[0],
            Participant.latitude <= lat + _NEAR_DEGREES[0],
            Participant.longitude >= lon - _NEAR_DEGREES[1],
            Participant.longitude <= lon + _NEAR_DEGREES[1],
        ]
    rows = (
        await Participant.select(*columns)
        .where(*conditions, *near)
        .order_by(Participant.id, ascending=False)
        .limit(limit)
    )
    return sorted(rows, key=lambda r: r["id"])


async def records_near(
    opening: dict[str, Any], conditions: list[Any], columns: list[Any], cache: person_cache.PersonCache
) -> list[matching.Person]:
    """The records ``cache`` keeps of :func:`window_near`'s rows (``columns`` of each), by id.

    On PostgreSQL the window reads each row's id, version and stamp only, and whole rows for the
    records not kept at that version (with ``conditions`` again): of a window of 1,000 mostly
    kept people, a few statements' worth of Python instead of 1,000 whole rows. Elsewhere it
    reads the whole rows, and :mod:`person_cache` compares their columns.
    """
    version = person_cache.version_column()
    if not version:
        return [cache.person(row) for row in await window_near(opening, conditions, columns)]
    stamps = await window_near(opening, conditions, [Participant.id, Participant.updated_at, *version])

    async def read(ids: list[int]) -> list[dict[str, Any]]:  # at most CANDIDATE_WINDOW ids
        return await Participant.select(*columns, *version).where(*conditions, Participant.id.is_in(ids))

    return await cache.kept_or_read(stamps, read)


async def candidates_for(opp_id: int, top: int = 10) -> list[dict[str, Any]]:
    """The ``top`` participants who fit the opportunity, best first, with pseudonymous fields only.

    Among the :data:`CANDIDATE_WINDOW` newest near it (see :func:`window_near`), only people in
    an activation, placement or employment stage whose current consent lets an anonymised
    profile be shown to employers are considered (employer users get
    :func:`portal.employers.profiles.best_for` instead). Each result carries the code, region,
    matched skills, skill gap and score parts, scored without distance; nothing that names or
    locates the person.
    """
    row = (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), Opportunity.region)
        .where(Opportunity.id == opp_id)
        .first()
    )
    if row is None:
        return []
    conditions: list[Any] = [
        Participant.stage.is_in(list(CANDIDATE_STAGES)),
        pool.consent_in_force("employer_profile"),
        Participant.pseudonymised_at.is_null(),
    ]
    columns = [*records.columns(Participant, records.PERSON_COLUMNS), Participant.updated_at]
    # Kept records for the rows the query returned (the conditions above still choose who).
    people = await records_near(row, conditions, columns, person_cache.people)
    persons = {cast(int, p.id): p for p in people}  # the records of participant rows: their ids are ints
    # A kept index when the window is the same records as a recent request's (person_cache.IndexCache).
    index = person_cache.indexes.index(people, employer_scoring(await training.current_scoring()))
    matches = index.recommend(records.opportunity(row), top=top)
    # The code and region of those listed, the conditions again: one who left meanwhile is not listed.
    listed = [cast(int, m.person_id) for m in matches]
    shown = {
        r["id"]: r
        for r in await Participant.select(Participant.id, Participant.code, Participant.region).where(
            *conditions, Participant.id.is_in(listed or [0])
        )
    }
    labels = await skills.labels_in(_concepts_of(matches), current_language())
    return [
        {
            "participant_id": m.person_id,
            "code": shown[person_id]["code"],
            "region": shown[person_id]["region"],
            **_for_employers(_explained(m, profile_is_empty(persons[person_id]), labels)),
        }
        for m, person_id in zip(matches, listed, strict=True)
        if person_id in shown
    ]


# Notes an employer may read; the others hint at where the person lives or what support they need.
_EMPLOYER_NOTES = (
    "empty_profile",
    "low_confidence",
    "no_skills_on_profile",
    "no_skills_listed",
    "no_interests_on_profile",
    "no_sectors_listed",
)


def employer_scoring(scoring: matching.Scoring) -> matching.Scoring:
    """``scoring`` without its distance part, renormalised, for scores shown outside the case team.

    Hiding the distance part on the page is not enough: the total minus the parts shown gives it
    back, and read against a few openings in different places that is the person's home.

    The same object for the same ``scoring`` object: an index keeps the credits it computed for
    one scoring object only (``matching.columns.SkillTable``), so a new one per request would
    throw them away.
    """
    for given, made in _employer_scorings:
        if given is scoring:
            return made
    weights = {**scoring.weights.as_dict(), "distance": 0.0}
    made = dataclasses.replace(scoring, weights=matching.Weights(**weights))
    _employer_scorings[:] = [(scoring, made)]
    return made


# The last (scoring, employer_scoring(scoring)) pair: current_scoring() changes its object rarely.
_employer_scorings: list[tuple[matching.Scoring, matching.Scoring]] = []


def _for_employers(explained: dict[str, Any]) -> dict[str, Any]:
    """Drop distance (with the region it would point at the municipality) and the support the person needs.

    The distance part of the score goes too: read against the opening's place it is a ring
    around it, and with the region that narrows down where the person lives.
    """
    return {
        **explained,
        "distance_km": None,
        "components": {k: v for k, v in explained["components"].items() if k != "distance"},
        "contributions": {k: v for k, v in explained["contributions"].items() if k != "distance"},
        "support_offered": [],
        "notes": [code for code in explained["notes"] if code in _EMPLOYER_NOTES],
    }
