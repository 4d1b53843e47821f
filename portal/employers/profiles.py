"""Anonymised candidate profiles for employers: browse, filter, sort by fit, and one profile.

Only what an employer may read leaves this module: the employer's own pseudonym, region,
skills, languages, hours, education, interests, the kind and length of finished programmes,
and support needs phrased as workplace adjustments. Names, birth year, municipality, address,
contact, health, profiling, social-assistance status, notes and the case code never do; the
participant id is returned beside the profiles (for the audit), never inside them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

import matching
from portal.clock import utc_now
from portal.db.engine import like_literal
from portal.db.piccolo_conf import DB
from portal.db.tables import Opportunity, Participant, Referral, ReferralEvent
from portal.employers import pool
from portal.i18n import lazy_gettext as _l
from portal.matching_service import person_cache, records, training
from portal.matching_service.services import (
    _explained,
    _for_employers,
    employer_scoring,
    profile_is_empty,
    records_near,
)
from portal.pagination import Page, clamp_page
from portal.skills import services as skills
from portal.skills.entries import loads as load_skills
from portal.text import fold

__all__ = [
    "ADJUSTMENTS",
    "COUNT_CAP",
    "FIT_WINDOW",
    "Browsed",
    "PER_PAGE",
    "CandidateFilters",
    "best_for",
    "browse",
    "fit_to",
    "fits_to",
    "own_opportunities",
    "profile",
]

PER_PAGE = 20
# Sorting by fit ranks at most this many (the newest who match the filters), so a request's work
# does not grow with a country's pool.
FIT_WINDOW = 500
# The list counts and pages this many at most; beyond, it asks for narrower filters.
COUNT_CAP = 1000
# Concepts a skill filter looks for at once; the vocabulary search returns fewer in practice.
_MAX_CONCEPTS = 50

# The support a person needs, as the employer would arrange it at work.
ADJUSTMENTS = {
    "mentor": _l("A workplace mentor for the first weeks"),
    "flexible_hours": _l("Flexible start and finish times"),
    "accessible_premises": _l("Step-free, accessible premises"),
    "part_time": _l("Part-time hours"),
    "transport": _l("Help with getting to work"),
    "childcare_compatible": _l("Hours that fit school and childcare times"),
    "adapted_workplace": _l("An adapted workstation"),
    "language_support": _l("Instructions in plain language, with language support"),
}

# Constraints an employer is not told of: the opening's own state (sorting by fit to a draft or
# a full opening still wants the order), and the travel radius, which would say how far away the
# person lives.
_HIDDEN_CONSTRAINTS = frozenset({"open", "places_left", "travel_radius"})

_COLUMNS = (*records.PERSON_COLUMNS, "region", "education_level", "updated_at")  # the stamp: for person_cache


@dataclass(frozen=True)
class CandidateFilters:
    skill: str = ""
    region: str = ""
    language: str = ""
    hours_min: int | None = None
    hours_max: int | None = None
    fit: int | None = None  # one of the employer's own opportunities

    @property
    def active(self) -> bool:
        return bool(self.skill or self.region or self.language or self.hours_min or self.hours_max or self.fit)


def _codes(value: str | None) -> list[str]:
    return [c for c in (value or "").split(",") if c]


async def own_opportunities(organisation_id: int) -> list[dict[str, Any]]:
    """The employer's opportunities that are not closed, for sorting by fit and for introductions."""
    return (
        await Opportunity.select(Opportunity.id, Opportunity.title, Opportunity.kind, Opportunity.status)
        .where((Opportunity.organisation == organisation_id) & (Opportunity.status != "closed"))
        .order_by(Opportunity.title)
    )


async def _opening_row(organisation_id: int, opportunity_id: int | None) -> dict[str, Any] | None:
    if opportunity_id is None:
        return None
    return (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), Opportunity.region)
        .where((Opportunity.id == opportunity_id) & (Opportunity.organisation == organisation_id))
        .first()
    )


async def _opening(organisation_id: int, opportunity_id: int | None) -> matching.Opportunity | None:
    row = await _opening_row(organisation_id, opportunity_id)
    return records.opportunity(row) if row else None


def _ranked_for_employer(
    people: list[matching.Person], opening: matching.Opportunity, scoring: matching.Scoring, top: int
) -> list[int]:
    """The ids of the ``top`` of ``people`` who meet the opening's requirements an employer is told of, best fit first.

    One vectorised index over the records (:class:`matching.PersonIndex`), with the constraints an
    employer is not told of lifted: the opening counts as open with places (a draft still wants
    its order) and nobody's travel radius applies (it would say where they live). ``people`` are
    :data:`person_cache.employer_view` records of rows the caller's query chose.
    """
    lifted = dataclasses.replace(opening, status="open", places_taken=0, capacity=max(opening.capacity, 1))
    index = person_cache.indexes.index(people, scoring)  # kept while the window is the same records
    return [cast(int, item.person_id) for item in index.ranked(lifted, top=top)]  # explained later, if shown


_UUID_AT_END = re.compile(r"/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def has_any_concept(uris: Collection[str]) -> Combinable | None:
    """A participant's stored skills name one of these concepts (None for none to look for).

    On PostgreSQL an ESCO address, which ends in a UUID, is looked up in the index of
    ``skill_concepts(skills)`` (migration 2026-12-04T20:10), all of them at once: a ``LIKE`` per
    concept read every placement and activation case (0.66 s for "welding" at a country's scale).
    Any other address, and every address on SQLite, is found by its text in the stored JSON: the
    address and its closing quote match that concept alone.
    """
    indexed = DB.engine_type == "postgres"
    uuids: list[str] = []
    conditions: list[Combinable] = []
    for uri in uris:
        found = _UUID_AT_END.search(uri) if indexed else None
        if found:
            uuids.append(found.group(1))
        else:
            conditions.append(Participant.skills.like(f'%{like_literal(uri)}"%'))
    if uuids:
        conditions.append(WhereRaw("skill_concepts(participant.skills) && {}", uuids))
    either: Combinable | None = None
    for condition in conditions:
        either = condition if either is None else either | condition
    return either


def _speaks(language: str) -> WhereRaw:
    """SQL: the participant's comma-separated languages include ``language``."""
    return WhereRaw("(',' || participant.languages || ',') LIKE {}", f"%,{like_literal(language)},%")


def _conditions(f: CandidateFilters, concepts: Collection[str] = ()) -> list[Combinable]:
    """The filters as SQL conditions on the pool, so the database filters, counts and pages."""
    conditions: list[Combinable] = [pool.pool_condition()]
    if f.region:
        conditions.append(Participant.region == f.region)
    if f.language:
        conditions.append(_speaks(f.language))
    if f.hours_min is not None:
        conditions.append(Participant.hours_per_week >= f.hours_min)
    if f.hours_max is not None:
        conditions.append(Participant.hours_per_week <= f.hours_max)
    if f.skill:
        # Skills only: a name, place or note typed here must never find a person. A skill matches
        # by its wording, or by being one of the concepts the words name in any language
        # ("cooking" and "kuhanje" find the same people).
        wanted = like_literal(fold(f.skill))
        either: Combinable | None = Participant.skill_terms.like(f"%{wanted}%") if wanted else None
        named = has_any_concept(sorted(concepts)[:_MAX_CONCEPTS])
        if named is not None:
            either = named if either is None else either | named
        if either is None:  # nothing to look for: nobody matches, as before
            either = Participant.id < 0
        conditions.append(either)
    return conditions


def fit_to(row: dict[str, Any], opening: matching.Opportunity, scoring: matching.Scoring) -> dict[str, Any]:
    """How one pool member fits the employer's opening, with only what an employer may read.

    ``scoring`` must come from :func:`employer_scoring`. The travel-radius constraint is left
    out of what is unmet for the same reason as distance.
    """
    return _fits([(row, opening)], scoring)[0]


def fits_to(
    rows: list[dict[str, Any]], opening: matching.Opportunity, scoring: matching.Scoring
) -> dict[int, dict[str, Any]]:
    """:func:`fit_to` of each pool member's row to one opening, by participant id, explained in one batch."""
    return dict(zip([row["id"] for row in rows], _fits([(row, opening) for row in rows], scoring), strict=True))


def _fits(pairs: list[tuple[dict[str, Any], matching.Opportunity]], scoring: matching.Scoring) -> list[dict[str, Any]]:
    """:func:`fit_to` of each (pool member's row, opening), in order, explained in one batch.

    The same result as one call per pair: :func:`matching.explain_pairs` shares one text
    similarity table between the pairs, instead of one text similarity computation a pair.
    """
    people = [person_cache.people.person(row) for row, _ in pairs]
    matches = matching.explain_pairs(
        [(person, opening) for person, (_, opening) in zip(people, pairs, strict=True)], scoring
    )
    return [
        {
            **_for_employers(_explained(match, profile_is_empty(person))),
            "unmet": [
                c
                for c in matching.violations(person, opening, distance=match.explanation.distance_km)
                if c not in _HIDDEN_CONSTRAINTS
            ],
        }
        for person, (_, opening), match in zip(people, pairs, matches, strict=True)
    ]


async def best_for(organisation_id: int, opportunity_id: int, top: int = 10) -> list[dict[str, Any]]:
    """The ``top`` pool members who meet the requirements of the employer's own opening, best fit first.

    Among the newest pool members near it who speak its languages
    (:func:`portal.matching_service.services.records_near`): a bound on the work a request does,
    whatever the size of the pool. Each carries the employer's pseudonym and a link to the
    profile, and the participant id (to audit).
    """
    row = await _opening_row(organisation_id, opportunity_id)
    if row is None:
        return []
    opening = records.opportunity(row)
    scoring = employer_scoring(await training.current_scoring())
    conditions = [pool.pool_condition(), *(_speaks(code) for code in sorted(opening.languages))]
    people = await records_near(row, conditions, records.columns(Participant, _COLUMNS), person_cache.employer_view)
    best = await _rows_of(conditions, _ranked_for_employer(people, opening, scoring, top))
    fits = fits_to(best, opening, scoring)
    names = await pool.pseudonyms_for(organisation_id, [r["id"] for r in best])
    return [
        {
            "participant_id": r["id"],
            "code": names[r["id"]],
            "region": r["region"],
            "link": f"/employers/candidates/{names[r['id']]}",
            **fits[r["id"]],
        }
        for r in best
    ]


def _public(row: dict[str, Any], pseudonym: str) -> dict[str, Any]:
    return {
        "pseudonym": pseudonym,
        "region": row["region"],
        "languages": _codes(row["languages"]),
        "hours_per_week": row["hours_per_week"],
        "education_level": row["education_level"],
        "skills": [s["label"] for s in load_skills(row["skills"])],
        "interests": _codes(row["interests"]),
        "adjustments": [c for c in _codes(row["support_needs"]) if c in ADJUSTMENTS],
        "available_from": row["available_from"],
    }


async def _pool_rows(conditions: list[Combinable], *, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Up to ``limit`` participants meeting ``conditions``, newest first (the id breaks no tie: it is unique)."""
    return (
        await Participant.select(*records.columns(Participant, _COLUMNS), *person_cache.version_column())
        .where(*conditions)
        .order_by(Participant.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )


async def _rows_of(conditions: list[Combinable], ids: list[int]) -> list[dict[str, Any]]:
    """The rows of ``ids`` (a page's or a list's few, in that order) that still meet ``conditions``.

    The conditions are checked again: one who left the pool since the ids were chosen drops out.
    """
    if not ids:
        return []
    found = {r["id"]: r for r in await _pool_rows([*conditions, Participant.id.is_in(ids)], limit=len(ids))}
    return [found[participant_id] for participant_id in ids if participant_id in found]


async def _fit_window(conditions: list[Combinable]) -> tuple[list[matching.Person], bool]:
    """The :data:`FIT_WINDOW` newest pool members meeting ``conditions`` as records an employer's ranking reads,
    newest first, and whether the window cut the list.

    On PostgreSQL the window reads each row's id, version and stamp (0.8 ms of Python for 500
    instead of 2.5 with the whole rows, at a country's scale) and the whole rows of those not
    kept at that version only. Elsewhere it reads the whole rows, and the columns decide.
    """
    if not person_cache.version_column():
        rows = await _pool_rows(conditions, limit=FIT_WINDOW + 1)
        return [person_cache.employer_view.person(r) for r in rows[:FIT_WINDOW]], len(rows) > FIT_WINDOW
    # One more than the window says whether it cut the list: no count (35 ms at the scale of a country).
    stamps = (
        await Participant.select(Participant.id, Participant.updated_at, *person_cache.version_column())
        .where(*conditions)
        .order_by(Participant.id, ascending=False)
        .limit(FIT_WINDOW + 1)
    )
    cut, stamps = len(stamps) > FIT_WINDOW, stamps[:FIT_WINDOW]

    async def read(ids: list[int]) -> list[dict[str, Any]]:  # at most FIT_WINDOW ids
        return await _rows_of(conditions, ids)

    return await person_cache.employer_view.kept_or_read(stamps, read), cut


@dataclass
class Browsed:
    """One page of candidates, the participant ids shown (to audit), and whether a bound cut the list."""

    page: Page
    shown: list[int]
    fit_window: bool = False
    more: bool = False  # more match than COUNT_CAP: the count and the pages stop there


async def browse(organisation_id: int, filters: CandidateFilters, page: int = 1) -> Browsed:
    """One page of the pool as ``organisation_id`` sees it.

    Without a fit opening: newest first, filtered, counted and paged by the database. With one:
    the :data:`FIT_WINDOW` newest who match the filters, the feasible first by fit, then those
    who miss one of the opening's requirements, newest first; ``fit_window`` says when the
    window cut the list, so the page can ask for narrower filters.
    """
    concepts = await skills.concepts_for(filters.skill) if filters.skill else set()
    conditions = _conditions(filters, concepts)
    opening = await _opening(organisation_id, filters.fit)
    fits: dict[int, dict[str, Any]] = {}
    more = fit_window = False
    if opening is None:
        # The matching ids, newest first, up to one past a bound: one statement counts them and
        # gives the page's. An exact count of a country's pool would test every one of tens of
        # thousands on every page (0.6 s at 42,000), and counting, then paging, tested the
        # filters twice (with a skill, 50 + 40 ms at scale). In the pages' order, the database
        # walks the newest rows instead of first marking every placement and activation case.
        newest = Participant.select(Participant.id).where(*conditions).order_by(Participant.id, ascending=False)
        ids = [row["id"] for row in await newest.limit(COUNT_CAP + 1)]
        total, more = min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP
        page = clamp_page(page, total, PER_PAGE)
        wanted = ids[(page - 1) * PER_PAGE : page * PER_PAGE]
        shown = await _rows_of(conditions, wanted)  # consent withdrawn meanwhile still hides a person
    else:
        scoring = employer_scoring(await training.current_scoring())
        people, fit_window = await _fit_window(conditions)
        # Ranked in one vectorised pass; only the page shown is explained (fit_to per row was
        # seconds for a window of 500 real profiles).
        feasible = _ranked_for_employer(people, opening, scoring, max(1, len(people)))
        ranked = set(feasible)
        # Then those who miss a requirement, newest first (records of participant rows: int ids).
        order = feasible + [cast(int, p.id) for p in people if p.id not in ranked]
        total = len(order)
        page = clamp_page(page, total, PER_PAGE)
        shown = await _rows_of(conditions, order[(page - 1) * PER_PAGE : page * PER_PAGE])
        fits = fits_to(shown, opening, scoring)
    names = await pool.pseudonyms_for(organisation_id, [r["id"] for r in shown])
    items = [{**_public(r, names[r["id"]]), "fit": fits.get(r["id"])} for r in shown]
    return Browsed(
        Page(items=items, total=total, page=page, per_page=PER_PAGE),
        [r["id"] for r in shown],
        fit_window=fit_window,
        more=more,
    )


async def _experience(participant_id: int) -> list[dict[str, Any]]:
    """Programmes and placements started or finished: their kind, sector, outcome and length, never the place."""
    rows = await Referral.select(
        Referral.id,
        Referral.status,
        Referral.opportunity.kind.as_alias("kind"),
        Referral.opportunity.sector.as_alias("sector"),
    ).where((Referral.participant == participant_id) & Referral.status.is_in(["started", "completed", "hired"]))
    if not rows:
        return []
    events = (
        await ReferralEvent.select(ReferralEvent.referral, ReferralEvent.to_status, ReferralEvent.changed_at)
        .where(ReferralEvent.referral.is_in([r["id"] for r in rows]))
        .order_by(ReferralEvent.id)
    )
    started: dict[int, dt.datetime] = {}
    ended: dict[int, dt.datetime] = {}
    for e in events:
        if e["to_status"] == "started":
            started[e["referral"]] = e["changed_at"]
        elif e["to_status"] == "completed":
            ended[e["referral"]] = e["changed_at"]
    now = utc_now()
    result = []
    for r in rows:
        weeks = None
        if r["id"] in started:
            days = ((ended.get(r["id"]) or now) - started[r["id"]]).days
            weeks = days // 7 if days >= 7 else None
        result.append({"kind": r["kind"], "sector": r["sector"], "status": r["status"], "weeks": weeks})
    return result


async def profile(organisation_id: int, pseudonym: str) -> tuple[dict[str, Any], int] | None:
    """The profile behind ``organisation_id``'s pseudonym and the participant id (to audit), or None.

    None as well when the person left the pool (consent withdrawn, stage changed), so a
    bookmarked profile disappears at once.
    """
    participant_id = await pool.resolve(organisation_id, pseudonym)
    if participant_id is None or not await pool.in_pool(participant_id):
        return None
    row = (await _pool_rows([Participant.id == participant_id], limit=1))[0]
    found = _public(row, pseudonym.strip().upper())
    found["experience"] = await _experience(participant_id)
    found["fits"] = []
    scoring = employer_scoring(await training.current_scoring())
    openings = (
        await Opportunity.select(
            *records.columns(Opportunity, records.OPPORTUNITY_COLUMNS),
            Opportunity.title,
            Opportunity.kind,
        )
        .where((Opportunity.organisation == organisation_id) & (Opportunity.status != "closed"))
        .order_by(Opportunity.title)
    )
    fits = _fits([(row, records.opportunity(opening)) for opening in openings], scoring)
    for opening, fit in zip(openings, fits, strict=True):
        shown = {"id": opening["id"], "title": opening["title"], "kind": opening["kind"], "status": opening["status"]}
        found["fits"].append({"opportunity": shown, **fit})
    return found, participant_id
