"""The fairness report: how suggestions and attention are spread across groups of people, measured, never used.

Groups are the support level, the country, the region, an age band (from the birth year) and the
first language. They are read for this report only: no score, filter or ranking sees them
(``matching`` has no field for them). Per group, over the people the portal suggests places for
(stages profiling to employment) and the open places; at country scale a seeded sample of at most
:data:`SAMPLE` of each, so the report stays a few minutes' work for the training job that makes it:

- **with a suggestion**: the share of people with at least one feasible place;
- **top fit**: the mean fit of their first suggestion, and the share whose first suggestion
  matches one of their skills;
- **exposure**: how often and how high the group's people appear in the top-10 candidate lists
  of the open opportunities (ratio 1.00: the group gets its share of attention);
- **NDCG@10**: how well the weights in use rank each person's finished referrals (lists with
  both a good and a bad outcome only), and on how many lists that rests.

Groups of fewer than :data:`MIN_GROUP` people are folded into "other", so no figure points at a person.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import matching
from matching.metrics import exposure_by_group, ndcg_per_list
from portal.db.tables import Opportunity, Participant
from portal.geo import REGIONS
from portal.matching_service import records
from portal.vocab import split_codes

__all__ = ["GROUPINGS", "MIN_GROUP", "SAMPLE", "FairnessData", "age_band", "compute", "format_report", "gather"]

GROUPINGS = ("support level", "country", "region", "age band", "language")
MIN_GROUP = 5
SAMPLE = 5000
STAGES = ("profiling", "activation", "placement", "employment")
_COUNTRY_OF_REGION = {region: country for country, regions in REGIONS.items() for region in regions}


def age_band(birth_year: int | None, today: dt.date | None = None) -> str:
    """ "under 30", "30-49", "50 and over" or "unknown".

    >>> age_band(2000, dt.date(2026, 1, 1)), age_band(1980, dt.date(2026, 1, 1)), age_band(None)
    ('under 30', '30-49', 'unknown')
    """
    if not birth_year:
        return "unknown"
    age = (today or dt.date.today()).year - int(birth_year)
    return "under 30" if age < 30 else "30-49" if age < 50 else "50 and over"


@dataclass(frozen=True)
class FairnessData:
    """Matching records of the people and open places, each person's groups, and finished referrals."""

    people: dict[int, matching.Person]
    groups: dict[str, dict[int, str]]
    places: list[matching.Opportunity]
    outcomes: list[matching.Outcome]


async def gather(outcomes: list[matching.Outcome], *, sample: int = SAMPLE, seed: int = 0) -> FairnessData:
    """The people in suggestion stages (a seeded sample of ``sample`` at most), their groups, and the open places."""
    ids = [
        r["id"]
        for r in await Participant.select(Participant.id)
        .where(Participant.stage.is_in(list(STAGES)))
        .order_by(Participant.id)
    ]
    if len(ids) > sample:
        ids = sorted(random.Random(seed).sample(ids, sample))
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):  # lists of at most 500 ids, never one that grows with the data
        rows += await Participant.select(
            *records.columns(Participant, records.PERSON_COLUMNS),
            Participant.support_level,
            Participant.region,
            Participant.birth_year,
        ).where(Participant.id.is_in(ids[start : start + 500]))
    places = (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS))
        .where(Opportunity.status == "open")
        .order_by(Opportunity.id)
    )
    if len(places) > sample:
        places = random.Random(seed).sample(places, sample)
    groups = {
        "support level": {r["id"]: r["support_level"] or "unknown" for r in rows},
        "country": {r["id"]: _COUNTRY_OF_REGION.get(r["region"], "unknown") for r in rows},
        "region": {r["id"]: r["region"] or "unknown" for r in rows},
        "age band": {r["id"]: age_band(r["birth_year"]) for r in rows},
        "language": {r["id"]: next(iter(split_codes(r["languages"])), "unknown") for r in rows},
    }
    people = {r["id"]: records.person(r) for r in rows}
    return FairnessData(
        people, groups, [records.opportunity(p) for p in places], [o for o in outcomes if o.person_id in people]
    )


def _folded(groups: Mapping[int, str]) -> dict[Hashable, str]:
    """Groups of fewer than MIN_GROUP people become "other" (and "other" too, if it stays that small)."""
    sizes: dict[str, int] = defaultdict(int)
    for label in groups.values():
        sizes[label] += 1
    return {pid: label if sizes[label] >= MIN_GROUP else "other" for pid, label in groups.items()}


def compute(data: FairnessData, scoring: matching.Scoring, *, k: int = 10) -> dict[str, Any]:
    """The report as JSON-ready data: per grouping, per group, the figures of the module docstring."""
    index = matching.OpportunityIndex(data.places, scoring=scoring)
    # Each person's top suggestion, explained (the report asks whether it matches a skill).
    people = list(data.people.values())
    first: dict[Hashable, matching.Match | None] = {
        person.id: index.explain(person, found[0]) if found else None
        for person, found in zip(people, index.ranked_many(people, top=1), strict=True)
    }
    # Per-opportunity candidate lists over the same people: who gets attention (ids and scores only).
    people_index = matching.PersonIndex(people, scoring=scoring)
    queries, listed, scores = [], [], []
    for place in data.places:
        for item in people_index.ranked(place, top=k):
            queries.append(place.id)
            listed.append(item.person_id)
            scores.append(item.score)
    # Per-person lists of finished referrals, ranked by the weights in use.
    weights = scoring.weights.as_array()
    by_person: dict[Hashable, list[matching.Outcome]] = defaultdict(list)
    for o in data.outcomes:
        by_person[o.person_id].append(o)
    report: dict[str, Any] = {"people": len(data.people), "places": len(data.places), "k": k, "groupings": {}}
    for grouping in GROUPINGS:
        groups = _folded(data.groups[grouping])
        exposure = exposure_by_group(queries, listed, scores, groups, k) if queries else {}
        members: dict[str, list[Hashable]] = defaultdict(list)
        for pid, label in groups.items():
            members[label].append(pid)
        table = {}
        for label, pids in sorted(members.items()):
            if len(pids) < MIN_GROUP:
                continue  # "other" itself too small: left out
            tops = [top for p in pids if (top := first[p]) is not None]
            outcome_lists = [
                (o.person_id, float(o.success), float(np.dot([o.scores[c] for c in matching.COMPONENTS], weights)))
                for p in pids
                for o in by_person.get(p, [])
            ]
            ndcg = (
                ndcg_per_list(
                    [q for q, _, _ in outcome_lists],
                    [y for _, y, _ in outcome_lists],
                    [s for _, _, s in outcome_lists],
                    k,
                )
                if outcome_lists
                else np.empty(0)
            )
            e = exposure.get(label)
            table[label] = {
                "people": len(pids),
                "with_suggestion": len(tops) / len(pids),
                "top_fit": float(np.mean([m.score for m in tops])) if tops else None,
                "top_matches_skill": (sum(1 for m in tops if m.explanation.matched_skills) / len(tops))
                if tops
                else None,
                "exposure_ratio": e.ratio if e else 0.0,
                "in_candidate_lists": e.appearances if e else 0,
                "ndcg": float(ndcg.mean()) if ndcg.size >= MIN_GROUP else None,
                "ndcg_lists": int(ndcg.size),
            }
        report["groupings"][grouping] = table
    return report


def format_report(report: Mapping[str, Any]) -> str:
    """The report as plain text, for the command line."""
    lines = [
        f"Fairness: {report['people']:,} people in suggestion stages, {report['places']:,} open places "
        f"(groups are measured, never used; groups under {MIN_GROUP} people are folded into 'other')."
    ]
    header = f"{'group':<24}{'people':>7}{'with sugg.':>11}{'top fit':>9}{'skill match':>12}{'exposure':>9}{'NDCG@10':>9}{'lists':>6}"
    for grouping, table in report["groupings"].items():
        lines += ["", f"By {grouping}:", header]
        for label, g in table.items():

            def figure(value: float | None, width: int, digits: int = 2) -> str:
                return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

            lines.append(
                f"{label[:23]:<24}{g['people']:>7}{figure(g['with_suggestion'], 11)}{figure(g['top_fit'], 9)}"
                f"{figure(g['top_matches_skill'], 12)}{figure(g['exposure_ratio'], 9)}{figure(g['ndcg'], 9, 3)}"
                f"{g['ndcg_lists']:>6}"
            )
    return "\n".join(lines)
