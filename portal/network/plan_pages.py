"""What-if planning pages: plans listed and named, their hypothetical places and removals, runs and comparisons.

Coordinators and admins only (the network managers): a plan is a sketch of the network, never
personal data, and its results are counts with the small ones suppressed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.auth.guards import network_manager, signed_in_user
from portal.network import plan_view, plans
from portal.organisations.params import PageNumber, RecordId, is_record_id
from portal.service_errors import NotFound
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render

T = TypeVar("T")
Polling = Annotated[bool, QueryParameter(description="Asked by the polling progress bar.")]
# Text, not a number: the form's empty choice sends "" and must show the page, not an error.
PlanChoice = Annotated[str, QueryParameter(max_length=12, description="A plan's number, or empty.")]


async def _found(made: Awaitable[T]) -> T:
    """The view's answer; a plan that is not there is a 404."""
    try:
        return await made
    except NotFound as exc:
        raise NotFoundException() from exc


async def _plan_context(plan_id: int, **extra: Any) -> dict[str, Any]:
    return await _found(plan_view.plan_context(plan_id, **extra))


def _form_values(form: Any) -> dict[str, Any]:
    return {
        key: (form.getall(key) if key in ("support_offered", "languages") else form.get(key)) for key in form.keys()
    }


class PlanPages(Controller):
    path = "/network/plan"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="network:plans")
    async def index(self, request: Request, page: PageNumber = 1) -> Template:
        context = {"result": await plans.list_plans(page), "values": {}, "errors": {}}
        return render(request, "network/plans.html", context, block="plans")

    @post("/", status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        form = await request.form()
        outcome = await plan_view.create_plan(form.get("name"), signed_in_user(request))
        return answer(request, "network/plans.html", outcome)

    @get("/compare", name="network:plan-compare")
    async def compare(self, request: Request, a: PlanChoice = "", b: PlanChoice = "") -> Template:
        """Two plans' results side by side (each against the network as it was when it ran)."""
        ids = [int(raw) if is_record_id(raw) else None for raw in (a, b)]
        return render(request, "network/plan_compare.html", await _found(plan_view.compare_view(ids)))

    @get("/{plan_id:int}", name="network:plan")
    async def detail(self, request: Request, plan_id: RecordId) -> Template:
        return render(request, "network/plan.html", await _plan_context(plan_id), block="status")

    @get("/{plan_id:int}/status", name="network:plan-status")
    async def status(self, request: Request, plan_id: RecordId, polling: Polling = False) -> Template | Redirect:
        """The run's progress; while it runs, a bar that polls this route and replaces itself."""
        if not is_partial_request(request):
            return Redirect(path=f"/network/plan/{plan_id}", status_code=303)
        context = await _plan_context(plan_id, polling=polling)
        response = render(request, "network/plan.html", context, block="status")
        if polling and context["plan"]["status"] != "running":
            response.headers["HX-Refresh"] = "true"  # the results are in: show the whole page
        return response

    @post("/{plan_id:int}/places", status_code=303)
    async def add_place(self, request: Request, plan_id: RecordId) -> Redirect | Template:
        form = await request.form()
        outcome = await _found(plan_view.add_place(plan_id, _form_values(form)))
        return answer(request, "network/plan.html", outcome)

    @post("/{plan_id:int}/places/{place_id:int}/delete", status_code=303)
    async def drop_place(self, plan_id: RecordId, place_id: RecordId) -> Redirect:
        outcome = await _found(plan_view.drop_place(plan_id, place_id))
        return Redirect(path=outcome.redirect or f"/network/plan/{plan_id}", status_code=303)

    @post("/{plan_id:int}/removals", status_code=303)
    async def add_removal(self, request: Request, plan_id: RecordId) -> Redirect | Template:
        form = await request.form()
        outcome = await _found(plan_view.add_removal(plan_id, form.get("opportunity")))
        return answer(request, "network/plan.html", outcome)

    @post("/{plan_id:int}/removals/{removal_id:int}/delete", status_code=303)
    async def drop_removal(self, plan_id: RecordId, removal_id: RecordId) -> Redirect:
        outcome = await _found(plan_view.drop_removal(plan_id, removal_id))
        return Redirect(path=outcome.redirect or f"/network/plan/{plan_id}", status_code=303)

    @post("/{plan_id:int}/run", status_code=303)
    async def run(self, request: Request, plan_id: RecordId) -> Redirect | Template:
        outcome = await _found(plan_view.run_plan(plan_id, fragment=is_partial_request(request)))
        return answer(request, "network/plan.html", outcome, block="status")
