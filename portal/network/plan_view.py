"""Each what-if planning page's data or change in one call, from plain values; ``NotFound`` for an unknown plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.network import plans
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.outcomes import PageOutcome
from portal.vocab import OPPORTUNITY_KINDS, SUPPORT


def choices() -> dict[str, Any]:
    return {"kinds": OPPORTUNITY_KINDS, "support": SUPPORT, "languages": SPOKEN_LANGUAGES, "countries": COUNTRIES}


async def plan_context(plan_id: int, **extra: Any) -> dict[str, Any]:
    """The names ``network/plan.html`` reads; raises ``plans.NotFound``."""
    context = {"plan": await plans.get(plan_id), "values": {}, "errors": {}, "removal_errors": {}, **choices()}
    return {**context, **extra}


async def create_plan(raw_name: Any, user: CurrentUser) -> PageOutcome:
    """Name a new plan, or the list again with what is wrong with the name."""
    name, errors = plans.clean_name(raw_name)
    if errors:
        return PageOutcome.refuse({"result": await plans.list_plans(1), "values": {"name": name}, "errors": errors})
    return PageOutcome.go(f"/network/plan/{await plans.create(name, user)}")


async def compare_view(ids: list[int | None]) -> dict[str, Any]:
    """Two plans' results side by side; raises ``plans.NotFound`` for a chosen plan that is not there."""
    chosen = [await plans.get(plan_id) for plan_id in ids if plan_id is not None]
    return {"result": await plans.list_plans(1), "chosen": chosen, "a": ids[0], "b": ids[1]}


async def add_place(plan_id: int, values: Mapping[str, Any]) -> PageOutcome:
    """Add a hypothetical place from the form's ``values``, or the plan again with what is wrong."""
    await plans.get(plan_id)
    place, errors = plans.clean_place(values)
    if place is not None:
        errors = await plans.add_place(plan_id, place)
    if errors:
        return PageOutcome.refuse(await plan_context(plan_id, values=dict(values), errors=errors))
    return PageOutcome.go(f"/network/plan/{plan_id}#places")


async def add_removal(plan_id: int, opportunity: Any) -> PageOutcome:
    """Take an opportunity out of the plan's network, or the plan again with what is wrong."""
    await plans.get(plan_id)
    errors = await plans.add_removal(plan_id, opportunity)
    if errors:
        context = await plan_context(plan_id, removal_errors=errors, removal_value=opportunity or "")
        return PageOutcome.refuse(context)
    return PageOutcome.go(f"/network/plan/{plan_id}#removals")


async def drop_place(plan_id: int, place_id: int) -> PageOutcome:
    await plans.get(plan_id)
    await plans.drop_place(plan_id, place_id)
    return PageOutcome.go(f"/network/plan/{plan_id}#places")


async def drop_removal(plan_id: int, removal_id: int) -> PageOutcome:
    await plans.get(plan_id)
    await plans.drop_removal(plan_id, removal_id)
    return PageOutcome.go(f"/network/plan/{plan_id}#removals")


async def run_plan(plan_id: int, *, fragment: bool) -> PageOutcome:
    """Start the plan's run; the polling status bar for a ``fragment``, else back to the plan's results."""
    await plans.get(plan_id)
    await plans.start(plan_id)
    if fragment:
        return PageOutcome.show(await plan_context(plan_id, polling=True))
    return PageOutcome.go(f"/network/plan/{plan_id}#result")
