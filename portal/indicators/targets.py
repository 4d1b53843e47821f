"""Targets per indicator and period: checking the form, storing, listing with the actual figure beside each."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.complementary import HIDDEN
from portal.db.tables import IndicatorTarget
from portal.disclosure import total_gives_away
from portal.i18n import gettext as _
from portal.indicators.filters import MAX_MONTHS, Filters, next_month, parse_month, region_country
from portal.indicators.measures import MEASURES
from portal.indicators.model import people
from portal.organisations.kinds import COUNTRIES

MAX_VALUE = 10_000_000
PER_PAGE = 20


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def clean_target(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The target's values from a form, and field -> what is wrong; nothing is stored when anything is."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    indicator = _text(form, "indicator")
    if indicator not in MEASURES:
        errors["indicator"] = _("Choose an indicator from the list.")
    values["indicator"] = indicator
    start, last = parse_month(_text(form, "from")), parse_month(_text(form, "to"))
    if start is None:
        errors["from"] = _("Give the first month as year and month, e.g. 2026-01.")
    if last is None:
        errors["to"] = _("Give the last month as year and month, e.g. 2026-12.")
    if start and last:
        if last < start:
            errors["to"] = _("The last month must not be before the first.")
        elif len(Filters(start, next_month(last)).months) > MAX_MONTHS:
            errors["to"] = _("Choose at most %(count)d months.") % {"count": MAX_MONTHS}
    values["period_start"] = start
    values["period_end"] = next_month(last) - dt.timedelta(days=1) if last else None
    country, region = _text(form, "country").upper(), _text(form, "region")
    if country and country not in COUNTRIES:
        errors["country"] = _("Choose a country from the list.")
    if region:
        belongs = region_country(region)
        if belongs is None:
            errors["region"] = _("Choose a region from the list.")
        elif country and belongs != country:
            errors["region"] = _("This region is not in the chosen country.")
        else:
            country = belongs
    values["country"], values["region"] = country, region
    raw = _text(form, "value")
    if re.fullmatch(r"[0-9]{1,9}", raw) is None or not 1 <= int(raw) <= MAX_VALUE:
        errors["value"] = _("Give a whole number from 1 to %(most)s.") % {"most": f"{MAX_VALUE:,}"}
    else:
        values["value"] = int(raw)
    return values, errors


async def create_target(values: dict[str, Any], user: CurrentUser) -> int:
    rows = await IndicatorTarget.insert(IndicatorTarget(**values, created_by=user.id, created_at=utc_now()))
    return rows[0]["id"]


async def delete_target(target_id: int) -> bool:
    deleted = await IndicatorTarget.delete().where(IndicatorTarget.id == target_id).returning(IndicatorTarget.id)
    return bool(deleted)


def target_filters(row: Mapping[str, Any]) -> Filters:
    end = next_month(row["period_end"].replace(day=1))
    return Filters(start=row["period_start"], end=end, country=row["country"], region=row["region"])


async def targets_for(f: Filters, page: int = 1, per_page: int = PER_PAGE) -> dict[str, Any]:
    """Targets whose period overlaps the filters' period, each with its actual figure over the
    target's own period and scope (a count of people rounded to the nearest five, and the share reached
    worked out from that); a page at a time, since each actual is its own aggregate."""
    condition = (IndicatorTarget.period_start < f.end) & (IndicatorTarget.period_end >= f.start)
    if f.country:
        condition &= IndicatorTarget.country.is_in([f.country, ""])
    if f.region:
        condition &= IndicatorTarget.region.is_in([f.region, ""])
    total = await IndicatorTarget.count().where(condition)
    found = (
        await IndicatorTarget.select()
        .where(condition)
        .order_by(IndicatorTarget.period_start)
        .order_by(IndicatorTarget.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = []
    for row in found:
        measure = MEASURES.get(row["indicator"])
        if measure is None:  # an indicator another version of the portal had
            continue
        actual = await measure.compute(target_filters(row))
        # A count of people is suppressed and rounded as on the page (the target, set by a coordinator, is not):
        # an exact actual beside the page's rounded months would give their sum, hence a month, back.
        actual_shown: int | str | None = people(actual) if measure.personal else actual
        # The page shows the parts of this figure for the same period and scope: it must not give one away.
        if (
            isinstance(actual_shown, int)
            and measure.personal
            and measure.parts
            and total_gives_away(await measure.parts(target_filters(row)))
        ):
            actual_shown = HIDDEN
        items.append(
            {
                **row,
                "label": str(measure.label),
                "actual": actual_shown,
                "progress": round(100 * actual_shown / row["value"], 1) if isinstance(actual_shown, int) else None,
            }
        )
    return {"items": items, "page": page, "pages": max(1, -(-total // per_page)), "total": total}
