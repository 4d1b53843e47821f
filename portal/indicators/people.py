"""Participant indicators: people by stage month by month, entries and exits, time from intake to first placement."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from portal.disclosure import total_gives_away
from portal.i18n import gettext as _
from portal.indicators import sql
from portal.indicators.filters import Filters
from portal.indicators.model import Column, IndicatorTable, Section, people, register
from portal.vocab import STAGES

# A referral step counts unless it was taken back later (the undo writes an 'undone' event from that status).
KEPT_STEP = (
    "e.kind = 'step' AND NOT EXISTS (SELECT 1 FROM referral_event u WHERE u.referral = e.referral "
    "AND u.kind = 'undone' AND u.from_status = e.to_status AND u.changed_at >= e.changed_at)"
)
LEAVING = ("employment", "exit")


def _joins(f: Filters) -> str:
    """From a stage change (alias sc) to its participant and their case holder, only when a filter needs them."""
    if f.country or f.region or f.organisation:
        return "JOIN participant p ON p.id = sc.participant JOIN organisation po ON po.id = p.organisation"
    return ""


async def stage_counts(f: Filters) -> dict[str, dict[str, int]]:
    """Month -> stage -> people in that stage at the month's end.

    Each stage change puts a person into a stage and takes them out of the one before it (LAG over
    their history); the database sums those moves per month and stage, and the stock at each month's
    end is the running total. Moves before the period are summed into one opening bucket ('')."""
    where = sql.people_scope(sql.Where().add("sc.changed_at < {}", f.end_at), f)
    month = sql.month_of("at")
    result = await sql.rows(
        f"""
        WITH steps AS (
            SELECT sc.stage AS stage, sc.changed_at AS at,
                   LAG(sc.stage) OVER (PARTITION BY sc.participant ORDER BY sc.changed_at, sc.id) AS previous
            FROM stage_change sc {_joins(f)}
            WHERE {where.sql}
        )
        SELECT CASE WHEN at < {{}} THEN '' ELSE {month} END AS month, stage, previous, COUNT(*) AS moves
        FROM steps GROUP BY 1, 2, 3
        """,
        *where.args,
        f.start_at,
    )
    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in result:
        net[row["month"]][row["stage"]] += row["moves"]
        if row["previous"]:
            net[row["month"]][row["previous"]] -= row["moves"]
    stock = dict(net.get("", {}))
    out: dict[str, dict[str, int]] = {}
    for key in f.months:
        for stage, change in net.get(key, {}).items():
            stock[stage] = stock.get(stage, 0) + change
        out[key] = {stage: stock.get(stage, 0) for stage in STAGES}
    return out


async def entries_exits(f: Filters) -> dict[str, dict[str, int]]:
    """Month -> {'entries', 'employment', 'exit'}: cases opened, and moves into employment or exit."""
    out = {key: {"entries": 0, "employment": 0, "exit": 0} for key in f.months}
    where = sql.people_scope(sql.Where().add("p.created_at >= {}", f.start_at).add("p.created_at < {}", f.end_at), f)
    for row in await sql.rows(
        f"""SELECT {sql.month_of("p.created_at")} AS month, COUNT(*) AS n
            FROM participant p JOIN organisation po ON po.id = p.organisation
            WHERE {where.sql} GROUP BY 1""",
        *where.args,
    ):
        out[row["month"]]["entries"] = row["n"]
    where = sql.Where().add("sc.stage IN ('employment', 'exit')")
    where = sql.people_scope(where.add("sc.changed_at >= {}", f.start_at).add("sc.changed_at < {}", f.end_at), f)
    for row in await sql.rows(
        f"""SELECT {sql.month_of("sc.changed_at")} AS month, sc.stage AS stage, COUNT(*) AS n
            FROM stage_change sc {_joins(f)}
            WHERE {where.sql} GROUP BY 1, 2""",
        *where.args,
    ):
        out[row["month"]][row["stage"]] = row["n"]
    return out


async def first_placements(f: Filters) -> dict[str, list[tuple[int, int]]]:
    """Region -> histogram (whole days from opening the case to the first placement's start, people),
    for people whose first placement started in the period."""
    where = sql.people_scope(sql.Where().add("f.at >= {}", f.start_at).add("f.at < {}", f.end_at), f)
    days = sql.whole_days_between("p.created_at", "f.at")
    result = await sql.rows(
        f"""
        WITH firsts AS (
            SELECT r.participant AS participant, MIN(e.changed_at) AS at
            FROM referral_event e JOIN referral r ON r.id = e.referral
            WHERE e.to_status = 'started' AND {KEPT_STEP}
            GROUP BY r.participant
        )
        SELECT p.region AS region, {days} AS days, COUNT(*) AS n
        FROM firsts f JOIN participant p ON p.id = f.participant
        JOIN organisation po ON po.id = p.organisation
        WHERE {where.sql} GROUP BY 1, 2
        """,
        *where.args,
    )
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in result:
        out[row["region"]].append((int(row["days"]), int(row["n"])))
    return dict(out)


def _median_people(histogram: list[tuple[int, int]]) -> tuple[int | None, float | None]:
    total = sum(n for _, n in histogram)
    count = people(total)
    # A median over one to four people is one of their own dates.
    return count, (sql.median(histogram) if count else None)


async def build(f: Filters) -> list[IndicatorTable]:
    stages, flows, placements = await asyncio.gather(stage_counts(f), entries_exits(f), first_placements(f))
    stage_columns = [Column(code, str(label)) for code, label in STAGES.items()]
    tables = [
        IndicatorTable(
            key="stages",
            title=_("Participants by stage at the end of each month"),
            columns=[Column("month", _("Month"), "label"), *stage_columns],
            rows=[[month, *(people(stages[month][code]) for code in STAGES)] for month in f.months],
            chart="line",
        ),
        IndicatorTable(
            key="entries_exits",
            title=_("Entries and exits per month"),
            columns=[
                Column("month", _("Month"), "label"),
                Column("entries", _("Cases opened")),
                Column("employment", _("Moved to employment")),
                Column("exit", _("Left the programme")),
            ],
            rows=[
                [month, people(v["entries"]), people(v["employment"]), people(v["exit"])] for month, v in flows.items()
            ],
        ),
    ]
    rows: list[list[Any]] = []
    for region in sorted(placements):
        rows.append([region, *_median_people(placements[region])])
    everyone = [pair for histogram in placements.values() for pair in histogram]
    # Without the "All" row when it minus the regions shown would give a suppressed region's count away.
    if not total_gives_away([sum(n for _, n in histogram) for histogram in placements.values()]):
        rows.append([_("All"), *_median_people(everyone)])
    tables.append(
        IndicatorTable(
            key="time_to_placement",
            title=_("Time from intake to the first placement"),
            columns=[
                Column("region", _("Region"), "label"),
                Column("placed", _("People placed for the first time")),
                Column("median_days", _("Median days from intake"), "days"),
            ],
            rows=rows,
            series=["median_days"],
            note=_("People whose first placement started in the period; days from opening the case to the start."),
        )
    )
    return tables


SECTION = register(Section("participants", lambda: _("Participants"), build, order=10))
