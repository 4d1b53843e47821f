"""Fill participant.skill_terms for existing cases, and the indexes that lists at a country's scale need.

Separate from the column's migration because Piccolo runs raw steps before a migration's own.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T05:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Skill terms filled in; indexes for paging, consents and the pool"

# Each list pages by an indexed key with the id as tie-breaker; the newest consent per scope is
# one index probe; the pool's "finished a programme" test is one probe per person; the duplicate
# check of a case view reads one municipality's birth year.
INDEXES = {
    "opportunity_status_created": "opportunity (status, created_at, id)",
    "opportunity_status_title": "opportunity (status, title, id)",
    "opportunity_region_status": "opportunity (region, status, title, id)",
    "consent_participant_scope": "consent (participant, scope, id)",
    "referral_participant_status": "referral (participant, status)",
    "participant_stage_id": "participant (stage, id)",
    "participant_updated": "participant (updated_at, id)",
    "referral_updated": "referral (updated_at, id)",
    "opportunity_updated": "opportunity (updated_at)",
    "plan_step_open_due": "plan_step (due_on) WHERE done_on IS NULL",
    # The possible-duplicate check every case view and new case makes.
    "participant_municipality_birth": "participant (municipality, birth_year)",
}
_BATCH = 2000


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def fill_and_index():
        from portal.db.tables import Participant
        from portal.skills.entries import skill_terms

        last = 0
        while True:  # in batches: a country's cases do not fit one statement's memory
            rows = await Participant.raw(
                "SELECT id, skills FROM participant WHERE id > {} ORDER BY id LIMIT {}", last, _BATCH
            )
            if not rows:
                break
            async with engine_finder().transaction():  # one commit per batch, not per row
                for row in rows:
                    await Participant.raw(
                        "UPDATE participant SET skill_terms = {} WHERE id = {}", skill_terms(row["skills"]), row["id"]
                    )
            last = rows[-1]["id"]
        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(fill_and_index)
    manager.add_raw_backwards(drop_indexes)
    return manager
