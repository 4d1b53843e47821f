"""One relationship per (source, target, kind), enforced by the database as well as the service."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique index on relationship (source, target, kind)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        # Piccolo has no composite unique constraint; this statement reads the same on both engines.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS relationship_source_target_kind ON relationship (source, target, kind)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS relationship_source_target_kind")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
