"""Partner indicators: employer engagement, cooperation across the border, and the network's growth."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from portal.complementary import relation
from portal.i18n import gettext as _
from portal.indicators import sql
from portal.indicators.filters import Filters
from portal.indicators.model import Column, IndicatorTable, Section, people, people_protected, register
from portal.indicators.people import KEPT_STEP
from portal.indicators.placements import step_referrals


def _period(where: sql.Where, column: str, f: Filters) -> sql.Where:
    return where.add(f"{column} >= {{}}", f.start_at).add(f"{column} < {{}}", f.end_at)


def _either_end(where: sql.Where, f: Filters) -> sql.Where:
    """A tie is in scope when either of its organisations is (aliases so, tt for source and target)."""
    if f.country:
        where.add("(so.country = {} OR tt.country = {})", f.country, f.country)
    if f.region:
        where.add("(so.region = {} OR tt.region = {})", f.region, f.region)
    if f.organisation:
        where.add("(so.id = {} OR tt.id = {})", f.organisation, f.organisation)
    return where


async def employer_engagement(f: Filters, use_summary: bool = True) -> dict[str, dict[str, int]]:
    """Month -> requests to meet asked, accepted; hires after an accepted introduction; all hires."""
    out = {month: {"asked": 0, "accepted": 0, "hired_introduced": 0, "hired": 0} for month in f.months}
    joins = "JOIN participant p ON p.id = i.participant JOIN organisation po ON po.id = p.organisation"
    where = sql.people_scope(_period(sql.Where(), "i.created_at", f), f, host="i")
    for row in await sql.rows(
        f"SELECT {sql.month_of('i.created_at')} AS month, COUNT(*) AS n FROM introduction i {joins} "
        f"WHERE {where.sql} GROUP BY 1",
        *where.args,
    ):
        out[row["month"]]["asked"] = row["n"]
    where = sql.people_scope(_period(sql.Where().add("ie.to_status = 'accepted'"), "ie.changed_at", f), f, host="i")
    for row in await sql.rows(
        f"SELECT {sql.month_of('ie.changed_at')} AS month, COUNT(DISTINCT ie.introduction) AS n "
        f"FROM introduction_event ie JOIN introduction i ON i.id = ie.introduction {joins} "
        f"WHERE {where.sql} GROUP BY 1",
        *where.args,
    ):
        out[row["month"]]["accepted"] = row["n"]
    hires = await step_referrals(f, ("hired",), {}, use_summary=use_summary, per_month=True)
    for (key, _status), n in hires.items():
        out[key]["hired"] = n
    # The hires after an accepted introduction, found from the accepted introductions (far fewer than hires).
    people_joins = ""
    if f.country or f.region or f.organisation:
        people_joins = "JOIN participant p ON p.id = r.participant JOIN organisation po ON po.id = p.organisation"
    where = sql.people_scope(_period(sql.Where().add("e.to_status = 'hired'"), "e.changed_at", f), f, host="o")
    for row in await sql.rows(
        f"""SELECT {sql.month_of("e.changed_at")} AS month, COUNT(DISTINCT e.referral) AS n
            FROM introduction i JOIN referral r ON r.participant = i.participant
            JOIN opportunity o ON o.id = r.opportunity AND o.organisation = i.organisation
            JOIN referral_event e ON e.referral = r.id {people_joins}
            WHERE i.status = 'accepted' AND {KEPT_STEP} AND {where.sql} GROUP BY 1""",
        *where.args,
    ):
        out[row["month"]]["hired_introduced"] = row["n"]
    return out


async def cross_border_ties(f: Filters) -> dict[tuple[str, str], dict[str, int]]:
    """(country, country) in alphabetical order -> ties across that border at the period's end, and new in it."""
    where = _either_end(sql.Where().add("so.country <> tt.country").add("t.created_at < {}", f.end_at), f)
    pair = "CASE WHEN so.country < tt.country THEN so.country ELSE tt.country END"
    other = "CASE WHEN so.country < tt.country THEN tt.country ELSE so.country END"
    out: dict[tuple[str, str], dict[str, int]] = {}
    for row in await sql.rows(
        f"""SELECT {pair} AS a, {other} AS b, COUNT(*) AS ties,
                   SUM(CASE WHEN t.created_at >= {{}} THEN 1 ELSE 0 END) AS new_ties
            FROM relationship t JOIN organisation so ON so.id = t.source JOIN organisation tt ON tt.id = t.target
            WHERE {where.sql} GROUP BY 1, 2 ORDER BY 1, 2""",
        f.start_at,
        *where.args,
    ):
        out[(row["a"], row["b"])] = {"ties": int(row["ties"]), "new_ties": int(row["new_ties"] or 0)}
    return out


async def cross_border_referrals(f: Filters, use_summary: bool = True) -> dict[tuple[str, str], dict[str, int]]:
    """(case holder's country, host's country) -> referrals sent, placements started and hires in the period."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"sent": 0, "started": 0, "hired": 0})
    found = await step_referrals(
        f,
        ("sent", "started", "hired"),
        {"country": "po.country", "destination": "o.country"},
        across_border=True,
        use_summary=use_summary,
    )
    for (origin, destination, status), n in found.items():
        out[(origin, destination)][status] = n
    return dict(out)


async def network_growth(f: Filters) -> dict[str, dict[str, int]]:
    """Month -> organisations and ties created in it, and how many existed at its end."""
    out = {month: {"organisations": 0, "ties": 0} for month in f.months}
    opening: dict[str, int] = {}
    org_where = sql.organisation_scope(sql.Where().add("so.created_at < {}", f.end_at), f, "so")
    tie_where = _either_end(sql.Where().add("t.created_at < {}", f.end_at), f)
    queries = (
        ("organisations", "so.created_at", "organisation so", org_where),
        (
            "ties",
            "t.created_at",
            "relationship t JOIN organisation so ON so.id = t.source JOIN organisation tt ON tt.id = t.target",
            tie_where,
        ),
    )
    for name, column, source, where in queries:
        for row in await sql.rows(
            f"SELECT CASE WHEN {column} < {{}} THEN '' ELSE {sql.month_of(column)} END AS month, COUNT(*) AS n "
            f"FROM {source} WHERE {where.sql} GROUP BY 1",
            f.start_at,
            *where.args,
        ):
            if row["month"] == "":
                opening[name] = row["n"]
            else:
                out[row["month"]][name] = row["n"]
    totals = dict(opening)
    for values in out.values():
        for name in ("organisations", "ties"):
            totals[name] = totals.get(name, 0) + values[name]
            values[f"{name}_total"] = totals[name]
    return out


# "All hires" less "hires after an introduction" are the hires without one: a count of people the page never
# shows, so one of the two is hidden as well when that difference is one to four.
HIRES = [relation("hired", ["hired_introduced", "hired_other"])]


def _engagement_shown(values: dict[str, int]) -> list[int | str | None]:
    counts = {**values, "hired_other": values["hired"] - values["hired_introduced"]}
    shown = people_protected(counts, HIRES, virtual=("hired_other",))
    return [shown[key] for key in ("asked", "accepted", "hired_introduced", "hired")]


async def build(f: Filters) -> list[IndicatorTable]:
    engagement, ties, referrals, growth = await asyncio.gather(
        employer_engagement(f), cross_border_ties(f), cross_border_referrals(f), network_growth(f)
    )
    rows: list[list[Any]] = []
    for (a, b), values in ties.items():
        rows.append([f"{a} – {b}", values["ties"], values["new_ties"]])
    return [
        IndicatorTable(
            key="employers",
            title=_("Employer engagement per month"),
            columns=[
                Column("month", _("Month"), "label"),
                Column("asked", _("Requests to meet")),
                Column("accepted", _("Requests accepted")),
                Column("hired_introduced", _("Hires after an introduction")),
                Column("hired", _("All hires")),
            ],
            rows=[[month, *_engagement_shown(v)] for month, v in engagement.items()],
        ),
        IndicatorTable(
            key="cross_border_ties",
            title=_("Ties across the border"),
            columns=[
                Column("countries", _("Countries"), "label"),
                Column("ties", _("Ties at the end of the period"), "count"),
                Column("new_ties", _("New in the period"), "count"),
            ],
            rows=rows,
        ),
        IndicatorTable(
            key="cross_border_referrals",
            title=_("Referrals across the border"),
            columns=[
                Column("from", _("Case held in"), "label"),
                Column("to", _("Place in"), "label"),
                Column("sent", _("Referrals sent")),
                Column("started", _("Placements started")),
                Column("hired", _("Hires")),
            ],
            rows=[
                [a, b, *(people(v[key]) for key in ("sent", "started", "hired"))]
                for (a, b), v in sorted(referrals.items())
            ],
        ),
        IndicatorTable(
            key="network_growth",
            title=_("Network growth per month"),
            columns=[
                Column("month", _("Month"), "label"),
                Column("organisations", _("New organisations"), "count"),
                Column("ties", _("New ties"), "count"),
                Column("organisations_total", _("Organisations in all"), "count"),
                Column("ties_total", _("Ties in all"), "count"),
            ],
            rows=[
                [month, v["organisations"], v["ties"], v["organisations_total"], v["ties_total"]]
                for month, v in growth.items()
            ],
            chart="line",
            series=["organisations", "ties"],
        ),
    ]


SECTION = register(Section("partners", lambda: _("Employers and the partner network"), build, order=30))
