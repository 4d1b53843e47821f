"""Triggers that mark the indicators' monthly summary stale when a summarised referral funnel can change.

On top of those of 2026-12-02T17:11: a referral step (sent, accepted, started, completed, dropped out,
hired) dated in a past month added or removed, any such step taken back (or its undo removed: the step
taken back may be dated in a past month), a referral moved to another opportunity, an opportunity's
organisation (the host the organisation filter reads), kind or country changed. Also the summaries'
indexes. PostgreSQL checks bulk inserts and deletes once
per statement (transition tables); SQLite once per row.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T08:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Triggers marking the indicators' funnel summary stale"

TOUCH = "UPDATE indicator_summary_state SET changes = changes + 1"
# The funnel's steps and the steps counted per month (outcomes, referrals across the border).
FUNNEL = "('sent', 'accepted', 'started', 'completed', 'dropped_out', 'hired')"
# Each summary is read per organisation involved (0: all) and month.
INDEXES = {
    "indicator_funnel_month_scope": "indicator_funnel_month (organisation, month)",
    "indicator_step_month_scope": "indicator_step_month (organisation, month)",
    # Cases opened per month and moves into employment or exit read from an index alone (no table rows).
    "indicator_participant_created_scope": "participant (created_at, region, organisation)",
    "indicator_stage_change_stage_at": "stage_change (stage, changed_at, participant)",
}

POSTGRES = [
    f"CREATE OR REPLACE FUNCTION indicator_summary_touch_funnel() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF EXISTS (SELECT 1 FROM touched_rows WHERE (to_status IN {FUNNEL} AND changed_at < "
    f"date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') OR (kind = 'undone' AND from_status IN "
    f"{FUNNEL})) THEN {TOUCH}; END IF; RETURN NULL; END $$",
    "CREATE TRIGGER indicator_summary_funnel_insert AFTER INSERT ON referral_event "
    "REFERENCING NEW TABLE AS touched_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch_funnel()",
    "CREATE TRIGGER indicator_summary_funnel_delete AFTER DELETE ON referral_event "
    "REFERENCING OLD TABLE AS touched_rows FOR EACH STATEMENT EXECUTE FUNCTION indicator_summary_touch_funnel()",
    "CREATE TRIGGER indicator_summary_referral_opportunity AFTER UPDATE OF opportunity ON referral "
    "FOR EACH ROW WHEN (OLD.opportunity IS DISTINCT FROM NEW.opportunity) EXECUTE FUNCTION indicator_summary_touch()",
    "CREATE TRIGGER indicator_summary_opportunity_host AFTER UPDATE OF organisation, kind, country ON opportunity "
    "FOR EACH ROW WHEN (OLD.organisation IS DISTINCT FROM NEW.organisation OR OLD.kind IS DISTINCT FROM NEW.kind "
    "OR OLD.country IS DISTINCT FROM NEW.country) EXECUTE FUNCTION indicator_summary_touch()",
]
# SQLite keeps timestamps as ISO text in UTC: the first seven characters are the month.
PAST = "substr({row}.changed_at, 1, 7) < strftime('%Y-%m', 'now')"
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_funnel_insert AFTER INSERT ON referral_event "
    f"WHEN (NEW.to_status IN {FUNNEL} AND {PAST.format(row='NEW')}) "
    f"OR (NEW.kind = 'undone' AND NEW.from_status IN {FUNNEL}) BEGIN {TOUCH}; END",
    f"CREATE TRIGGER IF NOT EXISTS indicator_summary_funnel_delete AFTER DELETE ON referral_event "
    f"WHEN (OLD.to_status IN {FUNNEL} AND {PAST.format(row='OLD')}) "
    f"OR (OLD.kind = 'undone' AND OLD.from_status IN {FUNNEL}) BEGIN {TOUCH}; END",
    "CREATE TRIGGER IF NOT EXISTS indicator_summary_referral_opportunity AFTER UPDATE OF opportunity ON referral "
    f"WHEN OLD.opportunity IS NOT NEW.opportunity BEGIN {TOUCH}; END",
    "CREATE TRIGGER IF NOT EXISTS indicator_summary_opportunity_host AFTER UPDATE OF organisation, kind, country "
    "ON opportunity WHEN OLD.organisation IS NOT NEW.organisation OR OLD.kind IS NOT NEW.kind "
    f"OR OLD.country IS NOT NEW.country BEGIN {TOUCH}; END",
]
TRIGGERS = {
    "indicator_summary_funnel_insert": "referral_event",
    "indicator_summary_funnel_delete": "referral_event",
    "indicator_summary_referral_opportunity": "referral",
    "indicator_summary_opportunity_host": "opportunity",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_triggers():
        engine = engine_finder()
        for ddl in POSTGRES if isinstance(engine, PostgresEngine) else SQLITE:
            await engine.run_ddl(ddl)
        for name, target in INDEXES.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_triggers():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        for name, table in TRIGGERS.items():
            await engine.run_ddl(
                f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgres else f"DROP TRIGGER IF EXISTS {name}"
            )
        if postgres:
            await engine.run_ddl("DROP FUNCTION IF EXISTS indicator_summary_touch_funnel()")
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_triggers)
    manager.add_raw_backwards(drop_triggers)
    return manager
