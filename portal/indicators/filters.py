"""The filters every indicator takes (country, region, organisation, months from/to), read and checked from a query."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from portal.clock import utc_now
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.organisations.kinds import COUNTRIES
from portal.organisations.params import is_record_id

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# A page shows one column or row per month: five years keep the tables and charts readable.
MAX_MONTHS = 60
DEFAULT_MONTHS = 12


def _first_of(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def next_month(day: dt.date) -> dt.date:
    return _first_of(day.year, day.month + 1)


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> dt.date | None:
    """'2026-03' -> 1 March 2026; None for anything else."""
    match = MONTH.match(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


@dataclass(frozen=True)
class Filters:
    """What the indicators are computed over. ``start`` is the first day of the first month,
    ``end`` the first day after the last month (exclusive), both in UTC."""

    start: dt.date
    end: dt.date
    country: str = ""
    region: str = ""
    organisation: int | None = None

    @property
    def months(self) -> list[str]:
        months, day = [], self.start
        while day < self.end:
            months.append(month_key(day))
            day = next_month(day)
        return months

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time(), tzinfo=dt.UTC)

    @property
    def last_month(self) -> dt.date:
        return _first_of(self.end.year, self.end.month - 1)

    def query(self, **extra: Any) -> dict[str, str]:
        """The filters as query parameters (for links to downloads and the report)."""
        values = {
            "from": month_key(self.start),
            "to": month_key(self.last_month),
            "country": self.country,
            "region": self.region,
            "organisation": str(self.organisation or ""),
        }
        values.update({key: str(value) for key, value in extra.items()})
        return {key: value for key, value in values.items() if value}

    def with_scope(self, country: str, region: str) -> Filters:
        return replace(self, country=country, region=region, organisation=None)


def default_filters(today: dt.date | None = None) -> Filters:
    """The last twelve months, this one included."""
    today = today or utc_now().date()
    end = next_month(today.replace(day=1))
    return Filters(start=_first_of(end.year, end.month - DEFAULT_MONTHS), end=end)


def region_country(region: str) -> str | None:
    for country, regions in REGIONS.items():
        if region in regions:
            return country
    return None


def clean_filters(query: Mapping[str, Any], today: dt.date | None = None) -> tuple[Filters, dict[str, str]]:
    """Filters from a query string, and what was wrong with it (field -> message).

    A wrong field is left out (its default applies) and named, so the page still shows figures."""
    errors: dict[str, str] = {}
    defaults = default_filters(today)
    start, end = defaults.start, defaults.end

    def text(name: str) -> str:
        value = query.get(name)
        return value.strip() if isinstance(value, str) else ""

    if text("from"):
        start = parse_month(text("from")) or start
        if parse_month(text("from")) is None:
            errors["from"] = _("Give the first month as year and month, e.g. 2026-01.")
    if text("to"):
        last = parse_month(text("to"))
        if last is None:
            errors["to"] = _("Give the last month as year and month, e.g. 2026-12.")
        else:
            end = next_month(last)
    if start >= end:
        errors["to"] = _("The last month must not be before the first.")
        start, end = defaults.start, defaults.end
    elif len(Filters(start, end).months) > MAX_MONTHS:
        errors["to"] = _("Choose at most %(count)d months.") % {"count": MAX_MONTHS}
        start, end = defaults.start, defaults.end
    country = text("country").upper()
    if country and country not in COUNTRIES:
        errors["country"] = _("Choose a country from the list.")
        country = ""
    region = text("region")
    if region:
        belongs = region_country(region)
        if belongs is None:
            errors["region"] = _("Choose a region from the list.")
            region = ""
        elif country and belongs != country:
            errors["region"] = _("This region is not in the chosen country.")
            region = ""
    organisation: int | None = None
    if text("organisation"):
        raw = text("organisation")
        if is_record_id(raw) and int(raw) >= 1:
            organisation = int(raw)
        else:
            errors["organisation"] = _("Choose an organisation from the list.")
    return Filters(start, end, country, region, organisation), errors
