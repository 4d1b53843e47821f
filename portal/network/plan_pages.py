"""What-if planning pages: plans listed and named, their hypothetical places and removals, runs and comparisons.

Coordinators and admins only (the network managers): a plan is a sketch of the network, never
personal data, and its results are counts with the small ones suppressed.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.auth.guards import network_manager, signed_in_user
from portal.network import plans
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.organisations.params import PageNumber, RecordId, is_record_id
from portal.service_errors import NotFound
from portal.vocab import OPPORTUNITY_KINDS, SUPPORT
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling progress bar.")]
# Text, not a number: the form's empty choice sends "" and must show the page, not an error.
PlanChoice = Annotated[str, QueryParameter(max_length=12, description="A plan's number, or empty.")]


def _choices() -> dict[str, Any]:
    return {"kinds": OPPORTUNITY_KINDS, "support": SUPPORT, "languages": SPOKEN_LANGUAGES, "countries": COUNTRIES}


async def _plan(plan_id: int) -> dict[str, Any]:
    try:
        return await plans.get(plan_id)
    except NotFound as exc:
        raise NotFoundException() from exc


async def _plan_context(plan_id: int, **extra: Any) -> dict[str, Any]:
    context = {"plan": await _plan(plan_id), "values": {}, "errors": {}, "removal_errors": {}, **_choices()}
    return {**context, **extra}


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
        name, errors = plans.clean_name(form.get("name"))
        if errors:
            context = {"result": await plans.list_plans(1), "values": {"name": name}, "errors": errors}
            return render(request, "network/plans.html", context, status_code=422)
        plan_id = await plans.create(name, signed_in_user(request))
        return Redirect(path=f"/network/plan/{plan_id}", status_code=303)

    @get("/compare", name="network:plan-compare")
    async def compare(self, request: Request, a: PlanChoice = "", b: PlanChoice = "") -> Template:
        """Two plans' results side by side (each against the network as it was when it ran)."""
        ids = [int(raw) if is_record_id(raw) else None for raw in (a, b)]
        chosen = [await _plan(plan_id) for plan_id in ids if plan_id is not None]
        context = {"result": await plans.list_plans(1), "chosen": chosen, "a": ids[0], "b": ids[1]}
        return render(request, "network/plan_compare.html", context)

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
        await _plan(plan_id)
        form = await request.form()
        values = _form_values(form)
        place, errors = plans.clean_place(values)
        if place is not None:
            errors = await plans.add_place(plan_id, place)
        if errors:
            context = await _plan_context(plan_id, values=values, errors=errors)
            return render(request, "network/plan.html", context, status_code=422)
        return Redirect(path=f"/network/plan/{plan_id}#places", status_code=303)

    @post("/{plan_id:int}/places/{place_id:int}/delete", status_code=303)
    async def drop_place(self, plan_id: RecordId, place_id: RecordId) -> Redirect:
        await _plan(plan_id)
        await plans.drop_place(plan_id, place_id)
        return Redirect(path=f"/network/plan/{plan_id}#places", status_code=303)

    @post("/{plan_id:int}/removals", status_code=303)
    async def add_removal(self, request: Request, plan_id: RecordId) -> Redirect | Template:
        await _plan(plan_id)
        form = await request.form()
        errors = await plans.add_removal(plan_id, form.get("opportunity"))
        if errors:
            context = await _plan_context(plan_id, removal_errors=errors, removal_value=form.get("opportunity") or "")
            return render(request, "network/plan.html", context, status_code=422)
        return Redirect(path=f"/network/plan/{plan_id}#removals", status_code=303)

    @post("/{plan_id:int}/removals/{removal_id:int}/delete", status_code=303)
    async def drop_removal(self, plan_id: RecordId, removal_id: RecordId) -> Redirect:
        await _plan(plan_id)
        await plans.drop_removal(plan_id, removal_id)
        return Redirect(path=f"/network/plan/{plan_id}#removals", status_code=303)

    @post("/{plan_id:int}/run", status_code=303)
    async def run(self, request: Request, plan_id: RecordId) -> Redirect | Template:
        await _plan(plan_id)
        await plans.start(plan_id)
        if is_partial_request(request):
            return render(request, "network/plan.html", await _plan_context(plan_id, polling=True), block="status")
        return Redirect(path=f"/network/plan/{plan_id}#result", status_code=303)
