"""One page of a longer list, the same shape for every area."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """A page number within 1..pages, so a stale link shows the last page instead of nothing."""
    return max(1, min(page, max(1, math.ceil(total / per_page))))


async def first_of(query: Any, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The first ``limit`` rows of an ordered ``query`` and whether more match: one row more is read to know."""
    rows = await query.limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def capped_count(query: Any, cap: int) -> tuple[int, bool]:
    """How many rows a select ``query`` finds, up to ``cap``, and whether more match.

    The database counts over the query limited to ``cap`` + 1 rows (the limit is set on ``query``):
    an exact count of a large table reads every matching row on every visit, this reads at most
    one past the cap, and only the number comes back.
    """
    rows = await query.table.raw("SELECT COUNT(*) AS n FROM ({}) AS capped", *query.limit(cap + 1).querystrings)
    found = rows[0]["n"]
    return min(found, cap), found > cap
