"""An index for the opportunity list filtered by kind (and country): counted and paged in the index alone.

At 100,000 opportunities the 200th page of "work trials in Slovenia" read and sorted every match
(a bitmap scan of 11,000 pages for the count, and 4,000 rows joined to their organisation for
the offset). With (status, kind, country, created_at, id) the count and the offset are
index-only scans, and the page reads its 20 rows by id (portal.opportunities.services).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index: opportunities by status, kind, country and age"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS opportunity_status_kind_country_created "
            "ON opportunity (status, kind, country, created_at, id)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS opportunity_status_kind_country_created")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
