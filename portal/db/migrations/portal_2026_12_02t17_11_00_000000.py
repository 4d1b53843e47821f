"""Triggers that mark the indicators' monthly summary stale when a summarised month's inputs change.

A stage change or a placement start dated in a past month added, changed or removed, a start taken
back, a person's region or case holder changed, a person removed, or an organisation's country
changed raises
``indicator_summary_state.changes``; the page reads live figures until the summary job has rebuilt
the summary. PostgreSQL checks bulk inserts and deletes once per statement (transition tables);
SQLite once per row.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-02T17:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Triggers marking the indicators' summary stale"

TOUCH = "UPDATE indicator_summary_state SET changes = changes + 1"

POSTGRES = [
    f"CREATE OR REPLACE FUNCTION indicator_summary_touch() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {TOUCH}; RETURN NULL; END $$",
    # A statement's rows dated before this month (UTC): one check per INSERT/DELETE/COPY, not per row.
    f"CREATE OR REPLACE FUNCTION indicator_summary_touch_past() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF EXISTS (SELECT 1 FROM touched_rows WHERE changed_at < "
    f"date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') THEN {TOUCH}; END IF; "
    f"RETURN NULL; END $$",
    "CREATE TRIGGER indicator_summary_stage_insert AFTER INSERT ON stage_change "
    "REFERENCING NEW TABLE AS touched_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch_past()",
    "CREATE TRIGGER indicator_summary_stage_delete AFTER DELETE ON stage_change "
    "REFERENCING OLD TABLE AS touched_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch_past()",
    "CREATE TRIGGER indicator_summary_stage_update AFTER UPDATE ON stage_change "
    "FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch()",
    "CREATE TRIGGER indicator_summary_participant_scope AFTER UPDATE OF region, organisation ON participant "
    "FOR EACH ROW WHEN (OLD.region IS DISTINCT FROM NEW.region OR OLD.organisation IS DISTINCT FROM NEW.organisation) "
    "EXECUTE FUNCTION indicator_summary_touch()",
    "CREATE TRIGGER indicator_summary_participant_delete AFTER DELETE ON participant "
    "FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch()",
    "CREATE TRIGGER indicator_summary_organisation_country AFTER UPDATE OF country ON organisation "
    "FOR EACH ROW WHEN (OLD.country IS DISTINCT FROM NEW.country) EXECUTE FUNCTION indicator_summary_touch()",
    # A placement start dated in a past month, or a start taken back (the first placement may move).
    f"CREATE OR REPLACE FUNCTION indicator_summary_touch_started() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF EXISTS (SELECT 1 FROM touched_rows WHERE (to_status = 'started' AND changed_at < "
    f"date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') OR (kind = 'undone' AND from_status = "
    f"'started')) THEN {TOUCH}; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER indicator_summary_event_insert AFTER INSERT ON referral_event "
    "REFERENCING NEW TABLE AS touched_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch_started()",
    "CREATE TRIGGER indicator_summary_event_delete AFTER DELETE ON referral_event "
    "REFERENCING OLD TABLE AS touched_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch_started()",
    "CREATE TRIGGER indicator_summary_event_update AFTER UPDATE OF referral, from_status, to_status, changed_at, kind "
    "ON referral_event FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch()",
    "CREATE TRIGGER indicator_summary_referral_participant AFTER UPDATE OF participant ON referral "
    "FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch()",
]
# SQLite keeps timestamps as ISO text in UTC: the first seven characters are the month.
PAST = "substr({row}.changed_at, 1, 7) < strftime('%Y-%m', 'now')"
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_stage_insert AFTER INSERT ON stage_change "
    f"WHEN {PAST.format(row='NEW')} BEGIN {TOUCH}; END",
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_stage_delete AFTER DELETE ON stage_change "
    f"WHEN {PAST.format(row='OLD')} BEGIN {TOUCH}; END",
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_stage_update AFTER UPDATE ON stage_change BEGIN {TOUCH}; END",
    "CREATE TRIGGER IF NOT EXISTS indicator_summary_participant_scope AFTER UPDATE OF region, organisation "
    "ON participant WHEN OLD.region IS NOT NEW.region OR OLD.organisation IS NOT NEW.organisation "
    f"BEGIN {TOUCH}; END",
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_participant_delete AFTER DELETE ON participant BEGIN {TOUCH}; END",
    "CREATE TRIGGER IF NOT EXISTS indicator_summary_organisation_country AFTER UPDATE OF country ON organisation "
    f"WHEN OLD.country IS NOT NEW.country BEGIN {TOUCH}; END",
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_event_insert AFTER INSERT ON referral_event "
    f"WHEN (NEW.to_status = 'started' AND {PAST.format(row='NEW')}) "
    f"OR (NEW.kind = 'undone' AND NEW.from_status = 'started') BEGIN {TOUCH}; END",
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_event_delete AFTER DELETE ON referral_event "
    f"WHEN (OLD.to_status = 'started' AND {PAST.format(row='OLD')}) "
    f"OR (OLD.kind = 'undone' AND OLD.from_status = 'started') BEGIN {TOUCH}; END",
    "CREATE TRIGGER IF NOT EXISTS indicator_summary_event_update AFTER UPDATE OF referral, from_status, to_status, "
    f"changed_at, kind ON referral_event BEGIN {TOUCH}; END",
    "CREATE TRIGGER IF NOT EXISTS indicator_summary_referral_participant AFTER UPDATE OF participant ON referral "
    f"BEGIN {TOUCH}; END",
]
TRIGGERS = {
    "indicator_summary_stage_insert": "stage_change",
    "indicator_summary_stage_delete": "stage_change",
    "indicator_summary_stage_update": "stage_change",
    "indicator_summary_participant_scope": "participant",
    "indicator_summary_participant_delete": "participant",
    "indicator_summary_organisation_country": "organisation",
    "indicator_summary_event_insert": "referral_event",
    "indicator_summary_event_delete": "referral_event",
    "indicator_summary_event_update": "referral_event",
    "indicator_summary_referral_participant": "referral",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_triggers():
        engine = engine_finder()
        for ddl in POSTGRES if isinstance(engine, PostgresEngine) else SQLITE:
            await engine.run_ddl(ddl)

    async def drop_triggers():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        for name, table in TRIGGERS.items():
            await engine.run_ddl(
                f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgres else f"DROP TRIGGER IF EXISTS {name}"
            )
        if postgres:
            await engine.run_ddl("DROP FUNCTION IF EXISTS indicator_summary_touch()")
            await engine.run_ddl("DROP FUNCTION IF EXISTS indicator_summary_touch_past()")
            await engine.run_ddl("DROP FUNCTION IF EXISTS indicator_summary_touch_started()")

    manager.add_raw(create_triggers)
    manager.add_raw_backwards(drop_triggers)
    return manager
