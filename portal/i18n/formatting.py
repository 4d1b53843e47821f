"""Dates and numbers written the way the current language writes them."""

from __future__ import annotations

import datetime as dt

from babel import dates, numbers

from portal.i18n.core import current_language


def format_date(value: dt.date | dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return dates.format_date(value, format=format, locale=current_language())


def format_datetime(value: dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, format=format, locale=current_language(), tzinfo=dt.UTC)


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if decimals is None:
        return numbers.format_decimal(value, locale=current_language())
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return numbers.format_decimal(value, format=pattern, locale=current_language())
