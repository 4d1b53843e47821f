"""The indicator pages' data in one call each: the page (filters, targets, sections), a table or all as a file, the PDF report."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from portal.auth.current_user import CurrentUser
from portal.db.tables import Organisation
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.indicators import exports, targets
from portal.indicators.filters import Filters, clean_filters, month_key
from portal.indicators.measures import MEASURES
from portal.indicators.model import IndicatorTable, Section, build_all
from portal.organisations.kinds import COUNTRIES
from portal.organisations.services import organisation_choices
from portal.outcomes import PageOutcome

REPORT_TARGETS = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NoSuchTable(LookupError):
    """A download asked for a table no section has."""


def choices() -> dict[str, Any]:
    """The code → name lists the indicator and target pages show."""
    return {
        "countries": COUNTRIES,
        "regions": REGIONS,
        "measure_labels": {key: measure.label for key, measure in MEASURES.items()},
    }


@dataclass(frozen=True)
class Scope:
    """The filters read from a query, what was wrong with them, and the chosen organisation's name."""

    filters: Filters
    errors: dict[str, str]
    organisation_name: str

    @property
    def description(self) -> str:
        return exports.describe(self.filters, self.organisation_name)

    @property
    def stem(self) -> str:
        return f"indicators-{month_key(self.filters.start)}-{month_key(self.filters.last_month)}"


async def scope(query: Mapping[str, Any]) -> Scope:
    """The filters from a query string; an organisation that does not exist is named as an error and left out."""
    f, errors = clean_filters(query)
    name = ""
    if f.organisation:
        row = await Organisation.select(Organisation.name).where(Organisation.id == f.organisation).first()
        if row is None:  # figures of no organisation would read as zeros: show everyone's and say so
            errors["organisation"] = _("Choose an organisation from the list.")
            f = replace(f, organisation=None)
        else:
            name = row["name"]
    return Scope(f, errors, name)


@dataclass(frozen=True)
class IndicatorsView:
    """Everything the indicators page shows for one query."""

    scope: Scope
    org_q: str
    org_choices: list[dict[str, Any]]
    org_more: bool
    sections: list[tuple[Section, list[IndicatorTable]]]
    targets: dict[str, Any]

    @property
    def status_code(self) -> int:
        return 422 if self.scope.errors else 200

    def template_context(self) -> dict[str, Any]:
        """The names ``indicators/index.html`` reads."""
        return {
            "filters": self.scope.filters,
            "errors": self.scope.errors,
            "org_q": self.org_q,
            "org_choices": self.org_choices,
            "org_more": self.org_more,
            "organisation_name": self.scope.organisation_name,
            "sections": self.sections,
            "targets": self.targets,
            "description": self.scope.description,
            "disclosure_note": exports.disclosure_note(),
            "query": urlencode(self.scope.filters.query()),
            **choices(),
        }


async def indicators_view(query: Mapping[str, Any]) -> IndicatorsView:
    """The indicators page for the filters (and the organisation search ``org_q``) in ``query``."""
    found = await scope(query)
    raw_q = query.get("org_q")
    org_q = raw_q.strip()[:200] if isinstance(raw_q, str) else ""
    # At most CHOICES organisations by name (the chosen one always among them): never the whole directory.
    org_choices, org_more = await organisation_choices(org_q, found.filters.organisation)
    return IndicatorsView(
        scope=found,
        org_q=org_q,
        org_choices=org_choices,
        org_more=org_more,
        sections=await build_all(found.filters),
        targets=await targets.targets_for(found.filters),
    )


@dataclass(frozen=True)
class IndicatorFile:
    """A download: its bytes, media type and file name."""

    content: bytes
    media_type: str
    name: str


async def _table(f: Filters, key: str) -> IndicatorTable:
    for _section, tables in await build_all(f):
        for table in tables:
            if table.key == key:
                return table
    raise NoSuchTable(key)


async def csv_file(query: Mapping[str, Any], table: str) -> IndicatorFile:
    """One table as CSV; raises NoSuchTable."""
    found = await scope(query)
    chosen = await _table(found.filters, table)
    return IndicatorFile(exports.to_csv(chosen), "text/csv; charset=utf-8", f"{found.stem}-{chosen.key}.csv")


async def xlsx_file(query: Mapping[str, Any], table: str | None = None) -> IndicatorFile:
    """One table, or every table (one sheet each), as XLSX; raises NoSuchTable."""
    found = await scope(query)
    if table:
        tables = [await _table(found.filters, table)]
    else:
        tables = [t for _section, built in await build_all(found.filters) for t in built]
    # Writing the file is CPU work: in a thread, so other requests are not held up meanwhile.
    content = await asyncio.to_thread(exports.to_xlsx, tables, found.description)
    return IndicatorFile(content, XLSX, f"{found.stem}-{table or 'all'}.xlsx")


async def report_file(query: Mapping[str, Any]) -> IndicatorFile:
    """The period report (PDF): the targets of the period with their actual figures, then every section."""
    found = await scope(query)
    listed = await targets.targets_for(found.filters, per_page=REPORT_TARGETS)
    built = await build_all(found.filters)
    # Imported when a report is first asked for: fpdf and the font tools it loads are 32 MB that every
    # web worker would otherwise hold from its start.
    from portal.indicators import report

    # Laying out the PDF takes about a second: in a thread (it keeps the request's language, a context variable).
    content = await asyncio.to_thread(report.render, _("Indicators report"), found.description, built, listed["items"])
    return IndicatorFile(content, "application/pdf", f"{found.stem}.pdf")


async def targets_context(
    page: int, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """The names ``indicators/targets.html`` reads: one page of every target, and the form."""
    # The list shows every target, whatever its period: a filter over all the years a month may have.
    every = Filters(start=dt.date(2000, 1, 1), end=dt.date(2101, 1, 1))
    return {
        "targets": await targets.targets_for(every, page),
        "values": values or {},
        "errors": errors or {},
        **choices(),
    }


async def create_target(form: Mapping[str, Any], user: CurrentUser) -> PageOutcome:
    """Store a target from the form, or the targets page again with what is wrong (nothing stored)."""
    values, errors = targets.clean_target(form)
    if errors:
        return PageOutcome.refuse(await targets_context(1, {key: form.get(key) for key in form.keys()}, errors))
    await targets.create_target(values, user)
    return PageOutcome.go("/indicators/targets?saved=1")
