"""Indicator pages: the coordinators' page with charts and tables, downloads, the PDF report, targets, the public summary.

Everything a page shows is an aggregate computed in the database for the filters in the query
string; counts of one to four people are suppressed before anything is rendered or written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Response, Template

from portal.auth.guards import network_manager, signed_in_user
from portal.db.tables import Organisation
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.indicators import exports, report, sections, targets
from portal.indicators.filters import Filters, clean_filters, month_key
from portal.indicators.measures import MEASURES
from portal.indicators.model import IndicatorTable, build_all
from portal.indicators.summary import summary
from portal.organisations.kinds import COUNTRIES
from portal.organisations.params import PageNumber, RecordId
from portal.organisations.services import organisation_choices
from portal.web.templating import render

REPORT_TARGETS = 100
TableKey = Annotated[str, QueryParameter(min_length=1, max_length=40, description="Which table.")]
OptionalTableKey = Annotated[
    str | None, QueryParameter(min_length=1, max_length=40, description="One table; all of them when left out.")
]
Saved = Annotated[bool, QueryParameter(description="Just saved a target.")]
SHOWN_SECTIONS = sections.__all__  # importing sections registers them


def _choices() -> dict[str, Any]:
    return {
        "countries": COUNTRIES,
        "regions": REGIONS,
        "measure_labels": {key: measure.label for key, measure in MEASURES.items()},
    }


async def _filters(request: Request) -> tuple[Filters, dict[str, str], str]:
    """The filters from the query string, what was wrong with them, and the organisation's name."""
    f, errors = clean_filters(request.query_params)
    name = ""
    if f.organisation:
        row = await Organisation.select(Organisation.name).where(Organisation.id == f.organisation).first()
        if row is None:  # figures of no organisation would read as zeros: show everyone's and say so
            errors["organisation"] = _("Choose an organisation from the list.")
            f = replace(f, organisation=None)
        else:
            name = row["name"]
    return f, errors, name


def _downloads(f: Filters) -> dict[str, str]:
    return {"query": urlencode(f.query())}


async def _table(f: Filters, key: str) -> IndicatorTable:
    for _section, tables in await build_all(f):
        for table in tables:
            if table.key == key:
                return table
    raise NotFoundException("no such indicator table")


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _stem(f: Filters) -> str:
    return f"indicators-{month_key(f.start)}-{month_key(f.last_month)}"


class IndicatorPages(Controller):
    path = "/indicators"
    include_in_schema = False

    @get("/", guards=[network_manager], name="indicators:index")
    async def index(self, request: Request) -> Template:
        f, errors, organisation_name = await _filters(request)
        org_q = request.query_params.get("org_q", "").strip()[:200]
        # At most CHOICES organisations by name (the chosen one always among them): never the whole directory.
        org_choices, org_more = await organisation_choices(org_q, f.organisation)
        context = {
            "filters": f,
            "errors": errors,
            "org_q": org_q,
            "org_choices": org_choices,
            "org_more": org_more,
            "organisation_name": organisation_name,
            "sections": await build_all(f),
            "targets": await targets.targets_for(f),
            "description": exports.describe(f, organisation_name),
            **_downloads(f),
            **_choices(),
        }
        return render(request, "indicators/index.html", context, block="indicators", status_code=422 if errors else 200)

    @get("/data.csv", guards=[network_manager])
    async def csv(self, request: Request, table: TableKey) -> Response:
        f, _errors, _name = await _filters(request)
        found = await _table(f, table)
        return _file(exports.to_csv(found), "text/csv; charset=utf-8", f"{_stem(f)}-{found.key}.csv")

    @get("/data.xlsx", guards=[network_manager])
    async def xlsx(self, request: Request, table: OptionalTableKey = None) -> Response:
        f, _errors, name = await _filters(request)
        if table:
            tables = [await _table(f, table)]
        else:
            tables = [t for _section, found in await build_all(f) for t in found]
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        # Writing the file is CPU work: in a thread, so other requests are not held up meanwhile.
        content = await asyncio.to_thread(exports.to_xlsx, tables, exports.describe(f, name))
        return _file(content, media, f"{_stem(f)}-{table or 'all'}.xlsx")

    @get("/report.pdf", guards=[network_manager])
    async def report(self, request: Request) -> Response:
        f, _errors, name = await _filters(request)
        found = await targets.targets_for(f, per_page=REPORT_TARGETS)
        built = await build_all(f)
        # Laying out the PDF takes about a second: in a thread (it keeps the request's language, a context variable).
        content = await asyncio.to_thread(
            report.render, _("Indicators report"), exports.describe(f, name), built, found["items"]
        )
        return _file(content, "application/pdf", f"{_stem(f)}.pdf")

    @get("/summary", opt={"access": "public"}, name="indicators:summary")
    async def public_summary(self, request: Request) -> Template:
        return render(request, "indicators/summary.html", {**await summary(), "countries_names": COUNTRIES})

    @get("/targets", guards=[network_manager], name="indicators:targets")
    async def targets_page(self, request: Request, page: PageNumber = 1, saved: Saved = False) -> Template:
        context = {**await _targets_context(page), "saved": saved}
        return render(request, "indicators/targets.html", context, block="targets")

    @post("/targets", guards=[network_manager], status_code=303)
    async def create_target(self, request: Request) -> Redirect | Template:
        form = await request.form()
        values, errors = targets.clean_target(form)
        if errors:
            context = await _targets_context(1, {key: form.get(key) for key in form.keys()}, errors)
            return render(request, "indicators/targets.html", context, status_code=422)
        await targets.create_target(values, signed_in_user(request))
        return Redirect(path="/indicators/targets?saved=1", status_code=303)

    @post("/targets/{target_id:int}/delete", guards=[network_manager], status_code=303)
    async def delete_target(self, target_id: RecordId) -> Redirect:
        if not await targets.delete_target(target_id):
            raise NotFoundException("no such target")
        return Redirect(path="/indicators/targets", status_code=303)


async def _targets_context(
    page: int, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    # The list shows every target, whatever its period: a filter over all the years a month may have.
    every = Filters(start=dt.date(2000, 1, 1), end=dt.date(2101, 1, 1))
    return {
        "targets": await targets.targets_for(every, page),
        "values": values or {},
        "errors": errors or {},
        **_choices(),
    }
