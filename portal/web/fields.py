"""Form and JSON field parsers that several areas' validation shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.i18n import gettext as _


def coordinate(data: Mapping[str, Any], field: str, limit: float, errors: dict[str, str]) -> float | None:
    """A latitude (``limit`` 90) or longitude (180), a comma accepted as the decimal sign; None when empty.

    A value that is no number, or out of range, records a message under ``field`` in ``errors``."""
    raw = data.get(field)
    if raw is None or isinstance(raw, bool) or (isinstance(raw, str) and not raw.strip()):
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
