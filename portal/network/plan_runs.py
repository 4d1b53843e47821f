"""Running a what-if plan off the request path: the network as it is, and as the plan would make it, side by side.

Both sides are computed the same way: who among the active participants has a feasible open
place (:func:`matching.feasibility.feasibility`), and the stable allocation an allocation round
would propose for the current intake (the same intake, preference lists, consent rule and
:func:`portal.matching_service.round_runs.allocate` as a round): how many are placed, the mean
rank of their places in their own lists, and the mean distance to them. The plan's hypothetical
places stand at their municipality's centre with no dates and no places taken; removed
opportunities are left out. The CPU-bound steps run in worker threads; progress goes on the row.
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import anyio

import matching
from matching.feasibility import feasibility
from network.needs import suppress
from portal.db.tables import NetworkPlanPlace, NetworkPlanRemoval
from portal.disclosure import SMALLEST_SHOWN
from portal.employers import pool
from portal.jobs.runs import RUNNING
from portal.matching_service import records, round_runs, training
from portal.matching_service.rounds import Criteria, employer_hosted
from portal.matching_service.services import profile_is_empty
from portal.network import needs, plans

__all__ = ["PlanData", "after", "assemble", "before", "compare", "job", "run"]

logger = logging.getLogger(__name__)

# The active participants whose feasibility is counted: those still looking for a place.
ACTIVE_STAGES = ("intake", "profiling", "activation", "placement")
# The intake of the allocation: as a round with the default criteria (stage "activation", every open place).
INTAKE = Criteria(name="plan")
_CHUNK = 500


@dataclass
class PlanData:
    """Everything a plan's comparison reads, loaded once; the sides differ only in their places."""

    needs: needs.NeedsInput
    intake: list[dict[str, Any]]  # PERSON_COLUMNS rows of the allocation's intake
    places: list[dict[str, Any]]  # OPPORTUNITY_COLUMNS rows open with places left (net of waiting referrals)
    added: list[dict[str, Any]]  # the plan's hypothetical places (NetworkPlanPlace rows)
    removed: set[int]
    employer_places: set[int]
    consenting: set[int]
    scoring: matching.Scoring


def hypothetical(row: Mapping[str, Any]) -> dict[str, Any]:
    """A plan's place as an opportunity row (negative id: never an existing opportunity's)."""
    return {
        "id": -int(row["id"]),
        "organisation": None,
        "required_skills": "[]",
        "optional_skills": "[]",
        "sector": "",
        "languages": row["languages"],
        "hours_per_week": row["hours_per_week"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "support_offered": row["support_offered"],
        "starts_on": None,
        "ends_on": None,
        "capacity": row["capacity"],
        "places_taken": 0,
        "status": "open",
    }


def _feasible_side(data: PlanData, places: list[dict[str, Any]]) -> tuple[int, Counter]:
    result = feasibility([needs.person(row) for row in data.needs.people], [needs.place(row) for row in places])
    by_region: Counter = Counter()
    for row, ok in zip(data.needs.people, result.feasible.tolist(), strict=True):
        if not ok:
            by_region[row["region"]] += 1
    return result.unserved, by_region


def _allocation_side(
    data: PlanData, places: list[dict[str, Any]], region_of: Mapping[int, str]
) -> tuple[dict[str, Any], Counter]:
    index = matching.OpportunityIndex([records.opportunity(p) for p in places], scoring=data.scoring)
    persons = [records.person(p) for p in data.intake]
    lists: dict[Hashable, list[matching.Ranked]] = {}
    for start in range(0, len(persons), _CHUNK):
        lists.update(round_runs.preference_lists(index, persons[start : start + _CHUNK]))
    lists = {
        pid: [m for m in ms if m.opportunity_id not in data.employer_places or pid in data.consenting]
        for pid, ms in lists.items()
    }
    empty = {p.id for p in persons if profile_is_empty(p)}
    ranked = {pid: ms for pid, ms in lists.items() if pid not in empty}
    capacities = {p["id"]: p["capacity"] - p["places_taken"] for p in places}
    assignment, report = round_runs.allocate("stable", ranked, capacities)
    distances = []
    placed_by_region: Counter = Counter()
    for pid, oid in assignment.items():
        if oid is None:
            continue
        placed_by_region[region_of.get(cast(int, pid), "")] += 1  # the intake's ids are ints
        km = next((m.distance_km for m in ranked[pid] if m.opportunity_id == oid), None)
        if km is not None:
            distances.append(km)
    figures = {
        "intake": len(persons),
        "placed": report.placed,
        "mean_rank": None if report.mean_rank is None else round(report.mean_rank, 2),
        "mean_km": round(statistics.fmean(distances), 1) if distances else None,
    }
    return figures, placed_by_region


def _side(data: PlanData, places: list[dict[str, Any]], region_of: Mapping[int, str]) -> tuple[dict, Counter, Counter]:
    without, without_by_region = _feasible_side(data, places)
    figures, placed_by_region = _allocation_side(data, places, region_of)
    return (
        {"participants": len(data.needs.people), "without_place": without, **figures},
        without_by_region,
        placed_by_region,
    )


def before(data: PlanData) -> tuple[dict, Counter, Counter]:
    """The network as it is."""
    return _side(data, data.places, {row["id"]: row["region"] for row in data.needs.people})


def after(data: PlanData) -> tuple[dict, Counter, Counter]:
    """The network as the plan would make it: its removals left out, its places added."""
    added = [hypothetical(row) for row in data.added]
    changed = needs.NeedsInput(
        people=data.needs.people,
        places=[p for p in data.needs.places if p["id"] not in data.removed] + added,
        offered=data.needs.offered,
    )
    places = [p for p in data.places if p["id"] not in data.removed] + added
    return _side(
        PlanData(**{**data.__dict__, "needs": changed}), places, {r["id"]: r["region"] for r in data.needs.people}
    )


def assemble(data: PlanData, old: tuple[dict, Counter, Counter], new: tuple[dict, Counter, Counter]) -> dict[str, Any]:
    """Before and after: totals, and each region where something changes (counts below 5 suppressed)."""
    (totals_before, without_before, placed_before), (totals_after, without_after, placed_after) = old, new
    regions = []
    for region in sorted(set(without_before) | set(without_after) | set(placed_before) | set(placed_after)):
        numbers = (without_before[region], without_after[region], placed_before[region], placed_after[region])
        if numbers[0] != numbers[1] or numbers[2] != numbers[3]:
            regions.append(
                {
                    "region": region,
                    "without_before": suppress(numbers[0], SMALLEST_SHOWN),
                    "without_after": suppress(numbers[1], SMALLEST_SHOWN),
                    "placed_before": suppress(numbers[2], SMALLEST_SHOWN),
                    "placed_after": suppress(numbers[3], SMALLEST_SHOWN),
                }
            )
    counts = ("participants", "without_place", "intake", "placed")

    def shown(totals: dict[str, Any]) -> dict[str, Any]:
        return {k: suppress(v, SMALLEST_SHOWN) if k in counts else v for k, v in totals.items()}

    return {
        "before": shown(totals_before),
        "after": shown(totals_after),
        "regions": regions,
        "added": len(data.added),
        "removed": len(data.removed),
    }


def compare(data: PlanData) -> dict[str, Any]:
    """Both sides at once (the command line, the bench and tests; the job runs them step by step)."""
    return assemble(data, before(data), after(data))


async def load(plan_id: int) -> PlanData:
    data = await needs.load(ACTIVE_STAGES)
    intake = await round_runs._intake(INTAKE)
    places = await round_runs._places(INTAKE)
    added = await NetworkPlanPlace.select().where(NetworkPlanPlace.plan == plan_id).order_by(NetworkPlanPlace.id)
    removed = {
        row["opportunity"]
        for row in await NetworkPlanRemoval.select(NetworkPlanRemoval.opportunity).where(
            NetworkPlanRemoval.plan == plan_id
        )
    }
    return PlanData(
        needs=data,
        intake=intake,
        places=places,
        added=added,
        removed=removed,
        employer_places=await employer_hosted(round_runs.place_ids(INTAKE)),
        consenting=await pool.consented([p["id"] for p in intake], "employer_profile"),
        scoring=await training.current_scoring(),
    )


async def run(plan_id: int) -> None:
    """Compute a plan, writing progress; a failure is stored on the row, never raised."""
    async with plans.RUNS.recorded(plan_id, logger, "network plan"):
        data = await load(plan_id)
        await plans.RUNS.progress(plan_id, 10)
        old = await anyio.to_thread.run_sync(before, data)
        await plans.RUNS.progress(plan_id, 55)
        new = await anyio.to_thread.run_sync(after, data)
        await plans.RUNS.progress(plan_id, 95)
        result = assemble(data, old, new)
        await plans.finish(plan_id, result)


async def job(plan_id: int) -> dict[str, Any]:
    """The job the registry names: runs a plan that is still ``running`` (a retry computes it afresh)."""
    status = await plans.RUNS.status_of(plan_id)
    if status != RUNNING:
        return {"skipped": status or "missing"}
    await run(plan_id)
    return {"plan": plan_id}
