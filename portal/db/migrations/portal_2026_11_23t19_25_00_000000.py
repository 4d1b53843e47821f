"""Composite and partial unique indexes for pseudonyms, pending introductions and round proposals.

Separate from the tables' migration because Piccolo runs raw steps before a migration's own.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T19:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique indexes for candidate pseudonyms, pending introductions and allocation proposals"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_indexes():
        # Composite and partial unique indexes are not Piccolo columns; both engines read these the same.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS candidate_pseudonym_org_participant "
            "ON candidate_pseudonym (organisation, participant)"
        )
        # One pending request per employer and candidate, even under concurrent submissions.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS introduction_one_pending "
            "ON introduction (organisation, participant) WHERE status = 'requested'"
        )
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS allocation_proposal_round_participant "
            "ON allocation_proposal (allocation_round, participant)"
        )

    async def drop_indexes():
        for name in ("candidate_pseudonym_org_participant", "introduction_one_pending",
                     "allocation_proposal_round_participant"):
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
