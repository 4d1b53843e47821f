"""What an indicator section returns (tables with typed columns and a chart kind), and the registry of sections.

A section is a titled group of tables computed from the filters. Other areas add theirs with
``register`` (training adds staff trained and events held); the page, the downloads and the PDF
report show every registered section by its ``order``, without knowing what is in it.

Counts of people are shown suppressed (one to four) and rounded to the nearest five
(:func:`portal.disclosure.rounded`), so that no small count follows from the difference of two figures
shown on different tables, pages, filters or periods. A section writes them with :func:`people` (shares
are then worked out from the rounded figures) and :func:`suppressed` rounds whatever a section left exact.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from portal import cache
from portal.complementary import HIDDEN, Relation, protect
from portal.disclosure import rounded
from portal.i18n import current_language
from portal.indicators.filters import Filters

# Column kinds: "label" (text), "people" (a count of people or of their records: 1-4 suppressed, the rest
# rounded to the nearest 5), "count" (organisations, ties, places offered, events: not about a person, shown
# exactly), "percent" (worked out from the figures as shown), "days" (a median, in whole days).
KINDS = ("label", "people", "count", "percent", "days")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "people"


@dataclass
class IndicatorTable:
    """One table as shown: cells already suppressed (None where a count of 1-4 people was, HIDDEN where a
    larger count would let one be worked out)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: str = "bar"  # "bar", "line", "hbar" or "" for no chart
    note: str = ""
    # The columns the chart draws (keys); all numeric columns but percentages and days when empty.
    series: list[str] = field(default_factory=list)

    def chart_columns(self) -> list[int]:
        if self.series:
            return [i for i, c in enumerate(self.columns) if c.key in self.series]
        return [i for i, c in enumerate(self.columns) if c.kind in ("people", "count")]


@dataclass(frozen=True)
class Section:
    key: str
    title: Callable[[], str]
    build: Callable[[Filters], Awaitable[list[IndicatorTable]]]
    order: int = 50  # where it stands on the page: smaller first


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add a section (or replace one of the same key); SECTIONS stays in page order."""
    SECTIONS[section.key] = section
    ordered = sorted(SECTIONS.values(), key=lambda s: s.order)
    SECTIONS.clear()
    SECTIONS.update((s.key, s) for s in ordered)
    return section


def people(count: int | None) -> int | None:
    """A count of people as it may be shown: None for one to four, else rounded to the nearest five."""
    return rounded(int(count or 0))


def people_protected(
    counts: dict[Any, int], relations: list[Relation], virtual: tuple[Any, ...] = ()
) -> dict[Any, int | str | None]:
    """Counts of people as they may be shown when a reader also knows ``relations`` between them (totals, parts):
    1-4 as None, those hidden so that no such count can be worked out (portal.complementary) as HIDDEN, the
    rest rounded. The exact counts decide what is hidden; a reader sees only the rounded ones."""
    hidden = protect(counts, relations, virtual)
    return {key: HIDDEN if key in hidden else people(count) for key, count in counts.items() if key not in virtual}


def percent(part: int | str | None, whole: int | str | None) -> float | None:
    """A share in percent of two figures as shown (rounded: a share of exact counts would give them back), or
    None when either is suppressed or hidden (the share would give it away) or the whole is zero."""
    if not isinstance(part, int) or not isinstance(whole, int) or whole == 0:
        return None
    return round(100 * part / whole, 1)


def whole_days(days: float) -> int:
    """A median in whole days (half up): a median of an even number of people ends in .5, which would tell
    whether the count behind it is even."""
    return math.floor(days + 0.5)


def suppressed(table: IndicatorTable) -> IndicatorTable:
    """The table with every count of one to four people hidden and every other count of people rounded to the
    nearest five, medians in whole days, whatever its section did: the one gate all figures pass before the
    page, its charts, the files and the report (idempotent: hidden stays hidden, rounded stays the same)."""
    kinds = [column.kind for column in table.columns]
    for row in table.rows:
        for index, kind in enumerate(kinds):
            value = row[index]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if kind == "people":
                row[index] = rounded(int(value))
            elif kind == "days":
                row[index] = whole_days(value)
    return table


# A section's tables for the same filters and language are kept a minute per process: the page, then
# its CSV, XLSX and PDF downloads, are one computation and show exactly the same figures.
KEEP_SECONDS = 60
KEEP_ENTRIES = 64
_kept: dict[tuple[str, Filters, str], tuple[float, list[IndicatorTable]]] = {}
cache.also_forget(_kept.clear)


async def build_section(section: Section, filters: Filters) -> list[IndicatorTable]:
    key = (section.key, filters, current_language())
    now = time.monotonic()
    found = _kept.get(key)
    if found and now - found[0] < KEEP_SECONDS:
        return found[1]
    tables = [suppressed(table) for table in await section.build(filters)]
    if len(_kept) >= KEEP_ENTRIES:
        _kept.pop(min(_kept, key=lambda k: _kept[k][0]))
    _kept[key] = (now, tables)
    return tables


async def build_all(filters: Filters, only: str | None = None) -> list[tuple[Section, list[IndicatorTable]]]:
    """Every section's tables (or one section's), in registration order; the sections' queries run at once
    (each on its own pooled connection on PostgreSQL)."""
    chosen = [section for key, section in SECTIONS.items() if only is None or key == only]
    built = await asyncio.gather(*(build_section(section, filters) for section in chosen))
    return list(zip(chosen, built, strict=True))
