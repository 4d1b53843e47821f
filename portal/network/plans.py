"""What-if plans: named sets of hypothetical places and removed opportunities, checked, stored and started.

The computation itself is :mod:`portal.network.plan_runs`, a background job; this module keeps the
plans and their changes, one row per change (two coordinators editing a plan never lose each
other's change), and starts a run with one conditional update, so a plan never runs twice at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.tables import NetworkPlan, NetworkPlanPlace, NetworkPlanRemoval, Opportunity
from portal.geo import find_place
from portal.i18n import gettext as _
from portal.jobs.queue import enqueue
from portal.jobs.runs import Runs
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.pagination import Page, clamp_page
from portal.service_errors import NotFound
from portal.vocab import OPPORTUNITY_KINDS, SUPPORT, split_codes
from portal.web import fields

__all__ = [
    "add_place",
    "add_removal",
    "clean_name",
    "clean_place",
    "create",
    "drop_place",
    "drop_removal",
    "finish",
    "get",
    "list_plans",
    "start",
]

PER_PAGE = 20
# A plan is a sketch, not a register: a few dozen changes are plenty, and keep each run's input small.
MAX_CHANGES = 50
MAX_CAPACITY = 200
MAX_HOURS = 60
# A run that has said nothing for this long died with its process (the job's own timeout is 30 minutes).
STALE_AFTER = dt.timedelta(minutes=35)
RUNS = Runs(NetworkPlan, STALE_AFTER)


def _control_free(text: str) -> bool:
    return not any(ord(ch) < 32 for ch in text)


def clean_name(value: Any) -> tuple[str, dict[str, str]]:
    name = " ".join(str(value or "").split())
    if not name:
        return name, {"name": _("Give the plan a name.")}
    if len(name) > 200:
        return name, {"name": _("Use at most 200 characters.")}
    if not _control_free(name):
        return name, {"name": _("Remove the control characters.")}
    return name, {}


def _number(form: Mapping[str, Any], name: str, low: int, high: int, errors: dict[str, str]) -> int:
    number = fields.integer(form.get(name) or "", low, high, digits_only=True)
    if number is None:
        errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return 0
    return number


def _codes(form: Mapping[str, Any], name: str, known: Mapping[str, Any], errors: dict[str, str]) -> list[str]:
    return sorted(split_codes(fields.codes(form.get(name), known, name, _("Choose from the list."), errors)))


def clean_place(form: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """A hypothetical place from the form (``support_offered`` and ``languages`` lists), or None and messages.

    Examples
    --------
    >>> place, errors = clean_place({"kind": "work_trial", "support_offered": ["transport"], "languages": ["sl"],
    ...     "hours_per_week": "20", "capacity": "3", "country": "SI", "municipality": "Ormož"})
    >>> place["region"], place["capacity"], errors
    ('Podravska', 3, {})
    >>> sorted(clean_place({"kind": "work_trial", "support_offered": ["mentor", "x"], "hours_per_week": "²",
    ...     "capacity": "3", "country": "SI", "municipality": "Ormož"})[1])
    ['hours_per_week', 'support_offered']
    """
    errors: dict[str, str] = {}
    kind = str(form.get("kind") or "")
    if kind not in OPPORTUNITY_KINDS:
        errors["kind"] = _("Choose a kind from the list.")
    support = _codes(form, "support_offered", SUPPORT, errors)
    languages = _codes(form, "languages", SPOKEN_LANGUAGES, errors)
    hours = _number(form, "hours_per_week", 1, MAX_HOURS, errors)
    capacity = _number(form, "capacity", 1, MAX_CAPACITY, errors)
    country = str(form.get("country") or "").upper()
    municipality = " ".join(str(form.get("municipality") or "").split())
    if country not in COUNTRIES:
        errors["country"] = _("Choose a country from the list.")
    found = find_place(country, municipality) if country in COUNTRIES and _control_free(municipality) else None
    if found is None and "country" not in errors:
        errors["municipality"] = _("No municipality of that name in the chosen country.")
    if errors or found is None:
        return None, errors
    return {
        "kind": kind,
        "support_offered": ",".join(support),
        "languages": ",".join(languages),
        "hours_per_week": hours,
        "capacity": capacity,
        "country": found.country,
        "region": found.region,
        "municipality": found.name,
        "latitude": found.latitude,
        "longitude": found.longitude,
    }, {}


async def create(name: str, user: CurrentUser) -> int:
    now = utc_now()
    rows = await NetworkPlan.insert(
        NetworkPlan(name=name, created_by=user.id, created_at=now, updated_at=now, status="draft", error="", result="")
    )
    return int(rows[0]["id"])


async def list_plans(page: int = 1) -> Page:
    """Plans, newest first, with who made them (one page)."""
    total = await NetworkPlan.count()
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await NetworkPlan.select(
            NetworkPlan.id,
            NetworkPlan.name,
            NetworkPlan.status,
            NetworkPlan.created_at,
            NetworkPlan.finished_at,
            NetworkPlan.created_by.display_name.as_alias("created_by_name"),
        )
        .order_by(NetworkPlan.id, ascending=False)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return Page(items=rows, total=total, page=page, per_page=PER_PAGE)


async def get(plan_id: int) -> dict[str, Any]:
    """A plan with its places, its removals (with the opportunities' titles) and its last result."""
    row = (
        await NetworkPlan.select(
            *NetworkPlan.all_columns(), NetworkPlan.created_by.display_name.as_alias("created_by_name")
        )
        .where(NetworkPlan.id == plan_id)
        .first()
    )
    if row is None:
        raise NotFound(plan_id)
    row["places"] = (
        await NetworkPlanPlace.select().where(NetworkPlanPlace.plan == plan_id).order_by(NetworkPlanPlace.id)
    )
    row["removals"] = (
        await NetworkPlanRemoval.select(
            NetworkPlanRemoval.id,
            NetworkPlanRemoval.opportunity,
            NetworkPlanRemoval.opportunity.title.as_alias("title"),
            NetworkPlanRemoval.opportunity.municipality.as_alias("municipality"),
            NetworkPlanRemoval.opportunity._.organisation.name.as_alias("organisation_name"),
        )
        .where(NetworkPlanRemoval.plan == plan_id)
        .order_by(NetworkPlanRemoval.id)
    )
    if RUNS.is_stale(row):
        row.update(status="failed", error=_("The run was interrupted; start it again."))
    row["parsed"] = json.loads(row["result"]) if row["result"] else None
    row["stale"] = (
        row["parsed"] is not None and row["finished_at"] is not None and row["updated_at"] > row["finished_at"]
    )
    return row


async def _changes(plan_id: int) -> int:
    return await NetworkPlanPlace.count().where(
        NetworkPlanPlace.plan == plan_id
    ) + await NetworkPlanRemoval.count().where(NetworkPlanRemoval.plan == plan_id)


async def _touch(plan_id: int) -> None:
    await NetworkPlan.update({NetworkPlan.updated_at: utc_now()}).where(NetworkPlan.id == plan_id)


async def add_place(plan_id: int, place: dict[str, Any]) -> dict[str, str]:
    """Add a hypothetical place; a message per field when the plan is full."""
    await get(plan_id)
    if await _changes(plan_id) >= MAX_CHANGES:
        return {"kind": _("A plan holds at most %(count)s changes.") % {"count": MAX_CHANGES}}
    await NetworkPlanPlace.insert(NetworkPlanPlace(plan=plan_id, **place))
    await _touch(plan_id)
    return {}


async def drop_place(plan_id: int, place_id: int) -> None:
    await NetworkPlanPlace.delete().where((NetworkPlanPlace.plan == plan_id) & (NetworkPlanPlace.id == place_id))
    await _touch(plan_id)


async def add_removal(plan_id: int, raw: Any) -> dict[str, str]:
    """Take an existing open opportunity away in the plan; a message when the number names none."""
    await get(plan_id)
    text = str(raw or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        return {"opportunity": _("Enter the number of an open opportunity.")}
    opportunity = int(text)
    if not await Opportunity.exists().where((Opportunity.id == opportunity) & (Opportunity.status == "open")):
        return {"opportunity": _("No open opportunity has that number.")}
    if await _changes(plan_id) >= MAX_CHANGES:
        return {"opportunity": _("A plan holds at most %(count)s changes.") % {"count": MAX_CHANGES}}
    if not await NetworkPlanRemoval.exists().where(
        (NetworkPlanRemoval.plan == plan_id) & (NetworkPlanRemoval.opportunity == opportunity)
    ):
        await NetworkPlanRemoval.insert(NetworkPlanRemoval(plan=plan_id, opportunity=opportunity))
    await _touch(plan_id)
    return {}


async def drop_removal(plan_id: int, removal_id: int) -> None:
    await NetworkPlanRemoval.delete().where(
        (NetworkPlanRemoval.plan == plan_id) & (NetworkPlanRemoval.id == removal_id)
    )
    await _touch(plan_id)


async def start(plan_id: int) -> bool:
    """Run the plan in the background (awaited under tests); False when it is running already."""
    await get(plan_id)
    if not await RUNS.restart(plan_id):
        return False
    await enqueue("network_plan", plan_id=plan_id)
    return True


async def finish(plan_id: int, result: dict[str, Any]) -> None:
    await RUNS.finish(plan_id, result=json.dumps(result, separators=(",", ":")))
