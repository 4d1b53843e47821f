"""The public summary: national and regional totals only, counts of people suppressed below five and rounded to the
nearest five (as on the indicators page), kept a few minutes per process."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from portal.cache import kept_for
from portal.complementary import HIDDEN
from portal.disclosure import SMALLEST_SHOWN
from portal.indicators import sql
from portal.indicators.filters import Filters, default_filters
from portal.indicators.model import people
from portal.indicators.placements import step_referrals

FIGURES = ("active", "entered", "started", "hired", "places")
# Anyone may ask for this page: one computation per process every few minutes, whatever the traffic.
SUMMARY_SECONDS = 300


async def _by_region(f: Filters) -> dict[tuple[str, str], dict[str, int]]:
    found: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    holder = "FROM participant p JOIN organisation po ON po.id = p.organisation"
    queries = [
        (
            "active",
            f"SELECT po.country AS country, p.region AS region, COUNT(*) AS n {holder} "
            "WHERE p.stage NOT IN ('employment', 'exit') GROUP BY 1, 2",
            [],
        ),
        (
            "entered",
            f"SELECT po.country AS country, p.region AS region, COUNT(*) AS n {holder} "
            "WHERE p.created_at >= {} AND p.created_at < {} GROUP BY 1, 2",
            [f.start_at, f.end_at],
        ),
        (
            "places",
            "SELECT o.country AS country, o.region AS region, SUM(o.capacity) AS n "
            "FROM opportunity o WHERE o.status = 'open' GROUP BY 1, 2",
            [],
        ),
    ]
    for name, query, args in queries:
        for row in await sql.rows(query, *args):
            found[(row["country"], row["region"])][name] = int(row["n"] or 0)
    # Referrals with a placement started or a hire in the period, as the indicators count them (their monthly
    # summary while fresh, the last hour live): reading a year of events took seconds at a country's scale.
    steps = await step_referrals(
        f, ("started", "hired"), {"country": "po.country", "region": "p.region"}, by_person=True
    )
    for (country, region, status), n in steps.items():
        found[(country, region)][status] = n
    return found


@kept_for(SUMMARY_SECONDS)
async def summary() -> dict[str, Any]:
    """Per country: its totals and its regions' (figures of one to four people shown as None, other counts of
    people rounded to the nearest five, each on its own: a total is the rounded exact total, not the sum of the
    rounded regions, so they may not add up)."""
    f = default_filters()
    regions = await _by_region(f)
    countries: dict[str, dict[str, Any]] = {}
    for (country, region), values in sorted(regions.items()):
        entry = countries.setdefault(country, {"totals": dict.fromkeys(FIGURES, 0), "regions": []})
        for name in FIGURES:
            entry["totals"][name] += values[name]
        entry["regions"].append({"region": region, **_shown(values)})
    for country, entry in countries.items():
        raw = {row["region"]: regions[(country, row["region"])] for row in entry["regions"]}
        entry["totals"] = _shown(entry["totals"])
        for name in FIGURES:
            if name != "places":
                protect_total(entry["regions"], entry["totals"], name, raw)
    return {"start": f.start, "last_month": f.last_month, "countries": countries}


def protect_total(
    rows: list[dict[str, Any]], totals: dict[str, Any], name: str, raw: dict[str, dict[str, int]]
) -> None:
    """Keep the country's total from giving away a region's suppressed count.

    With exactly one region below five and the total shown, the total minus the other regions is
    that count. Then the smallest other region with people is hidden too (HIDDEN, not "<5": it is
    not small), so only the sum of two is known; when there is no such region, the total is hidden.
    The total is hidden too when the sum of the unknown regions still gives them away (:func:`_pinned`)."""
    suppressed = [row for row in rows if row[name] is None]
    if not suppressed or totals[name] in (None, HIDDEN):
        return
    others = [row for row in rows if isinstance(row[name], int) and row[name] > 0]
    if len(suppressed) == 1:
        if not others:
            totals[name] = HIDDEN
            return
        min(others, key=lambda row: raw[row["region"]][name])[name] = HIDDEN
    if _pinned(rows, name, raw):
        totals[name] = HIDDEN


def _pinned(rows: list[dict[str, Any]], name: str, raw: dict[str, dict[str, int]]) -> bool:
    """Whether the total minus the shown regions, the sum of the unknown ones, gives each of them away.

    A suppressed count is 1 to 4 and a hidden one at least 5 and at most the smallest shown count;
    when the sum is the least or the most these allow (two suppressed regions summing to 2: one
    each), every unknown region is known."""
    unknown = [row for row in rows if row[name] is None or row[name] == HIDDEN]
    hidden = sum(1 for row in unknown if row[name] == HIDDEN)
    small = len(unknown) - hidden
    total = sum(raw[row["region"]][name] for row in unknown)
    shown = [row[name] for row in rows if isinstance(row[name], int) and row[name] > 0]
    least = small + hidden * SMALLEST_SHOWN
    if hidden and not shown:
        return total <= least  # a hidden region with no shown one above it has no upper bound
    most = small * (SMALLEST_SHOWN - 1) + (hidden * min(shown) if hidden else 0)
    return total <= least or total >= most


def _shown(values: dict[str, int]) -> dict[str, int | None]:
    # Places offered are not people (an organisation's capacity, public in its listing): shown exactly; the rest
    # are people, suppressed and rounded as on the indicators page (portal.indicators.model.people).
    return {name: (value if name == "places" else people(value)) for name, value in values.items()}
