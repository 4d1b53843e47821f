"""Indicator pages: the coordinators' page with charts and tables, downloads, the PDF report, targets, the public summary.

Everything a page shows is an aggregate computed in the database for the filters in the query
string; counts of one to four people are suppressed, and other counts of people rounded to the nearest
five, before anything is rendered or written. Each page makes one call to ``portal.indicators.view``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Response, Template

from portal.auth.guards import network_manager, signed_in_user
from portal.indicators import sections, targets, view
from portal.indicators.summary import summary
from portal.organisations.kinds import COUNTRIES
from portal.organisations.params import PageNumber, RecordId
from portal.web.outcomes import answer
from portal.web.templating import render

TableKey = Annotated[str, QueryParameter(min_length=1, max_length=40, description="Which table.")]
OptionalTableKey = Annotated[
    str | None, QueryParameter(min_length=1, max_length=40, description="One table; all of them when left out.")
]
Saved = Annotated[bool, QueryParameter(description="Just saved a target.")]
SHOWN_SECTIONS = sections.__all__  # importing sections registers them


def _query(request: Request) -> dict[str, Any]:
    return dict(request.query_params)


async def _file(made: Awaitable[view.IndicatorFile]) -> Response:
    """A download the view makes, or 404 for a table no section has."""
    try:
        found = await made
    except view.NoSuchTable as exc:
        raise NotFoundException("no such indicator table") from exc
    return Response(
        content=found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.name}"'},
    )


class IndicatorPages(Controller):
    path = "/indicators"
    include_in_schema = False

    @get("/", guards=[network_manager], name="indicators:index")
    async def index(self, request: Request) -> Template:
        page = await view.indicators_view(_query(request))
        return render(
            request, "indicators/index.html", page.template_context(), block="indicators", status_code=page.status_code
        )

    @get("/data.csv", guards=[network_manager])
    async def csv(self, request: Request, table: TableKey) -> Response:
        return await _file(view.csv_file(_query(request), table))

    @get("/data.xlsx", guards=[network_manager])
    async def xlsx(self, request: Request, table: OptionalTableKey = None) -> Response:
        return await _file(view.xlsx_file(_query(request), table))

    @get("/report.pdf", guards=[network_manager])
    async def report(self, request: Request) -> Response:
        return await _file(view.report_file(_query(request)))

    @get("/summary", opt={"access": "public"}, name="indicators:summary")
    async def public_summary(self, request: Request) -> Template:
        return render(request, "indicators/summary.html", {**await summary(), "countries_names": COUNTRIES})

    @get("/targets", guards=[network_manager], name="indicators:targets")
    async def targets_page(self, request: Request, page: PageNumber = 1, saved: Saved = False) -> Template:
        context = {**await view.targets_context(page), "saved": saved}
        return render(request, "indicators/targets.html", context, block="targets")

    @post("/targets", guards=[network_manager], status_code=303)
    async def create_target(self, request: Request) -> Redirect | Template:
        form = await request.form()
        return answer(request, "indicators/targets.html", await view.create_target(form, signed_in_user(request)))

    @post("/targets/{target_id:int}/delete", guards=[network_manager], status_code=303)
    async def delete_target(self, target_id: RecordId) -> Redirect:
        if not await targets.delete_target(target_id):
            raise NotFoundException("no such target")
        return Redirect(path="/indicators/targets", status_code=303)
