"""Training indicators as SQL aggregates: staff trained per institution and region, events held and attendance per month.

"Trained" means attended at least one module (attendance recorded as present, place not cancelled).
A person is their account, or for external people their e-mail address (or, without one, their
registration): someone who attended three modules counts once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from portal.clock import utc_now
from portal.db.tables import IndicatorTarget, TrainingRegistration
from portal.indicators.filters import Filters, next_month
from portal.indicators.sql import Where, month_of
from portal.pagination import Page, clamp_page
from portal.settings import get_settings

PER_PAGE = 25
# The months the table over time shows, up to the current one.
MONTHS = 24
TARGET_INDICATOR = "staff_trained"

_PERSON = (
    'CASE WHEN r."user" IS NOT NULL THEN \'u\' || CAST(r."user" AS VARCHAR(20)) '
    "WHEN r.email <> '' THEN 'e' || lower(r.email) ELSE 'r' || CAST(r.id AS VARCHAR(20)) END"
)
_FROM = (
    "FROM training_registration r JOIN training_event e ON e.id = r.event "
    "LEFT JOIN organisation o ON o.id = r.organisation"
)
_TRAINED = "r.attended = {} AND r.status <> 'cancelled' AND e.kind = 'module'"


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await TrainingRegistration.raw(sql, *args)


async def trained_total() -> int:
    """People trained in all."""
    rows = await _rows(f"SELECT COUNT(DISTINCT {_PERSON}) AS n {_FROM} WHERE {_TRAINED}", True)
    return int(rows[0]["n"] or 0)


async def by_region() -> list[dict[str, Any]]:
    """Per country and region of the trained people's institutions: people trained and institutions with any.

    People without a known institution form one row with an empty region."""
    return await _rows(
        f"SELECT COALESCE(o.country, '') AS country, COALESCE(o.region, '') AS region, "
        f"COUNT(DISTINCT {_PERSON}) AS people, COUNT(DISTINCT r.organisation) AS institutions "
        f"{_FROM} WHERE {_TRAINED} GROUP BY COALESCE(o.country, ''), COALESCE(o.region, '') "
        "ORDER BY 1, 2 LIMIT 500",
        True,
    )


async def by_institution(page: int, per_page: int = PER_PAGE) -> Page:
    """Institutions whose staff attended modules, most people trained first (then by name and id), a page at a time."""
    total_rows = await _rows(
        f"SELECT COUNT(DISTINCT r.organisation) AS n {_FROM} WHERE {_TRAINED} AND r.organisation IS NOT NULL", True
    )
    total = int(total_rows[0]["n"] or 0)
    page = clamp_page(page, total, per_page)
    rows = await _rows(
        f"SELECT o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, o.region AS region, "
        f"COUNT(DISTINCT {_PERSON}) AS people, COUNT(DISTINCT r.event) AS modules "
        f"{_FROM} WHERE {_TRAINED} AND r.organisation IS NOT NULL "
        "GROUP BY o.id, o.name, o.kind, o.country, o.region "
        "ORDER BY people DESC, o.name, o.id LIMIT {} OFFSET {}",
        True,
        per_page,
        (page - 1) * per_page,
    )
    return Page(items=rows, total=total, page=page, per_page=per_page)


async def trained_staff(page: int, per_page: int = PER_PAGE) -> Page:
    """Staff accounts with at least one module attended: name, institution, region, modules; by name and id."""
    total_rows = await _rows(f'SELECT COUNT(DISTINCT r."user") AS n {_FROM} WHERE {_TRAINED}', True)
    total = int(total_rows[0]["n"] or 0)
    page = clamp_page(page, total, per_page)
    rows = await _rows(
        "SELECT u.id AS id, u.display_name AS name, uo.name AS organisation, uo.region AS region, "
        "uo.country AS country, COUNT(DISTINCT r.event) AS modules, MAX(e.starts_at) AS last_module "
        f'{_FROM} JOIN portal_user u ON u.id = r."user" JOIN organisation uo ON uo.id = u.organisation '
        f"WHERE {_TRAINED} GROUP BY u.id, u.display_name, uo.name, uo.region, uo.country "
        "ORDER BY u.display_name, u.id LIMIT {} OFFSET {}",
        True,
        per_page,
        (page - 1) * per_page,
    )
    return Page(items=rows, total=total, page=page, per_page=per_page)


def last_months(count: int = MONTHS, today: dt.date | None = None) -> Filters:
    """The filters of the last ``count`` months up to and including the current one, everywhere."""
    today = today or utc_now().date()
    first = dt.date(today.year, today.month, 1)
    for _ in range(count - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return Filters(start=first, end=next_month(dt.date(today.year, today.month, 1)))


def _scoped(where: Where, f: Filters, organisation: str = "o") -> Where:
    """The people's institution in the filtered country, region, or the institution itself."""
    if f.country:
        where.add(f"{organisation}.country = {{}}", f.country)
    if f.region:
        where.add(f"{organisation}.region = {{}}", f.region)
    if f.organisation:
        where.add(f"{organisation}.id = {{}}", f.organisation)
    return where


async def over_time(f: Filters) -> list[dict[str, Any]]:
    """Per month of ``f``: events held (published, started before now; in the country or region, or organised
    by the institution), attendances, people trained for the first time, and people trained by the month's end."""
    month = month_of("e.starts_at")
    held_where = Where().add("e.status = 'published'").add("e.starts_at >= {}", f.start_at)
    held_where.add("e.starts_at < {}", min(f.end_at, utc_now()))
    if f.country:
        held_where.add("e.country = {}", f.country)
    if f.region:
        held_where.add("e.region = {}", f.region)
    if f.organisation:
        held_where.add(
            "EXISTS (SELECT 1 FROM training_event_organiser eo WHERE eo.event = e.id AND eo.organisation = {})",
            f.organisation,
        )
    held = await _rows(
        f"SELECT {month} AS month, COUNT(*) AS n FROM training_event e WHERE {held_where.sql} GROUP BY 1",
        *held_where.args,
    )
    attended_where = _scoped(Where().add("r.attended = {}", True).add("r.status <> 'cancelled'"), f)
    attended_where.add("e.starts_at >= {}", f.start_at).add("e.starts_at < {}", f.end_at)
    attended = await _rows(
        f"SELECT {month} AS month, COUNT(*) AS n {_FROM} WHERE {attended_where.sql} GROUP BY 1",
        *attended_where.args,
    )
    trained_where = _scoped(Where().add(_TRAINED, True).add("e.starts_at < {}", f.end_at), f)
    first = await _rows(
        f"SELECT first_month AS month, COUNT(*) AS n FROM (SELECT {_PERSON} AS person, MIN({month}) AS first_month "
        f"{_FROM} WHERE {trained_where.sql} GROUP BY 1) firsts GROUP BY first_month",
        *trained_where.args,
    )
    keys = f.months
    held_by = {row["month"]: int(row["n"]) for row in held}
    attended_by = {row["month"]: int(row["n"]) for row in attended}
    first_by = {row["month"]: int(row["n"]) for row in first}
    running = sum(n for key, n in first_by.items() if key < keys[0])
    result = []
    for key in keys:
        running += first_by.get(key, 0)
        result.append(
            {
                "month": key,
                "events": held_by.get(key, 0),
                "attendances": attended_by.get(key, 0),
                "newly_trained": first_by.get(key, 0),
                "trained": running,
            }
        )
    return result


async def trained_in(f: Filters) -> int:
    """People who completed a module in the period of ``f``, in its scope (the indicator targets are set for)."""
    where = _scoped(Where().add(_TRAINED, True).add("e.starts_at >= {}", f.start_at), f)
    where.add("e.starts_at < {}", f.end_at)
    rows = await _rows(f"SELECT COUNT(DISTINCT {_PERSON}) AS n {_FROM} WHERE {where.sql}", *where.args)
    return int(rows[0]["n"] or 0)


async def regions_in(f: Filters) -> list[dict[str, Any]]:
    """Per country and region: people who completed a module in the period, and their institutions."""
    where = _scoped(Where().add(_TRAINED, True).add("e.starts_at >= {}", f.start_at), f)
    where.add("e.starts_at < {}", f.end_at)
    return await _rows(
        f"SELECT COALESCE(o.country, '') AS country, COALESCE(o.region, '') AS region, "
        f"COUNT(DISTINCT {_PERSON}) AS people, COUNT(DISTINCT r.organisation) AS institutions "
        f"{_FROM} WHERE {where.sql} GROUP BY COALESCE(o.country, ''), COALESCE(o.region, '') ORDER BY 1, 2 LIMIT 500",
        *where.args,
    )


@dataclass(frozen=True)
class Target:
    """How many staff to train (by ``by``, when set), and whether a coordinator set it on the indicators page."""

    value: int
    by: dt.date | None
    from_indicators: bool


async def target() -> Target:
    """The number of staff to train: the newest programme-wide indicator target for ``staff_trained``
    a coordinator set, else the setting PORTAL_TRAINING_TARGET (the Slovenian plan's 480)."""
    row = (
        await IndicatorTarget.select(IndicatorTarget.value, IndicatorTarget.period_end)
        .where(
            (IndicatorTarget.indicator == TARGET_INDICATOR)
            & (IndicatorTarget.country == "")
            & (IndicatorTarget.region == "")
        )
        .order_by(IndicatorTarget.id, ascending=False)
        .first()
    )
    if row is not None and row["value"] > 0:
        return Target(value=row["value"], by=row["period_end"], from_indicators=True)
    return Target(value=get_settings().training_target, by=None, from_indicators=False)
