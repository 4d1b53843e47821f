"""Referral and place indicators: the referral funnel, outcomes per kind of programme, places offered and taken."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from portal.complementary import Relation, relation
from portal.i18n import gettext as _
from portal.indicators import sql
from portal.indicators.filters import Filters
from portal.indicators.model import Column, IndicatorTable, Section, people, people_protected, percent, register
from portal.indicators.people import KEPT_STEP
from portal.referrals.flow import STATUSES
from portal.vocab import OPPORTUNITY_KINDS

FUNNEL = ("sent", "accepted", "started", "completed", "hired")
OUTCOMES = ("started", "completed", "dropped_out", "hired")


# The referrals first sent in the period, in the filtered scope (the case's or the host's organisation).
def _cohort_where(f: Filters) -> sql.Where:
    where = sql.Where().add("e.changed_at >= {}", f.start_at).add("e.changed_at < {}", f.end_at)
    return sql.people_scope(where, f, host="o")


async def funnel(f: Filters) -> tuple[dict[str, int], dict[str, list[tuple[int, int]]]]:
    """Referrals first sent in the period: how many reached each step, and per step a histogram of the
    whole days it took from the step before (days, referrals).

    One statement: the cohort, then one row per referral with the first time of each step
    (conditional MINs, no self-join), then a count and a histogram per step."""
    where = _cohort_where(f)
    firsts = ",\n".join(
        f"MIN(CASE WHEN e.to_status = '{status}' THEN e.changed_at END) AS {status}" for status in FUNNEL
    )
    parts = [f"SELECT 'reached' AS part, '{s}' AS status, 0 AS days, COUNT({s}) AS n FROM steps" for s in FUNNEL]
    for before, status in zip(FUNNEL, FUNNEL[1:], strict=False):
        days = sql.whole_days_between(before, status)
        parts.append(
            f"SELECT 'days' AS part, '{status}' AS status, {days} AS days, COUNT(*) AS n FROM steps "
            f"WHERE {before} IS NOT NULL AND {status} IS NOT NULL GROUP BY {days}"
        )
    union = "\nUNION ALL\n".join(parts)
    statement = f"""
        WITH cohort AS (
            SELECT DISTINCT e.referral AS referral
            FROM referral_event e JOIN referral r ON r.id = e.referral {sql.referral_joins(f)}
            WHERE e.to_status = 'sent' AND {KEPT_STEP} AND {where.sql}
        ),
        steps AS (
            SELECT e.referral AS referral, {firsts}
            FROM referral_event e JOIN cohort c ON c.referral = e.referral
            WHERE e.to_status IN ('sent', 'accepted', 'started', 'completed', 'hired') AND {KEPT_STEP}
            GROUP BY e.referral
        )
        {union}"""
    reached = dict.fromkeys(FUNNEL, 0)
    histograms: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in await sql.rows(statement, *where.args):
        if row["part"] == "reached":
            reached[row["status"]] = row["n"]
        else:
            histograms[row["status"]].append((int(row["days"]), int(row["n"])))
    return reached, dict(histograms)


async def outcomes(f: Filters) -> dict[str, dict[str, int]]:
    """Kind of opportunity -> outcome -> referrals that reached it in the period."""
    where = _cohort_where(f).add("e.to_status IN ('started', 'completed', 'dropped_out', 'hired')")
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for row in await sql.rows(
        f"""SELECT o.kind AS kind, e.to_status AS status, COUNT(DISTINCT e.referral) AS n
            FROM referral_event e JOIN referral r ON r.id = e.referral {sql.referral_joins(f, opportunity=True)}
            WHERE {KEPT_STEP} AND {where.sql} GROUP BY 1, 2""",
        *where.args,
    ):
        out[row["kind"]][row["status"]] = row["n"]
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
