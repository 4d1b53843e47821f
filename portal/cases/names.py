"""The folded name kept next to a person's name, so the caseload finds "Petrović" by "petrovic" in SQL."""

from __future__ import annotations

from typing import Any

from portal.text import fold


def name_search(first_name: str, last_name: str) -> str:
    """Both names folded (lower case, no diacritics, "dj" as "d", single spaces): what a search word is matched in."""
    return fold(f"{first_name} {last_name}", dj_as_d=True)[:210]


def with_name_search(values: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """``values`` plus ``name_search`` when they change a name (``current`` fills in the other one)."""
    if "first_name" not in values and "last_name" not in values:
        return values
    first = values.get("first_name", (current or {}).get("first_name", ""))
    last = values.get("last_name", (current or {}).get("last_name", ""))
    return {**values, "name_search": name_search(first, last)}
