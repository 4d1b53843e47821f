"""Single figures over a period and scope that coordinators set targets for, each from the indicators' own queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from portal.i18n import lazy_gettext as _l
from portal.indicators import partners, people, placements
from portal.indicators.filters import Filters


@dataclass(frozen=True)
class Measure:
    label: object  # a lazy string
    compute: Callable[[Filters], Awaitable[int]]
    personal: bool = True  # a count of people: 1-4 suppressed when shown


async def _entries(f: Filters) -> int:
    return sum(v["entries"] for v in (await people.entries_exits(f)).values())


async def _employment(f: Filters) -> int:
    return sum(v["employment"] for v in (await people.entries_exits(f)).values())


async def _sent(f: Filters) -> int:
    return (await placements.funnel(f))[0]["sent"]


def _outcome(status: str) -> Callable[[Filters], Awaitable[int]]:
    async def compute(f: Filters) -> int:
        return sum(v[status] for v in (await placements.outcomes(f)).values())

    return compute


async def _offered(f: Filters) -> int:
    return sum(int(row["offered"] or 0) for row in await placements.capacity(f))


async def _accepted_introductions(f: Filters) -> int:
    return sum(v["accepted"] for v in (await partners.employer_engagement(f)).values())


def _growth(name: str) -> Callable[[Filters], Awaitable[int]]:
    async def compute(f: Filters) -> int:
        return sum(v[name] for v in (await partners.network_growth(f)).values())

    return compute


async def _new_cross_border_ties(f: Filters) -> int:
    return sum(v["new_ties"] for v in (await partners.cross_border_ties(f)).values())


MEASURES: dict[str, Measure] = {
    "participants_entered": Measure(_l("Cases opened"), _entries),
    "moved_to_employment": Measure(_l("Participants moved to employment"), _employment),
    "referrals_sent": Measure(_l("Referrals sent"), _sent),
    "placements_started": Measure(_l("Placements started"), _outcome("started")),
    "placements_completed": Measure(_l("Placements completed"), _outcome("completed")),
    "hires": Measure(_l("Hires"), _outcome("hired")),
    "introductions_accepted": Measure(_l("Requests to meet accepted"), _accepted_introductions),
    "places_offered": Measure(_l("Places offered"), _offered, personal=False),
    "organisations_new": Measure(_l("New organisations in the network"), _growth("organisations"), personal=False),
    "ties_new": Measure(_l("New ties in the network"), _growth("ties"), personal=False),
    "cross_border_ties_new": Measure(_l("New ties across the border"), _new_cross_border_ties, personal=False),
}


def register_measure(key: str, measure: Measure) -> None:
    """For other areas (training: staff trained, events held) to add what targets may be set for."""
    MEASURES[key] = measure
