"""Form and JSON field parsers that several areas' validation shares.

Each takes the submitted mapping (a form or a JSON object) or one raw value, and gives a clean
value; those given ``errors`` record a message under the field when the input is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from typing import Any

from portal.i18n import gettext as _

__all__ = ["choice", "codes", "coordinate", "date", "integer", "text", "texts"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab, line feed and carriage return


def text(data: Mapping[str, Any], field: str, *, keep_control: bool = False) -> str:
    """The field as text without surrounding spaces, "" when absent; control characters (other than
    tab and line breaks) are dropped unless ``keep_control``, for forms that refuse them instead."""
    value = data.get(field)
    if value is None:
        return ""
    return (str(value) if keep_control else _CONTROL.sub("", str(value))).strip()


def texts(
    data: Mapping[str, Any], limits: Mapping[str, int], errors: dict[str, str], *, keep_control: bool = False
) -> dict[str, Any]:
    """Each field named in ``limits`` as :func:`text`; one longer than its limit records a message."""
    values: dict[str, Any] = {field: text(data, field, keep_control=keep_control) for field in limits}
    for field, limit in limits.items():
        if len(values[field]) > limit:
            errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    return values


def choice(
    data: Mapping[str, Any],
    field: str,
    options: Collection[str],
    message: str,
    errors: dict[str, str],
    *,
    default: str = "",
    keep_control: bool = False,
) -> str:
    """The field as :func:`text` (``default`` when empty), which must be one of ``options`` (codes, or a
    mapping's keys); else ``message`` is recorded. The value comes back either way."""
    value = text(data, field, keep_control=keep_control) or default
    if value not in options:
        errors[field] = message
    return value


def integer(raw: Any, low: int, high: int, *, digits_only: bool = False) -> int | None:
    """``raw`` as a whole number from ``low`` to ``high``, else None (also for empty input and JSON booleans).

    Python's reading of a number is used (a sign, spaces around it); with ``digits_only`` only the
    digits 0-9 are taken, as the training forms ask."""
    value = str(raw).strip()
    if digits_only and not (value.isascii() and value.isdigit()):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def date(data: Mapping[str, Any], field: str, errors: dict[str, str]) -> dt.date | None:
    """A date as YYYY-MM-DD (or a ``date`` from a caller), None when absent or empty; else a message."""
    raw = data.get(field)
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def coordinate(
    data: Mapping[str, Any], field: str, limit: float, errors: dict[str, str], *, bool_is_empty: bool = True
) -> float | None:
    """A latitude (``limit`` 90) or longitude (180), a comma accepted as the decimal sign; None when empty.

    A value that is no number, or out of range, records a message under ``field`` in ``errors``.
    A JSON ``true`` or ``false`` counts as empty, or with ``bool_is_empty=False`` (the organisation
    forms) as no number."""
    raw = data.get(field)
    if raw is None or (bool_is_empty and isinstance(raw, bool)) or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).replace(",", "."))
    except ValueError:
        errors[field] = _("Enter a number.")
        return None
    if not -limit <= value <= limit:
        errors[field] = _("Enter a number between %(low)s and %(high)s.") % {"low": -limit, "high": limit}
        return None
    return value


def codes(
    raw: Any, known: Mapping[str, Any], field: str, message: str, errors: dict[str, str], *, shown: int = 20
) -> str:
    """Checked codes from checkboxes, a JSON list or a comma- or semicolon-separated text, stored
    comma-separated, in order and once each. An unknown code records ``message`` (its ``%(code)s``
    is the code's first ``shown`` characters) and gives ""."""
    if raw is None:
        return ""
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(";", ",").split(",")
    cleaned: list[str] = []
    for code in (str(item).strip().lower() for item in items):
        if not code:
            continue
        if code not in known:
            errors[field] = message % {"code": code[:shown]}
            return ""
        if code not in cleaned:
            cleaned.append(code)
    return ",".join(cleaned)
