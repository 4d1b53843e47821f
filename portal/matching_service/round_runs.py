"""Running an allocation round off the request path: the intake, the places, preference lists, the allocation.

One :class:`matching.OpportunityIndex` per round over its places gives each person's best
feasible places, ranked but not explained; the allocation itself is
:func:`matching.stable_allocation` or :func:`matching.welfare_allocation`. Only the pair a
person is placed in is explained, as its proposal shows it (explaining every listed pair was
most of a round's time). The CPU-bound steps run in worker threads and the round's row
records progress between them. The result is one stored proposal per person, for review.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import anyio
from piccolo.query.methods.select import Select

import matching
from portal.auth.current_user import CurrentUser
from portal.db.piccolo_conf import DB
from portal.db.rows import existing
from portal.db.tables import AllocationProposal, AllocationRound, Opportunity, Participant, Referral
from portal.employers import pool
from portal.i18n import gettext as _
from portal.jobs.queue import enqueue
from portal.matching_service import records, rounds, training
from portal.matching_service.rounds import RUNS, Criteria, employer_hosted, waiting
from portal.matching_service.services import _explained, profile_is_empty
from portal.vocab import LIVE_REFERRAL_STATUSES

__all__ = [
    "PREFERENCES",
    "WELFARE_CELLS",
    "allocate",
    "explain_placed",
    "fits_welfare",
    "preference_lists",
    "run_round",
    "send_round",
    "size_errors",
    "start_round",
]

logger = logging.getLogger(__name__)

# Each person's preference list: their best feasible places by score.
PREFERENCES = 20
# People per worker-thread step: progress is written between steps.
_CHUNK = 250
# The welfare method solves one dense assignment: about 200 MB of float64 at this many cells,
# and minutes of solver time; past it, a coordinator narrows the intake or runs a stable round.
WELFARE_CELLS = 25_000_000


def _intake_where(c: Criteria):
    where = (Participant.stage == c.stage) & Participant.pseudonymised_at.is_null()  # never place an erased case
    if c.region:
        where &= Participant.region == c.region
    return where


def place_ids(c: Criteria) -> Select:
    """The ids of the opportunities a round with these criteria offers, as a sub-select."""
    return Opportunity.select(Opportunity.id).where(_places_where(c))


def _places_where(c: Criteria):
    where = (Opportunity.status == "open") & (Opportunity.places_taken < Opportunity.capacity)
    if c.opportunity_region:
        where &= Opportunity.region == c.opportunity_region
    if c.opportunity_kind:
        where &= Opportunity.kind == c.opportunity_kind
    return where


async def _intake(c: Criteria) -> list[dict[str, Any]]:
    people = (
        await Participant.select(*records.columns(Participant, records.PERSON_COLUMNS))
        .where(_intake_where(c))
        .order_by(Participant.id)
    )
    if c.without_live_referral:
        busy = {
            r["participant"]
            for r in await Referral.select(Referral.participant).where(
                Referral.status.is_in(list(LIVE_REFERRAL_STATUSES))
            )
        }
        people = [p for p in people if p["id"] not in busy]
    return people


async def _places(c: Criteria) -> list[dict[str, Any]]:
    """The chosen opportunities, each with its places left net of referrals still waiting for an answer.

    A sent referral holds no place until the host accepts it; counting it here keeps one round,
    or two sent back to back, from referring more people than a host can take.
    """
    rows = (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS))
        .where(_places_where(c))
        .order_by(Opportunity.id)
    )
    pending = await waiting(place_ids(c))
    for row in rows:
        row["places_taken"] += pending[row["id"]]
    return [r for r in rows if r["places_taken"] < r["capacity"]]


async def size_errors(c: Criteria) -> dict[str, str]:
    """A message for the form when the round would be too large for its method, else nothing."""
    if c.method != "welfare":
        return {}
    people = await Participant.count().where(_intake_where(c))
    rows = await Opportunity.select(Opportunity.capacity, Opportunity.places_taken).where(_places_where(c))
    places = sum(r["capacity"] - r["places_taken"] for r in rows)
    if fits_welfare(people, places):
        return {}
    return {
        "method": _(
            "The highest-total method handles one intake at a time, and %(people)s people for %(places)s "
            "places are too many. Narrow the intake or choose the stable method."
        )
        % {"people": people, "places": places}
    }


def fits_welfare(people: int, places: int) -> bool:
    """Whether the welfare method's dense people x (places + people) matrix stays within memory.

    Examples
    --------
    >>> fits_welfare(300, 700), fits_welfare(12_500, 20_000)
    (True, False)
    """
    return people * (min(places, people * PREFERENCES) + people) <= WELFARE_CELLS


# --- the computation (CPU-bound: worker threads) -------------------------------------------------


def preference_lists(
    index: matching.OpportunityIndex, people: list[matching.Person]
) -> dict[Hashable, list[matching.Ranked]]:
    """Each person's best :data:`PREFERENCES` feasible opportunities in ``index``, best first, unexplained.

    The allocation needs ids and scores only; :func:`explain_placed` explains the pairs kept.
    """
    return dict(zip([p.id for p in people], index.ranked_many(people, top=PREFERENCES), strict=True))


def explain_placed(
    index: matching.OpportunityIndex,
    people: list[matching.Person],
    lists: Mapping[Hashable, Sequence[matching.Ranked]],
    assignment: Mapping[Hashable, Hashable | None],
) -> dict[Hashable, matching.Match]:
    """The explained match of each placed person: the same :class:`matching.Match` ``index.recommend`` lists.

    Examples
    --------
    >>> from matching import OpportunityIndex, Opportunity, Person
    >>> index = OpportunityIndex([Opportunity("bakery", required_skills=["peka"], capacity=1)])
    >>> people = [Person("ana", skills=["peka"]), Person("ivo", skills=["vrt"])]
    >>> lists = preference_lists(index, people)
    >>> explained = explain_placed(index, people, lists, {"ana": "bakery", "ivo": None})
    >>> list(explained), explained["ana"] == index.recommend(people[0])[0]
    (['ana'], True)
    """
    explained = {}
    for person in people:
        placed = assignment.get(person.id)
        item = next((r for r in lists.get(person.id, ()) if r.opportunity_id == placed), None)
        if item is not None:
            explained[person.id] = index.explain(person, item)
    return explained


def allocate(
    method: str,
    lists: Mapping[Hashable, Sequence[matching.Ranked]],
    capacities: Mapping[Hashable, int],
) -> tuple[dict[Hashable, Hashable | None], matching.AllocationReport]:
    """Allocate people to places from their ranked, feasible lists (``Ranked`` pairs, best first).

    ``"stable"`` runs participant-proposing deferred acceptance; each opportunity prefers the
    people who listed it by the pair's score (ties: the order of ``lists``). People who did not
    list a place never propose to it, so listing only those who did gives the same matching as
    listing every feasible person. ``"welfare"`` maximises the total score of the listed pairs.

    Examples
    --------
    >>> from matching import OpportunityIndex, Opportunity, Person
    >>> index = OpportunityIndex([Opportunity("bakery", required_skills=["peka"], capacity=1)])
    >>> people = [Person("ana", skills=["peka"]), Person("ivo", skills=["vrt"])]
    >>> assignment, report = allocate("stable", preference_lists(index, people), {"bakery": 1})
    >>> assignment, report.placed
    ({'ana': 'bakery', 'ivo': None}, 1)
    """
    prefs = {pid: [m.opportunity_id for m in ms] for pid, ms in lists.items()}
    scores = {pid: {m.opportunity_id: m.score for m in ms} for pid, ms in lists.items()}
    if method == "stable":
        wanted: dict[Hashable, list[tuple[float, int, Hashable]]] = {}
        for order, (pid, ms) in enumerate(lists.items()):
            for m in ms:
                wanted.setdefault(m.opportunity_id, []).append((-m.score, order, pid))
        opportunity_prefs = {oid: [pid for *_, pid in sorted(entries)] for oid, entries in wanted.items()}
        assignment = matching.stable_allocation(prefs, opportunity_prefs, capacities)
    elif method == "welfare":
        assignment = matching.welfare_allocation(scores, capacities)
    else:
        raise ValueError(f"unknown allocation method {method!r}")
    return assignment, matching.allocation_report(assignment, preferences=prefs, scores=scores)


def _proposals(
    round_id: int,
    persons: list[matching.Person],
    lists: Mapping[Hashable, Sequence[matching.Ranked]],
    empty: set[Hashable],
    assignment: Mapping[Hashable, Hashable | None],
    explained: Mapping[Hashable, matching.Match],
) -> list[AllocationProposal]:
    """One proposal per person: the place, its rank in the person's list, and why (``explained``: placed pairs)."""
    rows = []
    for person in persons:
        options = lists.get(person.id, [])
        placed = assignment.get(person.id)
        rank = next((k for k, r in enumerate(options, 1) if r.opportunity_id == placed), None)
        match = explained.get(person.id) if rank is not None else None
        if person.id in empty:
            why = "empty_profile"  # not ranked: the note says so, and nobody gets a confident-looking score
        elif not options:
            why = "no_fit"
        elif match is None:
            why = "taken"
        else:
            why = ""
        explanation = {
            "reasons": _explained(match, person.id in empty) if match else None,
            "unplaced": why,
            "options": [[r.opportunity_id, r.score] for r in options],
        }
        rows.append(
            AllocationProposal(
                allocation_round=round_id,
                participant=person.id,
                opportunity=placed,
                computed_opportunity=placed,
                rank=rank if match else None,
                score=match.score if match else None,
                explanation=json.dumps(explanation),
            )
        )
    return rows


# --- running a round -------------------------------------------------------------------------------


async def start_round(criteria: Criteria, user: CurrentUser) -> int:
    """Record a new round and compute it in the background (awaited under tests); returns its id."""
    round_id = await RUNS.start(
        name=criteria.name,
        method=criteria.method,
        criteria=json.dumps(asdict(criteria)),
        report="{}",
        run_by=user.id,
    )
    await enqueue("round_run", round_id=round_id)
    return round_id


async def send_round(round_id: int, user: CurrentUser, message: str, address: str) -> str | None:
    """Send a reviewed round's proposals as referrals with ``message`` (the default when empty);
    returns the refusal code (``rounds.Refused``) or None. Raises ``rounds.NotFound``."""
    found = await rounds.get_round(round_id)
    text = message.strip()[:2000] or _("Proposed in the allocation round “%(name)s”.") % {"name": found["name"]}
    try:
        # A round whose sending stopped half way (a crash or a restart) is only delivered again: its
        # referrals so far are kept, nobody gets a second one. The delivery is a job (awaited here
        # without a queue); a second enqueue while it is queued or running changes nothing.
        if found["status"] != rounds.SENDING:
            await rounds.begin_sending(round_id, user, text, address=address)
        await enqueue("round_deliver", round_id=round_id)
    except rounds.Refused as refused:
        return refused.code
    return None


async def run_round(round_id: int) -> None:
    """Compute a round stage by stage, writing progress; a failure is stored on the row, never raised."""
    started = time.perf_counter()
    async with RUNS.recorded(round_id, logger, "allocation round"):
        row = await existing(
            AllocationRound.select(AllocationRound.criteria, AllocationRound.method)
            .where(AllocationRound.id == round_id)
            .first()
        )
        criteria = Criteria(**json.loads(row["criteria"]))
        people, places = await _intake(criteria), await _places(criteria)
        scoring = await training.current_scoring()
        await RUNS.progress(round_id, 10)
        # One index per round over its places: the at-scale path (one pass, then fast queries).
        index = await anyio.to_thread.run_sync(
            lambda: matching.OpportunityIndex([records.opportunity(p) for p in places], scoring=scoring)
        )
        await RUNS.progress(round_id, 20)
        persons = [records.person(p) for p in people]
        empty = {p.id for p in persons if profile_is_empty(p)}
        lists: dict[Hashable, list[matching.Ranked]] = {}
        for start in range(0, len(persons), _CHUNK):
            lists.update(await anyio.to_thread.run_sync(preference_lists, index, persons[start : start + _CHUNK]))
            await RUNS.progress(round_id, 20 + 60 * min(len(persons), start + _CHUNK) // max(1, len(persons)))
        # Places an employer offers are only for people who agreed to be shown to employers.
        at_employers = await employer_hosted(place_ids(criteria))
        consenting = await pool.consented([p["id"] for p in people], "employer_profile")
        lists = {
            pid: [m for m in ms if m.opportunity_id not in at_employers or pid in consenting]
            for pid, ms in lists.items()
        }
        capacities = {p["id"]: p["capacity"] - p["places_taken"] for p in places}
        ranked = {pid: ms for pid, ms in lists.items() if pid not in empty}
        assignment, report = await anyio.to_thread.run_sync(allocate, row["method"], ranked, capacities)
        explained = await anyio.to_thread.run_sync(explain_placed, index, persons, lists, assignment)
        await RUNS.progress(round_id, 90)
        proposals = _proposals(round_id, persons, lists, empty, assignment, explained)
        async with DB.transaction():
            for start in range(0, len(proposals), 500):
                await AllocationProposal.insert(*proposals[start : start + 500])
            await RUNS.finish(
                round_id, report=json.dumps(_summary(report, persons, places, capacities, empty, lists, started))
            )


def _summary(
    report: matching.AllocationReport,
    persons: list[matching.Person],
    places: list[dict[str, Any]],
    capacities: Mapping[Hashable, int],
    empty: set[Hashable],
    lists: Mapping[Hashable, Sequence[matching.Ranked]],
    started: float,
) -> dict[str, Any]:
    ranks = Counter(r for r in report.ranks.values() if r is not None)
    return {
        "intake": len(persons),
        "opportunities": len(places),
        "places": sum(capacities.values()),
        "placed": report.placed,
        "unplaced": len(persons) - report.placed,
        "empty_profiles": len(empty),
        "no_fit": sum(1 for p in persons if p.id not in empty and not lists.get(p.id)),
        "ranks": {str(r): ranks[r] for r in sorted(ranks)},
        "mean_rank": None if report.mean_rank is None else round(report.mean_rank, 2),
        "total_score": None if report.total_score is None else round(report.total_score, 3),
        "seconds": round(time.perf_counter() - started, 2),
    }
