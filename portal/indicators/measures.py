"""Single figures over a period and scope that coordinators set targets for, each from the indicators' own queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from portal.i18n import lazy_gettext as _l
from portal.indicators import partners, people, placements
from portal.indicators.filters import Filters


@dataclass(frozen=True)
class Measure:
    label: object  # a lazy string
    compute: Callable[[Filters], Awaitable[int]]
    personal: bool = True  # a count of people: 1-4 suppressed, the rest rounded to the nearest 5 when shown
    # The counts the figure is the sum of, as a table of the page shows them for the same period and scope
    # (months, kinds): the figure is hidden where it less the parts shown would give a small one away.
    parts: Callable[[Filters], Awaitable[list[int]]] | None = None


def _summed(parts: Callable[[Filters], Awaitable[list[int]]]) -> Callable[[Filters], Awaitable[int]]:
    async def compute(f: Filters) -> int:
        return sum(await parts(f))

    return compute


def _monthly(module: Any, source: str, name: str) -> Callable[[Filters], Awaitable[list[int]]]:
    """Column ``name`` month by month of the table ``module.source`` computes (looked up when asked)."""

    async def parts(f: Filters) -> list[int]:
        return [values[name] for values in (await getattr(module, source)(f)).values()]

    return parts


async def _sent(f: Filters) -> int:
    return (await placements.funnel(f))[0]["sent"]


def _outcome(status: str) -> Callable[[Filters], Awaitable[list[int]]]:
    async def parts(f: Filters) -> list[int]:
        return [values[status] for values in (await placements.outcomes(f)).values()]

    return parts


async def _offered(f: Filters) -> int:
    return sum(int(row["offered"] or 0) for row in await placements.capacity(f))


def _growth(name: str) -> Callable[[Filters], Awaitable[int]]:
    async def compute(f: Filters) -> int:
        return sum(v[name] for v in (await partners.network_growth(f)).values())

    return compute


async def _new_cross_border_ties(f: Filters) -> int:
    return sum(v["new_ties"] for v in (await partners.cross_border_ties(f)).values())


def _of_parts(label: object, parts: Callable[[Filters], Awaitable[list[int]]]) -> Measure:
    return Measure(label, _summed(parts), parts=parts)


MEASURES: dict[str, Measure] = {
    "participants_entered": _of_parts(_l("Cases opened"), _monthly(people, "entries_exits", "entries")),
    "moved_to_employment": _of_parts(
        _l("Participants moved to employment"), _monthly(people, "entries_exits", "employment")
    ),
    "referrals_sent": Measure(_l("Referrals sent"), _sent),
    "placements_started": _of_parts(_l("Placements started"), _outcome("started")),
    "placements_completed": _of_parts(_l("Placements completed"), _outcome("completed")),
    "hires": _of_parts(_l("Hires"), _outcome("hired")),
    "introductions_accepted": _of_parts(
        _l("Requests to meet accepted"), _monthly(partners, "employer_engagement", "accepted")
    ),
    "places_offered": Measure(_l("Places offered"), _offered, personal=False),
    "organisations_new": Measure(_l("New organisations in the network"), _growth("organisations"), personal=False),
    "ties_new": Measure(_l("New ties in the network"), _growth("ties"), personal=False),
    "cross_border_ties_new": Measure(_l("New ties across the border"), _new_cross_border_ties, personal=False),
}


def register_measure(key: str, measure: Measure) -> None:
    """For other areas (training: staff trained, events held) to add what targets may be set for."""
    MEASURES[key] = measure
