"""Participant indicators: people by stage month by month, entries and exits, time from intake to first placement."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from typing import Any

from portal.disclosure import total_gives_away
from portal.i18n import gettext as _
from portal.indicators import monthly, sql
from portal.indicators.filters import Filters, month_key
from portal.indicators.model import Column, IndicatorTable, Section, people, register
from portal.vocab import STAGES


def kept_step(alias: str) -> str:
    """A referral event (``alias``) is a step that counts: not taken back later (the undo writes an 'undone'
    event from that status)."""
    return (
        f"{alias}.kind = 'step' AND NOT EXISTS (SELECT 1 FROM referral_event u WHERE u.referral = {alias}.referral "
        f"AND u.kind = 'undone' AND u.from_status = {alias}.to_status AND u.changed_at >= {alias}.changed_at)"
    )


KEPT_STEP = kept_step("e")
LEAVING = ("employment", "exit")


def _joins(f: Filters, alias: str = "sc") -> str:
    """From a stage change (``alias``) to its participant and their case holder, only when a filter needs them."""
    if f.country or f.region or f.organisation:
        return f"JOIN participant p ON p.id = {alias}.participant JOIN organisation po ON po.id = p.organisation"
    return ""


async def stage_counts(f: Filters, use_summary: bool = True) -> dict[str, dict[str, int]]:
    """Month -> stage -> people in that stage at the month's end.

    Each stage change puts a person into a stage and takes them out of the one before it (LAG over
    their history); the database sums those moves per month and stage, and the stock at each month's
    end is the running total. Moves before the period are summed into one opening bucket ('').
    Whole past months come from the monthly summary while it is fresh (``portal.indicators.monthly``),
    the rest live; without a fresh summary (or ``use_summary=False``) everything is read live."""
    boundary = await monthly.fresh_boundary() if use_summary else None
    if boundary is None:
        moves = await _live_moves(f, since=None)
    else:
        moves = await _summary_moves(f)
        if monthly.boundary_start(boundary) < f.end_at:
            moves += await _live_moves(f, since=monthly.boundary_start(boundary))
    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in moves:
        net[row["month"]][row["stage"]] += row["moves"]
        if row.get("previous"):
            net[row["month"]][row["previous"]] -= row["moves"]
    stock = dict(net.get("", {}))
    out: dict[str, dict[str, int]] = {}
    for key in f.months:
        for stage, change in net.get(key, {}).items():
            stock[stage] = stock.get(stage, 0) + change
        out[key] = {stage: stock.get(stage, 0) for stage in STAGES}
    return out


async def _live_moves(f: Filters, since: dt.datetime | None) -> list[dict[str, Any]]:
    """(month or '' before the period, stage, previous stage, moves) from the stage histories, for the changes
    from ``since`` (all when None) to the period's end; the stage before the first of them is still read."""
    where = sql.people_scope(sql.Where().add("sc.changed_at < {}", f.end_at), f)
    month = sql.month_of("at")
    if since is None:
        source, recent_args, after, after_args = f"stage_change sc {_joins(f)}", [], "", []
    else:
        # Only the people in scope who moved since then: their whole history gives each move's stage before it.
        moved = sql.people_scope(sql.Where().add("m.changed_at >= {}", since).add("m.changed_at < {}", f.end_at), f)
        source = (
            f"stage_change sc JOIN (SELECT DISTINCT m.participant AS participant FROM stage_change m {_joins(f, 'm')} "
            f"WHERE {moved.sql}) movers ON movers.participant = sc.participant {_joins(f)}"
        )
        recent_args, after, after_args = moved.args, "WHERE at >= {}", [since]
    return await sql.rows(
        f"""
        WITH steps AS (
            SELECT sc.stage AS stage, sc.changed_at AS at,
                   LAG(sc.stage) OVER (PARTITION BY sc.participant ORDER BY sc.changed_at, sc.id) AS previous
            FROM {source}
            WHERE {where.sql}
        )
        SELECT CASE WHEN at < {{}} THEN '' ELSE {month} END AS month, stage, previous, COUNT(*) AS moves
        FROM steps {after} GROUP BY 1, 2, 3
        """,
        *recent_args,
        *where.args,
        f.start_at,
        *after_args,
    )


async def _summary_moves(f: Filters) -> list[dict[str, Any]]:
    """(month or '' before the period, stage, net moves) from the monthly summary, for its months before the
    period's end."""
    # The summary keeps the scope's three columns itself: the same filter, with one alias for both sides.
    # The boundary's own month holds what is dated before it; the live part reads the rest.
    where = sql.people_scope(sql.Where().add("s.month < {}", month_key(f.end)), f, "s", "s")
    return await sql.rows(
        f"""SELECT CASE WHEN s.month < {{}} THEN '' ELSE s.month END AS month, s.stage AS stage, SUM(s.moves) AS moves
            FROM indicator_stage_month s WHERE {where.sql} GROUP BY 1, 2""",
        month_key(f.start),
        *where.args,
    )


async def entries_exits(f: Filters) -> dict[str, dict[str, int]]:
    """Month -> {'entries', 'employment', 'exit'}: cases opened, and moves into employment or exit."""
    out = {key: {"entries": 0, "employment": 0, "exit": 0} for key in f.months}
    where = sql.people_scope(sql.Where().add("p.created_at >= {}", f.start_at).add("p.created_at < {}", f.end_at), f)
    # The case holder only for its country: without it the count reads one index (created_at, region, organisation).
    holder = "JOIN organisation po ON po.id = p.organisation" if f.country else ""
    for row in await sql.rows(
        f"""SELECT {sql.month_of("p.created_at")} AS month, COUNT(*) AS n
            FROM participant p {holder}
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


async def first_placements(f: Filters, use_summary: bool = True) -> dict[str, list[tuple[int, int]]]:
    """Region -> histogram (whole days from opening the case to the first placement's start, people),
    for people whose first placement started in the period. Whole past months come from the monthly
    summary while it is fresh, the rest live (all of it without a fresh summary or ``use_summary``)."""
    boundary = await monthly.fresh_boundary() if use_summary else None
    found: list[dict[str, Any]] = []
    since = f.start_at
    if boundary is not None:
        found = await _summary_firsts(f)
        since = max(since, monthly.boundary_start(boundary))
    if boundary is None or monthly.boundary_start(boundary) < f.end_at:
        found += await _live_firsts(f, since, earlier=boundary is not None)
    out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in found:
        out[row["region"]][int(row["days"])] += int(row["n"])
    return {region: sorted(days.items()) for region, days in out.items()}


async def _live_firsts(f: Filters, since: dt.datetime, earlier: bool) -> list[dict[str, Any]]:
    """(region, days, people) for the people whose first kept start falls from ``since`` to the period's end.

    Without ``earlier`` every start ever made is read (the whole history gives each person's first); with it,
    only the starts from ``since`` on, and a person counts when they have no kept start before it."""
    where = sql.people_scope(sql.Where().add("f.at >= {}", since).add("f.at < {}", f.end_at), f)
    days = sql.whole_days_between("p.created_at", "f.at")
    if earlier:
        starts = (
            "AND e.changed_at >= {} AND e.changed_at < {} AND NOT EXISTS (SELECT 1 FROM referral b "
            "JOIN referral_event eb ON eb.referral = b.id WHERE b.participant = r.participant "
            f"AND eb.to_status = 'started' AND eb.changed_at < {{}} AND {kept_step('eb')})"
        )
        start_args = [since, f.end_at, since]
    else:
        starts, start_args = "", []
    return await sql.rows(
        f"""
        WITH firsts AS (
            SELECT r.participant AS participant, MIN(e.changed_at) AS at
            FROM referral_event e JOIN referral r ON r.id = e.referral
            WHERE e.to_status = 'started' AND {KEPT_STEP} {starts}
            GROUP BY r.participant
        )
        SELECT p.region AS region, {days} AS days, COUNT(*) AS n
        FROM firsts f JOIN participant p ON p.id = f.participant
        JOIN organisation po ON po.id = p.organisation
        WHERE {where.sql} GROUP BY 1, 2
        """,
        *start_args,
        *where.args,
    )


async def _summary_firsts(f: Filters) -> list[dict[str, Any]]:
    """(region, days, people) from the monthly summary for the period's months before the boundary."""
    where = sql.Where().add("s.month >= {}", month_key(f.start)).add("s.month < {}", month_key(f.end))
    where = sql.people_scope(where, f, "s", "s")
    return await sql.rows(
        f"""SELECT s.region AS region, s.days AS days, SUM(s.people) AS n
            FROM indicator_first_placement_month s WHERE {where.sql} GROUP BY 1, 2""",
        *where.args,
    )


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
