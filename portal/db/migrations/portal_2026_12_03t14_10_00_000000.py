"""The indicators' summaries reach up to the start of the hour, not of the month: the triggers follow.

The summaries now hold everything dated before the start of the hour they were refreshed in
(``portal.indicators.monthly.boundary_at``), so the page reads at most about an hour of events live
instead of up to a month of them. The triggers of 2026-12-02T17:11 and 2026-12-03T08:21 that compare a
row's date with the start of the month compare it with the start of the hour instead. A step taken
back (or its undo removed) marks the summaries stale only when the referral has a step of that status
dated before the hour (the undo of a step just taken left the page reading everything live until the
next refresh). The boundary column widens to hold an hour; the kept state is dropped, so the page reads
live until the summary job has rebuilt the summaries with the new boundary.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indicator summaries up to the hour"

TOUCH = "UPDATE indicator_summary_state SET changes = changes + 1"
FUNNEL = "('sent', 'accepted', 'started', 'completed', 'dropped_out', 'hired')"
STARTED = "('started')"
HOUR = "date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def _postgres_taken_back(statuses: str) -> str:
    """A touched 'undone' row of one of ``statuses`` whose referral has a step of that status before the hour."""
    return (
        f"(t.kind = 'undone' AND t.from_status IN {statuses} AND EXISTS (SELECT 1 FROM referral_event s "
        f"WHERE s.referral = t.referral AND s.kind = 'step' AND s.to_status = t.from_status AND s.changed_at < {HOUR}))"
    )


def _postgres_function(name: str, condition: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF EXISTS (SELECT 1 FROM touched_rows t WHERE {condition}) THEN {TOUCH}; END IF; "
        f"RETURN NULL; END $$"
    )


POSTGRES = [
    # A statement's rows dated before this hour (UTC): one check per INSERT/DELETE/COPY, not per row.
    _postgres_function("indicator_summary_touch_past", f"t.changed_at < {HOUR}"),
    _postgres_function(
        "indicator_summary_touch_started",
        f"(t.to_status = 'started' AND t.changed_at < {HOUR}) OR {_postgres_taken_back(STARTED)}",
    ),
    _postgres_function(
        "indicator_summary_touch_funnel",
        f"(t.to_status IN {FUNNEL} AND t.changed_at < {HOUR}) OR {_postgres_taken_back(FUNNEL)}",
    ),
]

# SQLite keeps timestamps as text in UTC ('2026-12-03 14:05:00.123+00:00'): the first 13 characters are the hour.
SQLITE_HOUR = "strftime('%Y-%m-%d %H', 'now')"


def _sqlite_past(row: str) -> str:
    return f"substr({row}.changed_at, 1, 13) < {SQLITE_HOUR}"


def _sqlite_taken_back(row: str, statuses: str) -> str:
    return (
        f"({row}.kind = 'undone' AND {row}.from_status IN {statuses} AND EXISTS (SELECT 1 FROM referral_event s "
        f"WHERE s.referral = {row}.referral AND s.kind = 'step' AND s.to_status = {row}.from_status "
        f"AND substr(s.changed_at, 1, 13) < {SQLITE_HOUR}))"
    )


def _sqlite_trigger(name: str, when: str, table: str, row: str, condition: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {when} ON {table} WHEN {condition} BEGIN {TOUCH}; END"


SQLITE_TRIGGERS = {
    name: (when, table, row, condition)
    for name, when, table, row, condition in [
        ("indicator_summary_stage_insert", "INSERT", "stage_change", "NEW", _sqlite_past("NEW")),
        ("indicator_summary_stage_delete", "DELETE", "stage_change", "OLD", _sqlite_past("OLD")),
        *[
            (
                f"indicator_summary_event_{when.lower()}",
                when,
                "referral_event",
                row,
                f"({row}.to_status = 'started' AND {_sqlite_past(row)}) OR {_sqlite_taken_back(row, STARTED)}",
            )
            for when, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
        ],
        *[
            (
                f"indicator_summary_funnel_{when.lower()}",
                when,
                "referral_event",
                row,
                f"({row}.to_status IN {FUNNEL} AND {_sqlite_past(row)}) OR {_sqlite_taken_back(row, FUNNEL)}",
            )
            for when, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
        ],
    ]
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.alter_column(
        table_class_name="IndicatorSummaryState",
        tablename="indicator_summary_state",
        column_name="boundary",
        db_column_name="boundary",
        params={"length": 16},
        old_params={"length": 7},
        column_class=Varchar,
        old_column_class=Varchar,
    )

    async def hourly_triggers():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            for ddl in POSTGRES:
                await engine.run_ddl(ddl)
        else:
            for name, (when, table, row, condition) in SQLITE_TRIGGERS.items():
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
                await engine.run_ddl(_sqlite_trigger(name, when, table, row, condition))
        # Summaries kept up to a month's start: read live until the job rebuilds them up to an hour's.
        await engine.run_ddl("UPDATE indicator_summary_state SET boundary = '', refreshed_at = NULL")

    manager.add_raw(hourly_triggers)
    return manager
