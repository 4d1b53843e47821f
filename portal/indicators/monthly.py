"""The indicators' summaries of everything dated before the start of the hour, per month and case scope, kept by a background job.

Computed live, ``people.stage_counts`` reads each person's whole stage history (a LAG window over
every stage change) and ``people.first_placements`` every placement start ever made (a person's
first). The summaries keep, for every month up to their ``boundary`` (the start of the hour they were
refreshed in; the boundary's own month holds what is dated before it) and per (country, region,
organisation), the net moves into and out of each stage (``indicator_stage_month``) and the people
whose first placement started then, by days from intake (``indicator_first_placement_month``), the
referrals first sent then by funnel step reached and days from the step before, both before the
boundary (``indicator_funnel_month``), and the referrals with a step (sent, started, completed,
dropped out, hired) per month and kind and country of the opportunity (``indicator_step_month``); the
page adds what is dated from the boundary on live (for the funnel: the steps taken since the boundary
of referrals sent before it), at most a little over an hour of events. The funnel and step summaries
keep one set of rows for every organisation (``organisation`` 0) and one per organisation involved,
the case holder or the host, so that neither read grows with the organisations. Database triggers
(migrations 2026-12-02T17:11, 2026-12-03T08:21, 2026-12-03T14:10) raise
``indicator_summary_state.changes`` whenever a summarised input changes (a stage change or referral
step dated before the current hour, a summarised step taken back, a person's region or case holder,
a referral's person or opportunity, an opportunity's host, kind or country, an organisation's
country): the summaries are read only while ``changes`` equals what the last refresh read, so they
never give other figures than the live computation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.indicators import sql

NAME = "monthly"
# Refreshed at least this often even when nothing marked it stale (belt and braces: a nightly rebuild).
MAX_AGE = dt.timedelta(hours=24)
# Two refreshes never interleave on PostgreSQL (the second waits, then rebuilds from the first's result).
LOCK_KEY = 1_302_012
# An hour is summarised only this long after it ended: a write dated in its last moments may commit a little
# later, after a refresh had read the history, and the staleness triggers (which compare with the clock's
# hour) would not mark it.
SETTLE = dt.timedelta(minutes=10)
# How the boundary is kept in indicator_summary_state.boundary (UTC).
BOUNDARY_FORMAT = "%Y-%m-%dT%H:00"


def boundary_at(now: dt.datetime) -> str:
    """The instant a refresh at ``now`` summarises up to (exclusive): the start of this hour, or of the last
    one in this hour's first minutes (``SETTLE``). The page then reads at most about an hour of events live,
    where a month's boundary left up to a month of them (seconds of queries at a country's scale)."""
    return (now - SETTLE).astimezone(dt.UTC).strftime(BOUNDARY_FORMAT)


def boundary_start(boundary: str) -> dt.datetime:
    """The instant a boundary names: everything dated before it is summarised."""
    return dt.datetime.strptime(boundary, BOUNDARY_FORMAT).replace(tzinfo=dt.UTC)


async def state() -> dict[str, Any] | None:
    found = await sql.rows(
        "SELECT boundary, changes, summarised_changes, refreshed_at FROM indicator_summary_state WHERE name = {}",
        NAME,
    )
    return found[0] if found else None


async def fresh_boundary() -> str | None:
    """The boundary the summary reaches up to (exclusive) when it may be read, else None (read everything live)."""
    found = await state()
    if not found or not found["boundary"] or found["refreshed_at"] is None:
        return None
    return found["boundary"] if found["changes"] == found["summarised_changes"] else None


def _insert_statement() -> str:
    """Every stage change before the boundary as +1 for its stage and -1 for the stage before it (LAG over the
    person's history), summed per month, stage and the scope the filters read."""
    month = sql.month_of("at")
    return f"""
        INSERT INTO indicator_stage_month (month, stage, country, region, organisation, moves)
        WITH steps AS (
            SELECT sc.stage AS stage, sc.changed_at AS at, po.country AS country, p.region AS region,
                   p.organisation AS organisation,
                   LAG(sc.stage) OVER (PARTITION BY sc.participant ORDER BY sc.changed_at, sc.id) AS previous
            FROM stage_change sc JOIN participant p ON p.id = sc.participant
            JOIN organisation po ON po.id = p.organisation
            WHERE sc.changed_at < {{}}
        ),
        grouped AS (
            SELECT {month} AS month, stage, previous, country, region, organisation, COUNT(*) AS n
            FROM steps GROUP BY 1, 2, 3, 4, 5, 6
        ),
        moves AS (
            SELECT month, stage, country, region, organisation, n AS moves FROM grouped
            UNION ALL
            SELECT month, previous, country, region, organisation, -n FROM grouped WHERE previous IS NOT NULL
        )
        SELECT month, stage, country, region, organisation, SUM(moves) FROM moves
        GROUP BY month, stage, country, region, organisation HAVING SUM(moves) <> 0
    """


def _first_placements_statement() -> str:
    """Each person's first placement start (a kept 'started' step) before the boundary, counted per month,
    scope and whole days from opening the case."""
    from portal.indicators.people import KEPT_STEP  # people reads this module

    return f"""
        INSERT INTO indicator_first_placement_month (month, country, region, organisation, days, people)
        WITH firsts AS (
            SELECT r.participant AS participant, MIN(e.changed_at) AS at
            FROM referral_event e JOIN referral r ON r.id = e.referral
            WHERE e.to_status = 'started' AND {KEPT_STEP}
            GROUP BY r.participant
        )
        SELECT {sql.month_of("f.at")}, po.country, p.region, p.organisation,
               {sql.whole_days_between("p.created_at", "f.at")}, COUNT(*)
        FROM firsts f JOIN participant p ON p.id = f.participant JOIN organisation po ON po.id = p.organisation
        WHERE f.at < {{}}
        GROUP BY 1, 2, 3, 4, 5
    """


# The summaries' organisation column: 0 on the rows for every organisation (read without an organisation
# filter), else an organisation involved, the case holder or the host (a referral counts once for each).
def _per_organisation(source: str, columns: str, counted: str) -> str:
    """The three row sets of ``source`` (with columns ``organisation`` and ``host``) grouped by ``columns``."""
    return f"""
        SELECT {columns}, 0, {counted} FROM {source} GROUP BY {columns}
        UNION ALL
        SELECT {columns}, organisation, {counted} FROM {source} GROUP BY {columns}, organisation
        UNION ALL
        SELECT {columns}, host, {counted} FROM {source} WHERE host <> organisation GROUP BY {columns}, host"""


def _funnel_statement() -> tuple[str, int]:
    """Every referral sent before the boundary (a kept 'sent'), counted per month it was sent in (a referral
    sent in several months: each pair of consecutive ones takes one back, as in ``_steps_statement``), scope
    and funnel step reached before the boundary, with the whole days from the step before when that was
    reached before the boundary too (NULL: reached, not timed). Returns the statement and how many boundary
    arguments it takes."""
    from portal.indicators.people import KEPT_STEP
    from portal.indicators.placements import FUNNEL, FUNNEL_IN, funnel_steps_sql  # placements reads this module

    columns = "month, until, country, region, organisation, host, n"
    units = [f"SELECT {columns}, 'sent' AS status, CAST(NULL AS INTEGER) AS days FROM cohort"]
    for before, status in zip(FUNNEL, FUNNEL[1:], strict=False):
        units.append(
            f"SELECT {columns}, '{status}', CASE WHEN {before} < {{}} THEN {sql.whole_days_between(before, status)} END "
            f"FROM cohort WHERE {status} < {{}}"
        )
    union = "\nUNION ALL\n".join(units)
    statement = f"""
        INSERT INTO indicator_funnel_month (month, until, country, region, status, days, organisation, referrals)
        WITH sent_months AS (
            SELECT DISTINCT e.referral AS referral, {sql.month_of("e.changed_at")} AS month
            FROM referral_event e
            WHERE e.to_status = 'sent' AND {KEPT_STEP} AND e.changed_at < {{}}
        ),
        ordered AS (
            SELECT referral, month, LEAD(month) OVER (PARTITION BY referral ORDER BY month) AS next FROM sent_months
        ),
        weights AS (
            SELECT referral, month, month AS until, 1 AS n FROM ordered
            UNION ALL
            SELECT referral, month, next, -1 FROM ordered WHERE next IS NOT NULL
        ),
        steps AS (
            SELECT e.referral AS referral, {funnel_steps_sql()}
            FROM referral_event e
            WHERE e.to_status IN {FUNNEL_IN} AND {KEPT_STEP}
            GROUP BY e.referral
        ),
        cohort AS (
            SELECT st.*, w.month AS month, w.until AS until, w.n AS n, po.country AS country, p.region AS region,
                   p.organisation AS organisation, o.organisation AS host
            FROM weights w JOIN steps st ON st.referral = w.referral JOIN referral r ON r.id = w.referral
            JOIN participant p ON p.id = r.participant JOIN organisation po ON po.id = p.organisation
            JOIN opportunity o ON o.id = r.opportunity
        ),
        units AS (
            {union}
        )
        {_per_organisation("units", "month, until, country, region, status, days", "SUM(n)")}
    """
    return statement, 1 + 2 * (len(FUNNEL) - 1)


STEPS = ("sent", "started", "completed", "dropped_out", "hired")
STEPS_IN = "(" + ", ".join(f"'{status}'" for status in STEPS) + ")"


def _steps_statement() -> str:
    """The referrals with a kept step of each status (``STEPS``) per month before the boundary and scope,
    with the kind and the country of the opportunity.

    The live figures count a referral once over the period even with such steps in several months: each
    month counts it (+1, ``until`` = ``month``), and each pair of its consecutive months takes one back
    (-1, ``month`` to ``until``); a period from month a to b (exclusive) sums the rows with ``month`` >= a
    and ``until`` < b, which gives exactly one for a referral with any of its months in the period."""
    from portal.indicators.people import KEPT_STEP  # people reads this module

    return f"""
        INSERT INTO indicator_step_month
            (month, until, status, kind, country, region, destination, organisation, referrals)
        WITH kept AS (
            SELECT DISTINCT e.referral AS referral, e.to_status AS status, {sql.month_of("e.changed_at")} AS month
            FROM referral_event e
            WHERE e.to_status IN {STEPS_IN} AND {KEPT_STEP} AND e.changed_at < {{}}
        ),
        ordered AS (
            SELECT referral, status, month,
                   LEAD(month) OVER (PARTITION BY referral, status ORDER BY month) AS next
            FROM kept
        ),
        units AS (
            SELECT referral, status, month, month AS until, 1 AS n FROM ordered
            UNION ALL
            SELECT referral, status, month, next, -1 FROM ordered WHERE next IS NOT NULL
        ),
        scoped AS (
            SELECT u.month AS month, u.until AS until, u.status AS status, o.kind AS kind, po.country AS country,
                   p.region AS region, o.country AS destination, p.organisation AS organisation,
                   o.organisation AS host, u.n AS n
            FROM units u JOIN referral r ON r.id = u.referral JOIN participant p ON p.id = r.participant
            JOIN organisation po ON po.id = p.organisation JOIN opportunity o ON o.id = r.opportunity
        )
        {_per_organisation("scoped", "month, until, status, kind, country, region, destination", "SUM(n)")}
    """


def _is_fresh(found: dict[str, Any] | None, now: dt.datetime) -> bool:
    if not found or found["refreshed_at"] is None:
        return False
    refreshed_at = found["refreshed_at"]
    if isinstance(refreshed_at, str):  # SQLite hands raw SELECTs back as text
        refreshed_at = dt.datetime.fromisoformat(refreshed_at)
    return (
        found["changes"] == found["summarised_changes"]
        and found["boundary"] == boundary_at(now)
        and now - refreshed_at < MAX_AGE
    )


async def refresh(now: dt.datetime | None = None, only_when_stale: bool = False) -> dict[str, Any]:
    """Rebuild the summaries of everything dated before this hour (``boundary_at``), in one transaction (run twice, or after a crash,
    it rebuilds the same). With ``only_when_stale``, nothing is done when another run made them fresh meanwhile."""
    now = now or utc_now()
    boundary = boundary_at(now)
    # The state row exists, committed, before the refresh reads: a writer's trigger has a row to mark stale.
    await sql.rows(
        "INSERT INTO indicator_summary_state (name, boundary, changes, summarised_changes) "
        "VALUES ({}, '', 0, -1) ON CONFLICT (name) DO NOTHING",
        NAME,
    )
    async with DB.transaction():
        if sql.is_postgres():
            await sql.rows("SELECT pg_advisory_xact_lock({})", LOCK_KEY)
        if only_when_stale and _is_fresh(await state(), now):
            return {"skipped": "fresh"}
        # Read before the histories: a change committed after this read leaves the summaries marked stale.
        changes = (await state() or {}).get("changes", 0)
        await sql.rows("DELETE FROM indicator_stage_month")
        await sql.rows(_insert_statement(), boundary_start(boundary))
        await sql.rows("DELETE FROM indicator_first_placement_month")
        await sql.rows(_first_placements_statement(), boundary_start(boundary))
        await sql.rows("DELETE FROM indicator_funnel_month")
        funnel, arguments = _funnel_statement()
        await sql.rows(funnel, *[boundary_start(boundary)] * arguments)
        await sql.rows("DELETE FROM indicator_step_month")
        await sql.rows(_steps_statement(), boundary_start(boundary))
        await sql.rows(
            "UPDATE indicator_summary_state SET boundary = {}, summarised_changes = {}, refreshed_at = {} "
            "WHERE name = {}",
            boundary,
            changes,
            utc_now(),
            NAME,
        )
    counted = 0
    for table in (
        "indicator_stage_month",
        "indicator_first_placement_month",
        "indicator_funnel_month",
        "indicator_step_month",
    ):
        counted += (await sql.rows(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"]
    return {"boundary": boundary, "rows": counted}


async def job() -> dict[str, Any]:
    """The scheduled check: rebuild the summaries when missing, marked stale, behind this hour or a day old
    (two processes' schedules at once: the second finds them fresh once it has the lock)."""
    now = utc_now()
    if _is_fresh(await state(), now):
        return {"skipped": "fresh"}
    return await refresh(now, only_when_stale=True)
