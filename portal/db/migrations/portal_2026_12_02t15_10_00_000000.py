"""One live registration per event for each e-mail address of a person without an account.

The public form checks for one before it registers; two posts at the same moment could both pass that
check on PostgreSQL, so the index has the last word (the second is refused as a duplicate).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique index: one live external registration per event and e-mail address"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS training_registration_one_external "
            "ON training_registration (event, email) WHERE \"user\" IS NULL AND status <> 'cancelled'"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS training_registration_one_external")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
