"""Referral and place indicators: the referral funnel, outcomes per kind of programme, places offered and taken."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from typing import Any

from portal.complementary import Relation, relation
from portal.i18n import gettext as _
from portal.indicators import monthly, sql
from portal.indicators.filters import Filters, month_key
from portal.indicators.model import Column, IndicatorTable, Section, people, people_protected, percent, register
from portal.indicators.people import KEPT_STEP, kept_step
from portal.referrals.flow import STATUSES
from portal.vocab import OPPORTUNITY_KINDS

FUNNEL = ("sent", "accepted", "started", "completed", "hired")
FUNNEL_IN = "(" + ", ".join(f"'{status}'" for status in FUNNEL) + ")"
OUTCOMES = ("started", "completed", "dropped_out", "hired")


# The referrals first sent in the period, in the filtered scope (the case's or the host's organisation).
def _cohort_where(f: Filters) -> sql.Where:
    where = sql.Where().add("e.changed_at >= {}", f.start_at).add("e.changed_at < {}", f.end_at)
    return sql.people_scope(where, f, host="o")


async def funnel(f: Filters, use_summary: bool = True) -> tuple[dict[str, int], dict[str, list[tuple[int, int]]]]:
    """Referrals sent in the period: how many reached each step (at any time), and per step a histogram of
    the whole days it took from the step before (days, referrals).

    Referrals sent in whole past months come from the monthly summary while it is fresh
    (``portal.indicators.monthly``: each step reached, and each step timed, before its boundary); the
    steps taken since then, and the referrals sent since then, are read live. Without a fresh summary
    (or ``use_summary=False``) everything is read live."""
    boundary = await monthly.fresh_boundary() if use_summary else None
    found: list[dict[str, Any]] = []
    if boundary is not None:
        found = await _summary_funnel(f)
    found += await _live_funnel(f, None if boundary is None else monthly.boundary_start(boundary))
    if boundary is not None and await monthly.fresh_boundary() != boundary:
        # A rebuild committed between the reads (a new month summarised, or the summary went stale): its
        # rows may already hold steps the live part counted from the old boundary. Read it all live.
        found = await _live_funnel(f, None)
    reached = dict.fromkeys(FUNNEL, 0)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in found:
        if row["part"] == "reached":
            reached[row["status"]] += int(row["n"])
        else:
            counts[row["status"]][int(row["days"])] += int(row["n"])
    return reached, {status: sorted(days.items()) for status, days in counts.items()}


def funnel_steps_sql() -> str:
    """Per referral (alias e's), the first time of each kept step of the funnel: conditional MINs, no self-join."""
    return ", ".join(f"MIN(CASE WHEN e.to_status = '{s}' THEN e.changed_at END) AS {s}" for s in FUNNEL)


async def _live_funnel(f: Filters, since: dt.datetime | None) -> list[dict[str, Any]]:
    """('reached', status, 0, referrals) and ('days', status, days, referrals), read from the events.

    One statement: the candidate referrals, one row per referral with the first time of each kept step,
    kept when a kept 'sent' falls in the period, then a count and a histogram per step. With ``since`` (the
    summary's boundary) only what the summary leaves out: of the referrals it counted (a kept 'sent' in the
    period's months before the boundary) each step reached, or timed from the step before, from then on; of
    the others every step (the candidates are the referrals with a step since then)."""
    where = sql.people_scope(sql.Where(), f, host="o")
    if since is None:
        where.add("e.to_status = 'sent'").add("e.changed_at >= {}", f.start_at).add("e.changed_at < {}", f.end_at)
    else:
        where.add(f"e.to_status IN {FUNNEL_IN}").add("e.changed_at >= {}", since)
    # 1 when the referral has a kept 'sent' from ``start`` to ``end`` (the events read are kept steps).
    sent_between = "MAX(CASE WHEN e.to_status = 'sent' AND e.changed_at >= {} AND e.changed_at < {} THEN 1 ELSE 0 END)"
    args: list[Any] = [*where.args, f.start_at, f.end_at]
    summarised = "0"
    if since is not None:
        summarised = sent_between
        args += [f.start_at, min(since, f.end_at)]
    parts = []
    for status in FUNNEL:
        late, late_args = "", []
        if since is not None:
            # The summary holds the steps reached before the boundary of the referrals it counted.
            late, late_args = f"AND ({status} >= {{}} OR summarised = 0)", [since]
        parts.append(
            f"SELECT 'reached' AS part, '{status}' AS status, 0 AS days, COUNT(*) AS n FROM steps "
            f"WHERE {status} IS NOT NULL {late}"
        )
        args += late_args
    for before, status in zip(FUNNEL, FUNNEL[1:], strict=False):
        days = sql.whole_days_between(before, status)
        late, late_args = "", []
        if since is not None:
            # ... and a step timed from the one before when both were reached before the boundary.
            late = f"AND ({before} >= {{}} OR {status} >= {{}} OR summarised = 0)"
            late_args = [since, since]
        parts.append(
            f"SELECT 'days' AS part, '{status}' AS status, {days} AS days, COUNT(*) AS n FROM steps "
            f"WHERE {before} IS NOT NULL AND {status} IS NOT NULL {late} GROUP BY {days}"
        )
        args += late_args
    union = "\nUNION ALL\n".join(parts)
    return await sql.rows(
        f"""
        WITH candidates AS (
            SELECT DISTINCT e.referral AS referral
            FROM referral_event e JOIN referral r ON r.id = e.referral {sql.referral_joins(f)}
            WHERE {KEPT_STEP} AND {where.sql}
        ),
        every_step AS (
            SELECT e.referral AS referral, {funnel_steps_sql()},
                   {sent_between} AS in_period, {summarised} AS summarised
            FROM referral_event e JOIN candidates c ON c.referral = e.referral
            WHERE e.to_status IN {FUNNEL_IN} AND {KEPT_STEP}
            GROUP BY e.referral
        ),
        steps AS (SELECT * FROM every_step WHERE in_period = 1)
        {union}""",
        *args,
    )


async def _summary_funnel(f: Filters) -> list[dict[str, Any]]:
    """The same rows from the monthly summary, for the referrals sent in the period's months before the
    boundary (a step without days: reached but not timed before it; see ``monthly`` for ``until``)."""
    where = sql.Where().add("s.month >= {}", month_key(f.start)).add("s.until < {}", month_key(f.end))
    if f.country:
        where.add("s.country = {}", f.country)
    if f.region:
        where.add("s.region = {}", f.region)
    # Rows per organisation involved (the case holder's or the host's, as the live cohort reads it), 0: all.
    where.add("s.organisation = {}", f.organisation or 0)
    rows = await sql.rows(
        f"""SELECT s.status AS status, s.days AS days, SUM(s.referrals) AS n
            FROM indicator_funnel_month s WHERE {where.sql} GROUP BY 1, 2""",
        *where.args,
    )
    reached: dict[str, int] = defaultdict(int)
    out = []
    for row in rows:
        reached[row["status"]] += int(row["n"])
        if row["days"] is not None:
            out.append({"part": "days", "status": row["status"], "days": row["days"], "n": row["n"]})
    return [{"part": "reached", "status": status, "days": 0, "n": n} for status, n in reached.items()] + out


async def outcomes(f: Filters, use_summary: bool = True) -> dict[str, dict[str, int]]:
    """Kind of opportunity -> outcome -> referrals that reached it in the period."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    found = await step_referrals(f, OUTCOMES, {"kind": "o.kind"}, use_summary=use_summary)
    for (kind, status), n in found.items():
        out[kind][status] = n
    return dict(out)


# The joins from a referral (alias r) to its participant, their case holder and the opportunity.
ALL_JOINS = (
    "JOIN participant p ON p.id = r.participant JOIN organisation po ON po.id = p.organisation "
    "JOIN opportunity o ON o.id = r.opportunity"
)


async def step_referrals(
    f: Filters,
    statuses: tuple[str, ...],
    columns: dict[str, str],
    *,
    across_border: bool = False,
    use_summary: bool = True,
    per_month: bool = False,
    by_person: bool = False,
) -> dict[tuple[Any, ...], int]:
    """(``columns``' values..., status) -> referrals in scope with a kept step of that status in the period.

    ``columns`` maps a name to its live SQL (aliases r, p, po, o); the summary keeps each under the same name
    (``kind``; ``country``, ``destination``). ``across_border``: only a case held in another country than the
    opportunity's. ``per_month``: per month as well (the month first in the key), each counting its own.
    ``by_person``: ``columns`` read the participant (p) or their case holder (po) even without a filter.
    Whole past months come from the monthly summary while it is fresh (``indicator_step_month``), the rest
    live; a referral the summary counted is not counted again for a step in the live months."""
    boundary = await monthly.fresh_boundary() if use_summary else None
    if per_month:
        columns = {"month": sql.month_of("e.changed_at"), **columns}
    status_in = "(" + ", ".join(f"'{status}'" for status in statuses) + ")"
    positions = ", ".join(str(position) for position in range(1, len(columns) + 2))
    out: dict[tuple[Any, ...], int] = defaultdict(int)
    live_from = f.start_at
    if boundary is not None:
        where = sql.Where().add("s.month >= {}", month_key(f.start)).add("s.until < {}", month_key(f.end))
        where.add(f"s.status IN {status_in}").add("s.organisation = {}", f.organisation or 0)
        if f.country:
            where.add("s.country = {}", f.country)
        if f.region:
            where.add("s.region = {}", f.region)
        if across_border:
            where.add("s.country <> s.destination")
        if per_month:
            where.add("s.until = s.month")  # a month's own count, without the pairs of months taken back
        for row in await sql.rows(
            f"""SELECT {", ".join(f"s.{name} AS {name}" for name in columns)}, s.status AS status,
                       SUM(s.referrals) AS n
                FROM indicator_step_month s WHERE {where.sql} GROUP BY {positions}""",
            *where.args,
        ):
            out[(*(row[name] for name in columns), row["status"])] += int(row["n"])
        live_from = max(live_from, monthly.boundary_start(boundary))
    if live_from < f.end_at:
        where = sql.Where().add(f"e.to_status IN {status_in}")
        where = sql.people_scope(
            where.add("e.changed_at >= {}", live_from).add("e.changed_at < {}", f.end_at), f, host="o"
        )
        if across_border:
            where.add("po.country <> o.country")
        if live_from > f.start_at and not per_month:
            # The summary counted the referrals with such a step in the period's months before the boundary.
            where.add(
                "NOT EXISTS (SELECT 1 FROM referral_event b WHERE b.referral = e.referral AND b.to_status = e.to_status "
                f"AND b.changed_at >= {{}} AND b.changed_at < {{}} AND {kept_step('b')})",
                f.start_at,
                live_from,
            )
        joins = ALL_JOINS if across_border or by_person else sql.referral_joins(f, opportunity=True)
        selected = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
        for row in await sql.rows(
            f"""SELECT {selected}, e.to_status AS status, COUNT(DISTINCT e.referral) AS n
                FROM referral_event e JOIN referral r ON r.id = e.referral {joins}
                WHERE {KEPT_STEP} AND {where.sql} GROUP BY {positions}""",
            *where.args,
        ):
            out[(*(row[name] for name in columns), row["status"])] += int(row["n"])
    return dict(out)


async def capacity(f: Filters) -> list[dict[str, Any]]:
    """Per region and kind: opportunities posted (not drafts) running in the period, places offered, places taken now."""
    where = sql.Where().add("o.status <> 'draft'")
    where.add("(o.starts_on IS NULL OR o.starts_on < {})", f.end).add("(o.ends_on IS NULL OR o.ends_on >= {})", f.start)
    if f.country:
        where.add("o.country = {}", f.country)
    if f.region:
        where.add("o.region = {}", f.region)
    if f.organisation:
        where.add("o.organisation = {}", f.organisation)
    return await sql.rows(
        f"""SELECT o.region AS region, o.kind AS kind, COUNT(*) AS opportunities,
                   SUM(o.capacity) AS offered, SUM(o.places_taken) AS taken
            FROM opportunity o WHERE {where.sql} GROUP BY 1, 2 ORDER BY 1, 2""",
        *where.args,
    )


def _capacity_rows(groups: dict[str, list[int]], label: Any, taken: dict[Any, Any], side: str) -> list[list[Any]]:
    rows = []
    for key in sorted(groups):
        offered = groups[key][0]
        shown_taken = taken[(side, key)]
        rows.append([label(key), offered, shown_taken, percent(shown_taken, offered)])
    return rows


def _taken_shown(found: list[dict[str, Any]], by_region: dict[str, list[int]], by_kind: dict[str, list[int]]) -> dict:
    """Places taken per region, per kind and per both, as shown: the three tables add up to the same places
    (and the regions and the kinds to one total no table prints), so a small count hidden in one must not
    follow from the others by subtraction."""
    counts: dict[Any, int] = {("region", key): values[1] for key, values in by_region.items()}
    counts.update({("kind", key): values[1] for key, values in by_kind.items()})
    counts.update({("detail", row["region"], row["kind"]): int(row["taken"] or 0) for row in found})
    counts["all"] = sum(values[1] for values in by_region.values())
    relations: list[Relation] = [
        relation(("region", region), [("detail", r["region"], r["kind"]) for r in found if r["region"] == region])
        for region in by_region
    ]
    relations += [
        relation(("kind", kind), [("detail", r["region"], r["kind"]) for r in found if r["kind"] == kind])
        for kind in by_kind
    ]
    relations += [
        relation("all", [("region", key) for key in by_region]),
        relation("all", [("kind", k) for k in by_kind]),
    ]
    return people_protected(counts, relations, virtual=("all",))


def _capacity_tables(found: list[dict[str, Any]]) -> list[IndicatorTable]:
    by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in found:
        for groups, key in ((by_region, row["region"]), (by_kind, row["kind"])):
            groups[key][0] += int(row["offered"] or 0)
            groups[key][1] += int(row["taken"] or 0)
    columns = [
        Column("offered", _("Places offered"), "count"),
        Column("taken", _("Places taken now")),
        Column("share", _("Share taken (%)"), "percent"),
    ]

    def kind_label(code: str) -> str:
        return str(OPPORTUNITY_KINDS.get(code, code))

    taken = _taken_shown(found, by_region, by_kind)
    detail = [
        [
            row["region"],
            kind_label(row["kind"]),
            int(row["offered"] or 0),
            taken[("detail", row["region"], row["kind"])],
        ]
        for row in found
    ]
    return [
        IndicatorTable(
            key="capacity_region",
            title=_("Places offered and taken per region"),
            columns=[Column("region", _("Region"), "label"), *columns],
            rows=_capacity_rows(by_region, str, taken, "region"),
            note=_("Opportunities posted (not drafts) running at some time in the period; places taken as of today."),
        ),
        IndicatorTable(
            key="capacity_kind",
            title=_("Places offered and taken per kind of opportunity"),
            columns=[Column("kind", _("Kind of opportunity"), "label"), *columns],
            rows=_capacity_rows(by_kind, kind_label, taken, "kind"),
        ),
        IndicatorTable(
            key="capacity_detail",
            title=_("Places per region and kind of opportunity"),
            columns=[
                Column("region", _("Region"), "label"),
                Column("kind", _("Kind of opportunity"), "label"),
                columns[0],
                columns[1],
            ],
            rows=detail,
            chart="",
        ),
    ]


# Each step of the funnel is read as a part of the step before it: the difference (referrals that stopped
# there) is a count of people the page never shows, so one of the two steps is hidden when it is one to four.
FUNNEL_LINKS = [
    relation(before, [after, f"{before}_stopped"]) for before, after in zip(FUNNEL, FUNNEL[1:], strict=False)
]


def _funnel_shown(reached: dict[str, int]) -> dict[str, int | str | None]:
    counts = dict(reached)
    stopped = tuple(f"{before}_stopped" for before in FUNNEL[:-1])
    for before, after in zip(FUNNEL, FUNNEL[1:], strict=False):
        counts[f"{before}_stopped"] = reached[before] - reached[after]
    return people_protected(counts, FUNNEL_LINKS, virtual=stopped)


async def build(f: Filters) -> list[IndicatorTable]:
    (reached, histograms), found, places = await asyncio.gather(funnel(f), outcomes(f), capacity(f))
    funnel_rows: list[list[Any]] = []
    previous: int | str | None = None
    reached_shown = _funnel_shown(reached)
    for index, status in enumerate(FUNNEL):
        count = reached_shown[status]
        histogram = histograms.get(status, [])
        timed = people(sum(n for _, n in histogram))
        funnel_rows.append(
            [
                str(STATUSES[status]),
                count,
                percent(count, previous) if index else None,
                sql.median(histogram) if index and timed else None,
            ]
        )
        previous = count
    outcome_rows = []
    for kind in [k for k in OPPORTUNITY_KINDS if k in found] + sorted(set(found) - set(OPPORTUNITY_KINDS)):
        counts = {status: people(found[kind][status]) for status in OUTCOMES}
        ended = None
        if counts["completed"] is not None and counts["dropped_out"] is not None:
            ended = counts["completed"] + counts["dropped_out"]
        outcome_rows.append(
            [
                str(OPPORTUNITY_KINDS.get(kind, kind)),
                *(counts[status] for status in OUTCOMES),
                percent(counts["completed"], ended),
            ]
        )
    return [
        IndicatorTable(
            key="funnel",
            title=_("Referral funnel"),
            columns=[
                Column("step", _("Step"), "label"),
                Column("referrals", _("Referrals reaching it")),
                Column("conversion", _("Conversion from the step before (%)"), "percent"),
                Column("median_days", _("Median days from the step before"), "days"),
            ],
            rows=funnel_rows,
            chart="hbar",
            note=_("Referrals first sent in the period, followed to today. A step taken back does not count."),
        ),
        IndicatorTable(
            key="outcomes",
            title=_("Outcomes per kind of programme"),
            columns=[
                Column("kind", _("Kind of opportunity"), "label"),
                *(Column(status, str(STATUSES[status])) for status in OUTCOMES),
                Column("completion", _("Completed of those who ended (%)"), "percent"),
            ],
            rows=outcome_rows,
            note=_("Steps recorded in the period, whenever the referral was sent."),
        ),
        *_capacity_tables(places),
    ]


SECTION = register(Section("placements", lambda: _("Referrals and places"), build, order=20))
